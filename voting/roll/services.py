"""Writes of the voter roll: reading the municipality's extract into a round's roll.

The extract is a CSV file with a header row (UTF-8; comma or semicolon between columns, as
Excel saves it in Danish), one person per line. Columns, in any order, by these names:

- `cpr` (also `cpr_nr`, `cprnr`): the CPR number, ten digits, with or without the dash;
- `birth_date` (also `fødselsdato`, `foedselsdato`): 1990-01-31, 31-01-1990 or 31.01.1990;
- `address` (also `adresse`): the address as the letter is to be sent to;
- `access_address_id` (also `adgangsadresseid`): the address register's id of the person's
  access address, looked up in the imported address list (`manage.py address_import`);
- `street`, `house_number`, `postcode` (also `vejnavn`, `husnr`, `postnr`): the same address
  in parts, looked up in the address list; a postcode alone only where one committee has it;
- `area` (also `område`, `omraade`, `lokaludvalg`): the committee area the person lives in,
  by its name or slug (e.g. "Christianshavns Lokaludvalg"), not the district.

`cpr` and `birth_date` are required on every line, and enough to tell the person's committee
area: an address found in the address list, a postcode that only one committee has (written
in `postcode` or in the letter's `address`), or `area`. Nothing is guessed: a postcode that
several committees share, without an address in the list or an `area`, is refused naming the
line, and so is a person who lives outside the round's areas. Other columns (a name, say) are
ignored and never stored. The CPR number becomes the person's voter key in
the round as the line is read; it is never stored, logged or repeated in an error. A file with
any bad line is refused as a whole, with every bad line named: nothing is half-imported.
"""

import csv
import datetime
import io
import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.areas import address_find, committee_areas_of_postcode
from committees.models import Address, Area, BudgetRound
from committees.services import audit_record
from voting import keys
from voting.models import RollEntry, VotingConfig
from voting.services import round_admits_residence, voting_area_names

COLUMNS = {
    "cpr": ("cpr", "cpr_nr", "cprnr", "cpr-nr", "cpr-nummer"),
    "birth_date": ("birth_date", "fødselsdato", "foedselsdato"),
    "address": ("address", "adresse"),
    "access_address_id": ("access_address_id", "adgangsadresseid", "adgangsadresse_id"),
    "street": ("street", "vejnavn"),
    "house_number": ("house_number", "husnr", "husnummer"),
    "postcode": ("postcode", "postnr", "postnummer"),
    "area": ("area", "område", "omraade", "lokaludvalg"),
}
PLACE_COLUMNS = ("address", "access_address_id", "street", "postcode", "area")
# The postcode in a written address: four digits opening the address or following a comma,
# as in "Øster Allé 1, 2100 København Ø".
POSTCODE_IN_ADDRESS = re.compile(r"(?:^|,)\s*(?:DK-?\s*)?(\d{4})\b", re.IGNORECASE)
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
    if any(cell.strip().lower() == "bydel" for cell in header):
        raise ValidationError(
            _(
                "Line 1: the column “bydel” names districts, and a district may have several "
                "committees. Name the committee area in a column “area” (or “lokaludvalg”), "
                "or give the addresses."
            )
        )
    missing = [c for c in ("cpr", "birth_date") if c not in found]
    if missing or not found & set(PLACE_COLUMNS):
        raise ValidationError(
            _(
                "Line 1 must name the columns: cpr, birth_date and address, "
                "access_address_id, postcode or area (found: %(found)s)."
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


def _committee_areas() -> dict[str, list[Area]]:
    """Committee areas by name and by slug, casefolded; a name may in theory be two areas'."""
    found: dict[str, list[Area]] = {}
    for area in Area.objects.filter(kind=Area.Kind.COMMITTEE).select_related("committee"):
        for key in {area.name.casefold(), area.slug.casefold()}:
            found.setdefault(key, []).append(area)
    return found


def _residence(row: dict[str, str], *, areas: dict[str, list[Area]]) -> tuple[Area, Address | None]:
    """The committee area a line's person lives in (and their address, when in the list).

    Refused, never guessed: an address not in the list, a postcode of several committees
    without an address or area, an address and an area that disagree."""
    named = None
    area_name = row.get("area", "")
    if area_name:
        found = areas.get(area_name.casefold(), [])
        if not found:
            raise ValidationError(
                _("there is no committee area called “%(area)s”.") % {"area": area_name}
            )
        if len(found) > 1:
            raise ValidationError(
                _("several committee areas are called “%(area)s”: write its slug.")
                % {"area": area_name}
            )
        named = found[0]
    address = None
    access_id = row.get("access_address_id", "")
    street, number = row.get("street", ""), row.get("house_number", "")
    postcode = row.get("postcode", "")
    if access_id:
        address = address_find(access_address_id=access_id)
        if address is None:
            raise ValidationError(
                _("no address in the address list has the access address id %(id)s.")
                % {"id": access_id[:40]}
            )
    elif street and number and postcode:
        address = address_find(street=street, house_number=number, postcode=postcode)
    if address is not None:
        if address.area is None:
            raise ValidationError(
                _("the address %(address)s lies outside every committee area.")
                % {"address": address}
            )
        if named is not None and named.pk != address.area_id:
            raise ValidationError(
                _("the address lies in %(found)s, not in %(named)s.")
                % {"found": address.area.name, "named": named.name}
            )
        return address.area, address
    if named is not None:
        return named, None
    if not postcode:
        match = POSTCODE_IN_ADDRESS.search(row.get("address", ""))
        postcode = match.group(1) if match else ""
    if not postcode:
        raise ValidationError(
            _("give the committee area, the access address id or the address with its postcode.")
        )
    candidates = committee_areas_of_postcode(postcode)
    if len(candidates) > 1:
        raise ValidationError(
            _(
                "the postcode %(postcode)s is shared by %(areas)s: give the access address id, "
                "an address in the address list or the committee area."
            )
            % {"postcode": postcode, "areas": ", ".join(a.name for a in candidates)}
        )
    if not candidates:
        raise ValidationError(
            _("the postcode %(postcode)s is in no committee area.") % {"postcode": postcode}
        )
    return candidates[0], None


def _read_row(
    row: dict[str, str],
    *,
    areas: dict[str, list[Area]],
    budget_round: BudgetRound,
    today: datetime.date,
) -> tuple[str, datetime.date, str, Area]:
    """One line's CPR digits, birth date, address and committee area, or a ValidationError."""
    digits = "".join(ch for ch in row.get("cpr", "") if ch not in " -")
    birth = _birth_date(row.get("birth_date", ""))
    address = row.get("address", "")
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        raise ValidationError(_("the CPR number must have ten digits, e.g. 010190-1234."))
    if birth is None:
        raise ValidationError(_("the birth date must be written as 1990-01-31 or 31-01-1990."))
    if birth > today:
        raise ValidationError(_("the birth date is in the future."))
    if digits[:6] != birth.strftime("%d%m%y"):
        raise ValidationError(_("the CPR number does not match the birth date."))
    if not any(row.get(column) for column in PLACE_COLUMNS):
        raise ValidationError(_("give the address or the area."))
    if len(address) > 200:
        raise ValidationError(_("the address can be at most 200 characters."))
    home, listed = _residence(row, areas=areas)
    if not round_admits_residence(budget_round=budget_round, home=home, address=listed):
        raise ValidationError(
            _("%(area)s is not one of the round's areas (%(areas)s).")
            % {"area": home.name, "areas": voting_area_names(budget_round)}
        )
    if not address and listed is not None:
        address = str(listed)[:200]
    return digits, birth, address, home


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
    areas = _committee_areas()
    today = timezone.localdate()
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}  # voter key -> line
    entries: list[RollEntry] = []
    for line, row in zip(lines, rows, strict=True):
        try:
            digits, birth, address, area = _read_row(
                row, areas=areas, budget_round=budget_round, today=today
            )
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
