"""The recount of a pabulib file: what `python -m voting.tally` and `manage.py pb_tally` print.

Both commands call :func:`recount`; the first prints its text, the second only adapts
:class:`RecountError` to Django's ``CommandError``. Neither configures Django.
"""

import json

from voting.tally.equal_shares import mes, mes_add1
from voting.tally.greedy import greedy
from voting.tally.pabulib import PbFormatError, read_pb
from voting.tally.utility import UTILITIES, default_utility

RULES = {"greedy": greedy, "mes": mes, "mes_add1": mes_add1}
RULE_NAMES = sorted(RULES)
UTILITY_NAMES = list(UTILITIES)
# Vote types whose ballots the rules read (ordinal files are not: their Borda points differ).
SUPPORTED_VOTE_TYPES = frozenset({"approval", "cumulative", "choose-1", "knapsack", "scoring"})
HELP = "Tally a pabulib .pb file (approval or cumulative) with one of the platform's tally."
UTILITY_HELP = (
    "what a project is worth to a voter: cost (votes x cost) or points (the votes themselves); "
    "default: points for Equal Shares on cumulative and scoring files, cost otherwise"
)


class RecountError(Exception):
    """The file cannot be recounted; the message says why, starting with the file's path."""


def recount(path: str, *, rule: str, utility: str | None = None, as_json: bool = False) -> str:
    """The outcome of ``rule`` on the ``.pb`` file at ``path``, as text lines or one JSON object.

    ``utility`` None means the default for the file's vote_type (see ``default_utility``).
    """
    try:
        instance = read_pb(path)
    except FileNotFoundError as exc:
        raise RecountError(f"{path}: no such file") from exc
    except PbFormatError as exc:
        raise RecountError(f"{path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise RecountError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    if instance.vote_type not in SUPPORTED_VOTE_TYPES:
        raise RecountError(
            f"{path}: vote_type {instance.vote_type!r} is not supported "
            "(approval, cumulative, knapsack and choose-1 files are)"
        )
    if utility is None:
        utility = default_utility(rule=rule, ballot_kind=instance.vote_type)
    try:
        outcome = RULES[rule](
            costs=instance.costs(),
            budget=instance.budget,
            ballots=instance.ballots(),
            utility=utility,
        )
    except ValueError as exc:
        raise RecountError(f"{path}: {exc}") from exc
    result = {"rule": rule, "selected": outcome.selected, "total_cost": outcome.total_cost}
    if as_json:
        return json.dumps(result, ensure_ascii=False)
    return "\n".join(
        [
            f"Rule: {result['rule']}",
            f"Selected ({len(outcome.selected)}): {', '.join(outcome.selected)}",
            f"Total cost: {outcome.total_cost} of {instance.budget}",
        ]
    )
