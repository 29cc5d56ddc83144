"""Reads of the committees app. Other apps and pages call these, never the tables."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from committees.models import (
    Area,
    AuditEntry,
    BudgetRound,
    Committee,
    CommitteePage,
    CommitteeRole,
    District,
    Meeting,
)


def districts_with_committees() -> QuerySet[District]:
    return District.objects.prefetch_related(
        Prefetch("committees", queryset=Committee.objects.order_by("name"))
    ).order_by("name")


def committee_pages_by_slug() -> dict[str, CommitteePage]:
    pages = CommitteePage.objects.live().select_related("committee")
    return {page.committee.slug: page for page in pages}


def committees_by_slugs(slugs: Iterable[str]) -> list[Committee]:
    slugs = list(slugs)
    found = {c.slug: c for c in Committee.objects.filter(slug__in=slugs).select_related("page")}
    return [found[slug] for slug in slugs if slug in found]


def rounds_of(*, committee: Committee) -> QuerySet[BudgetRound]:
    return (
        BudgetRound.objects.filter(committee=committee)
        .select_related("committee")
        .prefetch_related("categories", "voting_areas")
        .order_by("-ideas_start")
    )


def meetings_of(*, committee: Committee) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(committee=committee, is_public=True)
        .select_related("committee", "budget_round")
        .prefetch_related("agenda_items", "attachments__document")
        .order_by("starts_at")
    )


def meetings_upcoming(*, committee: Committee) -> QuerySet[Meeting]:
    return meetings_of(committee=committee).filter(ends_at__gte=timezone.now())


def meetings_past(*, committee: Committee) -> QuerySet[Meeting]:
    return (
        meetings_of(committee=committee).filter(ends_at__lt=timezone.now()).order_by("-starts_at")
    )


def audit_entries_for(*, obj) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def round_areas(*, budget_round: BudgetRound) -> list[Area]:
    """The areas whose residents may vote in a round: those chosen, else the committee's own."""
    chosen = list(budget_round.voting_areas.select_related("committee__district"))
    if chosen:
        return chosen
    return list(
        Area.objects.filter(committee_id=budget_round.committee_id, kind=Area.Kind.COMMITTEE)
    )


REVIEW_STAFF_ROLES = (CommitteeRole.Role.REVIEWER, CommitteeRole.Role.MODERATOR)


def reviewer_candidates(*, committee_ids: Iterable[int] | None) -> QuerySet:
    """Who may be assigned to review a round: the committee's own reviewers and moderators, not
    every user of the platform. None: every committee's (a site admin filing a new round)."""
    roles = CommitteeRole.objects.filter(role__in=REVIEW_STAFF_ROLES)
    if committee_ids is not None:
        roles = roles.filter(committee_id__in=list(committee_ids))
    return (
        get_user_model()
        .objects.filter(pk__in=roles.values("user_id"))
        .order_by("display_name", "email")
    )
