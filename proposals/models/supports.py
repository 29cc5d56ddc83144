from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .proposals import Proposal


class Support(models.Model):
    """One person supports one proposal once: the database says so."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="support_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.proposal_id}"
