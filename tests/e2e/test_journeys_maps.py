"""The maps the server draws, over a real tile server, in a real browser: Danish and English, on
a desktop and a 390x844 phone.

A small tile server runs in a thread of the test on a free loopback port. It answers every
`/{z}/{x}/{y}.png` with a 256x256 PNG of its own colour, with its numbers written on it and the
committee's outline and places drawn in red where Web Mercator puts them in that tile, and it
records every request. The site runs with MAP_TILE_URL pointing at it (through `{s}.localhost`,
which Chromium resolves to the loopback address, so that the sub-domains and the
Content-Security-Policy that allows them are exercised too). On the committee page and on the
map of a round's proposals the browser must request exactly the tiles the page names and load
every one of them; the policy must refuse none; the tiles must cover the drawing and lie where
the projection puts them (the red outline under the blue one, a marker at its place on the
tile); the numbered markers must stay links above the tiles; and the credit must show below the
map. Without MAP_TILE_URL no request leaves the site and the map still shows the outline and
the places. See conftest.py for the browser.
"""

import io
import json
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageDraw

from committees import maps
from committees.models import Area
from proposals.models import State
from tests import factories
from tests.e2e.conftest import axe_check, expect_language, phone, shot, size_name, url_prefix
from tests.e2e.conftest import in_language as _

pytestmark = pytest.mark.browser

LANGUAGES = [("da", "da-DK"), ("en", "en-GB")]
SIZES = [{}, phone()]
DEMO = Path(__file__).resolve().parents[2] / "committees" / "data" / "demo_areas.geojson"
ATTRIBUTION = "© Testkortet"
PASSWORD = "a-long-test-password-1"  # what tests.factories.user gives everyone
TILE_PATH = re.compile(r"/(\d+)/(\d+)/(\d+)\.png")
PLACES = [
    # title, latitude, longitude, location text
    ("Bænke ved søerne", 55.695, 12.575, "Sortedams Sø"),
    ("Træer på Strandboulevarden", 55.705, 12.59, ""),
]


def _outline() -> dict:
    features = json.loads(DEMO.read_text())["features"]
    return next(
        f["geometry"] for f in features if f["properties"]["lokaludvalg"] == "Østerbro Lokaludvalg"
    )


# --- The tile server ---------------------------------------------------------------------------


def _tile_png(zoom: int, x: int, y: int) -> bytes:
    """A tile of its own colour, its numbers written on it, the outline and places drawn in red
    at the pixels Web Mercator gives them in this tile."""
    colour = (150 + x * 37 % 100, 160 + y * 53 % 90, 150 + (x + y) * 29 % 100)
    image = Image.new("RGB", (maps.TILE_SIZE, maps.TILE_SIZE), colour)
    draw = ImageDraw.Draw(image)
    count = 2**zoom

    def pixel(longitude: float, latitude: float) -> tuple[float, float]:
        u, v = maps.mercator(longitude, latitude)
        return (u * count - x) * maps.TILE_SIZE, (v * count - y) * maps.TILE_SIZE

    outline = _outline()
    polygons = outline["coordinates"]
    if outline["type"] == "Polygon":
        polygons = [polygons]
    for ring in (ring for polygon in polygons for ring in polygon):
        draw.line([pixel(lon, lat) for lon, lat in ring], fill=(200, 0, 0), width=2)
    for _title, latitude, longitude, _note in PLACES:
        px, py = pixel(longitude, latitude)
        draw.ellipse((px - 4, py - 4, px + 4, py + 4), fill=(200, 0, 0))
    draw.text((8, 8), f"{zoom}/{x}/{y}", fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class TileServer:
    """A slippy-map tile server on 127.0.0.1 and a free port, in a thread of the test.

    `requested` holds every tile asked for, as `http://host:port/z/x/y.png` with the host the
    browser named. Tiles are sent with `no-store`, so that each page's tiles are fetched anew
    and what one page asked for can be told from another's."""

    def __init__(self):
        self.requested: list[str] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with server.lock:
                    server.requested.append(f"http://{self.headers['Host']}{self.path}")
                match = TILE_PATH.fullmatch(self.path)
                if not match:
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                body = _tile_png(*(int(n) for n in match.groups()))
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def taken(self) -> list[str]:
        """The requests so far, forgotten once read."""
        with self.lock:
            requested, self.requested = self.requested, []
        return requested

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def tile_server():
    server = TileServer()
    yield server
    server.stop()


@pytest.fixture
def tile_template(request, tile_server) -> str:
    """The site's MAP_TILE_URL on the tile server. Parametrize it (indirect) with the host's
    name, `{s}` for the sub-domain, or with "" for a site without tiles."""
    host = getattr(request, "param", "{s}.localhost")
    return f"http://{host}:{tile_server.port}/{{z}}/{{x}}/{{y}}.png" if host else ""


@pytest.fixture
def asgi_server_env(asgi_server_env, tile_template) -> dict[str, str]:
    return {**asgi_server_env, "MAP_TILE_URL": tile_template, "MAP_ATTRIBUTION": ATTRIBUTION}


@pytest.fixture
def world(transactional_db, home_page):
    oesterbro = factories.committee("Østerbro Lokaludvalg")
    Area.objects.filter(committee=oesterbro, kind="committee").update(boundary=_outline())
    ideas = factories.budget_round(committee=oesterbro, phase="ideas", title="Grønne idéer 2027")
    proposals = [
        factories.proposal(
            budget_round=ideas,
            state=State.SUBMITTED,
            title=title,
            latitude=latitude,
            longitude=longitude,
            location_text=note,
        )
        for title, latitude, longitude, note in PLACES
    ]
    return {"oesterbro": oesterbro, "ideas": ideas, "proposals": proposals}


# --- What the page shows -----------------------------------------------------------------------

# Every Content-Security-Policy violation the page reports, kept where the test can read it.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", event => {
    window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def watched(page):
    """The page, with its console's policy complaints and every request it makes recorded."""
    page.context.add_init_script(CSP_LISTENER)
    page.console_errors = []
    page.requests = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    page.on("request", lambda request: page.requests.append(request.url))
    return page


def _no_policy_violation(page) -> None:
    assert page.evaluate("window.__cspViolations") == []
    complaints = [m for m in page.console_errors if "Content Security Policy" in m]
    assert complaints == []


def _tiles_loaded(page, figure) -> list[dict]:
    """Wait for every tile of the map to load, and give each one's address, size and box."""
    figure.scroll_into_view_if_needed()
    page.wait_for_function(
        """figure => [...figure.querySelectorAll("img.area-map__tile")].every(
            img => img.complete && img.naturalWidth > 0)""",
        arg=figure.element_handle(),
    )
    return figure.evaluate(
        """figure => [...figure.querySelectorAll("img.area-map__tile")].map(img => {
            const r = img.getBoundingClientRect();
            return {src: img.src, complete: img.complete, naturalWidth: img.naturalWidth,
                    naturalHeight: img.naturalHeight,
                    left: r.left, top: r.top, right: r.right, bottom: r.bottom};
        })"""
    )


def _tile_numbers(url: str) -> tuple[int, int, int]:
    zoom, x, y = (int(n) for n in TILE_PATH.fullmatch(urlsplit(url).path).groups())
    return zoom, x, y


def _expect_tiles(page, figure, tile_server, expected: maps.AreaMap) -> list[dict]:
    """The tiles on the page are the ones maps.py computes, each requested once and loaded whole,
    from the server's sub-domains, and together they cover the drawing without a gap."""
    tiles = _tiles_loaded(page, figure)
    sources = [tile["src"] for tile in tiles]
    assert sorted(sources) == sorted(tile.url for tile in expected.tiles)
    assert sorted(tile_server.taken()) == sorted(sources)
    for tile in tiles:
        assert tile["complete"] and tile["naturalWidth"] == tile["naturalHeight"] == 256, tile
        assert re.fullmatch(rf"http://(tile-)?[abc]\.localhost:{tile_server.port}/.+", tile["src"])
        assert _tile_numbers(tile["src"])[0] == expected.zoom
    svg = figure.locator("svg.area-map__drawing").evaluate(
        "svg => { const r = svg.getBoundingClientRect();"
        " return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }"
    )
    assert min(t["left"] for t in tiles) <= svg["left"] + 0.5
    assert min(t["top"] for t in tiles) <= svg["top"] + 0.5
    assert max(t["right"] for t in tiles) >= svg["right"] - 0.5
    assert max(t["bottom"] for t in tiles) >= svg["bottom"] - 0.5
    # Each tile begins where the drawing puts its corner: the SVG's own transform (viewBox to
    # screen) maps the tile's corner in drawing units to the tile's place on screen.
    ctm = figure.locator("svg.area-map__drawing").evaluate(
        "svg => { const m = svg.getScreenCTM(); return {a: m.a, d: m.d, e: m.e, f: m.f}; }"
    )
    placed = {tile.url: tile for tile in expected.tiles}
    for tile in tiles:
        corner = placed[tile["src"]]
        x = ctm["a"] * corner.left / 100 * expected.width + ctm["e"]
        y = ctm["d"] * corner.top / 100 * expected.height + ctm["f"]
        assert abs(tile["left"] - x) <= 0.1 and abs(tile["top"] - y) <= 0.1, (tile, x, y, ctm)
    # Neighbours meet or overlap a little: no seam between them.
    by_number = {_tile_numbers(t["src"])[1:]: t for t in tiles}
    for (x, y), tile in by_number.items():
        if (x + 1, y) in by_number:
            assert by_number[(x + 1, y)]["left"] <= tile["right"] + 0.01, (tile, x, y)
        if (x, y + 1) in by_number:
            assert by_number[(x, y + 1)]["top"] <= tile["bottom"] + 0.01, (tile, x, y)
    # Under the drawing: wherever the pointer is in the map, it is on the drawing, not a tile.
    on_top = figure.locator("svg.area-map__drawing").evaluate(
        """svg => {
            const r = svg.getBoundingClientRect();
            return [[0.02, 0.02], [0.5, 0.5], [0.98, 0.02], [0.02, 0.98], [0.98, 0.98]].map(
                ([fx, fy]) => svg.contains(
                    document.elementFromPoint(r.left + fx * r.width, r.top + fy * r.height)));
        }"""
    )
    assert all(on_top), on_top
    return tiles


def _expect_markers_on_their_places(figure, tiles: list[dict], zoom: int) -> None:
    """Each marker's centre is where its longitude and latitude fall on the tile under it: the
    tiles lie where the projection puts them, not merely somewhere under the drawing."""
    count = 2**zoom
    by_number = {_tile_numbers(t["src"])[1:]: t for t in tiles}
    # A tile's exact side on screen, from where its neighbours begin (the images themselves are
    # a hair larger, to hide seams).
    columns = sorted({t["left"] for t in tiles})
    rows = sorted({t["top"] for t in tiles})
    side_x, side_y = columns[1] - columns[0], rows[1] - rows[0]
    assert abs(side_x - side_y) <= 0.5, (side_x, side_y)
    markers = figure.locator("a.area-map__point")
    assert markers.count() >= 1
    for index in range(markers.count()):
        marker = markers.nth(index)
        title = marker.get_attribute("aria-label").split(". ", 1)[1]
        _title, latitude, longitude, _note = next(p for p in PLACES if p[0] == title)
        u, v = maps.mercator(longitude, latitude)
        tile = by_number[(int(u * count), int(v * count))]
        expected_x = tile["left"] + (u * count - int(u * count)) * side_x
        expected_y = tile["top"] + (v * count - int(v * count)) * side_y
        circle = marker.locator("circle").bounding_box()
        centre_x = circle["x"] + circle["width"] / 2
        centre_y = circle["y"] + circle["height"] / 2
        assert abs(centre_x - expected_x) <= 1.5 and abs(centre_y - expected_y) <= 1.5, (
            title,
            (centre_x, centre_y),
            (expected_x, expected_y),
        )


def _expect_clickable_marker(page, figure, proposal) -> None:
    """The numbered marker is the element under the pointer, above the tiles, and follows."""
    marker = figure.locator(f'a.area-map__point[href$="/{proposal.pk}/"]')
    box = marker.locator("circle").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    hit = page.evaluate(
        """([x, y]) => {
            const link = document.elementFromPoint(x, y).closest("a.area-map__point");
            return link ? link.getAttribute("href") : "";
        }""",
        [x, y],
    )
    assert hit.endswith(f"/{proposal.pk}/"), hit
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(rf"/forslag/{proposal.pk}/$"))
    assert page.locator("main h1").inner_text() == proposal.title


def _expected_map(template: str, places=()) -> maps.AreaMap:
    """The map maps.py computes for the committee's outline and these proposals."""
    return maps.map_draw(
        boundary=_outline(),
        places=[maps.Place(p.title, "", float(p.longitude), float(p.latitude)) for p in places],
        tile_template=template,
        attribution=ATTRIBUTION,
    )


def _expect_attribution_below(page, figure, language: str) -> None:
    credit = figure.locator(".area-map__attribution")
    assert credit.is_visible()
    assert credit.inner_text() == f"{_(language, 'Map tiles:')} {ATTRIBUTION}"
    canvas = figure.locator(".area-map__canvas").bounding_box()
    box = credit.bounding_box()
    assert box["y"] >= canvas["y"] + canvas["height"], (box, canvas)
    assert box["x"] + box["width"] <= page.viewport_size["width"], box


@pytest.mark.parametrize("browser_context_options", SIZES, ids=["desktop", "phone"])
@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=["da", "en"])
def test_the_maps_lie_on_the_tile_servers_tiles_and_their_markers_stay_links(
    watched, world, tile_server, tile_template, asgi_server, language, browser_context_options
):
    page = watched
    prefix = url_prefix(language)
    size = size_name(browser_context_options)

    # The committee page: its area over the tiles, the credit below.
    response = page.goto(prefix + world["oesterbro"].page.url.removeprefix("/en"))
    expect_language(page, language)
    policy = response.headers["content-security-policy"]
    (img_src,) = [d for d in policy.split("; ") if d.startswith("img-src ")]
    assert f"localhost:{tile_server.port}" in img_src, img_src
    figure = page.locator("figure.area-map")
    assert figure.locator("path.area-map__outline").count() == 1
    _expect_tiles(page, figure, tile_server, _expected_map(tile_template))
    _expect_attribution_below(page, figure, language)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    _no_policy_violation(page)
    shot(page, f"map-tiles-committee-{language}-{size}")
    axe_check(page)

    # The round's proposals on the map: the markers are on their places, above the tiles.
    page.goto(f"{prefix}/forslag/runde/{world['ideas'].pk}/?view=map")
    figure = page.locator("figure.area-map")
    expected = _expected_map(tile_template, world["proposals"])
    tiles = _expect_tiles(page, figure, tile_server, expected)
    _expect_markers_on_their_places(figure, tiles, expected.zoom)
    _expect_attribution_below(page, figure, language)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    _no_policy_violation(page)
    shot(page, f"map-tiles-proposals-{language}-{size}")
    axe_check(page)
    _expect_clickable_marker(page, figure, world["proposals"][1])

    # The proposal's own page: its one place on the tiles, not a link.
    figure = page.locator("figure.area-map")
    _expect_tiles(page, figure, tile_server, _expected_map(tile_template, world["proposals"][1:]))
    assert figure.locator("g.area-map__point").count() == 1
    _no_policy_violation(page)
    axe_check(page)


@pytest.mark.parametrize("tile_template", [""], indirect=True)
@pytest.mark.parametrize("browser_context_options", SIZES, ids=["desktop", "phone"])
@pytest.mark.parametrize(("language", "browser_locale"), [LANGUAGES[0]], ids=["da"])
def test_without_a_tile_server_no_request_leaves_the_site_and_the_map_still_shows(
    watched, world, tile_server, asgi_server, language, browser_context_options
):
    page = watched
    response = page.goto(world["oesterbro"].page.url)
    assert "localhost" not in response.headers["content-security-policy"]
    figure = page.locator("figure.area-map")
    assert figure.locator("path.area-map__outline").count() == 1
    assert figure.locator("img").count() == 0
    assert figure.locator(".area-map__attribution").count() == 0

    page.goto(f"/forslag/runde/{world['ideas'].pk}/?view=map")
    figure = page.locator("figure.area-map")
    figure.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    assert figure.locator("path.area-map__outline").count() == 1
    assert figure.locator("a.area-map__point").count() == len(PLACES)
    assert figure.locator("img").count() == 0
    shot(page, f"map-no-tiles-proposals-da-{size_name(browser_context_options)}")
    axe_check(page)
    _expect_clickable_marker(page, figure, world["proposals"][0])

    assert tile_server.taken() == []
    foreign = [
        url
        for url in page.requests
        if url.startswith(("http:", "https:", "ws:", "wss:"))
        and not url.startswith(asgi_server.url + "/")
    ]
    assert foreign == []
    _no_policy_violation(page)


@pytest.mark.parametrize(("language", "browser_locale"), [LANGUAGES[0]], ids=["da"])
def test_the_place_picker_of_the_proposal_form_shows_the_same_tiles(
    watched, world, tile_server, asgi_server, language
):
    """The one map drawn by a script (Leaflet, on the proposal form) takes its tiles from the
    same setting, and the same policy lets them in."""
    page = watched
    resident = factories.user(email="bente@example.dk", display_name="Bente Beboer")
    form_path = f"/forslag/runde/{world['ideas'].pk}/nyt/"
    page.goto(f"/konto/login/?next={form_path}")
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(resident.email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**{form_path}")
    picker = page.locator("[data-map-picker]")
    picker.scroll_into_view_if_needed()
    page.wait_for_function(
        """() => {
            const tiles = [...document.querySelectorAll("[data-map-picker] img.leaflet-tile")];
            return tiles.length > 0 && tiles.every(t => t.complete);
        }"""
    )
    loaded = picker.evaluate(
        """picker => [...picker.querySelectorAll("img.leaflet-tile")].map(
            img => ({src: img.src, naturalWidth: img.naturalWidth}))"""
    )
    requested = tile_server.taken()
    assert requested
    for tile in loaded:
        assert tile["naturalWidth"] == 256 and tile["src"] in requested, tile
    for url in requested:
        assert re.fullmatch(rf"http://[abc]\.localhost:{tile_server.port}/\d+/\d+/\d+\.png", url)
    assert ATTRIBUTION in picker.locator(".leaflet-control-attribution").inner_text()
    _no_policy_violation(page)
    shot(page, f"map-tiles-picker-{language}-desktop")
    axe_check(page)


@pytest.mark.parametrize("tile_template", ["tile-{s}.localhost"], indirect=True)
@pytest.mark.parametrize(("language", "browser_locale"), [LANGUAGES[0]], ids=["da"])
def test_tiles_from_sub_domains_named_in_part_are_let_in_too(
    watched, world, tile_server, tile_template, asgi_server, language
):
    """`tile-{s}.localhost`: no wildcard of the policy can name these hosts, only each one."""
    page = watched
    page.goto(world["oesterbro"].page.url)
    figure = page.locator("figure.area-map")
    tiles = _expect_tiles(page, figure, tile_server, _expected_map(tile_template))
    assert {urlsplit(tile["src"]).hostname for tile in tiles} <= {
        f"tile-{s}.localhost" for s in "abc"
    }
    _no_policy_violation(page)
