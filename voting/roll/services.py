"""Writes of the voter roll: reading the municipality's extract into a round's roll.

The extract is a CSV file with a header row (UTF-8; comma or semicolon between columns, as
Excel saves it in Danish), one person per line. Columns, in any order, by these names:

- `cpr` (also `cpr_nr`, `cprnr`): the CPR number, ten digits, with or without the dash;
- `birth_date` (also `fødselsdato`, `foedselsdato`): 1990-01-31, 31-01-1990 or 31.01.1990;
- `address` (also `adresse`): the address as the letter is to be sent to;
- `area` (also `område`, `omraade`, `bydel`): the name of the district the person lives in.

`cpr` and `birth_date` are required on every line, and `address` or `area`. Other columns
(a name, say) are ignored and never stored. The CPR number becomes the person's voter key in
the round as the line is read; it is never stored, logged or repeated in an error. A file with
any bad line is refused as a whole, with every bad line named: nothing is half-imported.
"""

import csv
import datetime
import io
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import BudgetRound, District
from committees.services import audit_record
from voting import keys
from voting.models import RollEntry, VotingConfig
from voting.services import voting_districts

COLUMNS = {
    "cpr": ("cpr", "cpr_nr", "cprnr", "cpr-nr", "cpr-nummer"),
    "birth_date": ("birth_date", "fødselsdato", "foedselsdato"),
    "address": ("address", "adresse"),
    "area": ("area", "område", "omraade", "bydel"),
}
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
MAX_PROBLEMS = 50  # a file wrong throughout is named by its first lines, not by every line


def roll_csv_rows(data: bytes) -> tuple[list[dict[str, str]], list[int]]:
    """The extract's rows under the column names above, and the line number of each."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.")
        ) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise ValidationError(_("The file is empty."))
    names = {}
    for index, cell in enumerate(header):
        name = cell.strip().lower()
        for column, aliases in COLUMNS.items():
            if name in aliases:
                names[index] = column
    found = set(names.values())
    missing = [c for c in ("cpr", "birth_date") if c not in found]
    if missing or not found & {"address", "area"}:
        raise ValidationError(
            _(
                "Line 1 must name the columns: cpr, birth_date and address or area "
                "(found: %(found)s)."
            )
            % {"found": ", ".join(cell.strip() for cell in header) or "-"}
        )
    rows, lines = [], []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines between people mean nothing
        rows.append({names[i]: cell.strip() for i, cell in enumerate(cells) if i in names})
        lines.append(reader.line_num)
    return rows, lines


def _birth_date(value: str) -> datetime.date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _areas() -> dict[str, District]:
    found = {}
    for district in District.objects.all():
        found[district.name.casefold()] = district
        found[district.slug.casefold()] = district
    return found


def _read_row(
    row: dict[str, str], *, areas: dict[str, District], allowed: set[int], today: datetime.date
) -> tuple[str, datetime.date, str, District | None]:
    """One line's CPR digits, birth date, address and area, or a ValidationError saying why."""
    digits = "".join(ch for ch in row.get("cpr", "") if ch not in " -")
    birth = _birth_date(row.get("birth_date", ""))
    address = row.get("address", "")
    area_name = row.get("area", "")
    area = areas.get(area_name.casefold()) if area_name else None
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        raise ValidationError(_("the CPR number must have ten digits, e.g. 010190-1234."))
    if birth is None:
        raise ValidationError(_("the birth date must be written as 1990-01-31 or 31-01-1990."))
    if birth > today:
        raise ValidationError(_("the birth date is in the future."))
    if digits[:6] != birth.strftime("%d%m%y"):
        raise ValidationError(_("the CPR number does not match the birth date."))
    if not (address or area_name):
        raise ValidationError(_("give the address or the area."))
    if len(address) > 200:
        raise ValidationError(_("the address can be at most 200 characters."))
    if area_name and area is None:
        raise ValidationError(_("there is no area called “%(area)s”.") % {"area": area_name})
    if area is not None and area.pk not in allowed:
        raise ValidationError(_("%(area)s is not one of the round's areas.") % {"area": area.name})
    return digits, birth, address, area


def roll_import(
    *,
    budget_round: BudgetRound,
    rows: Sequence[dict[str, str]],
    lines: Sequence[int] | None = None,
    actor=None,
) -> int:
    """Put the extract's people on the round's roll, all of them or none; how many were added.

    `lines`: the file's line number of each row, for the errors (default: a header, then rows).
    """
    lines = list(lines) if lines is not None else list(range(2, len(rows) + 2))
    config = VotingConfig.objects.filter(budget_round=budget_round).first()
    if config is not None and config.personal_data_purged_at is not None:
        raise ValidationError(_("The round's personal data has been deleted: no roll any more."))
    if timezone.now() >= budget_round.voting_end:
        raise ValidationError(_("Voting has closed in this round: its roll can no longer change."))
    if not rows:
        raise ValidationError(_("The file has no people in it, only the header line."))
    areas, allowed = _areas(), voting_districts(budget_round)
    today = timezone.localdate()
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}  # voter key -> line
    entries: list[RollEntry] = []
    for line, row in zip(lines, rows, strict=True):
        try:
            digits, birth, address, area = _read_row(row, areas=areas, allowed=allowed, today=today)
        except ValidationError as exc:
            problems.append((line, exc.messages[0]))
            continue
        person = keys.person_key(national_id=digits)
        voter_key = keys.voter_key(round_id=budget_round.pk, person=person)
        if voter_key in seen:
            problems.append(
                (line, _("the same CPR number as line %(line)d.") % {"line": seen[voter_key]})
            )
            continue
        seen[voter_key] = line
        entries.append(
            RollEntry(
                budget_round=budget_round,
                voter_key=voter_key,
                birth_date=birth,
                address=address,
                area=area,
            )
        )
    already = RollEntry.objects.filter(budget_round=budget_round, voter_key__in=list(seen))
    for voter_key in already.values_list("voter_key", flat=True):
        problems.append((seen[voter_key], _("this person is already on the round's roll.")))
    if problems:
        problems.sort()
        messages = [
            _("Line %(line)d: %(problem)s") % {"line": line, "problem": problem}
            for line, problem in problems[:MAX_PROBLEMS]
        ]
        if len(problems) > MAX_PROBLEMS:
            messages.append(
                _("… and %(count)d more lines with problems.")
                % {"count": len(problems) - MAX_PROBLEMS}
            )
        raise ValidationError(messages, code="invalid_roll")
    try:
        with transaction.atomic():
            RollEntry.objects.bulk_create(entries, batch_size=2000)
            audit_record(
                actor=actor,
                action="voting.roll_import",
                obj=budget_round,
                committee_id=budget_round.committee_id,
                data={"count": len(entries)},
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Some of these people were put on the roll a moment ago. Import the file again.")
        ) from exc
    return len(entries)
