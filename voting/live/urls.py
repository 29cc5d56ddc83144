from django.urls import path

from voting.live import views as views_live

urlpatterns = [
    path("live/runde/<int:round_id>/", views_live.round_display, name="live_round"),
    path(
        "live/runde/<int:round_id>/snapshot.json",
        views_live.round_snapshot,
        name="live_round_snapshot",
    ),
    path("live/moede/<int:meeting_id>/", views_live.meeting_display, name="live_meeting"),
    path(
        "live/moede/<int:meeting_id>/snapshot.json",
        views_live.meeting_snapshot,
        name="live_meeting_snapshot",
    ),
    path("live/moede/<int:meeting_id>/deltag/", views_live.meeting_join, name="live_join"),
    path("live/moede/<int:meeting_id>/styring/", views_live.meeting_host, name="live_host"),
    path(
        "live/moede/<int:meeting_id>/station/<int:station_id>/",
        views_live.meeting_station,
        name="live_station",
    ),
    path(
        "live/moede/<int:meeting_id>/station/<int:station_id>/<int:pk>/",
        views_live.meeting_station_answer,
        name="live_station_answer",
    ),
]
