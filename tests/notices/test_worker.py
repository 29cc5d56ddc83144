"""The real queue: django-tasks' database backend, `db_worker` processes, a worker killed.

A phase notice for a few hundred followers is fanned out into the database queue, a worker
process is started and killed with SIGKILL in the middle of a batch, the scheduler's rescue
runs once the lease is over, and a second worker drains the queue. Every follower then has
exactly one message on disk (the idempotent file backend names each file by the Message-ID
derived from the delivery's key), and every delivery is marked sent.
"""

import datetime
import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from committees.models import User
from notices import scheduler, services
from notices.kinds import Kind
from notices.mail import message_id
from notices.models import CommitteeFollow, Delivery, PhaseNotice
from tests import factories
from tests.conftest import _database_url_of_test_db

pytestmark = pytest.mark.django_db(transaction=True)

FOLLOWERS = 300
ROOT = Path(__file__).resolve().parents[2]


def worker(env, log, *extra):
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--backend", "notices", "--queue-name", "*",
         "--interval", "0.05", "--no-startup-delay", "--no-reload", "-v", "1", *extra],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def test_a_worker_killed_mid_batch_neither_loses_nor_repeats_a_message(committee, tmp_path):
    settings_tasks = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "notices": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    from django.test import override_settings

    DBTaskResult.objects.all().delete()  # a transactional test's database may keep old ones
    with override_settings(TASKS=settings_tasks):
        budget_round = factories.budget_round(committee=committee, phase="voting")
        users = User.objects.bulk_create(
            User(email=f"follower{n}@example.dk", preferred_language="en") for n in range(FOLLOWERS)
        )
        CommitteeFollow.objects.bulk_create(
            CommitteeFollow(user=user, committee=committee) for user in users
        )
        notice = PhaseNotice.objects.create(budget_round=budget_round, kind=Kind.VOTING_OPENS)
        assert scheduler.phase_notice_fanout(phase_notice_id=notice.pk) == FOLLOWERS
        assert DBTaskResult.objects.filter(status="READY").count() == FOLLOWERS // 100

        mailbox = tmp_path / "mail"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pbsite.settings.test",
            "DATABASE_URL": _database_url_of_test_db(),
            "NOTICES_QUEUE": "database",
            "EMAIL_BACKEND": "notices.mail.IdempotentFileBackend",
            "EMAIL_FILE_PATH": str(mailbox),
        }
        log_path = tmp_path / "worker.log"
        log = log_path.open("w")
        first = worker(env, log)
        try:
            deadline = time.monotonic() + 120
            while len(list(mailbox.glob("*.eml"))) < 130:  # inside the second batch
                assert first.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.002)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        states = Counter(Delivery.objects.values_list("state", flat=True))
        assert states[Delivery.State.SENDING] > 0, states  # killed with a batch claimed
        assert states[Delivery.State.SENT] < FOLLOWERS
        assert sum(states.values()) == FOLLOWERS

        # Before the lease runs out nothing is taken from the dead worker; after, all of it.
        assert services.deliveries_rescue(now=timezone.now()) == 0
        later = timezone.now() + datetime.timedelta(seconds=settings.NOTICES_LEASE_SECONDS + 1)
        assert services.deliveries_rescue(now=later) == states[Delivery.State.SENDING]

        second = worker(env, log, "--batch")
        try:
            second.wait(timeout=120)
        finally:
            second.kill()
            log.close()
        assert second.returncode == 0, log_path.read_text()

    assert Counter(Delivery.objects.values_list("state", flat=True)) == {
        Delivery.State.SENT: FOLLOWERS
    }
    files = list(mailbox.glob("*.eml"))
    assert len(files) == FOLLOWERS
    ids = Counter()
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        ids[message["Message-ID"]] += 1
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Subject"] == f"Voting is open: {committee.name}"
    expected = {message_id(key) for key in Delivery.objects.values_list("key", flat=True)}
    assert set(ids) == expected and max(ids.values()) == 1
    # A repeat can only be the one message that was out and not yet marked when killed.
    repeats = mailbox / "repeats.log"
    assert len(repeats.read_text().splitlines()) <= 1 if repeats.exists() else True
