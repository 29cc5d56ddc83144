"""Grant applications: a proposal to a committee's grant pool, with what a grant needs besides.

The proposal carries the title, description, case number, state and history; the application
adds the applicant, the budget (the amount applied for is computed from its lines), the
activity, and the steps of the grant process: completeness, recommendation, decision, accounts
and payout (a deficit guarantee: never more than the granted amount or the actual deficit).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from committees.models import AgendaItem, ApplicationDeadline

from ..storage import private_storage, receipt_upload_to
from .proposals import GrantStage, Proposal, SubmitterKind


class Recommendation(models.TextChoices):
    FULL = "full", _("Grant in full")
    PARTIAL = "partial", _("Grant in part")
    REFUSE = "refuse", _("Refuse")


# The road of an application, as its page shows it; returned for more information it is still
# at "received", refused it ends after "on the agenda".
PROGRESS = [
    GrantStage.SUBMITTED,
    GrantStage.COMPLETE,
    GrantStage.RECOMMENDED,
    GrantStage.ON_AGENDA,
    GrantStage.GRANTED,
    GrantStage.ACCOUNTS,
    GrantStage.PAID,
]
DECIDED_STAGES = [GrantStage.GRANTED, GrantStage.REFUSED, GrantStage.ACCOUNTS, GrantStage.PAID]
GRANTED_STAGES = [GrantStage.GRANTED, GrantStage.ACCOUNTS, GrantStage.PAID]


class GrantApplication(models.Model):
    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="grant", verbose_name=_("proposal")
    )
    deadline = models.ForeignKey(
        ApplicationDeadline,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("application deadline"),
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=GrantStage.choices, default=GrantStage.DRAFT
    )
    applicant_name = models.CharField(_("applying association or person"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    activity_date = models.DateField(_("date of the activity"), null=True, blank=True)
    advertising = models.TextField(_("how the activity is advertised"), blank=True)
    volunteers = models.TextField(_("how volunteers take part"), blank=True)
    amount_applied = models.PositiveBigIntegerField(_("amount applied for (kr.)"), default=0)
    missing_info = models.TextField(_("what is missing"), blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=8, choices=Recommendation.choices, blank=True
    )
    recommended_amount = models.PositiveBigIntegerField(
        _("recommended amount (kr.)"), null=True, blank=True
    )
    recommendation_reason = models.TextField(_("reasons for the recommendation"), blank=True)
    agenda_item = models.OneToOneField(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grant_application",
        verbose_name=_("agenda item"),
    )
    granted_amount = models.PositiveBigIntegerField(_("granted (kr.)"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    advance_paid = models.PositiveBigIntegerField(_("advance paid (kr.)"), default=0)
    accounts_submitted_at = models.DateTimeField(_("accounts submitted"), null=True, blank=True)
    payout_amount = models.PositiveBigIntegerField(_("paid out (kr.)"), null=True, blank=True)
    repayment_due = models.PositiveBigIntegerField(_("advance to pay back (kr.)"), default=0)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("grant application")
        verbose_name_plural = _("grant applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=GrantStage.values), name="grant_stage_known"
            ),
            models.CheckConstraint(
                condition=Q(recommended_amount__isnull=True) | Q(recommended_amount__gt=0),
                name="grant_recommended_amount_positive",
            ),
            # A granted application has a positive amount; any other has none.
            models.CheckConstraint(
                condition=(Q(stage__in=GRANTED_STAGES) & Q(granted_amount__gt=0))
                | (~Q(stage__in=GRANTED_STAGES) & Q(granted_amount__isnull=True)),
                name="grant_granted_amount_matches_stage",
            ),
            models.CheckConstraint(
                condition=Q(advance_paid=0) | Q(advance_paid__lte=F("granted_amount")),
                name="grant_advance_within_grant",
            ),
            # Deficit guarantee: advance and payout together never exceed the grant.
            models.CheckConstraint(
                condition=Q(payout_amount__isnull=True)
                | Q(payout_amount__lte=F("granted_amount") - F("advance_paid")),
                name="grant_payout_within_grant",
            ),
            models.CheckConstraint(
                condition=~Q(stage=GrantStage.PAID) | Q(payout_amount__isnull=False),
                name="grant_paid_has_payout",
            ),
            # No "on the agenda implies an agenda item": the item is the meeting's (an editor may
            # delete it, SET_NULL here), and such a constraint would refuse that deletion. The
            # secretariat puts an application whose item is gone on an agenda again.
        ]

    def __str__(self) -> str:
        return str(self.proposal)

    @property
    def budget_round(self):
        return self.proposal.budget_round

    @property
    def public_applicant(self) -> str:
        """Who applied, as the public record (pool page, agenda, minutes) names them: a
        resident applying in their own name is not named."""
        if self.proposal.submitter_kind == SubmitterKind.RESIDENT:
            return str(SubmitterKind.RESIDENT.label)
        return self.applicant_name

    def progress(self) -> list[dict]:
        """The steps of the application in order, each done, current or to come."""
        stage = {GrantStage.INCOMPLETE: GrantStage.SUBMITTED}.get(self.stage, self.stage)
        if stage in (GrantStage.DRAFT, GrantStage.WITHDRAWN):
            return []
        refused = stage == GrantStage.REFUSED
        road = (
            PROGRESS[: PROGRESS.index(GrantStage.ON_AGENDA) + 1] + [stage] if refused else PROGRESS
        )
        here = road.index(stage)
        return [
            {"label": step.label, "done": index < here, "current": index == here}
            for index, step in enumerate(road)
        ]

    def lines_of(self, *, actual: bool, kind: str) -> list["GrantBudgetLine"]:
        return [line for line in self.lines.all() if line.actual == actual and line.kind == kind]

    def total(self, *, actual: bool, kind: str) -> int:
        return sum(line.amount for line in self.lines_of(actual=actual, kind=kind))

    @property
    def actual_expenses(self) -> int:
        return self.total(actual=True, kind=LineKind.EXPENSE)

    @property
    def actual_income(self) -> int:
        return self.total(actual=True, kind=LineKind.INCOME)

    @property
    def actual_deficit(self) -> int:
        return max(0, self.actual_expenses - self.actual_income)


class LineKind(models.TextChoices):
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class GrantBudgetLine(models.Model):
    """One line of the budget (actual=False) or of the accounts (actual=True)."""

    application = models.ForeignKey(
        GrantApplication, on_delete=models.CASCADE, related_name="lines"
    )
    kind = models.CharField(_("income or expense"), max_length=8, choices=LineKind.choices)
    actual = models.BooleanField(_("from the accounts"), default=False)
    text = models.CharField(_("what"), max_length=200)
    amount = models.PositiveBigIntegerField(_("amount (kr.)"))

    class Meta:
        ordering = ["actual", "kind", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="grant_line_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=LineKind.values), name="grant_line_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text}: {self.amount}"


class GrantReceipt(models.Model):
    """A receipt attached to the accounts; deleted when the retention period has passed."""

    application = models.ForeignKey(
        GrantApplication, on_delete=models.CASCADE, related_name="receipts"
    )
    file = models.FileField(_("file"), upload_to=receipt_upload_to, storage=private_storage)
    title = models.CharField(_("title"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return self.title
