"""The Method of Equal Shares, plain and completed by add1. Follows pabutools 1.2.3 exactly.

Equal Shares (pabutools ``method_of_equal_shares``, no completion)
    Each voter gets budget / number of ballots. In each round, for every project the rule finds
    the smallest price rho per unit of utility such that its supporters, each paying
    min(own money, rho x utility), cover its cost; it funds the project with the smallest rho and
    charges its supporters. A project whose supporters hold less money than its cost drops out.

Equal Shares with add1 (pabutools ``method_ofequal_shares(..., voter_budget_increment=1)``)
    Starting from budget / n, every voter's budget is raised by one currency unit at a time.
    The first outcome that is exhaustive (no unfunded project with supporters fits in what is
    left of the real budget) is returned; if an outcome costs more than the real budget, the
    previous one is returned instead.

Arithmetic
    Decisions are exact, as pabutools takes them with gmpy2 fractions: ties, and "exactly
    enough money", come out the same. Three engines compute one run of Equal Shares:

    * :mod:`voting.tally.exact`: every voter's money as an integer over a common denominator;
    * :mod:`voting.tally.floats`: money as floats in NumPy arrays, each decision certified
      against a proven error bound (:mod:`voting.tally.certified`); what the bound cannot
      settle hands the run to the exact engine. Floats also appear in the explanations, for
      display;
    * :mod:`voting.tally.lists`: the same in Python lists, certified by the same bounds, for
      a single run on a mid-sized election, where importing NumPy would cost more than it saves.

    For add1, the exact engine also works out how many further increments would leave every
    decision of its run unchanged (money is affine in the increment and each decision is the
    sign of an affine function), and the loop jumps over them. That pays off on small rounds
    (Assen 2024: 843 increments in 58 runs); on large ones some voter is always within one
    increment of a decision, so add1 uses the float engine there, one run per increment.

NumPy is imported only when the float engine first runs (large elections), so a recount of a
small or mid-sized file starts quickly.
"""

from collections.abc import Mapping, Sequence
from math import gcd

from voting.tally.election import Election, Run, outcome_of, prepare
from voting.tally.exact import equal_shares_exact
from voting.tally.outcome import Outcome
from voting.tally.utility import Utility

TYPE_CHECKING = False  # typing and fractions are not imported at run time: a recount starts faster
if TYPE_CHECKING:
    from fractions import Fraction

# Up to this many (voter, project) pairs, add1 uses the exact engine alone, with its skipping;
# above it, the float engine first, one run per increment. A single run (plain Equal Shares) is
# exact up to this many too: floats save less than importing their module costs.
SMALL = 10_000
# Above SMALL and up to this many, a single run is in floats in Python lists: on Warszawa 2020
# Ochota (41,736 pairs) 10 ms against 16 ms exact. NumPy's engine runs faster, but importing
# NumPy costs 60 ms, which it only wins back at about 300,000 pairs.
SINGLE_RUN_LISTS = 250_000


def mes(
    *,
    costs: Mapping[str, int],
    budget: int,
    ballots: Sequence[Mapping[str, int]],
    utility: Utility = "cost",
    voter_budget: "Fraction | int | None" = None,
) -> Outcome:
    """The Method of Equal Shares without completion.

    ``voter_budget`` overrides each voter's initial money (default: budget / number of ballots).
    """
    election = prepare(costs, budget, ballots, utility)
    if election.voters == 0:
        return outcome_of("mes", election, Run([], {}, None), {"voter_budget": 0.0})
    if voter_budget is None:
        num, den = lowest_terms(budget, election.voters)
    else:
        from fractions import Fraction

        share = Fraction(voter_budget)
        if share < 0:
            raise ValueError("voter_budget must be >= 0")
        num, den = share.numerator, share.denominator
    run = equal_shares(election, num, den)
    return outcome_of("mes", election, run, {"voter_budget": num / den})


def mes_add1(
    *,
    costs: Mapping[str, int],
    budget: int,
    ballots: Sequence[Mapping[str, int]],
    utility: Utility = "cost",
) -> Outcome:
    """The Method of Equal Shares completed by add1, as pabutools' ``voter_budget_increment=1``."""
    election = prepare(costs, budget, ballots, utility)
    n = election.voters
    if n == 0:
        return outcome_of("mes_add1", election, Run([], {}, None), {"voter_budget": 0.0})
    num, den = lowest_terms(budget, n)  # the money each voter starts with: num / den
    supported = [j for j, weight in enumerate(election.weights) if weight > 0]
    step = 0  # budget increments added to every voter
    runs = 0
    # The exact engine also says how many increments leave its outcome unchanged, which pays
    # off on small rounds; on larger ones that number is almost always 0 and the float engine
    # is faster.
    exact = election.entries <= SMALL or not election.float_ok
    while True:
        run = None if exact else try_float(election, num + step * den, den)
        if run is None:
            run = equal_shares_exact(election, num + step * den, den, track=True)
        runs += 1
        spent = sum(election.costs[j] for j in run.selected)
        if spent > budget:
            # Step 0 never overspends, so a previous step exists, in the stable range of the
            # previous run. Recompute it for its explanations.
            step -= 1
            run = equal_shares(election, num + step * den, den)
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
        "voter_budget": (num + step * den) / den,
        "voter_budget_start": num / den,
        "increments": step,
        "stopped_by": stopped_by,
        "mes_runs": runs,
    }
    return outcome_of("mes_add1", election, run, details)


def lowest_terms(num: int, den: int) -> tuple[int, int]:
    """num / den in lowest terms (den > 0), as ``Fraction`` would hold it."""
    divisor = gcd(num, den)
    return num // divisor, den // divisor


def try_float(election: Election, num: int, den: int) -> Run | None:
    """One run in floats, or None where floats cannot settle it (or cannot hold the input)."""
    if not election.float_ok:
        return None
    from voting.tally import floats  # NumPy: only when a run needs it

    try:
        return floats.equal_shares_float(election, num, den)
    except floats.Uncertain:
        return None


def try_lists(election: Election, num: int, den: int) -> Run | None:
    """One run in floats in Python lists, or None where they cannot settle it (or hold it)."""
    if not election.float_ok:
        return None
    from voting.tally import lists  # only when a run needs it

    try:
        return lists.equal_shares_lists(election, num, den)
    except lists.Uncertain:
        return None


def equal_shares(election: Election, num: int, den: int) -> Run:
    """One run of Equal Shares: on a mid-sized or large election in floats where they settle
    every decision, else exactly."""
    entries = election.entries
    if entries <= SMALL:
        run = None
    elif entries <= SINGLE_RUN_LISTS:
        run = try_lists(election, num, den)
    else:
        run = try_float(election, num, den)
    return run if run is not None else equal_shares_exact(election, num, den, track=False)
