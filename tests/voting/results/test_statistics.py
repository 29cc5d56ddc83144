"""Statistics per committee and for the city: figures, CSV, and a fixed number of queries."""

import csv
import io
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.models import RoundCategory
from committees.population import district_population, population_of
from proposals.models import State, StatusChange
from tests import factories
from voting import keys
from voting.models import Participation
from voting.results import statistics

pytestmark = pytest.mark.django_db


def _round_with_data(committee, *, voters=5, title=None):
    budget_round = factories.budget_round(committee=committee, phase="results")
    if title:
        budget_round.title = title
        budget_round.save()
    parks = RoundCategory.objects.create(round=budget_round, name="Parker")
    culture = RoundCategory.objects.create(round=budget_round, name="Kultur")
    factories.proposal(
        budget_round=budget_round, state=State.SELECTED, category=parks, estimated_cost=30_000
    )
    factories.proposal(
        budget_round=budget_round,
        state=State.COMPLETED,
        category=culture,
        estimated_cost=20_000,
        submitter_kind="association",
        organisation_name="Foreningen",
    )
    rejected = factories.proposal(budget_round=budget_round, state=State.REJECTED, category=parks)
    StatusChange.objects.create(
        proposal=rejected, from_state="in_review", to_state="rejected", public_reason="For dyrt."
    )
    factories.proposal(budget_round=budget_round, state="draft")  # never counted
    for number in range(voters):
        Participation.objects.create(
            budget_round=budget_round,
            voter_key=keys.voter_key(round_id=budget_round.pk, person=f"s{number}"),
            channel="online",
            voted_on=budget_round.voting_start.date(),
            area=committee.district,
        )
    return budget_round


def test_population_covers_every_demo_district():
    from committees.demo import COPENHAGEN

    assert set(COPENHAGEN) <= set(district_population())
    assert population_of(["Østerbro"]) > 0 and population_of(["Atlantis"]) is None


def test_committee_statistics_count_categories_kinds_reasons_money_and_turnout(home_page, english):
    committee = factories.committee("Østerbro Lokaludvalg")
    _round_with_data(committee, voters=8)
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    _round_with_data(other, voters=3)
    stats = statistics.statistics(committee=committee)
    assert stats.proposals == 3  # the draft is left out, the other committee too
    assert dict(stats.by_category) == {"Parker": 2, "Kultur": 1}
    assert dict(stats.by_submitter_kind) == {"Resident": 2, "Association": 1}
    assert dict(stats.granted_by_category) == {"Parker": 30_000, "Kultur": 20_000}
    assert dict(stats.implementation) == {"Selected": 1, "Completed": 1}
    assert stats.rejection_reasons == [("For dyrt.", 1)]
    [turnout] = stats.turnout
    assert turnout.voters == 8
    assert turnout.residents == district_population()["Østerbro"]
    assert turnout.share == round(100 * 8 / turnout.residents, 1)
    city = statistics.statistics()
    assert city.proposals == 6 and sum(t.voters for t in city.turnout) == 11


def test_statistics_queries_do_not_grow_with_the_number_of_rounds(home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    _round_with_data(committee)
    with CaptureQueriesContext(connection) as one:
        statistics.statistics(committee=committee)
    for _ in range(3):
        _round_with_data(committee)
    with CaptureQueriesContext(connection) as four:
        stats = statistics.statistics(committee=committee)
    assert stats.rounds == 4
    assert len(four) == len(one)
    with CaptureQueriesContext(connection) as city:
        statistics.statistics()
    assert len(city) == len(one)


def test_statistics_pages_and_csv_for_a_committee_and_the_city(client, home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = _round_with_data(committee, voters=4, title="Pulje 2026")
    page_url = reverse("voting:statistics_committee", args=[committee.slug])
    csv_url = reverse("voting:statistics_committee_csv", args=[committee.slug])
    city_url, city_csv = reverse("voting:statistics"), reverse("voting:statistics_csv")
    missing = reverse("voting:statistics_committee", args=["no-such-committee"])
    html = client.get("/en" + page_url).content.decode()
    assert "Statistics: Østerbro Lokaludvalg" in html and "Parker" in html
    assert "For dyrt." in html and "Pulje 2026" in html
    assert html.count('role="img"') == 6 and "<desc" in html
    response = client.get("/en" + csv_url)
    assert response.status_code == HTTPStatus.OK
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Money granted per category (kr.)", "Parker", "30000"] in rows
    assert any(row[0] == "Voters" and row[2] == "4" for row in rows)
    assert "@" not in response.content.decode()
    city = client.get("/en" + city_url).content.decode()
    assert "Statistics for the whole city" in city and budget_round.title in city
    assert client.get(city_csv).status_code == HTTPStatus.OK
    assert client.get(missing).status_code == HTTPStatus.NOT_FOUND


def test_statistics_and_following_are_linked_from_the_menu_committee_and_round_pages(
    client, home_page
):
    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.budget_round(committee=committee, phase="voting")
    statistics_url = reverse("voting:statistics")
    committee_statistics = reverse("voting:statistics_committee", args=[committee.slug])
    follow_url = reverse("voting:follow", args=[budget_round.pk])
    committee_html = client.get(committee.page.url).content.decode()
    assert statistics_url in committee_html  # the site's main menu
    assert committee_statistics in committee_html
    round_html = client.get(f"{committee.page.url}runder/{budget_round.slug}/").content.decode()
    assert follow_url in round_html
