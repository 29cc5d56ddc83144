"""The recount of a pabulib file: what `python -m voting.tally` and `manage.py pb_tally` print.

Both commands call :func:`recount`; the first prints its text, the second only adapts
:class:`RecountError` to Django's ``CommandError``. Neither configures Django.
"""

from voting.tally.pabulib import PbFormatError, read_ballots
from voting.tally.utility import UTILITIES, default_utility

RULE_NAMES = ["greedy", "mes", "mes_add1"]
UTILITY_NAMES = list(UTILITIES)
# Vote types whose ballots the rules read (ordinal files are not: their Borda points differ).
SUPPORTED_VOTE_TYPES = frozenset({"approval", "cumulative", "choose-1", "knapsack", "scoring"})
HELP = "Tally a pabulib .pb file (approval or cumulative) with one of the platform's tally."
UTILITY_HELP = (
    "what a project is worth to a voter: cost (votes x cost) or points (the votes themselves); "
    "default: points for Equal Shares on cumulative and scoring files, cost otherwise"
)


# How json.dumps(..., ensure_ascii=False) writes a character inside a string, where not as itself.
JSON_ESCAPES = {
    **{code: f"\\u{code:04x}" for code in range(0x20)},
    **{
        ord(char): f"\\{escaped}" for char, escaped in zip('"\\\b\f\n\r\t', '"\\bfnrt', strict=True)
    },
}


class RecountError(Exception):
    """The file cannot be recounted; the message says why, starting with the file's path."""


def recount(path: str, *, rule: str, utility: str | None = None, as_json: bool = False) -> str:
    """The outcome of ``rule`` on the ``.pb`` file at ``path``, as text lines or one JSON object.

    ``utility`` None means the default for the file's vote_type (see ``default_utility``).
    """
    try:
        instance = read_ballots(path)  # no record per voter: the rules only read the ballots
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
    # Only the chosen rule is imported: a recount is a short process, start-up counts.
    if rule == "greedy":
        from voting.tally.greedy import greedy as count
    elif rule in RULE_NAMES:
        from voting.tally import equal_shares

        count = getattr(equal_shares, rule)
    else:
        raise KeyError(rule)
    try:
        outcome = count(
            costs=instance.costs(),
            budget=instance.budget,
            ballots=instance.ballots,
            utility=utility,
        )
    except ValueError as exc:
        raise RecountError(f"{path}: {exc}") from exc
    result = {"rule": rule, "selected": outcome.selected, "total_cost": outcome.total_cost}
    if as_json:
        return json_text(result)
    return "\n".join(
        [
            f"Rule: {result['rule']}",
            f"Selected ({len(outcome.selected)}): {', '.join(outcome.selected)}",
            # Each id with its name, so that a reader can check the winners without the file.
            *(_named(pid, instance.projects[pid].name) for pid in outcome.selected),
            f"Total cost: {outcome.total_cost} of {instance.budget}",
        ]
    )


def _named(project_id: str, name: str) -> str:
    return f"  {project_id}: {name}" if name else f"  {project_id}"


def json_text(result: dict[str, object]) -> str:
    """``json.dumps(result, ensure_ascii=False)`` of the recount's result (strings, a list of
    strings, integers), without importing json: a recount is a short process."""
    items = []
    for key, value in result.items():
        if value.__class__ is str:
            text = _json_string(value)
        elif value.__class__ is int:
            text = str(value)
        else:
            text = "[" + ", ".join(map(_json_string, value)) + "]"
        items.append(f"{_json_string(key)}: {text}")
    return "{" + ", ".join(items) + "}"


def _json_string(text: str) -> str:
    return '"' + text.translate(JSON_ESCAPES) + '"'
