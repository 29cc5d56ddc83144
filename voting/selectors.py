"""Reads of the voting app: the tally of a round, its turnout, and its anonymised ballots."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from committees.models import BudgetRound, Phase, User
from committees.permissions import is_signed_in
from proposals.models import Proposal, State
from voting import ballot_box, tally
from voting.ballot_list import ballot_list
from voting.models import (
    AGE_BANDS,
    Ballot,
    Channel,
    MeetingLive,
    Participation,
    PollingStation,
    QuickVote,
    QuickVoteAnswer,
    RoundFollow,
    RoundResult,
    VotingConfig,
)
from voting.models.ballots import PendingBallot
from voting.tally.ballots import as_tally_ballot

RULES = {"greedy": tally.greedy, "mes": tally.mes, "mes_add1": tally.mes_add1}


def _config(budget_round: BudgetRound) -> VotingConfig:
    return VotingConfig.objects.filter(budget_round=budget_round).first() or VotingConfig(
        budget_round=budget_round
    )


def round_config(*, budget_round: BudgetRound) -> VotingConfig:
    """The round's voting settings: its stored row, or the defaults, unsaved, until staff first
    save the settings (`voting.services.voting_config_update`). Reading never writes."""
    return _config(budget_round)


@dataclass(frozen=True)
class BallotRow:
    """One ballot as counted: written, or still sealed in the mixing buffer."""

    selection: dict[str, int]
    channel: str
    receipt_code: str
    station_id: int | None


def round_ballot_rows(*, budget_round: BudgetRound) -> list[BallotRow]:
    """Every ballot of the round, the buffered ones opened through their seal, in no order.

    A written ballot that a buffered one replaces (same owner tag) is left out: the buffer
    deletes it only when it writes the new one (`voting.ballot_box`).
    """
    pending = [
        ballot_box.pending_open(row)
        for row in PendingBallot.objects.filter(budget_round=budget_round).iterator()
    ]
    replaced = {fields["owner_tag"] for fields in pending if fields["owner_tag"]}
    written = Ballot.objects.filter(budget_round=budget_round).values_list(
        "selection", "channel", "receipt_code", "station_id", "owner_tag"
    )
    rows = [
        BallotRow(selection, channel, receipt, station)
        for selection, channel, receipt, station, tag in written.iterator()
        if not (tag and tag in replaced)
    ]
    rows += [
        BallotRow(f["selection"], f["channel"], f["receipt_code"], f["station_id"]) for f in pending
    ]
    return rows


def round_ballots(*, budget_round: BudgetRound) -> list[dict[str, int]]:
    """Every ballot of the round as the tally rules read it."""
    config = _config(budget_round)
    return [
        as_tally_ballot(
            style=budget_round.ballot_style,
            selection=row.selection,
            ranking_length=config.ranking_length,
        )
        for row in round_ballot_rows(budget_round=budget_round)
    ]


def round_projects(*, budget_round: BudgetRound) -> dict[str, Proposal]:
    """The projects on the ballot by id: the list written when voting opened (the first read
    after `voting_start` writes it, `voting.ballot_list`), never recomputed from supports."""
    return {str(p.pk): p for p in ballot_list(budget_round=budget_round)}


@dataclass(frozen=True)
class Tally:
    """One reading of a round's ballots and projects: the rule's outcome and the votes."""

    projects: dict[str, Proposal]
    outcome: tally.Outcome
    counts: dict[str, int]


def round_tally(*, budget_round: BudgetRound) -> Tally:
    """The outcome under the round's announced tally rule and the votes per project, from one
    read of the ballots: the same code for the results page, the live display and the admin."""
    projects = round_projects(budget_round=budget_round)
    # A ballot only counts for projects on the list: were one ever missing from it (a damaged
    # database), the others are still counted rather than the tally failing for everyone.
    ballots = [
        {pid: value for pid, value in ballot.items() if pid in projects}
        for ballot in round_ballots(budget_round=budget_round)
    ]
    rule = budget_round.tally_rule
    utility = _config(budget_round).utility or tally.default_utility(
        rule=rule, ballot_kind=budget_round.ballot_style
    )
    outcome = RULES[rule](
        costs={pid: p.cost for pid, p in projects.items()},
        budget=budget_round.pot,
        ballots=ballots,
        utility=utility,
    )
    return Tally(projects=projects, outcome=outcome, counts=_vote_counts(ballots))


def round_results(*, budget_round: BudgetRound) -> tally.Outcome:
    """The outcome under the round's announced tally rule: the same code everywhere."""
    return round_tally(budget_round=budget_round).outcome


def round_turnout(*, budget_round: BudgetRound) -> dict[str, int]:
    """People who voted, by channel; checked-in voters who have not voted yet are left out."""
    counts = Counter(
        Participation.objects.filter(budget_round=budget_round, voted_on__isnull=False)
        .values_list("channel", flat=True)
        .iterator()
    )
    return dict(counts)


def _vote_counts(ballots: list[dict[str, int]]) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for ballot in ballots:
        totals.update(ballot)
    return dict(totals)


def round_vote_counts(*, budget_round: BudgetRound) -> dict[str, int]:
    """Votes (or points) per project, as the live display and the results page show them."""
    return _vote_counts(round_ballots(budget_round=budget_round))


def round_confirmation(*, budget_round: BudgetRound) -> RoundResult | None:
    return (
        RoundResult.objects.filter(budget_round=budget_round).select_related("confirmed_by").first()
    )


# --- Live displays ---------------------------------------------------------------------------
#
# A snapshot is language-neutral data (the page supplies the words) and holds aggregates only:
# turnout by channel and votes per project, never anything about one voter. Below the round's
# `min_ballots_for_tally`, or while a meeting's host hides it, the tally is left out entirely.

TALLY_SHOWN = "shown"
TALLY_BELOW_THRESHOLD = "below_threshold"
TALLY_HIDDEN_BY_HOST = "hidden_by_host"
TALLY_FROZEN = "frozen"


def round_live_tally(*, budget_round: BudgetRound) -> list[dict]:
    """Every project with its votes and whether the round's rule funds it, funded first."""
    tally = round_tally(budget_round=budget_round)
    projects, counts, selected = tally.projects, tally.counts, set(tally.outcome.selected)
    rows = [
        {
            "id": pid,
            "title": project.title,
            "cost": project.cost,
            "votes": counts.get(pid, 0),
            "funded": pid in selected,
        }
        for pid, project in projects.items()
    ]
    rows.sort(key=lambda row: (not row["funded"], -row["votes"], row["title"]))
    return rows


def _hidden_by_host(budget_round: BudgetRound) -> bool:
    return MeetingLive.objects.filter(
        Q(tally_visible=False, stage=MeetingLive.Stage.LIVE) | Q(stage=MeetingLive.Stage.FROZEN),
        meeting__budget_round=budget_round,
    ).exists()


def round_live_snapshot(*, budget_round: BudgetRound, hidden_by_host: bool | None = None) -> dict:
    """What a live display of the round shows now.

    `hidden_by_host`: None asks whether any meeting showing the round hides its tally now.
    """
    config = _config(budget_round)
    turnout = round_turnout(budget_round=budget_round)
    ballots = len(round_ballot_rows(budget_round=budget_round))
    if ballots < config.min_ballots_for_tally:
        state = TALLY_BELOW_THRESHOLD
    elif hidden_by_host or (hidden_by_host is None and _hidden_by_host(budget_round)):
        state = TALLY_HIDDEN_BY_HOST
    else:
        state = TALLY_SHOWN
    return {
        "kind": "round",
        "round": {
            "id": budget_round.pk,
            "title": budget_round.title,
            "pot": budget_round.pot,
            "style": budget_round.ballot_style,
            "phase": budget_round.phase,
            "voting_end": budget_round.voting_end.isoformat(),
        },
        "turnout": {"total": sum(turnout.values()), "by_channel": turnout},
        "ballots": ballots,
        "threshold": config.min_ballots_for_tally,
        "tally_state": state,
        "tally": round_live_tally(budget_round=budget_round) if state == TALLY_SHOWN else None,
    }


def agenda_item_titles(item) -> dict[str, str]:
    """An agenda item's title in each of the site's languages, for a snapshot that every viewer
    reads in their own: a generated item is worded per language, a typed one is as typed."""
    titles = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            titles[code] = str(item)
    return titles


def meeting_quick_vote_snapshot(*, quick_vote) -> dict:
    answered = QuickVoteAnswer.objects.filter(quick_vote=quick_vote)
    data = {
        "id": quick_vote.pk,
        "question": quick_vote.question,
        "kind": quick_vote.kind,
        "options": quick_vote.options,
        "open": quick_vote.is_open,
        "answers": answered.count(),
        "agenda_item": agenda_item_titles(quick_vote.agenda_item)
        if quick_vote.agenda_item_id
        else None,
    }
    # Counts only once the vote is closed: while it runs, the room sees how many have answered.
    data["result"] = None if quick_vote.is_open else quick_vote.result
    return data


def meeting_live_state(*, meeting) -> MeetingLive:
    """The host's switches for the meeting (defaults until a host touches them)."""
    return MeetingLive.objects.filter(meeting=meeting).first() or MeetingLive(meeting=meeting)


def meeting_live_snapshot(*, meeting) -> dict:
    """The meeting's display: the host's switches, the round shown live, the quick vote."""
    if not meeting.is_public:
        # Made non-public: nothing more is streamed, and the displays close (voting.live).
        return {"kind": "meeting", "meeting": {"id": meeting.pk}, "closed": True, "round": None}
    live = meeting_live_state(meeting=meeting)
    round_part = None
    if meeting.shows_own_round():
        # Hidden here if this meeting hides it or froze it (then the frozen tally replaces it
        # below, so the running one is not even counted); otherwise as on the round's own
        # display: hidden while any meeting showing the round hides or froze it.
        own_hidden = not live.tally_visible or live.stage != MeetingLive.Stage.LIVE
        round_part = round_live_snapshot(
            budget_round=meeting.budget_round, hidden_by_host=True if own_hidden else None
        )
        if live.stage != MeetingLive.Stage.LIVE:
            # Frozen: the tally stops moving; it is shown again only when revealed.
            frozen = live.frozen_tally or {}
            round_part["tally_state"] = (
                frozen.get("tally_state", TALLY_FROZEN)
                if live.stage == MeetingLive.Stage.REVEALED
                else TALLY_FROZEN
            )
            round_part["tally"] = (
                frozen.get("tally") if live.stage == MeetingLive.Stage.REVEALED else None
            )
            round_part["final_ballots"] = frozen.get("ballots")
    quick_vote = QuickVote.objects.filter(meeting=meeting).select_related("agenda_item").last()
    return {
        "kind": "meeting",
        "meeting": {"id": meeting.pk, "title": meeting.title},
        "room_voting_open": live.room_voting_open,
        "tally_visible": live.tally_visible,
        "stage": live.stage,
        "round": round_part,
        "quick_vote": meeting_quick_vote_snapshot(quick_vote=quick_vote) if quick_vote else None,
    }


@dataclass(frozen=True)
class TurnoutGroup:
    label: str
    count: int | None  # None: fewer than the threshold, not shown
    merged: bool = False  # the groups that were too small, together


@dataclass(frozen=True)
class TurnoutBreakdown:
    dimension: str  # "area", "age_band" or "channel"
    title: str
    groups: list[TurnoutGroup]
    merged_groups: int  # how many groups were too small to show on their own
    threshold: int


TURNOUT_DIMENSIONS = {
    "area": _("Turnout by area"),
    "age_band": _("Turnout by age band"),
    "channel": _("Turnout by way of voting"),
}


def min_group_size() -> int:
    return settings.RESULTS_MIN_GROUP_SIZE


def _suppress(dimension, counts: dict[str, int], order: list[str], threshold: int):
    shown, small = [], []
    for label in order:
        if label not in counts:
            continue
        (shown if counts[label] >= threshold else small).append(label)
    groups = [TurnoutGroup(label=label, count=counts[label]) for label in shown]
    if small:
        together = sum(counts[label] for label in small)
        groups.append(
            TurnoutGroup(
                label=str(_("Other groups")),
                count=together if together >= threshold else None,
                merged=True,
            )
        )
    return TurnoutBreakdown(
        dimension=dimension,
        title=str(TURNOUT_DIMENSIONS[dimension]),
        groups=groups,
        merged_groups=len(small),
        threshold=threshold,
    )


def round_turnout_groups(
    *, budget_round: BudgetRound, threshold: int | None = None
) -> list[TurnoutBreakdown]:
    """Who voted, by area, age band and channel, in one query.

    A group with fewer voters than the threshold (the RESULTS_MIN_GROUP_SIZE setting) is never
    shown on its own: the small groups of a dimension are added up under "Other groups", and
    that sum too is hidden when it is below the threshold.
    """
    threshold = min_group_size() if threshold is None else threshold
    by: dict[str, Counter[str]] = {name: Counter() for name in TURNOUT_DIMENSIONS}
    rows = (
        Participation.objects.filter(budget_round=budget_round, voted_on__isnull=False)
        .values_list("channel", "area__name", "age_band")
        .annotate(n=Count("id"))
        .order_by()
    )
    unknown_area, unknown_age = str(_("Area not known")), str(_("Age not known"))
    channels = dict(Channel.choices)
    for channel, area, age_band, n in rows:
        by["channel"][str(channels.get(channel, channel))] += n
        by["area"][area or unknown_area] += n
        by["age_band"][age_band or unknown_age] += n
    orders = {
        "channel": [str(label) for label in channels.values()],
        "area": sorted(a for a in by["area"] if a != unknown_area) + [unknown_area],
        "age_band": [label for _, label in AGE_BANDS],
    }
    orders["age_band"] += sorted(set(by["age_band"]) - set(orders["age_band"]) - {unknown_age})
    orders["age_band"].append(unknown_age)
    return [_suppress(name, dict(by[name]), orders[name], threshold) for name in TURNOUT_DIMENSIONS]


def round_public_proposals(*, budget_round: BudgetRound):
    """Every submitted proposal of the round (drafts are private), for the committee's export."""
    return (
        Proposal.objects.filter(budget_round=budget_round)
        .exclude(state=State.DRAFT)
        .select_related("category", "budget_round", "grant")  # `state_label` reads them
        .order_by("case_number", "pk")
    )


def round_result_summary(*, budget_round: BudgetRound) -> dict:
    """Everything the results page and the results export show, computed once.

    rows: each project on the ballot, most votes first, with what the rule and the committee
    decided and the rule's explanation; spent and left: the pot after the final selection.
    """
    tally = round_tally(budget_round=budget_round)
    outcome, projects, counts = tally.outcome, tally.projects, tally.counts
    confirmed = round_confirmation(budget_round=budget_round)
    final = set(confirmed.final_selected) if confirmed else set(outcome.selected)
    rows = [
        {
            "proposal": projects[pid],
            "votes": counts.get(pid, 0),
            "selected_by_rule": pid in outcome.selected,
            "selected": pid in final,
            "explanation": outcome.explanations.get(pid, {}),
        }
        for pid in sorted(projects, key=lambda p: (-counts.get(p, 0), int(p)))
    ]
    spent = sum(projects[pid].cost for pid in final if pid in projects)
    return {
        "outcome": outcome,
        "confirmed": confirmed,
        "rows": rows,
        "spent": spent,
        "left": budget_round.pot - spent,
    }


def round_followed_by(*, user, budget_round: BudgetRound) -> bool:
    if not is_signed_in(user):
        return False
    return RoundFollow.objects.filter(user=user, budget_round=budget_round).exists()


def round_result_recipients(*, budget_round: BudgetRound) -> list:
    """Who hears that the results are out: authors of selected and not-selected proposals and
    the round's followers, each person once, with an e-mail address and an active account."""
    authors = Proposal.objects.filter(
        budget_round=budget_round, state__in=[State.SELECTED, State.NOT_SELECTED]
    ).values("author_id")
    followers = RoundFollow.objects.filter(budget_round=budget_round).values("user_id")
    return list(
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(models.Q(pk__in=authors) | models.Q(pk__in=followers))
        .order_by("pk")
    )


@dataclass(frozen=True)
class OtherWays:
    """How to vote in a round without verifying online: a code, and the polling stations."""

    budget_round: BudgetRound
    code_url: str
    round_url: str
    stations: list


def rounds_other_ways(*, round_id: int | None = None) -> list[OtherWays]:
    """Open rounds (or the one round asked about) with their code page and polling stations,
    for a visitor who cannot verify their identity online."""
    now = timezone.now()
    rounds = BudgetRound.objects.filter(voting_start__lte=now, voting_end__gt=now).select_related(
        "committee__page"
    )
    if round_id is not None:
        rounds = rounds.filter(pk=round_id)
    ways = []
    for budget_round in rounds.order_by("committee__name", "title"):
        if budget_round.phase != Phase.VOTING:
            continue
        config = round_config(budget_round=budget_round)
        page = getattr(budget_round.committee, "page", None)
        ways.append(
            OtherWays(
                budget_round=budget_round,
                code_url=reverse("voting:ballot_code", args=[budget_round.pk])
                if config.allow_codes
                else "",
                round_url=f"{page.url}runder/{budget_round.slug}/" if page and page.url else "",
                stations=list(
                    PollingStation.objects.filter(budget_round=budget_round).order_by("name")
                )
                if config.allow_paper
                else [],
            )
        )
    return ways
