"""Time voting.tally against pabutools 1.2.3 and check that the winners agree.

    python benchmarks/tally.py [--quick] [--voters N] [--projects N] [--seed N]

Two elections: the largest pabulib file in tests/data/pabulib, and a generated one (seeded;
100,000 approval ballots over 200 projects by default). pabutools runs on a multiprofile, its
fastest input, built before the clock starts; so do our rules on plain dicts.

pabutools' add1 recomputes Equal Shares once per budget increment, minutes per run on the
generated election. There (and everywhere with --quick) it is bounded: it starts BOUND
increments before the budget our add1 ends with and must reach the same outcome; its full
time is estimated as its plain Equal Shares time (setup and one run) plus the measured time
per run for every other increment. The default run takes 5 to 10 minutes.
"""

import argparse
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.rules.budgetallocation import BudgetAllocation
from pabutools.rules.mes.mes_rule import method_of_equal_shares_scheme
from pabutools.tiebreaking import lexico_tie_breaking

ROOT = Path(__file__).resolve().parent.parent
try:
    from voting.tally import pabulib, rules
except ImportError:  # not installed: use the checkout (appended, so it shadows nothing)
    sys.path.append(str(ROOT))
    from voting.tally import pabulib

DATA = ROOT / "tests" / "data" / "pabulib"
BOUND = 2  # increments pabutools' add1 runs before reaching our final budget, when bounded


def generated(*, voters: int, projects: int, seed: int):
    """Approval ballots of 1 to 15 projects (4.5 on average), projects of lognormal appeal."""
    rng = random.Random(seed)
    ids = [str(1000 + i) for i in range(projects)]
    costs = {p: rng.randrange(5_000, 400_000, 500) for p in ids}
    appeal = [rng.lognormvariate(0, 1) for _ in ids]
    ballots = []
    for _ in range(voters):
        size = min(15, projects, int(rng.expovariate(1 / 3.5)) + 1)
        chosen: set[str] = set()
        while len(chosen) < size:
            chosen.update(rng.choices(ids, weights=appeal, k=size - len(chosen)))
        ballots.append(dict.fromkeys(sorted(chosen), 1))
    return costs, sum(costs.values()) * 3 // 10, ballots


def largest_pabulib():
    path = max(DATA.glob("*.pb"), key=lambda p: p.stat().st_size)
    instance = pabulib.read_pb(path)
    if instance.vote_type not in ("approval", "knapsack", "choose-1"):
        raise SystemExit(f"{path.name}: this benchmark expects approval ballots")
    return path.name, instance.costs(), instance.budget, instance.ballots()


def clock(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def bounded_add1(instance, profile, outcome, budget, voters):
    """pabutools' add1 from BOUND increments before our final budget: (winners, time, runs)."""
    increments = outcome.details["increments"]
    first = max(0, increments - BOUND)
    sat_profile = profile.as_sat_profile(Cost_Sat)
    runs = increments - first + 1 + (outcome.details["stopped_by"] != "exhaustive")
    winners, seconds = clock(
        lambda: method_of_equal_shares_scheme(
            instance,
            profile,
            sat_profile,
            Fraction(budget, voters) + first,
            BudgetAllocation(),
            lexico_tie_breaking,
            voter_budget_increment=1,
            binary_sat=True,
        )
    )
    return [p.name for p in winners], seconds, runs


def bench(title, costs, budget, ballots, *, bound_add1):
    approvals = sum(map(len, ballots))
    print(f"\n== {title}")
    print(
        f"   {len(ballots):,} voters, {len(costs)} projects, {approvals:,} approvals, "
        f"budget {budget:,}"
    )
    projects = {p: Project(p, c) for p, c in costs.items()}
    instance = Instance(projects.values(), budget_limit=budget)
    profile = ApprovalProfile(
        [ApprovalBallot(projects[p] for p in ballot) for ballot in ballots]
    ).as_multiprofile()
    print(f"   {'rule':9} {'ours':>10} {'pabutools':>12} {'ratio':>8}  winners")
    ok = True
    for rule in ("greedy", "mes", "mes_add1"):
        outcome, ours = clock(
            lambda rule=rule: getattr(rules, rule)(costs=costs, budget=budget, ballots=ballots)
        )
        note = ""
        if rule == "greedy":
            theirs = clock(
                lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
            )
            winners, seconds = [p.name for p in theirs[0]], theirs[1]
        elif rule == "mes":
            theirs = clock(lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat))
            winners, seconds = [p.name for p in theirs[0]], theirs[1]
            mes_seconds = seconds
        elif not bound_add1:
            theirs = clock(
                lambda: method_of_equal_shares(
                    instance, profile, sat_class=Cost_Sat, voter_budget_increment=1
                )
            )
            winners, seconds = [p.name for p in theirs[0]], theirs[1]
        else:
            # Its one-time setup is in the time of its plain Equal Shares (setup + one run);
            # the bounded runs give the time per run, late runs being the slowest.
            winners, partial, runs = bounded_add1(instance, profile, outcome, budget, len(ballots))
            extra = outcome.details["stopped_by"] != "exhaustive"
            total_runs = outcome.details["increments"] + 1 + extra
            per_run = max(partial - mes_seconds, 0) / max(runs - 1, 1)
            seconds = mes_seconds + per_run * (total_runs - 1)
            note = (
                f"  (pabutools bounded: {runs} of its {total_runs} runs took {partial:.1f} s; "
                "total estimated)"
            )
        agree = winners == outcome.selected
        ok &= agree
        print(
            f"   {rule:9} {ours:>9.3f}s {seconds:>11.2f}s {seconds / ours:>7.0f}x  "
            f"{'agree' if agree else 'DIFFER'} ({len(outcome.selected)} funded){note}"
        )
        if rule == "mes_add1":
            details = outcome.details
            print(
                f"   add1: {details['increments']} increments, voter budget "
                f"{details['voter_budget_start']:.2f} -> {details['voter_budget']:.2f}, "
                f"{details['mes_runs']} Equal Shares runs of ours, stopped: {details['stopped_by']}"
            )
        if rule == "greedy" and len(ballots) >= 100_000:
            verdict = "under" if ours < 0.2 else "OVER"
            print(f"   greedy on {len(ballots):,} ballots: {ours:.3f} s, {verdict} the 0.2 s goal")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="bound pabutools' add1 everywhere")
    parser.add_argument("--voters", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    name, costs, budget, ballots = largest_pabulib()
    ok = bench(f"pabulib {name}", costs, budget, ballots, bound_add1=args.quick)
    costs, budget, ballots = generated(voters=args.voters, projects=args.projects, seed=args.seed)
    title = f"generated, seed {args.seed}"
    ok &= bench(title, costs, budget, ballots, bound_add1=True)
    print("\nall winners agree" if ok else "\nWINNERS DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
