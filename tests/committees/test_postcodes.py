import dataclasses

import pytest

from committees.demo import COPENHAGEN, danish_slug
from committees.postcodes import (
    AREAS_FILE,
    LookupResult,
    all_committee_slugs,
    find_committees,
    postcode_committee_slugs,
)

INDRE_BY = "indre-by-lokaludvalg"
CHRISTIANSHAVN = "christianshavns-lokaludvalg"
OSTERBRO = danish_slug("Østerbro Lokaludvalg")
NORREBRO = danish_slug("Nørrebro Lokaludvalg")
BISPEBJERG = "bispebjerg-lokaludvalg"
VESTERBRO = "vesterbro-lokaludvalg"
VANLOSE = danish_slug("Vanløse Lokaludvalg")
BRONSHOJ_HUSUM = danish_slug("Brønshøj-Husum Lokaludvalg")
AMAGER_OST = danish_slug("Amager Øst Lokaludvalg")
AMAGER_VEST = "amager-vest-lokaludvalg"

COMMITTEE_SLUGS = {danish_slug(name) for names in COPENHAGEN.values() for name in names}


def test_a_postcode_of_one_committee():
    result = find_committees("2100")

    assert result == LookupResult(
        query="2100",
        kind="postcode",
        committee_slugs=(OSTERBRO,),
        postal_name="København Ø",
        postcode="2100",
    )


def test_a_shared_postcode_lists_the_main_committee_first():
    result = find_committees("2400")

    assert result.kind == "postcode"
    assert result.committee_slugs == (BISPEBJERG, NORREBRO)
    assert result.postal_name == "København NV"


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("1050", (INDRE_BY,)),
        ("1401", (CHRISTIANSHAVN,)),
        ("1448", (CHRISTIANSHAVN,)),
        ("1456", (INDRE_BY,)),
        ("1711", (VESTERBRO,)),
        ("1799", (VESTERBRO,)),
        ("2150", (OSTERBRO,)),
    ],
)
def test_postcodes_inside_ranges(query, slugs):
    result = find_committees(query)

    assert (result.kind, result.committee_slugs) == ("postcode", slugs)


@pytest.mark.parametrize(
    "query", ["2300", " 2300 ", "2300 København S", "DK-2300", "dk 2300", "2300 Kobenhavn S"]
)
def test_postcode_spellings(query):
    result = find_committees(query)

    assert result.kind == "postcode"
    assert result.postcode == "2300"
    assert result.committee_slugs == (AMAGER_VEST, AMAGER_OST)
    assert result.query == query.strip()


@pytest.mark.parametrize(
    ("query", "postal_name"),
    [("8000", ""), ("1850", "Frederiksberg C"), ("2000 Frederiksberg", "Frederiksberg")],
)
def test_postcodes_outside_copenhagen(query, postal_name):
    result = find_committees(query)

    assert result.kind == "outside"
    assert result.committee_slugs == ()
    assert result.postal_name == postal_name


@pytest.mark.parametrize("query", ["9999", "0999", "Aarhus Centrum", "blah", "123"])
def test_unknown_queries(query):
    result = find_committees(query)

    assert result.kind == "unknown"
    assert result.committee_slugs == ()


@pytest.mark.parametrize(
    ("query", "area", "slugs"),
    [
        ("Islands Brygge", "Islands Brygge", (AMAGER_VEST,)),
        ("islands brygge 12", "Islands Brygge", (AMAGER_VEST,)),
        ("Islands Brygge 12B, 3. tv", "Islands Brygge", (AMAGER_VEST,)),
        ("islandsbrygge", "Islands Brygge", (AMAGER_VEST,)),
        ("Vanløse", "Vanløse", (VANLOSE,)),
        ("vanloese", "Vanløse", (VANLOSE,)),
        ("VANLOSE", "Vanløse", (VANLOSE,)),
        ("Oesterbro", "Østerbro", (OSTERBRO,)),
        ("Noerrebrogade 30", "Nørrebrogade", (NORREBRO,)),
        ("Broenshoej Torv", "Brønshøj Torv", (BRONSHOJ_HUSUM,)),
        ("Raadhuspladsen", "Rådhuspladsen", (INDRE_BY,)),
        ("Refshaleoen", "Refshaleøen", (CHRISTIANSHAVN,)),
        ("Jagtvej 69", "Jagtvej", (NORREBRO, OSTERBRO)),
        ("Valby Langgade 1", "Valby Langgade", ("valby-lokaludvalg",)),
    ],
)
def test_area_and_street_names(query, area, slugs):
    result = find_committees(query)

    assert (result.kind, result.area, result.committee_slugs) == ("area", area, slugs)


def test_the_postcode_wins_in_an_address():
    result = find_committees("Amagerbrogade 120, 2300 København S")

    assert result.kind == "postcode"
    assert result.committee_slugs == (AMAGER_VEST, AMAGER_OST)


def test_a_postcode_outside_copenhagen_wins_over_a_street_name():
    assert find_committees("Vesterbrogade 10, 1850 Frederiksberg C").kind == "outside"


@pytest.mark.parametrize(
    "query", ["", "   ", "x" * 201, "2300\x00", "Nyhavn\n2", "Nyhavn\u200b", None]
)
def test_invalid_queries(query):
    result = find_committees(query)

    assert result.kind == "invalid"
    assert result.committee_slugs == ()
    assert len(result.query) <= 200


def test_a_query_of_200_characters_is_accepted():
    assert find_committees("Nyhavn" + " " * 190 + "2100").kind == "postcode"


def test_results_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        find_committees("2100").kind = "area"


def test_every_slug_in_the_data_is_a_committee():
    assert len(COMMITTEE_SLUGS) == 12
    assert all_committee_slugs() <= COMMITTEE_SLUGS


def test_every_committee_has_a_postcode_and_an_area():
    with_postcode = {slug for slugs in postcode_committee_slugs().values() for slug in slugs}
    with_area = {slug for name in _area_names() for slug in find_committees(name).committee_slugs}

    assert with_postcode == COMMITTEE_SLUGS
    assert with_area == COMMITTEE_SLUGS


def test_every_area_name_finds_itself():
    for name in _area_names():
        assert find_committees(name).area == name


def test_postcode_data_has_no_duplicates_within_a_row():
    for slugs in postcode_committee_slugs().values():
        assert len(set(slugs)) == len(slugs)


def _area_names():
    with AREAS_FILE.open(encoding="utf-8") as file:
        rows = [line for line in file if line.strip() and not line.startswith("#")]
    return [row.split(",", 1)[0] for row in rows[1:]]


def test_every_kobenhavn_k_and_v_postcode_has_a_committee():
    postcodes = postcode_committee_slugs()

    assert all(code in postcodes for code in range(1000, 1800))
