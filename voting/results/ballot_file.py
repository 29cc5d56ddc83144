"""A round's anonymised ballots in pabulib form: the file anyone can download and recount.

Ballot rows come in a random order (that of their random receipt codes, so that the file and
its SHA-256 are the same at every export, whether or not the mixing buffer has written them
yet) with voter ids 1..n and no times; each row carries
the voter's receipt code, so every voter can find their own ballot and anyone can recount.
The results page, the .pb download, `result_confirm` (which stores the file's SHA-256), the
demo and `manage.py pb_export` all call `export_round`.
"""

from committees.models import BudgetRound
from voting.selectors import round_ballot_rows, round_projects
from voting.tally.pabulib import PbInstance, PbProject, PbVote, format_pb

VOTE_TYPES = {
    "approval": "approval",
    "knapsack": "approval",
    "cumulative": "cumulative",
    "ranking": "ordinal",
}


def export_round(budget_round: BudgetRound) -> str:
    projects = round_projects(budget_round=budget_round)
    # Written ballots and those still in the mixing buffer: the file is the same before and
    # after the buffer writes them.
    ballots = sorted(
        ((row.selection, row.receipt_code) for row in round_ballot_rows(budget_round=budget_round)),
        key=lambda ballot: ballot[1],
    )
    style = budget_round.ballot_style
    votes = []
    for index, (selection, receipt) in enumerate(ballots, start=1):
        chosen = {p: v for p, v in selection.items() if v > 0 and p in projects}
        if style == "cumulative":
            vote: list[str] | dict[str, int] = chosen
        elif style == "ranking":
            vote = [p for p, _rank in sorted(chosen.items(), key=lambda item: item[1])]
        else:
            vote = sorted(chosen, key=int)
        votes.append(PbVote(voter_id=str(index), vote=vote, extra={"receipt": receipt}))
    meta = {
        "description": f"{budget_round.title} ({budget_round.committee.name})",
        "country": "Denmark",
        "unit": budget_round.committee.name,
        "instance": budget_round.slug,
        "num_projects": str(len(projects)),
        "num_votes": str(len(votes)),
        "budget": str(budget_round.pot),
        "vote_type": VOTE_TYPES[style],
        "rule": budget_round.tally_rule,
        "currency": "DKK",
        "ballot_style": style,
    }
    pb_projects = {
        pid: PbProject(id=pid, cost=p.cost, name=p.title.replace(";", ","), extra={})
        for pid, p in projects.items()
    }
    return format_pb(PbInstance(meta=meta, projects=pb_projects, votes=votes))
