"""A meeting shows only rounds of its own committee; a quick vote counts one answer per person,
not per browser; a meeting made non-public stops streaming to every open socket."""

import json
from http import HTTPStatus

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from committees.models import Meeting
from tests import factories
from voting.live import services as live
from voting.live.routing import websocket_urlpatterns
from voting.models import QuickVote

application = URLRouter(websocket_urlpatterns)


@pytest.mark.django_db
def test_a_meeting_cannot_show_a_round_of_another_committee(client, committee, meeting, moderator):
    other = factories.committee("Amager Vest Lokaludvalg")
    foreign = factories.voting_round(committee=other)
    own = factories.voting_round(committee=committee)
    shown = meeting.budget_round_id
    meeting.budget_round = foreign
    with pytest.raises(ValidationError):
        meeting.full_clean()
    client.force_login(moderator)
    url = reverse("meeting:edit", args=[meeting.pk])
    response = client.post(url, factories.meeting_admin_form(meeting, budget_round=foreign.pk))
    assert response.status_code == HTTPStatus.OK  # the form comes back with the error
    assert Meeting.objects.get(pk=meeting.pk).budget_round_id == shown
    response = client.post(url, factories.meeting_admin_form(meeting, budget_round=own.pk))
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    assert Meeting.objects.get(pk=meeting.pk).budget_round_id == own.pk


@pytest.mark.django_db
def test_a_host_controls_only_rounds_of_their_committee(committee, meeting, host):
    """A round of another committee attached past the admin is neither shown nor frozen."""
    from voting.selectors import meeting_live_snapshot

    other = factories.committee("Amager Vest Lokaludvalg")
    foreign = factories.voting_round(committee=other)
    Meeting.objects.filter(pk=meeting.pk).update(budget_round=foreign)
    meeting = Meeting.objects.get(pk=meeting.pk)
    with pytest.raises(ValidationError):
        live.meeting_live_freeze(user=host, meeting=meeting)
    assert meeting_live_snapshot(meeting=meeting)["round"] is None


@pytest.mark.django_db
def test_one_account_in_two_browsers_answers_a_quick_vote_once(committee, meeting, host):
    vote, _codes = live.quick_vote_start(
        user=host, meeting=meeting, question="Flere bænke?", kind="yes_no", counted_by="device"
    )
    resident = factories.user()
    url = reverse("voting:live_join", args=[meeting.pk])
    for choice in ("0", "1"):
        browser = Client()
        browser.force_login(resident)
        assert browser.get(url).status_code == HTTPStatus.OK  # a new device cookie each
        browser.post(url, {"quick_vote": vote.pk, "choice": choice})
    assert vote.answers.count() == 1
    assert live.quick_vote_close(user=host, quick_vote=vote).result == [1, 0, 0]
    assert QuickVote.objects.get(pk=vote.pk).result == [1, 0, 0]


@pytest.mark.django_db(transaction=True)
async def test_a_meeting_made_non_public_stops_streaming_to_every_socket(meeting):
    sockets = []
    for _n in range(2):
        communicator = WebsocketCommunicator(application, f"/ws/meetings/{meeting.pk}/live/")
        communicator.scope["user"] = AnonymousUser()
        connected, _subprotocol = await communicator.connect()
        assert connected
        first = json.loads(await communicator.receive_from(timeout=3))
        assert first["meeting"]["title"] == meeting.title
        sockets.append(communicator)

    def make_private():
        meeting.is_public = False
        meeting.save()

    await database_sync_to_async(make_private)()
    for communicator in sockets:
        last = json.loads(await communicator.receive_from(timeout=5))
        assert last.get("closed") is True
        assert "title" not in last["meeting"] and last.get("round") is None
        closing = await communicator.receive_output(timeout=3)
        assert closing["type"] == "websocket.close"
    # A new socket is refused.
    late = WebsocketCommunicator(application, f"/ws/meetings/{meeting.pk}/live/")
    late.scope["user"] = AnonymousUser()
    connected, _code = await late.connect()
    assert not connected
