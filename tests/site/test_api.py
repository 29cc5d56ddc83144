"""The open data API (/api/v1/): public data only, read-only, paginated, filterable, throttled,
and described by a valid OpenAPI 3 document that matches what the endpoints answer."""

import io
import re
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_spec

from committees.models import Committee, Meeting, User
from proposals.models import Proposal, State, TrackedProject
from tests import factories
from voting.models import Ballot, Participation, RoundResult

pytestmark = pytest.mark.django_db

ENDPOINTS = ["committees", "rounds", "meetings", "proposals", "results", "tracked-projects"]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PERSONAL_KEYS = {
    "email",
    "user",
    "user_id",
    "author",
    "author_id",
    "actor",
    "confirmed_by",
    "created_by",
    "contact_person",
    "cvr_number",
    "voter_key",
    "receipt_code",
    "selection",
    "national_id",
    "birth_date",
    "checklist_answers",
    "internal_notes",
    "reviewer",
    "reviewers",
}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(settings, tmp_path, home_page):
    """The demo: a published result, funded projects in every follow-up state, plus one draft,
    one withdrawn and one merged proposal, users with e-mail addresses and anonymous ballots."""
    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    settings.API_ANON_RATE = "10000/minute"
    call_command("seed_demo", stdout=io.StringIO())
    secret = Meeting.objects.first()
    secret.pk, secret.title, secret.is_public = None, "Lukket møde om personalesager", False
    secret.save()
    return secret


def _walk(value, path="$"):
    """Every (path, key, value) in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key, item
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def _all_pages(client, url):
    items, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, (url, response.content[:200])
        data = response.json()
        items += data["results"]
        url, pages = data["next"], pages + 1
    return items, pages


def _every_document(client):
    """Every list page and every detail of every endpoint."""
    for endpoint in ENDPOINTS:
        items, _pages = _all_pages(client, f"/api/v1/{endpoint}/?page_size=5")
        yield endpoint, items
        for item in items:
            key = item["round"] if endpoint == "results" else item["id"]
            response = client.get(f"/api/v1/{endpoint}/{key}/")
            assert response.status_code == HTTPStatus.OK
            yield endpoint, response.json()


def test_no_field_of_any_endpoint_carries_personal_data(client, demo):
    users = list(User.objects.values_list("email", "display_name"))
    assert users and Ballot.objects.exists() and Participation.objects.exists()
    secrets = {email.lower() for email, _name in users}
    secrets |= {name.lower() for _email, name in users if name}
    secrets |= {key.lower() for key in Participation.objects.values_list("voter_key", flat=True)}
    secrets |= {code.lower() for code in Ballot.objects.values_list("receipt_code", flat=True)}
    walked = 0
    for endpoint, document in _every_document(client):
        for path, key, value in _walk(document):
            walked += 1
            assert key not in PERSONAL_KEYS, f"{endpoint} {path}.{key}"
            if isinstance(value, str):
                assert not EMAIL.search(value), f"{endpoint} {path}.{key}: {value}"
                assert value.lower() not in secrets, f"{endpoint} {path}.{key}: {value}"
    assert walked > 500  # the walk really went through the demo's data


def test_drafts_withdrawn_merged_and_closed_meetings_never_appear(client, demo):
    hidden = Proposal.objects.filter(state__in=[State.DRAFT, State.WITHDRAWN, State.MERGED])
    assert {p.state for p in hidden} == {State.DRAFT, State.WITHDRAWN, State.MERGED}
    listed, _pages = _all_pages(client, "/api/v1/proposals/?page_size=200")
    listed_ids = {item["id"] for item in listed}
    assert listed_ids and not listed_ids & set(hidden.values_list("pk", flat=True))
    assert {item["state"] for item in listed} >= {"rejected", "selected", "completed"}
    for proposal in hidden:
        assert client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/api/v1/proposals/?state=draft").status_code == HTTPStatus.BAD_REQUEST
    meetings, _pages = _all_pages(client, "/api/v1/meetings/")
    assert demo.pk not in {item["id"] for item in meetings}
    assert client.get(f"/api/v1/meetings/{demo.pk}/").status_code == HTTPStatus.NOT_FOUND


def test_the_api_is_read_only(client, demo):
    proposal = Proposal.objects.filter(state=State.SELECTED).first()
    before = (Proposal.objects.count(), proposal.title)
    for url in ("/api/v1/proposals/", f"/api/v1/proposals/{proposal.pk}/"):
        for method in (client.post, client.put, client.patch, client.delete):
            response = method(url, data={"title": "Hacked"}, content_type="application/json")
            # Refused before the method is looked at, so never 405 either.
            assert response.status_code == HTTPStatus.FORBIDDEN, (method, url)
    proposal.refresh_from_db()
    assert (Proposal.objects.count(), proposal.title) == before


def test_anonymous_clients_are_throttled_with_retry_after(client, settings, home_page):
    settings.API_ANON_RATE = "3/minute"
    for _ in range(3):
        assert client.get("/api/v1/committees/").status_code == HTTPStatus.OK
    response = client.get("/api/v1/proposals/")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0
    other = client.get("/api/v1/committees/", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == HTTPStatus.OK  # counted per client


def test_pagination(client, home_page):
    committee = factories.committee()
    budget_round = factories.budget_round(committee=committee, phase="review")
    for number in range(7):
        factories.proposal(budget_round=budget_round, state="submitted", title=f"F{number}")
    first = client.get("/api/v1/proposals/?page_size=3").json()
    assert first["count"] == 7 and len(first["results"]) == 3 and first["previous"] is None
    items, pages = _all_pages(client, "/api/v1/proposals/?page_size=3")
    assert pages == 3 and sorted(i["title"] for i in items) == [f"F{n}" for n in range(7)]
    assert client.get("/api/v1/proposals/?page=9").status_code == HTTPStatus.NOT_FOUND
    assert len(client.get("/api/v1/proposals/?page_size=1000").json()["results"]) == 7


def test_filters(client, home_page):
    ours = factories.committee("Østerbro Lokaludvalg")
    theirs = factories.committee("Valby Lokaludvalg", district_name="Valby")
    our_round = factories.budget_round(committee=ours, phase="implementation")
    our_round.categories.create(name="Grønne områder")
    our_round.categories.create(name="Leg")
    our_round.save()
    green, play = our_round.categories.all()
    their_round = factories.budget_round(committee=theirs, phase="review")
    factories.proposal(budget_round=our_round, state="completed", title="Park", category=green)
    factories.proposal(budget_round=our_round, state="rejected", title="Gynge", category=play)
    factories.proposal(budget_round=their_round, state="submitted", title="Valby-sti")
    factories.meeting(committee=ours, title="Østerbro-møde")
    factories.meeting(committee=theirs, title="Valby-møde")

    def titles(url):
        return sorted(item["title"] for item in client.get(url).json()["results"])

    assert titles(f"/api/v1/proposals/?committee={ours.pk}") == ["Gynge", "Park"]
    assert titles(f"/api/v1/proposals/?committee={theirs.slug}") == ["Valby-sti"]
    assert titles(f"/api/v1/proposals/?round={their_round.pk}") == ["Valby-sti"]
    assert titles("/api/v1/proposals/?state=rejected") == ["Gynge"]
    assert titles(f"/api/v1/proposals/?category={green.pk}") == ["Park"]
    assert titles("/api/v1/proposals/?category=leg") == ["Gynge"]
    assert titles(f"/api/v1/meetings/?committee={theirs.pk}") == ["Valby-møde"]
    assert titles(f"/api/v1/rounds/?committee={ours.slug}") == [our_round.title]
    district = Committee.objects.get(pk=theirs.pk).district
    for key in (district.pk, district.slug):
        names = [
            c["name"] for c in client.get(f"/api/v1/committees/?district={key}").json()["results"]
        ]
        assert names == ["Valby Lokaludvalg"]
    assert client.get("/api/v1/proposals/?round=abc").status_code == HTTPStatus.BAD_REQUEST


def test_results_and_tracked_projects_carry_the_public_record(client, demo):
    result = RoundResult.objects.get()
    data = client.get(f"/api/v1/results/{result.budget_round_id}/").json()
    assert data["final_selected"] == [int(p) for p in result.final_selected]
    assert data["ballot_count"] == result.ballot_count == 40
    assert data["ballots_sha256"] == result.ballots_sha256
    assert sum(project["votes"] for project in data["projects"]) > 0
    assert {p["proposal"] for p in data["projects"] if p["selected"]} == set(data["final_selected"])
    projects, _pages = _all_pages(client, "/api/v1/tracked-projects/")
    assert {p["status"] for p in projects} == {"planned", "in_progress", "completed", "cancelled"}
    cancelled = next(p for p in projects if p["status"] == "cancelled")
    assert cancelled["cancel_reason"]
    with_goal = next(p for p in projects if p["goals"])
    assert with_goal["goals"][0]["measurements"] and with_goal["updates"]
    assert TrackedProject.objects.count() == len(projects)
    statuses = client.get("/api/v1/tracked-projects/?status=completed").json()["results"]
    assert {p["status"] for p in statuses} == {"completed"}


def test_openapi_document_is_valid_and_matches_the_answers(client, demo):
    response = client.get(reverse("api-openapi"))
    assert response.status_code == HTTPStatus.OK
    document = response.json()
    validate_spec(document)  # raises on an invalid OpenAPI 3 document
    schemas = document["components"]["schemas"]
    for endpoint in ENDPOINTS:
        assert f"/api/v1/{endpoint}/" in document["paths"]
        operation = document["paths"][f"/api/v1/{endpoint}/"]["get"]
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]
        item_ref = ref["properties"]["results"]["items"]["$ref"]
        validator = OAS30Validator(schemas[item_ref.rsplit("/", 1)[1]])
        items, _pages = _all_pages(client, f"/api/v1/{endpoint}/?page_size=200")
        assert items, endpoint
        for item in items:
            validator.validate(item)
        parameters = {p.get("name") for p in operation["parameters"]}
        if endpoint in ("proposals", "tracked-projects"):
            assert {"committee", "round", "category"} <= parameters
    detail = document["paths"]["/api/v1/results/{round_id}/"]["get"]
    ref = detail["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    round_id = RoundResult.objects.get().budget_round_id
    OAS30Validator(schemas[ref.rsplit("/", 1)[1]]).validate(
        client.get(f"/api/v1/results/{round_id}/").json()
    )


def test_list_queries_do_not_grow_with_the_page(client, demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for endpoint in ENDPOINTS:
        counts = []
        for size in (1, 200):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/api/v1/{endpoint}/?page_size={size}")
            assert response.status_code == HTTPStatus.OK
            counts.append(len(queries))
        # A fixed number of queries per page (prefetches of empty relations are skipped, so a
        # one-item page may need fewer), not one or more per item.
        items = response.json()["results"]
        assert counts[1] <= counts[0] + 2 and counts[1] <= 8, (endpoint, counts, len(items))


def test_the_api_root_lists_every_endpoint_and_the_document(client, home_page):
    response = client.get("/api/v1/")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["openapi"].endswith("/api/v1/openapi.json")
    assert set(body["endpoints"]) == set(ENDPOINTS)
    for url in body["endpoints"].values():
        assert client.get(url).status_code == HTTPStatus.OK


def test_id_filters_are_declared_as_integers(client, home_page):
    document = client.get(reverse("api-openapi")).json()
    parameters = {
        p["name"]: p["schema"]
        for p in document["paths"]["/api/v1/proposals/"]["get"]["parameters"]
        if "name" in p
    }
    assert parameters["round"] == {"type": "integer"}
