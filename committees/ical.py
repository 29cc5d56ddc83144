"""An iCalendar (RFC 5545) feed of a committee's public meetings."""

import datetime
from collections.abc import Iterable

from django.utils import timezone


def _escape(text: str) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded with CRLF + space (RFC 5545 3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def meetings_calendar(*, committee, meetings: Iterable, base_url: str, page_url: str) -> str:
    host = base_url.split("://", 1)[-1].split("/", 1)[0] or "borgerbudget"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Borgerbudget//Meetings//DA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(committee.name)}",
        "X-WR-TIMEZONE:Europe/Copenhagen",
    ]
    stamp = _utc(timezone.now())
    for meeting in meetings:
        location = ", ".join(p for p in (meeting.venue_name, meeting.venue_address) if p)
        agenda = "\n".join(
            f"{i}. {item.texts()['title']}" for i, item in enumerate(meeting.agenda_items.all(), 1)
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(meeting.starts_at)}",
            f"DTEND:{_utc(meeting.ends_at)}",
            f"SUMMARY:{_escape(meeting.title)}",
            f"LOCATION:{_escape(location)}",
            f"DESCRIPTION:{_escape(agenda)}",
            f"URL:{base_url}{page_url}moeder/{meeting.pk}/",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
