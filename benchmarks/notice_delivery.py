"""A "voting opens" notice to 50,000 followers of a committee: enqueue, deliver, kill a worker.

    DJANGO_SETTINGS_MODULE=pbsite.settings.test .venv/bin/python benchmarks/notice_delivery.py \\
        [--followers 50000] [--workers 2] [--kill-at 0.5]

(Named `notice_delivery`, not `notices`: a script's name never repeats an app's, or running it
would shadow the app.) Works in a temporary SQLite file of its own (or `--database-url`), with
the real queue: django-tasks' database backend and `db_worker` processes, e-mail to the
idempotent file backend. Prints the time to fan the notice out (one delivery row per follower
and one task per batch), the delivery rate of the workers, a worker's peak memory (VmHWM), and,
after one worker is killed with SIGKILL halfway and its claimed batch rescued (as the scheduler
does when the lease runs out) and picked up by a fresh worker: lost and duplicated messages.
Goals (issue #19): enqueue under 10 s, at least 200 messages a second.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from checkout import tests_module
from scratch_db import ScratchDatabase

ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-at", type=float, default=0.5, help="share sent when killing")
    parser.add_argument("--database-url", default="", help="default: temporary SQLite")
    parser.add_argument("--replace", action="store_true")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far: what a message costs, whatever the load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_worker(n: int, log_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--backend", "notices", "--queue-name", "*",
         "--interval", "0.1", "--no-startup-delay", "--no-reload", "--worker-id", f"bench-{n}"],
        cwd=ROOT, env=os.environ.copy(), stdout=(log_dir / f"worker-{n}.log").open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def main() -> int:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-notices-"))
    database = None
    workers: list[subprocess.Popen] = []
    try:
        url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
        database = ScratchDatabase(url, replace=args.replace, keep=args.keep)
        mailbox = tmp / "mail"
        os.environ.update(
            DATABASE_URL=database.url,
            VAR_DIR=str(tmp / "var"),
            NOTICES_QUEUE="database",
            EMAIL_BACKEND="notices.mail.IdempotentFileBackend",
            EMAIL_FILE_PATH=str(mailbox),
            # A short lease, so that the dead worker's batch comes back within the run; a live
            # worker finishes a batch long before.
            NOTICES_LEASE_SECONDS="20",
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbsite.settings.test")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from committees.models import User
        from committees.services import home_page_ensure
        from notices import scheduler, services
        from notices.kinds import Kind
        from notices.models import CommitteeFollow, Delivery, PhaseNotice

        factories = tests_module("factories")
        call_command("migrate", verbosity=0)
        home_page_ensure()
        committee = factories.committee("Østerbro Lokaludvalg")
        budget_round = factories.budget_round(committee=committee, phase="voting")
        started = time.perf_counter()
        users = User.objects.bulk_create(
            (
                User(email=f"r{n}@example.dk", preferred_language="en" if n % 3 == 0 else "da")
                for n in range(args.followers)
            ),
            batch_size=2000,
        )
        CommitteeFollow.objects.bulk_create(
            (CommitteeFollow(user=user, committee=committee) for user in users), batch_size=2000
        )
        print(f"seeded {len(users)} followers in {time.perf_counter() - started:.1f} s")

        notice = PhaseNotice.objects.create(budget_round=budget_round, kind=Kind.VOTING_OPENS)
        started, cpu_started = time.perf_counter(), time.process_time()
        scheduler.phase_notice_fanout(phase_notice_id=notice.pk)
        enqueue_s = time.perf_counter() - started
        enqueue_cpu = time.process_time() - cpu_started
        from django_tasks_db.models import DBTaskResult

        tasks = DBTaskResult.objects.filter(status="READY").count()
        print(
            f"enqueue: {Delivery.objects.count()} deliveries, {tasks} tasks in {enqueue_s:.2f} s "
            f"({enqueue_cpu:.2f} s of CPU in this process; load {os.getloadavg()[0]:.1f})",
            flush=True,
        )

        started = time.perf_counter()
        workers = [start_worker(n, tmp) for n in range(args.workers)]
        peaks: dict[int, int] = {}
        cpu: dict[int, float] = {}
        killed_at = rescue_after = None
        next_report = time.monotonic() + 30
        while True:
            sent = Delivery.objects.filter(state=Delivery.State.SENT).count()
            if time.monotonic() > next_report:
                elapsed = time.perf_counter() - started
                print(f"  {sent} sent after {elapsed:.0f} s ({sent / elapsed:.0f}/s)", flush=True)
                next_report += 30
            for worker in workers:
                peaks[worker.pid] = max(peaks.get(worker.pid, 0), peak_kib(worker.pid))
                cpu[worker.pid] = max(cpu.get(worker.pid, 0.0), cpu_seconds(worker.pid))
            if killed_at is None and sent >= args.followers * args.kill_at:
                victim = workers[0]
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                killed_at = sent
                in_flight = Delivery.objects.filter(state=Delivery.State.SENDING).count()
                workers[0] = start_worker(args.workers, tmp)
                rescue_after = time.monotonic() + settings.NOTICES_LEASE_SECONDS + 1
                elapsed = time.perf_counter() - started
                print(
                    f"killed worker 1 at {sent} sent after {elapsed:.0f} s "
                    f"({sent / elapsed:.0f}/s before the kill), {in_flight} in flight",
                    flush=True,
                )
            if rescue_after and time.monotonic() > rescue_after:
                # What the scheduler does every few minutes, once the dead claim has run out.
                rescued = services.deliveries_rescue()
                rescue_after = None
                print(f"rescued {rescued} deliveries of the dead worker")
            if sent >= args.followers:
                break
            if all(w.poll() is not None for w in workers):
                raise SystemExit("every worker stopped; see the logs in " + str(tmp))
            time.sleep(1)
        deliver_s = time.perf_counter() - started
        for worker in workers:
            peaks[worker.pid] = max(peaks.get(worker.pid, 0), peak_kib(worker.pid))
            cpu[worker.pid] = max(cpu.get(worker.pid, 0.0), cpu_seconds(worker.pid))
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)

        files = list(mailbox.glob("*.eml"))
        repeats_log = mailbox / "repeats.log"
        repeats = len(repeats_log.read_text().splitlines()) if repeats_log.exists() else 0
        rows = Delivery.objects.filter(state=Delivery.State.SENT).count()
        engine = "PostgreSQL" if database.pg_name else "SQLite WAL"
        print(
            f"delivery: {rows} sent by {args.workers} workers in {deliver_s:.1f} s = "
            f"{rows / deliver_s:.0f} messages/s ({engine}; one commit per message)"
        )
        worker_cpu = sum(cpu.values())
        print(
            f"workers' CPU: {worker_cpu:.0f} s in all (start-up included), "
            f"{1000 * worker_cpu / rows:.1f} ms a message = {rows / worker_cpu:.0f} messages "
            f"per CPU-second of a worker (the database server's CPU not counted); "
            f"load at the end {os.getloadavg()[0]:.1f}"
        )
        print(f"peak memory of a worker (VmHWM): {max(peaks.values()) / 1024:.0f} MiB")
        print(
            f"after the kill: {args.followers - len(files)} lost, "
            f"{len(files) - len({f.name for f in files})} duplicated files, "
            f"{repeats} repeat(s) detected by Message-ID and not written twice"
        )
        return 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
        if database is not None:
            database.remove()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
