"""The grant screens in the Wagtail admin: scoped by committee and role, each step a form."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from committees.models import AuditEntry, Meeting
from proposals.grants import services as grant_services
from proposals.grants.services import Line
from proposals.models import GrantStage, ProposalAttachment
from proposals.uploads import CleanFile
from tests import factories

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def world(home_page):
    ours = factories.committee("Østerbro Lokaludvalg")
    theirs = factories.committee("Valby Lokaludvalg", district_name="Valby")
    people = {
        "secretariat": factories.moderator(committee=ours),
        "working_group": factories.reviewer(committee=ours),
        "outsider": factories.moderator(committee=theirs),
    }
    pool = factories.grant_pool(committee=ours, pot=50_000)
    other_pool = factories.grant_pool(committee=theirs, pot=50_000)
    return {
        **people,
        "pool": pool,
        "ours": factories.grant_application(pool=pool),
        "theirs": factories.grant_application(pool=other_pool),
    }


def da(text: str) -> str:
    with translation.override("da"):
        return translation.gettext(text)


def _post(client, application, data):
    return client.post(reverse("grant_process", args=[application.pk]), data)


def test_the_queue_shows_only_the_own_committees_applications(client, world):
    client.force_login(world["secretariat"])
    html = client.get(reverse("grant_queue")).content.decode()
    assert world["ours"].proposal.case_number in html
    assert world["theirs"].proposal.case_number not in html
    client.force_login(world["outsider"])
    html = client.get(reverse("grant_queue")).content.decode()
    assert world["theirs"].proposal.case_number in html
    assert world["ours"].proposal.case_number not in html
    client.force_login(factories.user())
    response = client.get(reverse("grant_queue"))
    # Not staff at all: Wagtail sends them to its login page.
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("wagtailadmin_login"))


def test_staff_of_another_committee_can_neither_see_nor_act(client, world):
    application = world["ours"]
    client.force_login(world["outsider"])
    response = client.get(reverse("grant_process", args=[application.pk]))
    # Wagtail sends staff without the permission back to the dashboard.
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("wagtailadmin_home")
    assert application.proposal.title not in response.content.decode()
    _post(client, application, {"complete": "yes"})
    application.refresh_from_db()
    assert application.stage == GrantStage.SUBMITTED


def test_each_step_through_the_admin(client, world):
    application, pool = world["ours"], world["pool"]
    client.force_login(world["working_group"])
    page = client.get(reverse("grant_process", args=[application.pk])).content.decode()
    assert 'name="complete"' not in page  # the completeness check is the secretariat's

    client.force_login(world["secretariat"])
    response = _post(client, application, {"complete": "no", "missing": ""})
    assert response.status_code == HTTPStatus.OK  # the missing text is required
    assert _post(client, application, {"complete": "yes"}).status_code == HTTPStatus.FOUND

    client.force_login(world["working_group"])
    response = _post(
        client, application, {"recommendation": "partial", "amount": "99999", "reason": "Ja"}
    )
    assert response.status_code == HTTPStatus.OK  # more than applied for
    response = _post(
        client, application, {"recommendation": "partial", "amount": "20000", "reason": "Godt"}
    )
    assert response.status_code == HTTPStatus.FOUND
    application.refresh_from_db()
    assert application.stage == GrantStage.RECOMMENDED and not application.agenda_item_id
    # Putting it on the agenda is the secretariat's step, not the working group's.
    page = client.get(reverse("grant_process", args=[application.pk])).content.decode()
    assert 'name="meeting"' not in page

    client.force_login(world["secretariat"])
    page = client.get(reverse("grant_process", args=[application.pk])).content.decode()
    deadline_meeting = application.deadline.meeting
    assert da("Put on the agenda") in page
    assert re.search(rf'name="meeting" value="{deadline_meeting.pk}"[^>]* checked', page)
    response = _post(client, application, {"meeting": deadline_meeting.pk})
    assert response.status_code == HTTPStatus.FOUND
    application.refresh_from_db()
    assert application.stage == GrantStage.ON_AGENDA
    assert application.agenda_item.meeting == deadline_meeting
    factories.deciding_meeting_begins(application)

    response = _post(
        client, application, {"granted": "yes", "amount": "20000", "reason": "Som indstillet"}
    )
    assert response.status_code == HTTPStatus.FOUND
    pool.refresh_from_db()
    assert pool.remaining == 30_000
    assert _post(client, application, {"amount": "5000"}).status_code == HTTPStatus.FOUND

    grant_services.grant_accounts_submit(
        author=application.proposal.author,
        application=application,
        lines=[Line("expense", "Scene", 12_000)],
        receipts=[CleanFile(content=PDF, filename="k.pdf")],
    )
    page = client.get(reverse("grant_process", args=[application.pk])).content.decode()
    assert "k.pdf" in page
    assert _post(client, application, {"confirm": "on"}).status_code == HTTPStatus.FOUND
    application.refresh_from_db()
    assert application.stage == GrantStage.PAID
    assert application.payout_amount == 12_000 - 5_000


def test_deadlines_are_scoped_to_the_own_committees_pools_and_meetings(client, world):
    from committees.models import ApplicationDeadline

    ours = world["pool"].deadlines.get()
    theirs = ApplicationDeadline.objects.exclude(pk=ours.pk).get()
    client.force_login(world["secretariat"])
    html = client.get(reverse("applicationdeadline:index")).content.decode()
    assert reverse("applicationdeadline:edit", args=[ours.pk]) in html
    assert reverse("applicationdeadline:edit", args=[theirs.pk]) not in html
    response = client.get(reverse("applicationdeadline:edit", args=[theirs.pk]))
    # Wagtail sends staff without the permission back to the dashboard.
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("wagtailadmin_home")
    # A deadline of our pool tied to the other committee's meeting is refused.
    response = client.post(
        reverse("applicationdeadline:add"),
        {
            "budget_round": world["pool"].pk,
            "closes_at": "2030-01-01 12:00",
            "meeting": theirs.meeting.pk,
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert world["pool"].deadlines.count() == 1
    response = client.post(
        reverse("applicationdeadline:add"),
        {
            "budget_round": world["pool"].pk,
            "closes_at": (ours.meeting.starts_at + datetime.timedelta(days=1)).strftime(
                "%Y-%m-%d %H:%M"
            ),
            "meeting": ours.meeting.pk,
        },
    )
    assert response.status_code == HTTPStatus.OK  # the meeting must come after the deadline
    assert world["pool"].deadlines.count() == 1


def test_the_secretariat_sends_accounts_back_and_the_applicant_corrects_them(
    client, world, django_capture_on_commit_callbacks
):
    application = factories.grant_application(pool=world["pool"])
    applicant = application.proposal.author
    secretariat = world["secretariat"]
    factories.grant_to_decision(application=application, secretariat=secretariat, reason="Godt.")
    grant_services.grant_decide(
        actor=secretariat, application=application, granted=True, amount=20_000, reason="Ja."
    )
    grant_services.grant_accounts_submit(
        author=applicant,
        application=application,
        lines=[Line("expense", "Scene", 12_000)],
        receipts=[CleanFile(content=PDF, filename="k.pdf")],
    )
    client.force_login(secretariat)
    # Neither approved nor sent back: the form says so and nothing moves.
    assert _post(client, application, {}).status_code == HTTPStatus.OK
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, application, {"missing": "Kvitteringen for lyd mangler."})
    assert response.status_code == HTTPStatus.FOUND
    application.refresh_from_db()
    assert application.stage == GrantStage.GRANTED and application.payout_amount is None
    assert "Kvitteringen for lyd mangler." in mail.outbox[-1].body
    client.force_login(applicant)
    page = client.get(reverse("proposals:grant", args=[application.pk])).content.decode()
    assert "Kvitteringen for lyd mangler." in page
    grant_services.grant_accounts_submit(
        author=applicant,
        application=application,
        lines=[Line("expense", "Scene", 12_000), Line("expense", "Lyd", 3_000)],
        receipts=[CleanFile(content=PDF, filename="lyd.pdf")],
    )
    application.refresh_from_db()
    assert application.stage == GrantStage.ACCOUNTS and application.receipts.count() == 2
    client.force_login(secretariat)
    assert _post(client, application, {"confirm": "on"}).status_code == HTTPStatus.FOUND
    application.refresh_from_db()
    assert application.stage == GrantStage.PAID and application.payout_amount == 15_000
    assert AuditEntry.objects.filter(action="grant.accounts_return").count() == 1


def _recommended(world):
    application = world["ours"]
    grant_services.grant_completeness_check(
        actor=world["secretariat"], application=application, complete=True
    )
    grant_services.grant_recommend(
        actor=world["working_group"], application=application, recommendation="full", reason="Ja"
    )
    application.refresh_from_db()
    return application


def test_the_secretariat_puts_it_on_another_upcoming_meeting_of_the_committee(client, world):
    application = _recommended(world)
    committee = application.proposal.budget_round.committee
    later = factories.meeting(committee=committee, days_from_now=60, title="Ekstra møde")
    held = factories.meeting(committee=committee, days_from_now=-3, title="Holdt møde")
    theirs = factories.meeting(
        committee=world["theirs"].proposal.budget_round.committee, title="Valbys møde"
    )
    client.force_login(world["secretariat"])
    url = reverse("grant_process", args=[application.pk])
    html = client.get(url).content.decode()
    # The choice: the deadline's meeting (chosen) and the committee's other upcoming meetings.
    deadlines_own = da("%(meeting)s (the deadline's meeting)") % {"meeting": ""}
    assert "Ekstra møde" in html and escape(deadlines_own) in html
    assert "Holdt møde" not in html and "Valbys møde" not in html
    for refused in (held, theirs):
        assert _post(client, application, {"meeting": refused.pk}).status_code == HTTPStatus.OK
        application.refresh_from_db()
        assert application.stage == GrantStage.RECOMMENDED
    assert _post(client, application, {"meeting": later.pk}).status_code == HTTPStatus.FOUND
    application.refresh_from_db()
    assert application.stage == GrantStage.ON_AGENDA
    assert application.agenda_item.meeting == later
    # The decision waits for that meeting, not the deadline's.
    html = client.get(url).content.decode()
    assert "Ekstra møde" in html and 'name="granted"' not in html
    factories.deciding_meeting_begins(application)
    assert 'name="granted"' in client.get(url).content.decode()


def test_an_application_whose_agenda_item_was_deleted_goes_on_an_agenda_again(client, world):
    application = _recommended(world)
    grant_services.grant_put_on_agenda(actor=world["secretariat"], application=application)
    application.refresh_from_db()
    application.agenda_item.delete()  # an editor removed it from the meeting's agenda
    application.refresh_from_db()
    assert application.stage == GrantStage.ON_AGENDA and application.agenda_item is None
    with pytest.raises(ValidationError):  # no meeting decides it now
        grant_services.grant_decide(
            actor=world["secretariat"], application=application, granted=False, reason="Nej"
        )
    client.force_login(world["secretariat"])
    meeting = application.deadline.meeting
    assert _post(client, application, {"meeting": meeting.pk}).status_code == HTTPStatus.FOUND
    application.refresh_from_db()
    assert application.stage == GrantStage.ON_AGENDA
    assert application.agenda_item.meeting == meeting


def test_a_decision_is_recorded_only_from_the_deciding_meetings_start(client, world):
    application = _recommended(world)
    grant_services.grant_put_on_agenda(actor=world["secretariat"], application=application)
    application.refresh_from_db()
    meeting = application.deadline.meeting
    assert meeting.starts_at > timezone.now()
    with pytest.raises(ValidationError) as refused:
        grant_services.grant_decide(
            actor=world["secretariat"],
            application=application,
            granted=True,
            amount=20_000,
            reason="Som indstillet",
        )
    assert refused.value.code == "before_meeting"
    client.force_login(world["secretariat"])
    url = reverse("grant_process", args=[application.pk])
    html = client.get(url).content.decode()
    assert 'name="granted"' not in html
    assert meeting.title in html
    # A decision posted anyway, before the meeting, is not recorded.
    _post(client, application, {"granted": "yes", "amount": "20000", "reason": "For tidligt"})
    application.refresh_from_db()
    assert application.stage == GrantStage.ON_AGENDA and application.decided_at is None
    assert not AuditEntry.objects.filter(action="grant.decide").exists()

    factories.deciding_meeting_begins(application)
    assert 'name="granted"' in client.get(url).content.decode()
    response = _post(client, application, {"granted": "yes", "amount": "20000", "reason": "Ja"})
    assert response.status_code == HTTPStatus.FOUND
    application.refresh_from_db()
    assert application.stage == GrantStage.GRANTED
    assert application.decided_at >= Meeting.objects.get(pk=meeting.pk).starts_at


def test_the_grant_screen_shows_the_whole_application(client, world):
    application = world["ours"]
    proposal = application.proposal
    attachment = ProposalAttachment.objects.create(
        proposal=proposal, file=ContentFile(PDF, "tilbud.pdf"), title="Tilbud på scene", size=85
    )
    client.force_login(world["working_group"])
    html = client.get(reverse("grant_process", args=[application.pk])).content.decode()
    for shown in (
        application.applicant_name,
        application.contact_email,
        "Musik, mad og lege for alle naboer.",
        proposal.location_text,
        application.advertising,
        application.volunteers,
        "Leje af scene",
        "Aktiviteten er åben for alle.",
        "Tilbud på scene",
        reverse("proposals:attachment", args=[attachment.pk]),
    ):
        assert shown in html, shown
    # The link opens the attachment for the committee's staff.
    download = client.get(reverse("proposals:attachment", args=[attachment.pk]))
    assert download.status_code == HTTPStatus.OK
    assert (
        b"".join(download.streaming_content if download.streaming else [download.content])[:5]
        == b"%PDF-"
    )
