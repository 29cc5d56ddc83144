"""Areas and addresses: where a resident lives, and which rounds' areas admit them.

An address resolves to exactly one committee area, by point-in-polygon over the areas'
boundaries (`committees.geometry`), when it is imported. A resident known by an address is in
that address's area. A resident known only by a postcode that several committees share is never
placed in the first of them: `residence_resolve` returns the areas to choose from, and the
resident (online) or the polling staff (at a station) chooses.

The official sources are the municipality's address list (access addresses, from the Danish
address register) and its committee boundaries as GeoJSON; `manage.py address_import` and
`manage.py area_import` load them. Each import checks every line first and writes nothing when
one is wrong.
"""

import csv
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committees.geometry import GeometryError, contains, geometry_check
from committees.models import Address, Area, BudgetRound, Committee
from committees.postcodes import find_committees
from committees.services import audit_record

# Column names of an address file: our own, or those of the register's (DAWA) CSV export.
ADDRESS_COLUMNS = {
    "access_address_id": ("access_address_id", "id", "adgangsadresseid"),
    "street": ("street", "vejnavn"),
    "house_number": ("house_number", "husnr"),
    "postcode": ("postcode", "postnr"),
    "longitude": ("longitude", "wgs84koordinat_længde", "wgs84koordinat_laengde"),
    "latitude": ("latitude", "wgs84koordinat_bredde"),
}


class AreaDataError(ValidationError):
    """An import file with problems; `problems` names each line. Nothing was written."""

    def __init__(self, problems: list[str]):
        super().__init__(problems, code="import")
        self.problems = problems


def nothing_imported(problems: int) -> str:
    """The last line an import command prints after naming each problem."""
    return ngettext(
        "Nothing was imported: %(count)d problem.",
        "Nothing was imported: %(count)d problems.",
        problems,
    ) % {"count": problems}


# --- Resolving where someone lives -------------------------------------------------------------


def areas_containing(areas: Iterable[Area], longitude: float, latitude: float) -> list[Area]:
    """The areas (with a boundary) whose boundary contains the point."""
    return [
        area for area in areas if area.boundary and contains(area.boundary, longitude, latitude)
    ]


def committee_areas_of_postcode(postcode: str) -> list[Area]:
    """The committee areas a postcode touches, in the postcode list's order (most residents
    first). More than one means the postcode alone does not say where someone lives."""
    slugs = find_committees(postcode).committee_slugs if postcode else ()
    found = {
        area.committee.slug: area
        for area in Area.objects.filter(
            kind=Area.Kind.COMMITTEE, committee__slug__in=slugs
        ).select_related("committee__district")
    }
    return [found[slug] for slug in slugs if slug in found]


def address_find(
    *, access_address_id: str = "", street: str = "", house_number: str = "", postcode: str = ""
) -> Address | None:
    """An imported address by its register id, or by street, house number and postcode."""
    if access_address_id:
        try:
            key = uuid.UUID(str(access_address_id).strip("{} "))
        except ValueError:
            return None
        return Address.objects.select_related("area").filter(access_address_id=key).first()
    if street and house_number and postcode:
        return (
            Address.objects.select_related("area")
            .filter(
                street__iexact=street.strip(),
                house_number__iexact=house_number.replace(" ", ""),
                postcode=postcode.strip(),
            )
            .first()
        )
    return None


@dataclass(frozen=True)
class Residence:
    """Where a resident lives, as far as the platform can tell.

    `area` is set when the address or postcode gives exactly one committee area; otherwise
    `choices` holds the areas a shared postcode touches, for the resident or staff to choose.
    Both empty: outside every area.
    """

    area: Area | None
    address: Address | None = None
    choices: tuple[Area, ...] = field(default=())


def residence_resolve(*, address: Address | None = None, postcode: str = "") -> Residence:
    if address is not None:
        return Residence(area=address.area, address=address)
    candidates = committee_areas_of_postcode(postcode)
    if len(candidates) == 1:
        return Residence(area=candidates[0])
    return Residence(area=None, choices=tuple(candidates))


def area_admits(*, area: Area, home: Area | None, address: Address | None) -> bool:
    """Whether a resident of `home` (at `address`, when known) lives in `area`.

    A committee area admits its own residents. A local area admits an address on its list or
    inside its boundary; without an address a resident cannot be placed in a local area.
    """
    if area.kind == Area.Kind.COMMITTEE:
        return home is not None and home.pk == area.pk
    if address is None:
        return False
    if area.listed_addresses.filter(pk=address.pk).exists():
        return True
    return bool(area.boundary) and contains(area.boundary, address.longitude, address.latitude)


# --- Importing boundaries ------------------------------------------------------------------------


def _feature_committee(properties: dict, committees: dict[str, Committee]) -> Committee | None:
    for key in ("committee", "lokaludvalg", "navn", "name"):
        value = str(properties.get(key) or "").strip()
        if value and (value in committees or value.casefold() in committees):
            return committees.get(value) or committees[value.casefold()]
    return None


@transaction.atomic
def areas_import(*, collection: dict, demo: bool = False) -> list[Area]:
    """Load area boundaries from a GeoJSON FeatureCollection; all or nothing.

    Each feature names its committee in `properties.committee` (a slug) or by the committee's
    name (`lokaludvalg`, `navn` or `name`). A feature with `"kind": "local"` is a local area in
    that committee, named by `properties.name` (and `slug`); others give the committee's area.
    """
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise AreaDataError([_("The file is not a GeoJSON FeatureCollection.")])
    committees = {}
    for committee in Committee.objects.all():
        committees[committee.slug] = committee
        committees[committee.name.casefold()] = committee
    problems, rows = [], []
    for number, feature in enumerate(collection.get("features") or [], start=1):
        properties = (feature or {}).get("properties") or {}
        committee = _feature_committee(properties, committees)
        if committee is None:
            problems.append(_("Feature %(n)d: no committee of that name or slug.") % {"n": number})
            continue
        try:
            geometry = geometry_check((feature or {}).get("geometry"))
        except GeometryError as exc:
            problems.append(_("Feature %(n)d: %(problem)s") % {"n": number, "problem": exc})
            continue
        rows.append((number, properties, committee, geometry))
    if not rows and not problems:
        problems.append(_("The file has no features."))
    if problems:
        raise AreaDataError(problems)
    areas = []
    for number, properties, committee, geometry in rows:
        if str(properties.get("kind") or "").strip() == Area.Kind.LOCAL:
            name = str(properties.get("name") or "").strip()
            slug = slugify(str(properties.get("slug") or name))[:100]
            if not name or not slug:
                raise AreaDataError(
                    [_("Feature %(n)d: a local area needs a name.") % {"n": number}]
                )
            if Area.objects.filter(slug=slug).exclude(kind=Area.Kind.LOCAL).exists():
                raise AreaDataError(
                    [_("Feature %(n)d: a committee's area has that slug.") % {"n": number}]
                )
            area, _created = Area.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "kind": Area.Kind.LOCAL,
                    "committee": committee,
                    "boundary": geometry,
                    "is_demo": demo,
                },
            )
        else:
            area, _created = Area.objects.update_or_create(
                committee=committee,
                kind=Area.Kind.COMMITTEE,
                defaults={"boundary": geometry, "is_demo": demo},
                create_defaults={
                    "name": committee.name,
                    "slug": committee.slug,
                    "boundary": geometry,
                    "is_demo": demo,
                },
            )
        areas.append(area)
    return areas


# --- Importing addresses -------------------------------------------------------------------------


def _column_map(header: list[str]) -> dict[str, str]:
    present = {name.strip().casefold(): name for name in header}
    found, missing = {}, []
    for column, names in ADDRESS_COLUMNS.items():
        name = next((present[n] for n in names if n in present), None)
        if name is None:
            missing.append(column)
        else:
            found[column] = name
    if missing:
        raise AreaDataError(
            [_("Line 1: missing columns: %(columns)s.") % {"columns": ", ".join(missing)}]
        )
    return found


def _parse_address(row: dict, columns: dict[str, str], line: int) -> dict:
    value = {key: (row.get(name) or "").strip() for key, name in columns.items()}
    problems = []
    try:
        value["access_address_id"] = uuid.UUID(value["access_address_id"].strip("{}"))
    except ValueError:
        problems.append(_("the access address id is not a UUID"))
    if not value["street"] or len(value["street"]) > 100:
        problems.append(_("the street is missing or too long"))
    if not value["house_number"] or len(value["house_number"]) > 10:
        problems.append(_("the house number is missing or too long"))
    if not (len(value["postcode"]) == 4 and value["postcode"].isdigit()):
        problems.append(_("the postcode is not four digits"))
    for key, low, high, problem in (
        ("longitude", -180, 180, _("the longitude is not a number from -180 to 180")),
        ("latitude", -90, 90, _("the latitude is not a number from -90 to 90")),
    ):
        try:
            number = float(value[key].replace(",", "."))
        except ValueError:
            number = None
        if number is None or number != number or not low <= number <= high:
            problems.append(problem)
        else:
            value[key] = number
    if problems:
        raise AreaDataError(
            [_("Line %(line)d: %(problems)s.") % {"line": line, "problems": "; ".join(problems)}]
        )
    return value


@dataclass
class AddressImport:
    imported: int = 0
    outside: int = 0
    by_area: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def addresses_import(*, lines: Iterable[str], demo: bool = False) -> AddressImport:
    """Load access addresses from CSV lines and place each in its committee area; all or nothing.

    Refused, naming the line: a missing column, a bad id, postcode or coordinate, an id listed
    twice, or an address inside two committee areas' boundaries (overlapping boundaries).
    """
    reader = csv.DictReader(line for line in lines if not line.lstrip().startswith("#"))
    if not reader.fieldnames:
        raise AreaDataError([_("The file is empty.")])
    columns = _column_map(reader.fieldnames)
    committee_areas = list(Area.objects.filter(kind=Area.Kind.COMMITTEE).exclude(boundary=None))
    problems, rows, seen = [], [], {}
    for row in reader:
        line = reader.line_num
        try:
            value = _parse_address(row, columns, line)
        except AreaDataError as exc:
            problems.extend(exc.problems)
            continue
        if value["access_address_id"] in seen:
            problems.append(
                _("Line %(line)d: the access address id is also on line %(other)d.")
                % {"line": line, "other": seen[value["access_address_id"]]}
            )
            continue
        seen[value["access_address_id"]] = line
        inside = areas_containing(committee_areas, value["longitude"], value["latitude"])
        if len(inside) > 1:
            problems.append(
                _("Line %(line)d: the address lies in more than one area (%(areas)s).")
                % {"line": line, "areas": ", ".join(a.name for a in inside)}
            )
            continue
        value["area"] = inside[0] if inside else None
        rows.append(value)
    if problems:
        raise AreaDataError(problems)
    report = AddressImport()
    for value in rows:
        Address.objects.update_or_create(
            access_address_id=value.pop("access_address_id"), defaults={**value, "is_demo": demo}
        )
        report.imported += 1
        if value["area"] is None:
            report.outside += 1
        else:
            report.by_area[value["area"].name] = report.by_area.get(value["area"].name, 0) + 1
    return report


def committee_area_of(place) -> Area | None:
    """The committee area meant by `place`: an Area is itself; a District stands for its
    committee's area only when exactly one committee serves it (never the first of two)."""
    if place is None or isinstance(place, Area):
        return place
    areas = list(Area.objects.filter(kind=Area.Kind.COMMITTEE, committee__district=place)[:2])
    return areas[0] if len(areas) == 1 else None


# --- Editing an area in the admin --------------------------------------------------------------


def area_state(area: Area) -> dict:
    """What the audit log keeps of an area before and after an edit."""
    return {
        "name": area.name,
        "slug": area.slug,
        "kind": area.kind,
        "committee": area.committee_id,
        "boundary": area.boundary,
        "listed_addresses": sorted(area.listed_addresses.values_list("pk", flat=True)),
    }


def area_in_running_vote(area: Area) -> bool:
    """Whether a round whose vote has opened admits by this local area: its outline and list
    then decide who may vote, and are frozen like the round's other rules."""
    return BudgetRound.objects.filter(voting_areas=area, voting_start__lte=timezone.now()).exists()


@transaction.atomic
def area_save(*, actor, area: Area, apply) -> Area:
    """Create or edit an area through the admin (`apply()` writes it): refused when a running
    vote admits by it, and recorded with before and after in the audit log."""
    before = None
    if area.pk:
        stored = Area.objects.select_for_update().get(pk=area.pk)
        before = area_state(stored)
        if area_in_running_vote(stored):
            raise ValidationError(
                _("Voting has opened in a round of this area: the area can no longer change.")
            )
    saved = apply()
    after = area_state(Area.objects.get(pk=saved.pk))
    if before is None:
        audit_record(
            actor=actor,
            action="area.create",
            obj=saved,
            committee_id=saved.committee_id,
            data={"state": after},
        )
    else:
        changes = {
            name: [before[name], value] for name, value in after.items() if before[name] != value
        }
        if changes:
            audit_record(
                actor=actor,
                action="area.update",
                obj=saved,
                committee_id=saved.committee_id,
                data={"changes": changes},
            )
    return saved
