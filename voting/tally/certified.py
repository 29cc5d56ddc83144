"""The error bounds that certify a float run of Equal Shares: one rule for both float engines.

A float engine (:mod:`voting.tally.floats` over NumPy arrays, :mod:`voting.tally.lists` over
Python lists) holds each voter's money as a float, but every payment is an exact fraction
computed from exact money (a voter's exact money is the initial money minus the exact shares
they paid, or 0 once they paid all they had). The float money of a voter charged R times is
therefore within 4u*t*(R+2) of the exact one (u = 2**-53, t the initial money), with no
amplification, since no float error feeds into a payment.

The engines compute, per project evaluated, only these floats: what its supporters hold
(a sum of n floats, which errs by at most (n - 1)u times the sum of their magnitudes: NumPy's
pairwise summation and Python 3.11's ``sum``, a plain left-to-right loop, alike), each
supporter's money per unit of value (one division), and what the supporters who pay all they
have hold together (``math.fsum``, correctly rounded). The functions here turn those floats into
certified bounds, or raise :class:`Uncertain` where the bounds cannot settle a decision;
exact ties between prices are settled with exact fractions (:class:`Payments`). Whatever raises
Uncertain is redone by the exact engine (:mod:`voting.tally.exact`).
"""

from math import gcd, lcm

TYPE_CHECKING = False  # typing is not imported at run time: a recount starts faster
if TYPE_CHECKING:
    from collections.abc import Callable

UNIT = 2.0**-53  # unit roundoff of IEEE doubles
MARGIN = 1 + 2 * UNIT  # widens a quotient of floats to a certified bound


class Uncertain(Exception):
    """Floating point cannot settle a decision; the exact engine has to."""


def money_error(initial: float, charges: int) -> float:
    """Bound on |float money - exact money| of any voter after ``charges`` funded projects."""
    return 4 * UNIT * initial * (charges + 2)


def affordable(available: float, cost: int, size: int, error: float) -> bool:
    """Whether supporters holding ``available`` (a float sum of ``size`` float moneys, each
    within ``error``) can cover ``cost``; Uncertain if the bound cannot tell."""
    slack = size * error + (size + 2) * UNIT * (abs(available) + 2 * size * error)
    if available + slack < cost:
        return False
    if available - slack < cost:
        raise Uncertain
    return True


def everyone_pays_a_full_share(smallest: float, cost: int, total: int, error: float) -> bool:
    """Whether the supporter with the least money per unit of value (``smallest``, a float
    quotient of float money) certainly affords a full share of cost / total."""
    return smallest - 2 * UNIT * abs(smallest) - error >= cost / total * MARGIN


def full_share_price(cost: int, total: int, scale: int) -> tuple[float, float]:
    """Certified bounds on rho when every supporter pays a full share."""
    low, high = cost / total / MARGIN, cost / total * MARGIN
    return low / scale / MARGIN, high / scale * MARGIN


def split_price(
    cost: int,
    total: int,
    scale: int,
    poor_money: float,
    count: int,
    last_poor: float,
    first_rich: float,
    error: float,
) -> tuple[float, float]:
    """Certified bounds on rho when ``count`` supporters pay all they have (``poor_money``
    together, from ``math.fsum``) and the others, of ballot value ``total``, a full share.

    ``last_poor`` and ``first_rich`` are the largest key (money per unit of value) among those
    who pay all and the smallest among the others: the split must be certain on both sides.
    """
    x0 = cost - poor_money
    x_error = count * error + 2 * UNIT * (cost + poor_money)
    low = (x0 - x_error) / total / MARGIN
    high = (x0 + x_error) / total * MARGIN
    if (
        last_poor + 2 * UNIT * abs(last_poor) + error >= low
        or first_rich - 2 * UNIT * abs(first_rich) - error < high
    ):
        raise Uncertain
    return low / scale / MARGIN, high / scale * MARGIN


class Payments:
    """The exact payments made so far, per unit of ballot value, over one common denominator.

    A share is an exact fraction held as a pair of integers (numerator, denominator > 0) in
    lowest terms: the fractions module costs a recount 8 ms to import. The engine's
    ``exact_money(voters)`` gives the exact money of some voters times ``denominator``: a voter
    who never paid all they had paid a full share of every funded project they support.
    """

    __slots__ = ("denominator", "payment")

    def __init__(self, den: int) -> None:
        self.denominator = den  # common denominator of the payments (and of the initial money)
        self.payment: dict[int, int] = {}  # per project, times denominator

    def share(self, cost: int, total: int, poor_money: int | None) -> tuple[int, int]:
        """Exact payment per unit of ballot value of a project: ``poor_money`` is the exact
        money (times denominator) of the supporters who pay all they have, None if nobody."""
        if poor_money is None:
            num, den = cost, total
        else:
            num, den = cost * self.denominator - poor_money, self.denominator * total
        divisor = gcd(num, den)
        return num // divisor, den // divisor

    def record(self, project: int, share: tuple[int, int]) -> None:
        """Add a funded project's exact payment, moving all to a common denominator."""
        num, den = share
        denominator = self.denominator
        common = lcm(denominator, den)
        if common != denominator:
            factor = common // denominator
            payment = self.payment
            for j in payment:
                payment[j] *= factor
            self.denominator = denominator = common
        self.payment[project] = num * (denominator // den)


def cheapest(
    contenders: list[int], share_of: "Callable[[int], tuple[int, int]]", scales: list[int]
) -> tuple[int, tuple[int, int]]:
    """The contender with the smallest exact price share / scale (the smaller index wins a tie),
    and its exact share; ``share_of(j)`` computes a contender's share."""
    chosen = contenders[0]
    num, den = best = share_of(chosen)
    den *= scales[chosen]
    for j in contenders[1:]:
        share = share_of(j)
        j_num, j_den = share[0], share[1] * scales[j]
        if j_num * den < num * j_den or (j_num * den == num * j_den and j < chosen):
            chosen, best, num, den = j, share, j_num, j_den
    return chosen, best


def check_price(share: tuple[int, int], scale: int, low: float, high: float) -> float:
    """The price rho of the chosen project (rounded), whose exact value must lie in its
    certified bounds [low, high] (compared exactly: a float is a fraction too)."""
    num, den = share[0], share[1] * scale
    low_num, low_den = low.as_integer_ratio()
    high_num, high_den = high.as_integer_ratio()
    if num <= 0 or low_num * den > num * low_den or num * high_den > high_num * den:
        raise Uncertain
    return num / den
