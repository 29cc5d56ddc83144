"""At the library desk, in Danish: the committee's secretariat enters an idea for a resident
(a CPR number typed by habit is refused on its field), gives the resident the case number, and
enters another resident's support for it. On a desktop and on a phone.

axe-core checks each page on the way. See conftest.py for the browser.
"""

import re

import pytest

from proposals.models import Proposal
from tests import factories
from tests.e2e.conftest import axe_check, expect_language, phone
from tests.e2e.conftest import in_language as _

pytestmark = pytest.mark.browser
PASSWORD = "a-long-test-password-1"


@pytest.fixture
def browser_locale() -> str:
    return "da-DK"


@pytest.fixture
def world(transactional_db, home_page):
    committee = factories.committee("Valby Lokaludvalg", district_name="Valby")
    budget_round = factories.budget_round(committee=committee, phase="ideas", max_cost=100_000)
    budget_round.categories.create(name="Grønt")
    budget_round.checklist.create(text="Åben for alle?")
    budget_round.save()
    staff = factories.moderator(committee=committee, email="sekretariat@example.dk")
    return {"round": budget_round, "staff": staff}


@pytest.mark.parametrize(
    "browser_context_options",
    [pytest.param({}, id="desktop"), pytest.param(phone(), id="phone")],
)
def test_the_secretariat_enters_an_idea_and_a_support_at_the_library(page, world):
    budget_round = world["round"]
    main = page.locator("main")
    page.goto("/konto/login/")
    form = main.locator("form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(world["staff"].email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/konto/login/" not in url)

    page.goto("/forslag/skranke/")
    expect_language(page, "da")
    axe_check(page)
    main.get_by_role("link", name=_("da", "Enter an idea for a resident"), exact=True).click()
    page.wait_for_url(re.compile(rf"/forslag/skranke/runde/{budget_round.pk}/forslag/$"))
    axe_check(page)

    form = main.locator("form")
    form.locator("input[name=resident_name]").fill("Inger Hansen")
    form.locator("input[name=resident_address]").fill("Valby Langgade 10, 010150-1234")
    form.locator("input[name=place]").fill("Valby Bibliotek")
    form.locator("input[name=id_checked]").check()
    form.locator("input[name=submitter_kind][value=resident]").check()
    form.locator("input[name=title]").fill("Bænke ved søen")
    form.locator("textarea[name=summary]").fill("Flere bænke.")
    form.locator("textarea[name=description]").fill("Ældre mangler steder at hvile.")
    form.locator("input[name=estimated_cost]").fill("30000")
    form.locator("select[name=category]").select_option(label="Grønt")
    form.locator("input[name=location_text]").fill("Valby Sø")
    form.locator("input[type=radio][value=yes]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    summary = main.locator(".alert-error")
    assert summary.is_visible()
    assert "CPR" in summary.inner_text()
    axe_check(page)
    # The error links to the field, and everything else typed is still there.
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.name") == "resident_address"
    assert form.locator("input[name=title]").input_value() == "Bænke ved søen"

    form.locator("input[name=resident_address]").fill("Valby Langgade 10")
    form.locator("input[name=id_checked]").check()
    with page.expect_navigation():  # the form posts to its own address and is sent back there
        form.locator("button[type=submit]").click()
    case_number = Proposal.objects.get().case_number
    assert case_number in page.locator("body").inner_text()
    axe_check(page)

    page.goto(f"/forslag/skranke/runde/{budget_round.pk}/stoette/")
    axe_check(page)
    form = main.locator("form")
    form.locator("select[name=proposal]").select_option(label=f"{case_number}: Bænke ved søen")
    form.locator("input[name=resident_name]").fill("Ole Jensen")
    form.locator("input[name=resident_address]").fill("Toftegårds Allé 2")
    form.locator("input[name=id_checked]").check()
    with page.expect_navigation():
        form.get_by_role("button", name=_("da", "Record the support"), exact=True).click()
    assert case_number in page.locator("body").inner_text()
    axe_check(page)
    assert Proposal.objects.get().support_count == 1
