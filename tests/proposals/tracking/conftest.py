"""The world of the follow-up tests: two committees, their staff and one funded project."""

import pytest

from committees import services as committee_services
from tests import factories


@pytest.fixture
def world(home_page):
    ours = factories.committee("Østerbro Lokaludvalg")
    theirs = factories.committee("Valby Lokaludvalg", district_name="Valby")
    budget_round = factories.budget_round(committee=ours, phase="implementation")
    staff, other_staff = factories.user(), factories.user()
    committee_services.committee_role_grant(user=staff, committee=ours, role="moderator")
    committee_services.committee_role_grant(user=other_staff, committee=theirs, role="moderator")
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
