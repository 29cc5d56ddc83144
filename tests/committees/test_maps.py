"""Area maps drawn on the server: the outline, numbered places, tiles only when configured."""

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from committees import maps
from committees.models import Area
from pbsite.security import tile_origins
from tests import factories

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "committees" / "data" / "demo_areas.geojson"
TILES = "https://{s}.tiles.example.dk/{z}/{x}/{y}.png"


def _outline(name="Østerbro Lokaludvalg") -> dict:
    features = json.loads(DEMO.read_text())["features"]
    return next(f["geometry"] for f in features if f["properties"]["lokaludvalg"] == name)


@pytest.fixture
def outlined(committee):
    Area.objects.filter(committee=committee, kind="committee").update(boundary=_outline())
    return committee


@pytest.fixture
def ideas(outlined):
    return factories.budget_round(committee=outlined, phase="ideas")


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of the document."""

    def __init__(self, html):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag, **match):
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in match.items())
        ]


# --- The projection and the tiles, as numbers ----------------------------------------------


def test_mercator_puts_the_world_in_the_unit_square():
    assert maps.mercator(-180, 0) == (0.0, 0.5)
    u, v = maps.mercator(0, 85.05112878)
    assert u == 0.5 and v == pytest.approx(0, abs=1e-9)
    # The slippy-map tile numbers of the OpenStreetMap wiki's formula, for Copenhagen.
    for lon, lat in ((12.5683, 55.6761), (12.6, 55.7), (-74.0, 40.7)):
        u, v = maps.mercator(lon, lat)
        y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2
        assert u == pytest.approx((lon + 180) / 360) and v == pytest.approx(y)
    u, v = maps.mercator(12.5683, 55.6761)
    assert (int(u * 4096), int(v * 4096)) == (2190, 1282)


def test_the_outline_fills_the_drawing_with_a_margin_and_keeps_its_shape():
    drawing = maps.map_draw(boundary=_outline())
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", drawing.outline)]
    xs, ys = numbers[0::2], numbers[1::2]
    assert drawing.outline.startswith("M") and drawing.outline.endswith("Z")
    assert 0 < min(xs) and max(xs) < maps.WIDTH and 0 < min(ys) and max(ys) < maps.HEIGHT
    # One side touches the padding: the area is as large as the drawing allows.
    assert min(xs) == pytest.approx(maps.WIDTH * maps.PADDING / (1 + 2 * maps.PADDING), abs=1) or (
        min(ys) == pytest.approx(maps.HEIGHT * maps.PADDING / (1 + 2 * maps.PADDING), abs=1)
    )
    assert drawing.tiles == () and drawing.attribution == ""


def test_a_multipolygon_draws_every_ring_and_nothing_draws_nothing():
    square = [[12.5, 55.6], [12.51, 55.6], [12.51, 55.61], [12.5, 55.6]]
    far = [[12.6, 55.7], [12.61, 55.7], [12.61, 55.71], [12.6, 55.7]]
    drawing = maps.map_draw(boundary={"type": "MultiPolygon", "coordinates": [[square], [far]]})
    assert drawing.outline.count("M") == 2 and drawing.outline.count("Z") == 2
    assert maps.map_draw(boundary=None) is None
    assert maps.map_draw(boundary={"type": "Point", "coordinates": [12, 55]}) is None


def test_places_are_numbered_in_order_inside_the_drawing():
    places = [
        maps.Place("Bænke", "/forslag/1/", 12.575, 55.70),
        maps.Place("Træer", "/forslag/2/", 12.59, 55.71, note="Fælledparken"),
    ]
    drawing = maps.map_draw(boundary=_outline(), places=places)
    assert [(p.number, p.label, p.note) for p in drawing.points] == [
        (1, "Bænke", ""),
        (2, "Træer", "Fælledparken"),
    ]
    for point in drawing.points:
        assert 0 < point.x < maps.WIDTH and 0 < point.y < maps.HEIGHT
    # East is right and north is up.
    assert drawing.points[1].x > drawing.points[0].x and drawing.points[1].y < drawing.points[0].y


def test_one_place_alone_is_shown_in_its_neighbourhood():
    drawing = maps.map_draw(
        boundary=None, places=[maps.Place("Bænke", "/x/", 12.575, 55.70)], tile_template=TILES
    )
    (point,) = drawing.points
    assert (point.x, point.y) == (maps.WIDTH / 2, maps.HEIGHT / 2)
    assert 14 <= drawing.zoom <= 16


def test_the_tiles_cover_the_drawing_at_a_zoom_near_their_own_size():
    drawing = maps.map_draw(boundary=_outline(), tile_template=TILES, attribution="© Kortet")
    assert drawing.attribution == "© Kortet"
    # Østerbro is about 4 km across: zoom 13 or 14 shows it in 640 units with tiles near 256.
    assert drawing.zoom in (13, 14)
    size = drawing.tiles[0].width / 100 * maps.WIDTH
    assert 256 / 1.5 <= size <= 256 * 1.5
    lefts = sorted({t.left for t in drawing.tiles})
    tops = sorted({t.top for t in drawing.tiles})
    assert lefts[0] <= 0 and lefts[-1] + drawing.tiles[0].width >= 100
    assert tops[0] <= 0 and tops[-1] + drawing.tiles[0].height >= 100
    assert len(drawing.tiles) == len(lefts) * len(tops) <= 24
    # Every tile is on the page, the URL is the server's scheme with a sub-domain filled in.
    for tile in drawing.tiles:
        assert tile.left < 100 and tile.left + tile.width > 0
        assert tile.top < 100 and tile.top + tile.height > 0
        assert re.fullmatch(
            rf"https://[abc]\.tiles\.example\.dk/{drawing.zoom}/\d+/\d+\.png", tile.url
        )
    # The tile under the middle of the drawing is the one the projection names.
    u, v = maps.mercator(12.585, 55.71)
    x, y = int(u * 2**drawing.zoom), int(v * 2**drawing.zoom)
    assert any(t.url.endswith(f"/{drawing.zoom}/{x}/{y}.png") for t in drawing.tiles)


def test_a_tile_template_is_filled_as_slippy_map_servers_name_tiles():
    template = "https://{s}.example.dk/{z}/{x}/{y}{r}.png"
    assert (
        maps.tile_url(template, zoom=13, x=4380, y=2561) == "https://c.example.dk/13/4380/2561.png"
    )


# --- On the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_committee_page_draws_its_area_with_a_title_and_a_description(
    client, outlined, language
):
    prefix = "/en" if language == "en" else ""
    html = client.get(prefix + outlined.page.url).content.decode()
    page = Elements(html)
    (svg,) = page.all("svg", **{"class": "area-map__drawing"})
    title_id, desc_id = svg["aria-labelledby"], svg["aria-describedby"]
    assert page.all("title", id=title_id) and page.all("desc", id=desc_id)
    (path,) = page.all("path", **{"class": "area-map__outline"})
    assert path["d"].startswith("M") and "," in path["d"]
    assert not page.all("img", **{"class": "area-map__tile"})
    text = "".join(page.text)
    with translation.override(language):
        assert gettext("The committee's area") in text
        assert gettext("The outline of the committee's area.") in text


def test_a_committee_without_an_outline_shows_no_empty_map(client, committee):
    html = client.get(committee.page.url).content.decode()
    assert "area-map" not in html
    with translation.override("da"):
        assert gettext("The committee's area") not in "".join(Elements(html).text)


def test_the_proposal_map_numbers_the_points_links_them_and_lists_them_as_text(client, ideas):
    placed = factories.proposal(
        budget_round=ideas, state="submitted", title="Flere bænke", latitude=55.70, longitude=12.575
    )
    unplaced = factories.proposal(budget_round=ideas, state="submitted", title="Mere lys")
    url = reverse("proposals:list", args=[ideas.pk])
    html = client.get(url, {"view": "map"}).content.decode()
    page = Elements(html)
    detail = reverse("proposals:detail", args=[placed.pk])
    # In the drawing: a link with a name, reached by the keyboard like every link.
    (marker,) = page.all("a", **{"class": "area-map__point"})
    assert marker["href"] == detail and marker["aria-label"] == "1. Flere bænke"
    # Beside it, the same place as text with the same number.
    (item,) = page.all("li", value="1")
    assert [a["href"] for a in page.all("a", href=detail)] == [detail, detail, detail]
    assert reverse("proposals:detail", args=[unplaced.pk]) not in re.findall(
        r'class="area-map__point" href="([^"]+)"', html
    )
    assert "leaflet" not in html and item is not None
    # Without the map view, no map.
    assert "area-map" not in client.get(url).content.decode()


def test_a_proposal_with_a_point_shows_it_on_the_committees_outline(client, ideas):
    proposal = factories.proposal(
        budget_round=ideas, state="submitted", title="Flere bænke", latitude=55.70, longitude=12.575
    )
    html = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    page = Elements(html)
    assert page.all("path", **{"class": "area-map__outline"})
    (marker,) = page.all("g", **{"class": "area-map__point"})
    assert marker["aria-hidden"] == "true"  # the page itself: listed, not linked
    assert not page.all("a", **{"class": "area-map__point"})
    other = factories.proposal(budget_round=ideas, state="submitted", title="Uden sted")
    assert (
        "area-map" not in client.get(reverse("proposals:detail", args=[other.pk])).content.decode()
    )


@override_settings(MAP_TILE_URL=TILES, MAP_ATTRIBUTION="© Kortleverandøren")
def test_with_a_tile_server_the_tiles_lie_under_the_drawing_and_the_policy_allows_them(
    client, outlined
):
    response = client.get(outlined.page.url)
    page = Elements(response.content.decode())
    tiles = page.all("img", **{"class": "area-map__tile"})
    assert 4 <= len(tiles) <= 24
    for tile in tiles:
        assert tile["alt"] == "" and tile["src"].startswith("https://")
        assert re.fullmatch(
            r"left: -?[\d.]+%; top: -?[\d.]+%; width: [\d.]+%; height: [\d.]+%", tile["style"]
        )
    assert "© Kortleverandøren" in response.content.decode()
    policy = response["Content-Security-Policy"]
    (img_src,) = [d for d in policy.split("; ") if d.startswith("img-src ")]
    assert img_src.split() == ["img-src", "'self'", "data:", "blob:"] + [
        f"https://{s}.tiles.example.dk" for s in "abc"
    ]


def test_without_a_tile_server_images_come_from_our_own_origin_only(client, outlined):
    policy = client.get(outlined.page.url)["Content-Security-Policy"]
    (img_src,) = [d for d in policy.split("; ") if d.startswith("img-src ")]
    assert img_src == "img-src 'self' data: blob:"


def test_an_admin_page_never_allows_the_tile_server(admin_client):
    with override_settings(MAP_TILE_URL=TILES):
        policy = admin_client.get("/admin/")["Content-Security-Policy"]
    assert "tiles.example.dk" not in policy


def test_the_policy_follows_the_tile_setting_after_the_first_request(client, outlined):
    """The middleware is built once per handler: a policy computed there kept refusing the
    tiles of a setting changed afterwards (as override_settings and a reload do)."""
    assert "tiles.example.dk" not in client.get(outlined.page.url)["Content-Security-Policy"]
    with override_settings(MAP_TILE_URL=TILES):
        response = client.get(outlined.page.url)
        assert Elements(response.content.decode()).all("img", **{"class": "area-map__tile"})
        assert "tiles.example.dk" in response["Content-Security-Policy"]
    assert "tiles.example.dk" not in client.get(outlined.page.url)["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("template", "origins"),
    [
        ("https://tiles.example.dk/{z}/{x}/{y}.png", ["https://tiles.example.dk"]),
        ("http://127.0.0.1:8080/{z}/{x}/{y}.png", ["http://127.0.0.1:8080"]),
        # A sub-domain that is only part of a name: `https://tile-*.example.dk` is no source at
        # all in CSP (a wildcard stands only for whole leftmost labels), so every tile was refused.
        (
            "https://tile-{s}.example.dk/{z}/{x}/{y}.png",
            [f"https://tile-{s}.example.dk" for s in "abc"],
        ),
        (TILES, [f"https://{s}.tiles.example.dk" for s in "abc"]),
        # The numbers in the query rather than the path.
        ("https://maps.example.dk?layer=base&z={z}&x={x}&y={y}", ["https://maps.example.dk"]),
        ("HTTPS://Tiles.Example.dk/{z}/{x}/{y}.png", ["https://tiles.example.dk"]),
        ("/tiles/{z}/{x}/{y}.png", []),  # our own origin: 'self' allows it already
        ("", []),
    ],
)
def test_the_policy_allows_exactly_the_origins_the_tiles_come_from(template, origins):
    assert tile_origins(template) == origins
    for x, y in ((4380, 2561), (4381, 2561), (4382, 2561)):
        url = maps.tile_url(template, zoom=13, x=x, y=y)
        if origins:
            assert any(
                url.lower().startswith(origin + "/") or url.lower().startswith(origin + "?")
                for origin in origins
            ), url


def test_no_tile_is_fetched_beyond_the_drawings_edge():
    """When the drawing ends exactly on a tile's edge, the tile beyond it lies wholly outside
    (left: 100%): fetched for nothing."""
    count = 2**10
    scale = maps.TILE_SIZE * count  # a tile is 256 drawing units: 2.5 columns in 640
    u0 = 100.5 / count  # the right edge is then exactly on column 103's left edge
    v0 = 200.5 / count
    zoom, tiles = maps._tiles(TILES, u0=u0, v0=v0, scale=scale)
    assert zoom == 10
    assert {t.url.rsplit("/", 2)[1] for t in tiles} == {"100", "101", "102"}
    for tile in tiles:
        assert tile.left < 100 and tile.top < 100
