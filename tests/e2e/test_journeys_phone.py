"""The header, long names and the maps on a 390x844 phone and a desktop, in Danish and English.

Signed in, the phone's header keeps to about 100px: the account's links fold behind one button
that the keyboard opens. A 40-letter Danish compound in a committee's name is hyphenated instead
of pushing the page sideways. The maps the server draws show the area's outline and numbered
points that are links, reached with the keyboard. axe finds no serious or critical problem.
"""

import json
import re
from pathlib import Path

import pytest

from committees.models import Area
from proposals.models import State
from tests import factories
from tests.e2e.conftest import (
    axe_check,
    expect_language,
    log_in,
    phone,
    shot,
    size_name,
    url_prefix,
)
from tests.e2e.conftest import in_language as _

pytestmark = pytest.mark.browser

LANGUAGES = [("da", "da-DK"), ("en", "en-GB")]
SIZES = [{}, phone()]
DEMO = Path(__file__).resolve().parents[2] / "committees" / "data" / "demo_areas.geojson"
# 40 letters, one word: "pedestrian crossing safety improvements".
COMPOUND = "Fodgængerovergangssikkerhedsforbedringer"


@pytest.fixture
def world(transactional_db, home_page):
    oesterbro = factories.committee("Østerbro Lokaludvalg")
    features = json.loads(DEMO.read_text())["features"]
    outline = next(
        f["geometry"] for f in features if f["properties"]["lokaludvalg"] == "Østerbro Lokaludvalg"
    )
    Area.objects.filter(committee=oesterbro, kind="committee").update(boundary=outline)
    ideas = factories.budget_round(committee=oesterbro, phase="ideas", title="Grønne idéer 2027")
    benches = factories.proposal(
        budget_round=ideas,
        state=State.SUBMITTED,
        title="Bænke ved søerne",
        latitude=55.695,
        longitude=12.575,
        location_text="Sortedams Sø",
    )
    trees = factories.proposal(
        budget_round=ideas,
        state=State.SUBMITTED,
        title="Træer på Strandboulevarden",
        latitude=55.705,
        longitude=12.59,
    )
    moderator = factories.moderator(committee=oesterbro, display_name="Mette Moderator")
    return {
        "oesterbro": oesterbro,
        "ideas": ideas,
        "benches": benches,
        "trees": trees,
        "moderator": moderator,
    }


def _log_in(page, user, language: str) -> None:
    log_in(
        page,
        user.email,
        login_url=f"{url_prefix(language)}/konto/login/?next={url_prefix(language)}/",
    )
    page.goto(f"{url_prefix(language)}/")
    expect_language(page, language)


@pytest.mark.parametrize("browser_context_options", SIZES, ids=["desktop", "phone"])
@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=["da", "en"])
def test_the_signed_in_header_is_small_on_a_phone_and_every_link_is_reachable(
    page, world, language, browser_context_options
):
    on_phone = bool(browser_context_options)
    _log_in(page, world["moderator"], language)
    header = page.locator("header.header")
    height = header.bounding_box()["height"]
    print(f"signed-in header, {language}, {size_name(browser_context_options)}: {height:.0f} px")
    shot(page, f"header-{language}-{size_name(browser_context_options)}")
    links = [
        header.get_by_role("link", name=_(language, "My Borgerbudget"), exact=True),
        header.get_by_role("link", name=_(language, "Workspace"), exact=True),
        header.get_by_role("button", name=_(language, "Log out"), exact=True),
    ]
    button = header.locator("summary.header-menu__button")
    if on_phone:
        assert height <= 100, height
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not any(link.is_visible() for link in links)
        axe_check(page)
        # The keyboard opens the menu: Tab from the language switch reaches the button.
        header.get_by_role("button", name="English" if language == "da" else "Dansk").focus()
        page.keyboard.press("Tab")
        assert button.evaluate("element => element === document.activeElement")
        page.keyboard.press("Enter")
        assert all(link.is_visible() for link in links)
        for link in links:
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 40, box
        assert header.get_by_text("Mette Moderator", exact=True).is_visible()
        shot(page, f"header-open-{language}-phone")
        axe_check(page)
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # the first link in the menu: Mit borgerbudget
    else:
        assert not button.is_visible()
        assert all(link.is_visible() for link in links)
        assert header.get_by_text("Mette Moderator", exact=True).is_visible()
        axe_check(page)
        links[0].focus()
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/mit-borgerbudget/$"))
    expect_language(page, language)


@pytest.mark.parametrize("browser_context_options", [phone()], ids=["phone"])
@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=["da", "en"])
def test_a_long_compound_word_is_hyphenated_not_pushed_off_a_phone(page, world, language):
    assert len(COMPOUND) == 40
    round_ = world["ideas"]
    round_.title = f"{COMPOUND} 2027"
    round_.save(update_fields=["title"])
    page.goto(f"{url_prefix(language)}/forslag/runde/{round_.pk}/")
    heading = page.locator("main h1")
    style = heading.evaluate(
        "h => ({hyphens: getComputedStyle(h).hyphens, lang: h.closest('[lang]').lang,"
        " width: h.getBoundingClientRect().width, scroll: h.scrollWidth})"
    )
    assert style["hyphens"] == "auto" and style["lang"] == language, style
    assert style["scroll"] <= style["width"] + 1, style
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, f"compound-{language}-phone")
    axe_check(page)


@pytest.mark.parametrize("browser_context_options", SIZES, ids=["desktop", "phone"])
@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=["da", "en"])
def test_the_maps_show_the_area_and_the_points_as_links_without_a_tile_server(
    page, world, language, browser_context_options
):
    prefix = url_prefix(language)
    page.goto(prefix + world["oesterbro"].page.url.removeprefix("/en"))
    area = page.locator("figure.area-map")
    assert area.locator("path.area-map__outline").count() == 1
    box = area.bounding_box()
    assert box["width"] > 200 and box["height"] > 130, box
    assert page.evaluate("document.documentElement.scrollWidth") <= (
        390 if browser_context_options else 1280
    )
    shot(page, f"map-committee-{language}-{size_name(browser_context_options)}")
    axe_check(page)

    page.goto(f"{prefix}/forslag/runde/{world['ideas'].pk}/?view=map")
    drawing = page.get_by_role("group", name=_(language, "Map of the proposals on this page"))
    markers = drawing.get_by_role("link")
    assert markers.count() == 2
    listed = page.locator("ol.area-map__places > li")
    assert listed.count() == 2
    names = {listed.nth(i).get_by_role("link").inner_text() for i in range(2)}
    assert names == {"Bænke ved søerne", "Træer på Strandboulevarden"}
    assert "Sortedams Sø" in page.locator("ol.area-map__places").inner_text()
    # Every marker lies inside the drawing.
    outer = drawing.bounding_box()
    for index in range(2):
        mark = markers.nth(index).bounding_box()
        assert outer["x"] <= mark["x"] and mark["x"] + mark["width"] <= outer["x"] + outer["width"]
        assert (
            outer["y"] <= mark["y"] and mark["y"] + mark["height"] <= outer["y"] + outer["height"]
        )
    shot(page, f"map-proposals-{language}-{size_name(browser_context_options)}")
    axe_check(page)
    # The keyboard reaches a marker and follows it.
    first = markers.first
    label = first.get_attribute("aria-label")
    first.focus()
    assert first.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/forslag/\d+/$"))
    assert page.locator("main h1").inner_text() == label.split(". ", 1)[1]
    # A proposal's own page shows its point on the outline.
    assert page.locator("figure.area-map path.area-map__outline").count() == 1
    assert page.locator("figure.area-map g.area-map__point").count() == 1
    axe_check(page)
