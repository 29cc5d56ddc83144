"""Writes of the grant process: an application to a committee's grant pool, step by step.

submit (case number) → completeness check by the secretariat (incomplete: back to the applicant,
keeping its case number and deadline) → the working group's recommendation → on a meeting's
agenda, by the secretariat (the deadline's meeting, or another upcoming one) → the committee's
decision (takes the amount from the pool's ledger, in the database) → accounts with receipts →
payout as a deficit guarantee.

Each staff step is authorised by the person's committee-scoped role, as the workflow gives it to
the step's stage (proposals/workflow.py: GRANT_STAGE_ROLES), and written to the audit log. Each
move of the proposal goes through `proposal_transition` by the workflow's GRANT_TRANSITIONS
(history and a `proposal.transition` audit entry). The applicant is told by e-mail, in their own
language, after the step committed.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from committees.models import ApplicationDeadline, BudgetRound, Meeting
from committees.models.meetings import GRANT_APPLICATION, grant_application_texts
from committees.selectors import meetings_upcoming
from committees.services import (
    agenda_item_add,
    agenda_item_decide,
    audit_record,
    round_grant_commit,
)
from frontend.money import format_kroner
from frontend.text import without_control_characters
from proposals import notifications
from proposals.media import attachment_store
from proposals.models import (
    GrantApplication,
    GrantBudgetLine,
    GrantReceipt,
    GrantStage,
    LineKind,
    Recommendation,
    State,
    StatusChange,
    SubmitterKind,
)
from proposals.permissions import may_take_grant_step
from proposals.services import proposal_draft_save, proposal_submit, proposal_transition
from proposals.uploads import CleanFile
from proposals.validation import proposal_problems

GRANT_FIELDS = (
    "applicant_name",
    "contact_name",
    "contact_email",
    "contact_phone",
    "activity_date",
    "advertising",
    "volunteers",
)
MULTI_LINE = {"advertising", "volunteers"}
EDITABLE_STAGES = {GrantStage.DRAFT, GrantStage.INCOMPLETE}
# Until the committee has decided, the applicant may take the application back.
WITHDRAWABLE_STAGES = {
    GrantStage.SUBMITTED,
    GrantStage.INCOMPLETE,
    GrantStage.COMPLETE,
    GrantStage.RECOMMENDED,
    GrantStage.ON_AGENDA,
}
MAX_LINES = 20
MAX_RECEIPTS = 10
MAX_ATTACHMENTS = 5  # quotes and budgets sent with the application


@dataclass(frozen=True)
class Line:
    kind: str
    text: str
    amount: int


# --- Helpers ---------------------------------------------------------------------------------


def _locked(application: GrantApplication) -> GrantApplication:
    return (
        GrantApplication.objects.select_for_update(of=("self",))
        .select_related("proposal__budget_round", "deadline__meeting", "agenda_item__meeting")
        .get(pk=application.pk)
    )


def _require_role(actor, application: GrantApplication, stage: str, message: str) -> None:
    """The person takes the staff step of `stage` (the workflow's GRANT_STAGE_ROLES)."""
    if not may_take_grant_step(actor, application, stage):
        raise PermissionDenied(message)


def _require_stage(application: GrantApplication, *stages: str) -> None:
    if application.stage not in stages:
        raise ValidationError(
            _("This step cannot be taken now: the application is %(stage)s.")
            % {"stage": GrantStage(application.stage).label},
            code="stage",
        )


def _proposal_transition(
    application: GrantApplication, *, target: str, actor, before: str, reason: str = ""
) -> None:
    """Move the application's proposal by the workflow's grant moves: roles checked, history
    (with the stages `before` and now) and audit written. The applicant hears of the step by
    its own e-mail (`_tell`)."""
    application.proposal = proposal_transition(
        actor=actor,
        proposal=application.proposal,
        target=target,
        reason=reason,
        notify=False,
        grant_step=True,
        stages=(before, application.stage),
    )


def _history_record(
    application: GrantApplication, *, actor, before: str, meeting: Meeting | None = None
) -> None:
    """A step that moves the application's stage but not its proposal's state (returned for
    information, sent in again, on a meeting's agenda, accounts returned or corrected) has its
    line in the public history too: the stages and the meeting as data, worded when read."""
    state = application.proposal.state
    StatusChange.objects.create(
        proposal=application.proposal,
        from_state=state,
        to_state=state,
        actor=actor,
        from_stage=before,
        to_stage=application.stage,
        meeting=meeting,
    )


def _audit(*, actor, application: GrantApplication, action: str, reason: str = "", **data):
    audit_record(
        actor=actor,
        action=f"grant.{action}",
        obj=application,
        reason=reason,
        committee_id=application.proposal.budget_round.committee_id,
        data={"case": application.proposal.case_number, **data},
    )


def _tell(application: GrantApplication, step: str) -> None:
    transaction.on_commit(
        lambda: notifications.send_grant_step(application_id=application.pk, step=step)
    )


def _clean_lines(lines, *, field: str) -> list[Line]:
    cleaned = []
    for line in lines:
        text = (line.text or "").strip()
        if line.kind not in LineKind.values:
            raise ValidationError({field: _("Each line is either income or an expense.")})
        if not text:
            raise ValidationError({field: _("Say what each line of the budget is for.")})
        if not isinstance(line.amount, int) or line.amount <= 0:
            raise ValidationError({field: _("Each amount must be a whole number of kroner.")})
        cleaned.append(Line(line.kind, text[:200], line.amount))
    if len(cleaned) > MAX_LINES:
        raise ValidationError({field: _("At most 20 lines.")})
    return cleaned


def amount_applied_for(lines: list[Line]) -> int:
    """The amount applied for: expenses minus the activity's own income (never negative)."""
    expenses = sum(line.amount for line in lines if line.kind == LineKind.EXPENSE)
    income = sum(line.amount for line in lines if line.kind == LineKind.INCOME)
    return max(0, expenses - income)


# --- The applicant: draft, submit, resubmit --------------------------------------------------


@transaction.atomic
def grant_application_save(
    *,
    author,
    budget_round: BudgetRound,
    proposal_data: dict,
    grant_data: dict,
    lines: list[Line],
    application: GrantApplication | None = None,
    attachments: list[CleanFile] = (),
    remove_attachments: list[int] = (),
) -> GrantApplication:
    """Save a draft (or a returned application) with its budget and its attachments (quotes,
    budgets: PDFs already checked by proposals/uploads.py; those named in remove_attachments go,
    their files after the commit); submitting checks the rest."""
    if not budget_round.is_grant_pool:
        raise ValidationError(_("This round does not take grant applications."))
    if application is not None:
        application = _locked(application)
        if application.proposal.author_id != author.pk:
            raise PermissionDenied(_("Only the applicant can change this application."))
        _require_stage(application, *EDITABLE_STAGES)
    lines = _clean_lines(lines, field="lines")
    amount = amount_applied_for(lines)
    proposal = proposal_draft_save(
        author=author,
        budget_round=budget_round,
        data={**proposal_data, "estimated_cost": amount or None},
        proposal=application.proposal if application else None,
    )
    if application is None:
        application = GrantApplication(proposal=proposal)
    for field in GRANT_FIELDS:
        if field in grant_data:
            value = grant_data[field]
            if isinstance(value, str):
                value = without_control_characters(value, single_line=field not in MULTI_LINE)
                value = value.strip()
            setattr(application, field, value)
    application.amount_applied = amount
    application.save()
    application.lines.filter(actual=False).delete()
    GrantBudgetLine.objects.bulk_create(
        GrantBudgetLine(application=application, kind=li.kind, text=li.text, amount=li.amount)
        for li in lines
    )
    for attachment in proposal.attachments.filter(pk__in=list(remove_attachments)):
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    if attachments:
        if proposal.attachments.count() + len(attachments) > MAX_ATTACHMENTS:
            raise ValidationError(
                {"attachments": _("At most %(count)s attachments.") % {"count": MAX_ATTACHMENTS}}
            )
        for clean in attachments:
            attachment_store(proposal=proposal, clean=clean)
    return application


def grant_problems(application: GrantApplication) -> dict[str, list[str]]:
    """What stops an application from being submitted, per field; empty when it can be."""
    problems = proposal_problems(application.proposal)
    cost_problems = problems.pop("estimated_cost", [])
    if application.amount_applied > 0 and cost_problems:  # outside the pool's limits
        problems["lines"] = cost_problems

    def add(field, message):
        problems.setdefault(field, []).append(message)

    if not application.applicant_name.strip():
        add("applicant_name", _("Give the name of the applying association or person."))
    if not application.contact_name.strip():
        # The form's contact person is the proposal's too: say it once, on the field shown.
        problems.pop("contact_person", None)
        add("contact_name", _("Give a contact person."))
    if not application.contact_email.strip():
        add("contact_email", _("Give the contact person's e-mail address."))
    if application.activity_date is None:
        add("activity_date", _("Give the date of the activity."))
    elif application.activity_date < timezone.localdate():
        add("activity_date", _("The pool does not fund activities that have already been held."))
    if not application.advertising.strip():
        add("advertising", _("Say how the activity is advertised."))
    if not application.volunteers.strip():
        add("volunteers", _("Say how volunteers take part."))
    planned = [li for li in application.lines.all() if not li.actual]
    if not any(li.kind == LineKind.EXPENSE for li in planned):
        add("lines", _("List the expenses of the activity."))
    elif application.amount_applied <= 0:
        add("lines", _("The expenses must be larger than the income to apply for a grant."))
    return problems


def next_deadline(*, budget_round: BudgetRound, now=None) -> ApplicationDeadline | None:
    now = now or timezone.now()
    return (
        budget_round.deadlines.filter(closes_at__gt=now)
        .select_related("meeting")
        .order_by("closes_at")
        .first()
    )


@transaction.atomic
def grant_application_submit(*, author, application: GrantApplication) -> GrantApplication:
    """Submit a draft to the next deadline, or send a returned application back in.

    A returned application keeps its case number and its deadline (its place in the queue).
    """
    application = _locked(application)
    proposal = application.proposal
    if proposal.author_id != author.pk:
        raise PermissionDenied(_("Only the applicant can submit this application."))
    _require_stage(application, *EDITABLE_STAGES)
    problems = grant_problems(application)
    if problems:
        raise ValidationError(problems)
    if application.stage == GrantStage.DRAFT:
        deadline = next_deadline(budget_round=proposal.budget_round)
        if deadline is None:
            raise ValidationError(
                _("The pool has no open application deadline now. Your draft is kept."),
                code="deadline",
            )
        # The proposal's own submission: case number, history and the receipt e-mail.
        application.proposal = proposal_submit(author=author, proposal=proposal)
        application.deadline = deadline
        application.stage = GrantStage.SUBMITTED
        application.save(update_fields=["deadline", "stage"])
        StatusChange.objects.filter(
            proposal=proposal, from_state=State.DRAFT, to_state=State.SUBMITTED, to_stage=""
        ).update(from_stage=GrantStage.DRAFT, to_stage=GrantStage.SUBMITTED)
        _audit(actor=author, application=application, action="submit")
    else:
        before = application.stage
        application.stage = GrantStage.SUBMITTED
        application.save(update_fields=["stage"])
        _history_record(application, actor=author, before=before)
        _audit(actor=author, application=application, action="resubmit")
        _tell(application, "resubmitted")
    return application


# --- The secretariat: completeness -----------------------------------------------------------


@transaction.atomic
def grant_completeness_check(
    *, actor, application: GrantApplication, complete: bool, missing: str = ""
) -> GrantApplication:
    application = _locked(application)
    _require_role(
        actor,
        application,
        GrantStage.SUBMITTED,
        _("Only the committee's secretariat checks applications."),
    )
    _require_stage(application, GrantStage.SUBMITTED)
    before = application.stage
    missing = (missing or "").strip()
    if complete:
        application.stage = GrantStage.COMPLETE
        application.missing_info = ""
        _proposal_transition(application, target=State.IN_REVIEW, actor=actor, before=before)
    else:
        if not missing:
            raise ValidationError({"missing": _("Say what is missing from the application.")})
        application.stage = GrantStage.INCOMPLETE
        application.missing_info = missing
        # What is missing is the applicant's to read, not the public's: the line says the step.
        _history_record(application, actor=actor, before=before)
    application.save(update_fields=["stage", "missing_info"])
    _audit(
        actor=actor,
        application=application,
        action="complete" if complete else "incomplete",
        reason=missing,
    )
    _tell(application, "complete" if complete else "incomplete")
    return application


# --- The working group's recommendation; the secretariat puts it on an agenda ---------------


def _agenda_params(application: GrantApplication) -> dict:
    """The agenda item as data (see `committees.models.meetings.grant_application_texts`): the
    applicant's and the working group's own words as typed, the rest worded when read."""
    proposal = application.proposal
    resident = proposal.submitter_kind == SubmitterKind.RESIDENT
    return {
        "kind": GRANT_APPLICATION,
        "application": application.pk,
        "case": proposal.case_number,
        "title": proposal.title,
        "applicant": None if resident else application.applicant_name,
        "recommendation": str(application.recommendation),
        "recommended_amount": application.recommended_amount,
        "reason": application.recommendation_reason,
        "activity_date": (
            application.activity_date.isoformat() if application.activity_date else None
        ),
        "advertising": application.advertising,
        "volunteers": application.volunteers,
        "lines": [[li.text, li.amount] for li in application.lines.all()],
        "applied": application.amount_applied,
        "pool_remaining": proposal.budget_round.remaining,
        "decision": None,
    }


@transaction.atomic
def grant_recommend(
    *,
    actor,
    application: GrantApplication,
    recommendation: str,
    reason: str,
    amount: int | None = None,
) -> GrantApplication:
    """The working group's recommendation (amount and reasons); the secretariat puts the
    application on a meeting's agenda next (`grant_put_on_agenda`)."""
    application = _locked(application)
    _require_role(
        actor,
        application,
        GrantStage.COMPLETE,
        _("Only the committee's working group recommends on applications."),
    )
    _require_stage(application, GrantStage.COMPLETE)
    before = application.stage
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reasons for the recommendation.")})
    if recommendation == Recommendation.FULL:
        amount = application.amount_applied
    elif recommendation == Recommendation.PARTIAL:
        if amount is None or not 0 < amount < application.amount_applied:
            raise ValidationError(
                {
                    "amount": _("A grant in part is more than 0 kr. and less than %(applied)s.")
                    % {"applied": format_kroner(application.amount_applied)}
                }
            )
    elif recommendation == Recommendation.REFUSE:
        amount = None
    else:
        raise ValidationError({"recommendation": _("Choose a recommendation.")})
    application.recommendation = recommendation
    application.recommended_amount = amount
    application.recommendation_reason = reason
    application.stage = GrantStage.RECOMMENDED
    application.save(
        update_fields=["recommendation", "recommended_amount", "recommendation_reason", "stage"]
    )
    _proposal_transition(application, target=State.FEASIBLE, actor=actor, before=before)
    _audit(
        actor=actor,
        application=application,
        action="recommend",
        reason=reason,
        recommendation=recommendation,
        amount=amount,
    )
    _tell(application, "recommended")
    return application


def agenda_meetings(application: GrantApplication) -> list[Meeting]:
    """The meetings the application can be put on the agenda of: its deadline's meeting (the
    pool's own rule, as set when the deadline was made) first, then every other upcoming public
    meeting of its committee (`committees.selectors.meetings_upcoming`)."""
    committee = application.proposal.budget_round.committee
    default = application.deadline.meeting if application.deadline_id else None
    others = [m for m in meetings_upcoming(committee=committee) if m != default]
    return [default, *others] if default else others


def _agenda_meeting(application: GrantApplication, meeting: Meeting | None) -> Meeting:
    default = application.deadline.meeting if application.deadline_id else None
    if meeting is None or meeting == default:
        if default is None:
            raise ValidationError(
                {"meeting": _("The application has no deadline meeting: choose a meeting.")}
            )
        return default
    committee_id = application.proposal.budget_round.committee_id
    if meeting.committee_id != committee_id:
        raise ValidationError(
            {"meeting": _("Choose a meeting of the committee that manages the grant pool.")}
        )
    if meeting.ends_at < timezone.now():
        raise ValidationError(
            {"meeting": _("That meeting has already been held: choose an upcoming meeting.")}
        )
    if not meeting.is_public:
        raise ValidationError(
            {"meeting": _("That meeting is closed to the public: grants are decided in public.")}
        )
    return meeting


@transaction.atomic
def grant_put_on_agenda(
    *, actor, application: GrantApplication, meeting: Meeting | None = None
) -> GrantApplication:
    """The secretariat puts a recommended application on a meeting's agenda: by default its
    deadline's meeting, or another upcoming public meeting of the same committee.

    The agenda item is the application as it stands now (`_agenda_params`): the recommendation
    and the money left in the pool at this step. An application whose item was deleted from the
    meeting's agenda goes on an agenda again the same way.
    """
    application = _locked(application)
    _require_role(
        actor,
        application,
        GrantStage.RECOMMENDED,
        _("Only the committee's secretariat puts applications on the agenda."),
    )
    if not (application.stage == GrantStage.ON_AGENDA and application.agenda_item_id is None):
        _require_stage(application, GrantStage.RECOMMENDED)
    meeting = _agenda_meeting(application, meeting)
    before = application.stage
    application.stage = GrantStage.ON_AGENDA
    params = _agenda_params(application)
    texts = grant_application_texts(params)  # the stored words, in the triggering language
    application.agenda_item = agenda_item_add(
        meeting=meeting,
        title=texts["title"],
        recommendation=texts["recommendation"],
        problem=application.proposal.summary,
        solution=texts["solution"],
        economy=texts["economy"],
        generated=params,
    )
    application.save(update_fields=["stage", "agenda_item"])
    _history_record(application, actor=actor, before=before, meeting=meeting)
    _audit(
        actor=actor,
        application=application,
        action="agenda",
        meeting=meeting.pk,
        agenda_item=application.agenda_item_id,
    )
    _tell(application, "on_agenda")
    return application


@transaction.atomic
def grant_application_withdraw(*, author, application: GrantApplication) -> GrantApplication:
    """The applicant takes a submitted application back before the committee decides.

    It keeps its case number; on the deciding meeting's agenda its item says it was withdrawn,
    so the minutes stay complete. Nothing is taken from the pool.
    """
    application = _locked(application)
    if not (author and author.pk and application.proposal.author_id == author.pk):
        raise PermissionDenied(_("Only the applicant can withdraw the application."))
    _require_stage(application, *WITHDRAWABLE_STAGES)
    before = application.stage
    if application.agenda_item_id:
        agenda_item_decide(
            agenda_item=application.agenda_item,
            decision=_("Withdrawn by the applicant before the decision."),
            generated_decision={"kind": "withdrawn", "amount": None, "reason": ""},
        )
    application.stage = GrantStage.WITHDRAWN
    application.save(update_fields=["stage"])
    _proposal_transition(application, target=State.WITHDRAWN, actor=author, before=before)
    _audit(actor=author, application=application, action="withdraw")
    _tell(application, "withdrawn")
    return application


# --- The committee: decision at the meeting --------------------------------------------------


def deciding_meeting(application: GrantApplication) -> Meeting | None:
    """The meeting that decides the application: the one whose agenda it is on; before it is on
    one, its deadline's meeting (the default)."""
    if application.agenda_item_id:
        return application.agenda_item.meeting
    if application.stage == GrantStage.ON_AGENDA:
        return None  # its item was deleted from the agenda: no meeting decides it now
    deadline = application.deadline
    return deadline.meeting if deadline and deadline.meeting_id else None


def decision_opens_at(application: GrantApplication) -> datetime.datetime | None:
    """When the decision can be recorded: the start of the meeting whose agenda the application
    is on. The committee decides at the meeting, so a decision recorded before it began would be
    one nobody took."""
    if application.stage != GrantStage.ON_AGENDA:
        return None
    meeting = deciding_meeting(application)
    return meeting.starts_at if meeting else None


@transaction.atomic
def grant_decide(
    *, actor, application: GrantApplication, granted: bool, reason: str, amount: int | None = None
) -> GrantApplication:
    """Record the meeting's decision; a grant takes its amount from the pool, in the database."""
    application = _locked(application)
    _require_role(
        actor,
        application,
        GrantStage.ON_AGENDA,
        _("Only the committee's secretariat records decisions."),
    )
    _require_stage(application, GrantStage.ON_AGENDA)
    opens = decision_opens_at(application)
    if opens is None or timezone.now() < opens:
        raise ValidationError(
            _(
                "The decision is made at the deciding meeting: it can be recorded from the "
                "meeting's start, %(start)s."
            )
            % {"start": date_format(timezone.localtime(opens), "SHORT_DATETIME_FORMAT")}
            if opens
            else _("The application is on no meeting's agenda: there is no decision to record."),
            code="before_meeting",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the decision.")})
    budget_round = application.proposal.budget_round
    if granted:
        if amount is None or not 0 < amount <= application.amount_applied:
            raise ValidationError(
                {
                    "amount": _(
                        "The grant is more than 0 kr. and at most the %(applied)s applied for."
                    )
                    % {"applied": format_kroner(application.amount_applied)}
                }
            )
        remaining = round_grant_commit(budget_round=budget_round, amount=amount)
        decision = _("Granted %(amount)s. %(reason)s") % {
            "amount": format_kroner(amount),
            "reason": reason,
        }
    else:
        amount = None
        remaining = budget_round.remaining
        decision = _("Refused. %(reason)s") % {"reason": reason}
    application.granted_amount = amount
    application.decision_reason = reason
    application.decided_at = timezone.now()
    before = application.stage
    application.stage = GrantStage.GRANTED if granted else GrantStage.REFUSED
    application.save(update_fields=["granted_amount", "decision_reason", "decided_at", "stage"])
    if application.agenda_item_id:
        agenda_item_decide(
            agenda_item=application.agenda_item,
            decision=decision,
            generated_decision={
                "kind": "granted" if granted else "refused",
                "amount": amount,
                "reason": reason,
            },
        )
    _proposal_transition(
        application,
        target=State.SELECTED if granted else State.NOT_SELECTED,
        actor=actor,
        before=before,
        reason=reason,
    )
    _audit(
        actor=actor,
        application=application,
        action="decide",
        reason=reason,
        granted=granted,
        amount=amount,
        remaining=remaining,
    )
    _tell(application, "granted" if granted else "refused")
    return application


# --- Money: advance, accounts, payout --------------------------------------------------------


@transaction.atomic
def grant_advance_pay(*, actor, application: GrantApplication, amount: int) -> GrantApplication:
    application = _locked(application)
    _require_role(actor, application, GrantStage.GRANTED, _("Only the secretariat pays advances."))
    _require_stage(application, GrantStage.GRANTED)
    if not isinstance(amount, int) or amount <= 0:
        raise ValidationError({"amount": _("The advance must be more than 0 kr.")})
    if application.advance_paid + amount > application.granted_amount:
        raise ValidationError(
            {"amount": _("Advances together cannot be more than the granted amount.")}
        )
    application.advance_paid += amount
    application.save(update_fields=["advance_paid"])
    _audit(actor=actor, application=application, action="advance", amount=amount)
    _tell(application, "advance")
    return application


@transaction.atomic
def grant_accounts_submit(
    *, author, application: GrantApplication, lines: list[Line], receipts: list
) -> GrantApplication:
    """The applicant's accounts: actual income and expenses, with receipts (cleaned PDFs)."""
    application = _locked(application)
    if application.proposal.author_id != author.pk:
        raise PermissionDenied(_("Only the applicant can submit the accounts."))
    _require_stage(application, GrantStage.GRANTED)
    lines = _clean_lines(lines, field="lines")
    if not any(li.kind == LineKind.EXPENSE for li in lines):
        raise ValidationError({"lines": _("List the actual expenses of the activity.")})
    if not receipts and not application.receipts.exists():
        raise ValidationError({"receipts": _("Attach the receipts for the expenses.")})
    if application.receipts.count() + len(receipts) > MAX_RECEIPTS:
        raise ValidationError({"receipts": _("At most 10 receipts.")})
    application.lines.filter(actual=True).delete()
    GrantBudgetLine.objects.bulk_create(
        GrantBudgetLine(
            application=application, kind=li.kind, text=li.text, amount=li.amount, actual=True
        )
        for li in lines
    )
    for clean in receipts:
        receipt = GrantReceipt(
            application=application,
            title=clean.filename,
            size=len(clean.content),
            uploaded_by=author,
        )
        receipt.file.save(clean.filename, ContentFile(clean.content), save=False)
        receipt.save()
    before = application.stage
    application.stage = GrantStage.ACCOUNTS
    application.accounts_submitted_at = timezone.now()
    application.missing_info = ""
    application.save(update_fields=["stage", "accounts_submitted_at", "missing_info"])
    if application.proposal.state != State.IN_PROGRESS:
        _proposal_transition(application, target=State.IN_PROGRESS, actor=author, before=before)
    else:  # corrected after they were returned: the state stays, the history says it
        _history_record(application, actor=author, before=before)
    _audit(actor=author, application=application, action="accounts")
    _tell(application, "accounts")
    return application


@transaction.atomic
def grant_accounts_return(
    *, actor, application: GrantApplication, missing: str
) -> GrantApplication:
    """The secretariat sends the accounts back for correction, saying what is missing or wrong.

    The applicant submits them again (lines replaced, receipts kept and added to); no payout
    is made in between.
    """
    application = _locked(application)
    _require_role(
        actor,
        application,
        GrantStage.ACCOUNTS,
        _("Only the committee's secretariat checks the accounts."),
    )
    _require_stage(application, GrantStage.ACCOUNTS)
    missing = (missing or "").strip()
    if not missing:
        raise ValidationError({"missing": _("Say what the applicant must correct.")})
    before = application.stage
    application.stage = GrantStage.GRANTED
    application.missing_info = missing[:4000]
    application.save(update_fields=["stage", "missing_info"])
    _history_record(application, actor=actor, before=before)
    _audit(actor=actor, application=application, action="accounts_return", reason=missing)
    _tell(application, "accounts_returned")
    return application


def payout_for(application: GrantApplication) -> tuple[int, int]:
    """(payout, advance to pay back): the grant covers the actual deficit, never more."""
    covered = min(application.granted_amount or 0, application.actual_deficit)
    return max(0, covered - application.advance_paid), max(0, application.advance_paid - covered)


@transaction.atomic
def grant_payout_approve(*, actor, application: GrantApplication) -> GrantApplication:
    application = _locked(application)
    _require_role(
        actor, application, GrantStage.ACCOUNTS, _("Only the secretariat approves payouts.")
    )
    _require_stage(application, GrantStage.ACCOUNTS)
    payout, repayment = payout_for(application)
    application.payout_amount = payout
    application.repayment_due = repayment
    application.paid_at = timezone.now()
    before = application.stage
    application.stage = GrantStage.PAID
    application.save(update_fields=["payout_amount", "repayment_due", "paid_at", "stage"])
    _proposal_transition(application, target=State.COMPLETED, actor=actor, before=before)
    _audit(
        actor=actor,
        application=application,
        action="payout",
        payout=payout,
        repayment=repayment,
        deficit=application.actual_deficit,
    )
    _tell(application, "paid")
    return application


# --- Retention -------------------------------------------------------------------------------


def grant_receipts_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete receipts (file and row) kept longer than the retention period after the payout."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.GRANT_RECEIPT_RETENTION_DAYS)
    receipts = GrantReceipt.objects.filter(
        application__paid_at__isnull=False, application__paid_at__lt=cutoff
    ).select_related("application__proposal__budget_round")
    deleted = 0
    for receipt in receipts:
        with transaction.atomic():
            application = receipt.application
            receipt.file.delete(save=False)
            receipt.delete()
            audit_record(
                actor=None,
                action="grant.receipt_purge",
                obj=application,
                committee_id=application.proposal.budget_round.committee_id,
                data={"receipt": receipt.title},
            )
        deleted += 1
    return deleted
