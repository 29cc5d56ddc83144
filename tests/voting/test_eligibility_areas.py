"""The right area and the right age: attacks on eligibility.

Indre By and Christianshavn share a district; a round of one must refuse the other's residents.
A minimum age below 15 must admit the children it names, on the exact day of their birthday.
A postcode shared by two committees must lead to a choice, never to the first of them.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from committees.areas import addresses_import, areas_import, residence_resolve
from committees.geometry import contains
from committees.models import Area, BudgetRound
from committees.services import committee_create
from tests import factories
from voting import age
from voting.identity.services import identity_area_choose, identity_verify
from voting.paper import services as paper
from voting.services import eligibility_online

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}


def _central():
    district = factories.district("Indre By")
    indre_by = committee_create(
        name="Indre By Lokaludvalg", slug="indre-by-lokaludvalg", district=district
    )
    christianshavn = committee_create(
        name="Christianshavns Lokaludvalg", slug="christianshavns-lokaludvalg", district=district
    )
    return indre_by, christianshavn


def _resident(area: Area, *, birth_date=datetime.date(1990, 1, 1), **fields):
    person = factories.user(**fields)
    identity_verify(
        user=person,
        provider="mitid-test",
        subject=f"s-{person.pk}",
        national_id=f"0101{person.pk:06d}",
        birth_date=birth_date,
        area=area,
    )
    return person


# --- Area ---------------------------------------------------------------------------------------


def test_an_indre_by_resident_is_refused_in_a_christianshavn_round():
    indre_by, christianshavn = _central()
    vote = factories.voting_round(committee=christianshavn)
    outsider = _resident(indre_by.areas.get())
    local = _resident(christianshavn.areas.get())

    refused = eligibility_online(user=outsider, budget_round=vote)
    assert not refused.can_vote
    assert refused.reason == "Kun borgere i Christianshavns Lokaludvalg kan stemme i denne runde."
    assert eligibility_online(user=local, budget_round=vote).can_vote


def test_a_station_refuses_an_indre_by_resident_in_a_christianshavn_round():
    indre_by, christianshavn = _central()
    vote = factories.voting_round(committee=christianshavn)
    staff = factories.polling_staff(committee=christianshavn)
    station = vote.polling_stations.create(name="Christianshavns Skole")
    with pytest.raises(ValidationError, match="Kun borgere i Christianshavns Lokaludvalg"):
        paper.voter_check_in(
            staff=staff,
            station=station,
            national_id="0101901234",
            birth_date=datetime.date(1990, 1, 1),
            area=indre_by.areas.get(),
        )
    # The shared district alone never stands for one of its two committees.
    with pytest.raises(ValidationError, match="Kun borgere i Christianshavns Lokaludvalg"):
        paper.voter_check_in(
            staff=staff,
            station=station,
            national_id="0101901234",
            birth_date=datetime.date(1990, 1, 1),
            area=indre_by.district,
        )


def test_a_round_of_several_areas_admits_each_of_them_and_no_other():
    indre_by, christianshavn = _central()
    oesterbro = factories.committee("Østerbro Lokaludvalg")
    vote = factories.voting_round(committee=christianshavn)
    BudgetRound.voting_areas.through.objects.create(budgetround=vote, area=indre_by.areas.get())
    BudgetRound.voting_areas.through.objects.create(
        budgetround=vote, area=christianshavn.areas.get()
    )
    assert eligibility_online(user=_resident(indre_by.areas.get()), budget_round=vote).can_vote
    assert eligibility_online(
        user=_resident(christianshavn.areas.get()), budget_round=vote
    ).can_vote
    assert not eligibility_online(user=_resident(oesterbro.areas.get()), budget_round=vote).can_vote


def test_a_local_area_admits_only_addresses_inside_it():
    oesterbro = factories.committee("Østerbro Lokaludvalg")
    areas_import(
        collection={
            "type": "FeatureCollection",
            "features": [
                {"properties": {"committee": oesterbro.slug}, "geometry": SQUARE},
                {
                    "properties": {"committee": oesterbro.slug, "kind": "local", "name": "Estate"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
                    },
                },
            ],
        }
    )
    addresses_import(
        lines=[
            "access_address_id,street,house_number,postcode,longitude,latitude\n",
            "0a3f507a-0000-4000-8000-000000000001,Inde,1,2100,0.5,0.5\n",
            "0a3f507a-0000-4000-8000-000000000002,Ude,2,2100,1.5,1.5\n",
        ]
    )
    estate = Area.objects.get(slug="estate")
    vote = factories.voting_round(committee=oesterbro)
    BudgetRound.voting_areas.through.objects.create(budgetround=vote, area=estate)
    inside, outside = (factories.user(), factories.user())
    for person, street in ((inside, "Inde"), (outside, "Ude")):
        address = oesterbro.areas.get(kind="committee").addresses.get(street=street)
        identity_verify(
            user=person,
            provider="t",
            subject=f"s{person.pk}",
            national_id=f"0101{person.pk:06d}",
            birth_date=datetime.date(1990, 1, 1),
            area=address.area,
            address=address,
        )
    assert eligibility_online(user=inside, budget_round=vote).can_vote
    refused = eligibility_online(user=outside, budget_round=vote)
    assert refused.reason == "Kun borgere i Estate kan stemme i denne runde."


def test_a_shared_postcode_asks_for_a_choice_and_never_guesses():
    district = factories.district("Vesterbro/Kongens Enghave")
    vesterbro = committee_create(
        name="Vesterbro Lokaludvalg", slug="vesterbro-lokaludvalg", district=district
    )
    _indre_by, _christianshavn = _central()
    residence = residence_resolve(postcode="1500")  # Vesterbro and Indre By share it
    assert residence.area is None
    assert {a.committee.slug for a in residence.choices} == {
        "vesterbro-lokaludvalg",
        "indre-by-lokaludvalg",
    }
    person = factories.user()
    identity_verify(
        user=person,
        provider="t",
        subject="s",
        national_id="0101901234",
        birth_date=datetime.date(1990, 1, 1),
        area=None,
        area_choices=residence.choices,
    )
    vote = factories.voting_round(committee=vesterbro)
    pending = eligibility_online(user=person, budget_round=vote)
    assert not pending.can_vote and "Vælg det område, du bor i" in pending.reason
    with pytest.raises(ValidationError):
        identity_area_choose(user=person, area=factories.committee("Valby").areas.get())
    identity_area_choose(user=person, area=vesterbro.areas.get())
    assert eligibility_online(user=person, budget_round=vote).can_vote


def test_addresses_in_overlapping_boundaries_are_refused_and_nothing_is_imported():
    one, two = factories.committee("A"), factories.committee("B")
    areas_import(
        collection={
            "type": "FeatureCollection",
            "features": [
                {"properties": {"committee": one.slug}, "geometry": SQUARE},
                {"properties": {"committee": two.slug}, "geometry": SQUARE},
            ],
        }
    )
    with pytest.raises(ValidationError, match="Linje 3: adressen ligger i mere end ét område"):
        addresses_import(
            lines=[
                "id,vejnavn,husnr,postnr,wgs84koordinat_længde,wgs84koordinat_bredde\n",
                "0a3f507a-0000-4000-8000-000000000009,Ude,1,2100,5,5\n",
                "0a3f507a-0000-4000-8000-000000000001,Inde,1,2100,1,1\n",
            ]
        )
    assert not one.areas.get().addresses.exists()


# --- Geometry -----------------------------------------------------------------------------------


def test_point_in_polygon_with_a_hole_and_a_multipolygon():
    donut = {
        "type": "Polygon",
        "coordinates": [
            [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
            [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]],
        ],
    }
    assert contains(donut, 0.5, 0.5) and not contains(donut, 2, 2)
    two = {
        "type": "MultiPolygon",
        "coordinates": [SQUARE["coordinates"], [[[5, 5], [6, 5], [6, 6], [5, 5]]]],
    }
    assert contains(two, 1, 1) and contains(two, 5.8, 5.5) and not contains(two, 3, 3)


def test_a_point_on_a_shared_edge_is_in_exactly_one_of_two_neighbours():
    left = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    right = {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]}
    for y in (0.25, 0.5, 0.75):
        assert contains(left, 1, y) + contains(right, 1, y) == 1


# --- Age ----------------------------------------------------------------------------------------


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def test_a_12_year_old_votes_in_a_round_with_minimum_age_10():
    oesterbro = factories.committee("Østerbro Lokaludvalg")
    vote = factories.voting_round(committee=oesterbro, min_age=10)
    today = datetime.date.today()
    twelve = _resident(oesterbro.areas.get(), birth_date=_years_before(today, 12))
    assert eligibility_online(user=twelve, budget_round=vote).can_vote


def test_an_11_year_old_is_refused_until_the_day_of_their_birthday():
    oesterbro = factories.committee("Østerbro Lokaludvalg")
    vote = factories.voting_round(committee=oesterbro, min_age=12)
    today = datetime.date.today()
    tomorrow_twelve = _years_before(today + datetime.timedelta(days=1), 12)
    today_twelve = _years_before(today, 12)
    refused = eligibility_online(
        user=_resident(oesterbro.areas.get(), birth_date=tomorrow_twelve), budget_round=vote
    )
    assert refused.reason == (
        "Borgere, der er fyldt 12 år på afstemningsdagen, kan stemme i denne runde."
    )
    assert eligibility_online(
        user=_resident(oesterbro.areas.get(), birth_date=today_twelve), budget_round=vote
    ).can_vote


@pytest.mark.parametrize("minimum", range(10, 19))
def test_every_minimum_age_from_10_to_18_is_exact(minimum):
    born = datetime.date(2000, 6, 15)
    eve = datetime.date(2000 + minimum, 6, 14)
    day = datetime.date(2000 + minimum, 6, 15)
    assert age.age_on(born, eve) == minimum - 1 and age.age_on(born, day) == minimum
    assert (
        age.admits(minimum=minimum, age_min=minimum - 1, age_max=minimum - 1, known_on=eve, day=eve)
        is False
    )
    assert (
        age.admits(minimum=minimum, age_min=minimum, age_max=minimum, known_on=day, day=day) is True
    )


def test_29_february_birthdays_count_from_1_march_in_other_years():
    born = datetime.date(2016, 2, 29)
    assert age.age_on(born, datetime.date(2026, 2, 28)) == 9
    assert age.age_on(born, datetime.date(2026, 3, 1)) == 10
    assert age.age_on(born, datetime.date(2028, 2, 28)) == 11
    assert age.age_on(born, datetime.date(2028, 2, 29)) == 12


def test_an_age_checked_earlier_decides_only_when_no_birthday_can_fall_in_between():
    checked = datetime.date(2026, 1, 10)
    later = datetime.date(2026, 5, 1)
    # 11 on 10 January: 12 by 1 May, or not yet: cannot tell, so verify again on the day.
    assert age.admits(minimum=12, age_min=11, age_max=11, known_on=checked, day=later) is None
    assert age.admits(minimum=11, age_min=11, age_max=11, known_on=checked, day=later) is True
    assert age.admits(minimum=13, age_min=11, age_max=11, known_on=checked, day=later) is False
    # A data-minimal "over 18" claim admits every minimum up to 18.
    assert age.admits(minimum=18, age_min=18, age_max=None, known_on=checked, day=later) is True
    assert age.admits(minimum=10, age_min=0, age_max=17, known_on=checked, day=checked) is None


def test_a_station_decides_the_age_from_the_birth_date_on_the_day():
    oesterbro = factories.committee("Østerbro Lokaludvalg")
    vote = factories.voting_round(committee=oesterbro, min_age=10)
    staff = factories.polling_staff(committee=oesterbro)
    station = vote.polling_stations.create(name="Skolen")
    today = datetime.date.today()
    ten = _years_before(today, 10)
    participation = paper.voter_check_in(
        staff=staff,
        station=station,
        national_id=ten.strftime("%d%m%y") + "1234",
        birth_date=ten,
        area=oesterbro.areas.get(),
    )
    assert participation.age_band == "0-14"
    nine = _years_before(today + datetime.timedelta(days=1), 10)
    with pytest.raises(ValidationError, match="fyldt 10 år på afstemningsdagen"):
        paper.voter_check_in(
            staff=staff,
            station=station,
            national_id=nine.strftime("%d%m%y") + "4321",
            birth_date=nine,
            area=oesterbro.areas.get(),
        )
