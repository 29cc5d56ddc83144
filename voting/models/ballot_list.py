"""The list of projects on a round's ballot, written once when voting opens.

Which proposals reach the ballot depends on things that may move before the vote (supports, the
round's threshold, the review). From the moment voting opens the ballot is what voters choose
from, so it is written down then and every ballot page, check and tally reads it from here, never
again from supports. The rows are written by `voting.ballot_list.ballot_list_freeze`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from committees.models import BudgetRound
from proposals.models import Proposal


class BallotList(models.Model):
    budget_round = models.OneToOneField(
        BudgetRound, on_delete=models.CASCADE, related_name="ballot_list"
    )
    frozen_at = models.DateTimeField(_("written"))
    # How supports were counted: only verified residents of the round's areas, or every one.
    verified_supports_only = models.BooleanField()

    class Meta:
        verbose_name = _("ballot list")
        verbose_name_plural = _("ballot lists")

    def __str__(self) -> str:
        return f"Ballot list of round {self.budget_round_id}"


class BallotEntry(models.Model):
    ballot_list = models.ForeignKey(BallotList, on_delete=models.CASCADE, related_name="entries")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    # What the proposal cost when voting opened: the tally counts this, whatever happens later.
    cost = models.PositiveBigIntegerField()
    counted_supports = models.PositiveIntegerField()

    class Meta:
        ordering = ["proposal_id"]
        verbose_name = _("project on the ballot")
        verbose_name_plural = _("projects on the ballot")
        constraints = [
            models.UniqueConstraint(
                fields=["ballot_list", "proposal"], name="ballot_entry_once_per_list"
            ),
            models.CheckConstraint(
                condition=models.Q(cost__gt=0), name="ballot_entry_cost_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_list_id}: {self.proposal_id}"
