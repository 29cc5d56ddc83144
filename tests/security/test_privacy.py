"""A person downloads their data and deletes their account; proposals stay, ballots stay counted."""

import json
from http import HTTPStatus

import pytest
from django.urls import reverse

from proposals.models import Proposal
from tests import factories
from voting import services as voting_services
from voting.models import Ballot, VerifiedIdentity

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"


@pytest.fixture
def resident_with_history(home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    ideas = factories.budget_round(committee=committee, phase="ideas")
    person = factories.user(display_name="Karen Nabo")
    proposal = factories.proposal(
        budget_round=ideas, author=person, state="submitted", title="Bænke ved søen"
    )
    factories.proposal(budget_round=ideas, author=person, state="draft", title="Halv idé")
    other = factories.proposal(budget_round=ideas, state="submitted")
    from proposals import services

    services.support_add(user=person, proposal=other)
    services.comment_add(author=person, proposal=other, body="God idé!")
    voting = factories.budget_round(committee=committee, phase="voting", ballot_style="approval")
    on_ballot = factories.proposal(budget_round=voting, state="feasible")
    factories.verified_identity(user=person, area=committee.district, national_id="0101901234")
    voting_services.ballot_cast_online(
        user=person, budget_round=voting, selection={str(on_ballot.pk): 1}
    )
    return person, proposal, other


def test_download_my_data(client, resident_with_history):
    person, proposal, _other = resident_with_history
    client.force_login(person)
    response = client.post(reverse("my_data"), {"action": "download"})
    assert response.status_code == HTTPStatus.OK
    data = json.loads(response.content)
    assert data["account"]["email"] == person.email
    assert {p["title"] for p in data["proposals"]["proposals"]} == {"Bænke ved søen", "Halv idé"}
    assert data["proposals"]["comments"][0]["body"] == "God idé!"
    assert data["voting"]["verified_identity"]["age_band"] == "35-49"
    assert "0101901234" not in response.content.decode()


def test_delete_account_keeps_proposals_and_ballots(client, resident_with_history):
    person, proposal, other = resident_with_history
    client.force_login(person)
    response = client.post(reverse("my_data"), {"action": "delete", "password": "wrong"})
    assert response.status_code == HTTPStatus.OK
    assert type(person).objects.filter(pk=person.pk).exists()
    response = client.post(reverse("my_data"), {"action": "delete", "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    assert not type(person).objects.filter(pk=person.pk).exists()
    proposal.refresh_from_db()
    assert proposal.author is None and proposal.title == "Bænke ved søen"
    assert not Proposal.objects.filter(title="Halv idé").exists()  # drafts go
    other.refresh_from_db()
    assert other.support_count == 0
    assert Ballot.objects.count() == 1  # still counted
    assert not VerifiedIdentity.objects.exists()
    html = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Karen Nabo" not in html and ("former user" in html or "tidligere bruger" in html)


def test_privacy_page(client):
    assert client.get(reverse("privacy")).status_code == HTTPStatus.OK
    assert client.get(reverse("my_data")).status_code == HTTPStatus.FOUND  # login first
