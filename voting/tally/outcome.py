"""What a tally rule returns: the funded projects and why each project was or wasn't funded."""

from voting.tally.records import FrozenRecord

Explanation = dict[str, object]


class Outcome(FrozenRecord):
    """The projects a rule funds, in selection order, and why each project was or wasn't funded.

    ``explanations`` maps every project id to a dict with a ``status`` ("funded" or "not_funded")
    and rule-specific figures; amounts of money that need not be whole are floats. ``details``
    holds figures about the run as a whole, among them the ``utility`` the rule counted with.
    """

    _fields = ("rule", "selected", "total_cost", "explanations", "details")
    rule: str
    selected: list[str]
    total_cost: int
    explanations: dict[str, Explanation]
    details: dict[str, object]

    def __init__(
        self,
        rule: str,
        selected: list[str],
        total_cost: int,
        explanations: dict[str, Explanation],
        details: dict[str, object] | None = None,
    ) -> None:
        set_field = object.__setattr__
        set_field(self, "rule", rule)
        set_field(self, "selected", selected)
        set_field(self, "total_cost", total_cost)
        set_field(self, "explanations", explanations)
        set_field(self, "details", {} if details is None else details)
