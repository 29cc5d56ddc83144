"""Whole-process time of `python -m voting.tally` against a pabutools script, per rule.

    .venv/bin/python benchmarks/tally.py [--runs N] [--pabutools-runs N] [--skip-add1]

Both sides run as processes of their own, as someone recounting a round would run them: each
parses the same .pb file, runs the same rule with the same utility (the file's default: cost
for approval files, points for cumulative ones) and prints the winners, which must agree. The
figures include interpreter start-up, imports and parsing: wall time (best and median) and CPU
time (user + sys, best; steadier on a loaded machine). Ours: of --runs (10) runs; pabutools:
of --pabutools-runs (10), but one run of add1, which takes minutes
on the 5,000-voter file. Also prints the tool's start-up time (--help and a 84-voter file)
against a bare `python -c pass`. voting.tally is first compiled to bytecode, as installing a
package does (pabutools' bytecode was written when it was installed; where
PYTHONDONTWRITEBYTECODE is set, ours would otherwise be compiled again by every run).
Goals: at least 20x pabutools on every rule on a 5,000+ voter file, start-up under 0.3 s.
"""

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "pabulib"
FILES = ["Poland_Warszawa_2020_Ochota.pb", "Poland_Czestochowa_2020_Rakow.pb"]
RULES = ("greedy", "mes", "mes_add1")
TINY = DATA / "Netherlands_Assen_2024.pb"

PABUTOOLS = """
import sys
from pabutools.election import parse_pabulib, Cost_Sat, Additive_Cardinal_Sat
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
path, rule, utility = sys.argv[1:]
instance, profile = parse_pabulib(path)
cumulative = instance.meta.get("vote_type") in ("cumulative", "scoring")
if utility == "points":
    sat = Additive_Cardinal_Sat
elif cumulative:  # votes x cost: pabutools' Cost_Sat weighted by points
    from pabutools.election.satisfaction import AdditiveSatisfaction
    class sat(AdditiveSatisfaction):
        def __init__(self, instance, profile, ballot):
            super().__init__(instance, profile, ballot,
                             lambda i, p, b, project, v: b.get(project, 0) * project.cost)
else:
    sat = Cost_Sat
if rule == "greedy":
    outcome = greedy_utilitarian_welfare(instance, profile, sat_class=sat)
else:
    extra = {"voter_budget_increment": 1} if rule == "mes_add1" else {}
    outcome = method_of_equal_shares(instance, profile, sat_class=sat, **extra)
print(" ".join(p.name for p in outcome))
"""


def timed(command: list[str], runs: int) -> tuple[float, float, str, float]:
    """Best and median wall time of `runs` runs of the command, its output, and its best CPU
    time (user + sys of the process, which load from other processes disturbs less)."""
    times, cpu, output = [], [], ""
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        output = done.stdout
    return min(times), statistics.median(times), output, min(cpu)


def sizes(path: Path) -> str:
    meta = {}
    for line in path.read_text(encoding="utf-8").splitlines()[:40]:
        key, _, value = line.partition(";")
        meta[key.strip().lower()] = value.strip()
    return (
        f"{int(meta['num_votes']):,} voters, {meta['num_projects']} projects, "
        f"{meta['vote_type']}, {path.stat().st_size / 1000:.0f} kB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pabutools-runs", type=int, default=10)
    parser.add_argument("--skip-add1", action="store_true", help="leave out pabutools' add1")
    options = parser.parse_args()
    python = sys.executable
    compileall.compile_dir(ROOT / "voting" / "tally", quiet=1)
    compileall.compile_file(ROOT / "voting" / "__init__.py", quiet=1)
    sys.path.insert(0, str(ROOT))
    from voting.tally import default_utility  # the same default as the tool's

    print(f"load average {' / '.join(f'{load:.1f}' for load in os.getloadavg())}")
    print(f"start-up (wall best / median, CPU best, of {options.runs} runs, whole process):")
    bare = timed([python, "-c", "pass"], options.runs)
    print(
        f"  python -c pass                      {bare[0]:.3f} s / {bare[1]:.3f} s, {bare[3]:.3f} s"
    )
    for label, args in (
        ("--help", ["--help"]),
        (f"{TINY.name} mes_add1", [TINY, "--rule", "mes_add1"]),
    ):
        best, median, _, cpu = timed([python, "-m", "voting.tally", *map(str, args)], options.runs)
        print(f"  python -m voting.tally {label:<12} {best:.3f} s / {median:.3f} s, {cpu:.3f} s")

    print("\nrecount, whole process, pabutools 1.2.3 script against ours:")
    print("wall: best / median; CPU: best user + sys; ratios of the bests")
    print(
        "| file | rule | utility | ours wall | pabutools wall | ratio "
        "| ours CPU | pabutools CPU | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in FILES:
        path = DATA / name
        kind = sizes(path)
        vote_type = kind.split(", ")[2]
        for rule in RULES:
            if rule == "mes_add1" and options.skip_add1:
                continue
            utility = default_utility(rule=rule, ballot_kind=vote_type)
            ours_cmd = [python, "-m", "voting.tally", str(path), "--rule", rule, "--json"]
            ours_cmd += ["--utility", utility]
            best, median, out, cpu = timed(ours_cmd, options.runs)
            runs = 1 if rule == "mes_add1" else options.pabutools_runs
            theirs = timed([python, "-c", PABUTOOLS, str(path), rule, utility], runs)
            agree = sorted(json.loads(out)["selected"]) == sorted(theirs[2].split())
            print(
                f"| {name.removesuffix('.pb')} ({kind}) | {rule} | {utility} "
                f"| {best:.3f} s / {median:.3f} s | {theirs[0]:.2f} s / {theirs[1]:.2f} s "
                f"| {theirs[0] / best:.0f}x | {cpu:.3f} s | {theirs[3]:.2f} s "
                f"| {theirs[3] / cpu:.0f}x |" + ("" if agree else " WINNERS DIFFER")
            )
            kind = "〃"


if __name__ == "__main__":
    main()
