"""Who may be assigned to review a round: the committee's own reviewers and moderators only."""

import pytest

from committees.selectors import reviewer_candidates
from tests import factories

pytestmark = pytest.mark.django_db


def test_only_the_committees_own_staff_can_review_its_rounds(home_page):
    this = factories.committee("Østerbro Lokaludvalg")
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    reviewer = factories.reviewer(committee=this)
    moderator = factories.moderator(committee=this)
    factories.meeting_host(committee=this)  # staff, but not of the review
    outsider = factories.reviewer(committee=other)
    factories.user()  # a resident
    assert set(reviewer_candidates(committee_ids={this.pk})) == {reviewer, moderator}
    assert set(reviewer_candidates(committee_ids={other.pk})) == {outsider}
    assert set(reviewer_candidates(committee_ids=None)) == {reviewer, moderator, outsider}
