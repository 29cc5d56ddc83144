"""The roll in the right area and at the right age: a row is placed in exactly one committee
area (never the district, never the first of a shared postcode's areas), and a letter code's
holder is old enough exactly on the day they vote."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from committees.areas import addresses_import, areas_import
from committees.services import committee_create
from tests import factories
from tests.voting.conftest import project_ids
from voting.codes import services as codes_services
from voting.models import Participation, RollEntry
from voting.roll import services as roll

pytestmark = pytest.mark.django_db

INDRE_BY_SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
CHRISTIANSHAVN_SQUARE = {
    "type": "Polygon",
    "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]],
}
INDRE_BY_ADDRESS = "0a3f507a-0000-4000-8000-000000000001"
CHRISTIANSHAVN_ADDRESS = "0a3f507a-0000-4000-8000-000000000002"


@pytest.fixture
def central():
    """Indre By and Christianshavn: two committees of one district, with boundaries and one
    listed address each; Vesterbro shares postcode 1500 with Indre By."""
    district = factories.district("Indre By")
    indre_by = committee_create(
        name="Indre By Lokaludvalg", slug="indre-by-lokaludvalg", district=district
    )
    christianshavn = committee_create(
        name="Christianshavns Lokaludvalg", slug="christianshavns-lokaludvalg", district=district
    )
    committee_create(
        name="Vesterbro Lokaludvalg",
        slug="vesterbro-lokaludvalg",
        district=factories.district("Vesterbro/Kongens Enghave"),
    )
    areas_import(
        collection={
            "type": "FeatureCollection",
            "features": [
                {"properties": {"committee": indre_by.slug}, "geometry": INDRE_BY_SQUARE},
                {
                    "properties": {"committee": christianshavn.slug},
                    "geometry": CHRISTIANSHAVN_SQUARE,
                },
            ],
        }
    )
    addresses_import(
        lines=[
            "access_address_id,street,house_number,postcode,longitude,latitude\n",
            f"{INDRE_BY_ADDRESS},Vesterbrogade,1,1500,0.5,0.5\n",
            f"{CHRISTIANSHAVN_ADDRESS},Torvegade,2,1400,1.5,0.5\n",
        ]
    )
    return indre_by, christianshavn


def _problems(budget_round, rows) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        roll.roll_import(budget_round=budget_round, rows=rows)
    assert not RollEntry.objects.exists()
    return caught.value.messages


PERSON = {"cpr": "010180-1111", "birth_date": "1980-01-01"}


@pytest.mark.parametrize(
    "place",
    [
        {"area": "Indre By Lokaludvalg"},
        {"area": "indre-by-lokaludvalg"},
        {"access_address_id": INDRE_BY_ADDRESS},
        {"street": "Vesterbrogade", "house_number": "1", "postcode": "1500"},
    ],
    ids=["area-name", "area-slug", "access-address-id", "street-and-number"],
)
def test_an_indre_by_resident_is_refused_on_a_christianshavn_roll(central, place, english):
    _indre_by, christianshavn = central
    vote = factories.voting_round(committee=christianshavn)
    assert _problems(vote, [{**PERSON, **place}]) == [
        "Line 2: Indre By Lokaludvalg is not one of the round's areas "
        "(Christianshavns Lokaludvalg)."
    ]


def test_a_christianshavn_resident_goes_on_its_roll_with_the_committee_area(central):
    _indre_by, christianshavn = central
    vote = factories.voting_round(committee=christianshavn)
    rows = [
        {**PERSON, "access_address_id": CHRISTIANSHAVN_ADDRESS},
        {"cpr": "020290-2222", "birth_date": "1990-02-02", "address": "Torvegade 9, 1400 Kbh K"},
        {"cpr": "030370-3333", "birth_date": "1970-03-03", "area": "Christianshavns Lokaludvalg"},
    ]
    assert roll.roll_import(budget_round=vote, rows=rows) == 3
    area = christianshavn.areas.get(kind="committee")
    entries = RollEntry.objects.filter(budget_round=vote).order_by("birth_date")
    assert [e.area for e in entries] == [area, area, area]
    # The address from the list is the letter's address when the file gives none.
    assert entries.get(birth_date=datetime.date(1980, 1, 1)).address == "Torvegade 2, 1400"


def test_a_shared_postcode_without_an_address_is_refused_naming_the_line(central, english):
    indre_by, _christianshavn = central
    vote = factories.voting_round(committee=indre_by)
    rows = [
        {**PERSON, "area": "Indre By Lokaludvalg"},
        {"cpr": "020290-2222", "birth_date": "1990-02-02", "address": "Istedgade 3, 1500 Kbh V"},
        {"cpr": "030370-3333", "birth_date": "1970-03-03", "postcode": "1500"},
        # In parts, but not in the address list: the postcode alone is all there is.
        {
            "cpr": "040485-4444",
            "birth_date": "1985-04-04",
            "street": "Istedgade",
            "house_number": "4",
            "postcode": "1500",
        },
    ]
    shared = (
        "the postcode 1500 is shared by Vesterbro Lokaludvalg, Indre By Lokaludvalg: give the "
        "access address id, an address in the address list or the committee area."
    )
    assert _problems(vote, rows) == [f"Line {n}: {shared}" for n in (3, 4, 5)]
    # The same postcode with an address in the list is placed by the address.
    listed = {
        "cpr": "020290-2222",
        "birth_date": "1990-02-02",
        "access_address_id": INDRE_BY_ADDRESS,
    }
    assert roll.roll_import(budget_round=vote, rows=[rows[0], listed]) == 2


def test_an_address_and_an_area_that_disagree_are_refused(central, english):
    _indre_by, christianshavn = central
    vote = factories.voting_round(committee=christianshavn)
    row = {**PERSON, "access_address_id": INDRE_BY_ADDRESS, "area": "Christianshavns Lokaludvalg"}
    assert _problems(vote, [row]) == [
        "Line 2: the address lies in Indre By Lokaludvalg, not in Christianshavns Lokaludvalg."
    ]
    unknown = {**PERSON, "access_address_id": "0a3f507a-0000-4000-8000-00000000dead"}
    assert _problems(vote, [unknown]) == [
        "Line 2: no address in the address list has the access address id "
        "0a3f507a-0000-4000-8000-00000000dead."
    ]


def test_a_code_ballot_counts_in_the_district_turnout_like_online_and_station(central):
    _indre_by, christianshavn = central
    vote = factories.voting_round(committee=christianshavn)
    roll.roll_import(budget_round=vote, rows=[{**PERSON, "area": "Christianshavns Lokaludvalg"}])
    [letter] = codes_services.codes_issue_from_roll(budget_round=vote, batch="Breve")
    assert letter.area == "Christianshavns Lokaludvalg"
    _vote(vote, letter.code)
    # Participation.area is the district for every channel (online: VerifiedIdentity.area).
    assert Participation.objects.get(budget_round=vote).area == christianshavn.district


# --- Age on the voting day ------------------------------------------------------------------


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _cpr(birth: datetime.date, serial: int) -> str:
    return f"{birth:%d%m%y}{serial:04d}"


def _letter(budget_round, birth: datetime.date, serial: int) -> str:
    roll.roll_import(
        budget_round=budget_round,
        rows=[
            {
                "cpr": _cpr(birth, serial),
                "birth_date": birth.isoformat(),
                "area": budget_round.committee.name,
            }
        ],
    )
    issued = codes_services.codes_issue_from_roll(budget_round=budget_round, batch="Breve")
    return issued[0].code


def _vote(budget_round, code):
    return codes_services.ballot_cast_with_code(
        budget_round=budget_round,
        code=code,
        selection={project_ids(budget_round)["Bænke"]: 1},
        client="test",
    )


def test_a_12_year_old_on_the_roll_of_a_minimum_age_10_round_votes_with_their_letter(committee):
    vote = factories.voting_round(committee=committee, min_age=10)
    birth = _years_before(timezone.localdate(), 12)
    _vote(vote, _letter(vote, birth, 1))
    participation = Participation.objects.get(budget_round=vote)
    assert participation.channel == "code"
    assert participation.age_band != ""


def test_an_11_year_old_votes_with_their_letter_only_from_their_birthday(
    committee, monkeypatch, english
):
    vote = factories.voting_round(committee=committee, min_age=12)
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    code = _letter(vote, _years_before(tomorrow, 12), 1)  # 11 today, 12 tomorrow
    with pytest.raises(
        ValidationError, match="Residents aged 12 or more on the voting day can vote"
    ):
        _vote(vote, code)
    assert not Participation.objects.filter(budget_round=vote).exists()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    _vote(vote, code)  # the same, unused code on the birthday
    assert Participation.objects.get(budget_round=vote).channel == "code"
