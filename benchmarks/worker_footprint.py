"""One Daphne worker's resident memory and idle CPU after a day's kinds of work, twice over.

    DJANGO_SETTINGS_MODULE=pbsite.settings.test .venv/bin/python benchmarks/worker_footprint.py \\
        [--rounds 2] [--views 1000] [--viewers 100] [--uploads 100] [--idle 10] \\
        [--database-url postgres://postgres@127.0.0.1:5432/bench_footprint]

Seeds a scratch database (scratch_db.py) with a committee, a round collecting ideas and a round
in its voting phase, and a resident with a verified e-mail address; starts one Daphne worker
(tests/daphne_server.py) on loopback; signs the resident in over HTTP. Then, per round of work:
`--views` page views (front page, proposal list, a proposal, the live page, the ballot page,
in turn), `--viewers` WebSocket viewers of the live page coming and going (ten at a time, each
waits for its snapshot), `--uploads` drafts saved with an image each (a 1,200 x 900 PNG of
140 kB, re-encoded by the server), and `--idle` seconds of nothing.

It prints the worker's resident set (VmRSS from /proc) after warm-up and after each phase, and
its CPU use while idle (utime + stime from /proc over the idle seconds). A process that keeps
something per request, per socket or per upload grows in the second round as in the first;
one that is lean levels off after the first (caches, imports and the allocator's arenas fill
once).
"""

import argparse
import asyncio
import io
import os
import re
import shutil
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode
from uuid import uuid4

from checkout import tests_module
from scratch_db import ScratchDatabase

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--views", type=int, default=1000)
    parser.add_argument("--viewers", type=int, default=100)
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--replace", action="store_true")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def seed() -> dict:
    from allauth.account.models import EmailAddress

    from committees.services import home_page_ensure
    from proposals.models import State

    factories = tests_module("factories")
    home_page_ensure()
    committee = factories.committee("Østerbro Lokaludvalg")
    ideas = factories.budget_round(committee=committee, phase="ideas", title="Idéer")
    voting = factories.budget_round(committee=committee, phase="voting", title="Afstemning")
    proposal = factories.proposal(budget_round=ideas, state=State.SUBMITTED, title="Bænke")
    person = factories.user(email="footprint@example.dk")
    assert EmailAddress.objects.filter(user=person, verified=True).exists()
    return {
        "email": person.email,
        "password": factories.PASSWORD,
        "ideas": ideas.pk,
        "voting": voting.pk,
        "proposal": proposal.pk,
    }


def png_bytes() -> bytes:
    from PIL import Image

    image = Image.effect_mandelbrot((1200, 900), (-2.2, -1.2, 1.0, 1.2), 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class Browser:
    """One keep-alive HTTP connection with cookies, as a resident's browser."""

    def __init__(self, port: int):
        import http.client

        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, content_type=None) -> tuple[int, str]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, text

    def token(self, path: str) -> str:
        status, page = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def post(self, path: str, fields: list[tuple[str, str]]) -> int:
        fields = [("csrfmiddlewaretoken", self.token(path)), *fields]
        body = urlencode(fields)
        return self.request("POST", path, body, "application/x-www-form-urlencoded")[0]

    def post_multipart(self, path: str, fields: list[tuple[str, str]], files) -> int:
        fields = [("csrfmiddlewaretoken", self.token(path)), *fields]
        boundary = uuid4().hex
        parts = []
        for name, value in fields:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, filename, content_type, content in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, f"multipart/form-data; boundary={boundary}")[0]


def proc_stat(pid: int) -> tuple[int, float]:
    """(resident set in KiB, CPU seconds so far) of a process, from /proc."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return rss, cpu


async def viewers_come_and_go(port: int, round_id: int, count: int) -> int:
    """`count` viewers of the live page, ten at a time, each until its first snapshot."""
    from websockets.asyncio.client import connect

    async def one() -> bool:
        async with connect(
            f"ws://127.0.0.1:{port}/ws/rounds/{round_id}/live/",
            origin=f"http://127.0.0.1:{port}",
            open_timeout=30,
        ) as ws:
            await asyncio.wait_for(ws.recv(), 30)
            return True

    seen = 0
    for start in range(0, count, 10):
        batch = min(10, count - start)
        seen += sum(await asyncio.gather(*(one() for _ in range(batch))))
    return seen


def main() -> int:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-footprint-"))
    database = ScratchDatabase(
        args.database_url or f"sqlite:///{tmp / 'footprint.sqlite3'}",
        replace=args.replace,
        keep=args.keep,
    )
    try:
        return run(args, tmp, database)
    finally:
        database.remove()
        shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp: Path, database: ScratchDatabase) -> int:
    os.environ.update(
        DATABASE_URL=database.url,
        VAR_DIR=str(tmp / "var"),
        MEDIA_ROOT=str(tmp / "media"),
        LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbsite.settings.test")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    data = seed()
    connections.close_all()
    image = png_bytes()
    DaphneServers = tests_module("daphne_server").DaphneServers
    print(
        f"== one Daphne worker ({os.cpu_count()} cores, shared), {database.shown().split(':')[0]}"
        f", {args.views} page views, {args.viewers} viewers, {args.uploads} uploads of "
        f"{len(image) // 1024} kB per round",
        flush=True,
    )
    pages = [
        "/",
        f"/forslag/runde/{data['ideas']}/",
        f"/forslag/{data['proposal']}/",
        f"/afstemning/live/runde/{data['voting']}/",
        f"/afstemning/runde/{data['voting']}/",
    ]
    with DaphneServers(env=dict(os.environ), log_dir=tmp, quiet=True) as server:
        pid, port = server.processes[0].pid, server.ports[0]
        browser = Browser(port)
        status = browser.post(
            "/konto/login/", [("login", data["email"]), ("password", data["password"])]
        )
        if status != 302:
            raise SystemExit(f"sign-in answered {status}")
        for path in pages * 10:  # warm-up: imports, templates, caches
            browser.request("GET", path)
        rss, _ = proc_stat(pid)
        print(f"{'after warm-up':34} {rss / 1024:8.1f} MiB", flush=True)
        try:
            rows = work(args, browser, server, data, pages, image)
        except Exception:
            print(server.log_tail(40), file=sys.stderr)  # the worker's side of a failure
            raise
        if len(rows) > 1:
            growth = (rows[-1][4] - rows[-2][4]) / 1024
            print(f"growth of the resident set in the last round: {growth:+.1f} MiB")
    return 0


def work(args, browser, server, data, pages, image) -> list[tuple]:
    """The rounds of work; a row of figures per round."""
    pid, port = server.processes[0].pid, server.ports[0]
    rows = []
    for n in range(1, args.rounds + 1):
        statuses: dict[int, int] = {}
        started = time.monotonic()
        for i in range(args.views):
            status, _ = browser.request("GET", pages[i % len(pages)])
            statuses[status] = statuses.get(status, 0) + 1
        views_s = time.monotonic() - started
        rss_views, _ = proc_stat(pid)
        seen = asyncio.run(viewers_come_and_go(port, data["voting"], args.viewers))
        rss_viewers, _ = proc_stat(pid)
        saved = 0
        started = time.monotonic()
        for i in range(args.uploads):
            status = browser.post_multipart(
                f"/forslag/runde/{data['ideas']}/nyt/",
                [("title", f"Forslag med billede {n}-{i}"), ("image_alt", "Et billede")],
                [("images", f"billede-{i}.png", "image/png", image)],
            )
            saved += status == 302
        uploads_s = time.monotonic() - started
        rss_uploads, cpu_before = proc_stat(pid)
        time.sleep(args.idle)
        rss_idle, cpu_after = proc_stat(pid)
        idle_cpu = (cpu_after - cpu_before) / args.idle * 100
        row = (n, rss_views, rss_viewers, rss_uploads, rss_idle, idle_cpu)
        rows.append(row)
        print(
            f"round {n}: {args.views} views {dict(sorted(statuses.items()))} in "
            f"{views_s:.1f} s -> {rss_views / 1024:.1f} MiB; {seen}/{args.viewers} viewers "
            f"-> {rss_viewers / 1024:.1f} MiB; {saved}/{args.uploads} uploads in "
            f"{uploads_s:.1f} s -> {rss_uploads / 1024:.1f} MiB; idle {args.idle:g} s: "
            f"{rss_idle / 1024:.1f} MiB, CPU {idle_cpu:.2f} %",
            flush=True,
        )
        if saved != args.uploads or seen != args.viewers or set(statuses) != {200}:
            print("   (not every request succeeded: see the figures above)", flush=True)
    return rows


if __name__ == "__main__":
    sys.exit(main())
