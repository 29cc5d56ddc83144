from django.urls import path
from django.views.generic import RedirectView

from proposals import views
from proposals.comments import urls as comment_urls
from proposals.files import urls as file_urls
from proposals.grants import urls as grant_urls
from proposals.intake import urls as intake_urls
from proposals.moderation import urls as moderation_urls

app_name = "proposals"
urlpatterns = [
    path("runde/<int:round_id>/", views.proposal_list, name="list"),
    path("runde/<int:round_id>/nyt/", views.proposal_edit, name="create"),
    # The old list of one's own proposals: "Mit borgerbudget" shows them now, with the rest.
    path(
        "mine/",
        RedirectView.as_view(pattern_name="my_borgerbudget", permanent=True),
        name="mine",
    ),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/rediger/", views.proposal_edit, name="edit"),
    path("<int:pk>/stoet/", views.proposal_support, name="support"),
    path("<int:pk>/tilbagetraek/", views.proposal_withdraw, name="withdraw"),
    # Comments and answers: proposals:comment, proposals:comment_edit, proposals:comment_delete.
    *comment_urls.urlpatterns,
    # Reports and hiding: proposals:report, proposals:comment_flag, proposals:comment_hide.
    *moderation_urls.urlpatterns,
    # The grant process keeps its names in this namespace: proposals:grant_pool, ...
    *grant_urls.urlpatterns,
    # Staff enter ideas and supports for residents: proposals:intake, proposals:intake_*.
    *intake_urls.urlpatterns,
    # A proposal's images and attachments: proposals:image, proposals:attachment.
    *file_urls.urlpatterns,
]
