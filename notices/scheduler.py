"""What is due now: phase notices of rounds, deliveries a dead worker left, the daily digests,
the confirmations of yesterday's ballots.

`manage.py notices_schedule` calls `schedule()` every few minutes (a systemd timer in
production, a loop in `make run`). Everything it does is idempotent: a phase notice is fanned
out once per round and kind (a unique row), a digest once per person and day (its key), so two
runs at once, or a run repeated after a crash, change nothing twice.
"""

import secrets
from collections import defaultdict
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from wagtail import hooks

from committees.models import BudgetRound, User
from notices import services
from notices.kinds import Kind
from notices.models import CommitteeFollow, Delivery, NoticePreference, PhaseNotice
from voting import keys
from voting.models import Participation, RoundFollow, VerifiedIdentity

CLOSING_NOTICE = timedelta(days=2)
# A notice that became due while nothing ran (the scheduler was off) is still sent this late,
# not later: nobody wants "voting opens" a week into the vote.
RESULTS_WINDOW = timedelta(days=7)
FANOUT_CHUNK = 2000
# A vote confirmation comes the day after the ballot, and not for a ballot older than this.
CONFIRMATION_WINDOW = timedelta(days=7)

PHASE_TEMPLATES = {
    Kind.IDEAS_OPEN: "notices/email/ideas_open",
    Kind.VOTING_OPENS: "notices/email/voting_opens",
    Kind.VOTING_CLOSES: "notices/email/voting_closes",
    Kind.RESULTS: "voting/email/results_published",
}


def phases_due(*, budget_round: BudgetRound, now) -> list[str]:
    due = []
    if budget_round.ideas_start <= now < budget_round.ideas_end:
        due.append(Kind.IDEAS_OPEN)
    if budget_round.voting_start <= now < budget_round.voting_end:
        due.append(Kind.VOTING_OPENS)
    if budget_round.voting_end - CLOSING_NOTICE <= now < budget_round.voting_end:
        due.append(Kind.VOTING_CLOSES)
    confirmed = budget_round.result_confirmed_at
    if confirmed and confirmed <= now < confirmed + RESULTS_WINDOW:
        due.append(Kind.RESULTS)
    return due


def phase_notices_enqueue(*, now) -> list[PhaseNotice]:
    """Record each due phase notice once and enqueue its fan-out."""
    from notices import tasks  # import cycle: tasks imports this module

    candidates = BudgetRound.objects.filter(
        Q(ideas_start__lte=now, ideas_end__gt=now)
        | Q(voting_start__lte=now, voting_end__gt=now)
        | Q(result_confirmed_at__lte=now, result_confirmed_at__gt=now - RESULTS_WINDOW)
    )
    created = []
    for budget_round in candidates:
        for kind in phases_due(budget_round=budget_round, now=now):
            try:
                with transaction.atomic():
                    notice = PhaseNotice.objects.create(budget_round=budget_round, kind=kind)
                    transaction.on_commit(
                        lambda pk=notice.pk: tasks.phase_notice_fanout.enqueue(pk)
                    )
            except IntegrityError:
                continue
            created.append(notice)
    return created


def phase_recipients(*, budget_round: BudgetRound):
    """Followers of the round or of its committee, each once, with an address."""
    committee = CommitteeFollow.objects.filter(committee_id=budget_round.committee_id)
    rounds = RoundFollow.objects.filter(budget_round=budget_round)
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(pk__in=committee.values("user_id")) | Q(pk__in=rounds.values("user_id")))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def phase_notice_fanout(*, phase_notice_id: int) -> int:
    """One delivery per recipient (bulk, keys unique), then their sends in batches."""
    notice = PhaseNotice.objects.select_related("budget_round__committee").get(pk=phase_notice_id)
    budget_round = notice.budget_round
    template = PHASE_TEMPLATES[notice.kind]
    context = services.context_freeze({"round": budget_round, "proposals": []})
    base = f"{notice.kind}:r{budget_round.pk}"
    user_ids = list(phase_recipients(budget_round=budget_round))
    preferences = {
        p.user_id: p for p in NoticePreference.objects.filter(user_id__in=user_ids).iterator()
    }
    default = NoticePreference()
    total = 0
    for start in range(0, len(user_ids), FANOUT_CHUNK):
        chunk = user_ids[start : start + FANOUT_CHUNK]
        rows = [
            Delivery(
                key=f"{base}:u{user_id}",
                user_id=user_id,
                kind=notice.kind,
                template=template,
                context=context,
                state=services.initial_state(
                    preference=preferences.get(user_id, default), kind=notice.kind
                ),
            )
            for user_id in chunk
        ]
        with transaction.atomic():
            _deliveries_write(rows)
        total += len(chunk)
    PhaseNotice.objects.filter(pk=notice.pk).update(recipients=total)
    return total


def _deliveries_write(rows: list[Delivery]) -> int:
    """Insert the rows in their order (keys unique: those there already are left alone) and queue
    the sends of the new queued ones, after the surrounding transaction commits."""
    queued = [row.key for row in rows if row.state == Delivery.State.QUEUED]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    ids = list(
        Delivery.objects.filter(key__in=queued, state=Delivery.State.QUEUED, attempts=0)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    services.deliveries_enqueue(ids=ids)
    return len(ids)


def vote_confirmations_enqueue(*, now) -> int:
    """ "Your ballot cast on <day> is counted", for each participation of an earlier day.

    Never sent, nor written, when the ballot is cast: the live tally moves within a second of a
    ballot, so an outbox row or a mail stamped with that second would tie the person to their
    ballot. Here, once a day is over, each round's confirmations of that day are written as one
    batch, in random order, by the scheduler: the rows, the task and the mails carry the
    scheduler's time and the day, nothing finer. The message never says what the ballot holds.
    Recipients: voters with an account (a verified identity, whose person key gives the voter
    key of the round), an address, and the kind not turned off; one per participation (the key
    names the round and the person, who has one participation in it). docs/voting.md.
    """
    today = timezone.localdate(now)
    rounds = BudgetRound.objects.filter(
        voting_start__lt=now, voting_end__gt=now - CONFIRMATION_WINDOW
    ).order_by("pk")
    if not rounds:
        return 0
    muted = {
        user_id
        for user_id, kinds in NoticePreference.objects.values_list("user_id", "muted")
        if Kind.VOTE_RECEIPT in kinds
    }
    people = [
        (user_id, person)
        for user_id, person in VerifiedIdentity.objects.filter(user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", "person_key")
        if user_id not in muted
    ]
    shuffle = secrets.SystemRandom().shuffle
    made = 0
    for budget_round in rounds:
        base = f"{Kind.VOTE_RECEIPT}:r{budget_round.pk}"
        by_key = {
            keys.voter_key(round_id=budget_round.pk, person=person): user_id
            for user_id, person in people
        }
        cast = Participation.objects.filter(
            budget_round=budget_round,
            voted_on__lt=today,
            voted_on__gte=today - CONFIRMATION_WINDOW,
        ).values_list("voter_key", "voted_on")
        found = {
            f"{base}:u{by_key[voter_key]}": day
            for voter_key, day in cast.iterator()
            if voter_key in by_key
        }
        wanted = list(found)
        for start in range(0, len(wanted), FANOUT_CHUNK):  # sent already: by the unique key
            chunk = wanted[start : start + FANOUT_CHUNK]
            for key in Delivery.objects.filter(key__in=chunk).values_list("key", flat=True):
                del found[key]
        days = defaultdict(list)
        for key, day in found.items():
            days[day].append(int(key.rpartition(":u")[2]))
        for day, user_ids in sorted(days.items()):
            shuffle(user_ids)
            context = services.context_freeze({"round": budget_round, "day": day})
            rows = [
                Delivery(
                    key=f"{base}:u{user_id}",
                    user_id=user_id,
                    kind=Kind.VOTE_RECEIPT,
                    template="notices/email/vote_receipt",
                    context=context,
                )
                for user_id in user_ids
            ]
            with transaction.atomic():
                made += _deliveries_write(rows)
    return made


def digests_enqueue(*, now) -> int:
    """After the digest hour, gather each person's held notices into one message a day."""
    from django.conf import settings

    local = timezone.localtime(now)
    if local.hour < settings.NOTICES_DIGEST_HOUR:
        return 0
    made = 0
    user_ids = (
        Delivery.objects.filter(state=Delivery.State.HELD).values_list("user_id", flat=True)
    ).distinct()
    for user in User.objects.filter(pk__in=list(user_ids)):
        with transaction.atomic():
            held = list(
                Delivery.objects.select_for_update()
                .filter(user=user, state=Delivery.State.HELD)
                .values_list("pk", flat=True)
            )
            digest = services.notice_send(
                user=user,
                key=f"digest:{local.date().isoformat()}",
                template="notices/email/digest",
                context={"items": held},
                kind=Kind.FOLLOWING,
                digest=True,
            )
            if digest is not None and digest.context.get("items") == held:
                Delivery.objects.filter(pk__in=held).update(state=Delivery.State.DIGESTED)
                made += 1
    return made


DUE_HOOK = "notices_due"


def schedule(*, now=None) -> dict[str, int]:
    """Everything due now. Apps that build on notices add their own due work through the
    `notices_due` hook, `fn(*, now) -> int` (scheduled newsletters: `notices.newsletters`), so
    that one scheduler run, and one timer in production, covers them all."""
    now = now or timezone.now()
    done = {
        "rescued": services.deliveries_rescue(now=now),
        "retried": services.retries_enqueue(now=now),
        "phase_notices": len(phase_notices_enqueue(now=now)),
        "digests": digests_enqueue(now=now),
        "vote_confirmations": vote_confirmations_enqueue(now=now),
    }
    for fn in hooks.get_hooks(DUE_HOOK):
        done[fn.__name__] = fn(now=now)
    return done
