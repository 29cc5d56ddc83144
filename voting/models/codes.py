from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from committees.models import BudgetRound


class VotingCode(models.Model):
    """A one-time voting code, stored only as a hash. It locks after five wrong tries."""

    MAX_MISSES = 5

    budget_round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=4, help_text=_("The first characters, to tell codes apart"))
    batch = models.CharField(_("batch"), max_length=100, blank=True)
    # A letter code issued from the voter roll votes as that person, so the person cannot also
    # vote in another channel; without it, the code is anonymous (codes-only rounds).
    roll_entry = models.OneToOneField(
        "voting.RollEntry", on_delete=models.CASCADE, null=True, blank=True, related_name="code"
    )
    used = models.BooleanField(default=False)
    misses = models.PositiveSmallIntegerField(default=0)
    created_on = models.DateField(auto_now_add=True)

    class Meta:
        verbose_name = _("voting code")
        verbose_name_plural = _("voting codes")
        indexes = [models.Index(fields=["budget_round", "hint"])]
        constraints = [
            models.CheckConstraint(condition=Q(misses__lte=5), name="voting_code_misses_capped"),
        ]

    def __str__(self) -> str:
        return f"{self.hint}… ({self.batch})"

    @property
    def locked(self) -> bool:
        return self.misses >= self.MAX_MISSES
