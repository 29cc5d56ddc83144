"""Staff sign in and find their work: a moderator lands on the workspace, sees what waits in
Danish, follows the link to the queue, moves a proposal and is back in the same queue; polling
staff land on their polling station on a phone; an English moderator gets the admin in English
from a Danish browser; a reviewer goes from the workspace to the proposals to check and back; the
secretariat goes from the workspace to the grant applications to check, filtered to its
committee, takes a step and is back in that filtered queue, and finds its way back from the public
site through the header's workspace link.

axe-core checks the public pages and our own admin screens (the dashboard panel, the review
page). See conftest.py for the browser.
"""

import datetime
import re

import pytest
from django.utils import timezone, translation

from proposals.models import GrantStage, Proposal
from tests import factories
from tests.e2e.conftest import axe_check, expect_language, phone

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_locale() -> str:
    return "da-DK"


@pytest.fixture
def world(transactional_db, home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    ideas = factories.budget_round(committee=committee, phase="ideas", title="Østerbro 2027")
    benches = factories.proposal(budget_round=ideas, state="submitted", title="Bænke ved søen")
    Proposal.objects.filter(pk=benches.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=9, hours=1)
    )
    factories.proposal(budget_round=ideas, state="submitted", title="Træer på pladsen")
    meeting = factories.meeting(committee=committee, days_from_now=2, title="Lokaludvalgsmøde")
    meeting.agenda_items.create(title="Borgerbudget: status", sort_order=0)
    meeting.save()
    vote = factories.voting_round(committee=committee, title="Østerbro stemmer")
    from voting.models import PollingStation

    station = PollingStation.objects.create(budget_round=vote, name="Østerbro Bibliotek")
    return {
        "committee": committee,
        "benches": benches,
        "station": station,
        "moderator": factories.moderator(committee=committee, email="sekretariat@example.dk"),
        "polling_staff": factories.polling_staff(committee=committee, email="valg@example.dk"),
    }


def _sign_in(page, email: str, prefix: str = "") -> None:
    page.goto(f"{prefix}/konto/login/")
    axe_check(page)
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(factories.PASSWORD)
    form.locator("button[type=submit]").click()


def test_a_moderator_lands_on_the_workspace_and_returns_to_the_queue(page, world):
    _sign_in(page, world["moderator"].email)
    page.wait_for_url(re.compile(r"/admin/$"))
    expect_language(page, "da")
    panel = (
        page.locator(f"#workspace-{world['committee'].slug}-section, section")
        .filter(has_text="Østerbro Lokaludvalg")
        .first
    )
    assert panel.get_by_text("det ældste har ventet 9 dage").is_visible()
    assert panel.get_by_text("Borgerbudget: status").is_visible()
    axe_check(page)

    panel.get_by_role("link", name="2 forslag venter på første gennemgang").click()
    page.wait_for_url(re.compile(r"/admin/proposal/\?state=submitted&budget_round__committee="))
    queue_url = page.url
    rows = page.locator("table.listing tbody tr")
    assert rows.count() == 2
    row = rows.filter(has_text="Bænke ved søen")
    assert row.get_by_text("10.000 kr.").is_visible()
    row.locator("[data-controller~=w-dropdown] button").first.click()
    row.get_by_role("link", name="Behandling").click()
    page.wait_for_url(re.compile(rf"/admin/proposals/{world['benches'].pk}/review/\?next="))
    axe_check(page)
    page.get_by_label("Ny status").select_option(label="Under behandling")
    page.locator("main form[method=post] button[type=submit]").click()

    page.wait_for_url(queue_url)
    assert page.get_by_text("Forslaget er flyttet").is_visible()
    assert page.locator("table.listing tbody tr").count() == 1


@pytest.mark.parametrize("browser_context_options", [phone()])
def test_polling_staff_land_on_their_polling_station_on_a_phone(page, world):
    _sign_in(page, world["polling_staff"].email)
    page.wait_for_url(re.compile(rf"/afstemning/personale/valgsted/{world['station'].pk}/$"))
    expect_language(page, "da")
    assert page.get_by_role("heading", level=1).is_visible()
    axe_check(page)


@pytest.mark.parametrize("browser_locale", ["da-DK"])
def test_an_english_moderator_gets_the_admin_in_english(page, world):
    moderator = world["moderator"]
    moderator.preferred_language = "en"
    moderator.save(update_fields=["preferred_language"])
    _sign_in(page, moderator.email, prefix="/en")
    page.wait_for_url(re.compile(r"/admin/$"))
    expect_language(page, "en")
    assert page.get_by_role("link", name="2 proposals wait for screening").is_visible()
    axe_check(page)


@pytest.fixture
def review_world(transactional_db, home_page):
    committee = factories.committee("Amager Lokaludvalg", district_name="Amager")
    review = factories.budget_round(committee=committee, phase="review", title="Amager 2027")
    path = factories.proposal(budget_round=review, state="in_review", title="Sti langs stranden")
    pool = factories.grant_pool(committee=committee, title="Amagerpuljen")
    factories.grant_application(pool=pool)
    return {
        "committee": committee,
        "path": path,
        "reviewer": factories.reviewer(
            committee=committee, budget_round=review, email="forvaltning@example.dk"
        ),
        "moderator": factories.moderator(committee=committee, email="amager@example.dk"),
    }


def test_a_reviewer_finds_the_proposals_to_check_and_returns_to_them(page, review_world):
    _sign_in(page, review_world["reviewer"].email)
    page.wait_for_url(re.compile(r"/admin/$"))
    axe_check(page)
    page.get_by_role("link", name="1 forslag venter på vurdering af gennemførlighed").click()
    page.wait_for_url(re.compile(r"/admin/proposal/\?state=in_review&budget_round__committee="))
    queue_url = page.url
    row = page.locator("table.listing tbody tr").filter(has_text="Sti langs stranden")
    row.locator("[data-controller~=w-dropdown] button").first.click()
    row.get_by_role("link", name="Behandling").click()
    axe_check(page)
    page.get_by_label("Ny status").select_option(label="På stemmesedlen")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url(queue_url)
    assert page.locator("table.listing tbody tr").filter(has_text="Sti langs stranden").count() == 0


def test_the_secretariat_goes_from_the_workspace_to_the_grant_applications(page, review_world):
    _sign_in(page, review_world["moderator"].email)
    page.wait_for_url(re.compile(r"/admin/$"))
    with translation.override("da"):
        stage = str(GrantStage.SUBMITTED.label).lower()
    link = page.get_by_role("link", name=f"1 puljeansøgning: {stage}")
    assert page.locator("li").filter(has=link).get_by_text(re.compile("frist")).is_visible()
    link.click()
    committee = review_world["committee"].pk
    page.wait_for_url(re.compile(rf"/admin/grants/\?committee={committee}&stage=submitted$"))
    queue_url = page.url
    assert page.locator("table.listing tbody tr").count() == 1
    filters = page.get_by_role("form", name="Filtrér ansøgningerne")
    assert filters.get_by_label("Lokaludvalg").input_value() == str(committee)
    axe_check(page)
    page.locator("table.listing tbody tr a").first.click()
    axe_check(page)
    page.get_by_label("Ja").check()
    page.locator("main form[method=post] button[type=submit]").click()
    # Back in the same filtered queue, where the application no longer waits for this step.
    page.wait_for_url(queue_url)
    assert page.locator("table.listing tbody tr").filter(has_text="Gadefest").count() == 0
    # From the public site, the header's workspace link leads back to the admin.
    page.goto("/")
    page.locator("header").get_by_role("link", name="Arbejdsrum").click()
    page.wait_for_url(re.compile(r"/admin/$"))
