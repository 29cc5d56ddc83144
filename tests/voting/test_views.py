"""The ballot, receipt and results pages, without JavaScript, as voters and moderators use them."""

import datetime
import hashlib
from http import HTTPStatus

import pytest
from django.urls import reverse

from proposals.models import Proposal, State
from tests import factories
from tests.voting.conftest import project_ids
from voting import services
from voting.models import Ballot, RoundResult

pytestmark = pytest.mark.django_db


def _verified(client, committee, national_id="0101901234"):
    user = factories.verified_voter(area=committee.district, national_id=national_id)
    client.force_login(user)
    return user


def test_knapsack_ballot_without_javascript_gives_a_receipt_once(client, committee, voting_round):
    _verified(client, committee)
    ids = project_ids(voting_round)
    url = reverse("voting:ballot", args=[voting_round.pk])
    html = client.get(url).content.decode()
    assert 'type="checkbox" name="project"' in html and "Bænke" in html
    response = client.post(url, {"project": [ids["Bænke"], ids["Træer"]]})
    assert response.status_code == HTTPStatus.FOUND
    receipt = client.get(response["Location"]).content.decode()
    code = Ballot.objects.get().receipt_code
    assert code in receipt
    assert client.get(response["Location"]).status_code == HTTPStatus.FOUND  # shown once


def test_over_the_pot_is_refused_with_the_choices_kept(client, committee, voting_round):
    _verified(client, committee)
    ids = project_ids(voting_round)
    url = "/en" + reverse("voting:ballot", args=[voting_round.pk])
    response = client.post(url, {"project": list(ids.values())})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "cost more than the pot" in html
    assert html.count("checked") >= 3
    assert not Ballot.objects.exists()


def test_tampered_project_id_is_refused(client, committee, voting_round):
    _verified(client, committee)
    other_round = factories.budget_round(committee=committee, phase="voting")
    foreign = factories.proposal(budget_round=other_round, state=State.FEASIBLE)
    url = "/en" + reverse("voting:ballot", args=[voting_round.pk])
    response = client.post(url, {"project": [str(foreign.pk)]})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "not on it" in response.content.decode()
    assert not Ballot.objects.exists()


def test_unverified_person_is_told_why_and_what_to_do(client, committee, voting_round):
    client.force_login(factories.user())
    html = client.get("/en" + reverse("voting:ballot", args=[voting_round.pk])).content.decode()
    assert "Verify your identity with MitID" in html
    assert reverse("voting:ballot_code", args=[voting_round.pk]) in html
    assert 'name="project"' not in html


def test_vote_with_a_code(client, committee, voting_round):
    code = factories.letter_codes(budget_round=voting_round, count=1)[0]
    ids = project_ids(voting_round)
    url = reverse("voting:ballot_code", args=[voting_round.pk])
    response = client.post(url, {"code": code, "project": [ids["Legeplads"]]})
    assert response.status_code == HTTPStatus.FOUND
    response = client.post("/en" + url, {"code": code, "project": [ids["Legeplads"]]})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "already been used" in response.content.decode()  # a replayed code
    assert Ballot.objects.count() == 1


def test_results_are_published_only_after_voting_with_a_recountable_file(
    client, committee, voting_round
):
    ids = project_ids(voting_round)
    for chosen in [["Bænke", "Træer"], ["Bænke"], ["Legeplads"]]:
        voter = factories.verified_voter(
            area=committee.district, birth_date=datetime.date(1980, 1, 1)
        )
        services.ballot_cast_online(
            user=voter, budget_round=voting_round, selection={ids[t]: 1 for t in chosen}
        )
    results_url = reverse("voting:results", args=[voting_round.pk])
    assert client.get(results_url).status_code == HTTPStatus.NOT_FOUND  # still voting
    voting_round.voting_end = voting_round.results_start = (
        voting_round.voting_start + datetime.timedelta(minutes=1)
    )
    voting_round.save()
    html = client.get("/en" + results_url).content.decode()
    assert "Preliminary" in html and "Bænke" in html and "were left when its turn came" in html
    pb = client.get(reverse("voting:ballots_file", args=[voting_round.pk]))
    digest = hashlib.sha256(pb.content).hexdigest()
    assert digest in html
    assert (
        digest
        == hashlib.sha256(
            client.get(reverse("voting:ballots_file", args=[voting_round.pk])).content
        ).hexdigest()
    )  # the same file every time


def test_committee_confirms_or_overrides_with_a_public_reason(client, committee, voting_round):
    ids = project_ids(voting_round)
    factories.letter_codes(budget_round=voting_round, count=1)
    voter = factories.verified_voter(area=committee.district, birth_date=datetime.date(1980, 1, 1))
    services.ballot_cast_online(user=voter, budget_round=voting_round, selection={ids["Bænke"]: 1})
    voting_round.voting_end = voting_round.results_start = (
        voting_round.voting_start + datetime.timedelta(minutes=1)
    )
    voting_round.save()
    moderator = factories.moderator(committee=committee)
    client.force_login(moderator)
    url = reverse("voting_result_confirm", args=[voting_round.pk])
    response = client.post(url, {"override": "1", "selected": [ids["Træer"]], "reason": ""})
    assert response.status_code == HTTPStatus.OK and not RoundResult.objects.exists()
    response = client.post(
        url, {"override": "1", "selected": [ids["Træer"]], "reason": "Bænke er allerede betalt."}
    )
    assert response.status_code == HTTPStatus.FOUND
    result = RoundResult.objects.get()
    assert result.overridden and ids["Træer"] in result.final_selected
    assert ids["Bænke"] in result.computed_selected
    assert Proposal.objects.get(pk=ids["Træer"]).state == State.SELECTED
    assert Proposal.objects.get(pk=ids["Bænke"]).state == State.NOT_SELECTED
    html = client.get("/en" + reverse("voting:results", args=[voting_round.pk])).content.decode()
    assert "Bænke er allerede betalt." in html and "the rule funded it" in html


def test_staff_find_codes_stations_and_results_from_the_admin(client, committee, voting_round):
    from voting.models import PollingStation

    station = PollingStation.objects.create(budget_round=voting_round, name="Biblioteket")
    staff = factories.polling_staff(committee=committee)
    client.force_login(staff)
    html = client.get(reverse("voting_overview")).content.decode()
    assert voting_round.title in html
    assert reverse("voting:staff_codes", args=[voting_round.pk]) in html
    assert reverse("voting:paper_station", args=[station.pk]) in html
    client.force_login(factories.user())
    assert client.get(reverse("voting_overview")).status_code == HTTPStatus.FOUND
