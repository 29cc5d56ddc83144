"""A resident follows one proposal: its state changes come as notices, in their language.

Committees and rounds are followed for their phases (notices, voting), funded projects for their
follow-up (`ProjectSubscription`); this is the single proposal, from its submission on.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .proposals import Proposal


class ProposalFollow(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follower of a proposal")
        verbose_name_plural = _("followers of proposals")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_follow_per_proposal"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows proposal {self.proposal_id}"
