"""The agenda item a grant application puts on the deciding meeting's agenda, and the decision
on it, are worded in the reader's language: a Danish secretariat recommends and decides, an
English reader reads the item in English (and the other way round). Items people typed stay as
typed, and items stored as words before are turned into data by the migration."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.formats import date_format

from committees.models import AgendaItem
from frontend.money import format_kroner
from proposals.grants import services as grant_services
from proposals.models import Recommendation
from tests import factories

pytestmark = pytest.mark.django_db


def _recommended(pool, secretariat, language, **recommend):
    application = factories.grant_application(pool=pool)
    with translation.override(language):
        factories.grant_to_decision(application=application, secretariat=secretariat, **recommend)
    application.refresh_from_db()
    return application


def _granted(pool, secretariat, language):
    """An application recommended and then granted 20,000 kr. ("Enig.") by staff in `language`."""
    application = _recommended(pool, secretariat, language)
    with translation.override(language):
        grant_services.grant_decide(
            actor=secretariat, application=application, granted=True, amount=20_000, reason="Enig."
        )
    application.refresh_from_db()
    return application


def _expected(application, language: str, decision: str) -> list[str]:
    """The lines the item shows, worded here from the application in `language`."""
    proposal = application.proposal
    with translation.override(language):
        kr = format_kroner
        return [
            f"Application {proposal.case_number}: {proposal.title} (Rosenvængets Beboerforening)"
            if language == "en"
            else f"Ansøgning {proposal.case_number}: {proposal.title} "
            f"(Rosenvængets Beboerforening)",
            {
                "en": f"The working group recommends a grant of {kr(25_000)}.",
                "da": f"Arbejdsgruppen indstiller en bevilling på {kr(25_000)}",
            }[language],
            {
                "en": f"Activity on {date_format(application.activity_date)}.",
                "da": f"Aktiviteten finder sted {date_format(application.activity_date)}.",
            }[language],
            {"en": f"Applied for: {kr(25_000)}.", "da": f"Ansøgt beløb: {kr(25_000)}"}[language],
            {
                "en": f"Left in the pool before this decision: {kr(100_000)}.",
                "da": f"Tilbage i puljen før denne afgørelse: {kr(100_000)}",
            }[language],
            decision,
        ]


@pytest.mark.parametrize(("staff", "reader"), [("da", "en"), ("en", "da")])
def test_a_granted_application_reads_in_the_readers_language(
    meeting_page, pool, secretariat, staff, reader
):
    application = _granted(pool, secretariat, staff)
    item = application.agenda_item
    assert item.generated["kind"] == "grant_application"
    assert item.generated["decision"] == {"kind": "granted", "amount": 20_000, "reason": "Enig."}
    assert item.generated["pool_remaining"] == 100_000
    with translation.override(reader):
        granted = {"en": "Granted {}. Enig.", "da": "Bevilget {} Enig."}[reader].format(
            format_kroner(20_000)
        )
    html = meeting_page(item.meeting, reader)
    for line in _expected(application, reader, granted):
        assert line in html, line
    # Nothing of the staff member's language on the reader's page, in the agenda item.
    agenda = html[html.index('class="agenda-item') :]
    agenda = agenda[: agenda.index("</section>")]
    for line in _expected(application, staff, "")[:5]:
        assert line not in agenda, line
    # The typed parts stay as typed in both languages.
    assert "Godt for kvarteret." in agenda and "En gadefest for hele kvarteret." in agenda
    assert "Opslag i opgangene og på Facebook." in agenda
    # The stored text fields hold the staff member's words, for the editor.
    with translation.override(staff):
        assert item.title == _expected(application, staff, "")[0]
        assert item.decision == {"en": "Granted {}. Enig.", "da": "Bevilget {} Enig."}[
            staff
        ].format(format_kroner(20_000))


@pytest.mark.parametrize(
    ("staff", "reader", "words"),
    [
        (
            "da",
            "en",
            ["The working group recommends that the application is refused.", "Refused. Nej."],
        ),
        ("en", "da", ["Arbejdsgruppen indstiller, at ansøgningen afslås.", "Afslået. Nej."]),
    ],
)
def test_a_refusal_reads_in_the_readers_language(
    meeting_page, pool, secretariat, staff, reader, words
):
    application = _recommended(pool, secretariat, staff, recommendation=Recommendation.REFUSE)
    with translation.override(staff):
        grant_services.grant_decide(
            actor=secretariat, application=application, granted=False, reason="Nej."
        )
    application.refresh_from_db()
    html = meeting_page(application.agenda_item.meeting, reader)
    for line in words:
        assert line in html, line


def test_a_withdrawal_reads_in_the_readers_language(meeting_page, pool, secretariat):
    application = _recommended(pool, secretariat, "da")
    with translation.override("da"):
        grant_services.grant_application_withdraw(
            author=application.proposal.author, application=application
        )
    application.refresh_from_db()
    item = application.agenda_item
    assert item.decision == "Trukket tilbage af ansøgeren før afgørelsen."
    assert item.generated["decision"]["kind"] == "withdrawn"
    html = meeting_page(item.meeting, "en")
    assert "Withdrawn by the applicant before the decision." in html
    assert "Trukket tilbage af ansøgeren" not in html[: html.index("</section>")]


def test_the_api_gives_the_item_in_the_readers_language_and_as_data(client, pool, secretariat):
    application = _recommended(pool, secretariat, "da")
    meeting = application.agenda_item.meeting
    for language, start in (("en", "Application "), ("da", "Ansøgning ")):
        data = client.get(f"/api/v1/meetings/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()
        (item,) = data["agenda"]
        assert item["title"].startswith(start)
        assert item["problem"] == "En gadefest for hele kvarteret."
        assert item["generated"]["case"] == application.proposal.case_number
        assert item["generated"]["recommendation"] == "full"


def test_an_item_people_typed_stays_as_typed(meeting_page, committee):
    meeting = factories.meeting(committee=committee)
    AgendaItem.objects.create(
        meeting=meeting,
        sort_order=0,
        title="Bænke ved søen",
        recommendation="Forvaltningen indstiller, at der sættes bænke op.",
        economy="Udgift: 40.000 kr.",
        decision="Godkendt.",
    )
    for language in ("da", "en"):
        html = meeting_page(meeting, language)
        for typed in (
            "Bænke ved søen",
            "Forvaltningen indstiller, at der sættes bænke op.",
            "Udgift: 40.000 kr.",
            "Godkendt.",
        ):
            assert typed in html


def test_the_migration_turns_a_stored_danish_item_into_data(meeting_page, pool, secretariat):
    """An item recommended and decided in Danish before `generated` existed: the migration
    reads it back from the application, the pool line from the stored economy text."""
    application = _granted(pool, secretariat, "da")
    item = application.agenda_item
    expected = item.generated
    AgendaItem.objects.filter(pk=item.pk).update(generated=None)
    # A second item whose economy text was edited by hand: its pool line is left out.
    other = _recommended(pool, secretariat, "da", recommendation=Recommendation.REFUSE)
    AgendaItem.objects.filter(pk=other.agenda_item_id).update(generated=None, economy="Se bilag.")

    migration = importlib.import_module("proposals.migrations.0013_grant_agenda_generated")
    migration.fill(apps, None)

    item.refresh_from_db()
    assert item.generated == expected
    other.agenda_item.refresh_from_db()
    assert other.agenda_item.generated["pool_remaining"] is None
    assert other.agenda_item.generated["recommendation"] == "refuse"
    assert other.agenda_item.generated["decision"] is None
    with translation.override("en"):
        assert "Left in the pool" not in other.agenda_item.texts()["economy"]
    html = meeting_page(item.meeting, "en")
    assert f"Granted {format_kroner(20_000, 'en')}. Enig." in html
    assert f"Left in the pool before this decision: {format_kroner(100_000, 'en')}." in html


@pytest.mark.parametrize(("staff", "reader"), [("da", "en"), ("en", "da")])
def test_the_decision_in_the_minutes_reads_in_the_readers_language(
    client, meeting_page, pool, secretariat, staff, reader
):
    application = _granted(pool, secretariat, staff)
    meeting = application.agenda_item.meeting
    meeting.refresh_from_db()
    assert meeting.minutes == ""  # nothing frozen into the typed minutes
    (entry,) = meeting.minutes_entries.all()
    assert (
        entry.kind == "agenda_decision"
        and entry.params["agenda_item"] == application.agenda_item_id
    )
    html = meeting_page(meeting, reader)
    minutes = html[html.index("</section>") :]
    with translation.override(reader):
        title = _expected(application, reader, "")[0]
        decision = {"en": "Granted {}. Enig.", "da": "Bevilget {} Enig."}[reader].format(
            format_kroner(20_000)
        )
    assert f"{title}: {decision}" in minutes
    data = client.get(f"/api/v1/meetings/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE=reader).json()
    (line,) = data["minutes_generated"]
    assert line["kind"] == "agenda_decision" and line["text"] == f"{title}: {decision}"


def test_the_migration_turns_a_stored_decision_paragraph_into_a_minutes_line(
    meeting_page, pool, secretariat
):
    """A decision recorded in Danish before this change left `<p><b>title</b>: decision</p>` in
    the minutes. Only that exact paragraph is taken out; typed paragraphs stay."""
    application = _granted(pool, secretariat, "da")
    item = application.agenda_item
    meeting = item.meeting
    entry = meeting.minutes_entries.get()
    params = entry.params
    entry.delete()
    typed = "<p>Formanden bød velkommen.</p>"
    frozen = f'<p data-block-key="x1"><b>{item.title}</b>: {item.decision}</p>'
    meeting.minutes = typed + frozen + "<p>Bevilget 20.000 kr. Enig.</p>"
    meeting.save(update_fields=["minutes"])

    migration = importlib.import_module("proposals.migrations.0014_grant_decision_minutes_as_data")
    migration.forwards(apps, None)

    meeting.refresh_from_db()
    assert meeting.minutes == typed + "<p>Bevilget 20.000 kr. Enig.</p>"
    entry = meeting.minutes_entries.get()
    assert entry.kind == "agenda_decision" and entry.params == params
    assert entry.added_at == application.decided_at
    html = meeting_page(meeting, "en")
    assert f"Granted {format_kroner(20_000, 'en')}. Enig." in html[html.index("</section>") :]
    migration.forwards(apps, None)  # twice: nothing left to take out
    assert meeting.minutes_entries.count() == 1


def test_the_calendar_and_the_staff_pages_word_the_item_in_their_language(
    client, pool, secretariat
):
    """The calendar feed (no language prefix: Danish, or the language asked for) and the
    secretariat's process page word a generated item's title like the meeting page."""
    application = _recommended(pool, secretariat, "en")
    case = application.proposal.case_number
    feed = client.get(f"/kalender/{pool.committee.slug}.ics").content.decode()
    assert f"Ansøgning {case}" in feed.replace("\r\n ", "")
    assert f"Application {case}" not in feed.replace("\r\n ", "")
    with translation.override("da"):
        assert str(application.agenda_item).startswith(f"Ansøgning {case}: ")
    with translation.override("en"):
        assert str(application.agenda_item).startswith(f"Application {case}: ")


def test_a_quick_vote_on_a_generated_item_names_it_in_the_readers_language(pool, secretariat):
    from voting.live import services as live

    application = _recommended(pool, secretariat, "da")
    item = application.agenda_item
    host = factories.meeting_host(committee=pool.committee)
    with translation.override("da"):
        vote, _codes = live.quick_vote_start(
            user=host,
            meeting=item.meeting,
            question="Er I enige?",
            kind="yes_no",
            options=None,
            counted_by="device",
            agenda_item_id=item.pk,
        )
        live.quick_vote_answer(quick_vote=vote, choice=0, device_token="d1")
        live.quick_vote_close(user=host, quick_vote=vote)
    entry = item.meeting.minutes_entries.get(kind="quick_vote")
    case = application.proposal.case_number
    with translation.override("en"):
        assert f"Quick vote – Application {case}: " in entry.text()
        assert "Ansøgning" not in entry.text()
