"""Taking part without an account: what staff at a library or citizen service desk entered for a
resident, and from which paper form.

A resident without an account shows their ID at the desk; the member of staff enters the idea or
the support for them. What is recorded of the resident is what they choose to give (a name, an
address, a way to reach them), never a CPR number (proposals/intake/services.py refuses text that
looks like one). These rows are personal data kept apart from the proposal itself, so that they
can be erased without touching the public record; the audit log names the member of staff and
the row, never the resident.

An assisted support counts once per resident per proposal: the database keeps one row per
proposal and normalised name and address (`resident_key`), so the same person entered twice, at
two desks or in two spellings of upper and lower case and spaces, is still one support. A
resident who also has an account gives its e-mail address at the desk: the support is then tied
to that account (`account`), and the account's online support and the desk's are one person's,
counted once (proposals/intake/services.py refuses the second; so does `support_add`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .proposals import Proposal


class IntakeChannel(models.TextChoices):
    DESK = "desk", _("At a library or citizen service desk")
    PAPER = "paper", _("Paper form from a meeting")


class AssistedResident(models.Model):
    """What an entry and a support share: the resident as they chose to be recorded, where, by
    whom and when. Abstract: each keeps its own table."""

    resident_name = models.CharField(_("resident's name"), max_length=150)
    place = models.CharField(_("where it was entered"), max_length=120, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        abstract = True


class AssistedEntry(AssistedResident):
    """A proposal that a member of staff entered for a resident."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="assisted_entry"
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=IntakeChannel.choices, default=IntakeChannel.DESK
    )
    resident_address = models.CharField(_("resident's address"), max_length=200, blank=True)
    resident_contact = models.CharField(_("phone or e-mail"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("proposal entered for a resident")
        verbose_name_plural = _("proposals entered for residents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=IntakeChannel.values),
                name="assisted_entry_channel_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} ({self.get_channel_display()})"


class AssistedSupport(AssistedResident):
    """A support that a member of staff entered for a resident after checking their ID."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="assisted_supports"
    )
    resident_address = models.CharField(_("resident's address"), max_length=200)
    # SHA-256 of the normalised name and address: one support per resident and proposal.
    resident_key = models.CharField(max_length=64, editable=False)
    # The resident's own account, found by the verified e-mail address they gave at the desk:
    # then the desk's support and an online one are the same person's, and count once.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the resident's account"),
    )

    class Meta:
        verbose_name = _("support entered for a resident")
        verbose_name_plural = _("supports entered for residents")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "resident_key"], name="assisted_support_once_per_resident"
            ),
            models.UniqueConstraint(
                fields=["proposal", "account"],
                condition=models.Q(account__isnull=False),
                name="assisted_support_once_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident_name} → {self.proposal_id}"
