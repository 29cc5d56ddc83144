"""Time the open data API's list and detail endpoints on a seeded city of funded projects.

    DJANGO_SETTINGS_MODULE=pbsite.settings.test python benchmarks/api.py \\
        [--committees 12] [--proposals 3000] [--tracked 600] [--requests 20]

Works in a temporary SQLite file of its own (removed at the end); never touches dev or test
data. Seeds committees and rounds through the factories, proposals, tracked projects, updates
and effect measurements with bulk_create, then requests each endpoint in process with Django's
test Client (server time: middleware, view, queries, JSON; no network). Prints the median and
95th percentile and the number of SQL queries of one request, for pages of 50 and 200 items.
The throttle is lifted for the run.
"""

import argparse
import datetime
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from checkout import tests_module
from figures import percentile
from scratch_db import ScratchDatabase


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--committees", type=int, default=12)
    parser.add_argument("--proposals", type=int, default=3000)
    parser.add_argument("--tracked", type=int, default=600)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--database-url",
        default="",
        help="e.g. postgres://postgres@127.0.0.1:5432/bench_api (default: temporary SQLite)",
    )
    parser.add_argument(
        "--replace", action="store_true", help="drop the PostgreSQL database first if it exists"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    return parser.parse_args()


def seed(args, rng: random.Random) -> None:
    from django.utils import timezone

    from proposals.models import (
        EffectGoal,
        EffectMeasurement,
        ProjectUpdate,
        Proposal,
        TrackedProject,
        TrackingStatus,
    )

    factories = tests_module("factories")

    rounds = []
    for number in range(args.committees):
        committee = factories.committee(f"Lokaludvalg {number}", district_name=f"Bydel {number}")
        for phase in ("implementation", "ideas"):
            budget_round = factories.budget_round(committee=committee, phase=phase)
            budget_round.categories.create(name="Grønne områder")
            budget_round.categories.create(name="Leg og idræt")
            budget_round.save()
            rounds.append(budget_round)
    categories = {r.pk: list(r.categories.all()) for r in rounds}
    states = ["submitted", "in_review", "feasible", "rejected", "not_selected", "draft"]
    now = timezone.now()
    proposals = []
    for number in range(args.proposals):
        budget_round = rng.choice(rounds)
        tracked = number < args.tracked
        state = rng.choice(["selected", "in_progress", "completed"]) if tracked else None
        state = state or rng.choice(states)
        proposals.append(
            Proposal(
                budget_round=budget_round,
                state=state,
                case_number=None if state == "draft" else f"BB-{number:06d}",
                title=f"Forslag {number}",
                summary="Et kort resumé af forslaget.",
                description="<p>En længere beskrivelse af forslaget.</p>" * 5,
                estimated_cost=rng.randrange(5_000, 100_000),
                category=rng.choice(categories[budget_round.pk]),
                location_text="Et sted i bydelen",
                random_key=rng.randrange(1, 2**31),
                submitted_at=now,
            )
        )
    Proposal.objects.bulk_create(proposals, batch_size=500)
    funded = Proposal.objects.filter(state__in=["selected", "in_progress", "completed"])
    status = {"selected": "planned", "in_progress": "in_progress", "completed": "completed"}
    TrackedProject.objects.bulk_create(
        [
            TrackedProject(
                proposal=p,
                status=TrackingStatus(status[p.state]),
                granted=p.estimated_cost,
                spent=p.estimated_cost // 2,
                progress=50,
                responsible="Park og Natur",
            )
            for p in funded
        ],
        batch_size=500,
    )
    today = datetime.date.today()
    updates, goals = [], []
    for project in TrackedProject.objects.all():
        updates += [
            ProjectUpdate(
                project=project,
                date=today - datetime.timedelta(days=d),
                title="Opdatering",
                body="Arbejdet skrider frem.",
            )
            for d in (60, 30, 5)
        ]
        goals.append(EffectGoal(project=project, indicator="Besøgende", baseline=10, target=50))
    ProjectUpdate.objects.bulk_create(updates, batch_size=1000)
    EffectGoal.objects.bulk_create(goals, batch_size=1000)
    EffectMeasurement.objects.bulk_create(
        [
            EffectMeasurement(
                goal=goal, measured_on=today - datetime.timedelta(days=d), value=rng.randrange(50)
            )
            for goal in EffectGoal.objects.all()
            for d in (90, 30)
        ],
        batch_size=1000,
    )


def measure(client, url: str, requests: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return statistics.median(times), percentile(times, 0.95), len(queries), len(response.content)


def main() -> int:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    database = None
    try:
        url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
        database = ScratchDatabase(url, replace=args.replace, keep=args.keep)
        os.environ["DATABASE_URL"] = database.url
        os.environ["VAR_DIR"] = str(tmp / "var")
        os.environ["API_ANON_RATE"] = "1000000/minute"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbsite.settings.test")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client

        from proposals.models import Proposal, TrackedProject

        try:
            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            seed(args, random.Random(args.seed))
            print(
                f"seeded {Proposal.objects.count()} proposals, "
                f"{TrackedProject.objects.count()} tracked projects "
                f"in {time.perf_counter() - started:.1f} s"
            )
            client = Client()
            project = TrackedProject.objects.order_by("pk").first()
            proposal = Proposal.objects.exclude(state="draft").order_by("pk").first()
            urls = [
                f"/api/v1/{endpoint}/?page_size={size}"
                for endpoint in ("committees", "rounds", "proposals", "tracked-projects")
                for size in (50, 200)
            ]
            urls += [
                "/api/v1/proposals/?state=completed&category=Leg og idræt&page_size=50",
                "/api/v1/proposals/?page=20&page_size=50",
                f"/api/v1/proposals/{proposal.pk}/",
                f"/api/v1/tracked-projects/{project.pk}/",
                "/api/v1/openapi.json",
            ]
            print(f"\n{'endpoint':<62} {'median':>8} {'p95':>8} {'queries':>8} {'bytes':>9}")
            for url in urls:
                median, p95, queries, size = measure(client, url, args.requests)
                print(f"{url:<62} {median:6.1f}ms {p95:6.1f}ms {queries:8d} {size:9d}")
        finally:
            connections.close_all()
    finally:
        if database is not None:
            database.remove()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
