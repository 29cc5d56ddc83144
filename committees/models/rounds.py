"""Budget rounds (borgerbudget): a pot, its rules and a schedule of phases."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from .areas import Area, Committee


class Phase(models.TextChoices):
    UPCOMING = "upcoming", _("Not started")
    IDEAS = "ideas", _("Ideas")
    REVIEW = "review", _("Review")
    VOTING = "voting", _("Voting")
    RESULTS = "results", _("Results")
    IMPLEMENTATION = "implementation", _("Implementation")


# (phase, start field, end field); the last phase has no end.
PHASE_FIELDS = [
    (Phase.IDEAS, "ideas_start", "ideas_end"),
    (Phase.REVIEW, "review_start", "review_end"),
    (Phase.VOTING, "voting_start", "voting_end"),
    (Phase.RESULTS, "results_start", "implementation_start"),
    (Phase.IMPLEMENTATION, "implementation_start", None),
]


# A grant pool is decided by its committee at meetings, never by a vote: its phases read as
# applications, decisions and follow-up.
GRANT_DECISIONS = _("Decisions at the committee's meetings")
GRANT_PHASE_LABELS = {
    Phase.UPCOMING: Phase.UPCOMING.label,
    Phase.IDEAS: _("Open for applications"),
    Phase.REVIEW: GRANT_DECISIONS,
    Phase.VOTING: GRANT_DECISIONS,
    Phase.RESULTS: GRANT_DECISIONS,
    Phase.IMPLEMENTATION: _("Follow-up"),
}


class DecisionMethod(models.TextChoices):
    VOTE = "vote", _("Resident vote")
    COMMITTEE = "committee", _("Committee decision")


class TallyRule(models.TextChoices):
    GREEDY = "greedy", _("Most votes first, within the pot (greedy)")
    MES = "mes", _("Method of Equal Shares")
    MES_ADD1 = "mes_add1", _("Method of Equal Shares with add1 completion")


class BallotStyle(models.TextChoices):
    APPROVAL = "approval", _("Approval: choose projects")
    KNAPSACK = "knapsack", _("Knapsack: spend the pot")
    CUMULATIVE = "cumulative", _("Cumulative: spread points")
    RANKING = "ranking", _("Ranking: order your favourites")


class BudgetRound(ClusterableModel):
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("committee")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100)
    pot = models.PositiveBigIntegerField(_("pot (kr.)"), help_text=_("Whole kroner."))
    min_cost = models.PositiveBigIntegerField(_("minimum cost per proposal (kr.)"), default=0)
    max_cost = models.PositiveBigIntegerField(_("maximum cost per proposal (kr.)"))
    rules_text = RichTextField(_("rules in plain language"), blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum voting age"), default=15)
    voting_areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="rounds",
        verbose_name=_("areas whose residents may vote"),
        help_text=_(
            "Leave empty for the committee's own area. Choose several committee areas, or a "
            "local area (a housing estate) for a smaller vote."
        ),
    )
    decision_method = models.CharField(
        _("how winners are decided"),
        max_length=16,
        choices=DecisionMethod.choices,
        default=DecisionMethod.VOTE,
    )
    tally_rule = models.CharField(
        _("tally rule"), max_length=16, choices=TallyRule.choices, default=TallyRule.GREEDY
    )
    ballot_style = models.CharField(
        _("ballot style"), max_length=16, choices=BallotStyle.choices, default=BallotStyle.KNAPSACK
    )
    min_supports = models.PositiveIntegerField(
        _("supports needed to reach the ballot"),
        default=0,
        help_text=_("0: every feasible proposal reaches the ballot."),
    )
    supports_verified_only = models.BooleanField(
        _("count only supports from verified residents"),
        default=True,
        help_text=_(
            "Only supporters who have verified their identity and live in the round's areas "
            "count towards the supports needed."
        ),
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_rounds",
        verbose_name=_("assigned reviewers"),
    )
    # The grant pool's ledger: what the committee has granted from the pot so far. Updated only
    # with F() expressions by `committees.services.round_grant_commit`; the constraint below keeps
    # it within the pot even when two decisions are recorded at the same moment.
    granted_total = models.PositiveBigIntegerField(
        _("granted so far (kr.)"), default=0, editable=False
    )
    ideas_start = models.DateTimeField(_("ideas open"))
    ideas_end = models.DateTimeField(_("ideas close"))
    review_start = models.DateTimeField(_("review starts"))
    review_end = models.DateTimeField(_("review ends"))
    voting_start = models.DateTimeField(_("voting opens"))
    voting_end = models.DateTimeField(_("voting closes"))
    results_start = models.DateTimeField(_("results published"))
    implementation_start = models.DateTimeField(_("implementation starts"))
    # Set by `committees.services.round_lock` when the committee confirms the result.
    result_confirmed_at = models.DateTimeField(
        _("result confirmed"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-ideas_start"]
        verbose_name = _("budget round")
        verbose_name_plural = _("budget rounds")
        constraints = [
            models.UniqueConstraint(fields=["committee", "slug"], name="round_slug_per_committee"),
            models.CheckConstraint(condition=Q(pot__gt=0), name="round_pot_positive"),
            models.CheckConstraint(
                condition=Q(max_cost__gt=0) & Q(max_cost__gte=F("min_cost")),
                name="round_cost_range_valid",
            ),
            models.CheckConstraint(
                condition=Q(max_cost__lte=F("pot")), name="round_max_cost_in_pot"
            ),
            # The phases are ordered and never overlap: each starts after the previous ends.
            models.CheckConstraint(
                condition=Q(ideas_end__gt=F("ideas_start"))
                & Q(review_start__gte=F("ideas_end"))
                & Q(review_end__gt=F("review_start"))
                & Q(voting_start__gte=F("review_end"))
                & Q(voting_end__gt=F("voting_start"))
                & Q(results_start__gte=F("voting_end"))
                & Q(implementation_start__gt=F("results_start")),
                name="round_phases_ordered",
            ),
            models.CheckConstraint(
                condition=Q(granted_total__gte=0) & Q(granted_total__lte=F("pot")),
                name="round_granted_within_pot",
            ),
            models.CheckConstraint(
                condition=Q(decision_method__in=["vote", "committee"]),
                name="round_decision_method_known",
            ),
            models.CheckConstraint(
                condition=Q(tally_rule__in=["greedy", "mes", "mes_add1"]),
                name="round_tally_rule_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.committee})"

    def phase_at(self, when: datetime.datetime | None = None) -> str:
        when = when or timezone.now()
        current = Phase.UPCOMING
        for phase, start, end in PHASE_FIELDS:
            if when >= getattr(self, start) and (end is None or when < getattr(self, end)):
                return phase
            if when >= getattr(self, start):
                current = phase
        # Between two phases (e.g. ideas closed, review not yet started) the last one that
        # started is still the current one.
        return current

    @property
    def phase(self) -> str:
        return self.phase_at()

    def phase_label(self, phase: str) -> str:
        if self.is_grant_pool:
            return str(GRANT_PHASE_LABELS[phase])
        return str(Phase(phase).label)

    def phase_display(self) -> str:
        return self.phase_label(self.phase)

    def timeline(self) -> list[dict]:
        now = timezone.now()
        current = self.phase_at(now)
        fields = PHASE_FIELDS
        if self.is_grant_pool:  # review, voting and results are one stretch of decisions
            fields = [
                (Phase.IDEAS, "ideas_start", "ideas_end"),
                (Phase.REVIEW, "review_start", "implementation_start"),
                (Phase.IMPLEMENTATION, "implementation_start", None),
            ]
        steps = []
        for phase, start, end in fields:
            phases = {phase}
            if self.is_grant_pool and phase == Phase.REVIEW:
                phases = {Phase.REVIEW, Phase.VOTING, Phase.RESULTS}
            steps.append(
                {
                    "phase": phase,
                    "label": self.phase_label(phase),
                    "start": getattr(self, start),
                    "end": getattr(self, end) if end else None,
                    "current": current in phases,
                    "done": end is not None and getattr(self, end) <= now,
                }
            )
        return steps

    @property
    def is_grant_pool(self) -> bool:
        return self.decision_method == DecisionMethod.COMMITTEE

    @property
    def remaining(self) -> int:
        """What is left of the pot: the pot minus every granted amount, never negative."""
        return max(0, self.pot - self.granted_total)

    @property
    def voting_has_opened(self) -> bool:
        return timezone.now() >= self.voting_start

    @property
    def is_locked(self) -> bool:
        """A confirmed result locks the round: its voting dates no longer move."""
        return self.result_confirmed_at is not None

    def frozen_changes(self) -> list[str]:
        """The fields this unsaved change would alter that the round's stage has frozen: the
        rules of the vote once voting has opened, its dates too once the result is confirmed."""
        if not self.pk:
            return []
        names = FIELDS_FROZEN_AT_VOTING + FIELDS_FROZEN_AT_CONFIRMATION
        stored = type(self).objects.filter(pk=self.pk).values(*names, "result_confirmed_at").first()
        if stored is None:
            return []
        frozen = []
        if timezone.now() >= stored["voting_start"]:
            frozen += FIELDS_FROZEN_AT_VOTING
        if stored["result_confirmed_at"] is not None:
            frozen += FIELDS_FROZEN_AT_CONFIRMATION
        return [name for name in frozen if stored[name] != getattr(self, name)]

    def clean(self):
        super().clean()
        changed = self.frozen_changes()
        if changed:
            raise ValidationError({name: frozen_message(self, name) for name in changed})

    def save(self, *args, **kwargs):
        # The announced rules are part of the vote's legitimacy: no write path may change them
        # late (the services refuse first, with the same words; this is the last line).
        changed = self.frozen_changes()
        if changed:
            raise ValidationError(frozen_message(self, changed[0]))
        super().save(*args, **kwargs)


# What decides who may vote, what a valid ballot is and what reaches the ballot: fixed once voting
# opens (`voting.services.CONFIG_FIELDS_FROZEN_AT_VOTING` freezes the voting settings likewise).
FIELDS_FROZEN_AT_VOTING = (
    "pot",
    "min_cost",
    "max_cost",
    "min_age",
    "min_supports",
    "supports_verified_only",
    "decision_method",
    "tally_rule",
    "ballot_style",
    "voting_start",
)
# Once the result is confirmed, voting can no longer be extended or closed again.
FIELDS_FROZEN_AT_CONFIRMATION = ("voting_end", "results_start")


def frozen_message(budget_round: BudgetRound, name: str) -> str:
    if name == "tally_rule":
        return _("The tally rule cannot change once voting has opened.")
    if name in FIELDS_FROZEN_AT_CONFIRMATION:
        return _("The result of this round is confirmed: voting can no longer be changed.")
    return _("Voting has opened: the rules of this round can no longer change.")


def round_areas_frozen(sender, instance, action, reverse, **kwargs) -> None:
    """The areas whose residents may vote are fixed once voting opens (m2m_changed)."""
    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    rounds = (
        BudgetRound.objects.filter(pk__in=kwargs.get("pk_set") or []) if reverse else [instance]
    )
    if any(r.voting_has_opened for r in rounds):
        raise ValidationError(_("Voting has opened: the rules of this round can no longer change."))


models.signals.m2m_changed.connect(
    round_areas_frozen, sender=BudgetRound.voting_areas.through, dispatch_uid="round_areas_frozen"
)


class RoundCategory(Orderable):
    round = ParentalKey(BudgetRound, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=100)

    class Meta(Orderable.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="round_category_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class RoundChecklistItem(Orderable):
    """A question every proposal answers, e.g. "Is it open to everyone?"."""

    round = ParentalKey(BudgetRound, on_delete=models.CASCADE, related_name="checklist")
    text = models.CharField(_("question"), max_length=255)
    required = models.BooleanField(
        _("must be answered yes"), default=True, help_text=_("Proposals answering no are refused.")
    )

    class Meta(Orderable.Meta):
        verbose_name = _("checklist question")
        verbose_name_plural = _("checklist")

    def __str__(self) -> str:
        return self.text
