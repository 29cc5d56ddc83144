from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from committees.models import BudgetRound


class RoundFollow(models.Model):
    """A resident who asked to be told by e-mail when the round's results are published."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="round_follows"
    )
    budget_round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follower of a round")
        verbose_name_plural = _("followers of rounds")
        constraints = [
            models.UniqueConstraint(fields=["user", "budget_round"], name="one_follow_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.budget_round_id}"
