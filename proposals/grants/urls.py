"""Routes of the grant process, in the "proposals" namespace (proposals/urls.py includes them)."""

from django.urls import path

from proposals.grants import views

urlpatterns = [
    path("pulje/<int:round_id>/", views.grant_pool, name="grant_pool"),
    path("pulje/<int:round_id>/ansoeg/", views.grant_edit, name="grant_create"),
    path("ansoegning/<int:pk>/", views.grant_detail, name="grant"),
    path("ansoegning/<int:pk>/rediger/", views.grant_edit, name="grant_edit"),
    path("ansoegning/<int:pk>/regnskab/", views.grant_accounts, name="grant_accounts"),
    path("kvittering/<int:pk>/", views.grant_receipt, name="grant_receipt"),
]
