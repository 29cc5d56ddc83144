"""Unknown and traversing paths, and bad WebSocket frames and origins at /ws/health/."""

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


UNKNOWN_PATHS = [
    pytest.param("/forslag/runde/..%2F..%2Fetc%2Fpasswd/", id="traversal-in-round-id"),
    pytest.param("/forslag/../../etc/passwd", id="traversal-dot-dot"),
    pytest.param("/kalender/..%2F..%2Fetc%2Fpasswd.ics", id="traversal-in-calendar-slug"),
    pytest.param("/%2e%2e/%2e%2e/etc/passwd/", id="traversal-in-page-slug"),
    pytest.param("/documents/..%2F..%2Fsettings.py", id="traversal-in-documents"),
    pytest.param("/en/does-not-exist/", id="unknown-page"),
    pytest.param("/afstemning/runde/abc/", id="non-numeric-round"),
    pytest.param("/forslag/runde/0/", id="round-zero"),
    pytest.param("/" + "a" * 5000 + "/", id="very-long-path"),
]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_unknown_or_traversing_path_is_not_found(client, home_page, path):
    response = client.get(path)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"root:" not in response.content and b"SECRET_KEY" not in response.content


# --- WebSocket messages to /ws/health/ --------------------------------------------------------

ORIGIN = [(b"origin", b"http://localhost")]

WS_MESSAGES = [
    pytest.param({"text_data": "this is not JSON {"}, id="non-json-text"),
    pytest.param({"text_data": " "}, id="blank-text"),
    pytest.param({"text_data": "[1, 2, 3]"}, id="json-list"),
    pytest.param({"text_data": '"ping"'}, id="json-string"),
    pytest.param({"text_data": "null"}, id="json-null"),
    pytest.param({"text_data": '{"type": "subscribe", "group": "admin"}'}, id="unknown-type"),
    pytest.param({"text_data": '{"type": {"$ne": 1}}'}, id="type-not-a-string"),
    pytest.param({"text_data": "[" * 100_000 + "]" * 100_000}, id="deeply-nested-json"),
    pytest.param({"text_data": "x" * 1_000_000}, id="huge-non-json-1mb"),
    pytest.param({"bytes_data": b"\x00\xff binary"}, id="binary-frame"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("frame", WS_MESSAGES)
async def test_bad_websocket_message_gets_an_error_and_the_socket_stays_usable(frame):
    from channels.testing import WebsocketCommunicator

    from pbsite.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/health/", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    await communicator.send_to(**frame)
    reply = await communicator.receive_json_from(timeout=5)
    assert reply["type"] == "error" and reply["error"]
    await communicator.send_json_to({"type": "ping", "payload": "still here"})
    assert await communicator.receive_json_from() == {"type": "pong", "payload": "still here"}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_huge_websocket_ping_payload_is_cut_and_answered():
    from channels.testing import WebsocketCommunicator

    from pbsite.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/health/", headers=ORIGIN)
    assert (await communicator.connect())[0]
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "ping", "payload": "<script>" + "x" * 1_000_000})
    reply = await communicator.receive_json_from(timeout=5)
    assert reply["type"] == "pong" and len(reply["payload"]) <= 200
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param([(b"origin", b"https://evil.example")], id="foreign-origin"),
        pytest.param([(b"origin", b"null")], id="null-origin"),
    ],
)
async def test_websocket_from_a_bad_origin_is_refused(headers):
    from channels.testing import WebsocketCommunicator

    from pbsite.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/health/", headers=headers)
    connected, _ = await communicator.connect()
    assert not connected
