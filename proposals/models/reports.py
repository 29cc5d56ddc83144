"""Residents' reports of proposals and comments to the committee's moderators.

One report per person and thing, kept by a unique constraint: however often one account reports
a proposal or a comment, it counts once. A moderator's decision closes the open reports
(`handled`); a later report by the same person reopens theirs. Who reported is never shown to
the author or the public, only the count and the reasons.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .proposals import Proposal

REPORT_DETAILS_MAX_LENGTH = 500


class ReportReason(models.TextChoices):
    OFFENSIVE = "offensive", _("Offensive or hateful")
    PERSONAL = "personal", _("Personal data or attacks on a person")
    SPAM = "spam", _("Spam or advertising")
    OFF_TOPIC = "off_topic", _("Not about the area or the budget")
    OTHER = "other", _("Something else")


class ProposalReport(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(
        _("reason"), max_length=16, choices=ReportReason.choices, default=ReportReason.OTHER
    )
    details = models.CharField(_("details"), max_length=REPORT_DETAILS_MAX_LENGTH, blank=True)
    handled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report of a proposal")
        verbose_name_plural = _("reports of proposals")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="proposal_report_once"),
            models.CheckConstraint(
                condition=models.Q(reason__in=ReportReason.values),
                name="proposal_report_reason_known",
            ),
        ]
        indexes = [models.Index(fields=["handled", "proposal"])]

    def __str__(self) -> str:
        return f"{self.user_id} reports proposal {self.proposal_id}"
