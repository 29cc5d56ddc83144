from django.urls import path

from proposals.tracking import views

app_name = "tracking"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/foelg/", views.project_follow, name="follow"),
    path("<int:pk>/foreslaa-i-mit-omraade/", views.propose_again, name="propose_again"),
    path("afmeld/<str:token>/", views.project_unsubscribe, name="unsubscribe"),
]
