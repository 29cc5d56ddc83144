"""Newsletters: the audience, sending once through the notices queue, the counts, the admin."""

import datetime
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from notices import services as notice_services
from notices.kinds import Kind
from notices.models import CommitteeFollow, Delivery
from notices.newsletters import services
from notices.newsletters.models import Newsletter
from proposals import services as proposal_services
from proposals.models import State
from tests import factories
from voting.models import RoundFollow

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(committee):
    ideas = factories.budget_round(committee=committee, phase="ideas")
    other = factories.committee("Amager Vest Lokaludvalg", district_name="Amager Vest")
    people = {
        name: factories.user(display_name=name.title(), preferred_language=language)
        for name, language in (
            ("follower", "en"),
            ("author", "da"),
            ("supporter", "da"),
            ("round_follower", "da"),
            ("stranger", "da"),
        )
    }
    CommitteeFollow.objects.create(user=people["follower"], committee=committee)
    CommitteeFollow.objects.create(user=people["stranger"], committee=other)
    proposal = factories.proposal(
        budget_round=ideas, author=people["author"], state=State.SUBMITTED
    )
    proposal_services.support_add(user=people["supporter"], proposal=proposal)
    RoundFollow.objects.create(user=people["round_follower"], budget_round=ideas)
    return {"committee": committee, "round": ideas, "people": people}


def _newsletter(world, **fields):
    values = {
        "committee": world["committee"],
        "subject": "Nyt fra lokaludvalget",
        "body": '<p>Kom til <b>mødet</b>.</p><ul><li>Kaffe</li></ul><p><a href="https://x.dk/">Læs</a></p>',
        **fields,
    }
    return Newsletter.objects.create(**values)


@pytest.mark.parametrize(
    "audience,expected",
    [
        ("followers", {"follower"}),
        ("authors", {"author"}),
        ("supporters", {"supporter"}),
        ("round_followers", {"round_follower"}),
        ("round", {"author", "supporter", "round_follower"}),
    ],
)
def test_each_audience_is_its_own_people_of_this_committee(world, audience, expected):
    extra = {"budget_round": world["round"]} if audience == "round" else {}
    newsletter = _newsletter(world, audience=audience, **extra)
    names = {u.display_name.lower() for u in services.audience_users(newsletter=newsletter)}
    assert names == expected


def test_sending_reaches_each_person_once_in_their_language_with_unsubscribe(
    world, moderator, django_capture_on_commit_callbacks
):
    newsletter = _newsletter(world, audience="round", budget_round=world["round"])
    notice_services.unsubscribe(user=world["people"]["supporter"], kind=Kind.NEWSLETTER)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.newsletter_send(newsletter=newsletter, user=moderator) == 3
    with pytest.raises(ValidationError):
        services.newsletter_send(newsletter=newsletter, user=moderator)
    assert len(mail.outbox) == 2  # the supporter turned these e-mails off
    message = next(m for m in mail.outbox if m.to == [world["people"]["author"].email])
    assert message.subject == "Nyt fra lokaludvalget"
    assert "Kom til mødet." in message.body and "- Kaffe" in message.body
    assert "Læs (https://x.dk/)" in message.body
    assert "<b>" not in message.body
    assert "List-Unsubscribe" in message.extra_headers
    newsletter.refresh_from_db()
    assert newsletter.sent_at and newsletter.recipients == 3
    assert services.newsletter_counts(newsletter=newsletter) == {
        "sent": 2,
        "failed": 0,
        "unsubscribed": 1,
        "waiting": 0,
    }


def test_only_the_committees_staff_send(world, committee):
    newsletter = _newsletter(world)
    reviewer = factories.reviewer(committee=committee)
    with pytest.raises(PermissionDenied):
        services.newsletter_send(newsletter=newsletter, user=reviewer)
    with pytest.raises(PermissionDenied):
        services.newsletter_test_send(user=reviewer, newsletter=newsletter)
    assert not Delivery.objects.exists()


def test_a_test_copy_goes_to_the_sender_only_and_can_be_repeated(
    world, moderator, django_capture_on_commit_callbacks
):
    newsletter = _newsletter(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.newsletter_test_send(user=moderator, newsletter=newsletter)
        services.newsletter_test_send(user=moderator, newsletter=newsletter)
    assert [m.to for m in mail.outbox] == [[moderator.email], [moderator.email]]
    newsletter.refresh_from_db()
    assert newsletter.sent_at is None


def test_scheduled_newsletters_are_sent_when_due_once(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    due = _newsletter(world, scheduled_at=now - datetime.timedelta(minutes=1))
    later = _newsletter(world, scheduled_at=now + datetime.timedelta(hours=1))
    draft = _newsletter(world)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.newsletters_send_due(now=now) == 1
        assert services.newsletters_send_due(now=now) == 0
    assert len(mail.outbox) == 1
    for newsletter, sent in ((due, True), (later, False), (draft, False)):
        newsletter.refresh_from_db()
        assert (newsletter.sent_at is not None) is sent


def test_the_notices_scheduler_sends_a_due_newsletter(world, django_capture_on_commit_callbacks):
    """One scheduler run (`notices_schedule`, every few minutes) covers newsletters too."""
    from notices.scheduler import schedule

    now = timezone.now()
    due = _newsletter(world, scheduled_at=now - datetime.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule(now=now)["newsletters_due"] == 1
        assert schedule(now=now)["newsletters_due"] == 0
    due.refresh_from_db()
    assert due.sent_at is not None
    # The run also sends the open round's phase notice; the newsletter went out once.
    assert [m.to for m in mail.outbox if "Nyt fra lokaludvalget" in m.subject] == [
        [world["people"]["follower"].email]
    ]


# --- The admin ---------------------------------------------------------------------------------


def test_staff_write_preview_test_and_send_in_the_admin(
    client, world, moderator, django_capture_on_commit_callbacks
):
    client.force_login(moderator)
    add = reverse("wagtailsnippets_newsletters_newsletter:add")
    assert client.get(add).status_code == HTTPStatus.OK
    response = client.post(
        add,
        {
            "committee": world["committee"].pk,
            "subject": "Julehilsen",
            "body": '{"blocks": [{"key": "a", "type": "unstyled", "text": "Glædelig jul", '
            '"depth": 0, "inlineStyleRanges": [], "entityRanges": []}], "entityMap": {}}',
            "audience": "followers",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[-3000:]
    newsletter = Newsletter.objects.get(subject="Julehilsen")
    preview = reverse(
        "wagtailsnippets_newsletters_newsletter:preview_on_edit", args=[newsletter.pk]
    )
    assert client.get(preview).status_code == HTTPStatus.OK
    test_url = reverse("newsletter_test_send", args=[newsletter.pk])
    assert client.get(test_url).status_code == HTTPStatus.OK
    with django_capture_on_commit_callbacks(execute=True):
        client.post(test_url)
        assert client.get(reverse("newsletter_send_now", args=[newsletter.pk])).status_code == 200
        client.post(reverse("newsletter_send_now", args=[newsletter.pk]))
    assert [m.to for m in mail.outbox] == [[moderator.email], [world["people"]["follower"].email]]
    assert "Glædelig jul" in mail.outbox[1].body


def test_another_committees_staff_cannot_see_or_send(client, world):
    newsletter = _newsletter(world)
    other = factories.moderator(committee=factories.committee("Valby", district_name="Valby"))
    client.force_login(other)
    listing = client.get(reverse("wagtailsnippets_newsletters_newsletter:list"))
    assert newsletter.subject not in listing.content.decode()
    edit = reverse("wagtailsnippets_newsletters_newsletter:edit", args=[newsletter.pk])
    assert client.get(edit).status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
    for name in ("newsletter_test_send", "newsletter_send_now"):
        # Wagtail's admin answers a refusal by sending the person back to its dashboard.
        response = client.post(reverse(name, args=[newsletter.pk]))
        assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.FOUND)
        assert response.status_code == HTTPStatus.FORBIDDEN or response["Location"] == "/admin/"
    assert not Delivery.objects.exists()
