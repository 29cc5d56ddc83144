"""Review queues in the Wagtail admin, scoped by committee and reviewer assignment."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse

from proposals.models import Proposal, Review, State
from tests import factories
from voting.results.statistics import statistics

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home_page):
    this = factories.committee("Østerbro Lokaludvalg")
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    this_round = factories.budget_round(committee=this, phase="review")
    other_round = factories.budget_round(committee=other, phase="review")
    moderator = factories.moderator(committee=this)
    other_moderator = factories.moderator(committee=other)
    reviewer = factories.reviewer(committee=this, budget_round=this_round)
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


def test_moderator_starts_review_reviewer_finds_it_not_feasible_with_public_reason(
    client, world, django_capture_on_commit_callbacks
):
    proposal = world["ours"]
    url = reverse("proposal_review", args=[proposal.pk])
    client.force_login(world["moderator"])
    assert client.post(url, {"target": "in_review"}).status_code == HTTPStatus.FOUND
    client.force_login(world["reviewer"])
    response = client.post(url, {"target": "infeasible", "reason": ""})
    assert response.status_code == HTTPStatus.OK  # "not feasible" needs a public reason
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "target": "infeasible",
                "reason": "Arealet ejes af staten.",
                "revised_cost": "55000",
                "internal_notes": "Ring til Slots- og Kulturstyrelsen",
            },
        )
    assert response.status_code == HTTPStatus.FOUND
    proposal.refresh_from_db()
    assert proposal.state == State.INFEASIBLE and proposal.revised_cost == 55000
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


def test_bulk_review_writes_one_review_per_proposal_and_the_statistics_count_them(client, world):
    budget_round = world["ours"].budget_round
    in_review = [factories.proposal(budget_round=budget_round, state="in_review") for _ in range(3)]
    client.force_login(world["reviewer"])
    ids = [str(p.pk) for p in in_review]
    response = client.post(
        reverse("proposal_queue") + "?state=in_review",
        {"selected": ids[:2], "target": "infeasible", "reason": "Kræver lokalplan."},
    )
    assert response.status_code == HTTPStatus.FOUND
    client.post(
        reverse("proposal_queue") + "?state=in_review", {"selected": ids[2:], "target": "feasible"}
    )
    assert Review.objects.filter(proposal__in=in_review).count() == 3
    assert Review.objects.filter(proposal__in=in_review[:2], feasible=False).count() == 2
    assert Proposal.objects.filter(state=State.INFEASIBLE).count() == 2
    figures = statistics(committee=budget_round.committee)
    assert dict(figures.reviews) == {"Gennemførligt": 1, "Ikke gennemførligt": 2}
    assert ("Kræver lokalplan.", 2) in figures.infeasible_reasons
    # Without a reason, "not feasible" is refused and no review is left behind.
    other = factories.proposal(budget_round=budget_round, state="in_review")
    client.post(
        reverse("proposal_queue") + "?state=in_review",
        {"selected": [str(other.pk)], "target": "infeasible"},
    )
    other.refresh_from_db()
    assert other.state == State.IN_REVIEW and not Review.objects.filter(proposal=other).exists()


def test_sent_back_for_changes_from_the_review_screen(
    client, world, django_capture_on_commit_callbacks
):
    proposal = world["ours"]
    client.force_login(world["moderator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("proposal_review", args=[proposal.pk]),
            {"target": "needs_changes", "reason": "Tilføj en tegning af bænken."},
        )
    assert response.status_code == HTTPStatus.FOUND
    proposal.refresh_from_db()
    assert proposal.state == State.NEEDS_CHANGES
    assert "Tilføj en tegning af bænken." in mail.outbox[-1].body


def test_the_reviewer_filter_lists_only_the_committees_staff(client, world):
    factories.user(display_name="Rasmus Beboer")
    outsider = factories.reviewer(
        committee=world["theirs"].budget_round.committee, display_name="Olga Udenfor"
    )
    world["theirs"].budget_round.reviewers.add(outsider)
    client.force_login(world["moderator"])
    html = client.get(reverse("proposal:index")).content.decode()
    assert "Olga Udenfor" not in html and "Rasmus Beboer" not in html
    assert str(world["reviewer"]) in html
