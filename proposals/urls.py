from django.urls import path

from proposals import views
from proposals.grants import views as grant_views

app_name = "proposals"
urlpatterns = [
    path("runde/<int:round_id>/", views.proposal_list, name="list"),
    path("runde/<int:round_id>/nyt/", views.proposal_edit, name="create"),
    path("mine/", views.my_proposals, name="mine"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/rediger/", views.proposal_edit, name="edit"),
    path("<int:pk>/stoet/", views.proposal_support, name="support"),
    path("<int:pk>/tilbagetraek/", views.proposal_withdraw, name="withdraw"),
    path("<int:pk>/kommentarer/", views.comment_create, name="comment"),
    path("kommentarer/<int:pk>/anmeld/", views.comment_flag, name="comment_flag"),
    path("kommentarer/<int:pk>/skjul/", views.comment_hide, name="comment_hide"),
    path("pulje/<int:round_id>/", grant_views.grant_pool, name="grant_pool"),
    path("pulje/<int:round_id>/ansoeg/", grant_views.grant_edit, name="grant_create"),
    path("ansoegning/<int:pk>/", grant_views.grant_detail, name="grant"),
    path("ansoegning/<int:pk>/rediger/", grant_views.grant_edit, name="grant_edit"),
    path("ansoegning/<int:pk>/regnskab/", grant_views.grant_accounts, name="grant_accounts"),
    path("kvittering/<int:pk>/", grant_views.grant_receipt, name="grant_receipt"),
]
