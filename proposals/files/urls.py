from django.urls import path

from proposals.files import views

urlpatterns = [
    path("filer/billede/<int:pk>/<str:size>/", views.proposal_image, name="image"),
    path("filer/bilag/<int:pk>/", views.proposal_attachment, name="attachment"),
]
