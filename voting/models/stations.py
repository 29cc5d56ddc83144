from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from committees.models import BudgetRound


class PollingStation(models.Model):
    budget_round = models.ForeignKey(
        BudgetRound,
        on_delete=models.CASCADE,
        related_name="polling_stations",
        verbose_name=_("budget round"),
    )
    name = models.CharField(_("name"), max_length=150)
    address = models.CharField(_("address"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("polling station")
        verbose_name_plural = _("polling stations")
        constraints = [
            models.UniqueConstraint(fields=["budget_round", "name"], name="station_name_per_round"),
        ]

    def __str__(self) -> str:
        return self.name


class PaperEntry(models.Model):
    """A paper ballot keyed by one staff member, waiting for a second keying or a confirmation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the second staff member")
        ACCEPTED = "accepted", _("Counted")
        MISMATCH = "mismatch", _("The two keyings differ")

    station = models.ForeignKey(PollingStation, on_delete=models.PROTECT, related_name="entries")
    batch_number = models.CharField(_("ballot number on the paper"), max_length=32)
    selection = models.JSONField()
    keyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)

    class Meta:
        verbose_name = _("paper ballot entry")
        verbose_name_plural = _("paper ballot entries")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "batch_number"], name="paper_ballot_number_once"
            ),
            models.CheckConstraint(
                condition=Q(checked_by__isnull=True) | ~Q(checked_by=models.F("keyed_by")),
                name="paper_second_keying_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} #{self.batch_number}"
