"""An association applies to the committee's grant pool on a phone, in English: the pool page,
the application with its budget lines, the errors, the submission and its case number.

axe-core checks each public page on the way. See conftest.py for the browser.
"""

import datetime
import re

import pytest
from django.utils import timezone

from frontend.money import format_kroner
from tests import factories
from tests.e2e.conftest import axe_check, phone

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


def _log_in(page, email: str) -> None:
    page.goto("/en/konto/login/")
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"^https?://[^/]+/en/$"))


def test_an_association_applies_for_a_grant_on_a_phone(page, world, mailbox):
    pool = world["pool"]
    _log_in(page, world["applicant"].email)
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
    assert "Awaiting completeness check" in lead
    applied = main.locator("dt", has_text="Amount applied for").locator(
        "xpath=following-sibling::dd[1]"
    )
    assert applied.inner_text().strip() == format_kroner(12_000 - 2_000, "en")
    assert any(case_number in message["Subject"] for message in mailbox())
