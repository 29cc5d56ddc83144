"""The home page, a committee page, the results and the ballot in a real browser, in Danish and
English, on a desktop and a 390x844 phone: what is open now leads, the header stays small, the
ballot's running total stays in sight, tables stack instead of running off-screen, and axe-core
finds no serious or critical problem. See conftest.py for the browser."""

import datetime

import pytest
from django.utils import timezone

from committees.models import BudgetRound
from proposals.models import State
from tests import factories
from tests.e2e.conftest import axe_check, phone, shot, url_prefix
from tests.e2e.conftest import in_language as _

pytestmark = pytest.mark.browser

LANGUAGES = [("da", "da-DK"), ("en", "en-GB")]
SIZES = [{}, phone()]
PASSWORD = "a-long-test-password-1"  # what tests.factories.user gives everyone


@pytest.fixture
def world(transactional_db, home_page):
    oesterbro = factories.committee("Østerbro Lokaludvalg")
    valby = factories.committee("Valby Lokaludvalg", district_name="Valby")
    ideas = factories.budget_round(committee=oesterbro, phase="ideas", title="Grønne idéer 2027")
    factories.budget_round(committee=oesterbro, phase="results", title="Østerbro-puljen 2026")
    voting = factories.voting_round(committee=valby)
    factories.meeting(committee=oesterbro, days_from_now=2, title="Borgermøde om idéerne")
    return {"oesterbro": oesterbro, "valby": valby, "ideas": ideas, "voting": voting}


@pytest.mark.parametrize("browser_context_options", [phone()], ids=["phone"])
@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=["da", "en"])
def test_many_open_rounds_fold_behind_one_button(page, world, language, browser_context_options):
    """Six cards, then one button: the committees' list below is not pushed screens away; the
    button opens the rest from the keyboard."""
    for n in range(8):
        dates = factories.round_dates(
            phase="ideas", now=timezone.now() - datetime.timedelta(hours=n)
        )
        factories.budget_round(committee=world["valby"], title=f"Valby-idéer {n}", **dates)
    page.goto(url_prefix(language) + "/")
    section = page.get_by_role("region", name=_(language, "Open now"))
    cards = section.locator(".open-now__item")
    visible = [cards.nth(i).is_visible() for i in range(cards.count())]
    assert cards.count() == 11 and visible.count(True) == 6, visible
    more = section.locator(".open-now__more > summary")
    assert more.inner_text().startswith({"da": "Vis 5 flere", "en": "Show 5 more"}[language])
    assert more.bounding_box()["y"] < 3 * 844  # within three screens of the top
    axe_check(page)
    more.focus()
    page.keyboard.press("Enter")
    assert all(cards.nth(i).is_visible() for i in range(cards.count()))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, f"home-folded-{language}-phone")
    axe_check(page)


@pytest.mark.parametrize("browser_context_options", SIZES, ids=["desktop", "phone"])
@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=["da", "en"])
def test_home_page_leads_with_what_is_open_now(page, world, language, browser_context_options):
    page.goto(url_prefix(language) + "/")
    section = page.get_by_role("region", name=_(language, "Open now"))
    items = section.get_by_role("listitem")
    assert items.count() == 3
    assert section.get_by_role("link", name=_(language, "Vote")).count() == 1
    assert section.get_by_role("link", name=_(language, "Propose or support ideas")).count() == 1
    assert section.get_by_text("Borgermøde om idéerne").is_visible()
    # Each card holds its whole button: a card sized by the design system's rule for card rows
    # cut off its last 32 px, the button with it, and hid it behind overflow.
    for index in range(items.count()):
        card, button = items.nth(index).bounding_box(), items.nth(index).locator("a").bounding_box()
        assert button["y"] + button["height"] <= card["y"] + card["height"], (index, card, button)
    shot(page, f"home-{language}-{'phone' if browser_context_options else 'desktop'}")
    header = page.locator("header.header").bounding_box()
    if browser_context_options:
        assert header["height"] <= 110, header
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_check(page)
    section.get_by_role("link", name=_(language, "Propose or support ideas")).click()
    page.wait_for_url(f"**/runder/{world['ideas'].slug}/")
    assert world["ideas"].title in page.locator("h1").inner_text()


@pytest.mark.parametrize("browser_context_options", SIZES, ids=["desktop", "phone"])
@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=["da", "en"])
def test_committee_page_puts_the_open_round_first(page, world, language, browser_context_options):
    page.goto(url_prefix(language) + world["oesterbro"].page.url.removeprefix("/en"))
    rounds = page.locator(".round-card")
    assert rounds.count() == 2
    first = rounds.first
    assert "round-card--open" in first.get_attribute("class")
    assert "Grønne idéer 2027" in first.inner_text()
    assert _(language, "Open now") in first.inner_text()
    shot(page, f"committee-{language}-{'phone' if browser_context_options else 'desktop'}")
    axe_check(page)


def _log_in(page, user, language: str, next_path: str) -> None:
    page.goto(f"{url_prefix(language)}/konto/login/?next={next_path}")
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(user.email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**{next_path}")


@pytest.mark.parametrize("browser_context_options", [phone()], ids=["phone"])
@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=["da", "en"])
def test_the_ballots_running_total_stays_in_sight_while_scrolling(page, world, language):
    voting = world["voting"]
    for number in range(10):
        factories.proposal(
            budget_round=voting,
            state=State.FEASIBLE,
            title=f"Projekt {number}",
            estimated_cost=5_000,
        )
    voter = factories.verified_voter(area=world["valby"].district)
    ballot = f"{url_prefix(language)}/afstemning/runde/{voting.pk}/"
    _log_in(page, voter, language, ballot)
    total = page.locator("[data-ballot-total]")
    page.locator(".ballot-project input").first.check()
    for project in (0, 5, 9):
        page.locator(".ballot-project").nth(project).scroll_into_view_if_needed()
        box = total.bounding_box()
        assert total.is_visible() and 0 <= box["y"] and box["y"] + box["height"] <= 844, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # signed in, too
    shot(page, f"ballot-{language}")
    axe_check(page)


@pytest.mark.parametrize("browser_context_options", [phone()], ids=["phone"])
@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=["da", "en"])
def test_results_table_and_recipe_fit_a_phone(page, world, language):
    voting = world["voting"]
    BudgetRound.objects.filter(pk=voting.pk).update(**factories.round_dates(phase="results"))
    page.goto(f"{url_prefix(language)}/afstemning/runde/{voting.pk}/resultat/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row = page.locator("table.table-sm-responsive-headers tbody tr").first
    assert row.bounding_box()["width"] <= 390
    labels = row.locator("td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert f'"{_(language, "Votes")}"' in labels  # each cell says what it holds
    recipe = page.locator(".recount-recipe").last
    assert recipe.bounding_box()["x"] + recipe.bounding_box()["width"] <= 390
    assert "{{" not in recipe.inner_text() and "==" not in recipe.inner_text()
    shot(page, f"results-{language}")
    axe_check(page)


@pytest.mark.parametrize("browser_context_options", SIZES, ids=["desktop", "phone"])
@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=["da", "en"])
def test_proposal_filters_fold_behind_one_button(page, world, language, browser_context_options):
    ideas = world["ideas"]
    factories.proposal(budget_round=ideas, state=State.SUBMITTED, title="Bænke ved søerne")
    page.goto(f"{url_prefix(language)}/forslag/runde/{ideas.pk}/")
    search = page.get_by_role("search")
    assert not search.is_visible()
    page.get_by_text(_(language, "Search and filter")).click()
    assert search.is_visible()
    search.get_by_role("textbox").first.fill("Bænke")
    search.get_by_role("button").click()
    page.wait_for_url("**q=*")
    assert page.get_by_role("search").is_visible()  # stays open while a filter is chosen
    assert page.get_by_role("link", name="Bænke ved søerne").count() == 1
    shot(page, f"list-{language}-{'phone' if browser_context_options else 'desktop'}")
    axe_check(page)
