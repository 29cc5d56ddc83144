"""An election as the rules read it: validated plain data, indexed once.

Ballots
    A ballot maps a project id to a positive integer (see :mod:`voting.tally.utility`). Zero
    entries are ignored. Every ballot counts as a voter, an empty one too: it gets its share of
    the budget in Equal Shares, as in pabutools. Costs are positive integers; the budget is a
    non-negative integer.

Tie-breaking
    pabutools' default, ``lexico_tie_breaking``: among projects tied on the rule's criterion
    (greedy: score, or score per cost; Equal Shares: the price rho), the one whose id comes first
    in Python's string order wins. Ids are compared as strings, so "10" precedes "9". Projects
    are therefore indexed in sorted id order, and a smaller index wins ties.
"""

from collections import namedtuple
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain, repeat
from math import lcm

from voting.tally.outcome import Explanation, Outcome
from voting.tally.utility import check_utility

FLOAT_SAFE = 2**50  # costs, budget and values below this are exact as floats


# Named tuples (collections', not dataclasses: a recount starts faster without importing those).
_ELECTION_FIELDS = (
    "ids",  # sorted, so a smaller index means the id wins ties
    "costs",
    "budget",
    "voters",
    "utility",
    "supporters",  # per project, indices of the voters with a positive value
    "values",  # per project, those voters' values; None if all are 1
    "weights",  # per project, the sum of the values
    "multipliers",  # per project, lcm(values) // value, to order exactly
    "scales",  # per project, utility per unit of ballot value: the cost, or 1
    "entries",  # number of (voter, project) pairs with a positive value
    "float_ok",  # the budget, every cost and every sum of values is exact as a float
    "cache",  # dict of derived data, built on demand
)


class Election(namedtuple("Election", _ELECTION_FIELDS)):
    """An election by project index, validated; see the field names above."""

    __slots__ = ()
    ids: list[str]
    costs: list[int]
    budget: int
    voters: int
    utility: str
    supporters: list[list[int]]
    values: list[list[int] | None]
    weights: list[int]
    multipliers: list[list[int] | None]
    scales: list[int]
    entries: int
    float_ok: bool
    cache: dict[str, object]


class Run(namedtuple("Run", "selected explanations stable_for")):
    """One run of Equal Shares, by project index: the projects selected (list of indices), their
    explanations (dict by index) and ``stable_for``, the further budget increments over which
    every decision of this run stays the same (None: any number; only computed when asked for).
    """

    __slots__ = ()
    selected: list[int]
    explanations: dict[int, Explanation]
    stable_for: int | None


def check_projects(costs: Mapping[str, int], budget: int, utility: str) -> list[str]:
    """The project ids in tie-breaking order, once costs, budget and utility are checked."""
    check_utility(utility)
    if budget.__class__ is not int or budget < 0:
        raise ValueError("budget must be an integer >= 0")
    for project, cost in costs.items():
        if project.__class__ is not str:
            raise ValueError(f"project id {project!r} must be a string")
        if cost.__class__ is not int or cost <= 0:
            raise ValueError(f"cost of {project!r} must be an integer > 0")
    return sorted(costs)


class ApprovalBallots(Sequence):
    """Approval ballots kept as the lists of project ids a file gives (no id twice in a list).
    Read as a sequence, each is the ballot the rules take, ``{id: 1, ...}``; the rules read the
    lists themselves. A reader hands ballots over this way to make no dict per voter."""

    __slots__ = ("chosen",)

    def __init__(self, chosen: list[list[str]]) -> None:
        self.chosen = chosen

    def __len__(self) -> int:
        return len(self.chosen)

    def __getitem__(self, index):  # type: ignore[override]
        if index.__class__ is slice:
            return ApprovalBallots(self.chosen[index])
        return dict.fromkeys(self.chosen[index], 1)

    def __iter__(self) -> Iterator[dict[str, int]]:
        return map(dict.fromkeys, self.chosen, repeat(1))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __repr__(self) -> str:
        return f"ApprovalBallots({self.chosen!r})"


def approval_lists(ballots: Sequence[Mapping[str, int]]) -> Iterable[Iterable[str]] | None:
    """Each ballot's project ids if all the ballots are approval ballots (every value the
    integer 1), else None: the rules then count supporters without checking value by value."""
    if ballots.__class__ is ApprovalBallots:
        return ballots.chosen  # type: ignore[attr-defined]
    if set(map(type, ballots)) - {dict}:
        return None
    values = list(chain.from_iterable(map(dict.values, ballots)))
    # 1 == True == 1.0: the types are checked too
    if values.count(1) == len(values) and set(map(type, values)) <= {int}:
        return ballots  # a dict's ids are its keys
    return None


def prepare(
    costs: Mapping[str, int], budget: int, ballots: Sequence[Mapping[str, int]], utility: str
) -> Election:
    ids = check_projects(costs, budget, utility)
    index = {project: j for j, project in enumerate(ids)}
    supporters: list[list[int]] = [[] for _ in ids]
    values: list[list[int]] = [[] for _ in ids]
    try:
        chosen = approval_lists(ballots)
        if chosen is not None:
            for voter, listed in enumerate(chosen):
                for project in listed:
                    supporters[index[project]].append(voter)
            values = [[1] * len(group) for group in supporters]
        else:
            for voter, ballot in enumerate(ballots):
                for project, value in ballot.items():
                    if value.__class__ is not int or value < 0:
                        raise ValueError(f"ballot value for {project!r} must be an integer >= 0")
                    j = index[project]
                    if value:
                        supporters[j].append(voter)
                        values[j].append(value)
    except KeyError as error:
        raise ValueError(f"ballot names unknown project {error.args[0]!r}") from None
    except AttributeError:
        raise ValueError("each ballot must map project ids to integers") from None
    cost_list = [costs[project] for project in ids]
    weights = [sum(vals) for vals in values]
    multipliers: list[list[int] | None] = []
    for weight, vals in zip(weights, values, strict=True):
        if weight == len(vals):
            multipliers.append(None)
        else:
            common = lcm(*set(vals))
            multipliers.append([common // v for v in vals])
    return Election(
        ids=ids,
        costs=cost_list,
        budget=budget,
        voters=len(ballots),
        utility=utility,
        supporters=supporters,
        values=[None if w == len(vals) else vals for w, vals in zip(weights, values, strict=True)],
        weights=weights,
        multipliers=multipliers,
        scales=cost_list if utility == "cost" else [1] * len(ids),
        entries=sum(map(len, supporters)),
        float_ok=max([budget, *cost_list, *weights]) < FLOAT_SAFE,
        cache={},
    )


def outcome_of(rule: str, election: Election, run: Run, details: dict[str, object]) -> Outcome:
    """The run as an :class:`Outcome` by project id; projects nobody voted for are explained too."""
    ids = election.ids
    explanations: dict[str, Explanation] = {}
    for j, project in enumerate(ids):
        explanation = run.explanations.get(j)
        if explanation is None:
            explanation = {"status": "not_funded", "reason": "no_supporters", "supporters": 0}
        explanations[project] = {"cost": election.costs[j], **explanation}
    return Outcome(
        rule=rule,
        selected=[ids[j] for j in run.selected],
        total_cost=sum(election.costs[j] for j in run.selected),
        explanations=explanations,
        details={
            "budget": election.budget,
            "utility": election.utility,
            "voters": election.voters,
            **details,
        },
    )


def unfunded(supporters: int, money: float) -> Explanation:
    # Equal Shares ends when no project left is affordable: what its supporters hold at the
    # end falls short of its cost.
    return {
        "status": "not_funded",
        "reason": "supporters_budget_too_small",
        "supporters": supporters,
        "supporters_budget": money,
    }
