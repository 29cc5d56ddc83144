"""What a resident can take part in right now, across committees: the home page's first section.

A read (a selector) kept apart from `committees.selectors`: ideas open until a deadline, voting
open until a deadline, and public meetings in the coming week, each with one thing to do. The
committees a resident named (through a postcode or an address on the home page) come first, then
the rest by the nearest date, so what closes soonest is never buried.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.utils import timezone

from committees.models import BudgetRound, Committee, DecisionMethod, Meeting

WEEK = datetime.timedelta(days=7)


@dataclass(frozen=True)
class OpenItem:
    kind: str  # "ideas", "voting" or "meeting"
    committee: Committee
    when: datetime.datetime  # the deadline of a round's phase, or a meeting's start
    budget_round: BudgetRound | None = None
    meeting: Meeting | None = None
    own: bool = False  # in one of the committees the resident named

    @property
    def key(self) -> str:
        """Unique on the page: the card's heading id, which its button refers to."""
        target = self.meeting if self.meeting is not None else self.budget_round
        return f"open-{self.kind}-{target.pk}"

    @property
    def votes_online(self) -> bool:
        return self.budget_round is not None and (
            self.budget_round.decision_method == DecisionMethod.VOTE
        )


def open_now(*, first: Iterable[str] = (), now: datetime.datetime | None = None) -> list[OpenItem]:
    """Rounds open for ideas or votes and public meetings within a week, from every committee;
    those of the committees whose slugs are in `first` lead, in that order."""
    now = now or timezone.now()
    first = list(first)
    rounds = BudgetRound.objects.select_related("committee__page", "committee__district")
    items = [
        OpenItem("ideas", r.committee, r.ideas_end, budget_round=r)
        for r in rounds.filter(ideas_start__lte=now, ideas_end__gt=now)
    ]
    # A grant pool takes applications in its ideas phase; the committee decides them, so it
    # never shows as open for votes.
    items += [
        OpenItem("voting", r.committee, r.voting_end, budget_round=r)
        for r in rounds.filter(voting_start__lte=now, voting_end__gt=now).exclude(
            decision_method=DecisionMethod.COMMITTEE
        )
    ]
    meetings = Meeting.objects.filter(
        is_public=True, ends_at__gt=now, starts_at__lt=now + WEEK
    ).select_related("committee__page", "committee__district")
    items += [OpenItem("meeting", m.committee, m.starts_at, meeting=m) for m in meetings]

    def order(item: OpenItem):
        slug = item.committee.slug
        return (first.index(slug) if slug in first else len(first), item.when, item.kind)

    return [replace(item, own=item.committee.slug in first) for item in sorted(items, key=order)]


# The home page shows this many cards at least (all of the resident's own committees' if there
# are more); the rest fold away behind one button, so a phone reaches the committees below.
SHOWN_AT_LEAST = 6


def fold(items: list[OpenItem], *, at_least: int = SHOWN_AT_LEAST):
    """`items` split into those shown and those folded away: every item of the resident's own
    committees, then the soonest others, up to `at_least` shown. A fold of one is no fold."""
    shown = max(at_least, sum(item.own for item in items))
    if len(items) <= shown + 1:
        return items, []
    return items[:shown], items[shown:]


OPEN_PHASES = ("ideas", "voting")


def rounds_open_first(
    rounds: Iterable[BudgetRound], *, now: datetime.datetime | None = None
) -> list[BudgetRound]:
    """A committee's rounds with those open for ideas or votes first, each marked `is_open`;
    otherwise in the order given (the newest first)."""
    now = now or timezone.now()
    rounds = list(rounds)
    for budget_round in rounds:
        # A grant pool is open while it takes applications; the committee decides the rest.
        open_phases = ("ideas",) if budget_round.is_grant_pool else OPEN_PHASES
        budget_round.is_open = budget_round.phase_at(now) in open_phases
    return sorted(rounds, key=lambda budget_round: not budget_round.is_open)
