"""Live displays over real consumers: snapshot on connect, an update after commit (none before
commit, none on rollback), at most two updates a second, the hidden tally below the threshold,
host-only controls, the quick vote, and voting that goes on while the channel layer is down."""

import asyncio
import json
import socket
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from tests import factories
from tests.voting.conftest import project_ids
from voting.codes import services as codes_services
from voting.live import services as live
from voting.live.broadcast import CHANGED, round_group
from voting.live.routing import websocket_urlpatterns
from voting.models import Ballot, MeetingLive, QuickVote

pytestmark = pytest.mark.django_db(transaction=True)

application = URLRouter(websocket_urlpatterns)


@pytest.fixture
def live_round(voting_round):
    factories.tally_threshold(budget_round=voting_round, ballots=1)
    return voting_round


@pytest.fixture
def codes(live_round):
    return factories.letter_codes(budget_round=live_round, count=30)


def _cast(budget_round, code: str, *titles: str) -> Ballot:
    ids = project_ids(budget_round)
    return codes_services.ballot_cast_with_code(
        budget_round=budget_round,
        code=code,
        selection={ids[title]: 1 for title in titles},
        client="test",
    )


async def _connect(path: str, user=None) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path)
    communicator.scope["user"] = user or AnonymousUser()
    connected, _subprotocol = await communicator.connect()
    assert connected
    return communicator


async def _next(communicator, timeout: float = 3.0) -> dict:
    return json.loads(await communicator.receive_from(timeout=timeout))


async def _until(communicator, predicate, timeout: float = 5.0) -> list[dict]:
    """Messages up to and including the first that satisfies `predicate`."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        message = await _next(communicator, max(0.1, deadline - time.monotonic()))
        seen.append(message)
        if predicate(message):
            return seen


async def test_round_display_sends_a_full_snapshot_on_connect(live_round, codes):
    await database_sync_to_async(_cast)(live_round, codes[0], "Bænke")
    communicator = await _connect(f"/ws/rounds/{live_round.pk}/live/")
    snapshot = await _next(communicator)
    assert snapshot["seq"] == 1
    assert snapshot["kind"] == "round"
    assert snapshot["round"]["pot"] == live_round.pot
    assert snapshot["turnout"] == {"total": 1, "by_channel": {"code": 1}}
    assert snapshot["tally_state"] == "shown"
    votes = {row["title"]: row["votes"] for row in snapshot["tally"]}
    assert votes == {"Bænke": 1, "Legeplads": 0, "Træer": 0}
    await communicator.disconnect()


async def test_unknown_round_is_refused(live_round):
    communicator = WebsocketCommunicator(application, f"/ws/rounds/{live_round.pk + 999}/live/")
    communicator.scope["user"] = AnonymousUser()
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4404


async def test_a_committed_ballot_updates_the_display(live_round, codes):
    communicator = await _connect(f"/ws/rounds/{live_round.pk}/live/")
    first = await _next(communicator)
    assert first["ballots"] == 0
    await database_sync_to_async(_cast)(live_round, codes[0], "Træer", "Bænke")
    update = await _next(communicator)
    assert update["seq"] == first["seq"] + 1
    assert update["ballots"] == 1
    assert {r["title"]: r["votes"] for r in update["tally"]}["Træer"] == 1
    await communicator.disconnect()


async def test_every_viewer_gets_each_update_once_while_the_feed_sends_in_batches(
    live_round, codes, monkeypatch
):
    # Batches of two: the feed yields to the event loop between them. Every viewer still
    # attached gets the update, once and with the same number; one that left gets nothing.
    monkeypatch.setattr("voting.live.broadcast.FANOUT_BATCH", 2)
    path = f"/ws/rounds/{live_round.pk}/live/"
    viewers = [await _connect(path) for _ in range(5)]
    for viewer in viewers:
        assert (await _next(viewer))["ballots"] == 0
    await viewers[0].disconnect()
    staying = viewers[1:]
    await database_sync_to_async(_cast)(live_round, codes[0], "Træer")
    updates = [await _next(viewer) for viewer in staying]
    assert {(u["seq"], u["ballots"]) for u in updates} == {(2, 1)}
    quiet = await asyncio.gather(*(viewer.receive_nothing(timeout=0.7) for viewer in staying))
    assert all(quiet)
    for viewer in staying:
        await viewer.disconnect()


async def test_nothing_is_sent_before_commit_and_nothing_on_rollback(live_round, codes):
    communicator = await _connect(f"/ws/rounds/{live_round.pk}/live/")
    await _next(communicator)
    in_transaction, may_commit = threading.Event(), threading.Event()

    def cast_and_wait(code: str, rollback: bool) -> None:
        try:
            with transaction.atomic():
                _cast(live_round, code, "Bænke")
                in_transaction.set()
                assert may_commit.wait(10)
                if rollback:
                    transaction.set_rollback(True)
        finally:
            connection.close()

    # Rolled back: the ballot never existed, so no display hears of it.
    task = asyncio.ensure_future(
        sync_to_async(cast_and_wait, thread_sensitive=False)(codes[0], True)
    )
    await asyncio.to_thread(in_transaction.wait, 10)
    may_commit.set()
    await task
    assert await communicator.receive_nothing(timeout=1.2)

    # Committed: nothing while the transaction is open, the update right after commit.
    in_transaction.clear()
    may_commit.clear()
    task = asyncio.ensure_future(
        sync_to_async(cast_and_wait, thread_sensitive=False)(codes[1], False)
    )
    await asyncio.to_thread(in_transaction.wait, 10)
    assert await communicator.receive_nothing(timeout=1.2)
    may_commit.set()
    await task
    update = await _next(communicator)
    assert update["ballots"] == 1
    await communicator.disconnect()


async def test_a_burst_of_ballots_is_coalesced_to_two_updates_a_second(live_round, codes):
    communicator = await _connect(f"/ws/rounds/{live_round.pk}/live/")
    await _next(communicator)
    burst = 20

    async def cast_all() -> float:
        started = time.monotonic()
        for code in codes[:burst]:
            await database_sync_to_async(_cast)(live_round, code, "Bænke")
        return time.monotonic() - started

    casting = asyncio.ensure_future(cast_all())
    messages = []  # read while the ballots arrive
    while not messages or messages[-1]["ballots"] < burst:
        messages.append(await _next(communicator, timeout=5))
    elapsed = await casting
    assert messages[-1]["ballots"] == burst
    assert [m["seq"] for m in messages] == list(range(2, 2 + len(messages)))
    # Far fewer updates than ballots, and never two within half a second of each other.
    assert len(messages) < burst
    assert len(messages) <= elapsed / 0.5 + 2
    # Timed by the server (`generated_at`, ms), not by when this test got round to reading:
    # a busy test machine may hand over two queued updates at once.
    made = [m["generated_at"] for m in messages]
    gaps = [later - earlier for earlier, later in zip(made, made[1:], strict=False)]
    assert all(gap >= 400 for gap in gaps), gaps
    await communicator.disconnect()


async def test_the_tally_stays_hidden_below_the_threshold(live_round, codes, client):
    await database_sync_to_async(factories.tally_threshold)(budget_round=live_round, ballots=3)
    communicator = await _connect(f"/ws/rounds/{live_round.pk}/live/")
    await _next(communicator)
    for code in codes[:2]:
        await database_sync_to_async(_cast)(live_round, code, "Legeplads")
    raw = await communicator.receive_from(timeout=3)
    while json.loads(raw)["ballots"] < 2:
        raw = await communicator.receive_from(timeout=3)
    snapshot = json.loads(raw)
    assert snapshot["tally_state"] == "below_threshold"
    assert snapshot["tally"] is None
    assert snapshot["turnout"]["total"] == 2
    assert '"votes"' not in raw and "Legeplads" not in raw  # no count, not even a project
    http = await sync_to_async(client.get)(f"/afstemning/live/runde/{live_round.pk}/snapshot.json")
    assert http.json()["tally"] is None and "votes" not in http.content.decode()

    await database_sync_to_async(_cast)(live_round, codes[2], "Legeplads")
    shown = (await _until(communicator, lambda m: m["ballots"] == 3))[-1]
    assert shown["tally_state"] == "shown"
    assert {r["title"]: r["votes"] for r in shown["tally"]}["Legeplads"] == 3
    await communicator.disconnect()


async def test_snapshots_say_nothing_about_voters(live_round, codes):
    ballot = await database_sync_to_async(_cast)(live_round, codes[0], "Bænke")
    communicator = await _connect(f"/ws/rounds/{live_round.pk}/live/")
    raw = await communicator.receive_from(timeout=3)
    assert ballot.receipt_code not in raw and str(ballot.pk) not in raw
    assert set(json.loads(raw)) == {
        "kind",
        "round",
        "turnout",
        "ballots",
        "threshold",
        "tally_state",
        "tally",
        "seq",
        "generated_at",
    }
    await communicator.disconnect()


# --- Meetings: host controls and quick votes ----------------------------------------------------


@pytest.fixture
def meeting(live_round):
    return factories.meeting(committee=live_round.committee, budget_round=live_round)


@pytest.fixture
def host(meeting):
    return factories.meeting_host(committee=meeting.committee)


async def test_a_round_edited_in_the_admin_reaches_its_display(live_round):
    communicator = await _connect(f"/ws/rounds/{live_round.pk}/live/")
    assert (await _next(communicator))["round"]["title"] == live_round.title

    def edit() -> None:  # the pot is frozen while the vote runs; the title is not
        live_round.title = "Ny titel"
        live_round.save()

    await database_sync_to_async(edit)()
    update = await _next(communicator)  # now, not at the 15 s refresh
    assert update["round"]["title"] == "Ny titel"
    await communicator.disconnect()


async def test_a_meeting_display_follows_the_round_attached_while_it_is_open(live_round, codes):
    bare = await database_sync_to_async(factories.meeting)(committee=live_round.committee)
    communicator = await _connect(f"/ws/meetings/{bare.pk}/live/")
    assert (await _next(communicator))["round"] is None

    def attach() -> None:
        bare.budget_round = live_round
        bare.save()

    await database_sync_to_async(attach)()
    shown = await _next(communicator)
    assert shown["round"]["round"]["id"] == live_round.pk and shown["round"]["ballots"] == 0
    # Its ballots move the display at once: the feed now follows the round's group too.
    await database_sync_to_async(_cast)(live_round, codes[0], "Træer")
    update = await _next(communicator)
    assert update["round"]["ballots"] == 1

    def detach() -> None:
        bare.budget_round = None
        bare.save()

    await database_sync_to_async(detach)()
    assert (await _next(communicator))["round"] is None
    await database_sync_to_async(_cast)(live_round, codes[1], "Træer")
    assert await communicator.receive_nothing(timeout=1.2)
    await communicator.disconnect()


async def test_a_viewer_sending_a_control_is_refused_and_closed(meeting):
    other_committee = await database_sync_to_async(factories.committee)()
    outsider = await database_sync_to_async(factories.meeting_host)(committee=other_committee)
    for user in (None, outsider):
        communicator = await _connect(f"/ws/meetings/{meeting.pk}/live/", user)
        await _next(communicator)
        await communicator.send_json_to({"type": "control", "action": "hide_tally"})
        assert (await _next(communicator))["type"] == "error"
        assert (await communicator.receive_output(timeout=2)) == {
            "type": "websocket.close",
            "code": 4403,
        }
    assert not await database_sync_to_async(
        MeetingLive.objects.filter(meeting=meeting, tally_visible=False).exists
    )()


async def test_a_round_viewer_that_sends_anything_is_closed(live_round):
    communicator = await _connect(f"/ws/rounds/{live_round.pk}/live/")
    await _next(communicator)
    await communicator.send_to(text_data="hello")
    assert (await _next(communicator))["type"] == "error"
    assert (await communicator.receive_output(timeout=2))["code"] == 4403


async def test_host_hides_freezes_and_reveals_the_tally(meeting, host, codes, live_round):
    await database_sync_to_async(_cast)(live_round, codes[0], "Bænke")
    viewer = await _connect(f"/ws/meetings/{meeting.pk}/live/")
    round_viewer = await _connect(f"/ws/rounds/{live_round.pk}/live/")
    assert (await _next(viewer))["round"]["tally_state"] == "shown"
    await _next(round_viewer)
    controls = await _connect(f"/ws/meetings/{meeting.pk}/live/", host)
    await _next(controls)

    await controls.send_json_to({"type": "control", "action": "hide_tally"})
    assert (await _until(controls, lambda m: m.get("type") == "ack"))[-1]["action"] == "hide_tally"
    hidden = (await _until(viewer, lambda m: m["tally_visible"] is False))[-1]
    assert hidden["round"]["tally_state"] == "hidden_by_host" and hidden["round"]["tally"] is None
    # The round's own display follows the host: the tally is not a URL away.
    assert (await _next(round_viewer))["tally"] is None

    await database_sync_to_async(_cast)(live_round, codes[1], "Træer")
    await controls.send_json_to({"type": "control", "action": "freeze", "while_voting_open": True})
    frozen = (await _until(viewer, lambda m: m["stage"] == "frozen"))[-1]
    assert frozen["round"]["tally"] is None
    await database_sync_to_async(_cast)(live_round, codes[2], "Træer")  # after the freeze
    await controls.send_json_to({"type": "control", "action": "reveal"})
    revealed = (await _until(viewer, lambda m: m["stage"] == "revealed"))[-1]
    votes = {r["title"]: r["votes"] for r in revealed["round"]["tally"]}
    assert votes == {"Bænke": 1, "Træer": 1, "Legeplads": 0}  # as frozen, not as now
    for communicator in (viewer, round_viewer, controls):
        await communicator.disconnect()


async def test_host_losing_the_role_is_refused_at_the_next_message(meeting, host):
    controls = await _connect(f"/ws/meetings/{meeting.pk}/live/", host)
    await _next(controls)
    await database_sync_to_async(host.committee_roles.all().delete)()
    await controls.send_json_to({"type": "control", "action": "open_voting"})
    assert (await _next(controls))["type"] == "error"
    assert (await controls.receive_output(timeout=2))["code"] == 4403


async def test_quick_vote_counts_each_device_once_and_goes_into_the_minutes(meeting, host):
    viewer = await _connect(f"/ws/meetings/{meeting.pk}/live/")
    await _next(viewer)
    controls = await _connect(f"/ws/meetings/{meeting.pk}/live/", host)
    await _next(controls)
    await controls.send_json_to(
        {
            "type": "control",
            "action": "quick_vote_start",
            "question": "Skal vi have flere bænke?",
            "kind": "yes_no",
            "counted_by": "device",
        }
    )
    ack = (await _until(controls, lambda m: m.get("type") == "ack"))[-1]
    vote = await database_sync_to_async(QuickVote.objects.get)(pk=ack["quick_vote"])
    started = (await _until(viewer, lambda m: m["quick_vote"] is not None))[-1]
    assert started["quick_vote"]["open"] and started["quick_vote"]["result"] is None

    answer = database_sync_to_async(live.quick_vote_answer)
    await answer(quick_vote=vote, choice=0, device_token="phone-a")
    await answer(quick_vote=vote, choice=1, device_token="phone-b")
    with pytest.raises(ValidationError):
        await answer(quick_vote=vote, choice=1, device_token="phone-a")
    running = (await _until(viewer, lambda m: m["quick_vote"]["answers"] == 2))[-1]
    assert running["quick_vote"]["result"] is None  # counts only once closed

    await controls.send_json_to({"type": "control", "action": "quick_vote_close"})
    closed = (await _until(viewer, lambda m: not m["quick_vote"]["open"]))[-1]
    assert closed["quick_vote"]["result"] == [1, 1, 0]
    # Into the minutes as data, worded for each reader (test_minutes_language.py).
    line = await database_sync_to_async(lambda: meeting.minutes_entries.get().params)()
    assert line["question"] == "Skal vi have flere bænke?" and line["counts"] == [1, 1, 0]
    for communicator in (viewer, controls):
        await communicator.disconnect()


def test_quick_vote_by_account_and_by_code(meeting, host):
    vote, _none = live.quick_vote_start(
        user=host,
        meeting=meeting,
        question="Hvilken farve?",
        kind="choose_one",
        options="Grøn\nBlå",
        counted_by="account",
    )
    resident = factories.user()
    live.quick_vote_answer(quick_vote=vote, choice=1, user=resident)
    with pytest.raises(ValidationError):
        live.quick_vote_answer(quick_vote=vote, choice=0, user=resident)
    with pytest.raises(ValidationError):  # a second quick vote while one runs
        live.quick_vote_start(
            user=host, meeting=meeting, question="?", kind="yes_no", counted_by="device"
        )
    live.quick_vote_close(user=host, quick_vote=vote)
    by_code, codes = live.quick_vote_start(
        user=host, meeting=meeting, question="Ja?", kind="yes_no", counted_by="code", code_count=2
    )
    assert len(codes) == 2
    live.quick_vote_answer(quick_vote=by_code, choice=0, code=codes[0].lower())
    with pytest.raises(ValidationError):
        live.quick_vote_answer(quick_vote=by_code, choice=0, code=codes[0])
    with pytest.raises(ValidationError):
        live.quick_vote_answer(quick_vote=by_code, choice=0, code="AAAA-BBBB-CCCC")
    assert live.quick_vote_close(user=host, quick_vote=by_code).result == [1, 0, 0]


# --- The channel layer down ---------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_voting_goes_on_when_redis_is_down(live_round, codes, settings, caplog):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{_closed_port()}/0"]},
        }
    }
    ballot = _cast(live_round, codes[0], "Bænke")
    assert Ballot.objects.filter(pk=ballot.pk).exists()
    assert any("could not publish" in r.getMessage() for r in caplog.records)


async def test_displays_catch_up_after_a_lost_broadcast(live_round, codes, settings, monkeypatch):
    settings.LIVE_REFRESH_SECONDS = 1
    communicator = await _connect(f"/ws/rounds/{live_round.pk}/live/")
    await _next(communicator)
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    real_send = layer.group_send

    async def layer_down(group, message):
        raise ConnectionError("channel layer down")

    monkeypatch.setattr(layer, "group_send", layer_down)
    await database_sync_to_async(_cast)(live_round, codes[0], "Bænke")
    assert await database_sync_to_async(Ballot.objects.count)() == 1  # the vote went through
    monkeypatch.setattr(layer, "group_send", real_send)  # the layer is back
    update = await _next(communicator, timeout=4)  # no new vote needed: the feed re-reads
    assert update["ballots"] == 1
    await real_send(round_group(live_round.pk), CHANGED)
    assert await communicator.receive_nothing(timeout=1)  # unchanged: nothing re-sent
    await communicator.disconnect()


async def test_a_feed_outlives_the_layers_group_expiry(live_round, codes, settings):
    # Channel layers forget group members after `group_expiry` (a day by default); a display
    # open longer must still hear of each ballot at once, not only at the slow refresh.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"group_expiry": 1},
        }
    }
    settings.LIVE_RESUBSCRIBE_SECONDS = 0.3
    communicator = await _connect(f"/ws/rounds/{live_round.pk}/live/")
    await _next(communicator)
    await asyncio.sleep(2.5)  # well past the expiry
    await database_sync_to_async(_cast)(live_round, codes[0], "Bænke")
    assert (await _next(communicator, timeout=3))["ballots"] == 1
    await communicator.disconnect()


@pytest.mark.redis
async def test_updates_reach_viewers_over_redis(live_round, codes, settings):
    """Over channels-redis, as in production with several server processes."""
    from tests.services import redis_url

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url()], "prefix": f"test-live-{live_round.pk}"},
        }
    }
    communicator = await _connect(f"/ws/rounds/{live_round.pk}/live/")
    await _next(communicator)
    await database_sync_to_async(_cast)(live_round, codes[0], "Bænke")
    assert (await _next(communicator, timeout=5))["ballots"] == 1
    await communicator.disconnect()
