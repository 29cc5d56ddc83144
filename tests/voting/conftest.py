import pytest
from django.utils import translation

from proposals.models import State
from tests import factories


@pytest.fixture
def english():
    """Messages asserted in English, the source language."""
    with translation.override("en"):
        yield


@pytest.fixture
def committee(home_page):
    return factories.committee("Østerbro Lokaludvalg")


@pytest.fixture
def voting_round(committee):
    """A knapsack vote on three projects: 30,000 + 60,000 + 40,000 kr. for a 100,000 kr. pot."""
    budget_round = factories.budget_round(
        committee=committee, phase="voting", pot=100_000, max_cost=100_000, ballot_style="knapsack"
    )
    for title, cost in [("Bænke", 30_000), ("Legeplads", 60_000), ("Træer", 40_000)]:
        factories.proposal(
            budget_round=budget_round, state=State.FEASIBLE, title=title, estimated_cost=cost
        )
    return budget_round


def project_ids(budget_round) -> dict[str, str]:
    return {p.title: str(p.pk) for p in budget_round.proposals.all()}
