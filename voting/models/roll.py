"""A round's voter roll: the municipality's extract of who may vote, one row per person.

A row never holds a CPR number: on reading, the number becomes the person's voter key in the
round (`voting.keys.voter_key` of `voting.keys.person_key`), the very key an online voter with
that number and a voter checked in at a polling station get. A letter code issued from the roll
(`VotingCode.roll_entry`) casts under that key, so the one participation per voter per round
(`Participation`) makes the four channels one. The birth date and the address are kept for the
letters and the age check, and the rows are deleted when the round's retention ends
(`voting.retention`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from committees.models import Area, BudgetRound


class RollEntry(models.Model):
    budget_round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="+")
    voter_key = models.CharField(max_length=64, help_text=_("Keyed hash of the CPR number"))
    birth_date = models.DateField(_("birth date"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    # The committee area the person lives in, resolved on import (`voting.roll.services`);
    # a code ballot counts in its district's turnout, as online and station ballots do.
    area = models.ForeignKey(
        Area, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_on = models.DateField(auto_now_add=True)

    class Meta:
        verbose_name = _("voter roll entry")
        verbose_name_plural = _("voter roll")
        constraints = [
            models.UniqueConstraint(
                fields=["budget_round", "voter_key"], name="one_roll_entry_per_person_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget_round_id}: {self.voter_key[:8]}…"
