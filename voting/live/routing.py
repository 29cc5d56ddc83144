from django.urls import path

from voting.live.consumers import MeetingLiveConsumer, RoundLiveConsumer

websocket_urlpatterns = [
    path("ws/rounds/<int:round_id>/live/", RoundLiveConsumer.as_asgi()),
    path("ws/meetings/<int:meeting_id>/live/", MeetingLiveConsumer.as_asgi()),
]
