"""The identity start page never dead-ends, and says what it keeps: committee area and age."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from tests import factories
from voting.models import PollingStation, VotingConfig

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    person = factories.user()
    client.force_login(person)
    return person


def test_without_online_verification_it_links_to_codes_and_polling_stations(client, signed_in):
    committee = factories.committee("Indre By Lokaludvalg")
    vote = factories.voting_round(committee=committee, title="Grønne gårde")
    PollingStation.objects.create(budget_round=vote, name="Kulturhuset", address="Dronningens 1")
    other = factories.voting_round(committee=factories.committee("Valby Lokaludvalg"))
    ballot_url = reverse("voting:ballot", args=[vote.pk])

    response = client.get(reverse("voting:identity_start"), {"next": ballot_url})
    assert response.status_code == HTTPStatus.OK
    assert "Verify with" not in response.text  # no provider configured
    assert f'href="{reverse("voting:ballot_code", args=[vote.pk])}"' in response.text
    assert "Kulturhuset" in response.text and "Dronningens 1" in response.text
    # Asked about one round: only that round's ways.
    assert reverse("voting:ballot_code", args=[other.pk]) not in response.text

    everything = client.get(reverse("voting:identity_start"))
    for budget_round in (vote, other):
        code_url = reverse("voting:ballot_code", args=[budget_round.pk])
        assert f'href="{code_url}"' in everything.text


def test_a_round_without_codes_or_paper_offers_neither(client, signed_in):
    vote = factories.voting_round(committee=factories.committee("Indre By Lokaludvalg"))
    VotingConfig.objects.update_or_create(
        budget_round=vote, defaults={"allow_codes": False, "allow_paper": False}
    )
    PollingStation.objects.create(budget_round=vote, name="Kulturhuset")
    response = client.get(reverse("voting:identity_start"))
    assert reverse("voting:ballot_code", args=[vote.pk]) not in response.text
    assert "Kulturhuset" not in response.text


def test_a_verified_person_sees_their_committee_area_and_age_not_a_district(client, signed_in):
    committee = factories.committee("Christianshavns Lokaludvalg", district_name="Indre By")
    factories.verified_identity(
        user=signed_in,
        area=committee.areas.get(),
        birth_date=datetime.date.today().replace(year=datetime.date.today().year - 30),
    )
    response = client.get(reverse("voting:identity_start"))
    assert "Christianshavns Lokaludvalg" in response.text
    assert ">Indre By<" not in response.text and "district" not in response.text
    assert " 30 " in response.text
