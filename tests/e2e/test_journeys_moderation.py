"""Moderation in Danish, each step as the person who takes it: residents report a proposal, the
committee's moderator hides it from the queue in the Wagtail admin, the author is told; a
moderator sends a proposal back for changes and its author resubmits it under the same case
number; a reviewer finds proposals not feasible in bulk; a moderator assigns reviewers from the
committee's own staff only.

axe-core checks the public pages and our own admin screens (the moderation queue and decision).
See conftest.py for the browser.
"""

import re

import pytest

from proposals.models import Proposal, ProposalReport, Review, State
from proposals.moderation import services as moderation_services
from tests import factories
from tests.e2e.conftest import AXE_JS, TIMEOUT_MS, axe_check, expect_language, log_in, message_text
from tests.e2e.conftest import in_language as _

pytestmark = pytest.mark.browser
PASSWORD = "a-long-test-password-1"  # what tests.factories.user gives everyone


@pytest.fixture
def world(transactional_db, home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    ideas = factories.budget_round(committee=committee, phase="ideas", title="Østerbro-puljen")
    ideas.categories.create(name="Grønne områder")
    ideas.checklist.create(text="Er forslaget åbent for alle?")
    ideas.save()
    author = factories.user(email="anna@example.dk", display_name="Anna Forfatter")
    return {
        "committee": committee,
        "other": other,
        "round": ideas,
        "author": author,
        "resident": factories.user(email="bo@example.dk", display_name="Bo Beboer"),
        "moderator": factories.moderator(
            committee=committee, email="mona@example.dk", display_name="Mona Moderator"
        ),
        "reviewer": factories.reviewer(
            committee=committee,
            budget_round=ideas,
            email="rita@example.dk",
            display_name="Rita Revisor",
        ),
        "outsider": factories.reviewer(
            committee=other, email="olga@example.dk", display_name="Olga Udenfor"
        ),
    }


def _admin(browser, asgi_server, email: str):
    context = browser.new_context(base_url=asgi_server.url, locale="da-DK")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(path=str(AXE_JS))
    admin = context.new_page()
    admin.goto("/admin/login/")
    login = admin.locator("form").filter(has=admin.locator("input[name=password]"))
    login.locator("input[name=username]").fill(email)
    login.locator("input[name=password]").fill(PASSWORD)
    login.locator("button[type=submit]").click()
    admin.wait_for_load_state()
    return context, admin


def test_residents_report_and_the_moderator_hides_the_proposal(
    page, browser, asgi_server, world, mailbox
):
    proposal = factories.proposal(
        budget_round=world["round"],
        author=world["author"],
        state=State.SUBMITTED,
        title="Gratis kaffe hos Café Kaffebønnen",
    )
    # Another resident reported it already.
    moderation_services.proposal_report(
        user=factories.user(display_name="Carl Anden"), proposal=proposal, reason="spam"
    )
    main = page.locator("main")
    log_in(page, world["resident"].email)
    page.goto(f"/forslag/{proposal.pk}/")
    expect_language(page, "da")
    axe_check(page)
    main.get_by_role("link", name=_("da", "Report the proposal to the moderators")).click()
    page.wait_for_url(re.compile(rf"/forslag/{proposal.pk}/anmeld/$"))
    assert main.get_by_role("heading", level=1).inner_text() == _("da", "Report a proposal")
    axe_check(page)
    send = main.get_by_role("button", name=_("da", "Send the report"), exact=True)
    send.click()  # no reason chosen: a clear error, in Danish
    page.wait_for_load_state()
    assert main.get_by_text(_("da", "Choose why you report it.")).first.is_visible()
    axe_check(page)
    main.get_by_role("radio", name=_("da", "Spam or advertising"), exact=True).check()
    details = _("da", "Anything the moderators should know")
    main.get_by_label(re.compile(rf"^{re.escape(details)}( \(.+\))?$")).fill(
        "Det er reklame for en café."
    )
    send.click()
    page.wait_for_url(re.compile(rf"/forslag/{proposal.pk}/$"))
    assert page.get_by_text(_("da", "Thank you. A moderator will look at it.")).is_visible()
    # Reporting again does not count twice.
    page.goto(f"/forslag/{proposal.pk}/anmeld/")
    main.get_by_role("radio", name=_("da", "Offensive or hateful"), exact=True).check()
    main.get_by_role("button", name=_("da", "Send the report"), exact=True).click()
    page.wait_for_url(re.compile(rf"/forslag/{proposal.pk}/$"))
    assert ProposalReport.objects.filter(proposal=proposal).count() == 2

    context, admin = _admin(browser, asgi_server, world["moderator"].email)
    try:
        admin.goto("/admin/moderation/")
        axe_check(admin)
        row = admin.locator("table.listing tbody tr").filter(has_text=proposal.title)
        cells = row.locator("td")
        assert cells.nth(2).inner_text().strip() == "2"  # two people, however often they did
        assert _("da", "Spam or advertising") in cells.nth(3).inner_text()
        listing = admin.locator("main").inner_text()
        for name in ("Bo Beboer", "bo@example.dk", "Carl Anden"):
            assert name not in listing
        row.get_by_role("link", name=_("da", "The proposal itself")).click()
        admin.wait_for_url(re.compile(rf"/admin/moderation/proposals/{proposal.pk}/$"))
        axe_check(admin)
        assert "Det er reklame for en café." in admin.locator("main").inner_text()
        assert "Bo Beboer" not in admin.locator("main").inner_text()
        form = admin.locator("main form[method=post]")
        form.get_by_role("radio", name=_("da", "Hide it"), exact=True).check()
        form.get_by_role("button", name=_("da", "Save the decision")).click()
        admin.wait_for_load_state()  # no public reason: refused, with the reason asked for
        assert admin.get_by_text(_("da", "Give a public reason.")).first.is_visible()
        form = admin.locator("main form[method=post]")
        form.get_by_role("radio", name=_("da", "Hide it"), exact=True).check()
        form.locator("textarea[name=reason]").fill("Reklame for en virksomhed.")
        form.get_by_role("button", name=_("da", "Save the decision")).click()
        admin.wait_for_url(re.compile(r"/admin/moderation/$"))
        assert admin.get_by_text(_("da", "Nothing is reported. Well done, everyone.")).is_visible()
        axe_check(admin)
    finally:
        context.close()

    told = [m for m in mailbox() if m["To"] == world["author"].email]
    assert told and "Reklame for en virksomhed." in message_text(told[-1])
    assert "Bo Beboer" not in message_text(told[-1])
    page.goto("/konto/logout/")
    page.goto(f"/forslag/{proposal.pk}/")
    assert "Reklame for en virksomhed." in main.inner_text()
    assert proposal.title not in main.inner_text()
    axe_check(page)


def test_sent_back_for_changes_and_resubmitted_under_the_same_case_number(
    page, browser, asgi_server, world, mailbox
):
    proposal = factories.proposal(
        budget_round=world["round"],
        author=world["author"],
        state=State.SUBMITTED,
        title="Bænke langs søerne",
    )
    ask = "Skriv præcist hvor bænkene skal stå."
    context, admin = _admin(browser, asgi_server, world["moderator"].email)
    try:
        admin.goto(f"/admin/proposals/{proposal.pk}/review/")
        form = admin.locator("form[method=post]").filter(has=admin.locator("select[name=target]"))
        form.locator("select[name=target]").select_option(value=State.NEEDS_CHANGES)
        form.locator("textarea[name=reason]").fill(ask)
        form.locator("button[type=submit]").click()
        admin.wait_for_load_state()
    finally:
        context.close()
    proposal.refresh_from_db()
    assert proposal.state == State.NEEDS_CHANGES
    assert any(ask in message_text(m) for m in mailbox() if m["To"] == world["author"].email)

    main = page.locator("main")
    log_in(page, world["author"].email)
    page.goto(f"/forslag/{proposal.pk}/")
    axe_check(page)
    main.get_by_role("link", name=_("da", "Change the proposal and submit it again")).click()
    page.wait_for_url(re.compile(rf"/forslag/{proposal.pk}/rediger/$"))
    assert ask in main.inner_text() and proposal.case_number in main.inner_text()
    axe_check(page)
    place = main.locator("input[name=location_text]")
    place.fill("Sortedams Dossering ud for nr. 5")
    main.get_by_role("button", name=_("da", "Submit again"), exact=True).click()
    page.wait_for_url(re.compile(rf"/forslag/{proposal.pk}/$"))
    assert page.get_by_text(_("da", "Thank you! Your proposal is submitted again.")).is_visible()
    history = main.locator("ol.proposal-history").inner_text()
    assert _("da", "Sent back for changes") in history and ask in history
    assert proposal.case_number in main.inner_text()
    axe_check(page)
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED
    assert list(proposal.history.values_list("to_state", flat=True)) == [
        State.NEEDS_CHANGES,
        State.SUBMITTED,
    ]


def test_a_reviewer_finds_proposals_not_feasible_in_bulk(page, browser, asgi_server, world):
    proposals = [
        factories.proposal(budget_round=world["round"], state=State.IN_REVIEW, title=title)
        for title in ("Skøjtebane på søen", "Svævebane over parken", "Bålplads i gården")
    ]
    reason = "Kræver en lokalplan, som puljen ikke kan betale."
    context, admin = _admin(browser, asgi_server, world["reviewer"].email)
    try:
        admin.goto("/admin/proposals/queue/?state=in_review")
        for proposal in proposals[:2]:
            admin.locator(f"#sel-{proposal.pk}").check()
        admin.locator("#bulk-target").select_option(value=State.INFEASIBLE)
        admin.locator("#bulk-reason").fill(reason)
        admin.locator("main").get_by_role("button", name=_("da", "Move"), exact=True).click()
        admin.wait_for_load_state()
    finally:
        context.close()
    assert Review.objects.filter(proposal__in=proposals[:2], feasible=False).count() == 2
    assert Proposal.objects.filter(state=State.INFEASIBLE).count() == 2

    main = page.locator("main")
    page.goto(f"/forslag/{proposals[0].pk}/")
    status = main.locator("dl.round-facts dd").first.inner_text().strip()
    assert status == _("da", "Not feasible") and status != _("da", "Rejected")
    assert reason in main.locator("ol.proposal-history").inner_text()
    axe_check(page)


def test_reviewers_are_chosen_among_the_committees_own_staff(browser, asgi_server, world):
    context, admin = _admin(browser, asgi_server, world["moderator"].email)
    try:
        admin.goto(f"/admin/budgetround/edit/{world['round'].pk}/")
        choices = admin.locator("#id_reviewers").inner_text()
        assert "Rita Revisor" in choices or "rita@example.dk" in choices
        assert "Olga Udenfor" not in choices and "olga@example.dk" not in choices
        assert "Bo Beboer" not in choices  # a resident is not staff
    finally:
        context.close()
