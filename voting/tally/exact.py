"""The exact engine: one run of Equal Shares with every voter's money as an exact integer.

Voter i holds ``money[i] / scale``, all over one common denominator ``scale`` that grows when a
payment needs it, so every comparison is between integers: ties, and "exactly enough money",
come out as with pabutools' fractions.

With ``track`` (used by add1), money is also an affine function of ``m``, the number of further
budget increments: voter i holds ``(money[i] + slope[i] * m) / scale``. Every decision of the run
is the sign of such a function at m = 0, so the run can work out the largest m up to which all
of its decisions stay the same (``Run.stable_for``), and add1 can jump over those increments.
"""

from collections import namedtuple
from itertools import repeat
from math import gcd

from voting.tally.election import Election, Run, unfunded
from voting.tally.outcome import Explanation

# Relative margin for comparing float approximations of exact prices (far above float error).
FLOAT_MARGIN = 1e-9


# Plain named tuples of integers (collections', not typing's: a recount starts without typing).
class Price(namedtuple("Price", "x0 xg d")):
    """A project's exact price per unit of utility, rho(m) = (x0 - xg * m) / d."""

    __slots__ = ()


class Evaluation(namedtuple("Evaluation", "x0 xg total paying_all without available")):
    """What funding a project now would take, in the run's integer money.

    ``x0``: what the supporters who pay a full share pay together (minus ``xg`` * m);
    ``total``: the ballot value of those supporters (the price is x0 / (total * scale));
    ``paying_all``: supporters who pay all the money they still have; ``without``: supporters
    with no money left; ``available``: what all its supporters hold.
    """

    __slots__ = ()


def cap(limit: int | None, a0: int, a1: int, strict: bool) -> int | None:
    """Tighten ``limit`` so that a0 + a1*m >= 0 (> 0 if strict), true at m = 0, holds up to it."""
    if a1 >= 0:
        return limit
    m = (a0 - 1) // -a1 if strict else a0 // -a1
    return m if limit is None or m < limit else limit


def equal_shares_exact(election: Election, num: int, den: int, *, track: bool) -> Run:
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
    # Last known price of each project, exact.
    # It is a lower bound on the current price, since money only decreases within a run.
    price = {j: Price(costs[j] * scale, 0, scales[j] * weights[j] * scale) for j in remaining}
    price_float = {j: costs[j] / (scales[j] * weights[j]) for j in remaining}
    explanations: dict[int, Explanation] = {}
    selected: list[int] = []

    def evaluate(j: int) -> Evaluation | None:
        """What funding project j would take now, or None if its supporters cannot afford it."""
        nonlocal limit
        group = supporters[j]
        held = list(map(money.__getitem__, group))
        available = sum(held)
        cost = costs[j] * scale
        if available < cost:
            if slope is not None:
                gain = sum(map(slope.__getitem__, group))
                limit = cap(limit, cost - available, -gain, True)
            return None
        vals, multiplier = values[j], multipliers[j]
        total = weights[j]
        # Supporter order: money per unit of value, as an exact integer key.
        keys = held if vals is None else list(map(int.__mul__, held, multiplier))
        unit = 1 if vals is None else multiplier[0] * vals[0]  # lcm of the values
        if cost * unit <= min(keys) * total:
            return Evaluation(cost, 0, total, 0, 0, available)
        if vals is None and slope is None:
            # Approval ballots, no slopes: the key is the money itself, and supporters with
            # the same key either all pay everything they hold or none does, so the money
            # sorted alone gives the same decisions as the tuples below, faster.
            x0, poor = cost, 0
            for b in sorted(held):
                if x0 <= b * total:
                    break
                x0 -= b
                total -= 1
                poor += 1
            without = held.count(0)
            return Evaluation(x0, 0, total, poor - without, without, available)
        # Supporters as (key, money, value, slope), poorest per unit of value first.
        slopes = repeat(0) if slope is None else map(slope.__getitem__, group)
        ordered = sorted(zip(keys, held, vals or repeat(1), slopes, strict=False))
        x0, xg, poor = cost, 0, 0
        for _key, b, v, g in ordered:
            if x0 * v <= b * total:
                break
            x0 -= b
            total -= v
            xg += g
            poor += 1
        if slope is not None and limit != 0:
            for _key, b, v, g in ordered[:poor]:
                limit = cap(limit, x0 * v - b * total, -(xg * v + g * total), False)
        without = held.count(0)
        return Evaluation(x0, xg, total, poor - without, without, available)

    round_number = 0
    while remaining:
        round_number += 1
        remaining.sort(key=price_float.__getitem__)
        best = -1
        best_price = Price(0, 0, 1)
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
            x0 = result.x0
            d = scales[j] * result.total * scale
            price[j] = Price(x0, result.xg, d)
            price_float[j] = x0 / d
            results[j] = result
            if best < 0 or x0 * best_price.d < best_price.x0 * d:
                best, best_price, tied = j, price[j], [j]
                threshold = price_float[j] * (1 + FLOAT_MARGIN)
            elif x0 * best_price.d == best_price.x0 * d:
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
                limit = cap(limit, jx0 * cd - cx0 * jd, cxg * jd - jxg * cd, j < chosen)
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
            # A comprehension: about a quarter faster than map(factor.__mul__, ...) here, and
            # this rescaling is half of a run on a large round.
            money = [factor * b for b in money]
            if slope is not None:
                slope = [factor * g for g in slope]
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
            explanations[j] = unfunded(len(supporters[j]), left / scale)
    return Run(selected, explanations, limit if track else None)
