"""The world of the follow-up tests: two committees, their staff and one funded project."""

import pytest

from tests import factories


@pytest.fixture
def world(home_page):
    ours = factories.committee("Østerbro Lokaludvalg")
    theirs = factories.committee("Valby Lokaludvalg", district_name="Valby")
    budget_round = factories.budget_round(committee=ours, phase="implementation")
    staff = factories.moderator(committee=ours)
    other_staff = factories.moderator(committee=theirs)
    selected = factories.funded_proposal(
        budget_round=budget_round, title="Bænke ved søerne", estimated_cost=40_000
    )
    return {
        "ours": ours,
        "theirs": theirs,
        "round": budget_round,
        "staff": staff,
        "other_staff": other_staff,
        "proposal": selected,
        "project": selected.tracking,
    }
