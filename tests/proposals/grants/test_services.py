"""The grant process through its services: submission to payout, the pool's ledger, who may act."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from committees import services as committee_services
from committees.models import AgendaItem, AuditEntry, BudgetRound
from proposals import services as proposal_services
from proposals.grants import services as grant_services
from proposals.grants.services import Line
from proposals.models import GrantApplication, GrantStage, Recommendation, State, TrackedProject
from proposals.uploads import CleanFile
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _receipt(name="kvittering.pdf"):
    return CleanFile(content=PDF, filename=name)


def _to_decision(application, secretariat, working_group, **recommend):
    return factories.grant_to_decision(
        application=application, secretariat=secretariat, working_group=working_group, **recommend
    )


def _paid_out(application, secretariat, working_group, *, amount, spent):
    """Granted `amount` kr., the applicant's accounts show `spent` kr., and the payout approved."""
    _to_decision(application, secretariat, working_group)
    grant_services.grant_decide(
        actor=secretariat, application=application, granted=True, amount=amount, reason="Ja."
    )
    grant_services.grant_accounts_submit(
        author=application.proposal.author,
        application=application,
        lines=[Line("expense", "Scene", spent)],
        receipts=[_receipt()],
    )
    grant_services.grant_payout_approve(actor=secretariat, application=application)


def test_an_application_goes_from_submission_to_payout(
    pool, secretariat, working_group, django_capture_on_commit_callbacks
):
    def step(service, **kwargs):  # one request: the e-mails go out after its commit
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    applicant = factories.user(preferred_language="en")
    application = factories.grant_application(pool=pool, author=applicant, submit=False)
    assert application.amount_applied == 25_000  # 30,000 expenses minus 5,000 income
    application = step(
        grant_services.grant_application_submit, author=applicant, application=application
    )
    proposal = application.proposal
    case_number = proposal.case_number
    assert case_number and proposal.state == State.SUBMITTED
    assert application.deadline == pool.deadlines.first()

    # Incomplete: back to the applicant with what is missing, keeping case number and deadline.
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        step(
            grant_services.grant_completeness_check,
            actor=secretariat,
            application=application,
            complete=False,
            missing="",
        )
    step(
        grant_services.grant_completeness_check,
        actor=secretariat,
        application=application,
        complete=False,
        missing="Budget for lyd.",
    )
    application.refresh_from_db()
    assert application.stage == GrantStage.INCOMPLETE
    assert case_number in mail.outbox[-1].subject
    assert "Budget for lyd." in mail.outbox[-1].body
    step(
        grant_services.grant_application_save,
        author=applicant,
        budget_round=pool,
        application=application,
        proposal_data={},
        grant_data={},
        lines=[
            Line("expense", "Leje af scene", 30_000),
            Line("expense", "Lydanlæg", 5_000),
            Line("income", "Billetsalg", 5_000),
        ],
    )
    step(grant_services.grant_application_submit, author=applicant, application=application)
    application.refresh_from_db()
    assert application.stage == GrantStage.SUBMITTED
    assert application.amount_applied == 30_000
    assert application.proposal.case_number == case_number
    assert application.deadline == pool.deadlines.first()

    # Complete, then the working group recommends a grant in part: no agenda item yet.
    step(
        grant_services.grant_completeness_check,
        actor=secretariat,
        application=application,
        complete=True,
    )
    step(
        grant_services.grant_recommend,
        actor=working_group,
        application=application,
        recommendation=Recommendation.PARTIAL,
        amount=20_000,
        reason="Godt for kvarteret.",
    )
    application.refresh_from_db()
    assert application.stage == GrantStage.RECOMMENDED and application.agenda_item is None
    assert application.recommended_amount == 20_000
    assert application.proposal.state == State.FEASIBLE
    assert application.proposal.state_label == "Recommended"
    assert "working group has made its recommendation" in mail.outbox[-1].body

    # The secretariat puts it on the deciding meeting's agenda: the agenda item appears.
    step(grant_services.grant_put_on_agenda, actor=secretariat, application=application)
    application.refresh_from_db()
    assert application.stage == GrantStage.ON_AGENDA
    assert application.proposal.state_label == "On the agenda"
    assert application.deadline.meeting.title in mail.outbox[-1].body
    factories.deciding_meeting_begins(application)
    item = application.agenda_item
    assert item.meeting == application.deadline.meeting
    assert case_number in item.title
    assert "20.000" in item.recommendation or "20,000" in item.recommendation
    assert item.problem and item.solution and "Lydanlæg" in item.economy
    assert application.proposal.state == State.FEASIBLE

    # The meeting's decision: granted 20,000; the pool's ledger and the minutes follow.
    step(
        grant_services.grant_decide,
        actor=secretariat,
        application=application,
        granted=True,
        amount=20_000,
        reason="Bevilget som indstillet.",
    )
    pool.refresh_from_db()
    assert pool.granted_total == 20_000 and pool.remaining == 80_000
    item.refresh_from_db()
    assert "Bevilget som indstillet." in item.decision
    (line,) = item.meeting.minutes_entries.all()  # a generated line, worded when read
    assert application.proposal.title in line.text()
    assert "Bevilget som indstillet." in line.text()
    application.refresh_from_db()
    assert application.proposal.state == State.SELECTED
    assert "20,000" in mail.outbox[-1].body or "20.000" in mail.outbox[-1].body

    # An advance, then accounts with a receipt: deficit 22,000 - 4,000 = 18,000 < granted.
    step(grant_services.grant_advance_pay, actor=secretariat, application=application, amount=5_000)
    step(
        grant_services.grant_accounts_submit,
        author=applicant,
        application=application,
        lines=[Line("expense", "Scene", 22_000), Line("income", "Billetter", 4_000)],
        receipts=[_receipt()],
    )
    application.refresh_from_db()
    assert application.stage == GrantStage.ACCOUNTS
    assert application.receipts.count() == 1
    step(grant_services.grant_payout_approve, actor=secretariat, application=application)
    application.refresh_from_db()
    assert application.stage == GrantStage.PAID
    assert application.payout_amount == 18_000 - 5_000
    assert application.repayment_due == 0
    assert application.proposal.state == State.COMPLETED
    # Every stage has its line; returned for information and put on the agenda move no state.
    assert [(h.to_state, h.to_stage) for h in application.proposal.history.all()] == [
        (State.SUBMITTED, GrantStage.SUBMITTED),
        (State.SUBMITTED, GrantStage.INCOMPLETE),
        (State.SUBMITTED, GrantStage.SUBMITTED),
        (State.IN_REVIEW, GrantStage.COMPLETE),
        (State.FEASIBLE, GrantStage.RECOMMENDED),
        (State.FEASIBLE, GrantStage.ON_AGENDA),
        (State.SELECTED, GrantStage.GRANTED),
        (State.IN_PROGRESS, GrantStage.ACCOUNTS),
        (State.COMPLETED, GrantStage.PAID),
    ]
    actions = set(
        AuditEntry.objects.filter(object_id=str(application.pk)).values_list("action", flat=True)
    )
    assert {
        "grant.incomplete",
        "grant.complete",
        "grant.recommend",
        "grant.agenda",
        "grant.decide",
        "grant.advance",
        "grant.payout",
    } <= actions
    assert committee_services.audit_chain_verify() == []
    # Every e-mail names the case, in the applicant's language (English here).
    assert all(case_number in message.subject for message in mail.outbox)
    assert all("Dear" in message.body for message in mail.outbox)


def test_payout_is_capped_at_the_grant_and_an_oversized_advance_is_paid_back(
    pool, secretariat, working_group
):
    applicant = factories.user()
    application = factories.grant_application(pool=pool, author=applicant)
    _to_decision(application, secretariat, working_group)
    grant_services.grant_decide(
        actor=secretariat, application=application, granted=True, amount=10_000, reason="Ja."
    )
    grant_services.grant_advance_pay(actor=secretariat, application=application, amount=10_000)
    with pytest.raises(ValidationError):
        grant_services.grant_advance_pay(actor=secretariat, application=application, amount=1)
    grant_services.grant_accounts_submit(
        author=applicant,
        application=application,
        lines=[Line("expense", "Scene", 8_000), Line("income", "Billetter", 2_000)],
        receipts=[_receipt()],
    )
    grant_services.grant_payout_approve(actor=secretariat, application=application)
    application.refresh_from_db()
    assert application.payout_amount == 0
    assert application.repayment_due == 10_000 - 6_000


def test_payout_never_exceeds_the_grant_even_for_a_large_deficit(pool, secretariat, working_group):
    applicant = factories.user()
    application = factories.grant_application(pool=pool, author=applicant)
    _paid_out(application, secretariat, working_group, amount=12_000, spent=90_000)
    application.refresh_from_db()
    assert application.payout_amount == 12_000
    # ...and the database refuses a payout above the grant from any write path.
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantApplication.objects.filter(pk=application.pk).update(payout_amount=12_001)


def test_a_refusal_takes_nothing_from_the_pool(pool, secretariat, working_group):
    application = factories.grant_application(pool=pool)
    _to_decision(application, secretariat, working_group, recommendation=Recommendation.REFUSE)
    grant_services.grant_decide(
        actor=secretariat, application=application, granted=False, reason="Driftsudgift."
    )
    pool.refresh_from_db()
    application.refresh_from_db()
    assert pool.granted_total == 0
    assert application.stage == GrantStage.REFUSED and application.granted_amount is None
    assert application.proposal.state == State.NOT_SELECTED


def test_a_decision_larger_than_what_is_left_is_refused(committee, secretariat, working_group):
    pool = factories.grant_pool(committee=committee, pot=40_000)
    first, second = (factories.grant_application(pool=pool) for _ in range(2))
    for application in (first, second):
        _to_decision(application, secretariat, working_group)
    grant_services.grant_decide(
        actor=secretariat, application=first, granted=True, amount=25_000, reason="Ja."
    )
    with pytest.raises(ValidationError) as excinfo:
        grant_services.grant_decide(
            actor=secretariat, application=second, granted=True, amount=25_000, reason="Ja."
        )
    assert "not enough money left" in str(excinfo.value)
    pool.refresh_from_db()
    second.refresh_from_db()
    assert pool.granted_total == 25_000 and pool.remaining == 15_000
    assert second.stage == GrantStage.ON_AGENDA  # nothing of the failed decision was kept


def test_the_database_keeps_the_ledger_within_the_pot(pool):
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetRound.objects.filter(pk=pool.pk).update(granted_total=pool.pot + 1)


def test_staff_of_another_committee_and_the_wrong_role_are_denied(pool, secretariat, working_group):
    application = factories.grant_application(pool=pool)
    other_committee = factories.committee("Nørrebro Lokaludvalg", district_name="Nørrebro")
    outsider = factories.moderator(committee=other_committee)
    resident = factories.user()
    for actor in (outsider, resident, working_group, application.proposal.author):
        with pytest.raises(PermissionDenied):
            grant_services.grant_completeness_check(
                actor=actor, application=application, complete=True
            )
    grant_services.grant_completeness_check(
        actor=secretariat, application=application, complete=True
    )
    for actor in (outsider, resident, application.proposal.author):
        with pytest.raises(PermissionDenied):
            grant_services.grant_recommend(
                actor=actor,
                application=application,
                recommendation=Recommendation.FULL,
                reason="Ja.",
            )
    grant_services.grant_recommend(
        actor=working_group,
        application=application,
        recommendation=Recommendation.FULL,
        reason="Ja.",
    )
    # Putting it on the agenda is the secretariat's of the application's own committee.
    for actor in (outsider, resident, working_group, application.proposal.author):
        with pytest.raises(PermissionDenied):
            grant_services.grant_put_on_agenda(actor=actor, application=application)
    application.refresh_from_db()
    assert application.stage == GrantStage.RECOMMENDED and application.agenda_item is None
    grant_services.grant_put_on_agenda(actor=secretariat, application=application)
    factories.deciding_meeting_begins(application)
    for actor in (outsider, working_group, application.proposal.author):
        with pytest.raises(PermissionDenied):
            grant_services.grant_decide(
                actor=actor, application=application, granted=True, amount=1_000, reason="Ja."
            )
    with pytest.raises(PermissionDenied):
        grant_services.grant_accounts_submit(
            author=resident, application=application, lines=[], receipts=[]
        )


def test_steps_out_of_order_are_refused(pool, secretariat, working_group):
    application = factories.grant_application(pool=pool)
    with pytest.raises(ValidationError):
        grant_services.grant_decide(
            actor=secretariat, application=application, granted=True, amount=1_000, reason="Ja."
        )
    with pytest.raises(ValidationError):
        grant_services.grant_payout_approve(actor=secretariat, application=application)
    grant_services.grant_completeness_check(
        actor=secretariat, application=application, complete=True
    )
    # Not on an agenda before the working group has recommended.
    with pytest.raises(ValidationError, match="cannot be taken now"):
        grant_services.grant_put_on_agenda(actor=secretariat, application=application)
    grant_services.grant_recommend(
        actor=working_group, application=application, recommendation="full", reason="Ja."
    )
    # Not decided before it is on a meeting's agenda, even once the deadline's meeting began.
    factories.deciding_meeting_begins(application)
    with pytest.raises(ValidationError, match="cannot be taken now"):
        grant_services.grant_decide(
            actor=secretariat, application=application, granted=True, amount=1_000, reason="Ja."
        )
    grant_services.grant_put_on_agenda(actor=secretariat, application=application)
    with pytest.raises(ValidationError, match="cannot be taken now"):  # not twice
        grant_services.grant_put_on_agenda(actor=secretariat, application=application)
    assert AgendaItem.objects.filter(grant_application=application).count() == 1
    with pytest.raises(ValidationError):  # more than applied for
        grant_services.grant_decide(
            actor=secretariat, application=application, granted=True, amount=25_001, reason="Ja."
        )
    with pytest.raises(ValidationError):  # no reason
        grant_services.grant_decide(
            actor=secretariat, application=application, granted=True, amount=1_000, reason=" "
        )


def test_an_incomplete_draft_lists_what_is_missing(pool):
    applicant = factories.user()
    application = grant_services.grant_application_save(
        author=applicant,
        budget_round=pool,
        proposal_data={"title": "Loppemarked"},
        grant_data={"activity_date": timezone.localdate() - datetime.timedelta(days=1)},
        lines=[Line("income", "Stadeleje", 1_000)],
    )
    with pytest.raises(ValidationError) as excinfo:
        grant_services.grant_application_submit(author=applicant, application=application)
    problems = excinfo.value.message_dict
    for field in ("applicant_name", "contact_name", "advertising", "volunteers", "lines"):
        assert field in problems
    assert "already been held" in problems["activity_date"][0]
    application.refresh_from_db()
    assert application.stage == GrantStage.DRAFT and application.proposal.case_number is None


def test_without_an_open_deadline_the_draft_is_kept(committee):
    pool = factories.grant_pool(committee=committee, deadlines=0)
    applicant = factories.user()
    application = factories.grant_application(pool=pool, author=applicant, submit=False)
    with pytest.raises(ValidationError) as excinfo:
        grant_services.grant_application_submit(author=applicant, application=application)
    assert "no open application deadline" in str(excinfo.value)


def test_a_vote_round_takes_no_grant_applications(committee):
    budget_round = factories.budget_round(committee=committee)
    with pytest.raises(ValidationError):
        grant_services.grant_application_save(
            author=factories.user(),
            budget_round=budget_round,
            proposal_data={},
            grant_data={},
            lines=[],
        )


def test_receipts_are_deleted_after_the_retention_period(
    pool, secretariat, working_group, settings
):
    settings.GRANT_RECEIPT_RETENTION_DAYS = 30
    applicant = factories.user()
    application = factories.grant_application(pool=pool, author=applicant)
    _paid_out(application, secretariat, working_group, amount=5_000, spent=6_000)
    receipt = application.receipts.get()
    storage, name = receipt.file.storage, receipt.file.name
    assert storage.exists(name)
    assert (
        grant_services.grant_receipts_purge(now=timezone.now() + datetime.timedelta(days=29)) == 0
    )
    assert storage.exists(name)
    from django.core.management import call_command

    paid_at = application.__class__.objects.get(pk=application.pk).paid_at
    GrantApplication.objects.filter(pk=application.pk).update(
        paid_at=paid_at - datetime.timedelta(days=31)
    )
    call_command("grant_receipts_purge")
    assert not storage.exists(name)
    assert not application.receipts.exists()
    assert AuditEntry.objects.filter(action="grant.receipt_purge").count() == 1


@pytest.mark.parametrize(("language", "prefix"), [("en", "/en/"), ("da", "/forslag/")])
def test_each_email_is_rendered_in_the_applicants_language(
    pool, secretariat, language, prefix, django_capture_on_commit_callbacks
):
    applicant = factories.user(preferred_language=language)
    application = factories.grant_application(pool=pool, author=applicant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        grant_services.grant_completeness_check(
            actor=secretariat, application=application, complete=False, missing="Mangler budget."
        )
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "ansoegning" in line)
    # The link is built under the applicant's language: /en/... for English, unprefixed Danish.
    assert link.split("://", 1)[-1].split("/", 1)[1].startswith(prefix.lstrip("/"))
    assert application.proposal.case_number in message.subject
    assert message.to == [applicant.email]


def test_the_generic_review_workflow_cannot_move_a_grant_application(pool, secretariat):
    from proposals import services

    application = factories.grant_application(pool=pool)
    with pytest.raises(ValidationError) as excinfo:
        services.proposal_transition(
            actor=secretariat, proposal=application.proposal, target=State.IN_REVIEW
        )
    assert excinfo.value.code == "grant"
    application.proposal.refresh_from_db()
    assert application.proposal.state == State.SUBMITTED


def test_privacy_export_and_erase_cover_grant_applications(pool):
    from proposals import privacy

    applicant = factories.user()
    submitted = factories.grant_application(pool=pool, author=applicant)
    draft = factories.grant_application(pool=pool, author=applicant, submit=False)
    exported = privacy.export(applicant)["grant_applications"]
    assert {row["proposal__case_number"] for row in exported} == {
        submitted.proposal.case_number,
        None,
    }
    assert exported[0]["contact_email"] == "mette@example.dk"
    privacy.erase(applicant)
    submitted.refresh_from_db()
    assert submitted.contact_email == "" and submitted.contact_name == ""
    assert submitted.applicant_name  # the association stays on the public record
    assert not GrantApplication.objects.filter(pk=draft.pk).exists()


def test_the_applicant_withdraws_before_the_decision_and_the_minutes_say_so(
    client, pool, secretariat, working_group, django_capture_on_commit_callbacks
):
    applicant = factories.user(preferred_language="en")
    application = factories.grant_application(pool=pool, author=applicant)
    application = _to_decision(application, secretariat, working_group)
    assert application.stage == GrantStage.ON_AGENDA and application.agenda_item_id

    with pytest.raises(PermissionDenied):  # only the applicant
        grant_services.grant_application_withdraw(author=secretariat, application=application)
    client.force_login(applicant)
    url = f"/en/forslag/ansoegning/{application.pk}/"
    assert "Withdraw the application" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "withdraw"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.stage == GrantStage.WITHDRAWN
    assert application.proposal.state == State.WITHDRAWN
    assert application.proposal.case_number  # kept on record
    assert "Withdrawn by the applicant" in application.agenda_item.decision
    assert AuditEntry.objects.filter(action="grant.withdraw").count() == 1
    assert "withdrawn the application" in mail.outbox[-1].body
    assert application.proposal.case_number in mail.outbox[-1].subject
    # Too late to decide, and nothing taken from the pool.
    with pytest.raises(ValidationError, match="cannot be taken now"):
        grant_services.grant_decide(
            actor=secretariat, application=application, granted=True, amount=1_000, reason="x"
        )
    assert BudgetRound.objects.get(pk=pool.pk).granted_total == 0
    # Withdrawn is final: the button is gone and a second try is refused.
    assert "Withdraw the application" not in client.get(url).content.decode()
    with pytest.raises(ValidationError):
        grant_services.grant_application_withdraw(author=applicant, application=application)


def test_a_recommended_application_not_yet_on_an_agenda_is_withdrawn(
    pool, secretariat, working_group
):
    applicant = factories.user()
    application = factories.grant_application(pool=pool, author=applicant)
    grant_services.grant_completeness_check(
        actor=secretariat, application=application, complete=True
    )
    grant_services.grant_recommend(
        actor=working_group, application=application, recommendation="full", reason="Ja."
    )
    grant_services.grant_application_withdraw(author=applicant, application=application)
    application.refresh_from_db()
    assert application.stage == GrantStage.WITHDRAWN and application.agenda_item is None
    assert application.proposal.state == State.WITHDRAWN
    assert not AgendaItem.objects.filter(meeting=application.deadline.meeting).exists()
    with pytest.raises(ValidationError, match="cannot be taken now"):
        grant_services.grant_put_on_agenda(actor=secretariat, application=application)


def _recommended(application, secretariat, working_group):
    grant_services.grant_completeness_check(
        actor=secretariat, application=application, complete=True
    )
    return grant_services.grant_recommend(
        actor=working_group, application=application, recommendation="full", reason="Ja."
    )


def test_another_meeting_must_be_an_upcoming_public_one_of_the_same_committee(
    pool, committee, secretariat, working_group
):
    application = _recommended(factories.grant_application(pool=pool), secretariat, working_group)
    other_committee = factories.committee("Valby Lokaludvalg", district_name="Valby")
    refused = {
        "committee": factories.meeting(committee=other_committee),
        "held": factories.meeting(committee=committee, days_from_now=-2),
        "closed": factories.meeting(committee=committee, days_from_now=20, is_public=False),
    }
    for why, meeting in refused.items():
        with pytest.raises(ValidationError) as excinfo:
            grant_services.grant_put_on_agenda(
                actor=secretariat, application=application, meeting=meeting
            )
        assert "meeting" in excinfo.value.message_dict, why
        assert not meeting.agenda_items.exists(), why
    application.refresh_from_db()
    assert application.stage == GrantStage.RECOMMENDED and application.agenda_item is None
    later = factories.meeting(committee=committee, days_from_now=45)
    assert grant_services.agenda_meetings(application) == [application.deadline.meeting, later]
    grant_services.grant_put_on_agenda(actor=secretariat, application=application, meeting=later)
    application.refresh_from_db()
    assert application.stage == GrantStage.ON_AGENDA
    assert application.agenda_item.meeting == later
    entry = AuditEntry.objects.get(action="grant.agenda")
    assert entry.data["meeting"] == later.pk and entry.actor_id == secretariat.pk
    # The decision is recorded from that meeting's start, not the deadline meeting's.
    assert grant_services.decision_opens_at(application) == later.starts_at


def test_the_agenda_item_is_the_application_as_it_stands_when_put_on_the_agenda(
    pool, secretariat, working_group
):
    first = _to_decision(factories.grant_application(pool=pool), secretariat, working_group)
    second = _recommended(factories.grant_application(pool=pool), secretariat, working_group)
    grant_services.grant_decide(
        actor=secretariat, application=first, granted=True, amount=25_000, reason="Ja."
    )
    # Recommended before the first grant, put on the agenda after it: the item shows what the
    # pool has left at this step.
    second = grant_services.grant_put_on_agenda(actor=secretariat, application=second)
    assert second.agenda_item.generated["pool_remaining"] == 100_000 - 25_000
    assert second.agenda_item.generated["recommended_amount"] == 25_000


def test_a_decided_application_cannot_be_withdrawn(pool, secretariat, working_group):
    applicant = factories.user()
    application = _to_decision(
        factories.grant_application(pool=pool, author=applicant), secretariat, working_group
    )
    grant_services.grant_decide(
        actor=secretariat, application=application, granted=True, amount=1_000, reason="Fint."
    )
    with pytest.raises(ValidationError, match="cannot be taken now"):
        grant_services.grant_application_withdraw(author=applicant, application=application)


def test_granted_applications_are_not_followed_up_as_voted_projects(
    pool, secretariat, working_group
):
    # A grant is followed through its accounts and payout; the follow-up of voted projects
    # would record the amount applied for and could never move the grant's state.
    from proposals.tracking.services import tracked_projects_backfill

    application = factories.grant_application(pool=pool)
    _to_decision(application, secretariat, working_group)
    grant_services.grant_decide(
        actor=secretariat, application=application, granted=True, amount=20_000, reason="Godt."
    )
    application.proposal.refresh_from_db()
    assert application.proposal.state == State.SELECTED
    assert tracked_projects_backfill() == 0
    assert not TrackedProject.objects.filter(proposal_id=application.proposal_id).exists()


def test_a_resident_applying_in_their_own_name_is_not_named_in_public(
    client, pool, secretariat, working_group
):
    from proposals.models import Proposal
    from proposals.privacy import erase

    application = factories.grant_application(pool=pool)
    Proposal.objects.filter(pk=application.proposal_id).update(
        submitter_kind="resident", organisation_name=""
    )
    GrantApplication.objects.filter(pk=application.pk).update(applicant_name="Mette Hansen")
    application.refresh_from_db()
    _to_decision(application, secretariat, working_group)
    grant_services.grant_decide(
        actor=secretariat, application=application, granted=True, amount=20_000, reason="Godt."
    )
    application.refresh_from_db()
    meeting = application.agenda_item.meeting
    meeting.refresh_from_db()
    assert "Mette Hansen" not in application.agenda_item.title
    assert "Mette Hansen" not in meeting.minutes
    assert "Mette Hansen" not in str(application.agenda_item.generated)
    for entry in meeting.minutes_entries.all():
        assert "Mette Hansen" not in entry.text() and "Mette Hansen" not in str(entry.params)
    page = client.get(reverse("proposals:grant_pool", args=[pool.pk]))
    assert page.status_code == 200 and application.proposal.title in page.content.decode()
    assert "Mette Hansen" not in page.content.decode()
    # The applicant's own record keeps the name until they delete their account.
    assert application.applicant_name == "Mette Hansen"
    erase(application.proposal.author)
    application.refresh_from_db()
    assert application.applicant_name == "" and application.contact_name == ""
    assert Proposal.objects.get(pk=application.proposal_id).contact_person == ""


def test_each_grant_step_moves_the_proposal_through_the_workflow_with_an_audit_entry(
    pool, secretariat, working_group, django_capture_on_commit_callbacks
):
    applicant = factories.user(preferred_language="en")
    application = factories.grant_application(pool=pool, author=applicant)
    mail.outbox.clear()
    moves = AuditEntry.objects.filter(
        action="proposal.transition", object_id=str(application.proposal_id)
    )
    with django_capture_on_commit_callbacks(execute=True):
        _paid_out(application, secretariat, working_group, amount=25_000, spent=30_000)
    assert [(m.actor_id, m.data["from"], m.data["to"]) for m in moves.order_by("pk")] == [
        (secretariat.pk, State.SUBMITTED, State.IN_REVIEW),
        (working_group.pk, State.IN_REVIEW, State.FEASIBLE),
        (secretariat.pk, State.FEASIBLE, State.SELECTED),
        (applicant.pk, State.SELECTED, State.IN_PROGRESS),
        (secretariat.pk, State.IN_PROGRESS, State.COMPLETED),
    ]
    assert moves.filter(committee_id=pool.committee_id).count() == 5
    # The applicant hears of each step by the grant's own e-mail, not a second one per move
    # (complete, recommended, on the agenda, granted, accounts, paid).
    assert len(mail.outbox) == 6
    assert all("grant application" in message.subject for message in mail.outbox)
    # A grant is followed up through its accounts, never as a tracked project.
    assert not TrackedProject.objects.filter(proposal_id=application.proposal_id).exists()


def test_a_withdrawn_application_is_audited_as_a_move_of_its_proposal(pool):
    applicant = factories.user()
    application = factories.grant_application(pool=pool, author=applicant)
    grant_services.grant_application_withdraw(author=applicant, application=application)
    move = AuditEntry.objects.get(
        action="proposal.transition", object_id=str(application.proposal_id)
    )
    assert (move.actor_id, move.data) == (
        applicant.pk,
        {"from": State.SUBMITTED, "to": State.WITHDRAWN},
    )


def test_the_generic_workflow_cannot_move_a_grant_application(pool, secretariat):
    application = factories.grant_application(pool=pool)
    with pytest.raises(ValidationError):
        proposal_services.proposal_transition(
            actor=secretariat, proposal=application.proposal, target=State.IN_REVIEW
        )
