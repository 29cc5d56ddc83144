"""Running a round, in Danish, as the staff concerned, in a real browser with axe-core on our own
admin screens and the polling station's pages:

- a moderator opens voting after seeing the ballot it will fix, extends it, and closes it;
- a moderator sets up an approval vote and sees only the approval limits;
- two polling staff key a paper ballot twice, the second without seeing the first keying;
- the secretariat records a grant decision only once the deciding meeting has begun, with the
  whole application and its attachment in front of them.
"""

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from committees.models import BudgetRound
from proposals.grants import services as grant_services
from proposals.models import GrantApplication, GrantStage, ProposalAttachment
from tests import factories
from tests.e2e.conftest import AXE_JS, TIMEOUT_MS, axe_check
from tests.e2e.conftest import in_language as _
from tests.factories import PASSWORD
from voting.models import PaperEntry, PollingStation, VotingConfig
from voting.selectors import round_ballot_rows

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _admin_login(page, email: str) -> None:
    page.goto("/admin/login/")
    login = page.locator("form").filter(has=page.locator("input[name=password]"))
    login.locator("input[name=username]").fill(email)
    login.locator("input[name=password]").fill(PASSWORD)
    login.locator("button[type=submit]").click()
    page.wait_for_url("**/admin/")


def _site_login(page, email: str, next_path: str) -> None:
    page.goto(f"/konto/login/?next={next_path}")
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"{re.escape(next_path)}$"))


def _second_person(browser, asgi_server):
    context = browser.new_context(base_url=asgi_server.url, locale="da-DK")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(path=str(AXE_JS))
    return context, context.new_page()


@pytest.fixture
def world(transactional_db, home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    moderator = factories.moderator(committee=committee, preferred_language="da")
    review = factories.budget_round(
        committee=committee, phase="review", title="Østerbro-puljen", pot=100_000, max_cost=100_000
    )
    for title, cost in (("Bænke i Fælledparken", 30_000), ("Træer på Nordre Frihavnsgade", 40_000)):
        factories.proposal(budget_round=review, state="feasible", title=title, estimated_cost=cost)
    return {"committee": committee, "moderator": moderator, "round": review}


def test_a_moderator_opens_extends_and_closes_voting(page, world):
    budget_round = world["round"]
    _admin_login(page, world["moderator"].email)
    page.goto(f"/admin/rounds/{budget_round.pk}/phase/")
    axe_check(page)
    page.get_by_role("link", name=_("da", "Open voting")).click()
    page.wait_for_url(re.compile(r"/phase/open-voting/$"))
    main = page.locator("main")
    # The preview: what the ballot will be, who may vote, how, and under which settings.
    for shown in ("Bænke i Fælledparken", "Træer på Nordre Frihavnsgade", "Østerbro Lokaludvalg"):
        assert main.get_by_text(shown).first.is_visible()
    assert main.get_by_text(_("da", "Voting settings")).first.is_visible()
    axe_check(page)
    # Confirmed from the keyboard.
    confirm = main.locator("button[name=confirm]")
    confirm.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/phase/$"))
    assert BudgetRound.objects.get(pk=budget_round.pk).phase == "voting"

    # Extend: the new end is previewed, then confirmed with a public reason.
    page.get_by_role("link", name=_("da", "Extend voting")).click()
    page.wait_for_url(re.compile(r"/phase/extend-voting/$"))
    axe_check(page)
    stored = BudgetRound.objects.get(pk=budget_round.pk)
    new_end = timezone.localtime(stored.voting_end + datetime.timedelta(days=2))
    page.locator("input[name=new_end]").fill(new_end.strftime("%Y-%m-%dT%H:%M"))
    page.locator("textarea[name=reason]").fill("Strømsvigt på biblioteket søndag.")
    page.locator("button[name=preview]").click()
    page.wait_for_load_state()
    assert page.locator("main table.listing").first.is_visible()  # the dates that move
    axe_check(page)
    page.locator("button[name=confirm]").click()
    page.wait_for_url(re.compile(r"/phase/$"))
    stored = BudgetRound.objects.get(pk=budget_round.pk)
    assert stored.voting_end == new_end.replace(second=0, microsecond=0)

    # Close voting now: refused without a reason, then done with one.
    page.get_by_role("link", name=_("da", "Close voting now")).click()
    page.wait_for_url(re.compile(r"/phase/close-voting/$"))
    page.locator("button[name=confirm]").click()
    page.wait_for_load_state()
    assert page.get_by_text(
        _("da", "Give a reason: it is published with the change.")
    ).first.is_visible()
    axe_check(page)
    page.locator("textarea[name=reason]").fill("Valget afsluttes efter aftale i udvalget.")
    page.locator("button[name=confirm]").click()
    page.wait_for_url(re.compile(r"/phase/$"))
    assert BudgetRound.objects.get(pk=budget_round.pk).phase == "results"
    listing = page.locator("main").inner_text()
    assert "Valget afsluttes efter aftale i udvalget." in listing
    assert "Strømsvigt på biblioteket søndag." in listing


def test_the_voting_settings_of_an_approval_vote(page, world):
    BudgetRound.objects.filter(pk=world["round"].pk).update(ballot_style="approval")
    _admin_login(page, world["moderator"].email)
    page.goto(f"/admin/rounds/{world['round'].pk}/voting-settings/")
    form = page.locator("main form")
    assert form.locator("input[name=approval_max]").is_visible()
    for other in ("knapsack_min_share", "cumulative_points", "ranking_length"):
        assert form.locator(f"[name={other}]").count() == 0
    axe_check(page)
    form.locator("input[name=approval_max]").fill("2")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert VotingConfig.objects.get(budget_round=world["round"]).approval_max == 2


def test_two_polling_staff_key_a_paper_ballot_blind(page, browser, asgi_server, world):
    budget_round = factories.voting_round(committee=world["committee"])
    station = PollingStation.objects.create(budget_round=budget_round, name="Østerbro Bibliotek")
    first = factories.polling_staff(committee=world["committee"], preferred_language="da")
    second = factories.polling_staff(committee=world["committee"], preferred_language="da")
    key_path = f"/afstemning/personale/valgsted/{station.pk}/papir/"

    _site_login(page, first.email, key_path)
    axe_check(page)
    page.locator("input[name=batch_number]").fill("A-101")
    page.get_by_label("Træer").check()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(rf"{re.escape(key_path)}$"))
    entry = PaperEntry.objects.get(station=station)

    context, other = _second_person(browser, asgi_server)
    try:
        _site_login(other, second.email, key_path)
        other.get_by_role("link", name=re.compile("A-101")).click()
        other.wait_for_url(re.compile(rf"/papir/{entry.pk}/$"))
        main = other.locator("main")
        # Blind: nothing of the first keying is shown, nothing is ticked.
        assert main.locator("input[type=checkbox]:checked").count() == 0
        assert main.locator("details").count() == 0
        assert main.locator("button[name=confirm_as_keyed]").count() == 0
        axe_check(other)
        main.get_by_label("Træer").check()
        main.locator("button[name=key_again]").click()
        other.wait_for_url(re.compile(rf"{re.escape(key_path)}$"))
        axe_check(other)
    finally:
        context.close()
    assert PaperEntry.objects.get(pk=entry.pk).status == PaperEntry.Status.ACCEPTED
    # Counted once, whether written or still in the mixing buffer.
    rows = round_ballot_rows(budget_round=budget_round)
    assert [row.channel for row in rows] == ["paper"]


def test_the_secretariat_decides_a_grant_at_the_meeting(page, world):
    committee = world["committee"]
    pool = factories.grant_pool(committee=committee, pot=100_000)
    application = factories.grant_application(pool=pool)
    working_group = factories.reviewer(committee=committee)
    grant_services.grant_completeness_check(
        actor=world["moderator"], application=application, complete=True
    )
    grant_services.grant_recommend(
        actor=working_group, application=application, recommendation="full", reason="Godt."
    )
    grant_services.grant_put_on_agenda(actor=world["moderator"], application=application)
    ProposalAttachment.objects.create(
        proposal=application.proposal,
        file=ContentFile(PDF, "tilbud.pdf"),
        title="Tilbud på scene og lyd",
        size=len(PDF),
    )
    _admin_login(page, world["moderator"].email)
    page.goto(f"/admin/grants/{application.pk}/")
    main = page.locator("main")
    assert main.get_by_role("link", name="Tilbud på scene og lyd").is_visible()
    assert main.locator("input[name=granted]").count() == 0  # the meeting has not begun
    axe_check(page)

    factories.deciding_meeting_begins(application)
    page.reload()
    main.get_by_label(_("da", "Yes")).first.check()
    main.locator("input[name=amount]").fill("25000")
    main.locator("textarea[name=reason]").fill("Bevilget som indstillet på mødet.")
    axe_check(page)
    main.locator("form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    assert GrantApplication.objects.get(pk=application.pk).stage == GrantStage.GRANTED
    # The screen now shows the decision (Wagtail's own success banner is not ours to check).
    assert "Bevilget som indstillet på mødet." in page.locator("main").inner_text()
