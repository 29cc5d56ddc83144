"""Writes of the follow-up of funded projects: the tracked project, its status (which moves the
proposal through the state machine), public updates, effect goals, subscriptions, and "propose
this in my area"."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from committees.models import BudgetRound, DecisionMethod, Phase
from committees.services import audit_record
from frontend.text import without_control_characters
from proposals import notifications
from proposals.media import update_photo_store
from proposals.models import (
    EffectGoal,
    EffectMeasurement,
    ProjectSubscription,
    ProjectUpdate,
    Proposal,
    State,
    TrackedProject,
    TrackingStatus,
)
from proposals.permissions import MODERATOR, may_edit_project, require_verified
from proposals.services import proposal_draft_save, proposal_transition

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
    if not may_edit_project(actor, project):
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


def tracked_project_follow(*, proposal: Proposal, target: str, reason: str) -> None:
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
    # Grants are followed through their accounts and payout (grants/services.py), not here.
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
    project.refresh_from_db()  # the transitions moved its status (tracked_project_follow)
    _audit_tracking(actor, project, "status", {"from": source, "to": status}, reason=reason)
    project_id = project.pk
    transaction.on_commit(lambda: notifications.send_project_news(project_id=project_id))
    return project


@transaction.atomic
def project_update_add(
    *, actor, project: TrackedProject, date, title: str, body: str, photos=()
) -> ProjectUpdate:
    """A dated public update; `photos` are (cleaned image, description) pairs from uploads.py."""
    _require_staff(actor, project)
    title = without_control_characters(title or "", single_line=True).strip()
    body = without_control_characters(body or "").strip()
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


@transaction.atomic
def tracking_item_remove(*, actor, project: TrackedProject, kind: str, pk: int) -> None:
    """Take back an update (with its photos), an effect goal (with its measurements) or one
    measurement that was entered by mistake. Audited with what was removed."""
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
    require_verified(user)
    _subscription, created = ProjectSubscription.objects.get_or_create(project=project, user=user)
    return created


def project_unsubscribe(*, user, project: TrackedProject) -> bool:
    deleted, _rows = ProjectSubscription.objects.filter(project=project, user=user).delete()
    return bool(deleted)


@transaction.atomic
def proposal_propose_again(*, author, original: Proposal, budget_round: BudgetRound) -> Proposal:
    """Start a draft in another committee's open round, prefilled from a completed project."""
    require_verified(author)
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
