"""Phase changes as explicit actions: close ideas, open voting, close voting now, extend voting.

A round's phases follow its dates (`BudgetRound.phase_at`); these actions move the dates now,
on purpose, instead of waiting for the clock. Each one

- is allowed to the round's moderators only (`voting.permissions.can_moderate_round`);
- locks the round's row, then takes "now" and re-reads the phase, so that of two staff members
  clicking at once the second finds the phase already changed and is refused;
- recomputes the preview under that lock and refuses when it differs from what the moderator
  confirmed (`expected`, the preview's fingerprint);
- keeps within the frozen rules: voting's start, the rules and the ballot list are fixed once it
  opens, and nothing about voting moves once the result is confirmed;
- writes one hash-chained audit entry with the reason and each moved date, before and after.

Opening voting writes the ballot list in the same transaction (`voting.ballot_list`), so the
list is exactly the one previewed. Closing voting and a ballot on its way: every action first
takes the round's ballot box exclusively (`voting.ballot_box.round_box_lock`), and a ballot is
written under a shared hold of the same box, which reads the round's phase again once it holds
it. So the close waits for the ballots already going in, takes "now" only after them, and every
ballot after it is refused: once the close has committed, no ballot lands
(tests/voting/phases/test_close_race.py, on PostgreSQL with threads).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import BudgetRound, DecisionMethod
from committees.services import audit_record
from voting import permissions
from voting.ballot_box import round_box_lock
from voting.ballot_list import ballot_list_freeze
from voting.models import RoundResult
from voting.phases.selectors import (
    ACTION_FROM,
    CLOSE_IDEAS,
    CLOSE_VOTING,
    EXTEND_VOTING,
    NOW,
    OPEN_VOTING,
    REASON_REQUIRED,
    phase_preview,
)

REASON_MAX_LENGTH = 1000
# An extension is a matter of days, not a new round: beyond this, plan a new schedule.
MAX_EXTENSION = datetime.timedelta(days=60)


def _lock_and_check(*, actor, budget_round: BudgetRound, action: str, reason: str) -> BudgetRound:
    if not permissions.can_moderate_round(actor, budget_round):
        raise PermissionDenied(_("Only the committee's moderators can change the phase."))
    if action in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": _("Give a reason: it is published with the change.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("The reason is at most %(n)s characters.") % {"n": REASON_MAX_LENGTH}}
        )
    round_box_lock(budget_round_id=budget_round.pk)
    stored = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
    if stored.decision_method != DecisionMethod.VOTE:
        raise ValidationError(_("A grant pool has no vote and no phases to change."))
    if stored.is_locked or RoundResult.objects.filter(budget_round=stored).exists():
        raise ValidationError(
            _("The result of this round is confirmed: voting can no longer be changed."),
            code="locked",
        )
    if stored.phase != ACTION_FROM[action]:
        raise ValidationError(
            _("This round is in the phase “%(phase)s”: this change is no longer possible.")
            % {"phase": stored.phase_display()},
            code="phase",
        )
    return stored


def _apply(
    *,
    actor,
    stored: BudgetRound,
    action: str,
    reason: str,
    expected: str,
    new_end: datetime.datetime | None = None,
):
    preview = phase_preview(budget_round=stored, action=action, new_end=new_end)
    if expected != preview.fingerprint:
        raise ValidationError(
            _(
                "What this change does has changed since you looked (a proposal, a setting or "
                "the schedule). Look at the new preview and confirm again."
            ),
            code="stale",
        )
    now = timezone.now()
    moved = {}
    for name, (old, new) in preview.changes.items():
        value = now if new == NOW else new
        setattr(stored, name, value)
        moved[name] = [old.isoformat(), value.isoformat()]
    try:
        with transaction.atomic():
            stored.save(update_fields=list(preview.changes))
    except IntegrityError as exc:
        raise ValidationError(
            _("The new dates would make the phases overlap. Change the schedule first."),
            code="order",
        ) from exc
    audit_record(
        actor=actor,
        action=f"round.{action.replace('-', '_')}",
        obj=stored,
        reason=reason,
        committee_id=stored.committee_id,
        data={
            "changes": moved,
            "ballot": [p["id"] for p in preview.ballot],
            "areas": preview.areas,
            "min_age": preview.min_age,
            "channels": preview.channels,
            "fingerprint": preview.fingerprint,
        },
    )
    return stored


@transaction.atomic
def round_ideas_close(*, actor, budget_round: BudgetRound, reason: str, expected: str):
    """Close the ideas phase now; the review starts at once."""
    reason = (reason or "").strip()
    stored = _lock_and_check(
        actor=actor, budget_round=budget_round, action=CLOSE_IDEAS, reason=reason
    )
    return _apply(actor=actor, stored=stored, action=CLOSE_IDEAS, reason=reason, expected=expected)


@transaction.atomic
def round_voting_open(*, actor, budget_round: BudgetRound, expected: str, reason: str = ""):
    """Open voting now, with the ballot list previewed; the list is written at once."""
    reason = (reason or "").strip()
    stored = _lock_and_check(
        actor=actor, budget_round=budget_round, action=OPEN_VOTING, reason=reason
    )
    preview = phase_preview(budget_round=stored, action=OPEN_VOTING)
    if not preview.ballot:
        raise ValidationError(
            _("No project would be on the ballot: voting cannot open."), code="empty_ballot"
        )
    if not preview.channels:
        raise ValidationError(_("Keep at least one way to vote."), code="no_channel")
    stored = _apply(
        actor=actor, stored=stored, action=OPEN_VOTING, reason=reason, expected=expected
    )
    ballot_list_freeze(budget_round=stored)
    return stored


@transaction.atomic
def round_voting_close(*, actor, budget_round: BudgetRound, reason: str, expected: str):
    """Close voting now: ballots checked from this moment on are refused."""
    reason = (reason or "").strip()
    stored = _lock_and_check(
        actor=actor, budget_round=budget_round, action=CLOSE_VOTING, reason=reason
    )
    return _apply(actor=actor, stored=stored, action=CLOSE_VOTING, reason=reason, expected=expected)


@transaction.atomic
def round_voting_extend(
    *, actor, budget_round: BudgetRound, new_end: datetime.datetime, reason: str, expected: str
):
    """Move the end of voting later; the results move with it when they would come first."""
    reason = (reason or "").strip()
    stored = _lock_and_check(
        actor=actor, budget_round=budget_round, action=EXTEND_VOTING, reason=reason
    )
    if new_end is None or new_end <= stored.voting_end:
        raise ValidationError(
            {"new_end": _("The new end must be later than the announced end of voting.")}
        )
    if new_end - stored.voting_end > MAX_EXTENSION:
        raise ValidationError(
            {"new_end": _("Voting can be extended by at most 60 days at a time.")}
        )
    if new_end >= stored.implementation_start:
        raise ValidationError(
            {
                "new_end": _(
                    "The new end is after implementation starts. Move the start of "
                    "implementation first (edit the round)."
                )
            }
        )
    return _apply(
        actor=actor,
        stored=stored,
        action=EXTEND_VOTING,
        reason=reason,
        expected=expected,
        new_end=new_end,
    )
