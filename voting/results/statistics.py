"""Selectors for the statistics pages: one committee, or the whole city, across its rounds.

A fixed handful of aggregate queries, however many rounds and proposals there are
(tests/voting/results/test_statistics.py counts them); everything else is folded in Python.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from committees.models import BudgetRound, Committee, DecisionMethod
from committees.population import population_of
from proposals.models import Proposal, Review, State, StatusChange, SubmitterKind
from voting.models import Channel, Participation

GRANTED = (State.SELECTED, State.IN_PROGRESS, State.COMPLETED)
VOTED_PHASES = ("voting", "results", "implementation")


@dataclass(frozen=True)
class RoundTurnout:
    round: BudgetRound
    voters: int
    residents: int | None  # of the districts whose residents may vote; None if not known

    @property
    def share(self) -> float | None:
        """Voters per hundred residents."""
        return round(100 * self.voters / self.residents, 1) if self.residents else None


@dataclass
class Statistics:
    committee: Committee | None
    rounds: int = 0
    proposals: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_submitter_kind: list[tuple[str, int]] = field(default_factory=list)
    reviews: list[tuple[str, int]] = field(default_factory=list)
    rejection_reasons: list[tuple[str, int]] = field(default_factory=list)
    infeasible_reasons: list[tuple[str, int]] = field(default_factory=list)
    acceptance_reasons: list[tuple[str, int]] = field(default_factory=list)
    turnout: list[RoundTurnout] = field(default_factory=list)
    # Each committee's latest voted round (the city page), and voters per channel; a channel
    # with fewer voters than RESULTS_MIN_GROUP_SIZE is left out, as on the results page.
    turnout_by_committee: list[RoundTurnout] = field(default_factory=list)
    voters_by_channel: list[tuple[str, int]] = field(default_factory=list)
    granted_by_category: list[tuple[str, int]] = field(default_factory=list)
    implementation: list[tuple[str, int]] = field(default_factory=list)


def _sorted(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def committee_by_slug(*, slug: str) -> Committee | None:
    return Committee.objects.select_related("district").filter(slug=slug).first()


def committees_listed():
    """Every committee, for the links between the statistics pages."""
    return Committee.objects.order_by("name").only("name", "slug")


def statistics(*, committee: Committee | None = None, reasons: int = 10) -> Statistics:
    """Figures of one committee's rounds, or of every committee's when `committee` is None."""
    scope = Q() if committee is None else Q(committee=committee)
    in_scope = Q() if committee is None else Q(budget_round__committee=committee)
    of_proposals = Q() if committee is None else Q(proposal__budget_round__committee=committee)
    stats = Statistics(committee=committee)

    rounds = list(
        BudgetRound.objects.filter(scope)
        .select_related("committee__district")
        .prefetch_related("voting_areas__committee__district")
        .order_by("voting_start", "pk")
    )
    stats.rounds = len(rounds)

    no_category = _("No category")
    kinds = dict(SubmitterKind.choices)
    states = dict(State.choices)
    by_category, by_kind, granted, implementation = Counter(), Counter(), Counter(), Counter()
    rows = (
        Proposal.objects.filter(in_scope)
        .exclude(state=State.DRAFT)
        .values_list("category__name", "submitter_kind", "state")
        .annotate(n=Count("id"), money=Sum(Coalesce("revised_cost", "estimated_cost")))
        .order_by()
    )
    for category, kind, state, n, money in rows:
        stats.proposals += n
        by_category[category or no_category] += n
        by_kind[str(kinds.get(kind, kind))] += n
        if state in GRANTED:
            granted[category or no_category] += money or 0
            implementation[str(states[state])] += n
    stats.by_category = _sorted(by_category)
    stats.by_submitter_kind = [
        (str(label), by_kind[str(label)]) for label in kinds.values() if by_kind[str(label)]
    ]
    stats.granted_by_category = _sorted(granted)
    stats.implementation = [
        (str(states[s]), implementation[str(states[s])])
        for s in GRANTED
        if implementation[str(states[s])]
    ]

    reviews = dict(
        Review.objects.filter(of_proposals)
        .values_list("feasible")
        .annotate(n=Count("id"))
        .order_by()
    )
    stats.reviews = [
        (_("Feasible"), reviews.get(True, 0)),
        (_("Not feasible"), reviews.get(False, 0)),
    ]

    reasons_by_state: dict[str, Counter] = defaultdict(Counter)
    for state, reason, n in (
        StatusChange.objects.filter(
            of_proposals, to_state__in=[State.REJECTED, State.INFEASIBLE, State.FEASIBLE]
        )
        .exclude(public_reason="")
        .values_list("to_state", "public_reason")
        .annotate(n=Count("id"))
        .order_by()
    ):
        reasons_by_state[state][reason.strip()] += n
    stats.rejection_reasons = _sorted(reasons_by_state[State.REJECTED])[:reasons]
    stats.infeasible_reasons = _sorted(reasons_by_state[State.INFEASIBLE])[:reasons]
    stats.acceptance_reasons = _sorted(reasons_by_state[State.FEASIBLE])[:reasons]

    voters: Counter = Counter()
    by_channel: Counter = Counter()
    for round_id, channel, n in (
        Participation.objects.filter(in_scope, voted_on__isnull=False)
        .values_list("budget_round_id", "channel")
        .annotate(n=Count("id"))
        .order_by()
    ):
        voters[round_id] += n
        by_channel[channel] += n
    smallest = settings.RESULTS_MIN_GROUP_SIZE
    stats.voters_by_channel = [
        (str(label), by_channel[value])
        for value, label in Channel.choices
        if by_channel[value] >= smallest
    ]
    for budget_round in rounds:
        if budget_round.decision_method != DecisionMethod.VOTE:
            continue
        if budget_round.phase not in VOTED_PHASES:
            continue
        # Population is known per district; a round of areas counts their districts' residents.
        districts = sorted(
            {area.committee.district.name for area in budget_round.voting_areas.all()}
        ) or [budget_round.committee.district.name]
        stats.turnout.append(
            RoundTurnout(
                round=budget_round,
                voters=voters.get(budget_round.pk, 0),
                residents=population_of(districts),
            )
        )
    latest = {item.round.committee_id: item for item in stats.turnout}  # by voting start
    stats.turnout_by_committee = sorted(
        latest.values(), key=lambda item: (-(item.share or 0), item.round.committee.name)
    )
    return stats


def statistics_rows(stats: Statistics) -> list[list[object]]:
    """The page's figures as one long table: section, round or group, value."""
    rows: list[list[object]] = []
    sections = [
        (_("Proposals by category"), stats.by_category),
        (_("Proposals by submitter"), stats.by_submitter_kind),
        (_("Reviews"), stats.reviews),
        (_("Reasons for rejection"), stats.rejection_reasons),
        (_("Reasons for not feasible"), stats.infeasible_reasons),
        (_("Reasons for acceptance"), stats.acceptance_reasons),
        (_("Money granted per category (kr.)"), stats.granted_by_category),
        (_("Implementation status"), stats.implementation),
        (_("Voters by channel"), stats.voters_by_channel),
    ]
    for section, pairs in sections:
        rows.extend([section, label, value] for label, value in pairs)
    for item in stats.turnout:
        name = f"{item.round.committee.name}: {item.round.title}"
        rows.append([_("Voters"), name, item.voters])
        rows.append([_("Residents who may vote"), name, item.residents or ""])
        rows.append([_("Turnout (percent of residents)"), name, item.share if item.share else ""])
    return rows
