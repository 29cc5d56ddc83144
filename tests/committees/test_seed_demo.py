import io

import pytest
from django.core.management import CommandError, call_command

from committees.demo import DEMO_ACCOUNTS
from committees.models import (
    BudgetRound,
    Committee,
    CommitteePage,
    CommitteeRole,
    District,
    Meeting,
    User,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.DEBUG = True
    return tmp_path


def _counts():
    return (
        District.objects.count(),
        Committee.objects.count(),
        User.objects.count(),
        CommitteeRole.objects.count(),
        Meeting.objects.count(),
        BudgetRound.objects.count(),
        CommitteePage.objects.count(),
    )


def test_seed_demo_creates_copenhagen_and_a_login_per_role(var_dir, home_page):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert District.objects.count() == 10
    assert Committee.objects.count() == 12
    assert set(
        Committee.objects.filter(district__name="Indre By").values_list("name", flat=True)
    ) == {
        "Indre By Lokaludvalg",
        "Christianshavns Lokaludvalg",
    }
    assert Committee.objects.filter(name="Amager Øst Lokaludvalg").exists()
    output = out.getvalue()
    for account in DEMO_ACCOUNTS:
        assert account.email in output
        user = User.objects.get(email=account.email)
        password = output.split(account.email, 1)[1].split()[0]
        assert user.check_password(password)
        assert user.emailaddress_set.get().verified
    assert User.objects.get(email="admin@demo.borgerbudget.dk").is_superuser
    assert CommitteeRole.objects.filter(role="moderator").count() == 1
    assert CommitteePage.objects.live().count() == 12
    assert Meeting.objects.count() == 24
    for committee in Committee.objects.all():
        assert committee.meetings.count() == 2
        phases = {r.phase for r in committee.rounds.all()}
        assert phases == {"upcoming", "ideas", "review", "voting", "results", "implementation"}
        assert committee.page.members.count() >= 1


def test_seed_demo_twice_adds_nothing_and_keeps_passwords(var_dir, home_page):
    first = io.StringIO()
    call_command("seed_demo", stdout=first)
    before = _counts()
    second = io.StringIO()
    call_command("seed_demo", stdout=second)
    assert _counts() == before

    def logins(output):
        return [line for line in output.getvalue().splitlines() if "@demo." in line]

    assert logins(first) == logins(second)


def test_seed_demo_refuses_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_draws_every_committee_area_and_places_the_test_persons_by_address(
    var_dir, home_page
):
    """Simplified outlines for the maps, and the test identity provider's addresses placed by
    those outlines, as `address_import` places the register's addresses."""
    from committees.areas import residence_resolve
    from committees.models import Address, Area
    from voting.identity.devprovider import TEST_PERSONS

    call_command("seed_demo", stdout=io.StringIO())

    areas = Area.objects.filter(kind=Area.Kind.COMMITTEE)
    assert areas.count() == 12
    assert all(area.boundary["type"] == "Polygon" and area.is_demo for area in areas)
    committee_of = {
        "Østerbro": "Østerbro Lokaludvalg",
        "Christianshavn": "Christianshavns Lokaludvalg",
        "Indre By": "Indre By Lokaludvalg",
    }
    for person in TEST_PERSONS:
        street, number = person.street_address.rsplit(" ", 1)
        address = Address.objects.get(street=street, house_number=number)
        assert address.is_demo and address.postcode == person.postcode
        area = residence_resolve(address=address).area
        assert area.committee.name == committee_of[person.area], person


def test_seed_demo_never_replaces_imported_boundaries_or_addresses(var_dir, home_page):
    from committees.models import Address, Area

    call_command("seed_demo", stdout=io.StringIO())
    Area.objects.update(boundary=None)
    real = Area.objects.get(slug="oesterbro-lokaludvalg")
    square = [[12.0, 55.0], [12.1, 55.0], [12.1, 55.1], [12.0, 55.1], [12.0, 55.0]]
    Area.objects.filter(pk=real.pk).update(boundary={"type": "Polygon", "coordinates": [square]})
    Address.objects.filter(street="Jagtvej").delete()

    call_command("seed_demo", stdout=io.StringIO())

    assert Area.objects.filter(boundary__isnull=False).count() == 1
    assert not Address.objects.filter(street="Jagtvej").exists()
