"""Bad input to live meetings: the host's control socket, a viewer's socket and the join page's
quick-vote answers. Each gets an error, nothing is counted, and the socket stays usable."""

import json
from http import HTTPStatus

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from tests import factories
from tests.security.bad_input import SCRIPT, en
from voting.models import QuickVote, QuickVoteAnswer

pytestmark = pytest.mark.django_db


# --- Live meetings ---------------------------------------------------------------------------


HOST_MESSAGES = [
    pytest.param({"type": "control", "action": "explode"}, "Unknown control.", id="unknown"),
    pytest.param({"type": "control"}, "Unknown control.", id="no-action"),
    pytest.param(
        {"type": "control", "action": "quick_vote_start", "question": "", "kind": "yes_no",
         "counted_by": "device"},
        "Write the question (at most 300 characters).", id="empty-question",
    ),
    pytest.param(
        {"type": "control", "action": "quick_vote_start", "question": SCRIPT * 50,
         "kind": "yes_no", "counted_by": "device"},
        "Write the question (at most 300 characters).", id="overlong-question",
    ),
    pytest.param(
        {"type": "control", "action": "quick_vote_start", "question": "Bænke?",
         "kind": "choose_one", "counted_by": "device", "options": 5},
        "Give from 2 to %(max)d answers, one a line.", id="options-not-a-list",
    ),
    pytest.param(
        {"type": "control", "action": "quick_vote_start", "question": "Bænke?",
         "kind": "yes_no", "counted_by": "device", "agenda_item": "9" * 40},
        "That agenda item is not on this meeting.", id="overflowing-agenda-item",
    ),
    pytest.param(
        {"type": "control", "action": "quick_vote_start", "question": "Bænke?",
         "kind": "yes_no", "counted_by": "code", "code_count": "-3"},
        "Make from 1 to %(max)d codes for the room.", id="negative-code-count",
    ),
    pytest.param(
        {"type": "control", "action": "quick_vote_start", "question": "Bænke?",
         "kind": "yes_no", "counted_by": "nobody"},
        "Choose how answers are counted once per person.", id="unknown-counting",
    ),
    pytest.param(
        {"type": "control", "action": "quick_vote_close"}, "No quick vote is running.",
        id="close-nothing",
    ),
]  # fmt: skip


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("message", "error"), HOST_MESSAGES)
async def test_bad_host_control_message_gets_an_error_and_the_socket_stays_usable(message, error):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    application = _live_router()

    def setup():
        committee = factories.committee("Østerbro Lokaludvalg")
        return factories.meeting(committee=committee), factories.meeting_host(committee=committee)

    meeting, host = await sync_to_async(setup)()
    communicator = WebsocketCommunicator(application, f"/ws/meetings/{meeting.pk}/live/")
    communicator.scope["user"] = host
    assert (await communicator.connect())[0]
    assert "seq" in json.loads(await communicator.receive_from(timeout=5))  # the snapshot
    await communicator.send_json_to(message)
    reply = await _reply(communicator)
    with translation.override("da"):  # a socket speaks the site's default language
        expected = translation.gettext(error).split("%(")[0]
    assert reply["type"] == "error" and expected in reply["error"]
    assert not await sync_to_async(QuickVote.objects.exists)()
    # Still usable: a good control message is acknowledged.
    await communicator.send_json_to({"type": "control", "action": "hide_tally"})
    assert (await _reply(communicator))["type"] == "ack"
    await communicator.disconnect()


def _live_router():
    """The live routes without the session middleware, so that a test can set the user."""
    from channels.routing import URLRouter

    from voting.live.routing import websocket_urlpatterns

    return URLRouter(websocket_urlpatterns)


async def _reply(communicator) -> dict:
    """The next answer to a control message (snapshots may come in between)."""
    while True:
        message = json.loads(await communicator.receive_from(timeout=5))
        if message.get("type") in ("ack", "error"):
            return message


@pytest.mark.django_db(transaction=True)
async def test_a_viewer_control_message_is_refused_and_the_socket_closed():
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    application = _live_router()
    meeting = await sync_to_async(
        lambda: factories.meeting(committee=factories.committee("Valby Lokaludvalg"))
    )()
    communicator = WebsocketCommunicator(application, f"/ws/meetings/{meeting.pk}/live/")
    communicator.scope["user"] = AnonymousUser()
    assert (await communicator.connect())[0]
    await communicator.receive_from(timeout=5)
    await communicator.send_json_to({"type": "control", "action": "reveal"})
    assert json.loads(await communicator.receive_from(timeout=5))["type"] == "error"
    assert (await communicator.receive_output(timeout=5))["type"] == "websocket.close"


@pytest.mark.parametrize(
    ("choice", "quick_vote", "error"),
    [
        ("7", None, "Choose one of the answers."),
        ("<script>", None, "Choose one of the answers."),
        ("0", "999999", "That quick vote has closed."),
    ],
    ids=["out-of-range", "script", "tampered-vote"],
)
def test_bad_quick_vote_answer_is_explained_and_not_counted(
    client, meeting, host, choice, quick_vote, error
):
    from voting.live import services as live

    vote, _codes = live.quick_vote_start(
        user=host, meeting=meeting, question="Bænke?", kind="yes_no", counted_by="device"
    )
    client.get(en("voting:live_join", meeting.pk))  # the device cookie
    response = client.post(
        en("voting:live_join", meeting.pk),
        {"quick_vote": quick_vote or str(vote.pk), "choice": choice},
    )
    assert response.status_code == HTTPStatus.OK
    assert error in response.content.decode()
    assert not QuickVoteAnswer.objects.exists()
