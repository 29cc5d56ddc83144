"""One person, one ballot, the right area and age, in a real browser, on the server `make run`
starts: the development settings, the demo data and the local test identity provider.

- A new resident verifies as a test person on the provider's page and votes online in the demo's
  voting round; the letter code the roll gave the same person is then refused.
- A test person from Indre By is refused in a Christianshavn round; one from Christianshavn votes.
- A 12-year-old is admitted to a round whose minimum age is 10, and a 12-year-old is refused where
  it is 15.
- A round whose vote has opened shows its frozen rules read-only to staff, and refuses a change.

The server is Daphne with `pbsite.settings.dev` (one process serving the app and the provider, as
`make run` does). The dev server cannot check the test suite's fast password hashes, so people are
logged in with a session cookie made here (the server shares the test's SECRET_KEY).
"""

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from committees.models import BudgetRound, Committee
from tests import factories
from tests.e2e.conftest import axe_check, expect_language
from tests.e2e.conftest import in_language as _
from voting.identity import devprovider
from voting.models import Participation, VotingConfig
from voting.roll.services import roll_import

pytestmark = pytest.mark.browser

PREFIX = {"da": "", "en": "/en"}
LANGUAGES = [pytest.param("da", "da-DK", id="da"), pytest.param("en", "en-GB", id="en")]


@pytest.fixture
def asgi_server_env(dev_server_env) -> dict[str, str]:
    return dev_server_env  # the server `make run` starts (tests/conftest.py)


@pytest.fixture
def demo(transactional_db, home_page):
    """The demo data of `make run`, and one Christianshavn round in its voting phase."""
    call_command("seed_demo", "--allow-production", stdout=StringIO())
    christianshavn = Committee.objects.get(name="Christianshavns Lokaludvalg")
    return {
        "voting": BudgetRound.objects.get(
            slug="demo-voting", committee__name="Østerbro Lokaludvalg"
        ),
        "christianshavn": factories.voting_round(
            committee=christianshavn, title="Christianshavn-puljen"
        ),
    }


def _log_in(page, asgi_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": asgi_server.url,
            }
        ]
    )


def _verify_as(page, language: str, person: devprovider.TestPerson, ballot_path: str) -> None:
    """From a round's ballot page, through the identity page and the provider, and back."""
    page.goto(ballot_path)
    expect_language(page, language)
    main = page.locator("main")
    main.get_by_role("link", name=_(language, "Verify your identity")).click()
    page.wait_for_url(re.compile(r"/afstemning/identitet/"))
    axe_check(page)
    verify = _before_placeholder(language, "Verify with %(name)s")
    main.get_by_role("button", name=re.compile(re.escape(verify))).click()
    page.wait_for_url(re.compile(r"/dev/idp/authorize"))
    axe_check(page)
    main.get_by_role("button", name=re.compile(re.escape(person.name))).click()
    # The callback sends the person back where they started: the round's ballot.
    page.wait_for_url(re.compile(rf"{re.escape(ballot_path)}$"))
    expect_language(page, language)


def _before_placeholder(language: str, msgid: str) -> str:
    """The translated text of `msgid` up to its first placeholder."""
    return _(language, msgid).split("%(")[0]


def _ballot(language: str, budget_round) -> str:
    return f"{PREFIX[language]}/afstemning/runde/{budget_round.pk}/"


def _cast_first_project(page, language: str) -> None:
    form = page.locator("main form[data-ballot]")
    form.get_by_role("checkbox").first.check()
    form.get_by_role("button", name=_(language, "Cast my ballot"), exact=True).click()
    page.wait_for_url(re.compile(r"/afstemning/runde/\d+/kvittering/$"))
    heading = page.locator("main").get_by_role("heading", level=1).inner_text()
    assert heading == _(language, "Thank you for voting")


@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES)
def test_a_new_resident_verifies_votes_online_and_then_their_letter_code_is_refused(
    page, demo, asgi_server, language
):
    voting = demo["voting"]
    anna = devprovider.PERSONS["anna"]
    VotingConfig.objects.filter(budget_round=voting).update(allow_codes=True)
    roll_import(
        budget_round=voting,
        rows=[
            {
                "cpr": anna.cpr(),
                "birth_date": anna.birth_date().isoformat(),
                "address": f"{anna.street_address}, {anna.postcode} København Ø",
                "area": voting.committee.name,
            }
        ],
    )
    from voting.codes.services import codes_issue_from_roll

    (letter,) = codes_issue_from_roll(budget_round=voting, batch="Breve")
    resident = factories.user()
    before = Participation.objects.filter(budget_round=voting).count()  # the demo's own voters
    _log_in(page, asgi_server, resident)

    _verify_as(page, language, anna, _ballot(language, voting))
    _cast_first_project(page, language)
    axe_check(page)
    assert Participation.objects.filter(budget_round=voting).count() == before + 1

    # Anna's letter arrives after she voted online: the code is hers, and she has voted.
    page.goto(f"{PREFIX[language]}/afstemning/runde/{voting.pk}/kode/")
    form = page.locator("main form[data-ballot]")
    form.get_by_label(_(language, "Your voting code"), exact=True).fill(letter.code)
    form.get_by_role("checkbox").first.check()
    form.get_by_role("button", name=_(language, "Cast my ballot"), exact=True).click()
    page.wait_for_load_state()
    alert = page.locator("main").get_by_role("alert")
    already = _before_placeholder(language, "You have already voted in this round (%(channel)s).")
    assert already in alert.inner_text()
    axe_check(page)
    assert Participation.objects.filter(budget_round=voting).count() == before + 1


@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES)
def test_an_indre_by_resident_is_refused_in_a_christianshavn_round(
    page, demo, asgi_server, language
):
    christianshavn = demo["christianshavn"]
    _log_in(page, asgi_server, factories.user())
    _verify_as(page, language, devprovider.PERSONS["lars"], _ballot(language, christianshavn))

    only = _before_placeholder(language, "Only residents of %(areas)s can vote in this round.")
    assert page.locator("main").get_by_role("status").filter(has_text=only).count() == 1
    assert page.locator("main form[data-ballot] button[type=submit]").count() == 0
    axe_check(page)
    assert not Participation.objects.filter(budget_round=christianshavn).exists()


def test_a_christianshavn_resident_votes_in_the_christianshavn_round(page, demo, asgi_server):
    language = "da"
    christianshavn = demo["christianshavn"]
    _log_in(page, asgi_server, factories.user())
    _verify_as(page, language, devprovider.PERSONS["karen"], _ballot(language, christianshavn))
    _cast_first_project(page, language)
    assert Participation.objects.filter(budget_round=christianshavn).count() == 1


@pytest.mark.parametrize(("min_age", "admitted"), [(10, True), (15, False)])
def test_a_twelve_year_old_votes_where_the_minimum_age_is_ten(
    page, demo, asgi_server, min_age, admitted
):
    language = "da"
    voting = demo["voting"]
    BudgetRound.objects.filter(pk=voting.pk).update(min_age=min_age)  # as set before voting opened
    before = Participation.objects.filter(budget_round=voting).count()  # the demo's own voters
    _log_in(page, asgi_server, factories.user())
    _verify_as(page, language, devprovider.PERSONS["emil"], _ballot(language, voting))

    statuses = page.locator("main").get_by_role("status")
    if admitted:
        assert statuses.filter(has_text=_(language, "You can vote online.")).count() == 1
        _cast_first_project(page, language)
        assert Participation.objects.filter(budget_round=voting).count() == before + 1
    else:
        age_rule = _(
            language, "Residents aged %(age)d or more on the voting day can vote in this round."
        )
        assert statuses.filter(has_text=age_rule % {"age": 15}).count() == 1
        assert page.locator("main form[data-ballot] button[type=submit]").count() == 0
        assert Participation.objects.filter(budget_round=voting).count() == before
    axe_check(page)


def test_staff_see_a_voting_rounds_rules_frozen_and_a_forced_change_is_ignored(
    page, demo, asgi_server
):
    """The pot and the ballot style are read-only once voting has opened. A moderator who
    removes the `disabled` attribute in the browser and posts another pot changes nothing."""
    language = "da"
    voting = demo["voting"]
    pot = voting.pot
    _log_in(page, asgi_server, factories.moderator(committee=voting.committee))
    page.goto(f"/admin/budgetround/edit/{voting.pk}/")
    expect_language(page, language)
    field = page.locator("input[name=pot]")
    assert field.is_disabled()
    frozen = _(language, "Voting has opened: the rules of this round can no longer change.")
    assert page.get_by_text(frozen).count() >= 1
    assert page.locator("[name=ballot_style]").first.is_disabled()

    field.evaluate("input => { input.disabled = false; input.value = '1'; }")
    page.get_by_role("button", name=_(language, "Save"), exact=True).first.click()
    page.wait_for_load_state()
    voting.refresh_from_db()
    assert voting.pot == pot


@pytest.mark.parametrize(("language", "browser_locale"), LANGUAGES)
def test_an_identity_without_a_cpr_number_is_shown_the_code_and_the_stations(
    page, demo, asgi_server, language, tmp_path
):
    """A broker sent only an "over 18" claim: online voting beside letter codes and polling
    stations is refused with the reason, and the way on is one link away, on a phone, by
    keyboard."""
    from voting.identity.services import identity_verify

    voting = demo["voting"]
    VotingConfig.objects.filter(budget_round=voting).update(allow_codes=True, allow_paper=True)
    station, _created = voting.polling_stations.get_or_create(
        name="Østerbro Bibliotek", defaults={"address": "Dag Hammarskjölds Allé 19"}
    )
    resident = factories.user()
    identity_verify(
        user=resident,
        provider="dev",
        subject="over-18-only",
        national_id="",
        age_min=18,
        age_max=None,
        area=voting.committee.areas.get(kind="committee"),
    )
    before = Participation.objects.filter(budget_round=voting).count()  # the demo's own voters
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, asgi_server, resident)

    page.goto(_ballot(language, voting))
    expect_language(page, language)
    main = page.locator("main")
    refusal = _(
        language,
        "Your identity was verified without a CPR number. This round is also voted with "
        "letter codes or at polling stations, which know voters by their CPR number, so you "
        "cannot vote online here: vote with the code from your letter or at a polling station.",
    )
    assert main.get_by_role("status").filter(has_text=refusal).count() == 1
    assert main.locator("form[data-ballot] button[type=submit]").count() == 0
    axe_check(page)

    other_ways = main.get_by_role(
        "link", name=_(language, "Other ways to vote: polling stations and letter codes")
    )
    other_ways.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/afstemning/identitet/\?next="))
    expect_language(page, language)
    assert main.get_by_text(_(language, "Your identity was verified without a CPR number.")).count()
    assert main.get_by_text(station.name).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_check(page)
    page.screenshot(path=str(tmp_path / f"no-cpr-{language}-phone.png"), full_page=True)

    code_link = main.get_by_role("link", name=_(language, "Vote with the code from your letter"))
    code_link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/afstemning/runde/{voting.pk}/kode/$"))
    assert Participation.objects.filter(budget_round=voting).count() == before
