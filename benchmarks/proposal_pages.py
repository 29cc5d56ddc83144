"""Time the public proposal pages (list and detail) on one large, seeded budget round.

    DJANGO_SETTINGS_MODULE=pbsite.settings.test python benchmarks/proposal_pages.py \\
        [--proposals 5000] [--supports 100000] [--comments 20000] [--users 20000] \\
        [--requests 30] [--warmup 3] [--seed 2024] [--database-url URL] [--explain]

The script works in a database of its own and never touches dev or test data: by default a
SQLite file in a temporary directory (removed at the end), or the database named by
--database-url. A PostgreSQL database there is created (it must not exist yet, unless
--replace) and dropped at the end; a SQLite file there must not exist yet and is removed.
VAR_DIR (media, static, the default SQLite file) points into the temporary directory too.

It migrates, seeds one round (committee and round through the services, everything else with
bulk_create), runs ANALYZE, then requests every page with Django's test Client, in process:
the time measured is the server's (middleware, view, queries, template), without network or
browser. The Client keeps the database connection open between requests; a server with
CONN_MAX_AGE=0 also opens one per request. For each page: --warmup requests, then --requests
timed ones; the table gives the median and 95th percentile, and the number of SQL queries, the
time spent in them and the response size of one further request. Pages whose 95th percentile
exceeds --slow-ms get their slowest queries and the database's plan for the slowest printed
(--explain: every page). The default run takes about a minute on two cores with SQLite.
"""

import argparse
import math
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from checkout import tests_module
from figures import percentile
from scratch_db import ScratchDatabase

PAGE_SIZE = 20  # proposals.views.PAGE_SIZE
CATEGORIES = ["Grønne områder", "Trafik og cykler", "Leg og idræt", "Kultur", "Fællesskab", "Miljø"]
THINGS = [
    "legeplads",
    "bænke",
    "cykelparkering",
    "byhave",
    "skaterbane",
    "udendørs fitness",
    "drikkevandspost",
    "blomstereng",
    "insekthotel",
    "belysning",
    "shelter",
    "petanquebane",
    "fodboldmål",
    "overdækket scene",
    "bogskab",
    "vandlegeplads",
    "regnbed",
    "bytræer",
    "hundeskov",
    "gadekunst",
    "ladestandere til ladcykler",
    "basketkurv",
    "grillplads",
    "madpakkehus",
    "fuglekasser",
    "motionssti",
    "sansehave",
    "klatrevæg",
]
WHAT = ["Ny", "Nye", "Bedre", "Flere", "Grøn", "Tryg", "Fælles", "Renoveret", "Midlertidig"]
PLACES = [
    "i Fælledparken",
    "ved Østerbro Bibliotek",
    "på Sankt Kjelds Plads",
    "i Kildevældsparken",
    "ved Svanemøllen Station",
    "på Trianglen",
    "i Classensgade",
    "ved Nordhavn",
    "i Øbro-Hallen",
    "på Bopa Plads",
    "ved Ryparken",
    "i Lersøparken",
    "ved Brumleby",
    "på Gunnar Nu Hansens Plads",
]
SENTENCES = [
    "Området bliver brugt af mange børnefamilier hver dag.",
    "Det vil gøre kvarteret grønnere og mere trygt om aftenen.",
    "Vi er en gruppe naboer, som gerne vil hjælpe med at passe det.",
    "Forslaget er drøftet med skolen og den lokale idrætsforening.",
    "Prisen er baseret på et tilbud fra en lokal håndværker.",
    "Der er i dag ingen steder at sætte sig i skygge.",
    "Løsningen kræver ikke vedligeholdelse ud over det normale.",
    "Det skaber et mødested på tværs af generationer.",
    "Mange cykler står i dag parkeret på fortovet.",
    "Kommunens driftsafdeling har sagt god for placeringen.",
    "Det vil gavne biodiversiteten og insektlivet.",
    "Projektet kan gennemføres på under et halvt år.",
]
COMMENTS = [
    "God idé, det støtter jeg!",
    "Hvem skal vedligeholde det bagefter?",
    "Kunne det placeres lidt længere væk fra vejen?",
    "Endelig! Det har vi manglet længe.",
    "Jeg er bekymret for støj om aftenen.",
    "Mine børn ville elske det.",
    "Er prisen ikke sat lidt lavt?",
    "Lad os også tænke på de ældre i kvarteret.",
    "Fint forslag, men måske et andet sted.",
    "Det var præcis det, vi talte om på mødet.",
]
NAMES = ["Anne", "Mads", "Sofie", "Jonas", "Ida", "Lars", "Freja", "Ahmed", "Mette", "Oliver"]
# Most proposals of a round in review are submitted, in review or on the ballot.
STATE_WEIGHTS = {
    "submitted": 35,
    "in_review": 25,
    "feasible": 30,
    "rejected": 5,
    "withdrawn": 3,
    "draft": 2,
}
KIND_WEIGHTS = {"resident": 60, "association": 20, "volunteer_group": 12, "business": 8}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=5_000)
    parser.add_argument("--supports", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--deep-page", type=int, default=100)
    parser.add_argument("--slow-ms", type=float, default=300.0, help="p95 that counts as slow")
    parser.add_argument(
        "--database-url",
        default="",
        help="e.g. postgres://postgres@127.0.0.1:5432/bench_proposals (default: temporary SQLite)",
    )
    parser.add_argument(
        "--replace", action="store_true", help="drop the PostgreSQL database first if it exists"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--explain", action="store_true", help="query plans for every page")
    args = parser.parse_args()
    if min(args.proposals, args.users, args.requests) < 1 or min(args.supports, args.comments) < 0:
        parser.error("sizes must be positive")
    if args.supports > args.proposals * args.users // 2:
        parser.error("too many supports for so few proposals and users")
    return args


# --- The database of the run --------------------------------------------------------------------


# --- Seeding ------------------------------------------------------------------------------------


def clock(label: str, function):
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    print(f"   {label:<40} {seconds:7.2f} s", flush=True)
    return result


def weighted_picks(rng: random.Random, ids: list[int], cum: list[float], k: int) -> list[int]:
    return rng.choices(ids, cum_weights=cum, k=k)


def seed(args, rng: random.Random) -> dict:
    """One round with its proposals, users, supports, comments and status history."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from committees.models import RoundCategory, User
    from proposals.models import Comment, Proposal, StatusChange, Support

    factories = tests_module("factories")

    def round_and_categories():
        committee = factories.committee("Østerbro Lokaludvalg")
        budget_round = factories.budget_round(
            committee=committee,
            phase="review",
            title="Borgerbudget 2025",
            pot=5_000_000,
            min_cost=5_000,
            max_cost=500_000,
        )
        categories = [
            RoundCategory.objects.create(round=budget_round, name=name, sort_order=i)
            for i, name in enumerate(CATEGORIES)
        ]
        return budget_round, categories

    budget_round, categories = clock("committee, round, categories", round_and_categories)

    def users():
        password = make_password(None)
        batch = [
            User(
                email=f"borger{i:06d}@example.dk",
                password=password,
                display_name=f"{rng.choice(NAMES)} {i}" if rng.random() < 0.7 else "",
            )
            for i in range(args.users)
        ]
        User.objects.bulk_create(batch, batch_size=2_000)
        return list(User.objects.order_by("pk").values_list("pk", flat=True))

    user_ids = clock(f"{args.users:,} users", users)

    def proposals():
        states, state_w = zip(*STATE_WEIGHTS.items(), strict=True)
        kinds, kind_w = zip(*KIND_WEIGHTS.items(), strict=True)
        start, end = budget_round.ideas_start, budget_round.ideas_end
        span = end - start
        batch = []
        for i in range(args.proposals):
            state = rng.choices(states, state_w)[0]
            kind = rng.choices(kinds, kind_w)[0]
            thing = rng.choice(THINGS)
            cost = rng.randrange(5_000, 500_000, 500)
            located = rng.random() < 0.6
            batch.append(
                Proposal(
                    budget_round=budget_round,
                    author_id=rng.choice(user_ids),
                    state=state,
                    case_number=None if state == "draft" else f"BB-{budget_round.pk:03d}-{i:05d}",
                    title=f"{rng.choice(WHAT)} {thing} {rng.choice(PLACES)}"[:120],
                    summary=" ".join(rng.sample(SENTENCES, 2))[:300],
                    description="\n\n".join(
                        " ".join(rng.sample(SENTENCES, 4)) for _ in range(rng.randint(2, 5))
                    ),
                    estimated_cost=cost,
                    revised_cost=(
                        rng.randrange(5_000, 500_000, 500)
                        if state == "feasible" and rng.random() < 0.3
                        else None
                    ),
                    category=rng.choice(categories) if rng.random() < 0.95 else None,
                    location_text=rng.choice(PLACES).split(" ", 1)[1] if located else "",
                    latitude=round(55.70 + rng.random() * 0.03, 6) if located else None,
                    longitude=round(12.55 + rng.random() * 0.05, 6) if located else None,
                    submitter_kind=kind,
                    organisation_name="" if kind == "resident" else f"Forening {i}",
                    random_key=rng.randrange(1, 2**31),
                    submitted_at=None if state == "draft" else start + span * rng.random(),
                )
            )
        Proposal.objects.bulk_create(batch, batch_size=1_000)
        return list(
            Proposal.objects.filter(budget_round=budget_round)
            .order_by("pk")
            .values_list("pk", "state")
        )

    rows = clock(f"{args.proposals:,} proposals", proposals)
    public = [pk for pk, state in rows if state != "draft"]
    # Popularity is skewed, as in real rounds: a few proposals get most supports and comments.
    # The most discussed one has a fixed 2 % of the supports and comments; the detail page is
    # timed on it and on a typical proposal.
    hot = public[rng.randrange(len(public))]
    Proposal.objects.filter(pk=hot).update(state="feasible")
    others = [pk for pk in public if pk != hot]
    cum, total = [], 0.0
    for _ in others:
        total += rng.lognormvariate(0, 1.1)
        cum.append(total)

    def supports():
        on_hot = min(len(user_ids), args.supports // 50)
        pairs = {(hot, u) for u in rng.sample(user_ids, on_hot)}
        wanted = min(args.supports, on_hot + len(others) * len(user_ids))
        while len(pairs) < wanted:
            missing = wanted - len(pairs)
            picks = weighted_picks(rng, others, cum, missing)
            pairs.update((p, rng.choice(user_ids)) for p in picks)
        Support.objects.bulk_create(
            (Support(proposal_id=p, user_id=u) for p, u in sorted(pairs)), batch_size=5_000
        )
        true_count = (
            Support.objects.filter(proposal=OuterRef("pk"))
            .order_by()
            .values("proposal")
            .annotate(n=Count("pk"))
            .values("n")
        )
        Proposal.objects.filter(budget_round=budget_round).update(
            support_count=Coalesce(Subquery(true_count, output_field=IntegerField()), 0)
        )
        return len(pairs)

    clock(f"{args.supports:,} supports, support_count", supports)

    def comments():
        on_hot = min(args.comments, args.comments // 50)
        targets = [hot] * on_hot + weighted_picks(rng, others, cum, args.comments - on_hot)
        batch = []
        for proposal_id in targets:
            hidden = rng.random() < 0.01
            batch.append(
                Comment(
                    proposal_id=proposal_id,
                    author_id=rng.choice(user_ids),
                    body=" ".join(rng.sample(COMMENTS, rng.randint(1, 3))),
                    hidden=hidden,
                    hidden_reason="Personangreb" if hidden else "",
                )
            )
        Comment.objects.bulk_create(batch, batch_size=2_000)

    clock(f"{args.comments:,} comments", comments)

    def history():
        path = {
            "submitted": ["submitted"],
            "in_review": ["submitted", "in_review"],
            "feasible": ["submitted", "in_review", "feasible"],
            "rejected": ["submitted", "in_review", "rejected"],
            "withdrawn": ["submitted", "withdrawn"],
        }
        states = dict(Proposal.objects.filter(budget_round=budget_round).values_list("pk", "state"))
        batch = []
        for pk, state in states.items():
            before = "draft"
            for after in path.get(state, []):
                reason = "Forslaget overholder ikke rammerne." if after == "rejected" else ""
                batch.append(
                    StatusChange(
                        proposal_id=pk, from_state=before, to_state=after, public_reason=reason
                    )
                )
                before = after
        StatusChange.objects.bulk_create(batch, batch_size=2_000)

    clock("status history", history)

    def analyze():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    clock("ANALYZE", analyze)
    return {"round": budget_round, "categories": categories, "hot": hot}


# --- Measuring ----------------------------------------------------------------------------------


def explain(sql: str, params) -> str:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            rows = cursor.fetchall()
    except Exception as exc:  # a plan is a hint; the figures stand without it
        return f"      (no plan: {exc})"
    return "\n".join(
        f"      {row[-1] if connection.vendor == 'sqlite' else row[0]}" for row in rows
    )


def measure(client, name: str, url: str, params: dict, args, check) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(args.warmup):
        response = client.get(url, params)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {url} answered {response.status_code}")
    times = []
    for _ in range(args.requests):
        start = time.perf_counter()
        client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
    # One more request, to count its queries and time each of them.
    calls = []

    def timed(execute, sql, sql_params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, sql_params, many, context)
        finally:
            calls.append(((time.perf_counter() - start) * 1000, sql, sql_params))

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        response = client.get(url, params)
    problem = check(response.content.decode())
    if problem:
        raise SystemExit(f"{name}: {problem}")
    shown = [q["sql"] for q in captured.captured_queries]
    if len(shown) != len(calls):
        shown = [sql for _ms, sql, _params in calls]
    order = sorted(range(len(calls)), key=lambda i: calls[i][0], reverse=True)
    return {
        "name": name,
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "queries": len(captured.captured_queries),
        "sql_ms": sum(ms for ms, _sql, _params in calls),
        "kb": len(response.content) / 1024,
        "slowest": [(calls[i][0], shown[i], calls[i][1], calls[i][2]) for i in order[:3]],
    }


def scenarios(data: dict, args) -> list[tuple[str, str, dict, int | None, dict]]:
    """(name, url, GET parameters, rows matched, selector filters) of each measured page."""
    from django.db.models import Count
    from django.urls import reverse

    from proposals import selectors
    from proposals.models import Proposal

    budget_round = data["round"]
    list_url = reverse("proposals:list", args=[budget_round.pk])
    category = data["categories"][0]
    common_word = max(
        THINGS,
        key=lambda word: sum(
            1 for title in budget_round.proposals.values_list("title", flat=True) if word in title
        ),
    )
    matched = selectors.proposal_list(budget_round=budget_round).count()
    deep = max(1, min(args.deep_page, math.ceil(matched / PAGE_SIZE)))
    pages = [
        ("list, no parameters", {}, {}),
        ("list sort=new, page 1", {"sort": "new"}, {"sort": "new"}),
        (f"list sort=new, page {deep}", {"sort": "new", "page": deep}, {"sort": "new"}),
        ("list sort=support", {"sort": "support"}, {"sort": "support"}),
        ("list sort=random", {"sort": "random"}, {"sort": "random"}),
        (f"list category={category.name}", {"category": category.pk}, {"category": category.pk}),
        ("list state=feasible", {"state": "feasible"}, {"state": "feasible"}),
        ("list kind=association", {"kind": "association"}, {"kind": "association"}),
        (
            "list cost 50,000-150,000",
            {"cost_min": 50_000, "cost_max": 150_000},
            {"cost_min": 50_000, "cost_max": 150_000},
        ),
        (f"list q={common_word}", {"q": common_word}, {"q": common_word}),
        ("list q=<no match>", {"q": "zzzqqq"}, {"q": "zzzqqq"}),
    ]
    result = []
    for name, params, filters in pages:
        count = selectors.proposal_list(budget_round=budget_round, **filters).count()
        result.append((name, list_url, params, count, filters))
    comments = sorted(
        Proposal.objects.filter(budget_round=budget_round)
        .exclude(state="draft")
        .annotate(n=Count("comments"))
        .values_list("n", "pk")
    )
    typical = comments[len(comments) // 2][1]
    for name, pk in (
        ("detail, most commented", data["hot"]),
        ("detail, typical proposal", typical),
    ):
        result.append((name, reverse("proposals:detail", args=[pk]), {}, None, {"pk": pk}))
    return result


def run_pages(data: dict, args) -> list[dict]:
    from django.test import Client
    from django.urls import reverse

    from proposals import selectors
    from proposals.models import Comment, Proposal

    client = Client(HTTP_HOST="localhost")
    budget_round = data["round"]
    results = []
    print(
        f"\n{'page':<34} {'rows':>6} {'queries':>7} {'SQL ms':>7} {'median ms':>9} "
        f"{'p95 ms':>8} {'KB':>6}"
    )
    supports = []
    for name, url, params, count, filters in scenarios(data, args):

        def check(html, filters=filters, params=params, count=count):
            if count is None:
                title = Proposal.objects.get(pk=filters["pk"]).title
                return "" if title in html else "the detail page lacks the proposal's title"
            if count == 0:
                return ""
            seed = client.session.get("shuffle_seed", 1)
            page = int(params.get("page", 1))
            qs = selectors.proposal_list(budget_round=budget_round, seed=seed, **filters)
            first = qs[(page - 1) * PAGE_SIZE]
            link = f'href="{reverse("proposals:detail", args=[first.pk])}"'
            return "" if link in html else f"expected proposal {first.pk} first on the page"

        row = measure(client, name, url, params, args, check)
        if count is None:
            shown = Proposal.objects.get(pk=filters["pk"])
            count = Comment.objects.filter(proposal=shown).count()
            supports.append(f"{shown.support_count:,}")
        row["rows"] = count
        results.append(row)
        print(
            f"{name:<34} {row['rows']:>6} {row['queries']:>7} {row['sql_ms']:>7.1f} "
            f"{row['median']:>9.1f} {row['p95']:>8.1f} {row['kb']:>6.0f}",
            flush=True,
        )
    print(
        f"(rows: proposals matched; for a detail page: its comments (the proposals have "
        f"{' and '.join(supports)} supports). SQL ms, queries, KB: one request.)"
    )
    for row in results:
        if args.explain or row["p95"] > args.slow_ms:
            print(f"\n-- {row['name']}: p95 {row['p95']:.0f} ms; slowest queries of one request")
            for ms, shown, _sql, _params in row["slowest"]:
                print(f"   {ms:7.1f} ms  {shown[:400]}")
            if row["slowest"]:
                _ms, _shown, sql, sql_params = row["slowest"][0]
                print("   plan of the slowest:")
                print(explain(sql, sql_params))
    return results


def header(args, db_url_shown: str) -> None:
    import django
    import wagtail
    from django.db import connection

    from committees.models import User
    from proposals.models import Comment, Proposal, Support

    if connection.vendor == "sqlite":
        import sqlite3

        version = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    print(
        f"\n== proposal pages: {Proposal.objects.count():,} proposals, "
        f"{Support.objects.count():,} supports, {Comment.objects.count():,} comments, "
        f"{User.objects.count():,} users"
    )
    print(f"   database {version} ({connection.vendor}; {db_url_shown})")
    print(
        f"   Python {platform.python_version()}, Django {django.get_version()}, "
        f"Wagtail {wagtail.__version__}, {os.cpu_count()} CPUs, {platform.machine()}"
    )
    print(
        f"   {args.requests} timed requests per page after {args.warmup} warm-up; "
        f"anonymous visitor; page size {PAGE_SIZE}"
    )


def main() -> int:
    args = parse_args()
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="bench-proposals-"))
    database = None
    started = time.perf_counter()
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

        try:
            print("== seeding", flush=True)
            clock("migrate", lambda: call_command("migrate", verbosity=0))
            seeding = time.perf_counter()
            data = seed(args, rng)
            seeded = time.perf_counter() - seeding
            print(f"   {'seeding in all (without migrate)':<40} {seeded:7.2f} s")
            header(args, database.shown())
            results = run_pages(data, args)
        finally:
            connections.close_all()
    finally:
        if database is not None:
            database.remove()
        shutil.rmtree(tmp, ignore_errors=True)
    slowest = max(results, key=lambda row: row["p95"])
    slow = [row for row in results if row["p95"] > args.slow_ms]
    print(
        f"\nsummary: {len(results)} pages, slowest p95 {slowest['p95']:.0f} ms "
        f"({slowest['name']}), {len(slow)} over {args.slow_ms:.0f} ms; "
        f"seeding {seeded:.0f} s, run {time.perf_counter() - started:.0f} s in all"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
