"""A resident finds the committee, submits two proposals with an image, a moderator reviews them
in the Wagtail admin, and the resident sees the outcome: once in Danish and once in English.

axe-core checks every public page on the way (not the Wagtail admin). See conftest.py for the
browser.
"""

import re

import pytest
from django.utils import translation
from PIL import Image

from committees import services as committee_services
from proposals.forms import ProposalForm
from proposals.models import Proposal, State
from tests import factories
from tests.e2e.conftest import TIMEOUT_MS, axe_check, expect_language, message_subject, message_text
from tests.e2e.conftest import in_language as _

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password-1"  # what tests.factories.user gives everyone
PREFIX = {"da": "", "en": "/en"}
CASE_NUMBER = re.compile(r"^BB-\d{3,}-\d{5,}$")  # ids grow past the padding on PostgreSQL
PROPOSAL_URL = re.compile(r"/forslag/(\d+)/$")
REJECTION_REASON = "Arealet ejes af staten, så kommunen kan ikke bygge her."


@pytest.fixture
def world(transactional_db, home_page, browser_locale):
    """Østerbro, its round in the ideas phase, a resident and a moderator. Made before the
    browser opens any page; the server sees it through the shared test database."""
    language = browser_locale[:2]
    committee = committee_services.committee_create(
        name="Østerbro Lokaludvalg",
        slug="oesterbro-lokaludvalg",
        district=factories.district("Østerbro"),
    )
    budget_round = factories.budget_round(
        committee=committee,
        title="Østerbro-puljen 2026",
        slug="oesterbro-puljen-2026",
        phase="ideas",
        min_cost=1_000,
        max_cost=100_000,
    )
    budget_round.categories.create(name="Grønne områder")
    budget_round.categories.create(name="Leg og idræt")
    checklist_item = budget_round.checklist.create(text="Er forslaget åbent for alle?")
    budget_round.save()
    resident = factories.user(
        email=f"beboer.{language}@example.dk",
        display_name="Bente Beboer",
        preferred_language=language,
    )
    moderator = factories.user(email=f"moderator.{language}@example.dk", display_name="Mona")
    committee_services.committee_role_grant(user=moderator, committee=committee, role="moderator")
    with translation.override(language):
        form = ProposalForm(budget_round=budget_round)
        labels = {name: str(field.label) for name, field in form.fields.items()}
    return {
        "committee": committee,
        "round": budget_round,
        "checklist_item": checklist_item,
        "resident": resident,
        "moderator": moderator,
        "labels": labels,
    }


@pytest.fixture
def jpeg(tmp_path):
    path = tmp_path / "legeplads.jpg"
    Image.new("RGB", (320, 240), (40, 140, 60)).save(path, "JPEG", quality=85)
    return path


def _log_in_as_resident(page, language: str, email: str) -> None:
    page.goto(f"{PREFIX[language]}/")
    expect_language(page, language)
    page.locator("header").get_by_role("link", name=_(language, "Log in"), exact=True).click()
    page.wait_for_url(re.compile(r"/konto/login/$"))
    expect_language(page, language)
    axe_check(page)
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"^https?://[^/]+/(en/)?$"))
    assert page.locator("header").get_by_text("Bente Beboer", exact=True).is_visible()


def _field(form, label: str):
    """A form field by its label. The labels of fields a draft may leave empty end in
    "(optional)", although submitting needs them."""
    return form.get_by_label(re.compile(rf"^{re.escape(label)}( \(.+\))?$"))


def _submit_proposal(page, language: str, world: dict, image, *, title: str, cost: int) -> dict:
    """From the round page: 'Submit a proposal', fill in every field, submit."""
    labels = world["labels"]
    main = page.locator("main")
    round_url = page.url
    main.get_by_role("link", name=_(language, "Submit a proposal"), exact=True).click()
    page.wait_for_url(re.compile(rf"/forslag/runde/{world['round'].pk}/nyt/$"))
    expect_language(page, language)
    assert main.get_by_role("heading", level=1).inner_text() == _(language, "New proposal")
    axe_check(page)

    form = main.locator("form.proposal-form")
    form.get_by_role("radio", name=_(language, "Resident"), exact=True).check()
    _field(form, labels["title"]).fill(title)
    _field(form, labels["summary"]).fill(f"Kort fortalt: {title.lower()}.")
    _field(form, labels["description"]).fill(
        f"{title}.\n\nBørn og voksne i kvarteret mangler et sted at mødes."
    )
    _field(form, labels["estimated_cost"]).fill(str(cost))
    _field(form, labels["category"]).select_option(label="Leg og idræt")
    _field(form, labels["location_text"]).fill("Fælledparken, 2100 København Ø")
    _field(form, labels["images"]).set_input_files(image)
    _field(form, labels["image_alt"]).fill("En grøn plæne i parken")
    checklist = form.locator("fieldset").filter(has_text=world["checklist_item"].text)
    checklist.get_by_role("radio", name=_(language, "Yes"), exact=True).check()
    form.get_by_role("button", name=_(language, "Submit proposal"), exact=True).click()

    page.wait_for_url(PROPOSAL_URL)
    expect_language(page, language)
    assert main.get_by_role("heading", level=1).inner_text() == title
    thanks = _(language, "Thank you! Your proposal has been submitted.")
    assert main.locator(".messages").get_by_role("status").inner_text().strip() == thanks
    facts = main.locator("dl.round-facts")
    status = facts.locator("dt", has_text=_(language, "Status")).locator(
        "xpath=following-sibling::dd[1]"
    )
    assert status.inner_text().strip() == _(language, "Submitted")
    case_number = (
        facts.locator("dt", has_text=_(language, "Case number"))
        .locator("xpath=following-sibling::dd[1]")
        .inner_text()
        .strip()
    )
    assert CASE_NUMBER.match(case_number), case_number
    assert main.get_by_role("img", name="En grøn plæne i parken").count() == 1
    axe_check(page)

    pk = int(PROPOSAL_URL.search(page.url).group(1))
    proposal = Proposal.objects.get(pk=pk)
    assert proposal.state == State.SUBMITTED
    assert proposal.case_number == case_number
    assert proposal.author == world["resident"]
    assert proposal.estimated_cost == cost
    assert proposal.category.name == "Leg og idræt"
    assert proposal.checklist_answers == {str(world["checklist_item"].pk): True}
    assert proposal.images.count() == 1
    page.goto(round_url)
    return {"pk": pk, "title": title, "case_number": case_number}


def _review(admin, proposal: dict, target: str, reason: str = "") -> None:
    """One move on the proposal's review page in the Wagtail admin."""
    review_url = f"/admin/proposals/{proposal['pk']}/review/"
    if not admin.url.endswith(review_url):
        admin.goto(review_url)
    form = admin.locator("form[method=post]").filter(has=admin.locator("select[name=target]"))
    form.locator("select[name=target]").select_option(value=target)
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    admin.wait_for_url(re.compile(r"/admin/proposal/$"))
    assert Proposal.objects.get(pk=proposal["pk"]).state == target


@pytest.mark.parametrize(
    ("language", "browser_locale"),
    [pytest.param("da", "da-DK", id="da"), pytest.param("en", "en-GB", id="en")],
)
def test_resident_submits_moderator_reviews_resident_sees_the_outcome(
    page, browser, asgi_server, world, jpeg, mailbox, language
):
    main = page.locator("main")
    prefix = PREFIX[language]

    # 1. The resident logs in, finds the committee by postcode and submits two proposals.
    _log_in_as_resident(page, language, world["resident"].email)
    page.goto(f"{prefix}/")
    expect_language(page, language)
    axe_check(page)
    finder = main.get_by_role("search")
    finder.get_by_label(_(language, "Postcode, address or area"), exact=True).fill("2100")
    finder.get_by_role("button", name=_(language, "Find committee"), exact=True).click()
    page.wait_for_url(re.compile(r"\?q=2100#find-heading$"))
    found = main.locator(".find-committee").get_by_role("status")
    assert "2100" in found.inner_text()
    axe_check(page)
    found.get_by_role("link", name="Østerbro Lokaludvalg", exact=True).click()
    page.wait_for_url(re.compile(r"/oesterbro-lokaludvalg/$"))
    expect_language(page, language)
    assert main.get_by_role("heading", level=1).inner_text() == "Østerbro Lokaludvalg"
    axe_check(page)

    main.get_by_role("link", name="Østerbro-puljen 2026", exact=True).click()
    page.wait_for_url(re.compile(r"/oesterbro-lokaludvalg/runder/oesterbro-puljen-2026/$"))
    expect_language(page, language)
    assert main.get_by_role("heading", level=1).inner_text() == "Østerbro-puljen 2026"
    axe_check(page)

    playground = _submit_proposal(
        page, language, world, jpeg, title="Legeplads på græsset", cost=40_000
    )
    page.wait_for_url(re.compile(r"/runder/oesterbro-puljen-2026/$"))
    benches = _submit_proposal(page, language, world, jpeg, title="Bænke langs søerne", cost=25_000)

    receipts = [m for m in mailbox() if m["To"] == world["resident"].email]
    assert len(receipts) == 2, [message_subject(m) for m in mailbox()]
    for proposal in (playground, benches):
        assert any(proposal["case_number"] in message_text(m) for m in receipts), proposal

    # 2. The moderator logs in to the Wagtail admin and reviews both proposals.
    context = browser.new_context(base_url=asgi_server.url, locale=f"{language}-DK")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        admin = context.new_page()
        admin.goto("/admin/login/")
        login = admin.locator("form").filter(has=admin.locator("input[name=password]"))
        login.locator("input[name=username]").fill(world["moderator"].email)
        login.locator("input[name=password]").fill(PASSWORD)
        login.locator("button[type=submit]").click()
        admin.wait_for_url(re.compile(r"/admin/$"))

        admin.goto("/admin/proposals/queue/")
        queue = admin.locator("table.listing")
        for proposal in (playground, benches):
            row = queue.get_by_role("row").filter(has_text=proposal["case_number"])
            assert row.get_by_role("link", name=proposal["title"], exact=True).is_visible()
        queue.get_by_role("link", name=playground["title"], exact=True).click()
        # The review keeps the queue it came from (`?next=`), to return to it.
        admin.wait_for_url(re.compile(rf"/admin/proposals/{playground['pk']}/review/(\?next=.+)?$"))

        _review(admin, playground, State.IN_REVIEW)
        _review(admin, playground, State.REJECTED, REJECTION_REASON)
        _review(admin, benches, State.IN_REVIEW)
        _review(admin, benches, State.FEASIBLE)
    finally:
        context.close()

    told = [m for m in mailbox() if m["To"] == world["resident"].email]
    assert len(told) == 2 + 4, [message_subject(m) for m in told]
    assert any(REJECTION_REASON in message_text(m) for m in told)

    # 3. The resident sees the outcome on "Mit borgerbudget" (the old /forslag/mine/ leads
    # there) and on each proposal's page.
    page.goto(f"{prefix}/forslag/mine/")
    page.wait_for_url(re.compile(r"/mit-borgerbudget/$"))
    expect_language(page, language)
    assert main.get_by_role("heading", level=1).inner_text() == _(language, "My Borgerbudget")
    axe_check(page)
    expected = {
        playground["title"]: _(language, "Rejected"),
        benches["title"]: _(language, "On the ballot"),
    }
    for title, state in expected.items():
        item = main.get_by_role("listitem").filter(
            has=page.get_by_role("link", name=title, exact=True)
        )
        assert f"· {state} ·" in item.inner_text()

    for proposal, state in ((playground, "Rejected"), (benches, "On the ballot")):
        main.get_by_role("link", name=proposal["title"], exact=True).click()
        page.wait_for_url(re.compile(rf"/forslag/{proposal['pk']}/$"))
        expect_language(page, language)
        status = main.locator("dl.round-facts dt", has_text=_(language, "Status")).locator(
            "xpath=following-sibling::dd[1]"
        )
        assert status.inner_text().strip() == _(language, state)
        history = main.locator("ol.proposal-history").inner_text()
        if proposal is playground:
            assert REJECTION_REASON in history
        else:
            assert REJECTION_REASON not in history
        axe_check(page)
        page.go_back()
        page.wait_for_url(re.compile(r"/mit-borgerbudget/$"))
