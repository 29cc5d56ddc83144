"""Results and statistics in a real browser, on a phone and a desktop: axe-core finds no serious
or critical problem, the charts carry text alternatives, and the tables beside them can be
reached with the keyboard. See conftest.py for the browser."""

import pytest

from committees.models import RoundCategory
from proposals.models import State, StatusChange
from tests import factories
from tests.e2e.conftest import axe_check, phone
from tests.e2e.conftest import in_language as _
from voting import keys
from voting.models import Ballot, Participation

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db, home_page):
    """A published knapsack round with 30 voters, categories and a rejected proposal."""
    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.budget_round(
        committee=committee,
        title="Østerbro-puljen 2026",
        phase="results",
        pot=100_000,
        max_cost=100_000,
        ballot_style="knapsack",
    )
    parks = RoundCategory.objects.create(round=budget_round, name="Parker")
    projects = [
        factories.proposal(
            budget_round=budget_round,
            state=State.FEASIBLE,
            title=title,
            estimated_cost=cost,
            category=parks,
        )
        for title, cost in [("Bænke", 30_000), ("Legeplads", 60_000), ("Træer", 40_000)]
    ]
    rejected = factories.proposal(budget_round=budget_round, state=State.REJECTED)
    StatusChange.objects.create(
        proposal=rejected, from_state="in_review", to_state="rejected", public_reason="For dyrt."
    )
    day = budget_round.voting_start.date()
    for number in range(30):
        Participation.objects.create(
            budget_round=budget_round,
            voter_key=keys.voter_key(round_id=budget_round.pk, person=f"e{number}"),
            channel=["online", "code"][number % 2],
            voted_on=day,
            area=committee.district,
            age_band=["25-34", "35-49", "65+"][min(number // 12, 2)],
        )
        Ballot.objects.create(
            budget_round=budget_round,
            selection={str(projects[number % 3].pk): 1},
            channel=["online", "code"][number % 2],
            cast_on=day,
            receipt_code=keys.new_receipt(),
        )
    return {"committee": committee, "round": budget_round}


@pytest.mark.parametrize("browser_context_options", [{}, phone()], ids=["desktop", "phone"])
def test_results_page_is_accessible_with_charts_and_tables(page, world):
    page.goto(f"/en/afstemning/runde/{world['round'].pk}/resultat/")
    assert page.locator("h1").inner_text().startswith("Results")
    charts = page.locator("svg[role='img']")
    assert charts.count() >= 5
    for index in range(charts.count()):
        assert charts.nth(index).locator("desc").text_content().strip()
    assert page.get_by_text("Other groups").count() >= 1  # 6 voters aged 65+ are merged
    axe_check(page)


def test_statistics_pages_are_accessible_and_linked_from_the_menu(page, world):
    page.goto("/en/")
    page.get_by_role("link", name="Statistics").first.click()
    page.wait_for_url("**/statistik/")
    assert "Statistics for the whole city" in page.locator("h1").inner_text()
    axe_check(page)
    page.get_by_role("link", name="Østerbro Lokaludvalg").first.click()
    page.wait_for_url(f"**/statistik/{world['committee'].slug}/")
    assert page.get_by_text("For dyrt.").count() == 1
    assert page.locator("svg[role='img']").count() == 7  # voters per channel too
    axe_check(page)


@pytest.mark.parametrize(
    ("language", "browser_locale"), [("da", "da-DK"), ("en", "en-GB")], ids=["da", "en"]
)
def test_moderator_publishes_the_result_and_a_follower_sees_and_hears_it(
    page, browser, asgi_server, world, mailbox, language
):
    """A resident follows the round and sees a preliminary result; the moderator confirms it in
    the admin; the resident's page says so and the resident gets the e-mail in their language."""
    from committees.services import committee_role_grant
    from voting import services

    prefix = "" if language == "da" else "/en"
    resident = factories.user(preferred_language=language)
    services.round_follow(user=resident, budget_round=world["round"])
    moderator = factories.user(preferred_language=language)
    committee_role_grant(user=moderator, committee=world["committee"], role="moderator")
    results_url = f"{prefix}/afstemning/runde/{world['round'].pk}/resultat/"

    page.goto(results_url)
    assert page.get_by_text(_(language, PRELIMINARY)).is_visible()

    context = browser.new_context(base_url=asgi_server.url, locale=browser_locale(language))
    try:
        admin = context.new_page()
        admin.goto("/admin/login/")
        login = admin.locator("form").filter(has=admin.locator("input[name=password]"))
        login.locator("input[name=username]").fill(moderator.email)
        login.locator("input[name=password]").fill(factories.PASSWORD)
        login.locator("button[type=submit]").click()
        admin.wait_for_url("**/admin/")
        admin.goto(f"/admin/rounds/{world['round'].pk}/result/")
        # The admin speaks the language of the person's admin profile, not the site's.
        admin.locator("form:has(textarea[name=reason]) button[type=submit]").click()
        admin.wait_for_load_state()
        assert admin.get_by_text("SHA-256").is_visible()
    finally:
        context.close()

    page.reload()
    assert page.get_by_text(_(language, PRELIMINARY)).count() == 0
    assert page.locator(".alert-success").is_visible()
    axe_check(page)
    told = [m for m in mailbox() if m["To"] == resident.email]
    assert len(told) == 1


PRELIMINARY = "Preliminary: the committee has not confirmed the result yet."


def browser_locale(language: str) -> str:
    return {"da": "da-DK", "en": "en-GB"}[language]
