"""Writes of the notices app: enqueueing messages, delivering them, and residents' choices.

`notice_send` is the public door for every other app (proposals, voting, newsletters): one
idempotent message to one user, rendered in that user's language when it is sent, not when it is
enqueued. Nothing here sends inside a request: a delivery row is written in the caller's
transaction and the task that sends it is enqueued after that transaction commits.
"""

import datetime
import logging
import secrets
import uuid
from contextlib import contextmanager, nullcontext
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.models import DBTaskResult

from committees.models import Committee, User
from notices import mail
from notices.kinds import ALWAYS, CHOOSABLE, DIGESTIBLE, Kind
from notices.models import CommitteeFollow, Delivery, NoticePreference

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notices.unsubscribe"


# --- context: stored as JSON, model instances by reference --------------------------------------
def context_freeze(value):
    """Model instances become references, read again (in their then state) when sent."""
    if isinstance(value, models.Model):
        return {"__model__": value._meta.label_lower, "pk": value.pk}
    if type(value) is datetime.date:  # a day stays a day, for the `date` filter in the reader's
        return {"__date__": value.isoformat()}  # language (a datetime goes as text, below)
    if isinstance(value, dict):
        return {str(k): context_freeze(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [context_freeze(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # lazy translations, dates: as text


def context_thaw(value):
    if isinstance(value, dict):
        if set(value) == {"__model__", "pk"}:
            model = apps.get_model(value["__model__"])
            return model._default_manager.filter(pk=value["pk"]).first()
        if set(value) == {"__date__"}:
            return datetime.date.fromisoformat(value["__date__"])
        return {k: context_thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [context_thaw(v) for v in value]
    return value


# --- preferences --------------------------------------------------------------------------------
def preference_for(user) -> NoticePreference:
    """The person's preference, unsaved defaults when they never chose."""
    try:
        return user.notice_preference
    except NoticePreference.DoesNotExist:
        return NoticePreference(user=user)


def preference_update(*, user, muted: list[str], digest: str, committees) -> NoticePreference:
    unknown = set(muted) - set(CHOOSABLE)
    if unknown or digest not in NoticePreference.Digest.values:
        raise ValueError("unknown kind or digest")
    preference, _created = NoticePreference.objects.update_or_create(
        user=user, defaults={"muted": sorted(set(muted)), "digest": digest}
    )
    chosen = {committee.pk for committee in committees}
    CommitteeFollow.objects.filter(user=user).exclude(committee_id__in=chosen).delete()
    for committee_id in chosen:
        CommitteeFollow.objects.get_or_create(user=user, committee_id=committee_id)
    return preference


def committee_follow(*, user, committee: Committee) -> bool:
    """Returns False when the person already followed the committee."""
    _follow, created = CommitteeFollow.objects.get_or_create(user=user, committee=committee)
    return created


def unsubscribe_token(*, user, kind: str) -> str:
    """Signed, not stored: the link in a message works for as long as the account exists."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str):
    """(user, kind) for a valid token, else None."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or data.get("k") not in CHOOSABLE:
        return None
    return user, data["k"]


def unsubscribe(*, user, kind: str) -> None:
    """Turn one kind off (the one-click unsubscribe of RFC 8058): idempotent."""
    preference = preference_for(user)
    if kind not in preference.muted:
        preference.muted = sorted({*preference.muted, kind})
        preference.save()


# --- enqueueing --------------------------------------------------------------------------------
def initial_state(*, preference: NoticePreference, kind: str) -> str:
    if kind in preference.muted:
        return Delivery.State.SKIPPED
    if preference.digest == NoticePreference.Digest.DAILY and kind in DIGESTIBLE:
        return Delivery.State.HELD
    return Delivery.State.QUEUED


def notice_send(
    *, user, key: str, template: str, context: dict, kind: str = Kind.ACCOUNT, digest=False
):
    """Enqueue one idempotent message to `user`; returns its Delivery, or None without address.

    `key` names the message for this recipient (e.g. "proposal-receipt:42"); the user is added to
    it, so the same key for two users is two messages, and the same key twice is one. `template`
    is a template path without suffix: `<template>_subject.txt` and `<template>.txt` are rendered
    in the recipient's language when the message is sent, with `context` (JSON values and model
    instances, which are read again then), `user` and `site_url`. Every message ends with a link
    to the preferences and a one-click unsubscribe from `kind` (a `notices.kinds.Kind` value).
    Call it inside the transaction that made the news: nothing is sent if that rolls back.
    (`digest` is the scheduler's: the daily digest itself is never held for a digest.)
    """
    if user is None or not user.email:
        return None
    full_key = f"{key}:u{user.pk}"[:200]
    state = (
        Delivery.State.QUEUED
        if digest
        else initial_state(preference=preference_for(user), kind=kind)
    )
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                key=full_key,
                user=user,
                kind=kind,
                template=template,
                context=context_freeze(context),
                state=state,
            )
    except IntegrityError:
        return Delivery.objects.get(key=full_key)
    if state == Delivery.State.QUEUED:
        deliveries_enqueue(ids=[delivery.pk])
    return delivery


def account_mail_send(
    *, message: EmailMessage, user=None, template: str, language: str
) -> Delivery:
    """allauth's own messages (sign-up confirmation, password reset, "no account with this
    address") through the outbox, so that a slow or refused mail server never fails a request
    and a failed send is retried like any other.

    They are rendered already, in the request and the recipient's language, because their links
    are made for that request; they go to the address allauth chose (a new address being
    confirmed is not yet the account's), whatever the person's notice choices, and with no
    unsubscribe (`Kind.SECURITY`). Each is a message of its own (a second reset request is a
    second mail), and its text, links included, is wiped from the outbox once it is sent.
    """
    alternatives = getattr(message, "alternatives", [])
    html = next((content for content, mimetype in alternatives if mimetype == "text/html"), "")
    (address,) = message.to
    delivery = Delivery.objects.create(
        key=f"security:{uuid.uuid4().hex}" + (f":u{user.pk}" if user is not None else ""),
        user=user,
        address=address,
        kind=Kind.SECURITY,
        template=template[:150],
        context={
            "subject": message.subject,
            "body": message.body,
            "html": html,
            "content_subtype": message.content_subtype,
            "from": message.from_email,
            "language": language,
        },
    )
    # Enqueued at once rather than after commit: allauth's views run in autocommit, and with the
    # database backend the task row commits, or rolls back, with the delivery anyway.
    from notices import tasks  # import cycle: tasks imports this module

    tasks.deliver.enqueue([delivery.pk])
    return delivery


def deliveries_enqueue(*, ids: list[int], run_after=None) -> None:
    """After the surrounding transaction commits, enqueue the sends in batches."""
    from notices import tasks  # import cycle: tasks imports this module

    size = settings.NOTICES_BATCH_SIZE
    batches = [list(ids[i : i + size]) for i in range(0, len(ids), size)]

    def enqueue():
        task = tasks.deliver
        backend = task.get_backend()
        if run_after is not None:
            if not backend.supports_defer:
                return  # the scheduler queues it when it is due (retries_enqueue)
            task = task.using(run_after=run_after)
        # A queue in the database gets a fan-out's task rows in one commit, not one each (a
        # commit waits for the disk: 14 ms on this machine's PostgreSQL). The immediate backend
        # sends as it enqueues, and each send must commit on its own.
        together = nullcontext() if isinstance(backend, ImmediateBackend) else transaction.atomic()
        with together:
            for batch in batches:
                task.enqueue(batch)

    transaction.on_commit(enqueue)


# --- delivering (in a worker) ------------------------------------------------------------------
def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(settings.NOTICES_RETRY_BASE_SECONDS * 2 ** (attempts - 1), 86400))


def deliveries_send(*, ids: list[int]) -> int:
    """Claim the queued deliveries among `ids`, send each, mark each; returns how many were sent.

    The claim (state `sending`, a lease and a random claim token) commits before anything is
    sent, and each message is marked `sent` right after it left. A worker killed between the two
    leaves one row in `sending`; when its lease runs out the scheduler queues it again and it is
    sent with the same Message-ID (derived from the key), so the receiving side, and the
    idempotent file backend of `notices.mail`, recognise the repeat.
    """
    token = secrets.token_hex(16)
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            pk__in=ids,
            state=Delivery.State.QUEUED,
        ).update(
            state=Delivery.State.SENDING,
            claim=token,
            lease_until=now + timedelta(seconds=settings.NOTICES_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    claimed = list(
        Delivery.objects.filter(claim=token, state=Delivery.State.SENDING)
        .select_related("user", "user__notice_preference")
        .order_by("pk")
    )
    if not claimed:
        return 0
    sent = 0
    thawed: dict = {}
    with get_connection() as mail_connection, _marks_without_waiting_for_disk():
        for delivery in claimed:
            sent += _send_one(
                delivery=delivery, token=token, connection=mail_connection, thawed=thawed
            )
    return sent


@contextmanager
def _marks_without_waiting_for_disk():
    """On PostgreSQL, a batch's per-message marks commit without waiting for the WAL to reach
    the disk (`synchronous_commit` off, on this connection, for this batch only).

    Each mark still commits on its own, right after its message left, and is at once visible
    and kept whatever happens to the worker: a worker killed mid-batch loses nothing and repeats
    at most the one message it was sending. Only a crash of the database server itself within
    a fraction of a second of a mark could lose it; the message then goes again with the same
    Message-ID. The claim before the batch still waits for the disk. Measured here: a commit
    that waits takes 14 ms, one that does not 2.4 ms, and delivery is bound by it.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _send_one(*, delivery: Delivery, token: str, connection, thawed: dict) -> int:
    mine = Delivery.objects.filter(pk=delivery.pk, claim=token, state=Delivery.State.SENDING)
    always = delivery.kind in ALWAYS
    if not always and (
        delivery.kind in preference_for(delivery.user).muted or not delivery.user.is_active
    ):
        mine.update(state=Delivery.State.SKIPPED, lease_until=None)
        return 0
    # An account message's links stay secret: its text goes once it is out (or given up on).
    done = {"context": {}} if always else {}
    try:
        message = mail.message_build(delivery=delivery, connection=connection, thawed=thawed)
        message.send()
    except Exception as exc:  # a bad address or a refused connection: retried later
        logger.warning("Delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc)
        if delivery.attempts >= settings.NOTICES_MAX_ATTEMPTS:
            mine.update(
                state=Delivery.State.FAILED, lease_until=None, last_error=str(exc)[:500], **done
            )
            return 0
        when = timezone.now() + _backoff(delivery.attempts)
        with transaction.atomic():
            mine.update(
                state=Delivery.State.QUEUED,
                lease_until=None,
                next_attempt_at=when,
                last_error=str(exc)[:500],
            )
            deliveries_enqueue(ids=[delivery.pk], run_after=when)
        return 0
    mine.update(state=Delivery.State.SENT, sent_at=timezone.now(), lease_until=None, **done)
    return 1


def _taken_by_dead_workers(*, now) -> list[int]:
    """Deliveries of batch tasks that a worker took and died with before claiming them: the
    task is still `RUNNING` long after a batch takes (the lease). Those tasks are closed as
    failed, and their deliveries that are still queued are returned."""
    stale = DBTaskResult.objects.filter(
        status="RUNNING",
        task_path="notices.tasks.deliver",
        started_at__lt=now - timedelta(seconds=settings.NOTICES_LEASE_SECONDS),
    )
    ids, tasks = [], []
    for result in stale.only("id", "args_kwargs"):
        ids += result.args_kwargs["args"][0]
        tasks.append(result.id)
    DBTaskResult.objects.filter(id__in=tasks, status="RUNNING").update(
        status="FAILED", finished_at=now
    )
    queued = Delivery.objects.filter(pk__in=ids, state=Delivery.State.QUEUED)
    return list(queued.values_list("pk", flat=True))


def deliveries_rescue(*, now=None) -> int:
    """Queue again what a dead worker was sending (its lease ran out), or had taken and not
    yet claimed; returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        stuck = Delivery.objects.filter(state=Delivery.State.SENDING, lease_until__lt=now)
        ids = list(stuck.values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids, state=Delivery.State.SENDING).update(
            state=Delivery.State.QUEUED, claim="", lease_until=None
        )
        orphans = sorted(set(_taken_by_dead_workers(now=now)) - set(ids))
        deliveries_enqueue(ids=ids + orphans)
    return len(ids) + len(orphans)


def retries_enqueue(*, now=None) -> int:
    """Queue the retries that are due and have no deferred task (a backend without run_after,
    or a task lost with its worker); a task that does exist finds them claimed, and stops."""
    now = now or timezone.now()
    with transaction.atomic():
        due = Delivery.objects.filter(state=Delivery.State.QUEUED, next_attempt_at__lte=now)
        ids = list(due.values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(next_attempt_at=None)
        deliveries_enqueue(ids=ids)
    return len(ids)
