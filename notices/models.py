"""The outbox and the residents' choices.

A `Delivery` is one message to one person, created before anything is sent. Its `key` is unique
in the database (one per recipient and notice), so a notice enqueued twice, a retried task or a
second scheduler run can never make a second message. Its state moves
queued -> sending -> sent (or back to queued with a later `next_attempt_at`, or failed after the
last attempt); a worker that dies while sending leaves the row in `sending` with a lease that
runs out, and the scheduler puts it back in the queue (`services.deliveries_rescue`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from committees.models import BudgetRound, Committee
from notices.kinds import Kind


class Delivery(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        HELD = "held", _("held for the daily digest")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        DIGESTED = "digested", _("sent in a digest")
        SKIPPED = "skipped", _("not sent: turned off by the recipient")
        FAILED = "failed", _("failed")

    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notice_deliveries",
        null=True,
        blank=True,
    )
    # Only for a message to an address that has no account (allauth's "no account with this
    # address" answer to a password reset); every other delivery goes to `user`.
    address = models.EmailField(_("address without an account"), blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    template = models.CharField(_("template"), max_length=150)
    context = models.JSONField(_("context"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim = models.CharField(_("claimed by"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["state", "lease_until"], name="delivery_state_lease"),
            models.Index(fields=["user", "state"], name="delivery_user_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="sending") | Q(lease_until__isnull=False),
                name="delivery_sending_has_lease",
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="delivery_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | (Q(kind="security") & ~Q(address="")),
                name="delivery_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    def digest_items(self):
        """The held deliveries a digest delivery gathers, oldest first."""
        return Delivery.objects.filter(pk__in=self.context.get("items", [])).order_by("pk")


class NoticePreference(models.Model):
    """What one person wants to hear about; no row means every notice, one mail at a time."""

    class Digest(models.TextChoices):
        SINGLE = "single", _("One e-mail per notice")
        DAILY = "daily", _("One e-mail a day with everything")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference"
    )
    muted = models.JSONField(_("turned off"), default=list, blank=True)
    digest = models.CharField(
        _("how often"), max_length=10, choices=Digest.choices, default=Digest.SINGLE
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(digest__in=["single", "daily"]), name="notice_digest_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.digest}"


class CommitteeFollow(models.Model):
    """A resident who wants the phase notices of every round of a committee."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="committee_follows"
    )
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follower of a committee")
        verbose_name_plural = _("followers of committees")
        constraints = [
            models.UniqueConstraint(fields=["user", "committee"], name="one_follow_per_committee"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows committee {self.committee_id}"


class PhaseNotice(models.Model):
    """A phase notice of a round that has been fanned out: at most once per round and kind."""

    budget_round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("phase notice")
        verbose_name_plural = _("phase notices")
        constraints = [
            models.UniqueConstraint(fields=["budget_round", "kind"], name="one_notice_per_phase"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of round {self.budget_round_id}"
