from django.urls import path

from proposals.following import views

app_name = "following"
urlpatterns = [
    path("<int:pk>/foelg/", views.proposal_follow, name="follow"),
]
