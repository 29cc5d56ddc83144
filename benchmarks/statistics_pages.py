"""Time the statistics selectors and pages, and the results page, on many seeded rounds.

    DJANGO_SETTINGS_MODULE=pbsite.settings.test .venv/bin/python benchmarks/statistics_pages.py \\
        [--committees 12] [--rounds 8] [--proposals 60] [--voters 2000] [--requests 10]

Works in a temporary SQLite database of its own (removed at the end); never touches dev or
test data. Seeds every committee with --rounds published rounds, each with --proposals
proposals (mixed states, categories and submitter kinds) and --voters participation rows, then
prints the median time and the number of SQL queries of: the city statistics selector, one
committee's, the two statistics pages and their CSV, and one round's results page.
"""

import argparse
import os
import random
import shutil
import statistics as stats_module
import tempfile
import time
from pathlib import Path

from checkout import tests_module
from scratch_db import ScratchDatabase

CATEGORIES = ["Grønne områder", "Trafik", "Leg og idræt", "Kultur", "Fællesskab"]
STATES = ["selected", "not_selected", "rejected", "in_progress", "completed", "merged"]
KINDS = ["resident", "association", "volunteer_group", "business"]
BANDS = ["18-24", "25-34", "35-49", "50-64", "65+"]


def seed(args, rng):
    from django.utils import timezone

    from committees.demo import COPENHAGEN, danish_slug
    from committees.models import RoundCategory
    from proposals.models import Proposal, StatusChange

    factories = tests_module("factories")
    from voting.models import Participation

    committees = []
    for district, names in COPENHAGEN.items():
        for name in names[: max(1, args.committees // len(COPENHAGEN) + 1)]:
            committee = factories.committee(name, district_name=district)
            committee.slug = danish_slug(name)
            committee.save()
            committees.append(committee)
    committees = committees[: args.committees]
    number = 0
    first_round = None
    for committee in committees:
        for index in range(args.rounds):
            budget_round = factories.budget_round(
                committee=committee, phase="results", title=f"Runde {index + 1}", pot=1_000_000
            )
            first_round = first_round or budget_round
            categories = [
                RoundCategory.objects.create(round=budget_round, name=name) for name in CATEGORIES
            ]
            proposals = []
            for _ in range(args.proposals):
                number += 1
                proposals.append(
                    Proposal(
                        budget_round=budget_round,
                        state=rng.choice(STATES[:5]),
                        case_number=f"B-{number}",
                        title=f"Forslag {number}",
                        estimated_cost=rng.randrange(5_000, 200_000),
                        category=rng.choice(categories),
                        submitter_kind=rng.choice(KINDS),
                        submitted_at=timezone.now(),
                    )
                )
            Proposal.objects.bulk_create(proposals)
            StatusChange.objects.bulk_create(
                StatusChange(
                    proposal=p,
                    from_state="in_review",
                    to_state="rejected",
                    public_reason=rng.choice(["For dyrt.", "Ikke kommunens areal.", "Uden for"]),
                )
                for p in proposals
                if p.state == "rejected"
            )
            Participation.objects.bulk_create(
                Participation(
                    budget_round=budget_round,
                    voter_key=f"{budget_round.pk}-{voter}",
                    channel=rng.choice(["online", "code", "paper"]),
                    voted_on=budget_round.voting_start.date(),
                    area=committee.district,
                    age_band=rng.choice(BANDS),
                )
                for voter in range(args.voters)
            )
    return committees, first_round


def measure(name, call, requests):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm up
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    print(f"  {name:<44} {stats_module.median(times):8.1f} ms  {len(queries):3d} queries")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--committees", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--proposals", type=int, default=60)
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--database-url",
        default="",
        help="e.g. postgres://postgres@127.0.0.1:5432/bench_statistics (default: temporary SQLite)",
    )
    parser.add_argument(
        "--replace", action="store_true", help="drop the PostgreSQL database first if it exists"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-statistics-"))
    database = None
    try:
        url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
        database = ScratchDatabase(url, replace=args.replace, keep=args.keep)
        os.environ["DATABASE_URL"] = database.url
        os.environ["VAR_DIR"] = str(tmp / "var")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbsite.settings.test")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client
        from django.urls import reverse

        from voting.results import statistics

        try:
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            committees, first_round = seed(args, random.Random(args.seed))
            rounds = len(committees) * args.rounds
            print(
                f"seeded {len(committees)} committees, {rounds} rounds, "
                f"{rounds * args.proposals} proposals, {rounds * args.voters} voters "
                f"in {time.perf_counter() - started:.1f} s (SQLite)"
            )
            client = Client()
            committee = committees[0]
            measure("statistics(): city", lambda: statistics.statistics(), args.requests)
            measure(
                "statistics(): one committee",
                lambda: statistics.statistics(committee=committee),
                args.requests,
            )
            for name, url in [
                ("GET city statistics page", reverse("voting:statistics")),
                ("GET city statistics CSV", reverse("voting:statistics_csv")),
                (
                    "GET committee statistics page",
                    reverse("voting:statistics_committee", args=[committee.slug]),
                ),
                ("GET results page (one round)", reverse("voting:results", args=[first_round.pk])),
            ]:
                measure(name, lambda url=url: client.get(url), args.requests)
        finally:
            connections.close_all()
    finally:
        if database is not None:
            database.remove()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
