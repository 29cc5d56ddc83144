"""The proposal state machine: the only allowed moves, and who may make each of them."""

from dataclasses import dataclass

from proposals.models import State
from proposals.permissions import AUTHOR, MODERATOR, REVIEWER

SYSTEM = "system"  # the results of a vote


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    roles: frozenset[str]
    needs_reason: bool = False
    public: bool = True  # the author is told by e-mail


def _t(source, target, *roles, needs_reason=False):
    return Transition(source, target, frozenset(roles), needs_reason)


TRANSITIONS = {
    (t.source, t.target): t
    for t in [
        _t(State.DRAFT, State.SUBMITTED, AUTHOR),
        _t(State.SUBMITTED, State.IN_REVIEW, MODERATOR),
        _t(State.SUBMITTED, State.REJECTED, MODERATOR, needs_reason=True),
        _t(State.IN_REVIEW, State.FEASIBLE, MODERATOR, REVIEWER),
        _t(State.IN_REVIEW, State.REJECTED, MODERATOR, REVIEWER, needs_reason=True),
        _t(State.REJECTED, State.IN_REVIEW, MODERATOR, needs_reason=True),
        _t(State.SUBMITTED, State.MERGED, MODERATOR, needs_reason=True),
        _t(State.IN_REVIEW, State.MERGED, MODERATOR, needs_reason=True),
        _t(State.FEASIBLE, State.MERGED, MODERATOR, needs_reason=True),
        _t(State.DRAFT, State.WITHDRAWN, AUTHOR),
        _t(State.SUBMITTED, State.WITHDRAWN, AUTHOR),
        _t(State.IN_REVIEW, State.WITHDRAWN, AUTHOR),
        _t(State.FEASIBLE, State.WITHDRAWN, AUTHOR),
        _t(State.FEASIBLE, State.SELECTED, SYSTEM, MODERATOR),
        _t(State.FEASIBLE, State.NOT_SELECTED, SYSTEM, MODERATOR),
        _t(State.SELECTED, State.IN_PROGRESS, MODERATOR),
        _t(State.IN_PROGRESS, State.COMPLETED, MODERATOR),
        # Follow-up of a funded project: it can be stopped, always with a public reason.
        _t(State.SELECTED, State.CANCELLED, MODERATOR, needs_reason=True),
        _t(State.IN_PROGRESS, State.CANCELLED, MODERATOR, needs_reason=True),
    ]
}


def allowed_targets(source: str, roles: set[str]) -> list[str]:
    return [t.target for (s, _), t in TRANSITIONS.items() if s == source and t.roles & roles]
