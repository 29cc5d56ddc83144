"""The live display in a real browser: a ballot cast in one browser context moves the bars on
the projector page open in another, through Daphne, the channel layer and live.js. axe-core
checks the projector page and the join page."""

import datetime
import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from committees.models import AgendaItem
from tests import factories
from tests.e2e.conftest import AXE_JS, TIMEOUT_MS, axe_check, phone
from tests.e2e.conftest import in_language as _
from tests.voting.live.test_display_language import DANISH, ENGLISH, GENERATED
from voting.codes import services as codes_services
from voting.live import services as live_services
from voting.live import views as live_views
from voting.models import PollingStation
from voting.paper import services as paper

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db, home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.voting_round(committee=committee, title="Østerbro-puljen 2026")
    factories.tally_threshold(budget_round=budget_round, ballots=1)
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
    line = meeting.minutes_entries.get()
    assert line.params["question"] == "Flere bænke?" and line.params["counts"][0] == 1
    with translation.override("en"):
        assert "Yes 1" in line.text()


# --- The projector page fits one screen ------------------------------------------------------

PROJECTOR_SIZES = [(1920, 1080), (1280, 720), (1024, 768)]
PROJECT_NAMES = [
    "Bænke ved søerne",
    "Legeplads i Fælledparken",
    "Træer på Strandboulevarden",
    "Cykelparkering ved Trianglen",
    "Vandpost på Sortedamsdosseringen",
    "Lys i Kildevældsparken",
    "Skaterbane ved Nordhavn",
    "Fællesbibliotek i gården",
    "Blomstereng langs banen",
    "Shelter i Lersøparken",
    "Udendørs fitness ved stranden",
    "Borde og bænke på torvet",
    "Insekthotel i skolegården",
    "Kunst på gavlen",
    "Overdækket cykelsti",
    "Badebro ved Svanemøllen",
]


@pytest.fixture
def crowded_meeting(transactional_db, home_page):
    """A meeting showing a round with 16 projects, some ballots, and an open quick vote with
    answers: everything the projector page can show at once."""
    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.voting_round(
        committee=committee,
        title="Østerbro-puljen 2026",
        pot=400_000,
        max_cost=400_000,
        projects=tuple((title, 40_000 + 5_000 * n) for n, title in enumerate(PROJECT_NAMES)),
    )
    factories.tally_threshold(budget_round=budget_round, ballots=1)
    codes = factories.letter_codes(budget_round=budget_round, count=3)
    ids = [str(p.pk) for p in budget_round.proposals.order_by("pk")]
    for n, code in enumerate(codes):
        selection = dict.fromkeys(ids[n : n + 6], 1)
        codes_services.ballot_cast_with_code(
            budget_round=budget_round, code=code, selection=selection, client="seed"
        )
    meeting = factories.meeting(committee=committee, budget_round=budget_round)
    host = factories.meeting_host(committee=committee)
    vote, _codes = live_services.quick_vote_start(
        user=host,
        meeting=meeting,
        question="Hvor skal næste borgermøde holdes?",
        kind="choose_one",
        counted_by="device",
        options=["Biblioteket", "Medborgerhuset", "Skolen"],
    )
    for n in range(4):
        live_services.quick_vote_answer(quick_vote=vote, choice=n % 3, device_token=f"device-{n}")
    return {"round": budget_round, "meeting": meeting}


# Everything the issue names, by selector: each must lie wholly inside the viewport.
MUST_SHOW = {
    "title": "h1",
    "pot summary": "[data-live-pot]",
    "pot line": "[data-live-pot-line]",
    "turnout": "[data-live-total]",
    "countdown": "[data-live-time]",
    "QR code": ".live-qr svg",
    "short link": ".live-link a",
    "quick vote question": "[data-quick-question]",
    "quick vote answers": "[data-quick-answers]",
}

OUTSIDE_VIEWPORT_JS = """(selectors) => {
    const w = window.innerWidth, h = window.innerHeight;
    const out = [];
    const check = (name, el) => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) { out.push(name + ' (not shown)'); return; }
        if (r.left < 0 || r.top < 0 || r.right > w + 0.5 || r.bottom > h + 0.5) {
            out.push(name + ' at ' + [r.left, r.top, r.right, r.bottom].map(Math.round));
        }
    };
    for (const [name, selector] of Object.entries(selectors)) {
        const el = document.querySelector(selector);
        if (!el) { out.push(name + ' (missing)'); continue; }
        check(name, el);
    }
    document.querySelectorAll('[data-live-rows] tr:not([hidden])').forEach(
        (tr) => check('row ' + tr.textContent.slice(0, 30), tr));
    return out;
}"""

SMALLEST_TEXT_JS = """() => {
    let smallest = 1000, where = '';
    const walker = document.createTreeWalker(document.querySelector('[data-live]'),
                                             NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const el = walker.currentNode.parentElement;
        if (!walker.currentNode.textContent.trim() || el.closest('.sr-only, [hidden], noscript')) {
            continue;
        }
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) { continue; }
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (size < smallest) { smallest = size; where = el.textContent.slice(0, 40); }
    }
    return [smallest, where];
}"""


def _shown_and_more(page) -> tuple[int, int]:
    shown = page.locator("[data-live-rows] tr:not([hidden]):not([data-live-more])").count()
    shown -= page.locator("[data-live-pot-line]").count()
    more = sum(
        int(re.search(r"\d+", text).group())
        for text in page.locator("[data-live-more]").all_inner_texts()
    )
    return shown, more


@pytest.mark.parametrize(
    ("language", "browser_locale"), [("da", "da-DK"), ("en", "en-GB")], ids=["da", "en"]
)
def test_the_projector_page_fits_one_screen_at_every_projector_size(
    page, crowded_meeting, language, browser_locale, tmp_path
):
    meeting = crowded_meeting["meeting"]
    prefix = "" if language == "da" else "/en"
    page.goto(f"{prefix}/afstemning/live/moede/{meeting.pk}/")
    page.wait_for_function(
        "() => document.querySelector('[data-live]').dataset.liveMode === 'socket'"
    )
    page.wait_for_selector("[data-live-tally]:not([hidden])")
    page.wait_for_selector("[data-live-quick]:not([hidden])")
    page.wait_for_function(
        "() => /\\d\\d:\\d\\d/.test(document.querySelector('[data-live-time]').textContent)"
    )
    assert "viewBox" in page.locator(".live-qr svg").evaluate("el => el.outerHTML")[:80]
    pot = page.locator("[data-live-pot]").inner_text()
    # Each figure of the pot comes with its label: pot, within the pot, left.
    assert len(re.findall(r"\d[\d.,]*\d", pot)) == 3 and pot.startswith(_(language, "Pot"))
    assert "400" in page.locator("[data-live-pot-line]").inner_text()
    sizes = []
    for width, height in PROJECTOR_SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(400)  # live.js refits the rows after a resize
        shot = tmp_path / f"projector-{language}-{width}x{height}.png"
        page.screenshot(path=str(shot))
        sizes.append((shot.name, shot.stat().st_size))
        scroll = page.evaluate(
            "() => [document.scrollingElement.scrollHeight, document.scrollingElement.scrollWidth]"
        )
        assert scroll[0] <= height and scroll[1] <= width, (width, height, scroll)
        outside = page.evaluate(OUTSIDE_VIEWPORT_JS, MUST_SHOW)
        assert outside == [], (width, height, outside)
        shown, more = _shown_and_more(page)
        assert shown + more == len(PROJECT_NAMES), (width, height, shown, more)
        assert shown >= 3, (width, height, shown)  # not trimmed to nothing
        qr = page.locator(".live-qr svg").bounding_box()
        # The code fills a near-square box (the SVG keeps its square inside it).
        assert min(qr["width"], qr["height"]) >= 150, (width, height, qr)
        assert min(qr["width"], qr["height"]) / max(qr["width"], qr["height"]) > 0.95, qr
        if height == 1080:
            smallest, where = page.evaluate(SMALLEST_TEXT_JS)
            assert smallest >= 24, (smallest, where)  # readable from the back of the room
    print("projector screenshots:", sizes)
    axe_check(page)
    # On a phone the same blocks stack and scroll, every row shown, nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(400)
    page.screenshot(path=str(tmp_path / f"projector-{language}-phone.png"), full_page=True)
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 390
    assert _shown_and_more(page) == (len(PROJECT_NAMES), 0)
    axe_check(page)


def test_with_few_projects_every_row_shows_without_a_more_line(page, world):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"/afstemning/live/moede/{world['meeting'].pk}/")
    page.wait_for_selector("[data-live-tally]:not([hidden])")
    assert _shown_and_more(page) == (3, 0)
    assert page.evaluate(OUTSIDE_VIEWPORT_JS, {"QR code": ".live-qr svg"}) == []


def _answer_from_a_phone(browser, asgi_server, path: str, language: str, answer: str) -> None:
    """An attendee answers on the join page from a phone of their own (its own device cookie),
    through the server like anyone in the room: the host page hears of it over its socket."""
    attendee = browser.new_context(base_url=asgi_server.url, **phone())
    attendee.set_default_timeout(TIMEOUT_MS)
    page = attendee.new_page()
    page.goto(path)
    page.get_by_label(_(language, answer), exact=True).check()
    page.get_by_role("button", name=_(language, "Send my answer")).click()
    page.wait_for_load_state()
    assert _(language, "Thank you. Your answer is counted.") in page.locator("main").inner_text()
    attendee.close()


def _log_in(page, user, next_url: str) -> None:
    page.goto(f"/en/konto/login/?next={next_url}")
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(user.email)
    form.locator("input[name=password]").fill("a-long-test-password-1")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*{re.escape(next_url)}$"))


@pytest.mark.parametrize(
    ("language", "browser_locale"), [("da", "da-DK"), ("en", "en-GB")], ids=["da", "en"]
)
def test_the_host_page_follows_the_room_and_warns_before_freezing(
    page, browser, asgi_server, world, language, browser_locale
):

    meeting = world["meeting"]
    host = factories.meeting_host(committee=meeting.committee, email="vaert@example.dk")
    vote, _codes = live_services.quick_vote_start(
        user=host, meeting=meeting, question="Flere bænke?", kind="yes_no", counted_by="device"
    )
    prefix = "" if language == "da" else "/en"
    controls = f"{prefix}/afstemning/live/moede/{meeting.pk}/styring/"
    _log_in(page, host, controls)
    page.wait_for_function(
        "() => document.querySelector('[data-live]').dataset.liveMode === 'socket'"
    )
    answers = page.locator("[data-quick-answers]")
    assert answers.inner_text().startswith("0 ")
    axe_check(page)

    # Answers from the room arrive without a reload.
    join = f"{prefix}/afstemning/live/moede/{meeting.pk}/deltag/"
    _answer_from_a_phone(browser, asgi_server, join, language, "Yes")
    _answer_from_a_phone(browser, asgi_server, join, language, "No")
    page.wait_for_function(
        "() => document.querySelector('[data-quick-answers]').textContent.startsWith('2 ')"
    )
    voter = browser.new_context(base_url=asgi_server.url, locale=browser_locale)  # and turnout
    voter.set_default_timeout(TIMEOUT_MS)
    ballot = voter.new_page()
    ballot.goto(f"{prefix}/afstemning/runde/{world['round'].pk}/kode/")
    form = ballot.locator("main form[data-ballot]")
    form.get_by_label(_(language, "Your voting code"), exact=True).fill(world["code"])
    form.get_by_role("checkbox", name=re.compile(r"^Træer ")).check()
    form.get_by_role("button", name=_(language, "Cast my ballot"), exact=True).click()
    ballot.wait_for_url(re.compile(r"/kvittering/$"))
    voter.close()
    page.wait_for_function("() => document.querySelector('[data-live-total]').textContent === '2'")

    # Closing shows the result here, as the minutes record it.
    close = _(language, "Close the quick vote and record the result")
    page.get_by_role("button", name=close).click()
    page.wait_for_load_state()
    result = page.locator("[data-quick-rows]")
    assert result.get_by_role("row", name=re.compile(rf"^{_(language, 'Yes')} 1")).count() == 1
    assert result.get_by_role("row", name=re.compile(rf"^{_(language, 'No')} 1")).count() == 1

    # Freezing while online voting is open: a warning, and nothing happens without the tick.
    assert page.get_by_text(_(language, "Online voting is still open")).count() == 1
    freeze = _(language, "Freeze the final result")
    page.get_by_role("button", name=freeze).click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").count() == 1
    axe_check(page)
    page.get_by_label(_(language, "Freeze anyway, while online voting is open")).check()
    page.get_by_role("button", name=freeze).click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name=_(language, "Reveal the result")).count() == 1

    # The projector says what froze, and that the clock counts down online voting.
    page.goto(f"{prefix}/afstemning/live/moede/{meeting.pk}/")
    page.wait_for_selector("[data-live-note]:not(:empty)")
    note = page.locator("[data-live-note]").inner_text()
    with translation.override(language):
        expected = live_views._labels()["frozen_open"] % {"count": "2"}
    assert note == expected  # not "voting has closed" beside a countdown of days
    heading = page.locator("[data-live-time-heading]").inner_text()
    assert heading == _(language, "Online voting closes in")


@pytest.fixture
def station_world(world):
    """The meeting at the round's polling station: two voters checked in, one already voted on
    paper today, and the host has started a quick vote counted once per checked-in voter."""
    meeting = world["meeting"]
    station = PollingStation.objects.create(budget_round=world["round"], name="Bibliotek")
    staff = factories.polling_staff(committee=meeting.committee, email="stab@example.dk")
    voters = [
        paper.voter_check_in(
            staff=staff,
            station=station,
            national_id=f"010190{serial}",
            birth_date=datetime.date(1990, 1, 1),
            area=meeting.committee.district,
            intent=intent,
        )
        for serial, intent in (("1234", "tablet"), ("5678", "paper"))
    ]
    host = factories.meeting_host(committee=meeting.committee, email="vaert@example.dk")
    vote, _codes = live_services.quick_vote_start(
        user=host, meeting=meeting, question="Flere bænke?", kind="yes_no", counted_by="checked_in"
    )
    return {**world, "station": station, "staff": staff, "voters": voters, "vote": vote}


@pytest.mark.parametrize(
    ("language", "browser_locale", "browser_context_options"),
    [("da", "da-DK", phone()), ("en", "en-GB", phone())],
    ids=["da", "en"],
)
def test_polling_staff_hand_the_tablet_to_each_checked_in_voter_once(
    page, station_world, language, tmp_path
):
    """On a phone-sized tablet: staff pick a waiting voter, the voter answers with the keyboard
    alone, the list then says they have answered; a phone of their own cannot answer."""
    meeting, station = station_world["meeting"], station_world["station"]
    first, second = station_world["voters"]
    prefix = "" if language == "da" else "/en"
    tablet = f"{prefix}/afstemning/live/moede/{meeting.pk}/station/{station.pk}/"
    # Staff land on the check-in page, which points to the quick vote's tablet page.
    check_in = f"{prefix}/afstemning/personale/valgsted/{station.pk}/"
    _log_in(page, station_world["staff"], check_in)
    axe_check(page)
    page.get_by_role("link", name=re.compile("Flere bænke")).click()
    page.wait_for_url(re.compile(rf".*{re.escape(tablet)}$"))
    main = page.locator("main")
    assert "Flere bænke?" in main.inner_text()
    axe_check(page)
    page.screenshot(path=str(tmp_path / f"station-{language}.png"), full_page=True)
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 390

    for voter, answer in ((first, "Yes"), (second, "No")):
        link = page.get_by_role(
            "link",
            name=_(language, "Voter no. %(number)s: open the quick vote on the tablet")
            % {"number": voter.pk},
        )
        link.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_role("group", name="Flere bænke?").count() == 1
        axe_check(page)
        if voter == first:
            page.screenshot(path=str(tmp_path / f"answer-{language}.png"), full_page=True)
            assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 390
        page.get_by_label(_(language, answer), exact=True).focus()
        page.keyboard.press("Space")
        with page.expect_navigation():  # the answer is posted, and staff get the list back
            page.keyboard.press("Enter")  # submits the form from the radio button
        page.wait_for_url(re.compile(rf".*{re.escape(tablet)}$"))
        assert _(language, "Thank you. The answer is counted.") in main.inner_text()
        assert (
            _(language, "Voter no. %(number)s: has answered") % {"number": voter.pk}
            in main.inner_text()
        )
    axe_check(page)

    # The first voter again, by the address: refused, and still one answer each.
    page.goto(f"{tablet}{first.pk}/")
    page.get_by_label(_(language, "No"), exact=True).check()
    page.get_by_role("button", name=_(language, "Send my answer")).click()
    page.wait_for_load_state()
    assert _(language, "This voter has already answered this quick vote.") in main.inner_text()
    axe_check(page)
    vote = station_world["vote"]
    assert sorted(vote.answers.values_list("choice", flat=True)) == [0, 1]

    # The room's phones are pointed to the tablet and cannot answer.
    page.goto(f"{prefix}/afstemning/live/moede/{meeting.pk}/deltag/")
    assert page.locator("input[name=choice]").count() == 0
    axe_check(page)


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_display_names_a_generated_agenda_item_in_the_viewers_language(page, world, language):
    """One message reaches every display; live.js picks the item's title in the page's language,
    and a live update keeps it."""
    meeting = world["meeting"]
    item = AgendaItem.objects.create(
        meeting=meeting, title=DANISH, sort_order=0, generated=GENERATED
    )
    host = factories.meeting_host(committee=meeting.committee)
    with translation.override("en" if language == "da" else "da"):
        live_services.quick_vote_start(
            user=host,
            meeting=meeting,
            question="Er I enige?",
            kind="yes_no",
            counted_by="device",
            agenda_item_id=item.pk,
        )
    prefix = "" if language == "da" else "/en"
    page.goto(f"{prefix}/afstemning/live/moede/{meeting.pk}/")
    page.wait_for_function(
        "() => document.querySelector('[data-live]').dataset.liveMode === 'socket'"
    )
    question = page.locator("[data-quick-question]")
    expected = {"da": DANISH, "en": ENGLISH}[language] + ": Er I enige?"
    expect(question).to_have_text(expected, timeout=TIMEOUT_MS)
    # An answer from a phone reaches the display through the server: the title stays worded.
    phone = page.context.new_page()
    phone.goto(f"{prefix}/afstemning/live/moede/{meeting.pk}/deltag/")
    phone.get_by_label(_(language, "Yes")).check()
    phone.get_by_role("button", name=_(language, "Send my answer")).click()
    phone.wait_for_load_state()
    expect(page.locator("[data-quick-answers]")).to_contain_text("1", timeout=TIMEOUT_MS)
    expect(question).to_have_text(expected)
