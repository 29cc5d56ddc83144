"""A resident whose postcode two committees share chooses their area online, then votes.

Through the real pages: the ballot says "Choose the area you live in" and links to the page that
does it; the page offers exactly the postcode's areas as radio buttons; the choice goes through
`identity_area_choose` and back to the ballot, which then lets the resident vote.
"""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from committees.areas import residence_resolve
from committees.services import committee_create
from tests import factories
from voting.identity.services import identity_verify
from voting.models import VerifiedIdentity

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_postcode():
    """Vesterbro and Indre By both lie in postcode 1500."""
    vesterbro = committee_create(
        name="Vesterbro Lokaludvalg",
        slug="vesterbro-lokaludvalg",
        district=factories.district("Vesterbro/Kongens Enghave"),
    )
    indre_by = committee_create(
        name="Indre By Lokaludvalg",
        slug="indre-by-lokaludvalg",
        district=factories.district("Indre By"),
    )
    return vesterbro, indre_by


@pytest.fixture
def resident(client, shared_postcode):
    person = factories.user()
    identity_verify(
        user=person,
        provider="mitid-test",
        subject="s-1500",
        national_id="0101901234",
        birth_date=datetime.date(1990, 1, 1),
        area=None,
        area_choices=residence_resolve(postcode="1500").choices,
    )
    client.force_login(person)
    return person


def test_the_ballot_links_to_the_choice_and_the_choice_leads_back_to_voting(
    client, shared_postcode, resident
):
    vesterbro, indre_by = shared_postcode
    vote = factories.voting_round(committee=vesterbro)
    ballot_url = reverse("voting:ballot", args=[vote.pk])
    area_url = reverse("voting:identity_area")

    ballot = client.get(ballot_url)
    assert ballot.status_code == HTTPStatus.OK
    link = f'href="{area_url}?next={ballot_url}"'
    assert "Vælg det område, du bor i" in ballot.text and link in ballot.text
    assert 'name="project"' not in ballot.text

    page = client.get(area_url, {"next": ballot_url})
    assert page.status_code == HTTPStatus.OK
    radios = [
        (area.pk, area.name)
        for area in (vesterbro.areas.get(kind="committee"), indre_by.areas.get(kind="committee"))
    ]
    assert page.text.count('type="radio"') == 2
    for pk, name in radios:
        assert f'value="{pk}"' in page.text and name in page.text
    assert "checked" not in page.text  # never a guess
    assert f'name="next" value="{ballot_url}"' in page.text

    chosen = client.post(area_url, {"area": vesterbro.areas.get().pk, "next": ballot_url})
    assert chosen.status_code == HTTPStatus.FOUND
    assert chosen["Location"] == ballot_url
    identity = VerifiedIdentity.objects.get(user=resident)
    assert identity.home_area == vesterbro.areas.get()
    assert not identity.area_choices.exists()

    ballot = client.get(ballot_url)
    assert 'name="project"' in ballot.text and "Du kan stemme online." in ballot.text


def test_an_area_outside_the_postcode_or_none_is_refused_with_a_message(
    client, shared_postcode, resident
):
    area_url = reverse("voting:identity_area")
    elsewhere = factories.committee("Valby Lokaludvalg").areas.get()
    for data, message in (
        ({}, "Vælg det område, du bor i."),
        ({"area": elsewhere.pk}, "Vælg et af de områder, dit postnummer ligger i."),
        ({"area": "x"}, "Vælg et af de områder, dit postnummer ligger i."),
    ):
        response = client.post(area_url, data)
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert message in response.text
    identity = VerifiedIdentity.objects.get(user=resident)
    assert identity.home_area is None and identity.area_choices.count() == 2


def test_a_foreign_next_url_is_not_followed(client, shared_postcode, resident):
    vesterbro, _indre_by = shared_postcode
    response = client.post(
        reverse("voting:identity_area"),
        {"area": vesterbro.areas.get().pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("voting:identity_start")


def test_without_a_pending_choice_the_page_sends_you_on(client, shared_postcode):
    area_url = reverse("voting:identity_area")
    anonymous = client.get(area_url)
    assert anonymous["Location"].startswith(reverse("account_login"))

    person = factories.user()
    client.force_login(person)
    unverified = client.get(area_url)
    assert unverified["Location"] == reverse("voting:identity_start")

    factories.verified_identity(user=person, area=shared_postcode[0].areas.get())
    known = client.get(area_url)
    assert known["Location"] == reverse("voting:identity_start")
    assert client.post(area_url, {"area": shared_postcode[1].areas.get().pk}).status_code == 302
    assert VerifiedIdentity.objects.get(user=person).home_area == shared_postcode[0].areas.get()


def test_the_ballot_says_which_areas_and_ages_the_round_covers(client, shared_postcode):
    vesterbro, indre_by = shared_postcode
    vote = factories.voting_round(committee=indre_by, min_age=12)
    response = client.get(reverse("voting:ballot", args=[vote.pk]))
    assert "Indre By Lokaludvalg" in response.text and " 12 " in response.text
    assert "Vesterbro" not in response.text


def test_the_choice_page_and_the_ballot_are_in_danish(client, shared_postcode, resident):
    vesterbro, _indre_by = shared_postcode
    vote = factories.voting_round(committee=vesterbro)
    ballot = client.get(reverse("voting:ballot", args=[vote.pk]))
    assert "Vælg det område, du bor i" in ballot.text
    assert "Borgere i Vesterbro Lokaludvalgs område, der er fyldt 15 år" in ballot.text
    page = client.get(reverse("voting:identity_area"))
    assert "Dit postnummer ligger i mere end ét lokaludvalgs område" in page.text
    assert "Gem mit område" in page.text and "Choose" not in page.text
    refused = client.post(reverse("voting:identity_area"), {})
    assert "Vælg det område, du bor i." in refused.text
