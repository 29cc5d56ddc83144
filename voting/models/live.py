"""Live meetings: what the host has switched on the big screen, and quick votes in the room.

A quick vote is not a ballot of the budget round: it is a show of hands on an agenda item,
answered from phones. Each person answers once, by a keyed hash of their account, their
one-time code or their device token (as the host chose); the answer holds no name.

At a meeting held at a polling station a quick vote can be counted once per checked-in voter:
polling staff pick the waiting person on the station's tablet and hand it over, and the answer
is keyed by that person's voter key on the round's roll (`person = "voter:<key>"`). The same
person checked in at another station of the round is the same key, so the unique constraint on
`(quick_vote, voter_key)` holds one answer per person in the database, not per tablet.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from committees.models import AgendaItem, Meeting


class MeetingLive(models.Model):
    """The host's switches for one meeting's live display."""

    class Stage(models.TextChoices):
        LIVE = "live", _("Running tally")
        FROZEN = "frozen", _("Frozen, not yet revealed")
        REVEALED = "revealed", _("Final result revealed")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="live")
    room_voting_open = models.BooleanField(_("voting in the room is open"), default=False)
    tally_visible = models.BooleanField(_("the running tally is shown"), default=True)
    stage = models.CharField(max_length=8, choices=Stage.choices, default=Stage.LIVE)
    frozen_tally = models.JSONField(null=True, blank=True)  # the round's tally when frozen
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("live display")
        verbose_name_plural = _("live displays")
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=["live", "frozen", "revealed"]), name="live_stage_known"
            ),
            models.CheckConstraint(
                condition=Q(stage="live") | Q(frozen_tally__isnull=False),
                name="live_frozen_has_tally",
            ),
        ]

    def __str__(self) -> str:
        return f"Live display of {self.meeting_id}"


class QuickVote(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes / no / abstain")
        CHOOSE_ONE = "choose_one", _("Choose one")

    class CountedBy(models.TextChoices):
        ACCOUNT = "account", _("Logged-in account")
        CODE = "code", _("One-time code")
        DEVICE = "device", _("Device (open meeting)")
        CHECKED_IN = "checked_in", _("Checked-in voter (polling station tablet)")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="quick_votes")
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quick_votes",
        verbose_name=_("agenda item"),
    )
    question = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    options = models.JSONField()  # the answer labels, in order; answers store the index
    counted_by = models.CharField(_("count once per"), max_length=12, choices=CountedBy.choices)
    is_open = models.BooleanField(default=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)  # counts per option, stored when closed
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["opened_at"]
        verbose_name = _("quick vote")
        verbose_name_plural = _("quick votes")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(is_open=True), name="one_open_quick_vote"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["yes_no", "choose_one"]), name="quick_vote_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(counted_by__in=["account", "code", "device", "checked_in"]),
                name="quick_vote_counted_by_known",
            ),
            models.CheckConstraint(
                condition=Q(is_open=True) | Q(result__isnull=False),
                name="quick_vote_closed_has_result",
            ),
        ]

    def __str__(self) -> str:
        return self.question


class QuickVoteAnswer(models.Model):
    quick_vote = models.ForeignKey(QuickVote, on_delete=models.CASCADE, related_name="answers")
    voter_key = models.CharField(max_length=64)
    choice = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("quick vote answer")
        verbose_name_plural = _("quick vote answers")
        constraints = [
            models.UniqueConstraint(
                fields=["quick_vote", "voter_key"], name="one_answer_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quick_vote_id}: {self.choice}"


class QuickVoteCode(models.Model):
    """One-time codes for a quick vote counted by code; stored only as keyed hashes."""

    quick_vote = models.ForeignKey(QuickVote, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("quick vote code")
        verbose_name_plural = _("quick vote codes")

    def __str__(self) -> str:
        return f"code for {self.quick_vote_id}"
