"""The ballot box. Who voted and what was voted live apart, and nothing in the database links them.

`Participation` says that a voter (a keyed hash, never a name or a CPR number) took part in a
round, through which channel and on which day. `Ballot` holds what was voted, under a random
UUID, with no time finer than the day and no reference to the voter. A ballot that may later be
replaced carries an `owner_tag`: a keyed hash of the voter's key under a second key that is not
in the database, so the database alone cannot join the two tables.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from committees.models import BudgetRound, District


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    CODE = "code", _("Voting code")
    TABLET = "tablet", _("At a polling station, on a tablet")
    PAPER = "paper", _("On paper")


class VotingConfig(models.Model):
    """How one round is voted: channels, ballot limits, and what the public may see when."""

    budget_round = models.OneToOneField(
        BudgetRound, on_delete=models.CASCADE, related_name="voting_config"
    )
    allow_online = models.BooleanField(_("online with a verified identity"), default=True)
    allow_codes = models.BooleanField(
        _("with a one-time voting code"),
        default=True,
        help_text=_(
            "Letters with a code from the voter roll belong to one person: whoever has voted "
            "online or at a polling station cannot vote again with their letter, and the other "
            "way round. Codes that belong to nobody in particular (for slips handed out at a "
            "meeting) can only be made when online and in-person voting are both off."
        ),
    )
    allow_paper = models.BooleanField(_("in person or on paper"), default=True)
    approval_min = models.PositiveSmallIntegerField(_("approval: at least"), default=1)
    approval_max = models.PositiveSmallIntegerField(_("approval: at most"), default=5)
    knapsack_min_share = models.PositiveSmallIntegerField(
        _("knapsack: spend at least (% of the pot)"), default=0
    )
    cumulative_points = models.PositiveSmallIntegerField(_("cumulative: points"), default=10)
    cumulative_max_per_project = models.PositiveSmallIntegerField(
        _("cumulative: at most per project"), default=5
    )
    ranking_length = models.PositiveSmallIntegerField(_("ranking: rank your top"), default=3)
    allow_change = models.BooleanField(_("voters may change their ballot"), default=True)
    # What a project is worth to a voter in Equal Shares (see voting.tally.utility). Blank: the
    # default for the round's ballot style, points for cumulative and ranking ballots, cost
    # otherwise. Rounds created before the choice existed were counted with cost and keep it.
    utility = models.CharField(
        _("Equal Shares counts"),
        max_length=8,
        blank=True,
        default="",
        choices=[
            ("cost", _("each vote times the project's cost")),
            ("points", _("the votes or points themselves")),
        ],
        help_text=_(
            "Leave empty for the usual reading: the points for cumulative and ranking ballots, "
            "votes times cost for approval and knapsack ballots. Greedy always ranks by votes."
        ),
    )
    min_ballots_for_tally = models.PositiveIntegerField(
        _("hide the running tally below this many ballots"), default=10
    )
    retention_days = models.PositiveSmallIntegerField(
        _("keep personal data from verification and paper entry for (days after voting)"),
        default=90,
        help_text=_(
            "Then voter keys, check-ins, paper entries, voting codes and the link that lets a "
            "voter replace their ballot are deleted. Ballots and turnout stay."
        ),
    )
    personal_data_purged_at = models.DateTimeField(
        _("personal data deleted"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("voting settings")
        verbose_name_plural = _("voting settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(approval_min__gte=1) & Q(approval_max__gte=models.F("approval_min")),
                name="voting_approval_range",
            ),
            models.CheckConstraint(
                condition=Q(knapsack_min_share__lte=100), name="voting_knapsack_share_percent"
            ),
            models.CheckConstraint(
                condition=Q(cumulative_points__gte=1)
                & Q(cumulative_max_per_project__gte=1)
                & Q(cumulative_max_per_project__lte=models.F("cumulative_points")),
                name="voting_cumulative_points",
            ),
            models.CheckConstraint(condition=Q(ranking_length__gte=1), name="voting_ranking_k"),
            models.CheckConstraint(
                condition=Q(retention_days__gte=1), name="voting_retention_at_least_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Voting settings of {self.budget_round}"


class Participation(models.Model):
    """That a voter took part: one per voter per round across every channel, by the database."""

    budget_round = models.ForeignKey(BudgetRound, on_delete=models.PROTECT, related_name="+")
    voter_key = models.CharField(max_length=64)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    voted_on = models.DateField(null=True, blank=True)  # None: checked in, not yet voted
    area = models.ForeignKey(District, on_delete=models.SET_NULL, null=True, related_name="+")
    age_band = models.CharField(max_length=8, blank=True)
    station = models.ForeignKey(
        "voting.PollingStation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participation")
        constraints = [
            models.UniqueConstraint(
                fields=["budget_round", "voter_key"], name="one_participation_per_voter_per_round"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="participation_channel_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget_round_id}: {self.channel}"


class Ballot(models.Model):
    """What one voter voted. Random id, no voter, no time finer than the day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget_round = models.ForeignKey(BudgetRound, on_delete=models.PROTECT, related_name="+")
    selection = models.JSONField()  # proposal id (str) -> approval 1, points, or rank (1 = first)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    cast_on = models.DateField()
    receipt_code = models.CharField(max_length=16, unique=True)
    owner_tag = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    station = models.ForeignKey(
        "voting.PollingStation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["budget_round", "owner_tag"], name="one_replaceable_ballot_per_owner"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="ballot_channel_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Ballot {self.receipt_code}"


class PendingBallot(models.Model):
    """A ballot in the mixing buffer (`voting.ballot_box`), sealed, until a shuffled batch
    writes it as a `Ballot` and deletes this row. Nothing but its round is stored in clear: the
    row shares its transaction with the voter's participation, so it must tell nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget_round = models.ForeignKey(BudgetRound, on_delete=models.PROTECT, related_name="+")
    sealed = models.BinaryField()  # voting.sealing

    class Meta:
        verbose_name = _("ballot waiting to be mixed")
        verbose_name_plural = _("ballots waiting to be mixed")

    def __str__(self) -> str:
        return f"Sealed ballot of round {self.budget_round_id}"
