"""Where people land after signing in: staff on their workspace, polling staff on their polling
station, residents on the front page in their language; an explicit `next` wins."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from tests import factories
from voting.models import PollingStation

pytestmark = pytest.mark.django_db


def sign_in(client, person, **query) -> str:
    url = reverse("account_login")
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    response = client.post(url, {"login": person.email, "password": factories.PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    return response["Location"]


def test_a_moderator_lands_on_the_workspace(client, moderator):
    assert sign_in(client, moderator) == reverse("wagtailadmin_home")


def test_a_reviewer_and_a_host_land_on_the_workspace(client, committee):
    assert sign_in(client, factories.reviewer(committee=committee)) == "/admin/"
    client.logout()
    assert sign_in(client, factories.meeting_host(committee=committee)) == "/admin/"


def test_a_site_admin_lands_on_the_workspace(client, home_page):
    admin = factories.user(is_superuser=True, is_staff=True)
    assert sign_in(client, admin) == "/admin/"


def test_next_wins_over_the_workspace(client, moderator):
    assert sign_in(client, moderator, next="/forslag/mine/") == "/forslag/mine/"


def test_residents_land_on_the_front_page_in_their_language(client, home_page):
    assert sign_in(client, factories.user()) == "/"
    client.logout()
    assert sign_in(client, factories.user(preferred_language="en")) == "/en/"


def test_polling_staff_land_on_the_station_of_the_round_voting_now(client, committee):
    upcoming = factories.budget_round(committee=committee, phase="upcoming")
    PollingStation.objects.create(budget_round=upcoming, name="Næste års valgsted")
    vote = factories.voting_round(committee=committee)
    station = PollingStation.objects.create(budget_round=vote, name="Østerbro Bibliotek")
    person = factories.polling_staff(committee=committee)
    assert sign_in(client, person) == reverse("voting:paper_station", args=[station.pk])


def test_polling_staff_in_english_land_on_the_english_station_page(client, committee):
    station = PollingStation.objects.create(
        budget_round=factories.voting_round(committee=committee), name="Østerbro Bibliotek"
    )
    person = factories.polling_staff(committee=committee, preferred_language="en")
    assert sign_in(client, person) == f"/en/afstemning/personale/valgsted/{station.pk}/"


def test_polling_staff_with_several_stations_choose_on_the_voting_overview(client, committee):
    vote = factories.voting_round(committee=committee)
    PollingStation.objects.create(budget_round=vote, name="Bibliotek")
    PollingStation.objects.create(budget_round=vote, name="Skole")
    person = factories.polling_staff(committee=committee)
    assert sign_in(client, person) == reverse("voting_overview")
    assert client.get(reverse("voting_overview")).status_code == HTTPStatus.OK


def test_a_moderator_who_also_staffs_a_station_lands_on_the_workspace(client, committee):
    PollingStation.objects.create(
        budget_round=factories.voting_round(committee=committee), name="Bibliotek"
    )
    person = factories.polling_staff(committee=committee)
    factories.staff(committee=committee, role="moderator", person=person)
    assert sign_in(client, person) == "/admin/"


def test_polling_staff_of_another_committee_never_land_on_this_station(client, committee):
    PollingStation.objects.create(
        budget_round=factories.voting_round(committee=committee), name="Bibliotek"
    )
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    person = factories.polling_staff(committee=other)
    assert sign_in(client, person) == reverse("voting_overview")


def header_workspace_links(client) -> list[str]:
    """The hrefs of the public header's workspace link (none, or one)."""
    html = client.get("/").content.decode()
    header = html.split('<header class="header">', 1)[1].split("</header>", 1)[0]
    label = gettext("Workspace")
    return [
        part.rsplit('href="', 1)[1].split('"', 1)[0] for part in header.split(f">{label}</a>")[:-1]
    ]


def test_the_header_links_staff_to_their_workspace(client, moderator, committee):
    client.force_login(moderator)
    assert header_workspace_links(client) == ["/admin/"]
    client.force_login(factories.user(is_superuser=True, is_staff=True))
    assert header_workspace_links(client) == ["/admin/"]


def test_the_header_links_polling_staff_to_their_station(client, committee):
    vote = factories.voting_round(committee=committee)
    station = PollingStation.objects.create(budget_round=vote, name="Østerbro Bibliotek")
    client.force_login(factories.polling_staff(committee=committee))
    assert header_workspace_links(client) == [reverse("voting:paper_station", args=[station.pk])]


def test_the_header_has_no_workspace_link_for_residents(client, home_page):
    assert header_workspace_links(client) == []
    client.force_login(factories.user())
    assert header_workspace_links(client) == []
