"""A resident's e-mails: following a proposal from its page with the keyboard, choosing what to
hear on /mine-emails/ (newsletters apart from the news about what one follows), and the
one-click unsubscribe from a real message's link: in Danish and English, on a desktop and a
phone.

The message is the one the notices queue wrote when the followed proposal moved on: its
List-Unsubscribe link is opened as a mail program or a reader would. axe-core checks every page
on the way. See conftest.py for the browser.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from django.utils import translation

from committees import services as committee_services
from notices.kinds import Kind
from notices.models import CommitteeFollow, NoticePreference
from proposals import services as proposal_services
from proposals.following import services as following_services
from proposals.models import ProposalFollow, State
from tests import factories
from tests.e2e.conftest import (
    axe_check,
    expect_language,
    log_in,
    message_subject,
    message_text,
    phone,
)
from tests.e2e.conftest import in_language as _

pytestmark = pytest.mark.browser

PREFIX = {"da": "", "en": "/en"}


@pytest.fixture
def world(transactional_db, home_page, browser_locale, asgi_server_env):
    language = browser_locale[:2]
    committee = committee_services.committee_create(
        name="Valby Lokaludvalg", slug="valby-lokaludvalg", district=factories.district("Valby")
    )
    ideas = factories.budget_round(committee=committee, title="Valby-puljen", phase="ideas")
    me = factories.user(
        email=f"karen.{language}@example.dk", display_name="Karen", preferred_language=language
    )
    CommitteeFollow.objects.create(user=me, committee=committee)
    neighbour = factories.user(display_name="Niels")
    followed = factories.proposal(
        budget_round=ideas, author=neighbour, state=State.SUBMITTED, title="Bænke ved Damhussøen"
    )
    other = factories.proposal(
        budget_round=ideas, author=neighbour, state=State.SUBMITTED, title="Frugttræer i parken"
    )
    following_services.proposal_follow(user=me, proposal=followed)
    # The proposal moves on: the queue writes Karen's notice where the server's mail goes.
    moderator = factories.moderator(committee=committee)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=asgi_server_env["EMAIL_FILE_PATH"],
    ):
        proposal_services.proposal_transition(
            actor=moderator, proposal=followed, target=State.IN_REVIEW
        )
    return {"me": me, "followed": followed, "other": other}


def _press(page, locator) -> None:
    """Reach a control with the keyboard and use it: focus, then Space or Enter."""
    locator.focus()
    assert locator.evaluate("element => element === document.activeElement")
    page.keyboard.press("Space" if locator.get_attribute("type") == "checkbox" else "Enter")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize(
    ("language", "browser_locale", "browser_context_options"),
    [
        pytest.param("da", "da-DK", {}, id="da-desktop"),
        pytest.param("en", "en-GB", phone(), id="en-phone"),
        pytest.param("da", "da-DK", phone(), id="da-phone"),
        pytest.param("en", "en-GB", {}, id="en-desktop"),
    ],
)
def test_a_resident_follows_chooses_and_unsubscribes_with_one_click(page, world, mailbox, language):
    main = page.locator("main")
    me = world["me"]

    # The notice of the followed proposal, in Karen's language, with its one-click link.
    notices = [m for m in mailbox() if m["To"] == me.email]
    assert len(notices) == 1, [message_subject(m) for m in mailbox()]
    notice = notices[0]
    assert world["followed"].case_number in message_subject(notice)
    with translation.override(language):
        assert str(State.IN_REVIEW.label) in message_subject(notice)
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert notice["Content-Language"] == language
    link = re.search(r"<([^>]+)>", str(notice["List-Unsubscribe"]))
    unsubscribe = urlsplit(link.group(1)).path
    assert unsubscribe.startswith(f"{PREFIX[language]}/mine-emails/afmeld/")
    assert unsubscribe in message_text(notice)

    # Follow another proposal from its page, with the keyboard.
    log_in(
        page,
        me.email,
        login_url=f"{PREFIX[language]}/konto/login/",
        lands_on=re.compile(r"^https?://[^/]+/(en/)?$"),
    )
    page.goto(f"{PREFIX[language]}/forslag/{world['other'].pk}/")
    expect_language(page, language)
    axe_check(page)
    _fits(page)
    with page.expect_navigation():
        _press(page, main.get_by_role("button", name=_(language, "Follow the proposal")))
    assert main.get_by_role("button", name=_(language, "Stop following the proposal")).is_visible()
    axe_check(page)
    assert ProposalFollow.objects.filter(user=me, proposal=world["other"]).exists()

    # Both show on "Mit borgerbudget".
    page.goto(f"{PREFIX[language]}/mit-borgerbudget/")
    followed = main.locator("h2", has_text=_(language, "Proposals you follow")).locator(
        "xpath=following-sibling::ul[1]"
    )
    assert followed.get_by_role("link", name="Bænke ved Damhussøen").is_visible()
    assert followed.get_by_role("link", name="Frugttræer i parken").is_visible()
    axe_check(page)

    # The e-mail choices: newsletters are chosen apart; turn them off with the keyboard.
    page.goto(f"{PREFIX[language]}/mine-emails/")
    expect_language(page, language)
    axe_check(page)
    _fits(page)
    newsletters = main.get_by_label(_(language, "Newsletters from the committees"))
    following = main.get_by_label(_(language, "News about proposals and projects you follow"))
    assert newsletters.is_checked() and following.is_checked()
    _press(page, newsletters)
    assert not newsletters.is_checked()
    with page.expect_navigation():
        _press(page, main.get_by_role("button", name=_(language, "Save")))
    assert main.get_by_label(_(language, "Newsletters from the committees")).is_checked() is False
    assert main.get_by_label(
        _(language, "News about proposals and projects you follow")
    ).is_checked()
    axe_check(page)
    assert NoticePreference.objects.get(user=me).muted == [Kind.NEWSLETTER]

    # One click from the message: a page with one button, signed out as a mail program is.
    page.context.clear_cookies()
    page.goto(unsubscribe)
    expect_language(page, language)
    axe_check(page)
    _fits(page)
    assert NoticePreference.objects.get(user=me).muted == [Kind.NEWSLETTER]  # not on a GET
    with page.expect_navigation():
        _press(page, main.get_by_role("button", name=_(language, "Stop these e-mails")))
    done = main.get_by_role("status")
    assert _(language, "News about proposals and projects you follow") in done.inner_text()
    axe_check(page)
    assert sorted(NoticePreference.objects.get(user=me).muted) == [
        Kind.FOLLOWING,
        Kind.NEWSLETTER,
    ]
