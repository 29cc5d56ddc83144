"""A round's proposals, results and turnout as tables, written as CSV or Excel for its committee.

The tables hold public facts only: no e-mail address, no user, no contact person, and turnout
with the same small-group suppression as the results page. Ballots are not in them at all; the
anonymised ballot file (.pb) is a separate, public download.
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook

from committees.models import BudgetRound
from frontend.text import without_control_characters
from voting import selectors

KINDS = ("proposals", "results", "turnout")
FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    name: str
    header: list[str]
    rows: list[list[object]]


def _proposals(budget_round: BudgetRound) -> Table:
    rows = [
        [
            p.case_number,
            p.title,
            p.state_label,  # a grant application's in the grant's words
            p.category.name if p.category else "",
            p.get_submitter_kind_display(),
            p.organisation_name,
            p.estimated_cost,
            p.revised_cost,
            p.support_count,
            p.submitted_at.date().isoformat() if p.submitted_at else "",
        ]
        for p in selectors.round_public_proposals(budget_round=budget_round)
    ]
    header = [
        _("Case number"),
        _("Title"),
        _("State"),
        _("Category"),
        _("Submitted as"),
        _("Organisation"),
        _("Estimated cost (kr.)"),
        _("Revised cost (kr.)"),
        _("Supporters"),
        _("Submitted"),
    ]
    return Table(_("Proposals"), header, rows)


def _results(budget_round: BudgetRound) -> Table:
    summary = selectors.round_result_summary(budget_round=budget_round)
    rows = [
        [
            row["proposal"].case_number,
            row["proposal"].title,
            row["proposal"].cost,
            row["votes"],
            _("yes") if row["selected_by_rule"] else _("no"),
            _("yes") if row["selected"] else _("no"),
        ]
        for row in summary["rows"]
    ]
    header = [
        _("Case number"),
        _("Title"),
        _("Cost (kr.)"),
        _("Votes"),
        _("Funded by the rule"),
        _("Funded"),
    ]
    return Table(_("Results"), header, rows)


def _turnout(budget_round: BudgetRound) -> Table:
    rows = []
    for breakdown in selectors.round_turnout_groups(budget_round=budget_round):
        for group in breakdown.groups:
            shown = (
                group.count
                if group.count is not None
                else _("fewer than %(n)s") % {"n": breakdown.threshold}
            )
            rows.append([breakdown.title, group.label, shown])
    total = sum(selectors.round_turnout(budget_round=budget_round).values())
    rows.append([_("All voters"), _("All voters"), total])
    return Table(_("Turnout"), [_("Breakdown"), _("Group"), _("Voters")], rows)


def table_for(*, budget_round: BudgetRound, kind: str) -> Table:
    return {"proposals": _proposals, "results": _results, "turnout": _turnout}[kind](budget_round)


def _safe(value: object) -> object:
    """Text without control characters (XML, and so XLSX, cannot hold them; rows stored before
    the forms removed them still have them), and text that a spreadsheet would run as a formula
    kept as text."""
    if isinstance(value, str):
        value = without_control_characters(value)
        if value.startswith(_FORMULA_START):
            return "'" + value
    return "" if value is None else value


def as_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    writer.writerows([_safe(v) for v in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode()  # the BOM lets Excel read the Danish letters


def as_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = table.name[:31]
    sheet.append([_safe(v) for v in table.header])
    for row in table.rows:
        sheet.append([_safe(v) for v in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
