"""Public committee meetings with an agenda in the municipal structure.

What the platform itself writes into a meeting's minutes (a quick vote's result) is stored as a
`MinutesEntry`: its kind and parameters, never as finished words. It is put into words when it is
read, in the reader's language, so the minutes do not stay in the language of the host who
happened to close the vote. What people type (the minutes field, decisions) stays as typed.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from .areas import Committee
from .rounds import BudgetRound


class VenueKind(models.TextChoices):
    LIBRARY = "library", _("Library")
    SCHOOL = "school", _("School")
    CULTURE_HOUSE = "culture_house", _("Culture house")
    SPORTS_HALL = "sports_hall", _("Sports hall")
    TOWN_HALL = "town_hall", _("Town hall")
    OTHER = "other", _("Other")


class Meeting(ClusterableModel):
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("committee")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue_name = models.CharField(_("venue"), max_length=200)
    venue_address = models.CharField(_("address"), max_length=255, blank=True)
    venue_kind = models.CharField(
        _("kind of venue"), max_length=20, choices=VenueKind.choices, default=VenueKind.OTHER
    )
    is_public = models.BooleanField(_("public meeting"), default=True)
    budget_round = models.ForeignKey(
        BudgetRound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("budget round shown live"),
    )
    minutes = RichTextField(_("minutes"), blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    def clean(self):
        super().clean()
        if self.budget_round_id and not self.shows_own_round():
            raise ValidationError(
                {"budget_round": _("A meeting can only show a round of its own committee.")}
            )

    def shows_own_round(self) -> bool:
        """Whether the round attached (if any) belongs to the meeting's committee: the live
        display and the host's controls act only on such a round."""
        if not self.budget_round_id:
            return False
        return BudgetRound.objects.filter(
            pk=self.budget_round_id, committee_id=self.committee_id
        ).exists()


YES_NO_LABELS = {"yes": _("Yes"), "no": _("No"), "abstain": _("Abstain")}


class MinutesEntry(models.Model):
    """One line of a meeting's minutes that the platform generated: a kind and its parameters.

    `quick_vote`: {"quick_vote": id, "question": typed text, "agenda_item": typed title or "",
    "yes_no": bool, "options": typed answers (choose one) or yes/no keys, "counts": [int]}.
    The question, the item and chosen answers are the host's own words and are shown as typed;
    the rest is worded by `text()` in the active language.
    """

    class Kind(models.TextChoices):
        QUICK_VOTE = "quick_vote", _("Quick vote result")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes_entries")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    params = models.JSONField(default=dict)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("generated minutes line")
        verbose_name_plural = _("generated minutes lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["quick_vote"]), name="minutes_entry_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.text()

    def text(self) -> str:
        """The line in the active language (plain text: templates escape it)."""
        params = self.params or {}
        if self.kind == self.Kind.QUICK_VOTE:
            options = params.get("options") or []
            if params.get("yes_no"):
                options = [str(YES_NO_LABELS.get(key, key)) for key in options]
            parts = ", ".join(
                f"{label} {count}"
                for label, count in zip(options, params.get("counts") or [], strict=False)
            )
            item = params.get("agenda_item") or ""
            where = f"{item}: " if item else ""
            return f"{gettext('Quick vote')} – {where}{params.get('question', '')} – {parts}"
        return ""


class AgendaItem(Orderable):
    """One item in the municipal structure: recommendation, problem, solution, economy, decision."""

    meeting = ParentalKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    title = models.CharField(_("title"), max_length=255)
    recommendation = models.TextField(_("recommendation"), blank=True)
    problem = models.TextField(_("problem"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    economy = models.TextField(_("economy"), blank=True)
    decision = models.TextField(_("decision"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class MeetingAttachment(Orderable):
    meeting = ParentalKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=255)
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("file")
    )

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title
