"""Reads of the grant process: the public pool page, the staff queue, an applicant's own."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import ApplicationDeadline, BudgetRound
from proposals.models import (
    DECIDED_STAGES,
    GrantApplication,
    GrantBudgetLine,
    GrantStage,
    LineKind,
)


def grant_applications_of(*, user) -> QuerySet[GrantApplication]:
    """The person's own applications, drafts included, newest first."""
    return (
        GrantApplication.objects.filter(proposal__author=user)
        .select_related("proposal__budget_round__committee")
        .order_by("-proposal__updated_at", "-pk")
    )


def grant_pool_overview(*, budget_round: BudgetRound) -> dict:
    """What the public pool page shows: money left, next deadlines, every decision."""
    budget_round.refresh_from_db(fields=["granted_total", "pot"])
    decided = (
        GrantApplication.objects.filter(
            proposal__budget_round=budget_round, stage__in=DECIDED_STAGES
        )
        .select_related("proposal", "deadline__meeting")
        .order_by("-decided_at", "-pk")
    )
    deadlines = (
        ApplicationDeadline.objects.filter(budget_round=budget_round, closes_at__gt=timezone.now())
        .select_related("meeting")
        .order_by("closes_at")
    )
    return {
        "pot": budget_round.pot,
        "granted": budget_round.granted_total,
        "remaining": budget_round.remaining,
        "deadlines": list(deadlines[:6]),
        "decided": list(decided),
    }


def grant_application_detail(*, pk: int) -> GrantApplication | None:
    return (
        GrantApplication.objects.select_related(
            "proposal__budget_round__committee", "proposal__author", "deadline__meeting"
        )
        .prefetch_related(
            Prefetch("lines", queryset=GrantBudgetLine.objects.order_by("actual", "kind", "pk")),
            "receipts",
        )
        .filter(pk=pk)
        .first()
    )


def grant_queue(*, committee_ids, stage: str = "") -> QuerySet[GrantApplication]:
    applications = GrantApplication.objects.exclude(stage=GrantStage.DRAFT).select_related(
        "proposal__budget_round__committee", "deadline__meeting"
    )
    if committee_ids is not None:
        applications = applications.filter(proposal__budget_round__committee_id__in=committee_ids)
    if stage:
        applications = applications.filter(stage=stage)
    return applications.order_by("deadline__closes_at", "proposal__submitted_at", "pk")


def grant_budget_totals(*, application: GrantApplication | None) -> dict:
    """The saved budget's totals, and how the reader writes an amount (for the page's script,
    which keeps them up to date as the lines are typed)."""
    expense = application.total(actual=False, kind=LineKind.EXPENSE) if application else 0
    income = application.total(actual=False, kind=LineKind.INCOME) if application else 0
    return {
        "expense": expense,
        "income": income,
        "applied": max(0, expense - income),
        # The same words as frontend.money.format_kroner.
        "pattern": _("%(amount)s kr."),
    }
