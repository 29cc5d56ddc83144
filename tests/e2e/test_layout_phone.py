"""On a phone the main menu is on screen, reachable by touch and by the keyboard, with no drawer."""

import pytest

from tests.e2e.conftest import axe_check, phone

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_options() -> dict:
    return phone()


@pytest.mark.django_db(transaction=True)
def test_the_main_menu_is_visible_and_usable_on_a_phone(page, home_page):
    page.goto("/en/")
    menu = page.get_by_role("navigation", name="Main menu")
    links = menu.get_by_role("link")
    assert links.count() >= 2
    for index in range(links.count()):
        link = links.nth(index)
        assert link.is_visible()
        box = link.bounding_box()
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The menu's first link lines up with the site's name above it, not with the screen's edge.
    header = page.locator("header.header")
    name = header.get_by_role("link", name="Borgerbudget").first.bounding_box()
    assert links.first.bounding_box()["x"] >= name["x"] - 1, (links.first.bounding_box(), name)
    # The page does not scroll sideways, and the menu leads somewhere.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    target = links.nth(1).get_attribute("href")
    links.nth(1).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{target}")
    axe_check(page)
