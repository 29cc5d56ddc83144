"""Writes of the proposals app: drafts, submission, the review workflow, supports, comments."""

import html
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.whitelist import DEFAULT_ELEMENT_RULES, Whitelister

from committees.models import BudgetRound, DecisionMethod, Phase
from committees.services import audit_record
from proposals import notifications
from proposals.models import (
    Comment,
    CommentFlag,
    EffectGoal,
    EffectMeasurement,
    GrantApplication,
    ProjectSubscription,
    ProjectUpdate,
    Proposal,
    Review,
    State,
    StatusChange,
    SubmitterKind,
    Support,
    TrackedProject,
    TrackingStatus,
)
from proposals.permissions import AUTHOR, MODERATOR, REVIEWER, has_verified_email, roles_of
from proposals.workflow import SYSTEM, TRANSITIONS

EDITABLE_FIELDS = (
    "title",
    "summary",
    "description",
    "estimated_cost",
    "category",
    "location_text",
    "latitude",
    "longitude",
    "submitter_kind",
    "organisation_name",
    "cvr_number",
    "contact_person",
    "checklist_answers",
)
SUPPORTABLE_STATES = {State.SUBMITTED, State.IN_REVIEW, State.FEASIBLE}


class RichTextCleaner(Whitelister):
    """Keeps paragraphs, emphasis, lists and safe links; drops everything else, scripts first."""

    element_rules = {
        tag: rule
        for tag, rule in DEFAULT_ELEMENT_RULES.items()
        if tag not in {"img", "h1", "h2", "hr"}  # no images or headings that break the page
    }


def clean_description(text: str) -> str:
    """Formatted text in, safe HTML out. Plain text becomes paragraphs."""
    text = (text or "").strip()
    if not text:
        return ""
    if "<" not in text:
        paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
        return "".join("<p>" + html.escape(p).replace("\n", "<br/>") + "</p>" for p in paragraphs)
    return RichTextCleaner().clean(text)


def _require_verified(user) -> None:
    if not has_verified_email(user):
        raise PermissionDenied(_("Log in with a verified e-mail address first."))


# --- Drafts and submission -------------------------------------------------------------------


def proposal_draft_save(
    *, author, budget_round: BudgetRound, data: dict, proposal: Proposal | None = None
) -> Proposal:
    """Save whatever was typed so far. Drafts survive deadlines and expired sessions."""
    _require_verified(author)
    if proposal is None:
        proposal = Proposal(budget_round=budget_round, author=author)
    elif proposal.author_id != author.pk:
        raise PermissionDenied(_("Only the author can change this proposal."))
    elif proposal.budget_round_id != budget_round.pk:
        raise ValidationError(_("This proposal belongs to another round."))
    if proposal.pk and not proposal_is_editable(proposal):
        raise ValidationError(_("The proposal can no longer be changed: review has started."))
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(proposal, field, data[field])
    proposal.description = clean_description(proposal.description)
    if proposal.state != State.DRAFT:
        problems = proposal_problems(proposal)  # a submitted proposal stays complete
        if problems:
            raise ValidationError(problems)
    if not proposal.random_key:
        proposal.random_key = secrets.randbelow(2**31)
    proposal.save()
    return proposal


def proposal_is_editable(proposal: Proposal) -> bool:
    if proposal.state == State.DRAFT:
        return True
    return proposal.state == State.SUBMITTED and proposal.budget_round.phase == Phase.IDEAS


@dataclass
class Problems:
    errors: dict[str, list[str]]

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)


def proposal_problems(proposal: Proposal) -> dict[str, list[str]]:
    """What stops a draft from being submitted, per field. Empty when it can be submitted."""
    problems = Problems({})
    budget_round = proposal.budget_round
    if not proposal.title.strip():
        problems.add("title", _("Give the proposal a title."))
    if not proposal.summary.strip():
        problems.add("summary", _("Write a short summary."))
    if not proposal.description.strip():
        problems.add("description", _("Describe the proposal."))
    cost = proposal.estimated_cost
    if cost is None:
        problems.add("estimated_cost", _("Give an estimated cost in whole kroner."))
    elif not budget_round.min_cost <= cost <= budget_round.max_cost:
        from frontend.money import format_kroner

        problems.add(
            "estimated_cost",
            _("The cost must be between %(low)s and %(high)s.")
            % {
                "low": format_kroner(budget_round.min_cost),
                "high": format_kroner(budget_round.max_cost),
            },
        )
    if budget_round.categories.exists():
        if proposal.category_id is None:
            problems.add("category", _("Choose a category."))
        elif not budget_round.categories.filter(pk=proposal.category_id).exists():
            problems.add("category", _("Choose one of this round's categories."))
    if not proposal.location_text.strip() and proposal.latitude is None:
        problems.add(
            "location_text", _("Say where: an address, a place name or a point on the map.")
        )
    if proposal.submitter_kind != SubmitterKind.RESIDENT:
        if not proposal.organisation_name.strip():
            problems.add("organisation_name", _("Give the name of the organisation."))
        if not proposal.contact_person.strip():
            problems.add("contact_person", _("Give a contact person."))
    if proposal.cvr_number and not cvr_is_valid(proposal.cvr_number):
        problems.add("cvr_number", _("A CVR number has 8 digits and a valid check digit."))
    answers = proposal.checklist_answers or {}
    for item in budget_round.checklist.all():
        answer = answers.get(str(item.pk))
        if answer is None:
            problems.add("checklist", _("Answer every question of the checklist."))
            break
        if item.required and answer is not True:
            problems.add(
                "checklist",
                _("This round only funds proposals that answer yes to: %(question)s")
                % {"question": item.text},
            )
    return problems.errors


def cvr_is_valid(cvr: str) -> bool:
    if len(cvr) != 8 or not cvr.isdigit() or cvr[0] == "0":
        return False
    weights = (2, 7, 6, 5, 4, 3, 2, 1)
    return sum(int(d) * w for d, w in zip(cvr, weights, strict=True)) % 11 == 0


@transaction.atomic
def proposal_submit(*, author, proposal: Proposal) -> Proposal:
    """Submit a complete draft during the ideas phase: case number, history, receipt e-mail."""
    _require_verified(author)
    proposal = (
        Proposal.objects.select_for_update().select_related("budget_round").get(pk=proposal.pk)
    )
    if proposal.author_id != author.pk:
        raise PermissionDenied(_("Only the author can submit this proposal."))
    if proposal.state != State.DRAFT:
        raise ValidationError(_("The proposal has already been submitted."))
    if proposal.budget_round.phase != Phase.IDEAS:
        raise ValidationError(
            _("The round does not take proposals now. Your draft is kept."), code="deadline"
        )
    problems = proposal_problems(proposal)
    if problems:
        raise ValidationError(problems)
    proposal.state = State.SUBMITTED
    proposal.submitted_at = timezone.now()
    proposal.case_number = f"BB-{proposal.budget_round_id:03d}-{proposal.pk:05d}"
    proposal.save(update_fields=["state", "submitted_at", "case_number", "updated_at"])
    StatusChange.objects.create(
        proposal=proposal, from_state=State.DRAFT, to_state=State.SUBMITTED, actor=author
    )
    transaction.on_commit(lambda: notifications.send_receipt(proposal_id=proposal.pk))
    return proposal


@transaction.atomic
def proposal_withdraw(*, author, proposal: Proposal) -> Proposal:
    if proposal.budget_round.voting_has_opened:
        raise ValidationError(_("Proposals can only be withdrawn before voting opens."))
    return proposal_transition(
        actor=author, proposal=proposal, target=State.WITHDRAWN, roles={AUTHOR}
    )


# --- The review workflow ---------------------------------------------------------------------


@transaction.atomic
def proposal_transition(
    *,
    actor,
    proposal: Proposal,
    target: str,
    reason: str = "",
    roles: set[str] | None = None,
    merged_into: Proposal | None = None,
    notify: bool = True,
) -> Proposal:
    """Make one allowed move of the state machine, as one of the allowed roles, and record it.

    notify=False: the caller tells the author itself (the results e-mail does, for example).
    """
    proposal = (
        Proposal.objects.select_for_update().select_related("budget_round").get(pk=proposal.pk)
    )
    if GrantApplication.objects.filter(proposal_id=proposal.pk).exists():
        # Its state follows the grant steps (proposals/grants/services.py), never this path.
        raise ValidationError(
            _("A grant application moves only through the steps of the grant process."),
            code="grant",
        )
    transition = TRANSITIONS.get((proposal.state, target))
    if transition is None:
        raise ValidationError(
            _("A proposal that is %(source)s cannot become %(target)s.")
            % {"source": State(proposal.state).label, "target": State(target).label},
            code="transition",
        )
    actual_roles = roles if actor is None else roles_of(actor, proposal)
    if roles is not None and actor is not None:
        actual_roles = actual_roles & roles
    if not (transition.roles & (actual_roles or set())):
        raise PermissionDenied(_("You may not make this change."))
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise ValidationError(_("Give a public reason."), code="reason")
    source = proposal.state
    proposal.state = target
    proposal.merged_into = merged_into if target == State.MERGED else None
    proposal.save(update_fields=["state", "merged_into", "updated_at"])
    StatusChange.objects.create(
        proposal=proposal, from_state=source, to_state=target, actor=actor, public_reason=reason
    )
    audit_record(
        actor=actor,
        action="proposal.transition",
        obj=proposal,
        reason=reason,
        committee_id=proposal.budget_round.committee_id,
        data={"from": source, "to": target},
    )
    if target == State.SELECTED:
        tracked_project_ensure(proposal=proposal)  # every funded project is followed up
    elif target in TRACKED_STATES:
        _tracking_follow(proposal=proposal, target=target, reason=reason)
    if transition.public and notify:
        transaction.on_commit(
            lambda: notifications.send_state_change(proposal_id=proposal.pk, reason=reason)
        )
    return proposal


def proposal_transition_by_system(
    *, proposal: Proposal, target: str, notify: bool = True
) -> Proposal:
    return proposal_transition(
        actor=None, proposal=proposal, target=target, roles={SYSTEM}, notify=notify
    )


@transaction.atomic
def review_record(
    *,
    reviewer,
    proposal: Proposal,
    feasible: bool,
    revised_cost: int | None = None,
    internal_notes: str = "",
    public_reason: str = "",
) -> Review:
    """A reviewer's feasibility and cost check; it moves the proposal out of review."""
    if REVIEWER not in roles_of(reviewer, proposal) and MODERATOR not in roles_of(
        reviewer, proposal
    ):
        raise PermissionDenied(_("Only the round's reviewers can review this proposal."))
    if revised_cost is not None and revised_cost <= 0:
        raise ValidationError({"revised_cost": _("The revised cost must be more than 0 kr.")})
    review = Review.objects.create(
        proposal=proposal,
        reviewer=reviewer,
        feasible=feasible,
        revised_cost=revised_cost,
        internal_notes=internal_notes,
    )
    if revised_cost is not None:
        Proposal.objects.filter(pk=proposal.pk).update(revised_cost=revised_cost)
    proposal_transition(
        actor=reviewer,
        proposal=proposal,
        target=State.FEASIBLE if feasible else State.REJECTED,
        reason=public_reason,
    )
    return review


@transaction.atomic
def proposal_merge(*, moderator, duplicate: Proposal, survivor: Proposal, reason: str) -> Proposal:
    """Merge a duplicate into a survivor; supports move over without counting anyone twice."""
    if duplicate.pk == survivor.pk or duplicate.budget_round_id != survivor.budget_round_id:
        raise ValidationError(_("Only two different proposals of the same round can be merged."))
    if survivor.state not in SUPPORTABLE_STATES:
        raise ValidationError(_("The surviving proposal must be submitted, in review or feasible."))
    proposal_transition(
        actor=moderator,
        proposal=duplicate,
        target=State.MERGED,
        reason=reason,
        merged_into=survivor,
    )
    already = Support.objects.filter(proposal=survivor).values("user_id")
    Support.objects.filter(proposal=duplicate).exclude(user_id__in=already).update(
        proposal=survivor
    )
    Support.objects.filter(proposal=duplicate).delete()
    for proposal in (duplicate, survivor):
        Proposal.objects.filter(pk=proposal.pk).update(
            support_count=Support.objects.filter(proposal=proposal).count()
        )
    transaction.on_commit(
        lambda: notifications.send_merged(
            survivor_id=survivor.pk, duplicate_id=duplicate.pk, reason=reason
        )
    )
    survivor.refresh_from_db()
    return survivor


# --- Support ---------------------------------------------------------------------------------


def support_add(*, user, proposal: Proposal) -> bool:
    """Support a proposal once. True when a support was added, False when it already was."""
    _require_verified(user)
    if proposal.state not in SUPPORTABLE_STATES:
        raise ValidationError(_("This proposal cannot be supported."))
    if proposal.budget_round.phase not in (Phase.IDEAS, Phase.REVIEW):
        raise ValidationError(_("Supports are collected until the review ends."))
    try:
        with transaction.atomic():
            Support.objects.create(user=user, proposal=proposal)
            Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def support_remove(*, user, proposal: Proposal) -> bool:
    deleted, _rows = Support.objects.filter(user=user, proposal=proposal).delete()
    if deleted:
        Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") - 1)
    return bool(deleted)


# --- Comments --------------------------------------------------------------------------------


def comment_add(*, author, proposal: Proposal, body: str) -> Comment:
    _require_verified(author)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > 2000:
        raise ValidationError({"body": _("A comment can be at most 2,000 characters.")})
    if not proposal.is_public or proposal.state == State.WITHDRAWN:
        raise ValidationError(_("This proposal cannot be commented on."))
    return Comment.objects.create(proposal=proposal, author=author, body=body)


def comment_flag(*, user, comment: Comment) -> bool:
    _require_verified(user)
    try:
        with transaction.atomic():
            CommentFlag.objects.create(user=user, comment=comment)
            Comment.objects.filter(pk=comment.pk).update(flag_count=F("flag_count") + 1)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def comment_hide(*, moderator, comment: Comment, reason: str) -> Comment:
    if MODERATOR not in roles_of(moderator, comment.proposal):
        raise PermissionDenied(_("Only the committee's moderators can hide comments."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for hiding the comment.")})
    comment.hidden = True
    comment.hidden_reason = reason[:300]
    comment.hidden_by = moderator
    comment.save(update_fields=["hidden", "hidden_reason", "hidden_by"])
    audit_record(
        actor=moderator,
        action="comment.hide",
        obj=comment,
        reason=reason,
        committee_id=comment.proposal.budget_round.committee_id,
    )
    return comment


# --- Follow-up of funded projects --------------------------------------------------------------

TRACKED_STATES = {
    State.SELECTED: TrackingStatus.PLANNED,
    State.IN_PROGRESS: TrackingStatus.IN_PROGRESS,
    State.COMPLETED: TrackingStatus.COMPLETED,
    State.CANCELLED: TrackingStatus.CANCELLED,
}
# The proposal states a tracked project's status moves through, in order (planned = selected).
STATUS_PATHS = {
    (TrackingStatus.PLANNED, TrackingStatus.IN_PROGRESS): [State.IN_PROGRESS],
    (TrackingStatus.PLANNED, TrackingStatus.COMPLETED): [State.IN_PROGRESS, State.COMPLETED],
    (TrackingStatus.PLANNED, TrackingStatus.CANCELLED): [State.CANCELLED],
    (TrackingStatus.IN_PROGRESS, TrackingStatus.COMPLETED): [State.COMPLETED],
    (TrackingStatus.IN_PROGRESS, TrackingStatus.CANCELLED): [State.CANCELLED],
}


def _require_staff(actor, project: TrackedProject) -> None:
    from committees.permissions import is_moderator_of

    if not is_moderator_of(actor, project.proposal.budget_round.committee_id):
        raise PermissionDenied(_("Only the committee's staff can change this project."))


def _audit_tracking(actor, project: TrackedProject, action: str, data: dict, reason="") -> None:
    audit_record(
        actor=actor,
        action=f"tracking.{action}",
        obj=project,
        reason=reason,
        committee_id=project.proposal.budget_round.committee_id,
        data=data,
    )


def _cancel_reason_of(proposal: Proposal) -> str:
    change = proposal.history.filter(to_state=State.CANCELLED).order_by("-pk").first()
    return (change.public_reason if change else "") or _("Cancelled.")


def _tracking_follow(*, proposal: Proposal, target: str, reason: str) -> None:
    """A funded proposal's tracked project takes its status from the proposal's state, however
    the state was moved (the follow-up admin, or the review screen)."""
    fields = {"status": TRACKED_STATES[target], "updated_at": timezone.now()}
    if target == State.COMPLETED:
        fields["progress"] = 100
    if target == State.CANCELLED:
        fields["cancel_reason"] = reason or _("Cancelled.")
    TrackedProject.objects.filter(proposal=proposal).update(**fields)


def tracked_project_ensure(*, proposal: Proposal) -> TrackedProject:
    """The tracked project of a funded proposal, created the first time. Idempotent."""
    if proposal.state not in TRACKED_STATES:
        raise ValidationError(_("Only funded projects are followed up."))
    project, _created = TrackedProject.objects.get_or_create(
        proposal=proposal,
        defaults={
            "granted": proposal.cost or 0,
            "status": TRACKED_STATES[proposal.state],
            "progress": 100 if proposal.state == State.COMPLETED else 0,
            "cancel_reason": _cancel_reason_of(proposal)
            if proposal.state == State.CANCELLED
            else "",
        },
    )
    return project


def tracked_projects_backfill() -> int:
    """Tracked projects for every funded proposal that has none yet. Returns how many were made."""
    created = 0
    # Grants are followed through their accounts and payout (grant_services), not here.
    missing = Proposal.objects.filter(
        state__in=TRACKED_STATES, tracking__isnull=True, grant__isnull=True
    )
    for proposal in missing.select_related("budget_round"):
        with transaction.atomic():
            tracked_project_ensure(proposal=proposal)
        created += 1
    return created


@transaction.atomic
def tracked_project_edit(
    *, actor, project: TrackedProject, responsible: str, progress: int, spent: int
) -> TrackedProject:
    """Responsible party, progress and spending; the status has its own service."""
    _require_staff(actor, project)
    errors = {}
    if not 0 <= progress <= 100:
        errors["progress"] = [_("Progress is a percentage from 0 to 100.")]
    if spent < 0:
        errors["spent"] = [_("Money spent cannot be negative.")]
    if errors:
        raise ValidationError(errors)
    before = {
        "responsible": project.responsible,
        "progress": project.progress,
        "spent": project.spent,
    }
    project.responsible = (responsible or "").strip()[:200]
    project.progress = progress
    project.spent = spent
    project.save(update_fields=["responsible", "progress", "spent", "updated_at"])
    after = {"responsible": project.responsible, "progress": progress, "spent": spent}
    _audit_tracking(actor, project, "edit", {"before": before, "after": after})
    return project


@transaction.atomic
def tracked_project_status_set(
    *, actor, project: TrackedProject, status: str, reason: str = ""
) -> TrackedProject:
    """Move the project (and its proposal, through the state machine) to a new status."""
    _require_staff(actor, project)
    project = TrackedProject.objects.select_for_update().get(pk=project.pk)
    path = STATUS_PATHS.get((project.status, status))
    if path is None:
        raise ValidationError(
            _("A project that is %(source)s cannot become %(target)s.")
            % {
                "source": TrackingStatus(project.status).label,
                "target": TrackingStatus(status).label
                if status in TrackingStatus.values
                else status,
            },
            code="status",
        )
    reason = (reason or "").strip()
    if status == TrackingStatus.CANCELLED and not reason:
        raise ValidationError({"reason": [_("Give a public reason for cancelling the project.")]})
    for target in path:
        proposal_transition(
            actor=actor,
            proposal=project.proposal,
            target=target,
            reason=reason if target == State.CANCELLED else "",
            roles={MODERATOR},
            notify=target == path[-1],  # planned -> completed: one e-mail, not one per step
        )
    source = project.status
    project.refresh_from_db()  # the transitions moved its status (_tracking_follow)
    _audit_tracking(actor, project, "status", {"from": source, "to": status}, reason=reason)
    project_id = project.pk
    transaction.on_commit(lambda: notifications.send_project_news(project_id=project_id))
    return project


@transaction.atomic
def project_update_add(
    *, actor, project: TrackedProject, date, title: str, body: str, photos=()
) -> ProjectUpdate:
    """A dated public update; `photos` are (cleaned image, description) pairs from uploads.py."""
    from proposals.media import update_photo_store

    _require_staff(actor, project)
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_("Give the update a title.")]
    if not body:
        errors["body"] = [_("Write what has happened.")]
    if date is None:
        errors["date"] = [_("Give the date of the update.")]
    for _clean, alt in photos:
        if not (alt or "").strip():
            errors["photo_alt"] = [_("Describe the photo for people who cannot see it.")]
    if errors:
        raise ValidationError(errors)
    update = ProjectUpdate.objects.create(
        project=project, date=date, title=title[:200], body=body, created_by=actor
    )
    for clean, alt in photos:
        update_photo_store(update=update, clean=clean, alt_text=alt.strip())
    TrackedProject.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    _audit_tracking(actor, project, "update", {"update": update.pk, "title": update.title})
    update_id, project_id = update.pk, project.pk
    transaction.on_commit(
        lambda: notifications.send_project_news(project_id=project_id, update_id=update_id)
    )
    return update


@transaction.atomic
def effect_goal_add(
    *, actor, project: TrackedProject, indicator: str, unit: str, baseline, target
) -> EffectGoal:
    _require_staff(actor, project)
    indicator = (indicator or "").strip()
    if not indicator:
        raise ValidationError({"indicator": [_("Name the indicator.")]})
    if project.goals.filter(indicator__iexact=indicator).exists():
        raise ValidationError({"indicator": [_("The project already has this indicator.")]})
    goal = EffectGoal.objects.create(
        project=project,
        indicator=indicator[:200],
        unit=(unit or "").strip()[:50],
        baseline=baseline,
        target=target,
    )
    _audit_tracking(
        actor,
        project,
        "goal",
        {"goal": goal.pk, "indicator": indicator, "baseline": str(baseline), "target": str(target)},
    )
    return goal


@transaction.atomic
def effect_measurement_record(
    *, actor, goal: EffectGoal, measured_on, value, note: str = ""
) -> EffectMeasurement:
    """One measurement per indicator and day; a second one that day corrects the first."""
    _require_staff(actor, goal.project)
    if measured_on is None or value is None:
        raise ValidationError(_("Give the date and the measured value."))
    measurement, _created = EffectMeasurement.objects.update_or_create(
        goal=goal,
        measured_on=measured_on,
        defaults={"value": value, "note": (note or "").strip()[:300]},
    )
    _audit_tracking(
        actor,
        goal.project,
        "measurement",
        {"goal": goal.pk, "measured_on": str(measured_on), "value": str(value)},
    )
    return measurement


REMOVABLE = ("update", "goal", "measurement")


@transaction.atomic
def tracking_item_remove(*, actor, project: TrackedProject, kind: str, pk: int) -> None:
    """Take back an update (with its photos), an effect goal (with its measurements) or one
    measurement that was entered by mistake. Audited with what was removed."""
    from wagtail.images import get_image_model

    _require_staff(actor, project)
    if kind == "update":
        item = ProjectUpdate.objects.filter(pk=pk, project=project).first()
        data = item and {"update": item.pk, "title": item.title, "date": str(item.date)}
    elif kind == "goal":
        item = EffectGoal.objects.filter(pk=pk, project=project).first()
        data = item and {"goal": item.pk, "indicator": item.indicator}
    elif kind == "measurement":
        item = EffectMeasurement.objects.filter(pk=pk, goal__project=project).first()
        data = item and {
            "goal": item.goal_id,
            "measured_on": str(item.measured_on),
            "value": str(item.value),
        }
    else:
        raise ValidationError(_("Unknown kind of item."))
    if item is None:
        raise ValidationError(_("That item is not part of this project (any more)."))
    images = list(item.photos.values_list("image_id", flat=True)) if kind == "update" else []
    item.delete()
    get_image_model().objects.filter(pk__in=images).delete()  # their files go with them
    TrackedProject.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    _audit_tracking(actor, project, f"{kind}_remove", data)


def project_subscribe(*, user, project: TrackedProject) -> bool:
    """Follow a project by e-mail. True when newly subscribed."""
    _require_verified(user)
    _subscription, created = ProjectSubscription.objects.get_or_create(project=project, user=user)
    return created


def project_unsubscribe(*, user, project: TrackedProject) -> bool:
    deleted, _rows = ProjectSubscription.objects.filter(project=project, user=user).delete()
    return bool(deleted)


@transaction.atomic
def proposal_propose_again(*, author, original: Proposal, budget_round: BudgetRound) -> Proposal:
    """Start a draft in another committee's open round, prefilled from a completed project."""
    _require_verified(author)
    if original.state != State.COMPLETED:
        raise ValidationError(_("Only completed projects can be proposed again."))
    if budget_round.phase != Phase.IDEAS or budget_round.decision_method != DecisionMethod.VOTE:
        raise ValidationError(_("This round does not take proposals now."))
    if budget_round.committee_id == original.budget_round.committee_id:
        raise ValidationError(_("Choose a round of another local committee."))
    cost = original.cost
    if cost is not None and not budget_round.min_cost <= cost <= budget_round.max_cost:
        cost = None  # the author gives a cost that fits the new round
    category = None
    if original.category_id:
        category = budget_round.categories.filter(name__iexact=original.category.name).first()
    proposal = proposal_draft_save(
        author=author,
        budget_round=budget_round,
        data={
            "title": original.title,
            "summary": original.summary,
            "description": original.description,
            "estimated_cost": cost,
            "category": category,
        },
    )
    proposal.inspired_by = original
    proposal.save(update_fields=["inspired_by", "updated_at"])
    return proposal
