"""A new resident signs up, confirms the e-mail, lands logged in and switches to English.

axe-core checks every page on the way; one run uses a phone. See conftest.py for the browser.
"""

import re

import pytest

from tests.e2e.conftest import axe_check, expect_language, message_subject, message_text, phone
from tests.e2e.conftest import in_language as _

pytestmark = pytest.mark.browser

PASSWORD = "en-god-adgangskode-2026"
HOME_PATH = {"da": "/", "en": "/en/"}
CONFIRM_LINK = re.compile(r"https?://[^\s/]+(/(?:en/)?konto/confirm-email/\S+)")


@pytest.mark.parametrize(
    ("language", "browser_locale", "browser_context_options"),
    [
        pytest.param("da", "da-DK", {}, id="da-desktop"),
        pytest.param("en", "en-GB", {}, id="en-desktop"),
        pytest.param("da", "da-DK", phone(), id="da-phone"),
    ],
)
def test_new_resident_signs_up_confirms_and_switches_language(
    page, mailbox, django_user_model, language
):
    address = f"ny.beboer.{language}@example.dk"
    header = page.locator("header")
    main = page.locator("main")

    page.goto(HOME_PATH[language])
    expect_language(page, language)
    axe_check(page)

    header.get_by_role("link", name=_(language, "Log in"), exact=True).click()
    page.wait_for_url(re.compile(r"/konto/login/$"))
    expect_language(page, language)
    axe_check(page)

    # On a desktop the header offers it; a phone's header has room only for "Log in", and the
    # log-in page links on to it.
    page.locator('a[href$="/konto/signup/"]:visible').first.click()
    page.wait_for_url(re.compile(r"/konto/signup/$"))
    expect_language(page, language)
    axe_check(page)

    form = main.locator("form").filter(has=page.locator("input[name=password2]"))
    form.locator("input[name=email]").fill(address)
    form.locator("input[name=display_name]").fill("Ny Beboer")
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/konto/confirm-email/$"))
    expect_language(page, language)
    axe_check(page)

    messages = [m for m in mailbox() if m["To"] == address]
    assert len(messages) == 1, [m["Subject"] for m in mailbox()]
    subject = message_subject(messages[0]).lower()
    assert ("bekræft" if language == "da" else "confirm") in subject
    link = CONFIRM_LINK.search(message_text(messages[0]))
    assert link, message_text(messages[0])

    page.goto(link.group(1))
    expect_language(page, language)
    axe_check(page)
    main.locator("form button[type=submit]").click()
    page.wait_for_load_state()

    # Logged in on the front page. Known gap: allauth sends everyone to LOGIN_REDIRECT_URL ("/"),
    # which is the Danish front page, so an English resident lands in Danish for now.
    page.wait_for_url(re.compile(r"/(en/)?$"))
    landed = page.locator("html").get_attribute("lang")
    if language == "da":
        assert landed == "da"
    # The name is shown beside the account's buttons; a phone's header folds them behind one.
    on_phone = page.viewport_size["width"] < 600
    assert header.get_by_text("Ny Beboer", exact=True).is_visible() is not on_phone
    if on_phone:
        header.locator("summary.header-menu__button").click()
    assert header.get_by_role("link", name=_(landed, "My Borgerbudget"), exact=True).is_visible()
    assert header.get_by_role("button", name=_(landed, "Log out"), exact=True).is_visible()
    user = django_user_model.objects.get(email=address)
    assert user.emailaddress_set.get().verified
    axe_check(page)

    header.get_by_role("button", name="English", exact=True).click()
    page.wait_for_url(re.compile(r"/en/$"))
    expect_language(page, "en")
    if on_phone:
        header.locator("summary.header-menu__button").click()
    assert header.get_by_role("button", name="Log out", exact=True).is_visible()
    assert main.get_by_role("heading", level=1).is_visible()
    axe_check(page)
    user.refresh_from_db()
    assert user.preferred_language == "en"

    page.locator("footer").get_by_role("link", name="Accessibility statement", exact=True).click()
    page.wait_for_url(re.compile(r"/en/tilgaengelighed/$"))
    expect_language(page, "en")
    assert main.get_by_role("heading", level=1).inner_text() == "Accessibility statement"
    axe_check(page)


def test_skip_link_moves_focus_to_the_content_with_the_keyboard(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main-content"
    assert page.locator("a.skipnav").is_visible()
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'main-content'")
    assert page.url.endswith("#main-content")
