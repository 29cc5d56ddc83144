"""Tally rules for a budget round: greedy and the Method of Equal Shares.

Pure functions over plain data (costs, budget, ballots); no Django, no ORM. They follow
pabutools 1.2.3 exactly; tests/voting/test_rules.py compares them on real pabulib files and on
hundreds of generated elections.

Ballots
    A ballot maps a project id to a positive integer: 1 for an approval (knapsack and choose-1
    ballots are approval ballots), the points for a cumulative ballot. Zero entries are ignored.
    Every ballot counts as a voter, an empty one too: it gets its share of the budget in Equal
    Shares, as in pabutools. Costs are positive integers; the budget is a non-negative integer.

Utility (keyword ``utility``)
    ``"cost"`` (default): a voter's utility for a project is ballot value x cost. For approval
    ballots this is pabutools' ``Cost_Sat``, the convention of equalshares.net. Greedy then orders
    projects by votes (points for cumulative ballots), as municipalities do, and Equal Shares with
    add1 reproduces the published outcome of Assen 2024 (Cardinality_Sat does not).
    ``"ballot"``: the utility is the ballot value itself: pabutools' ``Cardinality_Sat`` for
    approval ballots, ``Additive_Cardinal_Sat`` for points, the usual reading of Equal Shares with
    cumulative ballots. Greedy then orders projects by value per unit of cost.

Tie-breaking
    pabutools' default, ``lexico_tie_breaking``: among projects tied on the rule's criterion
    (greedy: score, or score per cost; Equal Shares: the price rho), the one whose id comes first
    in Python's string order wins. Ids are compared as strings, so "10" precedes "9".

Greedy (pabutools ``greedy_utilitarian_welfare``)
    Projects in order of decreasing score (ties as above); each one is funded if its cost fits in
    what is left. Projects nobody voted for score 0 and are funded last if money remains.

Equal Shares (pabutools ``method_of_equal_shares``, no completion)
    Each voter gets budget / number of ballots. In each round, for every project the rule finds
    the smallest price rho per unit of utility such that its supporters, each paying
    min(own money, rho x utility), cover its cost; it funds the project with the smallest rho and
    charges its supporters. A project whose supporters hold less money than its cost drops out.

Equal Shares with add1 (pabutools ``method_of_equal_shares(..., voter_budget_increment=1)``)
    Starting from budget / n, every voter's budget is raised by one currency unit at a time.
    The first outcome that is exhaustive (no unfunded project with supporters fits in what is
    left of the real budget) is returned; if an outcome costs more than the real budget, the
    previous one is returned instead.

Arithmetic
    Decisions are exact, as pabutools takes them with gmpy2 fractions: ties, and "exactly
    enough money", come out the same. Two engines compute Equal Shares:

    * exact: every voter's money as an integer over a common denominator;
    * float: money as floats in NumPy arrays (one vectorised pass per project evaluated, which
      makes a run on 100,000 ballots about five times faster than Python lists), but each
      payment is an exact fraction computed from exact money
      (a voter's exact money is the initial money minus the exact shares they paid, or 0
      once they paid all they had). Rounding errors therefore stay within a proven bound
      (4u*t*(R+2) after R rounds, u = 2**-53, t the initial money) instead of compounding.
      Every comparison is checked against that bound; exact ties between prices are settled
      with fractions, and anything else the bound cannot settle hands the run to the exact
      engine. Floats also appear in the explanations, for display.

    For add1, the exact engine also works out how many further increments would leave every
    decision of its run unchanged (money is affine in the increment and each decision is the
    sign of an affine function), and the loop jumps over them. That pays off on small rounds
    (Assen 2024: 843 increments in 58 runs); on large ones some voter is always within one
    increment of a decision, so add1 uses the float engine there, one run per increment.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import repeat
from math import fsum, gcd, lcm
from typing import Literal

import numpy as np

Utility = Literal["cost", "ballot"]
Explanation = dict[str, object]

# Relative margin for comparing float approximations of exact prices (far above float error).
_FLOAT_MARGIN = 1e-9
# Up to this many (voter, project) pairs, add1 uses the exact engine and its skipping.
_SMALL = 10_000
_UNIT = 2.0**-53  # unit roundoff of IEEE doubles
_FLOAT_SAFE = 2**50  # costs, budget and values below this are exact as floats


@dataclass(frozen=True)
class Outcome:
    """The projects a rule funds, in selection order, and why each project was or wasn't funded.

    ``explanations`` maps every project id to a dict with a ``status`` ("funded" or "not_funded")
    and rule-specific figures; amounts of money that need not be whole are floats. ``details``
    holds figures about the run as a whole.
    """

    rule: str
    selected: list[str]
    total_cost: int
    explanations: dict[str, Explanation]
    details: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Election:
    ids: list[str]  # sorted, so a smaller index means the id wins ties
    costs: list[int]
    budget: int
    voters: int
    supporters: list[list[int]]  # per project, indices of the voters with a positive value
    values: list[list[int] | None]  # per project, those voters' values; None if all are 1
    weights: list[int]  # per project, the sum of the values
    multipliers: list[list[int] | None]  # per project, lcm(values) // value, to order exactly
    scales: list[int]  # per project, utility per unit of ballot value: the cost, or 1
    entries: int  # number of (voter, project) pairs with a positive value
    float_ok: bool  # the budget, every cost and every sum of values is exact as a float
    cache: dict[str, object] = field(default_factory=dict)  # derived data, built on demand


@dataclass(frozen=True, slots=True)
class _Arrays:
    """An election's ballots as NumPy arrays, for the float engine."""

    supporters: list[np.ndarray]  # per project, the voters with a positive value
    values: list[np.ndarray | None]  # per project, those voters' values; None if all are 1
    starts: np.ndarray  # per voter, where their entries start in ``projects`` (n + 1 items)
    projects: np.ndarray  # per entry (voter, project), the project
    entry_values: np.ndarray | None  # per entry, the value; None if every value is 1


@dataclass(slots=True)
class _Run:
    selected: list[int]
    explanations: dict[int, Explanation]
    # Further budget increments over which every decision of this run stays the same
    # (None: any number); only computed when asked for.
    stable_for: int | None


def greedy(
    *,
    costs: Mapping[str, int],
    budget: int,
    ballots: Sequence[Mapping[str, int]],
    utility: Utility = "cost",
) -> Outcome:
    """Fund projects by decreasing score while they fit in the budget."""
    ids = _check_projects(costs, budget, utility)
    score = dict.fromkeys(ids, 0)
    try:
        for ballot in ballots:
            for project, value in ballot.items():
                if value.__class__ is not int or value < 0:
                    raise ValueError(f"ballot value for {project!r} must be an integer >= 0")
                score[project] += value
    except KeyError as error:
        raise ValueError(f"ballot names unknown project {error.args[0]!r}") from None
    except AttributeError:
        raise ValueError("each ballot must map project ids to integers") from None

    if utility == "cost":
        order = sorted(ids, key=lambda p: -score[p])  # stable: ties stay in id order
    else:
        order = sorted(ids, key=lambda p: -Fraction(score[p], costs[p]))

    remaining = budget
    selected: list[str] = []
    explanations: dict[str, Explanation] = {}
    for rank, project in enumerate(order, start=1):
        cost = costs[project]
        explanation: Explanation = {
            "rank": rank,
            "score": score[project],
            "cost": cost,
            "remaining_before": remaining,
        }
        if cost <= remaining:
            remaining -= cost
            selected.append(project)
            explanation["status"] = "funded"
        else:
            explanation["status"] = "not_funded"
            explanation["reason"] = "exceeds_remaining_budget"
        explanations[project] = explanation
    return Outcome(
        rule="greedy",
        selected=selected,
        total_cost=budget - remaining,
        explanations=explanations,
        details={"budget": budget, "utility": utility, "voters": len(ballots)},
    )


def mes(
    *,
    costs: Mapping[str, int],
    budget: int,
    ballots: Sequence[Mapping[str, int]],
    utility: Utility = "cost",
    voter_budget: Fraction | int | None = None,
) -> Outcome:
    """The Method of Equal Shares without completion.

    ``voter_budget`` overrides each voter's initial money (default: budget / number of ballots).
    """
    election = _prepare(costs, budget, ballots, utility)
    if election.voters == 0:
        return _outcome("mes", election, _Run([], {}, None), {"voter_budget": 0.0})
    share = Fraction(budget, election.voters) if voter_budget is None else Fraction(voter_budget)
    if share < 0:
        raise ValueError("voter_budget must be >= 0")
    run = _equal_shares(election, share.numerator, share.denominator)
    return _outcome("mes", election, run, {"voter_budget": float(share)})


def mes_add1(
    *,
    costs: Mapping[str, int],
    budget: int,
    ballots: Sequence[Mapping[str, int]],
    utility: Utility = "cost",
) -> Outcome:
    """The Method of Equal Shares completed by add1, as pabutools' ``voter_budget_increment=1``."""
    election = _prepare(costs, budget, ballots, utility)
    n = election.voters
    if n == 0:
        return _outcome("mes_add1", election, _Run([], {}, None), {"voter_budget": 0.0})
    start = Fraction(budget, n)
    num, den = start.numerator, start.denominator
    supported = [j for j, weight in enumerate(election.weights) if weight > 0]
    step = 0  # budget increments added to every voter
    runs = 0
    # The exact engine also says how many increments leave its outcome unchanged, which pays
    # off on small rounds; on larger ones that number is almost always 0 and the float engine
    # is faster.
    exact = election.entries <= _SMALL or not election.float_ok
    while True:
        run = None if exact else _try_float(election, num + step * den, den)
        if run is None:
            run = _equal_shares_exact(election, num + step * den, den, track=True)
        runs += 1
        spent = sum(election.costs[j] for j in run.selected)
        if spent > budget:
            # Step 0 never overspends, so a previous step exists, in the stable range of the
            # previous run. Recompute it for its explanations.
            step -= 1
            run = _equal_shares(election, num + step * den, den)
            runs += 1
            stopped_by = "next_increment_over_budget"
            break
        chosen = set(run.selected)
        left = budget - spent
        if all(j in chosen or election.costs[j] > left for j in supported):
            stopped_by = "exhaustive"
            break
        if run.stable_for is None:  # pragma: no cover - more money always changes the outcome
            raise RuntimeError("Equal Shares with add1 does not terminate on this input")
        step += run.stable_for + 1
    details = {
        "voter_budget": float(start + step),
        "voter_budget_start": float(start),
        "increments": step,
        "stopped_by": stopped_by,
        "mes_runs": runs,
    }
    return _outcome("mes_add1", election, run, details)


def _try_float(election: _Election, num: int, den: int) -> _Run | None:
    if not election.float_ok:
        return None
    try:
        return _equal_shares_float(election, num, den)
    except _Uncertain:
        return None


def _equal_shares(election: _Election, num: int, den: int) -> _Run:
    """One run of Equal Shares: in floats where they settle every decision, else exactly."""
    run = _try_float(election, num, den)
    return run if run is not None else _equal_shares_exact(election, num, den, track=False)


def _check_projects(costs: Mapping[str, int], budget: int, utility: str) -> list[str]:
    if utility not in ("cost", "ballot"):
        raise ValueError(f"utility must be 'cost' or 'ballot', not {utility!r}")
    if budget.__class__ is not int or budget < 0:
        raise ValueError("budget must be an integer >= 0")
    for project, cost in costs.items():
        if project.__class__ is not str:
            raise ValueError(f"project id {project!r} must be a string")
        if cost.__class__ is not int or cost <= 0:
            raise ValueError(f"cost of {project!r} must be an integer > 0")
    return sorted(costs)


def _prepare(
    costs: Mapping[str, int], budget: int, ballots: Sequence[Mapping[str, int]], utility: str
) -> _Election:
    ids = _check_projects(costs, budget, utility)
    index = {project: j for j, project in enumerate(ids)}
    supporters: list[list[int]] = [[] for _ in ids]
    values: list[list[int]] = [[] for _ in ids]
    try:
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
    return _Election(
        ids=ids,
        costs=cost_list,
        budget=budget,
        voters=len(ballots),
        supporters=supporters,
        values=[None if w == len(vals) else vals for w, vals in zip(weights, values, strict=True)],
        weights=weights,
        multipliers=multipliers,
        scales=cost_list if utility == "cost" else [1] * len(ids),
        entries=sum(map(len, supporters)),
        float_ok=max([budget, *cost_list, *weights]) < _FLOAT_SAFE,
    )


def _outcome(rule: str, election: _Election, run: _Run, details: dict[str, object]) -> Outcome:
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
        details={"budget": election.budget, "voters": election.voters, **details},
    )


def _unfunded(supporters: int, money: float) -> Explanation:
    # Equal Shares ends when no project left is affordable: what its supporters hold at the
    # end falls short of its cost.
    return {
        "status": "not_funded",
        "reason": "supporters_budget_too_small",
        "supporters": supporters,
        "supporters_budget": money,
    }


def _cap(limit: int | None, a0: int, a1: int, strict: bool) -> int | None:
    """Tighten ``limit`` so that a0 + a1*m >= 0 (> 0 if strict), true at m = 0, holds up to it."""
    if a1 >= 0:
        return limit
    m = (a0 - 1) // -a1 if strict else a0 // -a1
    return m if limit is None or m < limit else limit


def _equal_shares_exact(election: _Election, num: int, den: int, *, track: bool) -> _Run:
    """One run of Equal Shares with num/den money per voter.

    Voter i holds (money[i] + slope[i] * m) / scale, where m counts further add1 increments;
    every decision is taken at m = 0. With ``track``, the run also finds how far m can grow
    before any decision would change (slopes are only kept while that bound is above 0).
    """
    costs, scales, multipliers = election.costs, election.scales, election.multipliers
    supporters, values, weights = election.supporters, election.values, election.weights
    scale = den
    money = [num] * election.voters
    slope: list[int] | None = [den] * election.voters if track else None
    limit: int | None = None

    remaining = [j for j in range(len(costs)) if weights[j] > 0]
    # Last known price of each project, exact as (x0, xg, d): rho(m) = (x0 - xg * m) / d.
    # It is a lower bound on the current price, since money only decreases within a run.
    price = {j: (costs[j] * scale, 0, scales[j] * weights[j] * scale) for j in remaining}
    price_float = {j: costs[j] / (scales[j] * weights[j]) for j in remaining}
    explanations: dict[int, Explanation] = {}
    selected: list[int] = []

    def evaluate(j: int) -> tuple[int, int, int, int, int, int] | None:
        """(x0, xg, total, paying all, without money, supporters' money), or None if unaffordable.

        The price is x0 / (total * scale) per unit of ballot value (x0 - xg * m with slopes).
        """
        nonlocal limit
        group = supporters[j]
        held = list(map(money.__getitem__, group))
        available = sum(held)
        cost = costs[j] * scale
        if available < cost:
            if slope is not None:
                gain = sum(map(slope.__getitem__, group))
                limit = _cap(limit, cost - available, -gain, True)
            return None
        vals, multiplier = values[j], multipliers[j]
        total = weights[j]
        # Supporter order: money per unit of value, as an exact integer key.
        keys = held if vals is None else list(map(int.__mul__, held, multiplier))
        unit = 1 if vals is None else multiplier[0] * vals[0]  # lcm of the values
        if cost * unit <= min(keys) * total:
            return cost, 0, total, 0, 0, available
        if slope is None:
            ordered = sorted(zip(keys, held, vals or repeat(1), strict=False))
        else:
            slopes = map(slope.__getitem__, group)
            ordered = sorted(zip(keys, held, vals or repeat(1), slopes, strict=False))
        x0, xg, poor = cost, 0, 0
        for entry in ordered:
            b, v = entry[1], entry[2]
            if x0 * v <= b * total:
                break
            x0 -= b
            total -= v
            if slope is not None:
                xg += entry[3]
            poor += 1
        if slope is not None and limit != 0:
            for entry in ordered[:poor]:
                v = entry[2]
                limit = _cap(limit, x0 * v - entry[1] * total, -(xg * v + entry[3] * total), False)
        without = held.count(0)
        return x0, xg, total, poor - without, without, available

    round_number = 0
    while remaining:
        round_number += 1
        remaining.sort(key=price_float.__getitem__)
        best = -1
        best_price = (0, 0, 1)
        threshold = 0.0
        tied: list[int] = []
        results = {}
        dropped = []
        for j in remaining:
            if best >= 0 and price_float[j] > threshold:
                break
            result = evaluate(j)
            if result is None:
                dropped.append(j)
                continue
            x0, xg, total = result[0], result[1], result[2]
            d = scales[j] * total * scale
            price[j] = (x0, xg, d)
            price_float[j] = x0 / d
            results[j] = result
            if best < 0 or x0 * best_price[2] < best_price[0] * d:
                best, best_price, tied = j, (x0, xg, d), [j]
                threshold = price_float[j] * (1 + _FLOAT_MARGIN)
            elif x0 * best_price[2] == best_price[0] * d:
                tied.append(j)
        for j in dropped:
            remaining.remove(j)
        if best < 0:
            break
        chosen = min(tied)
        remaining.remove(chosen)
        x0, xg, total, paying_all, without, available = results[chosen]
        cx0, cxg, cd = price[chosen]

        if slope is not None and limit != 0:
            # Every other project must stay at least as expensive (strictly if it wins ties).
            for j in remaining:
                jx0, jxg, jd = price[j]
                limit = _cap(limit, jx0 * cd - cx0 * jd, cxg * jd - jxg * cd, j < chosen)
        if limit == 0:
            slope = None  # nothing left to find out; stop carrying slopes

        explanations[chosen] = {
            "status": "funded",
            "round": round_number,
            "supporters": len(supporters[chosen]),
            "supporters_budget": available / scale,
            "share": x0 / (total * scale),
            "effective_votes": costs[chosen] * total * scale / x0,
            "rho": x0 / cd,
            "supporters_paying_all": paying_all,
            "supporters_without_money": without,
        }

        # Charge the supporters: those with less than their share pay all they have, the others
        # pay (x0 - xg * m) * v / total. Rescale first so that the shares are integers.
        g = gcd(total, x0, xg)
        factor, pay0, payg = total // g, x0 // g, xg // g
        if factor != 1:
            scale *= factor
            money = list(map(factor.__mul__, money))
            if slope is not None:
                slope = list(map(factor.__mul__, slope))
        vals = values[chosen]
        group = supporters[chosen]
        if vals is None:
            if slope is None:
                for i in group:
                    b = money[i]
                    money[i] = b - pay0 if b >= pay0 else 0
            else:
                for i in group:
                    b = money[i]
                    if b >= pay0:
                        money[i] = b - pay0
                        slope[i] += payg
                    else:
                        money[i] = slope[i] = 0
        else:
            for i, v in zip(group, vals, strict=True):
                b, share = money[i], v * pay0
                if b >= share:
                    money[i] = b - share
                    if slope is not None:
                        slope[i] += v * payg
                else:
                    money[i] = 0
                    if slope is not None:
                        slope[i] = 0
        selected.append(chosen)

    for j in range(len(costs)):
        if weights[j] and j not in explanations:
            left = sum(map(money.__getitem__, supporters[j]))
            explanations[j] = _unfunded(len(supporters[j]), left / scale)
    return _Run(selected, explanations, limit if track else None)


class _Uncertain(Exception):
    """Floating point cannot settle a decision; the exact engine has to."""


def _arrays(election: _Election) -> _Arrays:
    """The election as NumPy arrays for the float engine, built once per election."""
    arrays = election.cache.get("arrays")
    if arrays is None:
        supporters = [np.array(group, dtype=np.intp) for group in election.supporters]
        values = [None if v is None else np.array(v, dtype=np.float64) for v in election.values]
        # Per voter, the projects on their ballot and their values, as compressed rows.
        lengths = np.zeros(election.voters, dtype=np.intp)
        for group in supporters:
            lengths[group] += 1  # a voter appears at most once per project
        starts = np.zeros(election.voters + 1, dtype=np.intp)
        np.cumsum(lengths, out=starts[1:])
        projects = np.empty(election.entries, dtype=np.intp)
        entry_values = np.empty(election.entries, dtype=np.float64)
        cursor = starts[:-1].copy()
        for j, group in enumerate(supporters):
            slots = cursor[group]
            projects[slots] = j
            entry_values[slots] = 1.0 if values[j] is None else values[j]
            cursor[group] += 1
        weighted = any(v is not None for v in values)
        arrays = _Arrays(supporters, values, starts, projects, entry_values if weighted else None)
        election.cache["arrays"] = arrays
    return arrays


def _equal_shares_float(election: _Election, num: int, den: int) -> _Run:
    """One run of Equal Shares with num/den money per voter, in floats, certified.

    Payments are exact fractions (each voter's exact money is the initial money minus the exact
    payments they made, or 0 once they paid all they had); the float money of a voter charged
    R times is within 4u*t*(R+2) of the exact one (u = 2**-53), with no amplification, since
    no float error feeds into a payment. Each decision is checked against these bounds; exact
    ties between prices are settled with exact fractions, anything else that the bounds cannot
    settle raises _Uncertain. Money is a NumPy array; sums of n floats err by at most
    (n - 1)u times the sum of their magnitudes, NumPy's pairwise summation included.
    """
    costs, scales, weights = election.costs, election.scales, election.weights
    arrays = _arrays(election)
    supporters, values = arrays.supporters, arrays.values
    initial = num / den
    money = np.full(election.voters, initial)
    drained = np.zeros(election.voters, dtype=bool)  # paid all they had: exact money 0 for good
    denominator = den  # common denominator of the exact payments (and of the initial money)
    payment: dict[int, int] = {}  # exact payment per unit of ballot value, times denominator
    charges = 0
    margin = 1 + 2 * _UNIT

    remaining = [j for j in range(len(costs)) if weights[j] > 0]
    lower = {j: costs[j] / (scales[j] * weights[j]) / margin for j in remaining}
    explanations: dict[int, Explanation] = {}
    selected: list[int] = []

    def exact_money(voters: np.ndarray) -> int:
        """Exact money of the given voters, times denominator.

        A voter who never paid all they had paid a full share of every funded project they
        support, so their money is the initial money minus those shares.
        """
        alive = voters[~drained[voters]]
        total = alive.size * num * (denominator // den)
        if not payment or not alive.size:
            return total
        first, sizes = arrays.starts[alive], arrays.starts[alive + 1] - arrays.starts[alive]
        entries = np.repeat(first - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        weighted = None if arrays.entry_values is None else arrays.entry_values[entries]
        shares = np.bincount(arrays.projects[entries], weighted, minlength=len(costs))
        for j, pay in payment.items():
            total -= int(shares[j]) * pay
        return total

    def exact_share(j: int, total: int, poor: np.ndarray) -> Fraction:
        """Exact payment per unit of ballot value for project j."""
        if not poor.size:
            return Fraction(costs[j], total)
        return Fraction(costs[j] * denominator - exact_money(poor), denominator * total)

    nobody = np.empty(0, dtype=np.intp)
    round_number = 0
    while remaining:
        round_number += 1
        error = 4 * _UNIT * initial * (charges + 2)  # bound on |float money - exact money|
        remaining.sort(key=lower.__getitem__)
        best_high = float("inf")
        evaluated: dict[int, tuple] = {}
        dropped = []
        for j in remaining:
            if lower[j] > best_high:
                break
            group = supporters[j]
            held = money[group]
            available = float(held.sum())
            cost = costs[j]
            size = group.size
            slack = size * error + (size + 2) * _UNIT * (abs(available) + 2 * size * error)
            if available + slack < cost:
                dropped.append(j)
                continue
            if available - slack < cost:
                raise _Uncertain
            vals = values[j]
            keys = held if vals is None else held / vals
            total = weights[j]
            smallest = float(keys.min())
            high = cost / total * margin
            if smallest - 2 * _UNIT * abs(smallest) - error >= high:
                poor, low = nobody, cost / total / margin
            else:
                # Supporters by money per unit of value; the first `count` of them pay all
                # they have, the smallest count after which the next one affords the share.
                if vals is None:
                    ranked = np.sort(held)
                    ranked_keys = ranked
                    ranked_values: np.ndarray | float = 1.0
                    value_before = np.arange(size + 1, dtype=np.float64)
                else:
                    order = np.argsort(keys, kind="stable")
                    ranked = held[order]
                    ranked_keys = keys[order]
                    ranked_values = vals[order]
                    value_before = np.zeros(size + 1)
                    np.cumsum(ranked_values, out=value_before[1:])
                money_before = np.zeros(size + 1)
                np.cumsum(ranked, out=money_before[1:])
                affords = (cost - money_before[:-1]) * ranked_values <= ranked * (
                    total - value_before[:-1]
                )
                count = int(affords.argmax()) if affords.any() else size
                if count == 0 or count == size:  # too close to tell, or no one affords it
                    raise _Uncertain
                poor_money = fsum(ranked[:count].tolist())
                x0 = cost - poor_money
                total -= int(value_before[count])
                x_error = count * error + 2 * _UNIT * (cost + poor_money)
                low = (x0 - x_error) / total / margin
                high = (x0 + x_error) / total * margin
                last_poor, first_rich = float(ranked_keys[count - 1]), float(ranked_keys[count])
                if (
                    last_poor + 2 * _UNIT * abs(last_poor) + error >= low
                    or first_rich - 2 * _UNIT * abs(first_rich) - error < high
                ):
                    raise _Uncertain
                poor = group[keys < first_rich]
            scale = scales[j]
            low, high = low / scale / margin, high / scale * margin
            evaluated[j] = (low, high, total, poor, available, held)
            best_high = min(best_high, high)
        for j in dropped:
            remaining.remove(j)
        if not evaluated:
            break
        for j, entry in evaluated.items():
            lower[j] = entry[0]
        contenders = [j for j, entry in evaluated.items() if entry[0] <= best_high]
        if len(contenders) == 1:
            chosen = contenders[0]
            share = exact_share(chosen, evaluated[chosen][2], evaluated[chosen][3])
        else:
            shares = {j: exact_share(j, evaluated[j][2], evaluated[j][3]) for j in contenders}
            chosen = min(contenders, key=lambda j: (shares[j] / scales[j], j))
            share = shares[chosen]
        low, high, total, poor, available, held = evaluated[chosen]
        rho = share / scales[chosen]
        if not low <= rho <= high or share <= 0:  # the certified bounds must hold
            raise _Uncertain
        remaining.remove(chosen)

        common = lcm(denominator, share.denominator)
        if common != denominator:
            factor = common // denominator
            for j in payment:
                payment[j] *= factor
            denominator = common
        payment[chosen] = share.numerator * (denominator // share.denominator)
        pay = float(share)

        group = supporters[chosen]
        vals = values[chosen]
        without = int(drained[group].sum())
        money[group] = held - pay if vals is None else held - vals * pay
        money[poor] = 0.0  # they pay all they have
        drained[poor] = True
        charges += 1
        explanations[chosen] = {
            "status": "funded",
            "round": round_number,
            "supporters": int(group.size),
            "supporters_budget": available,
            "share": pay,
            "effective_votes": costs[chosen] / pay,
            "rho": float(rho),
            "supporters_paying_all": int(poor.size) - without,
            "supporters_without_money": without,
        }
        selected.append(chosen)

    for j in range(len(costs)):
        if weights[j] and j not in explanations:
            left = fsum(money[supporters[j]].tolist())
            explanations[j] = _unfunded(len(supporters[j]), left)
    return _Run(selected, explanations, 0)
