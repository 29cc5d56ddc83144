"""A quick vote on an agenda item names the item on the room's display and the host's page in
each viewer's language: the display's one message carries the title in every site language, and
an item the platform generated (a grant application) is worded in each of them. A typed title
stays as typed."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import translation

from committees.models import AgendaItem
from committees.models.meetings import GRANT_APPLICATION
from voting.live import services as live
from voting.live.routing import websocket_urlpatterns

application = URLRouter(websocket_urlpatterns)

GENERATED = {
    "kind": GRANT_APPLICATION,
    "application": 1,
    "case": "LU-2026-0042",
    "title": "Loppemarked på pladsen",
    "applicant": None,
    "recommendation": "full",
    "recommended_amount": 8000,
    "reason": "Godt for kvarteret.",
    "activity_date": None,
    "advertising": "",
    "volunteers": "",
    "lines": [["Telt", 8000]],
    "applied": 8000,
    "pool_remaining": None,
    "decision": None,
}
DANISH = "Ansøgning LU-2026-0042: Loppemarked på pladsen (Borger)"
ENGLISH = "Application LU-2026-0042: Loppemarked på pladsen (Resident)"


def _start(meeting, host, item, language):
    with translation.override(language):  # the host's language changes nothing stored
        vote, _codes = live.quick_vote_start(
            user=host,
            meeting=meeting,
            question="Er I enige?",
            kind="yes_no",
            counted_by="device",
            agenda_item_id=item.pk,
        )
    return vote


def _generated_item(meeting):
    with translation.override("da"):  # stored words in the triggering language, as before
        return AgendaItem.objects.create(
            meeting=meeting, title=DANISH, sort_order=0, generated=GENERATED
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("host_language", ["da", "en"])
async def test_the_display_message_names_a_generated_item_in_every_language(
    meeting, host, host_language
):
    item = await database_sync_to_async(_generated_item)(meeting)
    await database_sync_to_async(_start)(meeting, host, item, host_language)
    socket = WebsocketCommunicator(application, f"/ws/meetings/{meeting.pk}/live/")
    socket.scope["user"] = AnonymousUser()
    connected, _sub = await socket.connect()
    assert connected
    message = json.loads(await socket.receive_from(timeout=3))
    assert message["quick_vote"]["agenda_item"] == {"da": DANISH, "en": ENGLISH}
    await socket.disconnect()


@pytest.mark.django_db
def test_a_typed_title_is_the_same_in_every_language(client, meeting, host):
    item = AgendaItem.objects.create(meeting=meeting, title="Bænke ved søen", sort_order=0)
    _start(meeting, host, item, "en")
    snapshot = client.get(reverse("voting:live_meeting_snapshot", args=[meeting.pk])).json()
    assert snapshot["quick_vote"]["agenda_item"] == {"da": "Bænke ved søen", "en": "Bænke ved søen"}


@pytest.mark.django_db
def test_no_item_is_null(client, meeting, host):
    live.quick_vote_start(
        user=host, meeting=meeting, question="Kaffe?", kind="yes_no", counted_by="device"
    )
    snapshot = client.get(reverse("voting:live_meeting_snapshot", args=[meeting.pk])).json()
    assert snapshot["quick_vote"]["agenda_item"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "other"), [("da", DANISH, ENGLISH), ("en", ENGLISH, DANISH)]
)
def test_the_host_page_names_the_item_in_the_hosts_language(
    client, meeting, host, language, title, other
):
    item = _generated_item(meeting)
    _start(meeting, host, item, "da" if language == "en" else "en")
    client.force_login(host)
    prefix = "" if language == "da" else "/en"
    url = (
        prefix
        + "/"
        + reverse("voting:live_host", args=[meeting.pk]).removeprefix("/en/").lstrip("/")
    )
    page = client.get(url).content.decode()
    assert f'<html lang="{language}"' in page
    assert f"<strong data-quick-question>{title}: Er I enige?</strong>" in page
    assert other not in page
