"""Notices through the real database and views; the queue runs immediately (test settings)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notices import scheduler, services
from notices.kinds import Kind
from notices.models import CommitteeFollow, Delivery, NoticePreference, PhaseNotice
from tests import factories

pytestmark = pytest.mark.django_db


def send(user, key="k1", **kw):
    return services.notice_send(
        user=user,
        key=key,
        template=kw.pop("template", "notices/email/voting_opens"),
        context=kw.pop("context", {}),
        **kw,
    )


@pytest.fixture
def round_in_voting(committee):
    return factories.budget_round(committee=committee, phase="voting")


def test_notice_is_sent_once_per_key_in_the_recipients_language(
    round_in_voting, django_capture_on_commit_callbacks
):
    person = factories.user(preferred_language="en", display_name="Ann")
    with django_capture_on_commit_callbacks(execute=True):
        first = send(person, context={"round": round_in_voting}, kind=Kind.VOTING_OPENS)
        again = send(person, context={"round": round_in_voting}, kind=Kind.VOTING_OPENS)
    assert first.pk == again.pk
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject.startswith("Voting is open")
    assert "Dear Ann" in message.body
    first.refresh_from_db()
    assert first.state == Delivery.State.SENT and first.attempts == 1
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/en/mine-emails/afmeld/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in message.body
    assert message.extra_headers["Message-ID"] == mail_id(first.key)


def mail_id(key):
    from notices.mail import message_id

    return message_id(key)


def test_danish_by_default(round_in_voting, django_capture_on_commit_callbacks):
    person = factories.user()
    with django_capture_on_commit_callbacks(execute=True):
        send(person, context={"round": round_in_voting})
    assert mail.outbox[0].subject.startswith("Afstemningen er åben")
    assert "Stop disse e-mails med ét klik" in mail.outbox[0].body
    assert "/da/" not in mail.outbox[0].extra_headers["List-Unsubscribe"]


def test_a_turned_off_kind_is_not_sent(round_in_voting, django_capture_on_commit_callbacks):
    person = factories.user()
    NoticePreference.objects.create(user=person, muted=[Kind.VOTING_OPENS])
    with django_capture_on_commit_callbacks(execute=True):
        delivery = send(person, context={"round": round_in_voting}, kind=Kind.VOTING_OPENS)
    assert delivery.state == Delivery.State.SKIPPED
    assert mail.outbox == []


def test_daily_digest_gathers_held_notices_once(
    round_in_voting, django_capture_on_commit_callbacks
):
    person = factories.user(preferred_language="en")
    NoticePreference.objects.create(user=person, digest=NoticePreference.Digest.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        send(person, key="a", context={"round": round_in_voting}, kind=Kind.VOTING_OPENS)
        send(
            person,
            key="b",
            context={"round": round_in_voting},
            kind=Kind.VOTING_CLOSES,
            template="notices/email/voting_closes",
        )
        receipt = send(
            person,
            key="c",
            context={"round": round_in_voting},
            kind=Kind.VOTE_RECEIPT,
            template="notices/email/vote_receipt",
        )
    assert [m.subject for m in mail.outbox] == [f"Your ballot is counted: {round_in_voting.title}"]
    assert receipt.state == Delivery.State.QUEUED or receipt.state == Delivery.State.SENT
    morning = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(9)))
    with django_capture_on_commit_callbacks(execute=True):
        scheduler.digests_enqueue(now=morning)
        scheduler.digests_enqueue(now=morning)
    assert len(mail.outbox) == 2
    digest = mail.outbox[1]
    assert digest.subject == "Borgerbudget today: 2 notices"
    assert "Voting is open" in digest.body and "Two days left to vote" in digest.body
    assert Delivery.objects.filter(state=Delivery.State.DIGESTED).count() == 2


def test_failed_send_is_retried_with_back_off(
    round_in_voting, settings, django_capture_on_commit_callbacks
):
    person = factories.user()
    settings.EMAIL_BACKEND = "tests.notices.failing.Backend"
    with django_capture_on_commit_callbacks(execute=True):
        delivery = send(person, context={"round": round_in_voting})
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.QUEUED and delivery.attempts == 1
    assert "refused" in delivery.last_error
    wait = delivery.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=50) < wait <= datetime.timedelta(seconds=60)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retries_enqueue(now=timezone.now()) == 0  # not yet due
        assert services.retries_enqueue(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT and delivery.attempts == 2
    assert len(mail.outbox) == 1


def test_gives_up_after_the_last_attempt(
    round_in_voting, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notices.failing.Backend"
    settings.NOTICES_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        delivery = send(factories.user(), context={"round": round_in_voting})
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED


def test_scheduler_sends_voting_opens_and_the_reminder_to_committee_followers(
    committee, django_capture_on_commit_callbacks
):
    now = timezone.now()
    budget_round = factories.budget_round(committee=committee, phase="voting")
    budget_round.voting_end = now + datetime.timedelta(days=1)
    budget_round.save()
    english = factories.user(preferred_language="en")
    danish = factories.user()
    factories.user()  # follows nothing, hears nothing
    CommitteeFollow.objects.create(user=english, committee=committee)
    CommitteeFollow.objects.create(user=danish, committee=committee)
    with django_capture_on_commit_callbacks(execute=True):
        done = scheduler.schedule(now=now)
    assert done["phase_notices"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([english.email] * 2 + [danish.email] * 2)
    subjects = {m.subject for m in mail.outbox if m.to == [english.email]}
    assert subjects == {
        f"Voting is open: {committee.name}",
        f"Two days left to vote: {committee.name}",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.schedule(now=now)["phase_notices"] == 0
    assert len(mail.outbox) == 4
    assert PhaseNotice.objects.get(kind=Kind.VOTING_OPENS).recipients == 2


def test_rescue_requeues_what_a_dead_worker_left(
    round_in_voting, django_capture_on_commit_callbacks
):
    person = factories.user()
    delivery = Delivery.objects.create(
        key="stuck",
        user=person,
        kind=Kind.VOTING_OPENS,
        template="notices/email/voting_opens",
        context=services.context_freeze({"round": round_in_voting}),
        state=Delivery.State.SENDING,
        lease_until=timezone.now() + datetime.timedelta(minutes=5),
        claim="dead",
        attempts=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_rescue(now=timezone.now()) == 0  # the lease still runs
        assert (
            services.deliveries_rescue(now=delivery.lease_until + datetime.timedelta(seconds=1))
            == 1
        )
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT and len(mail.outbox) == 1


# --- pages -------------------------------------------------------------------------------------
def test_preferences_page_needs_sign_in(client):
    response = client.get(reverse("notices:preferences"))
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_preferences_are_saved(client, committee):
    person = factories.user()
    client.force_login(person)
    page = client.get(reverse("notices:preferences"))
    assert page.status_code == 200
    response = client.post(
        reverse("notices:preferences"),
        {
            "wanted": [Kind.VOTING_OPENS, Kind.RESULTS],
            "digest": "daily",
            "committees": [committee.pk],
        },
    )
    assert response.status_code == 302
    preference = NoticePreference.objects.get(user=person)
    assert Kind.VOTING_OPENS not in preference.muted and Kind.IDEAS_OPEN in preference.muted
    assert preference.digest == "daily"
    assert CommitteeFollow.objects.filter(user=person, committee=committee).exists()
    client.post(reverse("notices:preferences"), {"wanted": [], "digest": "single"})
    assert not CommitteeFollow.objects.filter(user=person).exists()


def test_preferences_refuse_unknown_choices(client):
    client.force_login(factories.user())
    response = client.post(reverse("notices:preferences"), {"wanted": ["spam"], "digest": "hourly"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"wanted", "digest"}
    assert not NoticePreference.objects.exists()


def test_one_click_unsubscribe(client):
    person = factories.user()
    token = services.unsubscribe_token(user=person, kind=Kind.VOTING_OPENS)
    url = reverse("notices:unsubscribe", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and b'<form method="post">' in page.content
    assert not NoticePreference.objects.exists()  # a link scanner's GET changes nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"})  # no session, no CSRF token
    assert response.status_code == 200
    assert NoticePreference.objects.get(user=person).muted == [Kind.VOTING_OPENS]
    client.post(url, {"List-Unsubscribe": "One-Click"})
    assert NoticePreference.objects.get(user=person).muted == [Kind.VOTING_OPENS]


def test_unsubscribe_with_a_forged_token_is_refused(client):
    person = factories.user()
    token = services.unsubscribe_token(user=person, kind=Kind.VOTING_OPENS)
    response = client.post(reverse("notices:unsubscribe", args=[token[:-2] + "xx"]))
    assert response.status_code == 404
    assert not NoticePreference.objects.exists()


def test_rescue_requeues_a_batch_a_dead_worker_took_before_claiming_it(
    round_in_voting, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    person = factories.user()
    delivery = Delivery.objects.create(
        key="orphan",
        user=person,
        kind=Kind.VOTING_OPENS,
        template="notices/email/voting_opens",
        context=services.context_freeze({"round": round_in_voting}),
    )
    started = timezone.now() - datetime.timedelta(minutes=10)
    task = DBTaskResult.objects.create(
        task_path="notices.tasks.deliver",
        args_kwargs={"args": [[delivery.pk]], "kwargs": {}},
        status="RUNNING",
        backend_name="notices",
        queue_name="default",
        run_after=started,
        started_at=started,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_rescue(now=timezone.now()) == 1
    delivery.refresh_from_db()
    task.refresh_from_db()
    assert delivery.state == Delivery.State.SENT and len(mail.outbox) == 1
    assert task.status == "FAILED"
