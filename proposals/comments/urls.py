"""A proposal's discussion: comments, answers, and their authors' edits and deletions. Part of
the proposals namespace (proposals:comment, proposals:comment_edit, proposals:comment_delete)."""

from django.urls import path

from proposals.comments import views

urlpatterns = [
    path("<int:pk>/kommentarer/", views.comment_create, name="comment"),
    path("kommentarer/<int:pk>/rediger/", views.comment_edit, name="comment_edit"),
    path("kommentarer/<int:pk>/slet/", views.comment_delete, name="comment_delete"),
]
