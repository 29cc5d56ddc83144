"""Cast many online knapsack ballots over HTTP against the real ASGI server and PostgreSQL.

    DJANGO_SETTINGS_MODULE=pbsite.settings.test python benchmarks/ballots.py \\
        [--voters 3000] [--proposals 20] [--concurrency 32] [--workers 2] [--max-seconds 120] \\
        [--health-seconds 10] [--rate 110] [--pool 8] [--seed 2025] [--database-url URL] \\
        [--replace] [--keep] [--profile 0]

The script works in a PostgreSQL database of its own, bench_ballots on the local server by
default (--database-url names another): it must not exist yet unless --replace, and it is
dropped at the end (unless --keep). VAR_DIR points into a temporary directory.

It migrates and seeds one committee with one knapsack round in its voting phase (pot
1,000,000 kr., --proposals feasible proposals) and --voters people, each with a verified
identity and a logged-in session written straight into the session table, so that no login
round-trip is needed. Each voter also gets a CSRF secret, sent both as the csrftoken cookie and
as the form's csrfmiddlewaretoken.

Then it starts --workers Daphne processes (each one port; the settings of
DJANGO_SETTINGS_MODULE, pbsite.settings.test by default, which has DEBUG off; no access log)
and, in a separate process, a load generator: --concurrency clients over keep-alive HTTP/1.1,
the requests spread round-robin over the servers. Each client takes the next voter and POSTs a
random knapsack ballot within the pot to /afstemning/runde/<id>/; a 302 to the receipt page
counts as a ballot cast. The run stops when every voter has voted or after --max-seconds.
By default the clients are paced to start at most --rate (110) ballots per second in all: an
open workload, as voters arrive, at the goal with a tenth to spare; the verdict asks that the
server keeps up with it and answers 95 % of the ballots within 300 ms. --rate 0 measures the
server's capacity instead: each client sends its next ballot as soon as the last one is
answered (a closed workload), where the latency is about the concurrency divided by the
throughput (Little's law) and says little about the server.

In the same run the same clients request /healthz (one SELECT 1) for --health-seconds, as the
baseline of the server and its per-request database connection. The report gives ballots per
second and their latency (p50, p95, p99), the status codes, the baseline's requests per second
and latency, their ratio, and PASS or MISS against the goal: at least 100 ballots per second
with a p95 under 300 ms. It checks afterwards that the database holds exactly one ballot and
one participation per ballot cast.

--profile N casts N more ballots in this process through Django's test Client under cProfile
(after the HTTP run) and prints the SQL queries of one ballot and the functions that take the
time: the server's share of a ballot without network and server.

The servers use a pool of --pool (8) PostgreSQL connections per process (DATABASE_POOL_SIZE,
as in production); --pool 0 opens a connection per request (CONN_MAX_AGE=0). Raising
CONN_MAX_AGE is no remedy under Daphne: Django runs each request's sync code in a thread of its
own, so kept connections pile up until PostgreSQL refuses more ("too many clients").
"""

import argparse
import asyncio
import concurrent.futures
import math
import multiprocessing
import os
import platform
import random
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from checkout import tests_module
from figures import percentile
from scratch_db import ScratchDatabase

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_ballots"
POT = 1_000_000
GOAL_RATE = 100.0  # ballots per second
GOAL_P95_MS = 300.0
TITLES = [
    "Bænke ved søen",
    "Legeplads i Fælledparken",
    "Bytræer i Classensgade",
    "Cykelparkering ved stationen",
    "Udendørs fitness",
    "Drikkevandspost",
    "Blomstereng",
    "Skaterbane",
    "Shelter i Lersøparken",
    "Belysning på stien",
    "Byhave ved biblioteket",
    "Vandlegeplads",
    "Bogskab på pladsen",
    "Overdækket scene",
    "Hundeskov",
    "Regnbed",
    "Grillplads",
    "Klatrevæg",
    "Sansehave",
    "Motionssti",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=3_000)
    parser.add_argument("--proposals", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="Daphne processes, one port each")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="limit of the ballots")
    parser.add_argument("--health-seconds", type=float, default=10.0, help="/healthz baseline")
    parser.add_argument(
        "--rate", type=float, default=110.0, help="ballots started per second (0: closed loop)"
    )
    parser.add_argument(
        "--pool", type=int, default=8, help="database connections per server process (0: none)"
    )
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--replace", action="store_true", help="drop the database first if it exists"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--profile", type=int, default=0, help="ballots cast in process under cProfile at the end"
    )
    args = parser.parse_args()
    if min(args.voters, args.proposals, args.concurrency, args.workers) < 1:
        parser.error("sizes must be positive")
    if min(args.health_seconds, args.rate, args.profile, args.pool) < 0 or args.max_seconds <= 0:
        parser.error("times, rates and counts must not be negative")
    if 0 < args.profile < 4:
        parser.error("--profile casts at least 4 ballots (or 0: no profile)")
    return args


# --- The database of the run --------------------------------------------------------------------


# --- Seeding ------------------------------------------------------------------------------------


def clock(label: str, function):
    start = time.perf_counter()
    result = function()
    print(f"   {label:<40} {time.perf_counter() - start:7.2f} s", flush=True)
    return result


def seed(args, rng: random.Random) -> dict:
    """One knapsack round in its voting phase, its proposals, and voters ready to vote."""
    import datetime

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from committees.models import User
    from committees.services import home_page_ensure
    from proposals.models import State

    factories = tests_module("factories")
    from voting import keys, selectors
    from voting.models import VerifiedIdentity

    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        raise SystemExit("sessions are written to the database; SESSION_ENGINE is not that")

    def round_and_proposals():
        home_page_ensure()
        committee = factories.committee("Østerbro Lokaludvalg")
        budget_round = factories.budget_round(
            committee=committee,
            phase="voting",
            title="Borgerbudget 2025",
            pot=POT,
            min_cost=5_000,
            max_cost=500_000,
            ballot_style="knapsack",
        )
        author = factories.user(email="forslagsstiller@example.dk")
        for i in range(args.proposals):
            factories.proposal(
                budget_round=budget_round,
                author=author,
                state=State.FEASIBLE,
                title=f"{TITLES[i % len(TITLES)]} {i + 1}",
                estimated_cost=rng.randrange(20_000, 300_000, 1_000),
            )
        return committee, budget_round

    committee, budget_round = clock(
        f"committee, round, {args.proposals} proposals", round_and_proposals
    )
    costs = {pid: p.cost for pid, p in selectors.round_projects(budget_round=budget_round).items()}
    if len(costs) != args.proposals:
        raise SystemExit(f"{len(costs)} proposals on the ballot, expected {args.proposals}")

    # The voters of the HTTP run, then those of --profile.
    total = args.voters + args.profile

    def users():
        password = make_password(None)
        User.objects.bulk_create(
            [User(email=f"vaelger{i:06d}@example.dk", password=password) for i in range(total)],
            batch_size=2_000,
        )
        return list(User.objects.filter(email__startswith="vaelger").order_by("email"))

    people = clock(f"{total:,} users", users)

    def identities():
        now = timezone.now()
        VerifiedIdentity.objects.bulk_create(
            [
                VerifiedIdentity(
                    user=person,
                    provider="bench",
                    subject=f"bench-{i}",
                    person_key=keys.person_key(national_id=f"{1_000_000_000 + i}"),
                    area=committee.district,
                    age_band="35-49",
                    verified_at=now,
                )
                for i, person in enumerate(people)
            ],
            batch_size=2_000,
        )

    clock(f"{total:,} verified identities", identities)

    def sessions():
        backend = "django.contrib.auth.backends.ModelBackend"
        expires = timezone.now() + datetime.timedelta(days=1)
        store = SessionStore()
        rows, voters = [], []
        for person in people:
            key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
            data = {
                "_auth_user_id": str(person.pk),
                "_auth_user_backend": backend,
                "_auth_user_hash": person.get_session_auth_hash(),
            }
            rows.append(
                Session(session_key=key, session_data=store.encode(data), expire_date=expires)
            )
            voters.append((key, _get_new_csrf_string()))
        Session.objects.bulk_create(rows, batch_size=2_000)
        return voters

    voters = clock(f"{total:,} sessions and CSRF secrets", sessions)

    def analyze():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    clock("ANALYZE", analyze)
    return {
        "round": budget_round,
        "costs": costs,
        "voters": voters[: args.voters],
        "profile_voters": voters[args.voters :],
        "people": people,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
    }


def knapsack_selection(rng: random.Random, costs: dict[str, int]) -> list[str]:
    """A random ballot within the pot: projects in random order, each taken if it still fits,
    until the voter stops (the longer the ballot, the likelier)."""
    order = list(costs)
    rng.shuffle(order)
    chosen, spent = [], 0
    for pid in order:
        if spent + costs[pid] <= POT:
            chosen.append(pid)
            spent += costs[pid]
            if rng.random() < 0.15:
                break
    return chosen or [min(costs, key=costs.get)]


# --- Servers ------------------------------------------------------------------------------------


# --- The load generator (its own process; no Django) -------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection, reopened when the server closes it."""

    def __init__(self, port: int):
        self.port = port
        self.reader = None
        self.writer = None

    async def request(self, raw: bytes) -> tuple[int, dict[str, str]]:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                fresh = True
            else:
                fresh = False
            try:
                self.writer.write(raw)
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if fresh or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, dict[str, str]]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await self.reader.read()
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _ballot_request(job: dict, port: int, voter: tuple[str, str], projects: list[str]) -> bytes:
    session, csrf = voter
    body = urlencode(
        [("csrfmiddlewaretoken", csrf)] + [("project", pid) for pid in projects]
    ).encode()
    head = (
        f"POST {job['ballot_path']} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Origin: http://127.0.0.1:{port}\r\n"
        f"Cookie: {job['session_cookie']}={session}; {job['csrf_cookie']}={csrf}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode() + body


def _get_request(path: str, port: int) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()


async def _ballots(job: dict) -> dict:
    work = list(zip(job["voters"], job["selections"], strict=True))
    ports = job["ports"]
    counter = iter(range(len(work)))
    latencies: list[float] = []
    statuses: Counter = Counter()
    successes: list[int] = []  # indexes of voters whose ballot was accepted
    problems: list[str] = []
    start = time.perf_counter()
    deadline = start + job["max_seconds"]
    interval = 1.0 / job["rate"] if job["rate"] else 0.0

    async def client(number: int):
        connections = {port: Connection(port) for port in ports}
        try:
            for index in counter:
                now = time.perf_counter()
                if now >= deadline:
                    break
                due = None
                if interval:  # open workload: ballot number i starts at i / rate at the earliest
                    due = start + index * interval
                    if due > now:
                        await asyncio.sleep(due - now)
                port = ports[index % len(ports)]
                voter, projects = work[index]
                raw = _ballot_request(job, port, voter, projects)
                sent = time.perf_counter()
                # In an open workload the voter arrived when the ballot was due: time spent
                # waiting for a free client counts too, or a slow server would hide its queue.
                origin = sent if due is None else min(sent, due)
                try:
                    status, headers = await connections[port].request(raw)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    statuses[f"error {type(exc).__name__}"] += 1
                    continue
                latencies.append((time.perf_counter() - origin) * 1000)
                ok = status == 302 and headers.get("location", "").endswith(job["receipt_path"])
                if ok:
                    successes.append(index)
                    statuses["302 receipt"] += 1
                else:
                    statuses[str(status)] += 1
                    if len(problems) < 5:
                        problems.append(f"{status} {headers.get('location', '')}".strip())
        finally:
            for connection in connections.values():
                connection.close()

    await asyncio.gather(*(client(n) for n in range(job["concurrency"])))
    elapsed = time.perf_counter() - start
    return {
        "latencies": latencies,
        "statuses": statuses,
        "successes": successes,
        "elapsed": elapsed,
        "attempted": len(latencies) + sum(v for k, v in statuses.items() if k.startswith("error")),
        "problems": problems,
    }


async def _baseline(job: dict) -> dict:
    ports = job["ports"]
    latencies: list[float] = []
    statuses: Counter = Counter()
    sequence = iter(range(10**9))
    start = time.perf_counter()
    deadline = start + job["health_seconds"]

    async def client(number: int):
        connections = {port: Connection(port) for port in ports}
        try:
            for index in sequence:
                if time.perf_counter() >= deadline:
                    break
                port = ports[index % len(ports)]
                sent = time.perf_counter()
                try:
                    status, _headers = await connections[port].request(
                        _get_request("/healthz", port)
                    )
                except (OSError, asyncio.IncompleteReadError) as exc:
                    statuses[f"error {type(exc).__name__}"] += 1
                    continue
                latencies.append((time.perf_counter() - sent) * 1000)
                statuses[str(status)] += 1
        finally:
            for connection in connections.values():
                connection.close()

    await asyncio.gather(*(client(n) for n in range(job["concurrency"])))
    return {"latencies": latencies, "statuses": statuses, "elapsed": time.perf_counter() - start}


async def _warm(job: dict) -> None:
    """A few requests per server first: imports, URL resolvers and templates are loaded once."""
    for port in job["ports"]:
        connection = Connection(port)
        try:
            for _ in range(5):
                await connection.request(_get_request("/healthz", port))
            session, csrf = job["warm_voter"]
            raw = (
                f"GET {job['ballot_path']} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Cookie: {job['session_cookie']}={session}; {job['csrf_cookie']}={csrf}\r\n\r\n"
            ).encode()
            for _ in range(3):
                status, _headers = await connection.request(raw)
                if status != 200:
                    raise SystemExit(f"the ballot page answered {status} to a voter")
        finally:
            connection.close()


def load(job: dict) -> dict:
    """Run in the load generator's process: warm up, cast the ballots, then the baseline."""

    async def run():
        await _warm(job)
        ballots = await _ballots(job)
        baseline = await _baseline(job) if job["health_seconds"] else None
        return ballots, baseline

    ballots, baseline = asyncio.run(run())
    return {"ballots": ballots, "baseline": baseline}


# --- Report -------------------------------------------------------------------------------------


def header(args, data: dict, database: ScratchDatabase, ports: list[int]) -> None:
    import django
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    conn_max_age = settings.DATABASES["default"].get("CONN_MAX_AGE", 0)
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    connections = (
        f"a pool of {pool['max_size']} connections per process"
        if pool
        else f"CONN_MAX_AGE={conn_max_age}"
    )
    print(
        f"\n== ballots over HTTP: {len(data['voters']):,} voters, {len(data['costs'])} proposals "
        f"on a knapsack ballot (pot {POT:,} kr.)"
    )
    workload = (
        f"open, {args.rate:g} ballots/s started at most"
        if args.rate
        else "closed (next ballot when the last is answered)"
    )
    print(
        f"   {args.concurrency} concurrent clients, {args.workers} Daphne process(es) on ports "
        f"{', '.join(map(str, ports))}, round-robin; workload {workload}"
    )
    print(
        f"   PostgreSQL {version} ({database.shown()}); {connections}; "
        f"settings {os.environ['DJANGO_SETTINGS_MODULE']} (DEBUG={settings.DEBUG})"
    )
    try:
        load_avg = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load_avg = "?"
    print(
        f"   Python {platform.python_version()}, Django {django.get_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}; load average before the run {load_avg}"
    )


def report(args, result: dict) -> tuple[float, float]:
    ballots = result["ballots"]
    lat = ballots["latencies"]
    cast = len(ballots["successes"])
    rate = cast / ballots["elapsed"] if ballots["elapsed"] else 0.0
    p50, p95, p99 = (percentile(lat, q) for q in (0.50, 0.95, 0.99))
    print(f"\n-- ballots: POST {len(lat):,} in {ballots['elapsed']:.1f} s")
    print(f"   ballots cast       {cast:>8,}   ({rate:.1f} ballots/s)")
    print(
        f"   latency ms         p50 {p50:7.1f}   p95 {p95:7.1f}   p99 {p99:7.1f}   "
        f"max {max(lat) if lat else math.nan:7.1f}"
    )
    print(
        "   answers            "
        + ", ".join(f"{status}: {n:,}" for status, n in sorted(ballots["statuses"].items()))
    )
    for problem in ballots["problems"]:
        print(f"   e.g. {problem}")
    if ballots["attempted"] < len(result["job_voters"]):
        print(
            f"   stopped after {args.max_seconds:g} s: {ballots['attempted']:,} of "
            f"{len(result['job_voters']):,} voters tried"
        )
    baseline = result["baseline"]
    if baseline:
        blat = baseline["latencies"]
        brate = len(blat) / baseline["elapsed"] if baseline["elapsed"] else 0.0
        b50, b95 = percentile(blat, 0.50), percentile(blat, 0.95)
        print(f"\n-- trivial view /healthz: {len(blat):,} GET in {baseline['elapsed']:.1f} s")
        print(f"   requests/s         {brate:8.1f}")
        print(f"   latency ms         p50 {b50:7.1f}   p95 {b95:7.1f}")
        print(
            "   answers            "
            + ", ".join(f"{status}: {n:,}" for status, n in sorted(baseline["statuses"].items()))
        )
        if rate and brate:
            print(
                f"\n   ratio: a ballot costs {brate / rate:.1f} /healthz requests "
                f"(ballots/s are {100 * rate / brate:.0f} % of /healthz requests/s)"
            )
    verdict = "PASS" if rate >= GOAL_RATE and p95 < GOAL_P95_MS else "MISS"
    print(
        f"\n{verdict}: {rate:.1f} ballots/s (goal >= {GOAL_RATE:.0f}), p95 {p95:.0f} ms "
        f"(goal < {GOAL_P95_MS:.0f} ms)"
    )
    return rate, p95


def verify(data: dict, successes: int) -> bool:
    from voting.models import Ballot, Participation

    budget_round = data["round"]
    ballots = Ballot.objects.filter(budget_round=budget_round).count()
    participations = Participation.objects.filter(budget_round=budget_round).count()
    ok = ballots == participations == successes
    print(
        f"{'OK' if ok else 'MISMATCH'}: the database holds {ballots:,} ballots and "
        f"{participations:,} participations; {successes:,} ballots were answered with a receipt"
    )
    return ok


# --- In-process profile -------------------------------------------------------------------------


def profile(data: dict, count: int, rng: random.Random) -> None:
    """Cast `count` ballots through Django's test Client under cProfile; print where time goes."""
    import cProfile
    import io
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    budget_round = data["round"]
    url = reverse("voting:ballot", args=[budget_round.pk])
    voters = data["profile_voters"][:count]
    print(f"\n== profile: {len(voters)} ballots in process (test Client, no server, no network)")

    def post(voter, client_kwargs=None):
        session, csrf = voter
        client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1", **(client_kwargs or {}))
        client.cookies[data["session_cookie"]] = session
        client.cookies[data["csrf_cookie"]] = csrf
        selection = knapsack_selection(rng, data["costs"])
        response = client.post(url, {"csrfmiddlewaretoken": csrf, "project": selection})
        if response.status_code != 302:
            raise SystemExit(f"profile: the ballot answered {response.status_code}")

    first, rest = voters[0], voters[1:]
    calls = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            calls.append(((time.perf_counter() - started) * 1000, sql))

    connection.close()  # as the server with CONN_MAX_AGE=0: a new connection per request
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        post(first)
    print(
        f"   one ballot: {len(captured.captured_queries)} SQL queries, "
        f"{sum(ms for ms, _sql in calls):.1f} ms in them"
    )
    for ms, sql in calls:
        print(f"   {ms:6.2f} ms  {sql[:150]}")
    if not rest:
        return

    def timing(label, voters, *, reconnect):
        wall, cpu = time.perf_counter(), time.process_time()
        for voter in voters:
            if reconnect:
                connection.close()
            post(voter)
        wall = (time.perf_counter() - wall) * 1000 / len(voters)
        cpu = (time.process_time() - cpu) * 1000 / len(voters)
        print(f"   {label:<52} {wall:6.1f} ms wall, {cpu:6.1f} ms CPU of Python")

    def health(label, *, reconnect, count=50):
        client = Client(HTTP_HOST="127.0.0.1")
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            if reconnect:
                connection.close()
            client.get("/healthz")
        wall = (time.perf_counter() - wall) * 1000 / count
        cpu = (time.process_time() - cpu) * 1000 / count
        print(f"   {label:<52} {wall:6.1f} ms wall, {cpu:6.1f} ms CPU of Python")

    third = max(1, len(rest) // 3)
    print("\n   per request, in process (means):")
    health("/healthz, new connection (CONN_MAX_AGE=0)", reconnect=True)
    health("/healthz, connection kept", reconnect=False)
    timing("ballot, new connection (CONN_MAX_AGE=0)", rest[:third], reconnect=True)
    timing("ballot, connection kept", rest[third : 2 * third], reconnect=False)
    rest = rest[2 * third :] or rest[:1]
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for voter in rest:
        connection.close()
        post(voter)
    profiler.disable()
    per = (time.perf_counter() - started) * 1000 / len(rest)
    print(f"\n   {len(rest)} ballots under cProfile: {per:.1f} ms each (with its overhead)")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(order).print_stats(25)
        text = out.getvalue()
        print(f"\n   -- top 25 by {order}")
        print(text[text.find("   ncalls") :].rstrip())


# --- Main ---------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="bench-ballots-"))
    database = servers = None
    started = time.perf_counter()
    ok = True
    try:
        database = ScratchDatabase(
            args.database_url, replace=args.replace, keep=args.keep, postgres_only=True
        )
        os.environ["DATABASE_URL"] = database.url
        os.environ["VAR_DIR"] = str(tmp / "var")
        os.environ["DATABASE_POOL_SIZE"] = str(args.pool)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbsite.settings.test")
        os.environ.setdefault("LOG_LEVEL", "WARNING")

        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections
        from django.urls import reverse

        try:
            print("== seeding", flush=True)
            clock("migrate", lambda: call_command("migrate", verbosity=0))
            data = seed(args, rng)
            budget_round = data["round"]
            selections = [knapsack_selection(rng, data["costs"]) for _ in data["voters"]]
            connections.close_all()

            servers = tests_module("daphne_server").DaphneServers(
                args.workers,
                env={
                    **os.environ,
                    "DATABASE_URL": database.url,
                    "VAR_DIR": str(tmp / "var"),
                    "LOG_LEVEL": "WARNING",
                },
                log_dir=tmp,
                quiet=True,
            )
            header(args, data, database, servers.ports)
            mean_size = sum(map(len, selections)) / len(selections)
            print(f"   ballots choose {mean_size:.1f} projects on average")
            connections.close_all()
            warm_voter = data["profile_voters"][-1] if data["profile_voters"] else None
            job = {
                "ports": servers.ports,
                "ballot_path": reverse("voting:ballot", args=[budget_round.pk]),
                "receipt_path": reverse("voting:receipt", args=[budget_round.pk]),
                "session_cookie": data["session_cookie"],
                "csrf_cookie": data["csrf_cookie"],
                "voters": data["voters"],
                # GET of the ballot page only: it casts nothing.
                "warm_voter": warm_voter or data["voters"][0],
                "selections": selections,
                "concurrency": args.concurrency,
                "max_seconds": args.max_seconds,
                "health_seconds": args.health_seconds,
                "rate": args.rate,
                "seed": args.seed,
            }
            print("\n   running the load generator ...", flush=True)
            context = multiprocessing.get_context("spawn")
            with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
                result = pool.submit(load, job).result()
            result["job_voters"] = data["voters"]
            report(args, result)
            ok = verify(data, len(result["ballots"]["successes"]))
            servers.stop()
            tail = servers.log_tail()
            if tail:
                print(f"\nserver output (last lines):\n{tail}")
            servers = None
            if args.profile:
                profile(data, args.profile, rng)
        finally:
            connections.close_all()
    finally:
        if servers is not None:
            servers.stop()
        if database is not None:
            database.remove()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nrun {time.perf_counter() - started:.0f} s in all")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
