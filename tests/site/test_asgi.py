"""One ASGI application serves HTTP and WebSockets; the channel layer carries messages."""

import asyncio
import json
from urllib.request import urlopen

import pytest
import websockets
from channels.testing import WebsocketCommunicator

from pbsite.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


async def test_health_socket_says_hello_and_pongs_through_the_layer():
    communicator = WebsocketCommunicator(
        application, "/ws/health/", headers=[(b"origin", b"http://localhost")]
    )
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {"type": "hello", "authenticated": False}
    await communicator.send_json_to({"type": "ping", "payload": "hej"})
    assert await communicator.receive_json_from() == {"type": "pong", "payload": "hej"}
    await communicator.send_json_to({"type": "shutdown"})
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.disconnect()


async def test_socket_from_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/health/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_unknown_socket_path_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/nowhere/", headers=[(b"origin", b"http://localhost")]
    )
    with pytest.raises(ValueError):
        await communicator.connect()


async def test_session_user_reaches_the_consumer(django_user_model, client):
    from asgiref.sync import sync_to_async

    user = await sync_to_async(django_user_model.objects.create_user)(
        email="ws@example.dk", password="a-good-password-123"
    )
    await sync_to_async(client.force_login)(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(
        application,
        "/ws/health/",
        headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)],
    )
    assert (await communicator.connect())[0]
    assert await communicator.receive_json_from() == {"type": "hello", "authenticated": True}
    await communicator.disconnect()


def test_real_server_serves_http_and_websocket_on_one_port(asgi_server):
    with urlopen(f"{asgi_server.url}/healthz", timeout=5) as response:
        assert json.load(response)["status"] == "ok"
    with urlopen(f"{asgi_server.url}/", timeout=5) as response:
        assert response.status == 200
        assert 'lang="da"' in response.read().decode()

    async def talk():
        async with websockets.connect(
            f"{asgi_server.ws_url}/ws/health/",
            origin=asgi_server.url.replace("127.0.0.1", "localhost"),
        ) as socket:
            hello = json.loads(await asyncio.wait_for(socket.recv(), 5))
            await socket.send(json.dumps({"type": "ping", "payload": "over the wire"}))
            pong = json.loads(await asyncio.wait_for(socket.recv(), 5))
            return hello, pong

    hello, pong = asyncio.run(talk())
    assert hello["type"] == "hello"
    assert pong == {"type": "pong", "payload": "over the wire"}
