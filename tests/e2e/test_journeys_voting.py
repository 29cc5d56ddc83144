"""Voting in a real browser: a verified resident casts a knapsack ballot with the keyboard alone,
goes over the pot and is told so by the server, an anonymous visitor on a phone votes with a
one-time code (once), and a browser without JavaScript votes with server-side checks only.

axe-core checks the ballot, error and receipt pages. See conftest.py for the browser.
"""

import datetime
import re
from urllib.parse import quote

import pytest

from proposals.models import State
from tests import factories
from tests.e2e.conftest import axe_check, expect_language, phone
from tests.e2e.conftest import in_language as _
from voting.identity import services as identity_services
from voting.keys import RECEIPT_ALPHABET
from voting.models import Ballot

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password-1"  # what tests.factories.user gives everyone
PREFIX = {"da": "", "en": "/en"}
POT = 100_000
PROJECTS = [("Bænke", 30_000), ("Legeplads", 60_000), ("Træer", 40_000)]
RECEIPT = re.compile(rf"^[{RECEIPT_ALPHABET}]{{10}}$")
LANGUAGES = [pytest.param("da", "da-DK", id="da"), pytest.param("en", "en-GB", id="en")]
MAX_TABS = 60


def _money(language: str, amount: int) -> str:
    """As ballot.js writes an amount: 90.000 kr. in Danish, DKK 90,000 in English."""
    return f"{amount:,}".replace(",", ".") + " kr." if language == "da" else f"DKK {amount:,}"


def _chosen_for(language: str, chosen: int) -> str:
    """The running total while within the pot (its closing full stop left out)."""
    words = {"da": ("Valgt for", "tilbage af"), "en": ("Chosen for", "left of")}[language]
    return (
        f"{words[0]} {_money(language, chosen)}, "
        f"{_money(language, POT - chosen)} {words[1]} {_money(language, POT)}"
    )


@pytest.fixture
def world(transactional_db, home_page):
    """Østerbro's knapsack round in its voting phase and a resident verified in the district.
    Made before the browser opens any page; the server sees it through the test database."""
    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.budget_round(
        committee=committee,
        title="Østerbro-puljen 2026",
        phase="voting",
        pot=POT,
        max_cost=POT,
        ballot_style="knapsack",
    )
    projects = {
        title: factories.proposal(
            budget_round=budget_round, state=State.FEASIBLE, title=title, estimated_cost=cost
        )
        for title, cost in PROJECTS
    }
    resident = factories.user(email="vaelger@example.dk", display_name="Vera Vælger")
    identity_services.identity_verify(
        user=resident,
        provider="mitid-test",
        subject="s1",
        national_id="0101901234",
        birth_date=datetime.date(1990, 1, 1),
        area=committee.district,
    )
    return {"round": budget_round, "projects": projects, "resident": resident}


def _ballot_path(language: str, budget_round) -> str:
    return f"{PREFIX[language]}/afstemning/runde/{budget_round.pk}/"


def _log_in_to_ballot(page, language: str, world: dict) -> str:
    """Log in on the login page and land on the round's ballot."""
    ballot = _ballot_path(language, world["round"])
    page.goto(f"{PREFIX[language]}/konto/login/?next={quote(ballot)}")
    expect_language(page, language)
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(world["resident"].email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"{re.escape(ballot)}$"))
    expect_language(page, language)
    return ballot


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), type: el.type || "", id: el.id || "",
                    text: (el.innerText || "").trim()};
        }"""
    )


def _tab_until(page, wanted, what: str) -> dict:
    """Press Tab until the focused element is the one wanted; fail after MAX_TABS."""
    for _step in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if wanted(focused):
            return focused
    raise AssertionError(f"Tab never reached {what}; last focus {focused}")


def _total(page):
    return page.locator("form[data-ballot] [data-ballot-total]")


def _receipt_code(page, language: str) -> str:
    page.wait_for_url(re.compile(r"/afstemning/runde/\d+/kvittering/$"))
    expect_language(page, language)
    main = page.locator("main")
    assert main.get_by_role("heading", level=1).inner_text() == _(language, "Thank you for voting")
    assert main.get_by_role("heading", name=_(language, "Your receipt code")).count() == 1
    code = main.locator(".receipt-code").inner_text().strip()
    assert RECEIPT.match(code), code
    return code


@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES)
def test_resident_votes_with_the_keyboard_alone(page, world, language):
    _log_in_to_ballot(page, language, world)
    main = page.locator("main")
    assert main.get_by_role("heading", level=1).inner_text() == _(language, "Your ballot")
    total = _total(page)
    assert total.get_attribute("aria-live") == "polite"
    assert total.is_visible()
    start = total.inner_text()
    assert start.startswith(_chosen_for(language, 0)), start
    axe_check(page)

    # From here on, only the keyboard.
    first = _tab_until(
        page, lambda f: f["tag"] == "input" and f["type"] == "checkbox", "a project checkbox"
    )
    page.keyboard.press("Space")
    costs = {f"p{p.pk}": p.estimated_cost for p in world["projects"].values()}
    first_cost = costs[first["id"]]
    assert page.locator(f"#{first['id']}").is_checked()
    after_one = total.inner_text()
    assert after_one.startswith(_chosen_for(language, first_cost)), after_one

    second = _tab_until(
        page,
        lambda f: f["tag"] == "input" and f["type"] == "checkbox" and f["id"] != first["id"],
        "another project checkbox",
    )
    page.keyboard.press("Space")
    second_cost = costs[second["id"]]
    chosen = first_cost + second_cost
    assert chosen <= POT
    after_two = total.inner_text()
    assert after_two.startswith(_chosen_for(language, chosen)), after_two
    assert total.get_attribute("aria-live") == "polite"
    assert total.is_visible()

    cast = _(language, "Cast my ballot")
    _tab_until(page, lambda f: f["tag"] == "button" and f["text"] == cast, f"the {cast!r} button")
    page.keyboard.press("Enter")

    code = _receipt_code(page, language)
    axe_check(page)
    ballot = Ballot.objects.get(budget_round=world["round"])
    assert ballot.receipt_code == code
    ids = {first["id"].removeprefix("p"), second["id"].removeprefix("p")}
    assert ballot.selection == dict.fromkeys(ids, 1)


@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES)
def test_ballot_over_the_pot_is_refused_with_the_choices_kept(page, world, language):
    ballot_path = _log_in_to_ballot(page, language, world)
    main = page.locator("main")
    form = main.locator("form[data-ballot]")
    boxes = form.get_by_role("checkbox")
    assert boxes.count() == len(PROJECTS)
    for title, _cost in PROJECTS:
        form.get_by_role("checkbox", name=re.compile(rf"^{title} ")).check()
    over = sum(cost for _title, cost in PROJECTS) - POT
    word = {"da": "Over puljen med", "en": "Over the pot by"}[language]
    assert _total(page).inner_text().startswith(f"{word} {_money(language, over)}")

    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name=_(language, "Cast my ballot"), exact=True).click()
    assert posted.value.status == 400
    page.wait_for_load_state()
    assert page.url.endswith(ballot_path)
    expect_language(page, language)
    alert = main.get_by_role("alert")
    assert _(language, "Your ballot was not counted yet") in alert.inner_text()
    assert _(language, "The projects you chose cost more than the pot.") in alert.inner_text()
    # ballot.js moves the focus to the errors, so a screen reader reads them first.
    assert _focused(page)["id"] == "ballot-errors"
    for title, _cost in PROJECTS:
        assert form.get_by_role("checkbox", name=re.compile(rf"^{title} ")).is_checked()
    assert _total(page).inner_text().startswith(f"{word} {_money(language, over)}")
    axe_check(page)
    assert not Ballot.objects.filter(budget_round=world["round"]).exists()


@pytest.mark.parametrize(
    ("language", "browser_locale", "browser_context_options"),
    [
        pytest.param("da", "da-DK", phone(), id="da-phone"),
        pytest.param("en", "en-GB", phone(), id="en-phone"),
    ],
)
def test_visitor_on_a_phone_votes_once_with_a_one_time_code(page, world, language):
    budget_round = world["round"]
    code = factories.letter_codes(budget_round=budget_round, count=1)[0]
    code_path = f"{PREFIX[language]}/afstemning/runde/{budget_round.pk}/kode/"
    main = page.locator("main")

    def vote(project: str) -> None:
        page.goto(code_path)
        expect_language(page, language)
        form = main.locator("form[data-ballot]")
        field = form.get_by_label(_(language, "Your voting code"), exact=True)
        field.tap()
        field.press_sequentially(code)
        form.get_by_role("checkbox", name=re.compile(rf"^{project} ")).tap()
        form.get_by_role("button", name=_(language, "Cast my ballot"), exact=True).tap()

    page.goto(code_path)
    axe_check(page)
    vote("Legeplads")
    receipt = _receipt_code(page, language)
    axe_check(page)
    ballot = Ballot.objects.get(budget_round=budget_round)
    assert ballot.receipt_code == receipt
    assert ballot.selection == {str(world["projects"]["Legeplads"].pk): 1}

    vote("Træer")
    page.wait_for_load_state()
    assert page.url.endswith(code_path)
    alert = main.get_by_role("alert")
    assert _(language, "This code has already been used.") in alert.inner_text()
    assert main.get_by_label(_(language, "Your voting code"), exact=True).input_value() == code
    axe_check(page)
    assert Ballot.objects.filter(budget_round=budget_round).count() == 1


@pytest.mark.parametrize(
    ("language", "browser_locale", "browser_context_options"),
    [pytest.param("da", "da-DK", {"java_script_enabled": False}, id="da-no-js")],
)
def test_resident_votes_without_javascript(page, world, language):
    _log_in_to_ballot(page, language, world)
    form = page.locator("main form[data-ballot]")
    # Without ballot.js there is no running total: the server does every check.
    assert _total(page).is_hidden()
    form.get_by_role("checkbox", name=re.compile(r"^Bænke ")).check()
    form.get_by_role("checkbox", name=re.compile(r"^Træer ")).check()
    form.get_by_role("button", name=_(language, "Cast my ballot"), exact=True).click()

    code = _receipt_code(page, language)
    ballot = Ballot.objects.get(budget_round=world["round"])
    assert ballot.receipt_code == code
    projects = world["projects"]
    assert ballot.selection == {str(projects["Bænke"].pk): 1, str(projects["Træer"].pk): 1}
