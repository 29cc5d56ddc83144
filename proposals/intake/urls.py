"""Routes of the staff intake pages, in the "proposals" namespace (proposals/urls.py includes
them): proposals:intake, proposals:intake_proposal, proposals:intake_support,
proposals:intake_import."""

from django.urls import path

from proposals.intake import views

urlpatterns = [
    path("skranke/", views.intake_index, name="intake"),
    path("skranke/runde/<int:round_id>/forslag/", views.intake_proposal, name="intake_proposal"),
    path("skranke/runde/<int:round_id>/stoette/", views.intake_support, name="intake_support"),
    path("skranke/runde/<int:round_id>/import/", views.intake_import, name="intake_import"),
]
