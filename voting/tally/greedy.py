"""Greedy (pabutools ``greedy_utilitarian_welfare``).

Projects in order of decreasing score (ties broken as in :mod:`voting.tally.election`); each one
is funded if its cost fits in what is left. With utility "cost" the score is the votes (points
for cumulative ballots), as municipalities count; with "points" it is the votes per unit of cost.
Projects nobody voted for score 0 and are funded last if money remains.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import chain

from voting.tally.election import approval_lists, check_projects
from voting.tally.outcome import Explanation, Outcome
from voting.tally.utility import Utility


def greedy(
    *,
    costs: Mapping[str, int],
    budget: int,
    ballots: Sequence[Mapping[str, int]],
    utility: Utility = "cost",
) -> Outcome:
    """Fund projects by decreasing score while they fit in the budget."""
    ids = check_projects(costs, budget, utility)
    score = dict.fromkeys(ids, 0)
    chosen = approval_lists(ballots)
    votes = None if chosen is None else Counter(chain.from_iterable(chosen))
    if votes is not None and votes.keys() <= score.keys():
        score.update(votes)  # approval ballots: a project's score is its number of votes
    else:
        add_values(score, ballots)

    if utility == "cost":
        order = sorted(ids, key=lambda p: -score[p])  # stable: ties stay in id order
    else:
        from fractions import Fraction  # exact ratios; only this utility needs them

        order = sorted(ids, key=lambda p: -Fraction(score[p], costs[p]))

    remaining = budget
    selected: list[str] = []
    explanations: dict[str, Explanation] = {}
    for rank, project in enumerate(order, start=1):
        cost = costs[project]
        explanation: Explanation = {
            "rank": rank,
            "score": score[project],
            "cost": cost,
            "remaining_before": remaining,
        }
        if cost <= remaining:
            remaining -= cost
            selected.append(project)
            explanation["status"] = "funded"
        else:
            explanation["status"] = "not_funded"
            explanation["reason"] = "exceeds_remaining_budget"
        explanations[project] = explanation
    return Outcome(
        rule="greedy",
        selected=selected,
        total_cost=budget - remaining,
        explanations=explanations,
        details={"budget": budget, "utility": utility, "voters": len(ballots)},
    )


def add_values(score: dict[str, int], ballots: Sequence[Mapping[str, int]]) -> None:
    """Add each ballot's values to the projects' scores, checking every value."""
    try:
        for ballot in ballots:
            for project, value in ballot.items():
                if value.__class__ is not int or value < 0:
                    raise ValueError(f"ballot value for {project!r} must be an integer >= 0")
                score[project] += value
    except KeyError as error:
        raise ValueError(f"ballot names unknown project {error.args[0]!r}") from None
    except AttributeError:
        raise ValueError("each ballot must map project ids to integers") from None
