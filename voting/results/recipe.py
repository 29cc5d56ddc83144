"""The recount recipe on the results page: commands anyone can paste to recount a round.

Two independent recounts of the published ballot file: the platform's own tally, and pabutools
as a second opinion. Everything the round decides (the rule, the utility, the satisfaction
class) is settled here, so the page shows plain commands with no conditions left in them, in
short lines that fit a phone, and both print each funded project's name beside its id.
"""

from dataclasses import dataclass

# Our rule -> pabutools' rule function, and the keyword arguments it needs besides sat_class.
PABUTOOLS_RULES = {
    "greedy": ("greedy_utilitarian_welfare", []),
    "mes": ("method_of_equal_shares", []),
    "mes_add1": ("method_of_equal_shares", ["voter_budget_increment=1"]),
}


@dataclass(frozen=True)
class Recipe:
    file_name: str
    tally: str  # the platform's own recount, one command
    pabutools: str  # installing pabutools, then a short script


def satisfaction_class(*, utility: str, ballot_style: str) -> str:
    """pabutools' name for the utility the round was counted with."""
    if utility == "cost":
        return "Cost_Sat"
    if ballot_style == "cumulative":
        return "Additive_Cardinal_Sat"
    return "Cardinality_Sat"


def recount_recipe(*, slug: str, rule: str, utility: str, ballot_style: str) -> Recipe:
    file_name = f"{slug}.pb"
    function, extra = PABUTOOLS_RULES[rule]
    sat = satisfaction_class(utility=utility, ballot_style=ballot_style)
    script = "\n".join(
        [
            "pip install pabutools",
            "python - <<'END'",
            "from pabutools.election import parse_pabulib",
            f"from pabutools.election import {sat}",
            f"from pabutools.rules import {function}",
            f'instance, profile = parse_pabulib("{file_name}")',
            f"winners = {function}(",
            *(
                f"    {argument},"
                for argument in ["instance", "profile", f"sat_class={sat}", *extra]
            ),
            ")",
            "for project in sorted(winners, key=str):",
            '    name = instance.project_meta[project].get("name", "")',
            '    print(project, name, sep="  ")',
            "END",
        ]
    )
    tally = f"python -m voting.tally {file_name} \\\n    --rule {rule} --utility {utility}"
    return Recipe(file_name=file_name, tally=tally, pabutools=script)
