"""Public committee meetings with an agenda in the municipal structure.

What the platform itself writes into a meeting's minutes (a quick vote's result) is stored as a
`MinutesEntry`: its kind and parameters, never as finished words. It is put into words when it is
read, in the reader's language, so the minutes do not stay in the language of the host who
happened to close the vote. What people type (the minutes field, decisions) stays as typed.

An agenda item the platform puts on the agenda (a grant application) keeps the same split in
`AgendaItem.generated`: the kind and its parameters, worded by `AgendaItem.texts()` in the
reader's language. Its text fields are filled too, in the words of whoever triggered it, for the
editor and older readers; pages and the API show `texts()`.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from frontend.money import format_kroner

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
    "agenda_item_generated": the item's `AgendaItem.generated` when the platform wrote it,
    "yes_no": bool, "options": typed answers (choose one) or yes/no keys, "counts": [int]}.
    The question, the item and chosen answers are the host's own words and are shown as typed;
    the rest is worded by `text()` in the active language.

    `agenda_decision`: {"agenda_item": id, "generated": the item's `generated` with its
    decision}: "title: decision", worded as the agenda item words them (`AgendaItem.texts`).
    """

    class Kind(models.TextChoices):
        QUICK_VOTE = "quick_vote", _("Quick vote result")
        AGENDA_DECISION = "agenda_decision", _("Decision on an agenda item")

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
                condition=Q(kind__in=["quick_vote", "agenda_decision"]),
                name="minutes_entry_kind_known",
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
            if params.get("agenda_item_generated"):
                item = AgendaItem(generated=params["agenda_item_generated"]).texts()["title"]
            where = f"{item}: " if item else ""
            return f"{gettext('Quick vote')} – {where}{params.get('question', '')} – {parts}"
        if self.kind == self.Kind.AGENDA_DECISION:
            texts = AgendaItem(generated=params.get("generated")).texts()
            return f"{texts['title']}: {texts['decision']}"
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
    generated = models.JSONField(
        _("generated content"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("What the platform wrote, as data; shown in each reader's language."),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.texts()["title"]

    def texts(self) -> dict[str, str]:
        """The item's parts in the active language: the generated parts worded from
        `generated`, the typed parts as typed. An item with nothing generated is all typed."""
        typed = {
            "title": self.title,
            "recommendation": self.recommendation,
            "problem": self.problem,
            "solution": self.solution,
            "economy": self.economy,
            "decision": self.decision,
        }
        return {**typed, **self.generated_texts()}

    def generated_texts(self) -> dict[str, str]:
        """The parts the platform words from `generated`, in the active language (none for an
        item people typed). The admin shows these parts without letting anyone edit them: an
        edit there would be stored beside the data and never shown."""
        generated = self.generated or {}
        if generated.get("kind") == GRANT_APPLICATION:
            return grant_application_texts(generated)
        return {}


GRANT_APPLICATION = "grant_application"


def grant_application_texts(params: dict) -> dict[str, str]:
    """A grant application's agenda item worded in the active language from its parameters.

    `params`: {"kind": "grant_application", "application": id, "case": case number,
    "title": typed, "applicant": typed name or None for a resident in their own name,
    "recommendation": "full" | "partial" | "refuse", "recommended_amount": int | None,
    "reason": typed, "activity_date": ISO date | None, "advertising": typed,
    "volunteers": typed, "lines": [[typed text, int], ...], "applied": int,
    "pool_remaining": int | None (the pool before the decision; None leaves the line out),
    "decision": None | {"kind": "granted" | "refused" | "withdrawn", "amount": int | None,
    "reason": typed}}. Only the keys it words are returned; the problem (the summary) is typed.
    """
    applicant = params.get("applicant") or gettext("Resident")
    if params.get("recommendation") == "refuse":
        recommends = gettext("The working group recommends that the application is refused.")
    else:
        recommends = gettext("The working group recommends a grant of %(amount)s.") % {
            "amount": format_kroner(params.get("recommended_amount"))
        }
    solution = []
    if params.get("activity_date"):
        day = datetime.date.fromisoformat(params["activity_date"])
        solution.append(gettext("Activity on %(date)s.") % {"date": date_format(day)})
    solution += [
        gettext("Advertising: %(text)s") % {"text": params.get("advertising", "")},
        gettext("Volunteers: %(text)s") % {"text": params.get("volunteers", "")},
    ]
    economy = [f"{text}: {format_kroner(amount)}" for text, amount in params.get("lines") or []]
    economy.append(
        gettext("Applied for: %(amount)s.") % {"amount": format_kroner(params.get("applied"))}
    )
    if params.get("pool_remaining") is not None:
        economy.append(
            gettext("Left in the pool before this decision: %(amount)s.")
            % {"amount": format_kroner(params["pool_remaining"])}
        )
    texts = {
        "title": gettext("Application %(case)s: %(title)s (%(applicant)s)")
        % {
            "case": params.get("case", ""),
            "title": params.get("title", ""),
            "applicant": applicant,
        },
        "recommendation": f"{recommends}\n{params.get('reason', '')}",
        "solution": "\n".join(solution),
        "economy": "\n".join(economy),
    }
    decision = params.get("decision") or {}
    if decision.get("kind") == "granted":
        texts["decision"] = gettext("Granted %(amount)s. %(reason)s") % {
            "amount": format_kroner(decision.get("amount")),
            "reason": decision.get("reason", ""),
        }
    elif decision.get("kind") == "refused":
        texts["decision"] = gettext("Refused. %(reason)s") % {"reason": decision.get("reason", "")}
    elif decision.get("kind") == "withdrawn":
        texts["decision"] = gettext("Withdrawn by the applicant before the decision.")
    return texts


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
