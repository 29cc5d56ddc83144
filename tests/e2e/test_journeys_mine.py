"""A resident opens "Mit borgerbudget" from the header, finds a draft left behind, sees that
their own proposal takes no support from them, supports a neighbour's, answers a comment, edits
the answer and deletes it, and sees their ballot received without what they voted: in Danish and
English, on a desktop and a phone.

axe-core checks every page on the way. See conftest.py for the browser.
"""

import re

import pytest

from committees import services as committee_services
from proposals import services as proposal_services
from tests import factories
from tests.e2e.conftest import axe_check, expect_language, log_in, phone
from tests.e2e.conftest import in_language as _
from tests.voting.conftest import project_ids
from voting import services as voting_services

pytestmark = pytest.mark.browser

PREFIX = {"da": "", "en": "/en"}
RECEIVED = "Your ballot is received (%(channel)s, %(day)s) and is counted with the others."


@pytest.fixture
def world(transactional_db, home_page, browser_locale):
    language = browser_locale[:2]
    committee = committee_services.committee_create(
        name="Østerbro Lokaludvalg",
        slug="oesterbro-lokaludvalg",
        district=factories.district("Østerbro"),
    )
    ideas = factories.budget_round(committee=committee, title="Østerbro-puljen", phase="ideas")
    me = factories.user(
        email=f"bente.{language}@example.dk", display_name="Bente", preferred_language=language
    )
    neighbour = factories.user(display_name="Niels")
    draft = factories.proposal(budget_round=ideas, author=me, title="Halvfærdig idé om bænke")
    own = factories.proposal(
        budget_round=ideas, author=me, state="submitted", title="Min legeplads"
    )
    theirs = factories.proposal(
        budget_round=ideas, author=neighbour, state="submitted", title="Træer på Trianglen"
    )
    question = proposal_services.comment_add(
        author=neighbour, proposal=theirs, body="Hvilke træer skal der plantes?"
    )
    vote = factories.voting_round(committee=committee, title="Østerbro stemmer")
    factories.verified_identity(user=me, area=committee.district)
    voting_services.ballot_cast_online(
        user=me, budget_round=vote, selection={project_ids(vote)["Legeplads"]: 1}
    )
    return {"me": me, "draft": draft, "own": own, "theirs": theirs, "question": question}


def _log_in(page, language: str, email: str) -> None:
    log_in(
        page,
        email,
        login_url=f"{PREFIX[language]}/konto/login/",
        lands_on=re.compile(r"^https?://[^/]+/(en/)?$"),
    )
    page.goto(f"{PREFIX[language]}/")  # the sign-in lands on the Danish front page for all
    expect_language(page, language)


@pytest.mark.parametrize(
    ("language", "browser_locale", "browser_context_options"),
    [
        pytest.param("da", "da-DK", {}, id="da-desktop"),
        pytest.param("en", "en-GB", phone(), id="en-phone"),
        pytest.param("da", "da-DK", phone(), id="da-phone"),
        pytest.param("en", "en-GB", {}, id="en-desktop"),
    ],
)
def test_a_resident_finds_their_own_things_and_answers_edits_and_deletes(page, world, language):
    main = page.locator("main")
    _log_in(page, language, world["me"].email)

    # The header leads to the resident's own page, where the forgotten draft waits (on a phone
    # behind the account's button).
    if page.viewport_size["width"] < 576:
        page.locator("header summary.header-menu__button").click()
    page.locator("header").get_by_role(
        "link", name=_(language, "My Borgerbudget"), exact=True
    ).click()
    page.wait_for_url(re.compile(r"/mit-borgerbudget/$"))
    expect_language(page, language)
    axe_check(page)
    assert main.get_by_role("link", name="Halvfærdig idé om bænke").is_visible()
    assert main.get_by_text(_(language, "Drafts not submitted yet")).is_visible()
    status = main.locator(".mine-round").filter(has_text="Østerbro stemmer")
    received = _(language, RECEIVED).split("(")[0].strip()
    assert received in status.inner_text()
    assert "Legeplads" not in status.inner_text()  # what was voted is never shown
    assert status.get_by_role(
        "link", name=re.compile(re.escape(_(language, "Change your ballot")))
    ).is_visible()
    assert main.get_by_role("link", name=_(language, "Choose which e-mails you get")).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # Their own proposal: no support button, a sentence saying why.
    main.get_by_role("link", name="Min legeplads").click()
    page.wait_for_url(re.compile(r"/forslag/\d+/$"))
    axe_check(page)
    assert main.get_by_text(
        _(language, "You cannot support your own proposal: supports show that others want it too.")
    ).is_visible()
    assert main.get_by_role("button", name=_(language, "Support this proposal")).count() == 0

    # A neighbour's proposal: support it, answer the question.
    page.goto(f"{PREFIX[language]}/forslag/{world['theirs'].pk}/")
    main.get_by_role("button", name=_(language, "Support this proposal")).click()
    page.wait_for_url(re.compile(r"/forslag/\d+/$"))
    question = main.locator(f"#comment-{world['question'].pk}")
    question.locator("summary").click()
    question.get_by_label(_(language, "Your answer")).fill("Lind og kastanje, tror jeg.")
    axe_check(page)
    question.get_by_role("button", name=_(language, "Publish answer")).click()
    page.wait_for_url(re.compile(r"/forslag/\d+/#comment-\d+$"))
    answer = question.locator(".comment-answer").filter(has_text="Lind og kastanje")
    assert answer.is_visible()
    axe_check(page)

    # Edit the answer: it is marked as edited.
    answer.get_by_role("link", name=re.compile("^" + re.escape(_(language, "Edit")))).click()
    page.wait_for_url(re.compile(r"/kommentarer/\d+/rediger/$"))
    axe_check(page)
    main.get_by_label(_(language, "Your comment")).fill("Lind og kastanje, har jeg hørt.")
    main.get_by_role("button", name=_(language, "Save the comment")).click()
    page.wait_for_url(re.compile(r"/forslag/\d+/#comment-\d+$"))
    answer = question.locator(".comment-answer").first
    assert "Lind og kastanje, har jeg hørt." in answer.inner_text()
    assert answer.get_by_text(_(language, "edited"), exact=True).is_visible()

    # Delete it: a tombstone stays, the question above it too.
    answer.get_by_role("link", name=re.compile("^" + re.escape(_(language, "Delete")))).click()
    page.wait_for_url(re.compile(r"/kommentarer/\d+/slet/$"))
    axe_check(page)
    main.get_by_role("button", name=_(language, "Delete the comment")).click()
    page.wait_for_url(re.compile(r"/forslag/\d+/#comment-\d+$"))
    assert question.get_by_text(_(language, "Deleted by its author.")).is_visible()
    assert "har jeg hørt" not in main.inner_text()
    assert question.get_by_text("Hvilke træer skal der plantes?").is_visible()
    axe_check(page)

    # Back on the resident's page, the support is listed.
    page.goto(f"{PREFIX[language]}/mit-borgerbudget/")
    assert main.get_by_role("link", name="Træer på Trianglen").is_visible()
