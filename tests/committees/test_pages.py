"""Every public page of the committees app renders in Danish and English."""

import datetime
from http import HTTPStatus

import icalendar
import pytest
from django.utils import timezone

from committees.models import NewsPage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    page = committee.page
    page.members.create(name="Karin Formand", role="Formand", represents="Østerbro Idrætsforening")
    page.contact_email = "oesterbro@example.dk"
    page.save_revision().publish()
    return committee


@pytest.fixture
def round_in_voting(committee):
    budget_round = factories.budget_round(committee=committee, phase="voting", title="Grønne idéer")
    budget_round.categories.create(name="Grønne områder")
    budget_round.save()  # modelcluster keeps child rows until the parent is saved
    return budget_round


@pytest.fixture
def meeting(committee, round_in_voting):
    meeting = factories.meeting(
        committee=committee, title="Borgermøde, november", budget_round=round_in_voting
    )
    meeting.agenda_items.create(
        title="Borgerbudget; status, plan",
        recommendation="At status tages til efterretning.",
        problem="Mange forslag.",
        solution="Flere møder.",
        economy="Ingen.",
        decision="Godkendt.",
    )
    meeting.save()
    return meeting


def _get(client, url, language):
    if url.startswith("/en/"):  # page.url follows the language of the last request
        url = "/" + url.removeprefix("/en/")
    path = url if language == "da" else "/en" + url
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK, path
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    return html


@pytest.mark.parametrize(("language", "word"), [("da", "Medlemmer"), ("en", "Members")])
def test_committee_page(client, committee, round_in_voting, meeting, language, word):
    html = _get(client, committee.page.url, language)
    assert "Østerbro Lokaludvalg" in html
    assert word in html
    assert "Karin Formand" in html and "Østerbro Idrætsforening" in html
    assert "Grønne idéer" in html
    assert "Borgermøde, november" in html
    assert f"/kalender/{committee.slug}.ics" in html


@pytest.mark.parametrize(
    ("language", "phase_word", "pot"),
    [("da", "Afstemning", "500.000 kr."), ("en", "Voting", "DKK 500,000")],
)
def test_round_page_shows_timeline_rules_and_action(
    client, committee, round_in_voting, language, phase_word, pot
):
    html = _get(client, f"{committee.page.url}runder/{round_in_voting.slug}/", language)
    assert "Grønne idéer" in html
    assert pot in html
    assert phase_word in html
    assert 'aria-current="step"' in html
    assert "Grønne områder" in html


@pytest.mark.parametrize(("language", "word"), [("da", "Indstilling"), ("en", "Recommendation")])
def test_meeting_page_shows_the_agenda_in_the_municipal_structure(
    client, committee, meeting, language, word
):
    html = _get(client, f"{committee.page.url}moeder/{meeting.pk}/", language)
    assert word in html
    assert "At status tages til efterretning." in html
    assert "Godkendt." in html


def test_unknown_round_and_meeting_are_404(client, committee, meeting):
    other = factories.committee("Valby Lokaludvalg")
    other_meeting = factories.meeting(committee=other)
    assert client.get(f"{committee.page.url}runder/nope/").status_code == HTTPStatus.NOT_FOUND
    # A meeting of another committee is not shown under this committee's page.
    url = f"{committee.page.url}moeder/{other_meeting.pk}/"
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("language", ["da", "en"])
def test_news_page(client, committee, language):
    news = committee.page.add_child(
        instance=NewsPage(
            title="Nye bænke i parken",
            date=datetime.date(2026, 11, 1),
            body="<p>Bænkene er sat op.</p>",
        )
    )
    html = _get(client, news.url, language)
    assert "Bænkene er sat op." in html
    assert "Nye bænke i parken" in _get(client, committee.page.url, language)


def test_calendar_feed_is_valid_icalendar(client, committee, meeting):
    private = factories.meeting(committee=committee, title="Lukket møde", is_public=False)
    response = client.get(f"/kalender/{committee.slug}.ics")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(body)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["Borgermøde, november"]
    event = events[0]
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") > event.decoded("DTSTART")
    assert "Borgerbudget; status, plan" in str(event["DESCRIPTION"])
    assert str(event["UID"]).startswith(f"meeting-{meeting.pk}@")
    assert private.title not in body.decode()
    assert timezone.is_aware(event.decoded("DTSTART"))


@pytest.fixture
def copenhagen(home_page, settings, tmp_path):
    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    settings.DEBUG = True
    import io

    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize("language", ["da", "en"])
def test_find_my_committee_by_unique_postcode(client, copenhagen, language):
    prefix = "" if language == "da" else "/en"
    html = client.get(f"{prefix}/?q=2100").content.decode()
    assert 'role="status"' in html
    result = html.split('role="status"', 1)[1].split("</div>", 2)[0]
    assert "Østerbro Lokaludvalg" in result
    assert "Valby Lokaludvalg" not in result


def test_find_my_committee_shared_postcode_offers_a_choice(client, copenhagen):
    html = client.get("/?q=2450").content.decode()
    result = html.split('role="status"', 1)[1].split("</ul>", 1)[0]
    assert "Vælg dit" in result
    names = [n for n in ("Kongens Enghave", "Valby", "Vesterbro") if f"{n} Lokaludvalg" in result]
    assert names == ["Kongens Enghave", "Valby", "Vesterbro"]
    assert result.count("<a href=") == 3


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("9999", "Vi kunne ikke finde 9999"),
        ("Atlantis", "Vi kunne ikke finde Atlantis"),
        ("8000", "ligger ikke i Københavns Kommune"),
        ("", "Dette felt er påkrævet"),
    ],
)
def test_find_my_committee_answers_clearly_when_it_cannot(client, copenhagen, query, message):
    response = client.get("/", {"q": query})
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert f'value="{query}"' in html or not query  # what was typed stays in the box


def test_find_my_committee_by_street(client, copenhagen):
    html = client.get("/", {"q": "Islands Brygge 12"}).content.decode()
    assert "Amager Vest Lokaludvalg" in html.split('role="status"', 1)[1]
