"""Live displays under load: N WebSocket viewers of one round while ballots stream in.

    DJANGO_SETTINGS_MODULE=pbsite.settings.test python benchmarks/live.py \\
        [--viewers 500,2000,5000] [--layers memory,redis] [--rate 5] [--seconds 20] \\
        [--redis-url redis://127.0.0.1:6379/14]

For each channel layer and each N, the script starts the ASGI server (Daphne): one process with
the in-memory layer, two processes sharing Redis. A separate process (no Django) opens N viewers
of /ws/rounds/<id>/live/ on loopback, spread over the server processes, then casts ballots with
one-time codes over HTTP at a steady --rate for --seconds, one after another, so the k-th
committed ballot is the one that makes the count k. The commit time of a ballot is when its
HTTP response arrives (the commit and the publish happen just before).

It prints, per run: viewers connected (and those that got their first snapshot), the server's
memory per connection (growth of the resident set of the server processes from before the
viewers connected to when all were connected, divided by the viewers), updates received, and
the delay from commit to arrival at the viewers:
- per ballot: from a ballot's commit to the first update at a viewer that includes it. This
  includes the coalescing wait (a round sends at most 2 updates a second), so up to 0.5 s of it
  is by design;
- per update: from the commit of the newest ballot an update includes to its arrival.

Goals (issue 6): 5,000 viewers held by one process; p95 under 500 ms at 2,000 viewers on the
in-memory layer and under 1 s over Redis.

The database is a temporary SQLite file. The viewers' process, the ballot writer and the
servers share the machine: on a shared two-core machine the figures include their contention.
"""

import argparse
import asyncio
import concurrent.futures
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.request import urlopen

from checkout import tests_module
from figures import percentile

GOAL_P95_MS = {"memory": 500.0, "redis": 1000.0}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", default="500,2000,5000")
    parser.add_argument("--layers", default="memory,redis")
    parser.add_argument("--rate", type=float, default=5.0, help="ballots per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of ballots per run")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--connect-concurrency", type=int, default=100)
    return parser.parse_args()


# --- Seeding (this process, Django) ------------------------------------------------------------


def seed(code_count: int) -> dict:
    from committees.services import home_page_ensure
    from proposals.models import State

    factories = tests_module("factories")
    from voting.codes import services as codes_services
    from voting.models import VotingConfig

    home_page_ensure()
    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.budget_round(
        committee=committee,
        phase="voting",
        pot=1_000_000,
        max_cost=500_000,
        ballot_style="knapsack",
        title="Borgerbudget live",
    )
    projects = [
        factories.proposal(
            budget_round=budget_round,
            state=State.FEASIBLE,
            title=f"Projekt {n}",
            estimated_cost=50_000 + 10_000 * n,
        )
        for n in range(8)
    ]
    VotingConfig.objects.update_or_create(
        budget_round=budget_round, defaults={"min_ballots_for_tally": 1}
    )
    codes = codes_services.codes_generate(budget_round=budget_round, count=code_count)
    return {"round": budget_round.pk, "projects": [str(p.pk) for p in projects], "codes": codes}


# --- The load: viewers and the ballot writer (own process, no Django) ---------------------------


def _writer(job: dict, commits: list[float], stop: threading.Event) -> None:
    """Cast ballots with codes over one keep-alive HTTP connection, at a steady rate."""
    import http.client
    import random
    from http.cookies import SimpleCookie
    from urllib.parse import urlencode

    port = job["ports"][0]
    path = f"/afstemning/runde/{job['round']}/kode/"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    cookies: dict[str, str] = {}

    def request(method, body=None):
        headers = {"Host": f"127.0.0.1:{port}"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                cookies[name] = morsel.value
        return response.status

    request("GET")
    rng = random.Random(7)
    interval = 1.0 / job["rate"]
    start = time.monotonic()
    for n, code in enumerate(job["codes"]):
        if stop.is_set():
            break
        wait = start + n * interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        body = urlencode(
            [("csrfmiddlewaretoken", cookies["csrftoken"]), ("code", code)]
            + [("project", rng.choice(job["projects"]))]
        )
        status = request("POST", body)
        if status != 302:
            raise RuntimeError(f"ballot {n} answered {status}")
        commits.append(time.time())
    conn.close()


async def _viewers(job: dict) -> dict:
    from websockets.asyncio.client import connect

    n = job["viewers"]
    received: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    first = [False] * n
    sockets = [None] * n
    gate = asyncio.Semaphore(job["connect_concurrency"])
    failures = 0

    async def viewer(i: int) -> None:
        nonlocal failures
        port = job["ports"][i % len(job["ports"])]
        try:
            async with gate:
                ws = await connect(
                    f"ws://127.0.0.1:{port}/ws/rounds/{job['round']}/live/",
                    origin=f"http://127.0.0.1:{port}",
                    open_timeout=60,
                    ping_interval=None,
                    compression=None,
                    max_queue=None,
                )
            sockets[i] = ws
            async for message in ws:
                # The count only, without decoding the whole snapshot: this one process times
                # thousands of viewers, and its own work must not pass for the server's delay.
                start = message.find('"ballots":') + 10
                ballots = int(message[start : message.find(",", start)])
                received[i].append((time.time(), ballots))
                first[i] = True
        except Exception:  # counted, not raised
            if sockets[i] is None:
                failures += 1

    started = time.monotonic()
    tasks = [asyncio.create_task(viewer(i)) for i in range(n)]
    while sum(s is not None for s in sockets) + failures < n:
        await asyncio.sleep(0.2)
    while sum(first) < sum(s is not None for s in sockets) and time.monotonic() - started < 120:
        await asyncio.sleep(0.2)
    connect_seconds = time.monotonic() - started
    Path(job["marker"]).write_text("connected")
    await asyncio.sleep(3)  # the parent reads the servers' memory now

    commits: list[float] = []
    stop = threading.Event()
    writing = time.monotonic()
    await asyncio.to_thread(_writer, job, commits, stop)
    write_seconds = time.monotonic() - writing
    await asyncio.sleep(3)  # the last updates arrive
    for ws in sockets:
        if ws is not None:
            await ws.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    base = job["initial_ballots"]
    per_ballot, per_update, updates = [], [], 0
    for messages in received:
        seen = base
        for arrival, ballots in messages[1:]:
            updates += 1
            if ballots <= seen:
                continue
            per_update.append(arrival - commits[ballots - base - 1])
            for k in range(seen + 1, ballots + 1):
                per_ballot.append(arrival - commits[k - base - 1])
            seen = ballots
    return {
        "connected": sum(s is not None for s in sockets),
        "first_snapshot": sum(first),
        "failures": failures,
        "connect_seconds": connect_seconds,
        "ballots": len(commits),
        "write_seconds": write_seconds,
        "updates": updates,
        "per_ballot": per_ballot,
        "per_update": per_update,
        "complete": sum(1 for m in received if m and m[-1][1] == base + len(commits)),
    }


def load(job: dict) -> dict:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return asyncio.run(_viewers(job))


# --- Main -------------------------------------------------------------------------------------


def run(args, viewer_counts: list[int], layers: list[str], per_run: int, tmp: Path) -> list:
    """Seed the database in `tmp`, then one run per layer and number of viewers."""
    DaphneServers = tests_module("daphne_server").DaphneServers
    database_url = f"sqlite:///{tmp / 'live.sqlite3'}"
    os.environ.update(DATABASE_URL=database_url, VAR_DIR=str(tmp / "var"), LOG_LEVEL="WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbsite.settings.test")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    data = seed(per_run * len(viewer_counts) * len(layers))
    connections.close_all()
    print(
        f"== live displays: {os.cpu_count()} cores (shared: the viewers, the ballot writer and "
        f"the servers all run on this machine), {args.rate:g} ballots/s for {args.seconds:g} s "
        "per run, SQLite",
        flush=True,
    )
    results, used = [], 0
    context = multiprocessing.get_context("spawn")
    for layer in layers:
        for n in viewer_counts:
            env = {**os.environ, "DATABASE_URL": database_url}
            if layer == "redis":
                env["REDIS_URL"] = args.redis_url
            servers = DaphneServers(2 if layer == "redis" else 1, env=env, log_dir=tmp, quiet=True)
            try:
                for port in servers.ports:  # warm up: first request, first import
                    urlopen(f"http://127.0.0.1:{port}/afstemning/live/runde/{data['round']}/")
                before = servers.rss_kib()
                marker = tmp / f"connected-{layer}-{n}"
                job = {
                    "ports": servers.ports,
                    "round": data["round"],
                    "projects": data["projects"],
                    "codes": data["codes"][used : used + per_run],
                    "initial_ballots": used,
                    "viewers": n,
                    "rate": args.rate,
                    "marker": str(marker),
                    "connect_concurrency": args.connect_concurrency,
                }
                used += per_run
                with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
                    future = pool.submit(load, job)
                    while not marker.exists() and not future.done():
                        time.sleep(0.2)
                    time.sleep(1)
                    connected_rss = servers.rss_kib()
                    result = future.result()
            finally:
                servers.stop()
            result.update(
                layer=layer, n=n, kib=(connected_rss - before) / max(1, result["connected"])
            )
            results.append(result)
            report(result)
    return results


def main() -> int:
    args = parse_args()
    viewer_counts = [int(v) for v in args.viewers.split(",")]
    layers = args.layers.split(",")
    per_run = int(args.rate * args.seconds)
    tmp = Path(tempfile.mkdtemp(prefix="bench-live-"))
    try:
        results = run(args, viewer_counts, layers, per_run, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n== summary")
    print(
        f"{'layer':8} {'viewers':>7} {'connected':>9} {'KiB/conn':>8} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  (per ballot; per update in brackets)"
    )
    for r in results:
        pb, pu = r["per_ballot"], r["per_update"]
        goal = ""
        if r["n"] == 2000:
            ok = percentile(pb, 0.95) * 1000 < GOAL_P95_MS[r["layer"]]
            goal = f"  goal p95 < {GOAL_P95_MS[r['layer']]:.0f} ms: {'PASS' if ok else 'MISS'}"
        print(
            f"{r['layer']:8} {r['n']:>7} {r['connected']:>9} {r['kib']:>8.1f} "
            f"{percentile(pb, 0.5) * 1000:>7.0f} {percentile(pb, 0.95) * 1000:>7.0f} "
            f"{percentile(pb, 0.99) * 1000:>7.0f}  "
            f"[{percentile(pu, 0.5) * 1000:.0f} / {percentile(pu, 0.95) * 1000:.0f} / "
            f"{percentile(pu, 0.99) * 1000:.0f}]{goal}"
        )
    return 0


def report(r: dict) -> None:
    pb, pu = r["per_ballot"], r["per_update"]
    print(
        f"\n-- {r['layer']} layer, {r['n']} viewers\n"
        f"   connected {r['connected']}/{r['n']} in {r['connect_seconds']:.1f} s "
        f"({r['first_snapshot']} got their first snapshot, {r['failures']} failed)\n"
        f"   server memory {r['kib']:.1f} KiB per connection\n"
        f"   {r['ballots']} ballots in {r['write_seconds']:.1f} s "
        f"({r['ballots'] / max(r['write_seconds'], 1e-9):.1f}/s), {r['updates']} updates received "
        f"({r['updates'] / max(1, r['connected']):.1f} per viewer), "
        f"{r['complete']} viewers saw the final count\n"
        f"   commit -> arrival per ballot: p50 {percentile(pb, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(pb, 0.95) * 1000:.0f} ms, p99 {percentile(pb, 0.99) * 1000:.0f} ms\n"
        f"   commit -> arrival per update: p50 {percentile(pu, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(pu, 0.95) * 1000:.0f} ms, p99 {percentile(pu, 0.99) * 1000:.0f} ms",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
