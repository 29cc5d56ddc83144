from django.urls import path

from notices import views

app_name = "notices"
urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("afmeld/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
