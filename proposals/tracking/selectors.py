"""Reads of the follow-up of funded projects: a project's page, the catalogue, open rounds."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from committees.models import BudgetRound, DecisionMethod
from proposals.models import (
    EffectGoal,
    ProjectSubscription,
    ProjectUpdate,
    ProjectUpdatePhoto,
    State,
    TrackedProject,
    TrackingStatus,
)


def tracked_project_detail(*, pk: int) -> TrackedProject | None:
    return (
        TrackedProject.objects.select_related(
            "proposal__budget_round__committee__district", "proposal__category"
        )
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=ProjectUpdate.objects.prefetch_related(
                    Prefetch("photos", queryset=ProjectUpdatePhoto.objects.select_related("image"))
                ),
            ),
            Prefetch("goals", queryset=EffectGoal.objects.prefetch_related("measurements")),
        )
        .filter(pk=pk)
        .first()
    )


def tracked_projects(*, committee_ids: set[int] | None = None) -> QuerySet[TrackedProject]:
    """Funded projects of these committees (None: of every committee)."""
    projects = TrackedProject.objects.select_related(
        "proposal__budget_round__committee", "proposal__category"
    )
    if committee_ids is not None:
        projects = projects.filter(proposal__budget_round__committee_id__in=committee_ids)
    return projects.order_by("proposal__budget_round__committee__name", "proposal__title")


def is_subscribed(*, user, project: TrackedProject) -> bool:
    if not user.is_authenticated:
        return False
    return ProjectSubscription.objects.filter(user=user, project=project).exists()


def catalogue(*, q: str = "", category: str = "", district: int | None = None):
    """Completed projects of every committee: the city-wide catalogue others can repeat."""
    projects = TrackedProject.objects.filter(
        status=TrackingStatus.COMPLETED, proposal__state=State.COMPLETED
    ).select_related("proposal__budget_round__committee__district", "proposal__category")
    if q:
        projects = projects.filter(
            Q(proposal__title__icontains=q)
            | Q(proposal__summary__icontains=q)
            | Q(proposal__description__icontains=q)
        )
    if category:
        projects = projects.filter(proposal__category__name__iexact=category)
    if district:
        projects = projects.filter(proposal__budget_round__committee__district_id=district)
    return projects.order_by("-updated_at", "-pk")


def catalogue_categories() -> list[str]:
    """Category names of completed projects (categories belong to rounds: the same name in
    several rounds is one choice)."""
    names = (
        TrackedProject.objects.filter(status=TrackingStatus.COMPLETED)
        .exclude(proposal__category__isnull=True)
        .values_list("proposal__category__name", flat=True)
    )
    return sorted(set(names), key=str.casefold)


def open_rounds_elsewhere(*, committee_id: int) -> list[BudgetRound]:
    """Rounds in the ideas phase of every committee but this one, grant pools left out (an
    application goes through the pool's own form)."""
    now = timezone.now()
    return list(
        BudgetRound.objects.filter(
            ideas_start__lte=now, ideas_end__gt=now, decision_method=DecisionMethod.VOTE
        )
        .exclude(committee_id=committee_id)
        .select_related("committee__district")
        .order_by("committee__name", "ideas_end")
    )
