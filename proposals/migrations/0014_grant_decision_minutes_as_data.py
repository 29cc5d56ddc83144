"""Decisions on grant applications already written into minutes as words become minutes entries.

Until now a decision appended `<p><b>agenda item title</b>: decision</p>` to the meeting's
minutes, in the language of the staff member who recorded it. A paragraph is recognised as
generated only when its text is exactly the title and decision stored on an agenda item that a
grant application put on the agenda (as stored, or as the admin's editor saved it again); it is
then taken out of the typed minutes and stored as a `committees.MinutesEntry` of kind
`agenda_decision`, worded in each reader's language from now on. Every other paragraph stays.
"""

import html
import re

from django.conf import settings
from django.db import migrations
from django.utils import translation

from committees.models.meetings import GRANT_APPLICATION, grant_application_texts

PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p>", re.S)


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def forwards(apps, schema_editor):
    GrantApplication = apps.get_model("proposals", "GrantApplication")
    Meeting = apps.get_model("committees", "Meeting")
    MinutesEntry = apps.get_model("committees", "MinutesEntry")
    decided = (
        GrantApplication.objects.filter(
            agenda_item__isnull=False, agenda_item__generated__decision__isnull=False
        )
        .exclude(agenda_item__decision="")
        .select_related("agenda_item")
        .order_by("agenda_item__meeting_id", "decided_at", "pk")
    )
    by_meeting = {}
    for application in decided:
        if (application.agenda_item.generated or {}).get("decision"):
            by_meeting.setdefault(application.agenda_item.meeting_id, []).append(application)
    for meeting in Meeting.objects.filter(pk__in=list(by_meeting)):
        minutes = meeting.minutes or ""
        for application in by_meeting[meeting.pk]:
            item = application.agenda_item
            wanted = " ".join(f"{item.title}: {item.decision}".split())
            for match in PARAGRAPH.finditer(minutes):
                if _plain(match.group(1)) == wanted:
                    minutes = minutes[: match.start()] + minutes[match.end() :]
                    MinutesEntry.objects.create(
                        meeting=meeting,
                        kind="agenda_decision",
                        params={"agenda_item": item.pk, "generated": item.generated},
                        added_at=application.decided_at or meeting.starts_at,
                    )
                    break
        if minutes != (meeting.minutes or ""):
            meeting.minutes = minutes
            meeting.save(update_fields=["minutes"])


def backwards(apps, schema_editor):
    """Back to words, in the site's default language, at the end of the typed minutes."""
    MinutesEntry = apps.get_model("committees", "MinutesEntry")
    for entry in MinutesEntry.objects.filter(kind="agenda_decision").select_related("meeting"):
        generated = entry.params.get("generated") or {}
        if generated.get("kind") == GRANT_APPLICATION:
            with translation.override(settings.LANGUAGE_CODE):
                texts = grant_application_texts(generated)
            paragraph = (
                f"<p><b>{html.escape(texts['title'])}</b>: "
                f"{html.escape(texts.get('decision', ''))}</p>"
            )
            entry.meeting.minutes = f"{entry.meeting.minutes or ''}{paragraph}"
            entry.meeting.save(update_fields=["minutes"])
        entry.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0013_grant_agenda_generated"),
        ("committees", "0011_minutes_agenda_decision"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
