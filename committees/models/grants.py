"""Application deadlines of a grant pool, each tied to the meeting that decides its applications."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .meetings import Meeting
from .rounds import BudgetRound


class ApplicationDeadline(models.Model):
    budget_round = models.ForeignKey(
        BudgetRound,
        on_delete=models.CASCADE,
        related_name="deadlines",
        verbose_name=_("grant pool"),
    )
    closes_at = models.DateTimeField(_("applications close"))
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="application_deadlines",
        verbose_name=_("deciding meeting"),
    )

    class Meta:
        ordering = ["closes_at", "pk"]
        verbose_name = _("application deadline")
        verbose_name_plural = _("application deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["budget_round", "closes_at"], name="deadline_unique_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget_round.title}: {self.closes_at:%Y-%m-%d}"

    def clean(self):
        super().clean()
        if not (self.budget_round_id and self.meeting_id and self.closes_at):
            return
        if self.meeting.committee_id != self.budget_round.committee_id:
            raise ValidationError(
                {"meeting": _("The deciding meeting must be one of the pool's committee.")}
            )
        if self.meeting.starts_at <= self.closes_at:
            raise ValidationError(
                {"meeting": _("The deciding meeting must come after the deadline.")}
            )
