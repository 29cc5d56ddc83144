"""Find a resident's local committee from a Copenhagen postcode, area or street name.

Pure lookup over two CSV files shipped in `committees/data/`; no ORM. The files, their
format and the approximations they make are described in their header comments.
"""

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

DATA_DIR = Path(__file__).resolve().parent / "data"
POSTCODES_FILE = DATA_DIR / "copenhagen_postcodes.csv"
AREAS_FILE = DATA_DIR / "copenhagen_areas.csv"

MAX_QUERY_LENGTH = 200
# Danish postcodes run from 1000 (København K) to 9990 (Skagen).
DANISH_POSTCODES = range(1000, 9991)

LookupKind = Literal["postcode", "area", "outside", "unknown", "invalid"]

# A four-digit number standing on its own, optionally written "DK-2300" or "DK 2300".
_POSTCODE_RE = re.compile(r"(?<![\w-])(?:dk[- ]?)?(\d{4})(?![\w-])", re.IGNORECASE)
# House numbers and what follows them in an address: "12", "12B", "12 B", "2. tv", "st. th".
_HOUSE_NUMBER_RE = re.compile(r"\b\d+[a-z]?\b(?:\s+[a-z]\b)?")
# Danish letters and their two-letter spellings are all folded to one vowel, so that
# "Vanløse", "Vanloese" and "Vanlose" give the same key.
_DANISH_FOLDS = (("æ", "a"), ("ø", "o"), ("å", "a"), ("ae", "a"), ("oe", "o"), ("aa", "a"))


@dataclass(frozen=True)
class LookupResult:
    """What a query found.

    `committee_slugs` is empty unless `kind` is "postcode" or "area"; when several committees
    share the postcode or area, the one covering most of it comes first.
    """

    query: str
    kind: LookupKind
    committee_slugs: tuple[str, ...] = ()
    postal_name: str = ""
    postcode: str = ""
    area: str = ""


@dataclass(frozen=True)
class _Postcode:
    postal_name: str
    committee_slugs: tuple[str, ...]


@dataclass(frozen=True)
class _Area:
    name: str
    key: tuple[str, ...]
    committee_slugs: tuple[str, ...]


def find_committees(query: str) -> LookupResult:
    """Find the committees for a postcode, an area or street name, or a full address.

    A postcode anywhere in the query wins over a street or area name in it.
    """
    if not isinstance(query, str):
        return LookupResult(query="", kind="invalid")
    text = query.strip()
    if not text or len(text) > MAX_QUERY_LENGTH or _has_control_characters(text):
        return LookupResult(query=text[:MAX_QUERY_LENGTH], kind="invalid")

    postcode_matches = _POSTCODE_RE.findall(text)
    if postcode_matches:
        # In an address the postcode follows the street: "Amagerbrogade 120, 2300 København S".
        return _postcode_result(text, postcode_matches[-1])

    area = _find_area(text)
    if area is not None:
        return LookupResult(
            query=text, kind="area", committee_slugs=area.committee_slugs, area=area.name
        )
    return LookupResult(query=text, kind="unknown")


def all_committee_slugs() -> frozenset[str]:
    """Every committee slug the postcode and area data refer to."""
    slugs = {slug for entry in _postcodes().values() for slug in entry.committee_slugs}
    slugs.update(slug for area in _areas() for slug in area.committee_slugs)
    return frozenset(slugs)


def postcode_committee_slugs() -> dict[int, tuple[str, ...]]:
    """Each Copenhagen postcode and its committees; neighbouring postcodes are left out."""
    return {
        code: entry.committee_slugs
        for code, entry in sorted(_postcodes().items())
        if entry.committee_slugs
    }


def _postcode_result(text: str, postcode: str) -> LookupResult:
    entry = _postcodes().get(int(postcode))
    if entry is not None and entry.committee_slugs:
        return LookupResult(
            query=text,
            kind="postcode",
            committee_slugs=entry.committee_slugs,
            postal_name=entry.postal_name,
            postcode=postcode,
        )
    if entry is not None or int(postcode) in DANISH_POSTCODES:
        return LookupResult(
            query=text,
            kind="outside",
            postal_name=entry.postal_name if entry else "",
            postcode=postcode,
        )
    return LookupResult(query=text, kind="unknown", postcode=postcode)


def _find_area(text: str) -> _Area | None:
    words = _words(text)
    if not words:
        return None
    compact = "".join(words)
    best: _Area | None = None
    for area in _areas():
        if _contains(words, area.key) and (best is None or len(area.key) > len(best.key)):
            best = area
    if best is not None:
        return best
    # Names run together or split differently: "Islandsbrygge", "Kongensenghave".
    return next((area for area in _areas() if "".join(area.key) == compact), None)


def _contains(words: tuple[str, ...], key: tuple[str, ...]) -> bool:
    size = len(key)
    return any(words[i : i + size] == key for i in range(len(words) - size + 1))


def _words(text: str) -> tuple[str, ...]:
    """Fold case, accents and Danish spellings, drop house numbers, split into words."""
    folded = text.casefold()
    for letters, vowel in _DANISH_FOLDS:
        folded = folded.replace(letters, vowel)
    folded = "".join(
        char for char in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(char)
    )
    folded = _HOUSE_NUMBER_RE.sub(" ", folded)
    return tuple(re.findall(r"[^\W\d_]+", folded))


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) in {"Cc", "Cf", "Cs"} for char in text)


def _data_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        lines = (line for line in file if line.strip() and not line.lstrip().startswith("#"))
        yield from csv.DictReader(lines)


def _slugs(cell: str) -> tuple[str, ...]:
    return tuple(slug.strip() for slug in cell.split("|") if slug.strip())


@cache
def _postcodes() -> dict[int, _Postcode]:
    postcodes: dict[int, _Postcode] = {}
    for row in _data_rows(POSTCODES_FILE):
        first, _, last = row["postcode"].strip().partition("-")
        entry = _Postcode(row["postal_name"].strip(), _slugs(row["committee_slugs"]))
        for code in range(int(first), int(last or first) + 1):
            if code in postcodes:
                raise ValueError(f"{POSTCODES_FILE.name}: postcode {code} is listed twice")
            postcodes[code] = entry
    return postcodes


@cache
def _areas() -> tuple[_Area, ...]:
    areas = []
    keys: set[tuple[str, ...]] = set()
    for row in _data_rows(AREAS_FILE):
        name = row["name"].strip()
        key = _words(name)
        if not key or key in keys:
            raise ValueError(f"{AREAS_FILE.name}: {name!r} is empty or listed twice")
        keys.add(key)
        areas.append(_Area(name, key, _slugs(row["committee_slugs"])))
    return tuple(areas)
