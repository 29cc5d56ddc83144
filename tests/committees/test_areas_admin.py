"""Areas and addresses in the admin: moderators make their committee's local areas, site
administrators alone change a committee's own area, a running vote freezes the areas it admits
by, and every save is in the audit log."""

import json
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from committees.models import Address, Area, AuditEntry
from tests import factories

NOT_A_POLYGON = (
    "The outline must be a GeoJSON Polygon or MultiPolygon in longitude and latitude, with "
    "closed rings of at least four positions."
)
FROZEN = "Voting has opened in a round of this area: the area can no longer change."
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[12.57, 55.70], [12.58, 55.70], [12.58, 55.71], [12.57, 55.71], [12.57, 55.70]]
    ],
}


@pytest.fixture
def places(db):
    this = factories.committee("Østerbro Lokaludvalg")
    other = factories.committee("Nørrebro Lokaludvalg", district_name="Nørrebro")
    return {
        "this": this,
        "other": other,
        "moderator": factories.moderator(committee=this),
        "this_area": Area.objects.get(committee=this, kind=Area.Kind.COMMITTEE),
        "other_area": Area.objects.get(committee=other, kind=Area.Kind.COMMITTEE),
    }


def _add(client, committee, **fields):
    data = {"name": "Ryesgade-karréen", "slug": "ryesgade", "committee": committee.pk}
    data.update(fields)
    return client.post(reverse("area:add"), data)


def test_a_moderator_lists_only_their_committees_areas(client, places):
    client.force_login(places["moderator"])
    page = client.get(reverse("area:index"))
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    start = html.index('<table class="listing')
    table = html[start : html.index("</table>", start)]
    assert "Østerbro Lokaludvalg" in table
    assert "Nørrebro Lokaludvalg" not in table


def test_a_moderator_makes_a_local_area_with_an_outline_and_it_is_audited(client, places):
    client.force_login(places["moderator"])
    response = _add(client, places["this"], boundary=json.dumps(SQUARE))
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    area = Area.objects.get(slug="ryesgade")
    assert (area.kind, area.committee, area.boundary) == (Area.Kind.LOCAL, places["this"], SQUARE)
    entry = AuditEntry.objects.get(action="area.create")
    assert entry.actor == places["moderator"]
    assert entry.data["state"]["boundary"] == SQUARE


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        ("{not json", "The outline is not valid JSON."),
        (json.dumps({"type": "Point", "coordinates": [12.5, 55.7]}), NOT_A_POLYGON),
        (
            json.dumps({"type": "Polygon", "coordinates": [[[12.5, 55.7], [12.6, 55.7]]]}),
            NOT_A_POLYGON,
        ),
        ("x" * 500_001, "The outline is too long: at most %(limit)s characters."),
    ],
    ids=["not-json", "a-point", "open-ring", "too-long"],
)
def test_a_bad_outline_is_refused_with_a_clear_message(client, places, boundary, message):
    client.force_login(places["moderator"])
    response = _add(client, places["this"], boundary=boundary)
    assert response.status_code == HTTPStatus.OK
    shown = gettext(message).split("%(")[0]  # in Danish, the admin's language here
    assert shown in response.content.decode()
    assert not Area.objects.filter(slug="ryesgade").exists()


def test_a_bad_outline_says_where_it_is_wrong_in_danish(client, places):
    client.force_login(places["moderator"])
    ring = [[12.5, 55.7], [12.6, 55.7], [12.6, 55.8], [12.5, 55.8], [12.5, 55.7]]
    outline = {"type": "MultiPolygon", "coordinates": [[ring], [ring[:-1] + [[12.5, 55.75]]]]}
    response = _add(client, places["this"], boundary=json.dumps(outline))
    assert response.status_code == HTTPStatus.OK
    assert "Polygon 2, ring 1: en ring skal slutte, hvor den begynder." in response.content.decode()
    assert not Area.objects.filter(slug="ryesgade").exists()


def test_a_moderator_cannot_file_an_area_under_another_committee(client, places):
    client.force_login(places["moderator"])
    response = _add(client, places["other"])
    assert response.status_code == HTTPStatus.OK  # the form comes back with an error
    assert not Area.objects.filter(slug="ryesgade").exists()


def test_only_a_site_administrator_changes_a_committees_own_area(client, places):
    client.force_login(places["moderator"])
    own = reverse("area:edit", args=[places["this_area"].pk])
    other = reverse("area:edit", args=[places["other_area"].pk])
    for url in (own, other):  # Wagtail sends a refused user back to the dashboard
        refused = client.post(url, {"name": "X", "slug": "x", "boundary": json.dumps(SQUARE)})
        assert (refused.status_code, refused["Location"]) == (HTTPStatus.FOUND, "/admin/")
    places["this_area"].refresh_from_db()
    assert places["this_area"].boundary is None

    client.force_login(factories.user(is_superuser=True, is_staff=True))
    data = {"name": "Østerbro", "slug": places["this_area"].slug, "boundary": json.dumps(SQUARE)}
    response = client.post(own, data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    places["this_area"].refresh_from_db()
    assert places["this_area"].boundary == SQUARE
    assert places["this_area"].committee == places["this"]  # an area stays in its committee
    changes = AuditEntry.objects.get(action="area.update").data["changes"]
    assert changes["boundary"] == [None, SQUARE]
    assert changes["name"] == ["Østerbro Lokaludvalg", "Østerbro"]


def test_a_running_vote_freezes_the_local_area_it_admits_by(client, places):
    client.force_login(places["moderator"])
    _add(client, places["this"], boundary=json.dumps(SQUARE))
    area = Area.objects.get(slug="ryesgade")
    vote = factories.budget_round(committee=places["this"], phase="review")
    vote.voting_areas.add(area)
    type(vote).objects.filter(pk=vote.pk).update(**factories.round_dates(phase="voting"))

    edit = reverse("area:edit", args=[area.pk])
    page = client.get(edit).content.decode()
    assert gettext(FROZEN) in page
    response = client.post(edit, {"name": "Større", "slug": "ryesgade", "boundary": ""})
    assert response.status_code == HTTPStatus.OK
    area.refresh_from_db()
    assert (area.name, area.boundary) == ("Ryesgade-karréen", SQUARE)
    assert not AuditEntry.objects.filter(action="area.update").exists()


def test_addresses_are_listed_read_only_for_site_administrators(client, places):
    Address.objects.create(
        access_address_id="0a3f5089-1c2f-32b8-e044-0003ba298018",
        street="Ryesgade",
        house_number="20",
        postcode="2100",
        longitude=12.575,
        latitude=55.705,
        area=places["this_area"],
    )
    client.force_login(places["moderator"])
    refused = client.get(reverse("address:index"))
    assert (refused.status_code, refused["Location"]) == (HTTPStatus.FOUND, "/admin/")
    client.force_login(factories.user(is_superuser=True, is_staff=True))
    page = client.get(reverse("address:index"))
    assert page.status_code == HTTPStatus.OK
    assert "Ryesgade 20, 2100" in page.content.decode()
    refused = client.get(reverse("address:add"))  # read-only, even for them
    assert (refused.status_code, refused["Location"]) == (HTTPStatus.FOUND, "/admin/")
