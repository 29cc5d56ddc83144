"""Reads of the voting app: the tally of a round, its turnout, and its anonymised ballots."""

from collections import Counter

from committees.models import BudgetRound
from proposals.models import Proposal
from proposals.selectors import ballot_proposals
from voting import rules
from voting.ballot_rules import as_tally_ballot
from voting.models import Ballot, Participation, RoundResult, VotingConfig

RULES = {"greedy": rules.greedy, "mes": rules.mes, "mes_add1": rules.mes_add1}


def _config(budget_round: BudgetRound) -> VotingConfig:
    return VotingConfig.objects.filter(budget_round=budget_round).first() or VotingConfig(
        budget_round=budget_round
    )


def round_ballots(*, budget_round: BudgetRound) -> list[dict[str, int]]:
    """Every ballot of the round as the tally rules read it."""
    config = _config(budget_round)
    return [
        as_tally_ballot(
            style=budget_round.ballot_style,
            selection=selection,
            ranking_length=config.ranking_length,
        )
        for selection in Ballot.objects.filter(budget_round=budget_round)
        .values_list("selection", flat=True)
        .iterator()
    ]


def round_projects(*, budget_round: BudgetRound) -> dict[str, Proposal]:
    return {str(p.pk): p for p in ballot_proposals(budget_round=budget_round)}


def round_results(*, budget_round: BudgetRound) -> rules.Outcome:
    """The outcome under the round's announced tally rule: the same code everywhere."""
    projects = round_projects(budget_round=budget_round)
    return RULES[budget_round.tally_rule](
        costs={pid: p.cost for pid, p in projects.items()},
        budget=budget_round.pot,
        ballots=round_ballots(budget_round=budget_round),
    )


def round_turnout(*, budget_round: BudgetRound) -> dict[str, int]:
    """People who voted, by channel; checked-in voters who have not voted yet are left out."""
    counts = Counter(
        Participation.objects.filter(budget_round=budget_round, voted_on__isnull=False)
        .values_list("channel", flat=True)
        .iterator()
    )
    return dict(counts)


def round_vote_counts(*, budget_round: BudgetRound) -> dict[str, int]:
    """Votes (or points) per project, as the live display and the results page show them."""
    totals: Counter[str] = Counter()
    for ballot in round_ballots(budget_round=budget_round):
        totals.update(ballot)
    return dict(totals)


def round_confirmation(*, budget_round: BudgetRound) -> RoundResult | None:
    return (
        RoundResult.objects.filter(budget_round=budget_round).select_related("confirmed_by").first()
    )
