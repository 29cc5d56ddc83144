"""Budget rounds: phases ordered in the database, phase changes logged, the tally rule frozen."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from committees import services
from committees.models import AuditEntry, BudgetRound, Phase
from tests import factories

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def committee():
    return factories.committee("Østerbro Lokaludvalg")


@pytest.mark.parametrize(
    "phase", ["upcoming", "ideas", "review", "voting", "results", "implementation"]
)
def test_current_phase_follows_the_dates(committee, phase):
    budget_round = factories.budget_round(committee=committee, phase=phase)
    assert budget_round.phase == phase


@pytest.mark.parametrize(
    ("field", "shift"),
    [
        ("ideas_end", -20),  # ideas end before they start (reversed)
        ("review_start", -3),  # review starts before ideas end (overlap)
        ("voting_start", -3),  # voting overlaps review
        ("voting_end", -11),  # voting ends before it starts
        ("results_start", -3),  # results before voting closed
        ("implementation_start", -10),  # implementation at the same time as results
    ],
)
def test_database_refuses_reversed_or_overlapping_phases(committee, field, shift):
    dates = factories.round_dates(phase="ideas")
    dates[field] = dates[field] + shift * DAY
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetRound.objects.create(
            committee=committee, title="x", slug="x", pot=100, max_cost=50, **dates
        )


def test_database_refuses_bad_money(committee):
    dates = factories.round_dates()
    for bad in (
        {"pot": 0, "max_cost": 0},
        {"pot": 100, "max_cost": 200},
        {"pot": 100, "min_cost": 60, "max_cost": 50},
    ):
        values = {"pot": 100, "max_cost": 50, **bad}
        with pytest.raises(IntegrityError), transaction.atomic():
            BudgetRound.objects.create(committee=committee, title="x", slug="x", **dates, **values)


def test_database_refuses_bulk_update_that_breaks_the_order(committee):
    budget_round = factories.budget_round(committee=committee)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetRound.objects.filter(pk=budget_round.pk).update(voting_end=budget_round.ideas_start)


def test_moderator_extends_a_phase_and_the_next_one_moves(committee, moderator):
    budget_round = factories.budget_round(committee=committee, phase="ideas")
    old_end = budget_round.ideas_end
    services.round_phase_change(
        budget_round=budget_round,
        phase=Phase.IDEAS,
        new_end=old_end + 3 * DAY,
        reason="Flere borgere bad om mere tid.",
        actor=moderator,
    )
    budget_round.refresh_from_db()
    assert budget_round.ideas_end == old_end + 3 * DAY
    assert budget_round.review_start == budget_round.ideas_end
    entry = AuditEntry.objects.get(action="round.phase_change")
    assert entry.actor == moderator
    assert entry.reason == "Flere borgere bad om mere tid."
    assert entry.data["kind"] == "extend"
    assert set(entry.data["changes"]) == {"ideas_end", "review_start"}
    assert entry.committee_id == committee.pk


def test_moderator_closes_a_phase_early_and_the_next_begins(committee, moderator):
    budget_round = factories.budget_round(committee=committee, phase="ideas")
    services.round_phase_change(
        budget_round=budget_round,
        phase=budget_round.phase,
        new_end=timezone.now(),
        reason="Puljen er overtegnet.",
        actor=moderator,
    )
    budget_round.refresh_from_db()
    assert budget_round.phase == Phase.REVIEW
    assert AuditEntry.objects.get(action="round.phase_change").data["kind"] == "close_early"


def test_phase_change_needs_a_reason_and_keeps_the_order(committee, moderator):
    budget_round = factories.budget_round(committee=committee, phase="ideas")
    before = (budget_round.ideas_end, budget_round.review_start, budget_round.review_end)
    with pytest.raises(ValidationError):
        services.round_phase_change(
            budget_round=budget_round,
            phase="ideas",
            new_end=timezone.now(),
            reason=" ",
            actor=moderator,
        )
    with pytest.raises(ValidationError):
        # Past the end of review: review would end before it starts.
        services.round_phase_change(
            budget_round=budget_round,
            phase="ideas",
            new_end=budget_round.voting_end,
            reason="for længe",
            actor=moderator,
        )
    assert not AuditEntry.objects.filter(action="round.phase_change").exists()
    budget_round.refresh_from_db()
    assert (budget_round.ideas_end, budget_round.review_start, budget_round.review_end) == before


def test_tally_rule_cannot_change_once_voting_opened(committee):
    before = factories.budget_round(committee=committee, phase="review")
    before.tally_rule = "mes"
    before.save()
    during = factories.budget_round(committee=committee, phase="voting")
    during.tally_rule = "mes"
    with pytest.raises(ValidationError):
        during.full_clean()
    with pytest.raises(ValidationError):
        during.save()
    during.refresh_from_db()
    assert during.tally_rule == "greedy"
    during.title = "Ny titel"  # other fields may still change
    during.save()
