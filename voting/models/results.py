from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from committees.models import BudgetRound


class RoundResult(models.Model):
    """The committee's confirmation of a round's result, and any override with its public reason.

    Both outcomes stay visible: what the announced rule selected, and what was finally decided.
    """

    budget_round = models.OneToOneField(BudgetRound, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=16)
    computed_selected = models.JSONField()
    final_selected = models.JSONField()
    override_reason = models.TextField(_("public reason for the override"), blank=True)
    ballots_sha256 = models.CharField(max_length=64)
    ballot_count = models.PositiveIntegerField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("confirmed result")
        verbose_name_plural = _("confirmed results")
        constraints = [
            models.CheckConstraint(
                condition=Q(final_selected=models.F("computed_selected")) | ~Q(override_reason=""),
                name="result_override_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Result of {self.budget_round}"

    @property
    def overridden(self) -> bool:
        return self.final_selected != self.computed_selected
