"""What a project is worth to a voter: the ``utility`` every rule takes.

A ballot maps a project id to a positive integer: 1 for an approval (knapsack and choose-1
ballots are approval ballots), the points for a cumulative or scoring ballot, the Borda points
for a ranking. The rules read it in one of two ways:

``"cost"``
    a voter's utility for a project is ballot value x cost. For approval ballots this is
    pabutools' ``Cost_Sat``, the convention of equalshares.net. Greedy then orders projects by
    votes (points for cumulative ballots), as municipalities do, and Equal Shares with add1
    reproduces the published outcome of Assen 2024 (``Cardinality_Sat`` does not).
``"points"``
    the utility is the ballot value itself: pabutools' ``Cardinality_Sat`` for approval ballots,
    ``Additive_Cardinal_Sat`` for points (``Additive_Borda_Sat`` for rankings), the usual reading
    of Equal Shares with cumulative ballots. Greedy then orders projects by value per unit of cost.

Which one a round uses is part of its announced rules (``VotingConfig.utility``) and is printed
with its results. Unless the round says otherwise, :func:`default_utility` decides from the kind
of ballot, never from the values cast: Equal Shares counts points when a ballot can give a
project more than 1 (cumulative, scoring and ranking ballots), and cost otherwise; greedy always
counts cost, that is, ranks projects by their votes or points.
"""

TYPE_CHECKING = False  # typing is not imported at run time: a recount starts faster without it
if TYPE_CHECKING:
    from typing import Literal

    Utility = Literal["cost", "points"]
else:
    Utility = str
UTILITIES: tuple[Utility, ...] = ("cost", "points")

# Ballot kinds (pabulib vote types and the platform's ballot styles) whose values can exceed 1.
POINT_BALLOTS = frozenset({"cumulative", "scoring", "ordinal", "ranking"})


def default_utility(*, rule: str, ballot_kind: str) -> Utility:
    """The utility a rule counts with when the round does not name one."""
    if rule in ("mes", "mes_add1") and ballot_kind in POINT_BALLOTS:
        return "points"
    return "cost"


def check_utility(utility: str) -> None:
    if utility not in UTILITIES:
        raise ValueError(f"utility must be 'cost' or 'points', not {utility!r}")
