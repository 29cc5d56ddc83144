"""A resident on a phone, using the keyboard: finds a completed project in the city-wide
catalogue, reads its follow-up, follows it by e-mail and proposes it in their own area.

axe-core checks the catalogue, the tracked project page and the "propose this" page.
"""

import datetime
import re

import pytest

from committees import services as committee_services
from proposals.models import ProjectSubscription, Proposal
from proposals.tracking import services
from tests import factories
from tests.e2e.conftest import axe_check, phone

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password-1"  # what tests.factories.user gives everyone


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


@pytest.fixture
def browser_context_options() -> dict:
    return phone()


@pytest.fixture
def world(transactional_db, home_page):
    ours = factories.committee("Østerbro Lokaludvalg")
    theirs = factories.committee("Valby Lokaludvalg", district_name="Valby")
    done_round = factories.budget_round(committee=ours, phase="implementation")
    open_round = factories.budget_round(
        committee=theirs, phase="ideas", title="Valby-puljen 2027", max_cost=150_000
    )
    staff = factories.user()
    committee_services.committee_role_grant(user=staff, committee=ours, role="moderator")
    proposal = factories.funded_proposal(
        budget_round=done_round, title="Bænke langs søerne", estimated_cost=45_000
    )
    project = proposal.tracking
    services.tracked_project_edit(
        actor=staff, project=project, responsible="Park og Natur", progress=80, spent=41_000
    )
    goal = services.effect_goal_add(
        actor=staff, project=project, indicator="Visitors a week", unit="", baseline=40, target=90
    )
    services.effect_measurement_record(
        actor=staff, goal=goal, measured_on=datetime.date(2026, 9, 1), value=95
    )
    services.project_update_add(
        actor=staff,
        project=project,
        date=datetime.date(2026, 8, 15),
        title="Benches are in place",
        body="Twelve new benches along the lakes.",
    )
    services.tracked_project_status_set(actor=staff, project=project, status="completed")
    factories.funded_proposal(budget_round=done_round, title="Lys på stien")  # only planned
    resident = factories.user(
        email="bente@example.dk", display_name="Bente Beboer", preferred_language="en"
    )
    return {"project": project, "open_round": open_round, "resident": resident}


def test_resident_finds_follows_and_repeats_a_completed_project(page, world):
    project = world["project"]
    page.goto("/en/projekter/")
    main = page.locator("main")
    assert main.get_by_role("heading", level=1).inner_text() == (
        "Completed projects in the whole city"
    )
    assert main.get_by_role("link", name="Bænke langs søerne").count() == 1
    assert main.get_by_role("link", name="Lys på stien").count() == 0
    axe_check(page)

    # Search with the keyboard only.
    search = main.get_by_role("textbox", name=re.compile(r"^Search"))
    search.focus()
    page.keyboard.type("bænke")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/en/projekter/\?q="))
    link = main.get_by_role("link", name="Bænke langs søerne")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/en/projekter/{project.pk}/$"))
    assert main.get_by_role("heading", level=1).inner_text() == "Bænke langs søerne"
    assert main.get_by_text("Progress: 100%").is_visible()
    assert main.get_by_role("table").filter(has_text="Visitors a week").count() == 1
    assert main.get_by_role("heading", name=re.compile("Benches are in place")).is_visible()
    # Nothing wider than the phone's screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    axe_check(page)

    # Log in to follow.
    main.get_by_role("link", name="Log in to follow this project by e-mail").click()
    page.wait_for_url(re.compile(r"/konto/login/"))
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill("bente@example.dk")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(rf"/en/projekter/{project.pk}/$"))
    follow = main.get_by_role("button", name="Follow by e-mail")
    follow.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert main.get_by_role("button", name="Stop following").is_visible()
    assert ProjectSubscription.objects.filter(user=world["resident"]).exists()
    axe_check(page)

    # Propose it in another area.
    main.get_by_role("link", name="Propose this in my area").click()
    page.wait_for_url(re.compile(rf"/en/projekter/{project.pk}/foreslaa-i-mit-omraade/$"))
    assert main.get_by_role("radio", name=re.compile("Valby-puljen 2027")).is_checked()
    axe_check(page)
    # The POST and its redirect, waited for as one navigation (a busy CI machine once took
    # longer than the default timeout between the click and the redirect).
    with page.expect_navigation(url=re.compile(r"/en/forslag/\d+/rediger/$"), timeout=45_000):
        main.get_by_role("button", name="Start my draft").click()
    draft = Proposal.objects.get(author=world["resident"])
    assert draft.inspired_by_id == project.proposal_id
    assert draft.budget_round_id == world["open_round"].pk
    assert page.locator("main input[name=title]").input_value() == "Bænke langs søerne"
