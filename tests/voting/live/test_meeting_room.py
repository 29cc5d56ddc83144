"""The meeting room over HTTP and WebSocket: the projector page names only the meeting's own
round and draws a QR code that scales; the host page follows the room live, shows a closed quick
vote's result, and freezing a tally while online voting is open needs the host's explicit yes."""

import json
from http import HTTPStatus

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse

from committees.models import Meeting
from tests import factories
from voting.live import services as live
from voting.live.routing import websocket_urlpatterns
from voting.models import MeetingLive

application = URLRouter(websocket_urlpatterns)


def test_the_display_never_names_a_round_of_another_committee(client, meeting):
    foreign = factories.voting_round(
        committee=factories.committee("Amager Vest Lokaludvalg"), title="Amager-puljen 2026"
    )
    Meeting.objects.filter(pk=meeting.pk).update(budget_round=foreign)  # past the admin's check
    body = client.get(reverse("voting:live_meeting", args=[meeting.pk])).content.decode()
    assert meeting.title in body
    assert "Amager-puljen 2026" not in body and "Amager Vest" not in body
    assert "data-live-tally" not in body  # no tally, no turnout, no countdown of that round
    own = client.get(reverse("voting:live_meeting", args=[meeting.pk]))
    assert own.status_code == HTTPStatus.OK


def test_the_display_names_its_own_round_and_its_pot(client, meeting, english):
    body = client.get(reverse("voting:live_meeting", args=[meeting.pk])).content.decode()
    assert meeting.budget_round.title in body
    assert "Pot: DKK 100,000" in body


def test_the_qr_code_scales_to_its_box(client, meeting):
    body = client.get(reverse("voting:live_meeting", args=[meeting.pk])).content.decode()
    svg = body[body.index("<svg") : body.index(">", body.index("<svg"))]
    assert 'viewBox="0 0 ' in svg
    assert "width=" not in svg and "height=" not in svg  # the stylesheet sizes it


@pytest.mark.django_db
def test_freezing_while_online_voting_is_open_needs_the_hosts_yes(meeting, host):
    with pytest.raises(ValidationError) as refused:
        live.meeting_live_freeze(user=host, meeting=meeting)
    assert refused.value.code == "voting_open"
    assert MeetingLive.objects.filter(meeting=meeting, stage="frozen").count() == 0
    live.meeting_live_freeze(user=host, meeting=meeting, while_voting_open=True)
    assert MeetingLive.objects.get(meeting=meeting).stage == MeetingLive.Stage.FROZEN


@pytest.mark.django_db
def test_after_voting_closes_freezing_needs_no_yes(meeting, host):
    round_ = meeting.budget_round
    type(round_).objects.filter(pk=round_.pk).update(**factories.round_dates(phase="results"))
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert not live.online_voting_open(meeting)
    live.meeting_live_freeze(user=host, meeting=meeting)
    assert MeetingLive.objects.get(meeting=meeting).stage == MeetingLive.Stage.FROZEN


def test_host_page_warns_and_freezes_only_when_ticked(client, meeting, host, english):
    client.force_login(host)
    url = reverse("voting:live_host", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "Online voting is still open" in page and 'name="while_voting_open"' in page
    refused = client.post(url, {"action": "freeze"})
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "Tick the box to freeze anyway" in refused.content.decode()
    assert MeetingLive.objects.filter(meeting=meeting, stage="frozen").count() == 0
    done = client.post(url, {"action": "freeze", "while_voting_open": "on"})
    assert done.status_code == HTTPStatus.FOUND
    assert MeetingLive.objects.get(meeting=meeting).stage == MeetingLive.Stage.FROZEN
    page = client.get(url).content.decode()
    assert "Reveal the result" in page and 'name="while_voting_open"' not in page


def test_host_page_shows_the_result_of_the_closed_quick_vote(client, meeting, host, english):
    vote, _codes = live.quick_vote_start(
        user=host, meeting=meeting, question="Flere bænke?", kind="yes_no", counted_by="device"
    )
    for n, choice in enumerate([0, 0, 1]):
        live.quick_vote_answer(quick_vote=vote, choice=choice, device_token=f"d{n}")
    client.force_login(host)
    url = reverse("voting:live_host", args=[meeting.pk])
    running = client.get(url).content.decode()
    assert "Running now" in running and "3 answers so far" in running
    assert 'data-ws-path="/ws/meetings/' in running and "frontend/live.js" in running
    client.post(url, {"action": "quick_vote_close"})
    page = client.get(url).content.decode()
    assert "Result of the last quick vote" in page and "Flere bænke?" in page
    start = page.index("data-quick-rows")
    rows = page[start : page.index("</tbody>", start)]
    assert '<th scope="row">Yes</th><td class="live-num">2</td>' in rows
    assert '<th scope="row">No</th><td class="live-num">1</td>' in rows
    assert "Start the quick vote" in page  # and the next one can start


def test_host_page_of_a_foreign_round_offers_no_freeze(client, meeting, host):
    foreign = factories.voting_round(committee=factories.committee("Amager Vest Lokaludvalg"))
    Meeting.objects.filter(pk=meeting.pk).update(budget_round=foreign)
    client.force_login(host)
    page = client.get(reverse("voting:live_host", args=[meeting.pk])).content.decode()
    assert 'value="freeze"' not in page and foreign.title not in page


@pytest.mark.django_db(transaction=True)
async def test_the_host_pages_socket_hears_each_answer(meeting, host):
    """The host page listens on the meeting's socket: an answer moves its count at once."""
    from channels.db import database_sync_to_async

    vote, _codes = await database_sync_to_async(live.quick_vote_start)(
        user=host, meeting=meeting, question="Flere bænke?", kind="yes_no", counted_by="device"
    )
    socket = WebsocketCommunicator(application, f"/ws/meetings/{meeting.pk}/live/")
    socket.scope["user"] = AnonymousUser()
    connected, _sub = await socket.connect()
    assert connected
    first = json.loads(await socket.receive_from(timeout=3))
    assert first["quick_vote"]["answers"] == 0 and first["round"]["turnout"]["total"] == 0
    await database_sync_to_async(live.quick_vote_answer)(
        quick_vote=vote, choice=0, device_token="phone-1"
    )
    update = json.loads(await socket.receive_from(timeout=3))
    assert update["quick_vote"]["answers"] == 1 and update["quick_vote"]["result"] is None
    await database_sync_to_async(live.quick_vote_close)(user=host, quick_vote=vote)
    closed = json.loads(await socket.receive_from(timeout=3))
    assert closed["quick_vote"]["open"] is False and closed["quick_vote"]["result"] == [1, 0, 0]
    await socket.disconnect()
