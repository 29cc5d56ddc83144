"""The bad-input catalogue, continued for grant pools, live meetings, the follow-up of funded
projects, results downloads, statistics and the open data API: each hostile, broken or tampered
input gets a clear answer (an error message, 400/403/404), never a server error, and nothing
is stored.

Cases, by group:
    grant application form ................... 11
    live meetings: host socket and join page . 12
    open data API queries .................... 14
    downloads, statistics, follow-up ids ...... 9
    CSRF-less POSTs ............................ 6
    review queue bulk ids ...................... 3
    total ..................................... 55   (with test_bad_input.py: 214)
"""

import json
from http import HTTPStatus

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import translation

from committees.services import committee_role_grant
from proposals.models import GrantApplication, GrantStage
from tests import factories
from voting.models import QuickVote, QuickVoteAnswer

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script>'


def _en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def committee(home_page):
    return factories.committee("Østerbro Lokaludvalg")


# --- Grant application form ----------------------------------------------------------------


@pytest.fixture
def pool(committee):
    return factories.grant_pool(committee=committee, pot=100_000)


def _grant_form(pool, **overrides):
    return factories.grant_form_data(pool, **overrides)


GRANT_CASES = [
    ({"budget-0-amount": "-5"}, "The amount must be at least 1 kr."),
    ({"budget-0-amount": "0"}, "The amount must be at least 1 kr."),
    ({"budget-0-amount": "12,5"}, "Write the amount as a whole number of kroner"),
    ({"budget-0-amount": "9" * 30}, "less than or equal to"),
    ({"budget-0-amount": ""}, "Fill in both what the line is for and its amount."),
    ({"budget-0-kind": "gift"}, "Select a valid choice"),
    ({"contact_email": "mette(at)example"}, "Write a valid e-mail address"),
    ({"activity_date": "31-02-2027"}, "Write the date as day-month-year"),
    ({"title": "x" * 5000}, "at most"),
    ({"budget-TOTAL_FORMS": "100000"}, "at most"),
    ({"budget-TOTAL_FORMS": None}, "ManagementForm data is missing"),
]


@pytest.mark.parametrize(("overrides", "error"), GRANT_CASES)
def test_bad_grant_application_is_explained_and_nothing_is_submitted(
    client, pool, overrides, error
):
    client.force_login(factories.user())
    response = client.post(_en("proposals:grant_create", pool.pk), _grant_form(pool, **overrides))
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST)
    assert error in response.content.decode()
    assert not GrantApplication.objects.exclude(stage=GrantStage.DRAFT).exists()


def test_script_in_a_grant_application_is_stored_as_text_and_shown_escaped(client, pool):
    applicant = factories.user()
    client.force_login(applicant)
    response = client.post(
        _en("proposals:grant_create", pool.pk),
        _grant_form(pool, title=f"Fest {SCRIPT}", applicant_name=SCRIPT),
    )
    assert response.status_code == HTTPStatus.FOUND
    application = GrantApplication.objects.get()
    assert application.applicant_name == SCRIPT
    page = client.get(_en("proposals:grant", application.pk)).content.decode()
    assert SCRIPT not in page and "&lt;script&gt;" in page
    public = client.get(_en("proposals:grant_pool", pool.pk)).content.decode()
    assert SCRIPT not in public


# --- Live meetings ---------------------------------------------------------------------------


@pytest.fixture
def meeting(committee):
    return factories.meeting(committee=committee)


@pytest.fixture
def host(committee):
    return factories.meeting_host(committee=committee)


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
    client.get(_en("voting:live_join", meeting.pk))  # the device cookie
    response = client.post(
        _en("voting:live_join", meeting.pk),
        {"quick_vote": quick_vote or str(vote.pk), "choice": choice},
    )
    assert response.status_code == HTTPStatus.OK
    assert error in response.content.decode()
    assert not QuickVoteAnswer.objects.exists()


# --- Open data API ---------------------------------------------------------------------------

API_QUERIES = [
    ("api-proposal-list", {"page": "-1"}, {404}),
    ("api-proposal-list", {"page": "abc"}, {404}),
    ("api-proposal-list", {"page": "9" * 40}, {404}),
    ("api-proposal-list", {"page_size": "100000"}, {200}),
    ("api-proposal-list", {"committee": "9" * 40}, {200}),
    ("api-proposal-list", {"committee": "²"}, {200}),
    ("api-proposal-list", {"round": "9" * 40}, {400}),
    ("api-proposal-list", {"state": SCRIPT}, {400}),
    ("api-round-list", {"committee": "-1"}, {200}),
    ("api-tracked-project-list", {"status": "\x00"}, {400}),
    ("api-tracked-project-list", {"round": "1.5"}, {400}),
    ("api-meeting-list", {"round": "1 OR 1=1"}, {400}),
    ("api-proposal-list", {"category": "²"}, {200}),
    ("api-proposal-list", {"category": "9" * 40}, {200}),
]


@pytest.mark.parametrize(("name", "params", "statuses"), API_QUERIES)
def test_hostile_api_query_gets_a_clear_answer(client, committee, settings, name, params, statuses):
    settings.API_ANON_RATE = "100000/minute"
    response = client.get(reverse(name), params)
    assert response.status_code in statuses
    body = response.json()
    assert SCRIPT not in json.dumps(body)
    if response.status_code == HTTPStatus.OK:
        assert len(body["results"]) <= 200


# --- Downloads, statistics, follow-up ---------------------------------------------------------


@pytest.fixture
def moderator(committee):
    person = factories.user()
    committee_role_grant(user=person, committee=committee, role="moderator")
    return person


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [("ballots", "csv"), ("proposals", "exe"), ("../../etc/passwd", "csv"), ("results", "xlsx")],
)
def test_unknown_or_early_download_is_not_found(client, committee, moderator, kind, fmt):
    budget_round = factories.budget_round(committee=committee, phase="voting")
    client.force_login(moderator)
    url = f"/en/afstemning/runde/{budget_round.pk}/eksport/{kind}.{fmt}"
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("slug", ["ukendt", "x" * 300, "%3Cscript%3E"])
def test_statistics_of_an_unknown_committee_are_not_found(client, committee, slug):
    assert client.get(f"/en/afstemning/statistik/{slug}/").status_code == HTTPStatus.NOT_FOUND


def test_following_an_unknown_project_or_round_is_not_found(client, committee):
    client.force_login(factories.user())
    assert client.post(_en("tracking:follow", 999_999)).status_code == HTTPStatus.NOT_FOUND
    assert client.post(_en("voting:follow", 999_999)).status_code == HTTPStatus.NOT_FOUND


def test_proposing_again_into_a_tampered_round_is_refused(client, committee):
    from proposals.models import Proposal

    implemented = factories.budget_round(committee=committee, phase="implementation")
    project = factories.funded_proposal(budget_round=implemented).tracking
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    voting = factories.budget_round(committee=other, phase="voting")
    Proposal.objects.filter(pk=project.proposal_id).update(state="completed")
    client.force_login(factories.user())
    before = Proposal.objects.count()
    response = client.post(_en("tracking:propose_again", project.pk), {"round": str(voting.pk)})
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND)
    assert Proposal.objects.count() == before


# --- CSRF-less POSTs ---------------------------------------------------------------------------


def test_posts_without_a_csrf_token_are_refused(committee, pool, meeting, host):
    from proposals.models import Proposal

    resident = factories.user()
    voting = factories.budget_round(committee=committee, phase="voting")
    project = factories.funded_proposal(
        budget_round=factories.budget_round(committee=committee, phase="implementation")
    ).tracking
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(resident)
    posts = [
        (_en("voting:follow", voting.pk), {}),
        (_en("tracking:follow", project.pk), {}),
        (_en("proposals:grant_create", pool.pk), _grant_form(pool)),
        (_en("voting:live_join", meeting.pk), {"choice": "0"}),
    ]
    for url, data in posts:
        assert strict.post(url, data).status_code == HTTPStatus.FORBIDDEN, url
    strict.force_login(host)
    assert (
        strict.post(_en("voting:live_host", meeting.pk), {"action": "reveal"}).status_code
        == HTTPStatus.FORBIDDEN
    )
    strict.force_login(resident)
    assert (
        strict.post(_en("tracking:propose_again", project.pk), {"round": "1"}).status_code
        == HTTPStatus.FORBIDDEN
    )
    assert not GrantApplication.objects.exists()
    assert Proposal.objects.filter(inspired_by__isnull=False).count() == 0


# --- Ids past 999 -------------------------------------------------------------------------------


def test_ids_in_forms_are_not_written_with_thousands_separators(client, committee, settings):
    """Numbers are grouped on the pages (1.234); an id in a form must stay 1234 or the form
    names nothing. Found when a long test run pushed ids past 999 on PostgreSQL."""
    from proposals.models import Proposal

    settings.USE_THOUSAND_SEPARATOR = True
    implemented = factories.budget_round(committee=committee, phase="implementation")
    project = factories.funded_proposal(budget_round=implemented).tracking
    Proposal.objects.filter(pk=project.proposal_id).update(state="completed")
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    factories.budget_round(committee=other, phase="ideas", id=12_345)
    client.force_login(factories.user())
    page = client.get(_en("tracking:propose_again", project.pk)).content.decode()
    assert 'value="12345"' in page and "12.345" not in page and "12,345" not in page
    response = client.post(_en("tracking:propose_again", project.pk), {"round": "12345"})
    assert response.status_code == HTTPStatus.FOUND
    assert Proposal.objects.get(inspired_by=project.proposal_id).budget_round_id == 12_345


# --- Review queue: bulk moves ---------------------------------------------------------------


@pytest.mark.parametrize("selected", ["²", "9" * 40, "-3"])
def test_hostile_ids_in_a_bulk_move_move_nothing(client, committee, selected):
    from committees.services import committee_role_grant as grant
    from proposals.models import Proposal

    budget_round = factories.budget_round(committee=committee, phase="ideas")
    proposal = factories.proposal(budget_round=budget_round, state="submitted")
    moderator = factories.user()
    grant(user=moderator, committee=committee, role="moderator")
    client.force_login(moderator)
    response = client.post(
        reverse("proposal_queue") + "?state=submitted",
        {"selected": [selected, str(proposal.pk)], "target": "in_review", "reason": "x"},
    )
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    # The good id in the same request is moved; the hostile one is ignored.
    assert Proposal.objects.get(pk=proposal.pk).state == "in_review"
