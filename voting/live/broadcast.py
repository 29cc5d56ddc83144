"""Live displays: publishing after commit, and one coalescing feed per round or meeting.

The cost of a vote does not depend on the number of viewers. A committed ballot sends one tiny
"changed" message to the group `live-round-<id>`, whose members are *feeds*, not viewers: each
ASGI process that has viewers of a round holds one `Feed` for it, subscribed once. The feed
builds the snapshot at most twice a second (one database read per process, however many
ballots arrived meanwhile), encodes it once, and hands the same text to each of its local
viewers. Every message is a full snapshot with the feed's sequence number, never a diff.

If the channel layer (Redis) is down, publishing logs the failure and the vote goes on; the
feed re-subscribes when the layer is back and refreshes on a slow timer, so displays catch up.
"""

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

CHANGED = {"type": "live.changed"}
SLOW_SECONDS = 0.25  # a snapshot that takes longer to read and send is logged
# A feed yields to the event loop after framing this many viewers' messages, so that the server
# writes them out while it frames the rest (2,000 viewers: p95 delay 470 ms instead of 550 ms).
FANOUT_BATCH = 100
CLOSE_GONE = 4404  # the meeting is no longer public: the socket closes after its last snapshot


def round_group(round_id: int) -> str:
    return f"live-round-{round_id}"


def meeting_group(meeting_id: int) -> str:
    return f"live-meeting-{meeting_id}"


def min_interval() -> float:
    """Seconds between two snapshots of one feed: 0.5, so at most 2 updates a second."""
    return float(settings.LIVE_MIN_INTERVAL)


def resubscribe_interval() -> float:
    """A feed renews its groups this often: channel layers forget a group member after a day
    (`group_expiry`), and a display in a library window stays open for the whole vote."""
    return float(settings.LIVE_RESUBSCRIBE_SECONDS)


def refresh_interval() -> float:
    """A feed with viewers re-reads its snapshot this often anyway (catching up after outages)."""
    return float(settings.LIVE_REFRESH_SECONDS)


# --- Publishing ------------------------------------------------------------------------------


def publish(group: str) -> bool:
    """Tell the feeds of `group` that something changed. Never raises: voting must go on."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(group, CHANGED)
    except Exception:  # any layer failure (Redis down, timeout) is only logged
        logger.warning(
            "live: could not publish to %s; displays catch up later", group, exc_info=True
        )
        return False
    return True


def round_changed_on_commit(round_id: int) -> None:
    """After the surrounding transaction commits (and never if it rolls back)."""
    transaction.on_commit(lambda: publish(round_group(round_id)), robust=True)


def meeting_changed_on_commit(meeting_id: int) -> None:
    transaction.on_commit(lambda: publish(meeting_group(meeting_id)), robust=True)


def model_saved(sender, instance, raw=False, **kwargs) -> None:
    """A round or a meeting edited elsewhere (the admin): its displays re-read it now.

    Connected in `VotingAppConfig.ready()` to the post_save of BudgetRound and Meeting, which
    live in `committees` and know nothing of displays.
    """
    if raw:  # fixtures
        return
    if sender._meta.model_name == "meeting":
        meeting_changed_on_commit(instance.pk)
    else:
        round_changed_on_commit(instance.pk)


# --- Feeds -----------------------------------------------------------------------------------


class Feed:
    """One per (event loop, round or meeting): builds, numbers and fans out snapshots."""

    def __init__(
        self,
        key: tuple,
        groups: list[str],
        build: Callable[[], dict],
        groups_of: Callable[[dict], list[str]] | None = None,
    ):
        self.key = key
        self.groups = groups
        self.build = build
        # The groups a snapshot says to follow (a meeting follows the round it shows now).
        self.groups_of = groups_of
        self.viewers: set = set()
        self.pending = 0
        self.seq = 0
        self.text: str | None = None
        self._body: str | None = None
        self._dirty = asyncio.Event()
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task] = []
        self._channel: str | None = None
        self._last_sent = 0.0
        self.closed = False

    # lifecycle

    async def start(self) -> None:
        self._layer = get_channel_layer()
        self._subscribed = False
        try:  # before the first viewer gets its snapshot, so that no change falls between
            await self._subscribe()
            self._subscribed = True
        except Exception:  # the listener keeps trying
            logger.warning("live: feed %s could not subscribe; retrying", self.key)
        self._tasks = [
            asyncio.create_task(self._listen()),
            asyncio.create_task(self._flusher()),
            asyncio.create_task(self._renew()),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._channel:
            for group in self.groups:
                with contextlib.suppress(Exception):
                    await self._layer.group_discard(group, self._channel)

    async def _subscribe(self) -> None:
        if self._channel is None:
            # The layer's default prefix: channels-redis reads every process-specific channel
            # through one shared receive, which only works if they all share that prefix.
            self._channel = await self._layer.new_channel()
        for group in self.groups:
            await self._layer.group_add(group, self._channel)

    async def _listen(self) -> None:
        """Every message on the feed's channel only means "changed": mark dirty."""
        backoff = 0.5
        subscribed = self._subscribed
        while True:
            try:
                if not subscribed:
                    await self._subscribe()
                    if backoff > 0.5:  # back after an outage: whatever was missed, re-read now
                        self._dirty.set()
                    subscribed, backoff = True, 0.5
                await self._layer.receive(self._channel)
                self._dirty.set()
            except asyncio.CancelledError:
                raise
            except Exception:  # the layer is down: retry, never kill the feed
                logger.warning("live: feed %s lost its channel layer; retrying", self.key)
                subscribed = False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    async def _renew(self) -> None:
        """Add the feed to its groups again from time to time, before the layer expires it."""
        while True:
            await asyncio.sleep(resubscribe_interval())
            try:
                for group in self.groups:
                    await self._layer.group_add(group, self._channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # the listener re-subscribes after an outage
                logger.warning("live: feed %s could not renew its groups", self.key)

    async def _flusher(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._dirty.wait(), timeout=refresh_interval())
            wait = self._last_sent + min_interval() - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._dirty.clear()  # what arrives from here on is read by the next flush
            self._last_sent = loop.time()  # reads start at most every min_interval()
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live: feed %s could not build its snapshot", self.key)

    # snapshots

    async def _follow(self, groups: list[str]) -> None:
        """Follow `groups` instead of the current ones (the layer down: retried next time)."""
        try:
            for group in set(groups) - set(self.groups):
                await self._layer.group_add(group, self._channel)
            for group in set(self.groups) - set(groups):
                await self._layer.group_discard(group, self._channel)
        except Exception:  # the next snapshot tries again
            logger.warning("live: feed %s could not follow %s; retrying", self.key, groups)
            return
        self.groups = groups

    async def _build(self) -> bool:
        """Read the snapshot; if it differs from the last one, number it. Under `_lock`."""
        snapshot = await database_sync_to_async(self.build)()
        if self.groups_of is not None and self._channel is not None:
            groups = self.groups_of(snapshot)
            if groups != self.groups:
                await self._follow(groups)
        # A snapshot that says "closed" (a meeting made non-public) is the feed's last word.
        self.closed = bool(snapshot.get("closed"))
        body = json.dumps(snapshot, sort_keys=True, separators=(",", ":"))
        if body == self._body and self.text is not None:
            return False
        self._body = body
        self.seq += 1
        # `generated_at` (server time, ms) orders socket messages and fetched snapshots.
        generated_at = int(time.time() * 1000)
        self.text = json.dumps(
            {**snapshot, "seq": self.seq, "generated_at": generated_at}, separators=(",", ":")
        )
        return True

    async def refresh(self) -> None:
        """Build the snapshot and, if it changed, send the same text to every local viewer."""
        async with self._lock:
            started = time.monotonic()
            if await self._build():
                built = time.monotonic()
                for n, viewer in enumerate(list(self.viewers), start=1):
                    with contextlib.suppress(Exception):
                        await viewer.send(text_data=self.text)
                    if self.closed:
                        with contextlib.suppress(Exception):
                            await viewer.close(code=CLOSE_GONE)
                    if n % FANOUT_BATCH == 0:
                        # Let the server write what is framed so far while it frames the
                        # rest: the first viewers are not held back by the last ones.
                        await asyncio.sleep(0)
                done = time.monotonic()
                if done - started > SLOW_SECONDS:
                    logger.warning(
                        "live: feed %s slow: snapshot %.0f ms, sent to %d viewers in %.0f ms",
                        self.key[1:],
                        (built - started) * 1000,
                        len(self.viewers),
                        (done - built) * 1000,
                    )

    async def attach(self, viewer) -> None:
        """Send the viewer the current snapshot, then every later one: no gap, no repeat."""
        async with self._lock:
            if self.text is None:
                await self._build()
            await viewer.send(text_data=self.text)
            if self.closed:
                await viewer.close(code=CLOSE_GONE)
                return
            self.viewers.add(viewer)


_feeds: dict[tuple, Feed] = {}
_feeds_lock: dict[int, asyncio.Lock] = {}


def _loop_lock() -> asyncio.Lock:
    loop_id = id(asyncio.get_running_loop())
    return _feeds_lock.setdefault(loop_id, asyncio.Lock())


async def feed_join(
    key: tuple, groups_for, build: Callable[[], dict], viewer, accept, groups_of=None
):
    """Attach `viewer` to this process's feed of `key`, starting the feed if need be.

    `groups_for()` (async) is awaited only to start a feed: it returns the groups to follow,
    or None if the round or meeting does not exist (then nothing is accepted and None is
    returned). A crowd connecting to a running feed costs no database read each.
    `groups_of(snapshot)`, if given, names the groups to follow from each new snapshot on.
    """
    full_key = (id(asyncio.get_running_loop()), *key)
    async with _loop_lock():
        feed = _feeds.get(full_key)
        if feed is not None and feed.closed and await groups_for() is None:
            return None  # the meeting is no longer public: refused as if unknown
        if feed is None:
            groups = await groups_for()
            if groups is None:
                return None
            feed = _feeds[full_key] = Feed(full_key, groups, build, groups_of)
            await feed.start()
        feed.pending += 1  # kept alive while the viewer attaches
    try:
        await accept()
        await feed.attach(viewer)
    finally:
        feed.pending -= 1
    return feed


async def feed_leave(feed: Feed, viewer) -> None:
    async with _loop_lock():
        feed.viewers.discard(viewer)
        if not feed.viewers and not feed.pending and _feeds.get(feed.key) is feed:
            del _feeds[feed.key]
            await feed.stop()
