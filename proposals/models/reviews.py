from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .proposals import Proposal


class Review(models.Model):
    """A reviewer's feasibility and cost check. The notes are internal, never shown publicly."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    feasible = models.BooleanField(_("feasible"))
    revised_cost = models.PositiveBigIntegerField(_("revised cost (kr.)"), null=True, blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(revised_cost__isnull=True) | Q(revised_cost__gt=0),
                name="review_revised_cost_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.proposal_id}"
