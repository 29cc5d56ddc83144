"""The proposal state machine: the only allowed moves, and who may make each of them.

Two tables: the review workflow of an ordinary proposal, and the moves of a grant application's
proposal, which are made by the steps of the grant process (proposals/grants/services.py) and by
nothing else. `proposals.services.proposal_transition` makes every move of either table.
"""

from dataclasses import dataclass

from proposals.models import GrantStage, State

AUTHOR = "author"
MODERATOR = "moderator"  # the committee's secretariat
REVIEWER = "reviewer"  # the round's reviewers; for a grant pool, the committee's working group
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
        # Not feasible is the reviewers' finding, kept apart from a rejection under the rules.
        _t(State.IN_REVIEW, State.INFEASIBLE, MODERATOR, REVIEWER, needs_reason=True),
        _t(State.INFEASIBLE, State.IN_REVIEW, MODERATOR, needs_reason=True),
        # Sent back for changes: the reason says what to change; the author edits the proposal
        # and submits it again under the same case number, as often as it takes.
        _t(State.SUBMITTED, State.NEEDS_CHANGES, MODERATOR, REVIEWER, needs_reason=True),
        _t(State.IN_REVIEW, State.NEEDS_CHANGES, MODERATOR, REVIEWER, needs_reason=True),
        _t(State.NEEDS_CHANGES, State.SUBMITTED, AUTHOR),
        _t(State.NEEDS_CHANGES, State.REJECTED, MODERATOR, needs_reason=True),
        _t(State.NEEDS_CHANGES, State.WITHDRAWN, AUTHOR),
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

# A grant application's proposal (the stage of the application in brackets). Each step checks
# its own reason and tells the applicant with its own e-mail, so no move here needs either.
GRANT_TRANSITIONS = {
    (t.source, t.target): t
    for t in [
        _t(State.SUBMITTED, State.IN_REVIEW, MODERATOR),  # found complete (complete)
        _t(State.IN_REVIEW, State.FEASIBLE, MODERATOR, REVIEWER),  # recommended (recommended)
        # Put on a meeting's agenda (on the agenda): a stage of its own, no move of the proposal.
        _t(State.FEASIBLE, State.SELECTED, MODERATOR),  # the meeting granted it (granted)
        _t(State.FEASIBLE, State.NOT_SELECTED, MODERATOR),  # the meeting refused it (refused)
        # The applicant's accounts start the follow-up (accounts); unlike an ordinary proposal,
        # a grant is carried out by the applicant, not the committee.
        _t(State.SELECTED, State.IN_PROGRESS, AUTHOR),
        _t(State.IN_PROGRESS, State.COMPLETED, MODERATOR),  # paid out (paid)
        # Taken back by the applicant before the committee decides (withdrawn).
        _t(State.SUBMITTED, State.WITHDRAWN, AUTHOR),
        _t(State.IN_REVIEW, State.WITHDRAWN, AUTHOR),
        _t(State.FEASIBLE, State.WITHDRAWN, AUTHOR),
    ]
}

# Who takes the staff step of each stage of a grant application. A step that moves the proposal
# takes the roles of its move; putting a recommended application on a meeting's agenda and
# paying an advance move nothing and are the secretariat's.
GRANT_STAGE_ROLES = {
    GrantStage.SUBMITTED: GRANT_TRANSITIONS[(State.SUBMITTED, State.IN_REVIEW)].roles,
    GrantStage.COMPLETE: GRANT_TRANSITIONS[(State.IN_REVIEW, State.FEASIBLE)].roles,
    GrantStage.RECOMMENDED: frozenset({MODERATOR}),
    GrantStage.ON_AGENDA: GRANT_TRANSITIONS[(State.FEASIBLE, State.SELECTED)].roles,
    GrantStage.GRANTED: frozenset({MODERATOR}),
    GrantStage.ACCOUNTS: GRANT_TRANSITIONS[(State.IN_PROGRESS, State.COMPLETED)].roles,
}


def allowed_targets(source: str, roles: set[str]) -> list[str]:
    return [t.target for (s, _), t in TRANSITIONS.items() if s == source and t.roles & roles]
