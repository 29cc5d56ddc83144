"""Review queues in the Wagtail admin, scoped by committee and reviewer assignment."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse

from committees import services as committee_services
from proposals.models import Proposal, Review, State
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home_page):
    this = factories.committee("Østerbro Lokaludvalg")
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    this_round = factories.budget_round(committee=this, phase="review")
    other_round = factories.budget_round(committee=other, phase="review")
    moderator, other_moderator, reviewer = factories.user(), factories.user(), factories.user()
    committee_services.committee_role_grant(user=moderator, committee=this, role="moderator")
    committee_services.committee_role_grant(user=other_moderator, committee=other, role="moderator")
    committee_services.committee_role_grant(user=reviewer, committee=this, role="reviewer")
    this_round.reviewers.add(reviewer)
    return {
        "moderator": moderator,
        "other_moderator": other_moderator,
        "reviewer": reviewer,
        "ours": factories.proposal(budget_round=this_round, state="submitted", title="Vores bænk"),
        "theirs": factories.proposal(
            budget_round=other_round, state="submitted", title="Deres sti"
        ),
    }


def test_each_sees_only_their_queue(client, world):
    index = reverse("proposal:index")
    client.force_login(world["moderator"])
    html = client.get(index).content.decode()
    assert "Vores bænk" in html and "Deres sti" not in html
    client.force_login(world["other_moderator"])
    html = client.get(index).content.decode()
    assert "Deres sti" in html and "Vores bænk" not in html
    client.force_login(world["reviewer"])
    assert "Vores bænk" in client.get(index).content.decode()
    review = reverse("proposal_review", args=[world["theirs"].pk])
    response = client.get(review)
    assert response.status_code == HTTPStatus.FOUND and "/login/" not in response["Location"]
    client.force_login(factories.user())
    assert "/login/" in client.get(index)["Location"]


def test_moderator_starts_review_reviewer_rejects_with_public_reason(
    client, world, django_capture_on_commit_callbacks
):
    proposal = world["ours"]
    url = reverse("proposal_review", args=[proposal.pk])
    client.force_login(world["moderator"])
    assert client.post(url, {"target": "in_review"}).status_code == HTTPStatus.FOUND
    client.force_login(world["reviewer"])
    response = client.post(url, {"target": "rejected", "reason": ""})
    assert response.status_code == HTTPStatus.OK  # a rejection needs a public reason
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "target": "rejected",
                "reason": "Arealet ejes af staten.",
                "revised_cost": "55000",
                "internal_notes": "Ring til Slots- og Kulturstyrelsen",
            },
        )
    assert response.status_code == HTTPStatus.FOUND
    proposal.refresh_from_db()
    assert proposal.state == State.REJECTED and proposal.revised_cost == 55000
    assert Review.objects.get(proposal=proposal).internal_notes.startswith("Ring")
    public = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Arealet ejes af staten." in public
    assert "Slots- og Kulturstyrelsen" not in public  # internal notes stay internal
    assert any("Arealet ejes af staten." in m.body for m in mail.outbox)


def test_bulk_move_in_the_queue(client, world):
    more = [
        factories.proposal(budget_round=world["ours"].budget_round, state="submitted")
        for _ in range(3)
    ]
    client.force_login(world["moderator"])
    ids = [str(p.pk) for p in [world["ours"], *more]] + [str(world["theirs"].pk)]
    response = client.post(
        reverse("proposal_queue") + "?state=submitted", {"selected": ids, "target": "in_review"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Proposal.objects.filter(state=State.IN_REVIEW).count() == 4
    world["theirs"].refresh_from_db()
    assert world["theirs"].state == State.SUBMITTED  # another committee's id is ignored
