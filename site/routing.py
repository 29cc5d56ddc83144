from django.urls import path

from pbsite.health import HealthConsumer
from voting.live.routing import websocket_urlpatterns as voting_websockets

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
    *voting_websockets,
]
