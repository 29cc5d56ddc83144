"""The list engine: one run of Equal Shares in Python floats, every decision certified.

The same algorithm as :mod:`voting.tally.floats`, certified by the same bounds
(:mod:`voting.tally.certified`), with money as a list of Python floats instead of a NumPy array:
no NumPy to import (about 60 ms) and no big integers to rescale after every payment, as the
exact engine does. That makes it the fastest engine for a single run on a mid-sized election
(Warszawa 2020 Ochota: 41,736 voter-project pairs); NumPy's wins on larger ones.

The floats it computes are those the bounds cover: a supporter group's money by ``sum`` (Python
3.11: a left-to-right loop of float additions, erring by at most (n - 1)u times the sum of the
magnitudes, as NumPy's pairwise sum), the money of those who pay all they have by ``math.fsum``
(correctly rounded), money per unit of value by one division, and each voter's money minus an
exactly computed share, rounded once per payment. Whatever the bounds cannot settle raises
:class:`~voting.tally.certified.Uncertain`, and the run is redone by the exact engine.
"""

from collections import Counter
from itertools import chain, repeat
from math import fsum

from voting.tally.certified import (
    Payments,
    Uncertain,
    affordable,
    cheapest,
    check_price,
    everyone_pays_a_full_share,
    full_share_price,
    money_error,
    split_price,
)
from voting.tally.election import Election, Run, unfunded
from voting.tally.outcome import Explanation

__all__ = ["Uncertain", "equal_shares_lists"]


def ballot_rows(election: Election) -> tuple[list[list[int]], list[list[int]] | None]:
    """Per voter, the projects on their ballot and (None if all are 1) their values; built once
    per election."""
    rows = election.cache.get("rows")
    if rows is None:
        projects: list[list[int]] = [[] for _ in range(election.voters)]
        weighted = any(v is not None for v in election.values)
        values: list[list[int]] | None = [[] for _ in range(election.voters)] if weighted else None
        for j, group in enumerate(election.supporters):
            for i in group:
                projects[i].append(j)
            if values is not None:
                for i, v in zip(group, election.values[j] or repeat(1), strict=False):
                    values[i].append(v)
        rows = election.cache["rows"] = (projects, values)
    return rows


def equal_shares_lists(election: Election, num: int, den: int) -> Run:
    """One run of Equal Shares with num/den money per voter, in Python floats, certified.

    As :func:`voting.tally.floats.equal_shares_float`: payments are exact fractions computed
    from exact money, so the float money of a voter charged R times is within 4u*t*(R+2) of the
    exact one (u = 2**-53); each decision is checked against these bounds, exact ties between
    prices are settled with exact fractions, anything else raises Uncertain.
    """
    costs, scales, weights = election.costs, election.scales, election.weights
    supporters, values = election.supporters, election.values
    initial = num / den
    money = [initial] * election.voters
    drained = [False] * election.voters  # paid all they had: exact money 0 for good
    payments = Payments(den)
    payment = payments.payment
    charges = 0

    remaining = [j for j in range(len(costs)) if weights[j] > 0]
    lower = {j: full_share_price(costs[j], weights[j], scales[j])[0] for j in remaining}
    explanations: dict[int, Explanation] = {}
    selected: list[int] = []

    def exact_money(voters: list[int]) -> int:
        """Exact money of the given voters, times the payments' denominator.

        A voter who never paid all they had paid a full share of every funded project they
        support, so their money is the initial money minus those shares.
        """
        alive = [i for i in voters if not drained[i]]
        total = len(alive) * num * (payments.denominator // den)
        if not payment or not alive:
            return total
        projects, entry_values = ballot_rows(election)
        if entry_values is None:
            # How many of them support each project, counted in C.
            shares = Counter(chain.from_iterable(map(projects.__getitem__, alive)))
        else:
            shares = Counter()
            for i in alive:
                for j, v in zip(projects[i], entry_values[i], strict=True):
                    shares[j] += v
        for j, pay in payment.items():
            total -= shares[j] * pay
        return total

    # Per project evaluated: certified bounds on its price, the ballot value of the supporters
    # who pay a full share, what its supporters hold, their money per unit of value, and the
    # least of it among those who pay a full share (None: everyone does).
    evaluated: dict[int, tuple[float, float, int, float, list[float], float | None]] = {}

    def poor_of(j: int) -> list[int]:
        """The supporters of project j, evaluated this round, who pay all they have (only asked
        for the projects that may win the round)."""
        poor = found.get(j)
        if poor is None:
            keys, first_rich = evaluated[j][4:]
            # Certified: every supporter below first_rich pays all, no one else does.
            poor = found[j] = (
                []
                if first_rich is None
                else [i for i, key in zip(supporters[j], keys, strict=True) if key < first_rich]
            )
        return poor

    def exact_share(j: int) -> tuple[int, int]:
        """Exact payment per unit of ballot value for project j."""
        poor = poor_of(j)
        return payments.share(costs[j], evaluated[j][2], exact_money(poor) if poor else None)

    round_number = 0
    while remaining:
        round_number += 1
        error = money_error(initial, charges)  # bound on |float money - exact money|
        remaining.sort(key=lower.__getitem__)
        best_high = float("inf")
        evaluated = {}
        found: dict[int, list[int]] = {}  # poor_of, once per project and round
        dropped = []
        for j in remaining:
            if lower[j] > best_high:
                break
            group = supporters[j]
            # Comprehensions and plain loops: faster than map over bound methods in Python 3.11.
            held = [money[i] for i in group]
            available = sum(held)
            cost = costs[j]
            size = len(group)
            if not affordable(available, cost, size, error):
                dropped.append(j)
                continue
            vals = values[j]
            keys = held if vals is None else [b / v for b, v in zip(held, vals, strict=True)]
            total = weights[j]
            if everyone_pays_a_full_share(min(keys), cost, total, error):
                first_rich = None
                low, high = full_share_price(cost, total, scales[j])
            else:
                # Supporters by money per unit of value; the first `count` of them pay all
                # they have, the smallest count after which the next one affords the share.
                if vals is None:
                    ranked = sorted(held)
                    ranked_keys = ranked
                    ranked_values: list[int] | repeat[int] = repeat(1)
                else:
                    order = sorted(zip(keys, held, vals, strict=True))
                    ranked_keys = [key for key, _, _ in order]
                    ranked = [b for _, b, _ in order]
                    ranked_values = [v for _, _, v in order]
                money_before, value_before, count = 0.0, 0, size
                for k, b, v in zip(range(size), ranked, ranked_values, strict=False):
                    if (cost - money_before) * v <= b * (total - value_before):
                        count = k
                        break
                    money_before += b
                    value_before += v
                if count == 0 or count == size:  # too close to tell, or no one affords it
                    raise Uncertain
                poor_money = fsum(ranked[:count])
                total -= value_before
                first_rich = ranked_keys[count]
                low, high = split_price(
                    cost,
                    total,
                    scales[j],
                    poor_money,
                    count,
                    ranked_keys[count - 1],
                    first_rich,
                    error,
                )
            evaluated[j] = (low, high, total, available, keys, first_rich)
            if high < best_high:
                best_high = high
        for j in dropped:
            remaining.remove(j)
        if not evaluated:
            break
        for j, candidate in evaluated.items():
            lower[j] = candidate[0]
        contenders = [j for j, candidate in evaluated.items() if candidate[0] <= best_high]
        chosen, share = cheapest(contenders, exact_share, scales)
        low, high, total, available = evaluated[chosen][:4]
        rho = check_price(share, scales[chosen], low, high)  # the certified bounds must hold
        poor = poor_of(chosen)
        remaining.remove(chosen)
        payments.record(chosen, share)
        pay = share[0] / share[1]

        group = supporters[chosen]
        vals = values[chosen]
        without = sum(map(drained.__getitem__, group))
        if vals is None:
            for i in group:
                money[i] -= pay
        else:
            for i, v in zip(group, vals, strict=True):
                money[i] -= v * pay
        for i in poor:  # they pay all they have
            money[i] = 0.0
            drained[i] = True
        charges += 1
        explanations[chosen] = {
            "status": "funded",
            "round": round_number,
            "supporters": len(group),
            "supporters_budget": available,
            "share": pay,
            "effective_votes": costs[chosen] / pay,
            "rho": rho,
            "supporters_paying_all": len(poor) - without,
            "supporters_without_money": without,
        }
        selected.append(chosen)

    for j in range(len(costs)):
        if weights[j] and j not in explanations:
            left = fsum([money[i] for i in supporters[j]])
            explanations[j] = unfunded(len(supporters[j]), left)
    return Run(selected, explanations, 0)
