"""The queue's figures and sends: vote confirmations a day later, allauth's mails through the
outbox, a notice rendered once per language; through the real database, views and allauth."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from notices import mail as notices_mail
from notices import scheduler, services
from notices.kinds import Kind
from notices.mail import message_build
from notices.models import Delivery, NoticePreference
from tests import factories
from tests.voting.conftest import project_ids
from voting import services as voting_services

pytestmark = pytest.mark.django_db


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def vote(committee):
    return factories.voting_round(committee=committee, title="Østerbro stemmer")


def cast(vote, voter):
    ids = project_ids(vote)
    voting_services.ballot_cast_online(
        user=voter, budget_round=vote, selection={ids["Legeplads"]: 1}
    )


# --- vote confirmations -------------------------------------------------------------------------
def test_casting_a_ballot_writes_no_outbox_row_in_the_voters_transaction(
    vote, committee, django_capture_on_commit_callbacks
):
    voter = factories.verified_voter(area=committee.district, preferred_language="en")
    with CaptureQueriesContext(connection) as queries:
        with django_capture_on_commit_callbacks(execute=True):
            cast(vote, voter)
    touched = [q["sql"] for q in queries.captured_queries if "notices_delivery" in q["sql"]]
    assert touched == []
    assert not Delivery.objects.exists() and mail.outbox == []
    # Later the same day the scheduler writes nothing either: the day is not over.
    evening = local(timezone.localdate(), 23, 59)
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.vote_confirmations_enqueue(now=evening) == 0
    assert not Delivery.objects.exists()


def test_the_confirmation_comes_the_next_day_names_the_day_and_never_the_selection(
    vote, committee, django_capture_on_commit_callbacks
):
    voter = factories.verified_voter(
        area=committee.district, preferred_language="en", display_name="Ann"
    )
    cast(vote, voter)
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.schedule(now=local(tomorrow, 0, 5))["vote_confirmations"] == 1
        again = scheduler.schedule(now=local(tomorrow, 0, 10))
    assert again["vote_confirmations"] == 0  # one per participation, however often it runs
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [voter.email]
    assert message.subject == "Your ballot is counted: Østerbro stemmer"
    with override("en"):
        day = f"{today.day} {today.strftime('%B')} {today.year}"
    assert f"Østerbro stemmer (Østerbro Lokaludvalg), cast on {day}, is counted" in message.body
    for title in ("Legeplads", "Bænke", "Træer"):
        assert title not in message.body
    delivery = Delivery.objects.get()
    assert delivery.kind == Kind.VOTE_RECEIPT and delivery.user == voter
    assert set(delivery.context) == {"round", "day"}  # nothing of the ballot is stored
    # The row was written by the scheduler's run, not when the ballot was cast.
    assert timezone.localdate(delivery.created_at) >= today


def test_a_day_is_one_shuffled_batch_and_those_who_opted_out_get_nothing(
    vote, committee, django_capture_on_commit_callbacks
):
    voters = [factories.verified_voter(area=committee.district) for _ in range(12)]
    quiet = factories.verified_voter(area=committee.district)
    NoticePreference.objects.create(user=quiet, muted=[Kind.VOTE_RECEIPT])
    unverified = factories.user()
    for voter in [*voters, quiet]:
        cast(vote, voter)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.vote_confirmations_enqueue(now=local(tomorrow, 3)) == len(voters)
    rows = list(Delivery.objects.order_by("pk").values_list("user_id", flat=True))
    assert sorted(rows) == sorted(v.pk for v in voters)
    assert quiet.pk not in rows and unverified.pk not in rows
    assert len({d.created_at.date() for d in Delivery.objects.all()}) == 1
    assert len(mail.outbox) == len(voters)


def test_no_confirmation_for_a_ballot_older_than_the_window(
    vote, committee, django_capture_on_commit_callbacks
):
    cast(vote, factories.verified_voter(area=committee.district))
    much_later = timezone.localdate() + scheduler.CONFIRMATION_WINDOW + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.vote_confirmations_enqueue(now=local(much_later, 3)) == 0


# --- allauth's mails ----------------------------------------------------------------------------
def test_sign_up_confirmation_goes_through_the_outbox_and_cannot_be_turned_off(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "new@example.dk",
                "password1": "a long and unusual password",
                "password2": "a long and unusual password",
                "display_name": "Ny Borger",
                "privacy_accepted": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    delivery = Delivery.objects.get()
    assert delivery.kind == Kind.SECURITY and delivery.address == "new@example.dk"
    assert delivery.state == Delivery.State.SENT
    assert delivery.context == {}  # its confirmation link is not kept in the outbox
    (message,) = mail.outbox
    assert message.to == ["new@example.dk"]
    assert "List-Unsubscribe" not in message.extra_headers
    assert message.extra_headers["Message-ID"]
    assert "http://" in message.body or "https://" in message.body  # the confirmation link
    # Sign-up and password messages are not offered on the preferences page.
    user = delivery.user
    client.force_login(user)
    page = client.get(reverse("notices:preferences")).content.decode()
    assert f'value="{Kind.SECURITY}"' not in page
    assert (
        services.unsubscribe_read(services.unsubscribe_token(user=user, kind=Kind.SECURITY)) is None
    )


def test_password_reset_is_sent_from_the_queue_even_to_a_person_who_muted_everything(
    client, django_capture_on_commit_callbacks
):
    person = factories.user(email="glemsom@example.dk", preferred_language="en")
    NoticePreference.objects.create(
        user=person, muted=[k.value for k in Kind if k != Kind.SECURITY]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "glemsom@example.dk"})
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.user == person and delivery.state == Delivery.State.SENT
    (message,) = mail.outbox
    assert message.to == ["glemsom@example.dk"]
    assert message.extra_headers["Content-Language"] == "en"
    assert "/password/reset/key/" in message.body


def test_password_reset_for_an_unknown_address_is_queued_to_that_address(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "ukendt@example.dk"})
    delivery = Delivery.objects.get()
    assert delivery.user is None and delivery.address == "ukendt@example.dk"
    assert [m.to for m in mail.outbox] == [["ukendt@example.dk"]]


def test_an_account_mail_the_server_refuses_is_retried_not_lost(
    client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notices.failing.Backend"
    factories.user(email="glemsom@example.dk")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "glemsom@example.dk"})
    assert response.status_code == 302  # the request does not fail with the mail server
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.QUEUED and delivery.next_attempt_at is not None
    assert delivery.context["body"]  # kept until it is out
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.retries_enqueue(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT and delivery.context == {}
    assert len(mail.outbox) == 1


# --- one rendering per language -----------------------------------------------------------------
@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("name", ["", "Åse O'Brien & co"])
def test_a_shared_rendering_is_what_each_person_would_get_alone(
    committee, language, name, monkeypatch
):
    budget_round = factories.budget_round(committee=committee, phase="voting")
    people = [factories.user(preferred_language=language, display_name=name) for _ in range(3)]
    for person in people:
        services.notice_send(
            user=person,
            key="shared",
            template="notices/email/voting_opens",
            context={"round": budget_round},
            kind=Kind.VOTING_OPENS,
        )
    deliveries = list(Delivery.objects.select_related("user").order_by("pk"))
    batch: dict = {}
    for delivery in deliveries:
        shared = message_build(delivery=delivery, thawed=batch)
        with monkeypatch.context() as patch:
            patch.setattr(notices_mail, "_shared_render", lambda **kwargs: None)
            alone = message_build(delivery=delivery, thawed={})
        assert shared.subject == alone.subject
        assert shared.body == alone.body
        assert shared.extra_headers == alone.extra_headers
    assert any(key[0] == "render" for key in batch if isinstance(key, tuple))
    with override(language):
        greeting = gettext("Dear resident,") if not name else None
    assert (greeting or name) in shared.body


def test_a_template_that_reads_more_of_the_person_is_rendered_for_each(
    committee, tmp_path, settings
):
    person = factories.user(preferred_language="en", display_name="Ann")
    (tmp_path / "t.txt").write_text("Hello {{ user.email }}")
    (tmp_path / "t_subject.txt").write_text("For {{ user.display_name|upper }}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}
    ]
    delivery = Delivery.objects.create(
        key="t", user=person, kind=Kind.ACCOUNT, template="t", context={}
    )
    message = message_build(delivery=delivery, thawed={})
    assert message.subject == "For ANN"
    assert message.body.startswith(f"Hello {person.email}")
