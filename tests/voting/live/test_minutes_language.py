"""What the platform writes into a meeting's minutes is worded in the reader's language: a host
working in Danish closes a quick vote, and an English reader reads the line in English (and the
other way round). Lines stored as words before are recognised and turned into data."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from committees.models import AgendaItem, MinutesEntry
from tests import factories
from voting.live import services as live
from voting.models import QuickVote

pytestmark = pytest.mark.django_db


def _closed_vote(meeting, host, language: str, *, kind="yes_no", options=None):
    item = AgendaItem.objects.create(meeting=meeting, title="Bænke ved søen", sort_order=0)
    with translation.override(language):
        vote, _codes = live.quick_vote_start(
            user=host,
            meeting=meeting,
            question="Skal vi have flere bænke?",
            kind=kind,
            options=options,
            counted_by="device",
            agenda_item_id=item.pk,
        )
        for number, choice in enumerate([0, 0, 1]):
            live.quick_vote_answer(quick_vote=vote, choice=choice, device_token=f"d{number}")
        live.quick_vote_close(user=host, quick_vote=vote)
    vote.refresh_from_db()
    return vote


@pytest.fixture
def meeting(committee):
    return factories.meeting(committee=committee)


@pytest.fixture
def host(meeting):
    return factories.meeting_host(committee=meeting.committee)


@pytest.mark.parametrize("host_language", ["da", "en"])
def test_a_quick_vote_in_the_minutes_reads_in_each_readers_language(
    meeting_page, meeting, host, host_language
):
    _closed_vote(meeting, host, host_language)
    assert meeting.minutes_entries.count() == 1
    meeting.refresh_from_db()
    assert meeting.minutes == ""  # nothing frozen into the typed minutes
    english = meeting_page(meeting, "en")
    assert "Quick vote – Bænke ved søen: Skal vi have flere bænke? – Yes 2, No 1, Abstain 0" in (
        english
    )
    assert "Hurtig afstemning" not in english
    danish = meeting_page(meeting, "da")
    assert (
        "Hurtig afstemning – Bænke ved søen: Skal vi have flere bænke? – Ja 2, Nej 1, "
        "Hverken for eller imod 0"
    ) in danish
    assert "Quick vote" not in danish


def test_answers_the_host_typed_stay_as_typed(meeting_page, meeting, host):
    _closed_vote(meeting, host, "da", kind="choose_one", options="Bænke\nTræer")
    for language in ("da", "en"):
        assert "Bænke 2, Træer 1" in meeting_page(meeting, language)


def test_lines_stored_as_words_become_data_and_typed_text_stays(meeting, host):
    """The data migration: a quick vote closed before this change left its line in the minutes,
    in the host's language. Only a paragraph exactly as generated is taken out."""
    vote = _closed_vote(meeting, host, "da")
    MinutesEntry.objects.all().delete()
    other = _closed_vote(factories.meeting(committee=meeting.committee), host, "en")
    MinutesEntry.objects.all().delete()
    typed = "<p>Formanden bød velkommen.</p>"
    almost = "<p>Hurtig afstemning – Bænke ved søen: Skal vi have flere bænke? – Ja 3</p>"
    danish = (
        "<p>Hurtig afstemning – Bænke ved søen: Skal vi have flere bænke? – Ja 2, Nej 1, "
        "Hverken for eller imod 0</p>"
    )
    # As the admin's editor saves it again: a block key on the paragraph.
    english = (
        '<p data-block-key="a1b2c">Quick vote – Bænke ved søen: Skal vi have flere bænke? – '
        "Yes 2, No 1, Abstain 0</p>"
    )
    meeting.minutes = typed + danish + almost
    meeting.save(update_fields=["minutes"])
    other.meeting.minutes = english + typed
    other.meeting.save(update_fields=["minutes"])

    migration = importlib.import_module("voting.migrations.0018_quick_vote_minutes_as_data")
    migration.forwards(apps, None)

    meeting.refresh_from_db()
    other.meeting.refresh_from_db()
    assert meeting.minutes == typed + almost
    assert other.meeting.minutes == typed
    entry = MinutesEntry.objects.get(meeting=meeting)
    assert entry.params["quick_vote"] == vote.pk and entry.params["counts"] == [2, 1, 0]
    assert entry.added_at == vote.closed_at
    with translation.override("en"):
        assert entry.text() == (
            "Quick vote – Bænke ved søen: Skal vi have flere bænke? – Yes 2, No 1, Abstain 0"
        )
    assert MinutesEntry.objects.get(meeting=other.meeting).params["quick_vote"] == other.pk
    migration.forwards(apps, None)  # run twice: nothing left to take out
    assert MinutesEntry.objects.count() == 2
    assert QuickVote.objects.filter(is_open=False).count() == 2


def test_the_api_gives_the_line_as_data_and_in_the_readers_language(client, meeting, host):
    _closed_vote(meeting, host, "da")
    for language, words in (("en", "Quick vote – "), ("da", "Hurtig afstemning – ")):
        data = client.get(f"/api/v1/meetings/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()
        (line,) = data["minutes_generated"]
        assert line["kind"] == "quick_vote" and line["params"]["counts"] == [2, 1, 0]
        assert line["text"].startswith(words)
