""" "Mit borgerbudget": a resident's own page, gathered from every app, through the real view."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from proposals import services as proposal_services
from proposals.tracking import services as tracking_services
from tests import factories
from tests.voting.conftest import project_ids
from voting import services as voting_services
from voting.models import Ballot
from voting.models.ballots import PendingBallot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _page(client) -> str:
    response = client.get(reverse("my_borgerbudget"))
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_the_page_is_linked_for_everyone_signed_in_and_asks_others_to_log_in(client, home_page):
    url = reverse("my_borgerbudget")
    assert url == "/en/mit-borgerbudget/"
    response = client.get(url)
    assert response.status_code == HTTPStatus.FOUND and "/login/" in response["Location"]
    assert url not in client.get("/en/").content.decode()
    client.force_login(factories.user())
    assert f'href="{url}"' in client.get("/en/").content.decode()


def test_drafts_proposals_supports_follows_and_grants_are_listed(client, committee):
    me = factories.user()
    ideas = factories.budget_round(committee=committee, phase="ideas")
    draft = factories.proposal(budget_round=ideas, author=me, title="Halvfærdig idé")
    factories.proposal(budget_round=ideas, author=me, state="submitted", title="Min bænk")
    liked = factories.proposal(budget_round=ideas, state="submitted", title="Naboens træer")
    proposal_services.support_add(user=me, proposal=liked)
    funded = factories.funded_proposal(
        budget_round=factories.budget_round(committee=committee, phase="implementation")
    )
    tracking_services.project_subscribe(user=me, project=funded.tracking)
    pool = factories.grant_pool(committee=committee)
    application = factories.grant_application(pool=pool, author=me)
    strangers = factories.proposal(budget_round=ideas, state="submitted", title="Fremmed")

    client.force_login(me)
    html = _page(client)
    assert reverse("proposals:edit", args=[draft.pk]) in html and "Halvfærdig idé" in html
    assert "Min bænk" in html and "<strong>Submitted</strong>" in html
    assert "Naboens træer" in html
    assert funded.title in html and reverse("tracking:detail", args=[funded.tracking.pk]) in html
    assert reverse("proposals:grant", args=[application.pk]) in html
    assert "Fremmed" not in html and strangers.title not in html
    assert reverse("notices:preferences") in html


def test_a_voter_sees_the_ballot_received_and_never_what_was_voted(client, committee, settings):
    settings.BALLOT_MIX_SIZE = 10  # the ballot waits, sealed, in the mixing buffer
    vote = factories.voting_round(committee=committee, title="Østerbro stemmer")
    other = factories.voting_round(
        committee=factories.committee("Valby Lokaludvalg", district_name="Valby"),
        title="Valby stemmer",
    )
    voter = factories.verified_voter(area=committee.district)
    client.force_login(voter)
    html = _page(client)
    assert "You can vote online until" in html
    assert reverse("voting:ballot", args=[vote.pk]) in html
    assert "Only residents of" in html  # Valby's round, with the reason
    ids = project_ids(vote)
    voting_services.ballot_cast_online(
        user=voter, budget_round=vote, selection={ids["Legeplads"]: 1}
    )
    assert PendingBallot.objects.count() == 1 and not Ballot.objects.exists()
    html = _page(client)
    assert "Your ballot is received (Online" in html and "is counted with the others" in html
    assert "Change your ballot" in html
    assert "Legeplads" not in html  # what was voted is nowhere on the page
    assert other.title in html


def test_without_a_verified_identity_the_page_says_how_to_vote(client, committee):
    factories.voting_round(committee=committee, title="Østerbro stemmer")
    client.force_login(factories.user())
    html = _page(client)
    assert "Verify your identity with MitID to vote online." in html
    assert "Your ballot is received" not in html


def test_the_page_reads_in_a_bounded_number_of_queries(client, committee):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    me = factories.user()
    ideas = factories.budget_round(committee=committee, phase="ideas")
    client.force_login(me)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _page(client)
        return len(captured)

    few = queries()
    for n in range(6):
        factories.proposal(budget_round=ideas, author=me, state="submitted", title=f"P{n}")
        proposal_services.support_add(
            user=me, proposal=factories.proposal(budget_round=ideas, state="submitted")
        )
    assert queries() == few
