"""Reads of the voting app: the tally of a round, its turnout, and its anonymised ballots."""

from collections import Counter

from django.db.models import Q

from committees.models import BudgetRound
from proposals.models import Proposal
from proposals.selectors import ballot_proposals
from voting import rules
from voting.ballot_rules import as_tally_ballot
from voting.models import (
    Ballot,
    MeetingLive,
    Participation,
    QuickVote,
    QuickVoteAnswer,
    RoundResult,
    VotingConfig,
)

RULES = {"greedy": rules.greedy, "mes": rules.mes, "mes_add1": rules.mes_add1}


def _config(budget_round: BudgetRound) -> VotingConfig:
    return VotingConfig.objects.filter(budget_round=budget_round).first() or VotingConfig(
        budget_round=budget_round
    )


def round_ballots(*, budget_round: BudgetRound) -> list[dict[str, int]]:
    """Every ballot of the round as the tally rules read it."""
    config = _config(budget_round)
    return [
        as_tally_ballot(
            style=budget_round.ballot_style,
            selection=selection,
            ranking_length=config.ranking_length,
        )
        for selection in Ballot.objects.filter(budget_round=budget_round)
        .values_list("selection", flat=True)
        .iterator()
    ]


def round_projects(*, budget_round: BudgetRound) -> dict[str, Proposal]:
    return {str(p.pk): p for p in ballot_proposals(budget_round=budget_round)}


def round_results(*, budget_round: BudgetRound) -> rules.Outcome:
    """The outcome under the round's announced tally rule: the same code everywhere."""
    projects = round_projects(budget_round=budget_round)
    return RULES[budget_round.tally_rule](
        costs={pid: p.cost for pid, p in projects.items()},
        budget=budget_round.pot,
        ballots=round_ballots(budget_round=budget_round),
    )


def round_turnout(*, budget_round: BudgetRound) -> dict[str, int]:
    """People who voted, by channel; checked-in voters who have not voted yet are left out."""
    counts = Counter(
        Participation.objects.filter(budget_round=budget_round, voted_on__isnull=False)
        .values_list("channel", flat=True)
        .iterator()
    )
    return dict(counts)


def round_vote_counts(*, budget_round: BudgetRound) -> dict[str, int]:
    """Votes (or points) per project, as the live display and the results page show them."""
    totals: Counter[str] = Counter()
    for ballot in round_ballots(budget_round=budget_round):
        totals.update(ballot)
    return dict(totals)


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
    projects = round_projects(budget_round=budget_round)
    counts = round_vote_counts(budget_round=budget_round)
    selected = set(round_results(budget_round=budget_round).selected)
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
    ballots = Ballot.objects.filter(budget_round=budget_round).count()
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


def meeting_quick_vote_snapshot(*, quick_vote) -> dict:
    answered = QuickVoteAnswer.objects.filter(quick_vote=quick_vote)
    data = {
        "id": quick_vote.pk,
        "question": quick_vote.question,
        "kind": quick_vote.kind,
        "options": quick_vote.options,
        "open": quick_vote.is_open,
        "answers": answered.count(),
        "agenda_item": quick_vote.agenda_item.title if quick_vote.agenda_item_id else "",
    }
    # Counts only once the vote is closed: while it runs, the room sees how many have answered.
    data["result"] = None if quick_vote.is_open else quick_vote.result
    return data


def meeting_live_snapshot(*, meeting) -> dict:
    """The meeting's display: the host's switches, the round shown live, the quick vote."""
    live = MeetingLive.objects.filter(meeting=meeting).first() or MeetingLive(meeting=meeting)
    round_part = None
    if meeting.budget_round_id:
        round_part = round_live_snapshot(
            budget_round=meeting.budget_round,
            hidden_by_host=not live.tally_visible and live.stage == MeetingLive.Stage.LIVE,
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
