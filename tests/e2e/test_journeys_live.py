"""The live display in a real browser: a ballot cast in one browser context moves the bars on
the projector page open in another, through Daphne, the channel layer and live.js. axe-core
checks the projector page and the join page."""

import re

import pytest

from proposals.models import State
from tests import factories
from tests.e2e.conftest import AXE_JS, TIMEOUT_MS, axe_check
from tests.e2e.conftest import in_language as _
from voting.codes import services as codes_services
from voting.models import VotingConfig

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db, home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.budget_round(
        committee=committee,
        title="Østerbro-puljen 2026",
        phase="voting",
        pot=100_000,
        max_cost=100_000,
        ballot_style="knapsack",
    )
    for title, cost in [("Bænke", 30_000), ("Legeplads", 60_000), ("Træer", 40_000)]:
        factories.proposal(
            budget_round=budget_round, state=State.FEASIBLE, title=title, estimated_cost=cost
        )
    VotingConfig.objects.update_or_create(
        budget_round=budget_round, defaults={"min_ballots_for_tally": 1}
    )
    codes = factories.letter_codes(budget_round=budget_round, count=2)
    ids = {p.title: str(p.pk) for p in budget_round.proposals.all()}
    codes_services.ballot_cast_with_code(
        budget_round=budget_round, code=codes[0], selection={ids["Bænke"]: 1}, client="seed"
    )
    meeting = factories.meeting(committee=committee, budget_round=budget_round)
    return {"round": budget_round, "meeting": meeting, "code": codes[1]}


def _row(page, title: str):
    return page.locator("[data-live-rows] tr").filter(
        has=page.get_by_role("rowheader", name=re.compile(rf"^{title}"))
    )


def _bar_width(page, title: str) -> float:
    return _row(page, title).locator(".live-bar").evaluate("el => el.getBoundingClientRect().width")


@pytest.mark.parametrize(
    ("language", "browser_locale"), [("da", "da-DK"), ("en", "en-GB")], ids=["da", "en"]
)
def test_a_ballot_in_one_browser_moves_the_bars_in_another(
    page, browser, asgi_server, world, language, browser_locale
):
    meeting = world["meeting"]
    prefix = "" if language == "da" else "/en"
    page.goto(f"{prefix}/afstemning/live/moede/{meeting.pk}/")
    assert page.locator("html").get_attribute("lang") == language
    page.wait_for_function(
        "() => document.querySelector('[data-live]').dataset.liveMode === 'socket'"
    )
    page.wait_for_selector("[data-live-tally]:not([hidden])")
    assert _row(page, "Træer").locator("td").first.inner_text() == "0"
    assert _bar_width(page, "Træer") < 3  # no votes yet: the bar is a sliver
    assert page.locator("[data-live-total]").inner_text() == "1"
    assert page.locator(".live-qr svg").count() == 1
    axe_check(page)

    voter = browser.new_context(base_url=asgi_server.url, locale=browser_locale)
    voter.set_default_timeout(TIMEOUT_MS)
    phone = voter.new_page()
    phone.goto(f"{prefix}/afstemning/runde/{world['round'].pk}/kode/")
    form = phone.locator("main form[data-ballot]")
    form.get_by_label(_(language, "Your voting code"), exact=True).fill(world["code"])
    form.get_by_role("checkbox", name=re.compile(r"^Træer ")).check()
    form.get_by_role("checkbox", name=re.compile(r"^Bænke ")).check()
    form.get_by_role("button", name=_(language, "Cast my ballot"), exact=True).click()
    phone.wait_for_url(re.compile(r"/kvittering/$"))
    voter.close()

    # No reload: the projector page hears of the ballot over its socket.
    page.wait_for_function("() => document.querySelector('[data-live-total]').textContent === '2'")
    assert _row(page, "Træer").locator("td").first.inner_text() == "1"
    assert _row(page, "Bænke").locator("td").first.inner_text() == "2"
    page.wait_for_function(  # the bar grows (its transition takes a moment)
        """() => {
            const rows = [...document.querySelectorAll('[data-live-rows] tr')];
            const row = rows.find(r => r.querySelector('th')?.textContent.startsWith('Træer'));
            return row && row.querySelector('.live-bar').getBoundingClientRect().width > 20;
        }"""
    )
    assert page.locator("[data-live-connection]").inner_text() == ""


def test_join_page_is_accessible(page, world):
    page.goto(f"/afstemning/live/moede/{world['meeting'].pk}/deltag/")
    assert page.locator("h1").inner_text() == world["meeting"].title
    axe_check(page)


def test_without_websockets_the_display_polls_the_snapshot(page, world):
    """A network that blocks WebSockets: the page falls back to polling the HTTP snapshot."""
    page.context.add_init_script("delete window.WebSocket;")
    page.goto(f"/en/afstemning/live/runde/{world['round'].pk}/")
    page.wait_for_function(
        "() => document.querySelector('[data-live]').dataset.liveMode === 'polling'"
    )
    page.wait_for_function("() => document.querySelector('[data-live-total]').textContent === '1'")
    assert page.locator("[data-live-connection]").inner_text() != ""  # says it is polling
    ids = {p.title: str(p.pk) for p in world["round"].proposals.all()}
    codes_services.ballot_cast_with_code(
        budget_round=world["round"], code=world["code"], selection={ids["Træer"]: 1}, client="t"
    )
    page.wait_for_function("() => document.querySelector('[data-live-total]').textContent === '2'")
    assert _row(page, "Træer").locator("td").first.inner_text() == "1"


def test_host_opens_voting_and_runs_a_quick_vote_answered_from_a_phone(
    page, browser, asgi_server, world
):
    meeting = world["meeting"]
    host = factories.meeting_host(committee=meeting.committee, email="vaert@example.dk")
    controls = f"/en/afstemning/live/moede/{meeting.pk}/styring/"
    page.goto(f"/en/konto/login/?next={controls}")
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(host.email)
    form.locator("input[name=password]").fill("a-long-test-password-1")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"^{re.escape(asgi_server.url + controls)}$"))
    axe_check(page)
    page.get_by_role("button", name="Open voting in the room").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Close voting in the room").count() == 1
    page.get_by_label("Question").fill("Flere bænke?")
    page.get_by_role("button", name="Start the quick vote").click()
    page.wait_for_load_state()
    assert "Flere bænke?" in page.locator("main").inner_text()

    attendee = browser.new_context(base_url=asgi_server.url, locale="en-GB")
    attendee.set_default_timeout(TIMEOUT_MS)
    attendee.add_init_script(path=str(AXE_JS))
    phone = attendee.new_page()
    phone.goto(f"/m/{meeting.pk}/")  # the short link behind the QR code
    assert phone.url.endswith(f"/afstemning/live/moede/{meeting.pk}/deltag/")
    phone.goto(f"/en/afstemning/live/moede/{meeting.pk}/deltag/")
    assert phone.get_by_role("group", name="Flere bænke?").count() == 1
    axe_check(phone)
    phone.get_by_label("Yes").check()
    phone.get_by_role("button", name="Send my answer").click()
    phone.wait_for_load_state()
    assert "Your answer is counted" in phone.locator("main").inner_text()
    attendee.close()

    page.get_by_role("button", name="Close the quick vote and record the result").click()
    page.wait_for_load_state()
    meeting.refresh_from_db()
    assert "Flere bænke?" in meeting.minutes and "Yes 1" in meeting.minutes
