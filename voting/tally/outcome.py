"""What a tally rule returns: the funded projects and why each project was or wasn't funded."""

from dataclasses import dataclass, field

Explanation = dict[str, object]


@dataclass(frozen=True)
class Outcome:
    """The projects a rule funds, in selection order, and why each project was or wasn't funded.

    ``explanations`` maps every project id to a dict with a ``status`` ("funded" or "not_funded")
    and rule-specific figures; amounts of money that need not be whole are floats. ``details``
    holds figures about the run as a whole, among them the ``utility`` the rule counted with.
    """

    rule: str
    selected: list[str]
    total_cost: int
    explanations: dict[str, Explanation]
    details: dict[str, object] = field(default_factory=dict)
