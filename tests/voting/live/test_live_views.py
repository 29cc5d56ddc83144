"""Live meetings over HTTP: the snapshot endpoint, the projector page with its QR code, the join
page's quick vote (once per device), and host controls refused to everyone but the hosts."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from tests import factories
from voting.codes import services as codes_services
from voting.live import services as live
from voting.live.views import DEVICE_COOKIE
from voting.models import MeetingLive, QuickVote


def test_snapshot_endpoint_serves_the_same_snapshot_as_json(client, voting_round):
    response = client.get(reverse("voting:live_round_snapshot", args=[voting_round.pk]))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    data = response.json()
    assert data["kind"] == "round" and data["seq"] is None and data["generated_at"] > 0
    assert data["tally_state"] == "below_threshold" and data["tally"] is None


def test_meeting_snapshot_and_unknown_meeting(client, meeting):
    ok = client.get(reverse("voting:live_meeting_snapshot", args=[meeting.pk]))
    assert ok.status_code == HTTPStatus.OK and ok.json()["round"]["round"]["pot"] == 100_000
    missing = client.get(reverse("voting:live_meeting_snapshot", args=[meeting.pk + 999]))
    assert missing.status_code == HTTPStatus.NOT_FOUND


def test_projector_page_has_qr_code_short_link_and_script(client, meeting, english):
    response = client.get(reverse("voting:live_meeting", args=[meeting.pk]))  # /en/...
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<svg" in body and f"/m/{meeting.pk}/" in body
    assert f'data-ws-path="/ws/meetings/{meeting.pk}/live/"' in body
    assert "frontend/live.js" in body and 'aria-live="polite"' in body
    short = client.get(f"/m/{meeting.pk}/")
    assert short.status_code == HTTPStatus.FOUND
    assert short["Location"] == f"/afstemning/live/moede/{meeting.pk}/deltag/"


@pytest.mark.parametrize(
    ("accept_language", "prefix"),
    [("", ""), ("da-DK,da;q=0.9", ""), ("en-GB,en;q=0.9", "/en"), ("fr-FR,de;q=0.8", "")],
)
def test_short_links_lead_on_in_the_visitors_language(client, meeting, accept_language, prefix):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    join = client.get(f"/m/{meeting.pk}/", **headers)
    assert join["Location"] == f"{prefix}/afstemning/live/moede/{meeting.pk}/deltag/"
    ballot = client.get(f"/r/{meeting.budget_round_id}/", **headers)
    assert ballot["Location"] == f"{prefix}/afstemning/runde/{meeting.budget_round_id}/"


def test_meeting_page_links_to_the_live_display(client, meeting, home_page):
    from committees.services import committee_page_ensure

    page = committee_page_ensure(committee=meeting.committee)
    response = client.get(f"{page.url}moeder/{meeting.pk}/")
    assert response.status_code == HTTPStatus.OK
    assert reverse("voting:live_meeting", args=[meeting.pk]) in response.content.decode()


def test_host_page_is_for_the_committees_hosts_only(client, meeting, host):
    url = reverse("voting:live_host", args=[meeting.pk])
    assert client.get(url).status_code == HTTPStatus.FOUND  # anonymous: to the login
    moderator = factories.moderator(committee=meeting.committee)
    outsider = factories.meeting_host(committee=factories.committee())
    for person in (factories.user(), moderator, outsider):
        client.force_login(person)
        assert client.get(url).status_code == HTTPStatus.FORBIDDEN
        assert client.post(url, {"action": "open_voting"}).status_code == HTTPStatus.FORBIDDEN
    assert not MeetingLive.objects.filter(meeting=meeting, room_voting_open=True).exists()
    display = reverse("voting:live_meeting", args=[meeting.pk])
    assert url not in client.get(display).content.decode()  # an outsider sees no host link
    client.force_login(host)
    assert url in client.get(display).content.decode()
    assert client.get(url).status_code == HTTPStatus.OK
    assert client.post(url, {"action": "open_voting"}).status_code == HTTPStatus.FOUND
    assert MeetingLive.objects.get(meeting=meeting).room_voting_open


def test_host_form_errors_are_shown(client, meeting, host, english):
    client.force_login(host)
    response = client.post(
        reverse("voting:live_host", args=[meeting.pk]),  # /en/... under `english`
        {"action": "quick_vote_start", "question": "", "kind": "yes_no", "counted_by": "device"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Write the question" in response.content.decode()


def test_join_page_counts_one_answer_per_device(client, meeting, host):
    vote, _codes = live.quick_vote_start(
        user=host, meeting=meeting, question="Flere bænke?", kind="yes_no", counted_by="device"
    )
    url = reverse("voting:live_join", args=[meeting.pk])
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK and "Flere bænke?" in page.content.decode()
    assert client.cookies[DEVICE_COOKIE].value
    first = client.post(url, {"quick_vote": vote.pk, "choice": "0"})
    assert first.status_code == HTTPStatus.FOUND
    again = client.post(url, {"quick_vote": vote.pk, "choice": "1"})
    assert again.status_code == HTTPStatus.OK  # shown again with the error
    assert vote.answers.count() == 1
    live.quick_vote_close(user=host, quick_vote=vote)
    assert QuickVote.objects.get(pk=vote.pk).result == [1, 0, 0]


def test_a_tally_one_meeting_hides_stays_hidden_on_another_meetings_display(
    client, meeting, host, voting_round
):
    from voting import services

    factories.tally_threshold(budget_round=voting_round, ballots=1)
    [code] = factories.letter_codes(budget_round=voting_round, count=1)
    project = next(iter(services.ballot_costs(voting_round)))
    codes_services.ballot_cast_with_code(
        budget_round=voting_round, code=code, selection={project: 1}, client="test"
    )
    other = factories.meeting(committee=voting_round.committee, budget_round=voting_round)
    url = reverse("voting:live_meeting_snapshot", args=[other.pk])
    assert client.get(url).json()["round"]["tally_state"] == "shown"
    live.meeting_live_switch(user=host, meeting=meeting, action="hide_tally")
    shown = client.get(url).json()["round"]
    assert shown["tally_state"] == "hidden_by_host" and shown["tally"] is None


def test_a_phone_joining_does_not_count_the_rounds_ballots(client, meeting):
    # A room of people scanning the QR code at once must not each cost a tally.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("voting:live_join", args=[meeting.pk]))
    assert response.status_code == HTTPStatus.OK
    assert not [q["sql"] for q in queries if "voting_ballot" in q["sql"]]
