"""What a phase action will do, shown to staff before they confirm it.

The preview is computed from the round as stored, under no lock, when the page is shown; the
service computes it again under the round's lock when staff confirm, and refuses when it
differs from what they saw (`fingerprint`): the ballot a moderator approved is the ballot that
opens, even if a proposal was withdrawn or a setting changed between the two clicks.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committees.models import BudgetRound, Phase
from committees.selectors import round_areas
from frontend.money import format_kroner
from proposals.models import Proposal, State
from voting.ballot_list import ballot_list_preview
from voting.selectors import round_config, round_turnout
from voting.services import config_fields_for

CLOSE_IDEAS = "close-ideas"
OPEN_VOTING = "open-voting"
CLOSE_VOTING = "close-voting"
EXTEND_VOTING = "extend-voting"

ACTION_LABELS = {
    CLOSE_IDEAS: gettext_lazy("Close ideas"),
    OPEN_VOTING: gettext_lazy("Open voting"),
    CLOSE_VOTING: gettext_lazy("Close voting now"),
    EXTEND_VOTING: gettext_lazy("Extend voting"),
}
# The phase each action starts from: a phase change is offered only where it makes sense.
ACTION_FROM = {
    CLOSE_IDEAS: Phase.IDEAS,
    OPEN_VOTING: Phase.REVIEW,
    CLOSE_VOTING: Phase.VOTING,
    EXTEND_VOTING: Phase.VOTING,
}
# Cutting a phase short or moving its end takes time from residents: the reason is required and
# published with the audit entry. Opening voting early takes nothing from anybody.
REASON_REQUIRED = {CLOSE_IDEAS, CLOSE_VOTING, EXTEND_VOTING}
NOW = "now"


@dataclass
class Preview:
    action: str
    phase: str
    changes: dict[str, tuple[datetime.datetime, datetime.datetime | str]]
    ballot: list[dict] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    min_age: int = 0
    channels: list[str] = field(default_factory=list)
    settings: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def change_rows(self) -> list[tuple[str, datetime.datetime, datetime.datetime | str]]:
        """(the date's name, announced, new) for each date that moves."""
        return [
            (str(BudgetRound._meta.get_field(name).verbose_name), old, new)
            for name, (old, new) in self.changes.items()
        ]

    @property
    def fingerprint(self) -> str:
        """A digest of everything shown, "now" standing for the moment of confirmation."""
        data = {
            "action": self.action,
            "phase": self.phase,
            "changes": {
                k: [old.isoformat(), new if isinstance(new, str) else new.isoformat()]
                for k, (old, new) in self.changes.items()
            },
            "ballot": [[p["id"], p["cost"]] for p in self.ballot],
            "areas": self.areas,
            "min_age": self.min_age,
            "channels": self.channels,
            "settings": [[str(k), str(v)] for k, v in self.settings],
        }
        blob = json.dumps(data, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:32]


def schedule_changes(
    *, budget_round: BudgetRound, action: str, new_end: datetime.datetime | None = None
) -> dict[str, tuple[datetime.datetime, datetime.datetime | str]]:
    """The dates the action moves: field -> (announced, new); `NOW` is the moment it is done."""
    r = budget_round
    now = timezone.now()
    changes: dict = {}
    if action == CLOSE_IDEAS:
        changes["ideas_end"] = (r.ideas_end, NOW if r.ideas_end > now else r.ideas_end)
        if r.review_start > now:
            changes["review_start"] = (r.review_start, NOW)
    elif action == OPEN_VOTING:
        if r.review_end > now:
            changes["review_end"] = (r.review_end, NOW)
        changes["voting_start"] = (r.voting_start, NOW)
    elif action == CLOSE_VOTING:
        changes["voting_end"] = (r.voting_end, NOW)
        if r.results_start > now:
            changes["results_start"] = (r.results_start, NOW)
    elif action == EXTEND_VOTING and new_end is not None:
        changes["voting_end"] = (r.voting_end, new_end)
        if new_end > r.results_start:
            changes["results_start"] = (r.results_start, new_end)
    return {k: v for k, v in changes.items() if v[0] != v[1]}


def _setting_rows(budget_round: BudgetRound, config) -> list[tuple[str, str]]:
    rows = [
        (_("Ballot style"), budget_round.get_ballot_style_display()),
        (_("Tally rule"), budget_round.get_tally_rule_display()),
        (_("Pot"), format_kroner(budget_round.pot)),
    ]
    for name in config_fields_for(budget_round):
        if name.startswith("allow_") and name != "allow_change":
            continue
        model_field = config._meta.get_field(name)
        value = getattr(config, name)
        if model_field.choices:
            value = dict(model_field.choices).get(value, "") or _("default for the ballot style")
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        rows.append((str(model_field.verbose_name), str(value)))
    return rows


def phase_preview(
    *, budget_round: BudgetRound, action: str, new_end: datetime.datetime | None = None
) -> Preview:
    """Everything the action changes or fixes: the dates, and for the vote the projects on the
    ballot, the areas and ages that may vote, the channels open and the ballot settings."""
    config = round_config(budget_round=budget_round)
    preview = Preview(
        action=action,
        phase=budget_round.phase,
        changes=schedule_changes(budget_round=budget_round, action=action, new_end=new_end),
        areas=sorted(a.name for a in round_areas(budget_round=budget_round)),
        min_age=budget_round.min_age,
        channels=[
            str(config._meta.get_field(name).verbose_name)
            for name in ("allow_online", "allow_codes", "allow_paper")
            if getattr(config, name)
        ],
        settings=_setting_rows(budget_round, config),
    )
    if action == OPEN_VOTING:
        preview.ballot = [
            {"id": p.pk, "title": p.title, "cost": p.cost, "supports": supports}
            for p, supports in ballot_list_preview(budget_round=budget_round)
        ]
    elif action == CLOSE_IDEAS:
        proposals = Proposal.objects.filter(budget_round=budget_round)
        preview.counts = {
            "submitted": proposals.exclude(state=State.DRAFT).count(),
            "drafts": proposals.filter(state=State.DRAFT).count(),
        }
    else:
        preview.counts = {"voted": sum(round_turnout(budget_round=budget_round).values())}
    return preview
