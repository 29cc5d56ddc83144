"""Grant pools in a real browser. An association applies on a phone, in English: the pool page,
the application with its budget lines, the errors, the submission and its case number. And, in
Danish and English, on a desktop and a 390x844 phone: an association applies with two budget
lines (the total follows as it types) and a PDF quote, sees its application "received", the
secretariat takes it through the admin to "granted", and the applicant sees "granted"; no page it
passes on the way offers a support button or a vote.

axe-core checks each public page on the way. See conftest.py for the browser.
"""

import datetime
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import pgettext

from frontend.money import format_kroner
from proposals.models import GrantApplication, GrantStage
from tests import factories
from tests.e2e.conftest import AXE_JS, axe_check, log_in, phone, shot
from tests.e2e.conftest import in_language as _

pytestmark = pytest.mark.browser
PASSWORD = "a-long-test-password-1"


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


@pytest.fixture
def browser_context_options() -> dict:
    return phone()


@pytest.fixture
def world(transactional_db, home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    pool = factories.grant_pool(committee=committee, pot=300_000, title="Lokaludvalgets pulje")
    applicant = factories.user(
        email="forening@example.dk", display_name="Frederik", preferred_language="en"
    )
    return {"pool": pool, "applicant": applicant}


def test_an_association_applies_for_a_grant_on_a_phone(page, world, mailbox):
    pool = world["pool"]
    log_in(
        page,
        world["applicant"].email,
        login_url="/en/konto/login/",
        lands_on=re.compile(r"^https?://[^/]+/en/$"),
    )
    page.goto(f"/en/forslag/pulje/{pool.pk}/")
    main = page.locator("main")
    assert main.get_by_role("heading", level=1).inner_text() == "Lokaludvalgets pulje"
    assert main.get_by_text("No applications have been decided yet.").is_visible()
    axe_check(page)

    main.get_by_role("link", name="Apply for a grant", exact=True).click()
    page.wait_for_url(re.compile(rf"/en/forslag/pulje/{pool.pk}/ansoeg/$"))
    axe_check(page)
    form = main.locator("form")
    form.get_by_role("radio", name="Association", exact=True).check()
    form.get_by_label(re.compile(r"^Applying association or person")).fill("Rosenvængets Beboere")
    form.get_by_label(re.compile(r"^Contact person")).fill("Frederik")
    form.get_by_label(re.compile(r"^Contact e-mail")).fill("forening@example.dk")
    form.get_by_label(re.compile(r"^Title of the activity")).fill("Sankthansfest")
    form.get_by_label(re.compile(r"^Short summary")).fill("Bål og fællessang.")
    form.get_by_label(re.compile(r"^Describe the activity")).fill("Bål, musik og fællessang.")
    date = timezone.localdate() + datetime.timedelta(days=30)
    form.get_by_label(re.compile(r"^Date of the activity")).fill(date.isoformat())
    form.get_by_label(re.compile(r"^Where it takes place")).fill("Søerne")
    form.get_by_label(re.compile(r"^How is the activity advertised")).fill("Opslag.")
    form.get_by_label(re.compile(r"^How do volunteers take part")).fill("Naboer hjælper.")
    line1 = form.locator("fieldset.grant-line").nth(0)
    line1.get_by_label(re.compile(r"^What")).fill("Scene")
    # The amount is left out on purpose.
    checklist = form.locator("fieldset").filter(has_text=pool.checklist.first().text).last
    checklist.get_by_role("radio", name="Yes", exact=True).check()
    form.get_by_role("button", name="Submit application", exact=True).click()

    # A clear error; nothing typed is lost.
    page.wait_for_load_state()
    assert main.get_by_text("Fill in both what the line is for and its amount.").first.is_visible()
    assert form.get_by_label(re.compile(r"^Title of the activity")).input_value() == "Sankthansfest"
    line1 = form.locator("fieldset.grant-line").nth(0)
    line1.get_by_label(re.compile(r"^Amount")).fill("12000")
    line3 = form.locator("fieldset.grant-line").nth(2)
    line3.get_by_label(re.compile(r"^What")).fill("Salg af mad")
    line3.get_by_label(re.compile(r"^Amount")).fill("2000")
    form.get_by_role("button", name="Submit application", exact=True).click()

    page.wait_for_url(re.compile(r"/en/forslag/ansoegning/\d+/$"))
    axe_check(page)
    lead = main.locator("p.font-lead").inner_text()
    case_number = re.search(r"BB-\d{3,}-\d{5,}", lead).group(0)
    assert _state("en", "Received") in lead
    applied = main.locator("dt", has_text="Amount applied for").locator(
        "xpath=following-sibling::dd[1]"
    )
    assert applied.inner_text().strip() == format_kroner(12_000 - 2_000, "en")
    assert any(case_number in message["Subject"] for message in mailbox())


# --- Applied for, received, granted: in both languages, on a desktop and a phone -------------

LANGUAGES = [("da", "da-DK"), ("en", "en-GB")]
SIZES = [{}, phone()]


def _state(language: str, text: str) -> str:
    with translation.override(language):
        return pgettext("grant state", text)


def _starts(language: str, text: str) -> re.Pattern:
    """A field's label: it begins with the text (a hint or a mark may follow)."""
    return re.compile("^" + re.escape(_(language, text)))


def _fits(page) -> None:
    """Nothing runs off the side of the screen, a phone's included."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def _no_support_or_vote(page, language: str) -> None:
    main = page.locator("main")
    for word in ("Support this proposal", "Log in to support this proposal", "Vote"):
        assert main.get_by_role("button", name=_(language, word), exact=True).count() == 0
        assert main.get_by_role("link", name=_(language, word), exact=True).count() == 0
    assert main.locator("form[action*='/stoet/'], form[action*='support']").count() == 0
    assert _(language, "On the ballot") not in main.inner_text()


@pytest.fixture
def applied_world(world):
    world["secretariat"] = factories.moderator(
        committee=world["pool"].committee, email="sekretariat@example.dk"
    )
    return world


@pytest.mark.parametrize("browser_context_options", SIZES, ids=["desktop", "phone"])
@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES, ids=["da", "en"])
def test_an_association_applies_and_is_granted_with_no_support_or_vote_anywhere(
    page, browser, asgi_server, applied_world, language, browser_locale, browser_context_options
):
    pool = applied_world["pool"]
    prefix = "" if language == "da" else "/en"
    size = "phone" if browser_context_options else "desktop"
    applicant = applied_world["applicant"]
    applicant.preferred_language = language
    applicant.save(update_fields=["preferred_language"])

    page.goto(f"{prefix}/konto/login/?next={prefix}/forslag/pulje/{pool.pk}/")
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(applicant.email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"{prefix}/forslag/pulje/{pool.pk}/$"))
    main = page.locator("main")
    main.get_by_role("link", name=_(language, "Apply for a grant"), exact=True).click()
    page.wait_for_url(re.compile(rf"/forslag/pulje/{pool.pk}/ansoeg/$"))

    form = main.locator("form")
    form.get_by_role("radio", name=_(language, "Association"), exact=True).check()
    applicant_field = _starts(language, "Applying association or person")
    form.get_by_label(applicant_field).fill("Rosenvængets Beboere")
    form.get_by_role("textbox", name=_(language, "Contact person"), exact=True).fill("Frederik")
    form.get_by_label(_starts(language, "Contact e-mail")).fill("forening@example.dk")
    form.get_by_label(_starts(language, "Title of the activity")).fill("Sankthansfest")
    form.get_by_label(_starts(language, "Short summary")).fill("Bål og fællessang.")
    form.get_by_label(_starts(language, "Describe the activity")).fill("Bål, musik og fællessang.")
    date = timezone.localdate() + datetime.timedelta(days=30)
    form.get_by_label(_starts(language, "Date of the activity")).fill(date.isoformat())
    form.get_by_label(_starts(language, "Where it takes place")).fill("Søerne")
    form.get_by_label(_starts(language, "How is the activity advertised?")).fill("Opslag.")
    form.get_by_label(_starts(language, "How do volunteers take part?")).fill("Naboer hjælper.")
    checklist = form.locator("fieldset").filter(has_text=pool.checklist.first().text).last
    checklist.get_by_role("radio", name=_(language, "Yes"), exact=True).check()

    # Two budget lines; the total follows as they are typed, before anything is saved.
    totals = main.locator("[data-budget-totals]")
    assert totals.get_attribute("aria-live") == "polite"
    applied = totals.locator("[data-total=applied]")
    assert applied.inner_text() == format_kroner(0, language)
    lines = form.locator("fieldset.grant-line")
    lines.nth(0).get_by_label(_starts(language, "What")).fill("Scene")
    lines.nth(0).get_by_label(_starts(language, "Amount (kr.)")).fill("12000")
    assert applied.inner_text() == format_kroner(12_000, language)
    lines.nth(1).get_by_label(_starts(language, "What")).fill("Lyd")
    lines.nth(1).get_by_label(_starts(language, "Amount (kr.)")).press_sequentially("3000")
    assert applied.inner_text() == format_kroner(15_000, language)
    assert totals.locator("[data-total=expense]").inner_text() == format_kroner(15_000, language)

    # A PDF quote, through the platform's upload rules.
    form.get_by_label(_starts(language, "Quotes and budgets (PDF)")).set_input_files(
        files=[
            {
                "name": "tilbud-scene.pdf",
                "mimeType": "application/pdf",
                "buffer": factories.one_page_pdf(),
            }
        ]
    )
    axe_check(page)
    _fits(page)
    shot(page, f"grant-form-{language}-{size}")
    form.get_by_role("button", name=_(language, "Submit application"), exact=True).click()

    # Received: the applicant's page says so, with its case number, the quote and its road.
    page.wait_for_url(re.compile(rf"{prefix}/forslag/ansoegning/\d+/$"))
    application = GrantApplication.objects.get(proposal__author=applicant)
    assert application.stage == GrantStage.SUBMITTED
    assert application.amount_applied == 15_000
    lead = main.locator("p.font-lead").inner_text()
    assert application.proposal.case_number in lead
    assert _state(language, "Received") in lead
    current = main.locator("[aria-current=step]")
    assert _state(language, "Received") in current.inner_text()
    assert main.get_by_role("link", name=re.compile(r"tilbud-scene.*\.pdf")).count() == 1
    axe_check(page)
    _fits(page)
    shot(page, f"grant-received-{language}-{size}")

    # The application's public page, the pool's list, the home page: no support, no vote.
    page.goto(f"{prefix}/forslag/{application.proposal.pk}/")
    assert _state(language, "Received") in main.locator("dl.round-facts").inner_text()
    _no_support_or_vote(page, language)
    axe_check(page)
    page.goto(f"{prefix}/forslag/runde/{pool.pk}/")
    _no_support_or_vote(page, language)
    assert _state(language, "Received") in main.locator(".proposal-list").inner_text()
    page.goto(f"{prefix}/")
    _no_support_or_vote(page, language)
    page.goto(f"{prefix}/mit-borgerbudget/")
    assert _state(language, "Received") in main.inner_text()
    _no_support_or_vote(page, language)

    # The secretariat takes it to granted through the admin, step by step (on the same screen
    # size as the applicant).
    staff_context = browser.new_context(
        base_url=asgi_server.url, locale="da-DK", **browser_context_options
    )
    staff_context.add_init_script(path=str(AXE_JS))
    staff = staff_context.new_page()
    staff.goto("/admin/login/")
    login = staff.locator("form").filter(has=staff.locator("input[name=password]"))
    login.locator("input[name=username]").fill(applied_world["secretariat"].email)
    login.locator("input[name=password]").fill(PASSWORD)
    login.locator("button[type=submit]").click()
    staff.wait_for_url(re.compile(r"/admin/"))
    process = f"/admin/grants/{application.pk}/"
    staff.goto(process)
    admin = staff.locator("main")
    assert admin.get_by_role("link", name=re.compile(r"tilbud-scene")).count() == 1
    admin.locator("input[name=complete][value=yes]").check()
    admin.locator("form[method=post] button[type=submit]").click()
    staff.wait_for_load_state()
    assert GrantApplication.objects.get(pk=application.pk).stage == GrantStage.COMPLETE
    staff.goto(process)
    admin.locator("input[name=recommendation][value=full]").check()
    admin.locator("textarea[name=reason]").fill("Godt for kvarteret.")
    admin.locator("form[method=post] button[type=submit]").click()
    staff.wait_for_load_state()
    assert GrantApplication.objects.get(pk=application.pk).stage == GrantStage.RECOMMENDED

    # Recommended, not yet on an agenda: so the applicant reads it.
    page.goto(f"{prefix}/forslag/ansoegning/{application.pk}/")
    assert _state(language, "Recommended") in main.locator("p.font-lead").inner_text()
    assert _state(language, "Recommended") in main.locator("[aria-current=step]").inner_text()

    # The secretariat puts it on the agenda, by keyboard: the deadline's meeting is chosen, the
    # committee's later meeting is the next choice.
    deadline_meeting = application.deadline.meeting
    later = factories.meeting(committee=pool.committee, days_from_now=45, title="Ekstra møde")
    staff.goto(process)
    meetings = admin.locator("input[name=meeting]")
    assert meetings.count() == 2
    chosen = admin.locator("input[name=meeting]:checked")
    assert chosen.get_attribute("value") == str(deadline_meeting.pk)
    axe_check(staff)
    _fits(staff)
    shot(staff, f"grant-put-on-agenda-{language}-{size}")
    chosen.focus()
    staff.keyboard.press("ArrowDown")
    assert admin.locator("input[name=meeting]:checked").get_attribute("value") == str(later.pk)
    staff.keyboard.press("Tab")
    submit = admin.locator("form[method=post] button[type=submit]")
    assert submit.evaluate("button => button === document.activeElement")
    assert submit.inner_text().strip() == _("da", "Put on the agenda")
    with staff.expect_navigation():
        staff.keyboard.press("Enter")
    stored = GrantApplication.objects.get(pk=application.pk)
    assert stored.stage == GrantStage.ON_AGENDA and stored.agenda_item.meeting_id == later.pk

    # On the agenda: so the applicant reads it, on their page and the public one.
    page.goto(f"{prefix}/forslag/ansoegning/{application.pk}/")
    assert _state(language, "On the agenda") in main.locator("p.font-lead").inner_text()
    assert _state(language, "On the agenda") in main.locator("[aria-current=step]").inner_text()
    page.goto(f"{prefix}/forslag/{application.proposal.pk}/")
    assert _state(language, "On the agenda") in main.locator("dl.round-facts").inner_text()

    factories.deciding_meeting_begins(application)
    staff.goto(process)
    admin.locator("input[name=granted][value=yes]").check()
    admin.locator("input[name=amount]").fill("15000")
    admin.locator("textarea[name=reason]").fill("Bevilget som indstillet.")
    admin.locator("form[method=post] button[type=submit]").click()
    staff.wait_for_load_state()
    assert GrantApplication.objects.get(pk=application.pk).stage == GrantStage.GRANTED
    staff_context.close()

    # Granted: the applicant sees it on its page and on the public page, still with no support.
    page.goto(f"{prefix}/forslag/ansoegning/{application.pk}/")
    assert _state(language, "Granted") in main.locator("p.font-lead").inner_text()
    assert _state(language, "Granted") in main.locator("[aria-current=step]").inner_text()
    axe_check(page)
    shot(page, f"grant-granted-{language}-{size}")
    page.goto(f"{prefix}/forslag/{application.proposal.pk}/")
    assert _state(language, "Granted") in main.locator("dl.round-facts").inner_text()
    _no_support_or_vote(page, language)
