"""What a valid ballot is, for each ballot style. Pure: plain data in, problems out.

The problems are sentences for the voter. They are translated with Django's ``gettext`` (so in
the request's language) when the platform runs; the tally core never imports Django itself, so
outside the platform (a recount, a script) they stay in English.
"""

import sys
from collections.abc import Mapping
from dataclasses import dataclass


def _(message: str) -> str:
    # Only the platform loads Django, and there its translations are set up.
    translation = sys.modules.get("django.utils.translation")
    return message if translation is None else translation.gettext(message)


@dataclass(frozen=True)
class Limits:
    style: str
    pot: int
    approval_min: int = 1
    approval_max: int = 5
    knapsack_min_share: int = 0
    cumulative_points: int = 10
    cumulative_max_per_project: int = 5
    ranking_length: int = 3


def ballot_problems(
    *, limits: Limits, costs: Mapping[str, int], selection: Mapping[str, int]
) -> list[str]:
    """Every reason the selection is not a valid ballot; empty when it is."""
    problems = []
    unknown = [p for p in selection if p not in costs]
    if unknown:
        return [_("The ballot names a project that is not on it.")]
    if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in selection.values()):
        return [_("Every value on the ballot must be a whole number of at least 0.")]
    chosen = {p: v for p, v in selection.items() if v > 0}
    if limits.style == "approval":
        if any(v != 1 for v in chosen.values()):
            problems.append(_("Choose a project or leave it out."))
        if not limits.approval_min <= len(chosen) <= limits.approval_max:
            problems.append(
                _("Choose from %(low)d to %(high)d projects.")
                % {"low": limits.approval_min, "high": limits.approval_max}
            )
    elif limits.style == "knapsack":
        if any(v != 1 for v in chosen.values()):
            problems.append(_("Choose a project or leave it out."))
        total = sum(costs[p] for p in chosen)
        if not chosen:
            problems.append(_("Choose at least one project."))
        if total > limits.pot:
            problems.append(_("The projects you chose cost more than the pot."))
        if limits.knapsack_min_share and total * 100 < limits.pot * limits.knapsack_min_share:
            problems.append(
                _("Spend at least %(share)d%% of the pot.") % {"share": limits.knapsack_min_share}
            )
    elif limits.style == "cumulative":
        if sum(chosen.values()) > limits.cumulative_points:
            problems.append(
                _("You can spread at most %(points)d points.")
                % {"points": limits.cumulative_points}
            )
        if any(v > limits.cumulative_max_per_project for v in chosen.values()):
            problems.append(
                _("At most %(points)d points on one project.")
                % {"points": limits.cumulative_max_per_project}
            )
        if not chosen:
            problems.append(_("Give at least one point."))
    elif limits.style == "ranking":
        ranks = sorted(chosen.values())
        if not chosen:
            problems.append(_("Rank at least one project."))
        if len(chosen) > limits.ranking_length:
            problems.append(_("Rank at most %(k)d projects.") % {"k": limits.ranking_length})
        if ranks != list(range(1, len(ranks) + 1)):
            problems.append(_("Number your choices 1, 2, 3 … without gaps or repeats."))
    else:
        problems.append(_("Unknown ballot style."))
    return problems


def as_tally_ballot(*, style: str, selection: Mapping[str, int], ranking_length: int) -> dict:
    """A stored ballot as the tally rules read it: approval 1, points, or Borda-like points."""
    chosen = {p: v for p, v in selection.items() if v > 0}
    if style == "ranking":
        return {p: ranking_length - rank + 1 for p, rank in chosen.items()}
    if style in ("approval", "knapsack"):
        return dict.fromkeys(chosen, 1)
    return dict(chosen)
