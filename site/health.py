"""Liveness over HTTP and WebSocket: proves the one ASGI application serves both."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


class HealthConsumer(AsyncJsonWebsocketConsumer):
    """Echoes a ping through the channel layer, so a pong proves socket *and* layer work."""

    group = "health"

    async def connect(self):
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        user = self.scope.get("user")
        await self.send_json(
            {"type": "hello", "authenticated": bool(user and user.is_authenticated)}
        )

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Binary frames and text that is not JSON get an error; the socket stays open."""
        if text_data is None:
            await self.send_json({"type": "error", "error": "text frames only"})
            return
        try:
            content = await self.decode_json(text_data)
        except (ValueError, RecursionError):
            await self.send_json({"type": "error", "error": "invalid JSON"})
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or content.get("type") != "ping":
            await self.send_json({"type": "error", "error": "unknown message"})
            return
        payload = str(content.get("payload", ""))[:200]
        await self.channel_layer.send(
            self.channel_name, {"type": "health.pong", "payload": payload}
        )

    async def health_pong(self, event):
        await self.send_json({"type": "pong", "payload": event["payload"]})
