"""Quick-vote lines already written into minutes as finished words become minutes entries.

Until now closing a quick vote appended `<p>Quick vote – item: question – Yes 3, No 1, ...</p>`
to the meeting's minutes in the host's language. A paragraph is recognised as generated only
when it is exactly the line one of the meeting's closed quick votes made, in Danish or English
(as stored, or as the admin's editor saved it again); it is then taken out of the typed minutes
and stored as a `committees.MinutesEntry`, worded in each reader's language from now on. Every
other paragraph stays as typed.
"""

import html
import re

from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p>", re.S)
YES_NO = {"yes": "Yes", "no": "No", "abstain": "Abstain"}


def _line(vote, language: str) -> str:
    with translation.override(language):
        if vote.kind == "yes_no":
            labels = [gettext(YES_NO.get(key, key)) for key in vote.options]
        else:
            labels = list(vote.options)
        parts = ", ".join(
            f"{label} {count}" for label, count in zip(labels, vote.result or [], strict=False)
        )
        where = f"{vote.agenda_item.title}: " if vote.agenda_item_id else ""
        return f"{gettext('Quick vote')} – {where}{vote.question} – {parts}"


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def forwards(apps, schema_editor):
    QuickVote = apps.get_model("voting", "QuickVote")
    Meeting = apps.get_model("committees", "Meeting")
    MinutesEntry = apps.get_model("committees", "MinutesEntry")
    closed = (
        QuickVote.objects.filter(is_open=False, result__isnull=False)
        .select_related("agenda_item")
        .order_by("meeting_id", "closed_at", "pk")
    )
    by_meeting = {}
    for vote in closed:
        by_meeting.setdefault(vote.meeting_id, []).append(vote)
    for meeting in Meeting.objects.filter(pk__in=list(by_meeting)):
        minutes = meeting.minutes or ""
        for vote in by_meeting[meeting.pk]:
            wanted = {" ".join(_line(vote, language).split()) for language in ("da", "en")}
            for match in PARAGRAPH.finditer(minutes):
                if _plain(match.group(1)) in wanted:
                    minutes = minutes[: match.start()] + minutes[match.end() :]
                    MinutesEntry.objects.create(
                        meeting=meeting,
                        kind="quick_vote",
                        params={
                            "quick_vote": vote.pk,
                            "question": vote.question,
                            "agenda_item": vote.agenda_item.title if vote.agenda_item_id else "",
                            "yes_no": vote.kind == "yes_no",
                            "options": list(vote.options),
                            "counts": list(vote.result),
                        },
                        added_at=vote.closed_at or meeting.starts_at,
                    )
                    break
        if minutes != (meeting.minutes or ""):
            meeting.minutes = minutes
            meeting.save(update_fields=["minutes"])


def backwards(apps, schema_editor):
    """Back to words, in the site's default language, at the end of the typed minutes."""
    MinutesEntry = apps.get_model("committees", "MinutesEntry")
    QuickVote = apps.get_model("voting", "QuickVote")
    for entry in MinutesEntry.objects.filter(kind="quick_vote").order_by("added_at", "pk"):
        vote = QuickVote.objects.filter(pk=entry.params.get("quick_vote")).first()
        if vote is not None:
            meeting = entry.meeting
            meeting.minutes = f"{meeting.minutes or ''}<p>{html.escape(_line(vote, 'da'))}</p>"
            meeting.save(update_fields=["minutes"])
        entry.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0009_minutes_entry"),
        ("voting", "0017_identity_person_number"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
