from django.urls import path

from proposals.moderation import views

# Included in the proposals namespace: proposals:report, proposals:comment_flag, ...
urlpatterns = [
    path("<int:pk>/anmeld/", views.proposal_report, name="report"),
    path("kommentarer/<int:pk>/anmeld/", views.comment_report, name="comment_flag"),
    path("kommentarer/<int:pk>/skjul/", views.comment_hide, name="comment_hide"),
]
