"""Live displays over WebSocket. Consumers authenticate, join a feed, send snapshots and relay
the host's controls to services; they never write domain data themselves.

Every message to a viewer is a full snapshot with a sequence number (see voting.live.broadcast).
A socket that sends anything but a host's control is refused and closed.
"""

import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from committees.models import BudgetRound, Meeting
from committees.permissions import is_signed_in
from voting import permissions, selectors
from voting.live import broadcast
from voting.live import services as live

logger = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
CLOSE_FORBIDDEN = 4403


def _round_builder(round_id: int):
    def build() -> dict:
        budget_round = BudgetRound.objects.get(pk=round_id)
        return selectors.round_live_snapshot(budget_round=budget_round)

    return build


def _meeting_builder(meeting_id: int):
    def build() -> dict:
        meeting = Meeting.objects.select_related("budget_round").get(pk=meeting_id)
        return selectors.meeting_live_snapshot(meeting=meeting)

    return build


class _LiveConsumer(AsyncJsonWebsocketConsumer):
    feed = None

    async def _start(self, key, groups_for, build, groups_of=None) -> None:
        self.feed = await broadcast.feed_join(key, groups_for, build, self, self.accept, groups_of)
        if self.feed is None:
            await self.close(code=CLOSE_NOT_FOUND)

    async def disconnect(self, code):
        if self.feed is not None:
            await broadcast.feed_leave(self.feed, self)
            self.feed = None

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self._refuse()
            return
        try:
            content = await self.decode_json(text_data)
        except (ValueError, RecursionError):
            await self._refuse()
            return
        if not isinstance(content, dict):
            await self._refuse()
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        await self._refuse()

    async def _refuse(self) -> None:
        """Viewers only listen: whatever they send is refused and their socket closed."""
        await self.send_json({"type": "error", "error": "forbidden"})
        await self.close(code=CLOSE_FORBIDDEN)


class RoundLiveConsumer(_LiveConsumer):
    async def connect(self):
        round_id = self.scope["url_route"]["kwargs"]["round_id"]

        async def groups_for():
            exists = await database_sync_to_async(BudgetRound.objects.filter(pk=round_id).exists)()
            return [broadcast.round_group(round_id)] if exists else None

        await self._start(("round", round_id), groups_for, _round_builder(round_id))


class MeetingLiveConsumer(_LiveConsumer):
    async def connect(self):
        meeting_id = self.meeting_id = self.scope["url_route"]["kwargs"]["meeting_id"]

        def groups(round_id: int | None) -> list[str]:
            if round_id is None:
                return [broadcast.meeting_group(meeting_id)]
            return [broadcast.meeting_group(meeting_id), broadcast.round_group(round_id)]

        async def groups_for():
            meeting = await database_sync_to_async(
                Meeting.objects.filter(pk=meeting_id, is_public=True).first
            )()
            return None if meeting is None else groups(meeting.budget_round_id)

        def groups_of(snapshot: dict) -> list[str]:
            # The round the meeting shows now: a host may attach one while the display is open.
            shown = snapshot["round"]
            return groups(shown["round"]["id"] if shown else None)

        await self._start(
            ("meeting", meeting_id), groups_for, _meeting_builder(meeting_id), groups_of
        )

    async def receive_json(self, content, **kwargs):
        if content.get("type") != "control":
            await self._refuse()
            return
        try:
            reply = await database_sync_to_async(self._control)(content)
        except PermissionDenied:
            await self._refuse()
            return
        except ValidationError as error:
            await self.send_json({"type": "error", "error": " ".join(error.messages)})
            return
        await self.send_json({"type": "ack", **reply})

    def _control(self, content: dict) -> dict:
        """Checked on the server for every message: the socket's user, now, for this meeting."""
        scoped = self.scope.get("user")
        # Read afresh: a role taken away (or an account closed) counts from the next message.
        user = (
            get_user_model().objects.filter(pk=scoped.pk, is_active=True).first()
            if is_signed_in(scoped)
            else None
        )
        meeting = Meeting.objects.select_related("budget_round").get(pk=self.meeting_id)
        if not permissions.is_meeting_host(user, meeting):
            logger.info("live: refused a control message on meeting %s", self.meeting_id)
            raise PermissionDenied
        return live.meeting_live_control(user=user, meeting=meeting, message=content)
