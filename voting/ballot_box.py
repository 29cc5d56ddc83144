"""The ballot box: the one door every ballot enters by, whatever the channel.

Invariant: one ballot per voter per round, and the database enforces it. A voter is a
`Participation` row, unique per round and voter key; a ballot goes in only in the same
transaction that records (or completes) that participation, so a second ballot for the same
voter fails on the unique constraint however many requests race. The ballot itself carries no
voter key, so nobody can tie it back to a person.

Every channel enters here, and nothing else in the code base inserts a `Ballot`:

- `ballot_insert` — a voter known by a person key (online, voting code): participation and
  ballot in one transaction. A second ballot from the same voter is refused, or replaces the
  first when the round allows changing an online ballot (`owner_tag`). A voter checked in at a
  polling station who then votes on a tablet or on paper completes that participation.
- `ballot_insert_checked_in` — the tablet at a polling station: the voter's checked-in
  participation, already locked by the caller, gets `voted_on` and the ballot goes in.
- `ballot_insert_keyed` — a paper ballot keyed twice by staff: the voter's participation was
  recorded when the paper was handed out, so only the ballot goes in, with who keyed it.

The callers validate the ballot (phase, ballot rules, codes, staff); this module only puts it
in the box, with one exception: whether voting is still open. That is read again inside the
transaction that writes the ballot, under a shared hold on the round's box
(`round_box_hold`), which a phase action that ends or moves voting takes exclusively
(`round_box_lock`, `voting.phases.services`). So "close voting now" waits for the ballots
already going in, and every ballot after it finds the round closed: once the close has
committed, no ballot lands. On PostgreSQL the hold is a transaction-scoped advisory lock, which
writes nothing to any row: a `FOR SHARE` on the round's row would stamp that row with the
voter's transaction (its `xmax`), one more trace of when a voter's transaction ran. On SQLite
writers are serialised anyway (IMMEDIATE transactions), and reading the phase inside the
writing transaction is enough. All three end in `_drop`, which tells the live displays after
commit (and never, if the transaction rolls back).

The mixing buffer. A ballot written in its voter's transaction would be joined to the voter
by the database's own columns: PostgreSQL stamps both rows with the same `xmin`, SQLite keeps
them in arrival order. So `_drop` does not write a `Ballot`: it seals the ballot
(`voting.sealing`, a key outside the database) into a `PendingBallot` row, which holds nothing
in clear but the round. When the round's buffer holds 2k ballots (k = BALLOT_MIX_SIZE),
`ballots_flush` writes a random half of them as `Ballot` rows, in random order, in one
savepoint of its own, and deletes their buffer rows; k stay behind, so that the last batch of
a round has k ballots too. Confirming the result (and `manage.py ballots_flush` after voting
closes) writes the rest. Every batch thus has at least k ballots, all with one `xmin`, random
UUIDs, in random physical order, and no time finer than the day they were cast; which of them
belongs to which of the voters since the previous batch, the database does not say. While a
ballot waits, every count (`voting.selectors.round_ballot_rows`) reads it through the seal, so
tallies, live displays, reconciliation and the ballot file are the same before and after.

A replaced ballot (`owner_tag`) leaves the voter's participation untouched: the new ballot
goes into the buffer, a buffered one of the same voter is dropped, and a written one is deleted
only when the new one is written, in the same batch, so that when a voter changed their mind
is not in the database either. BALLOT_MIX_SIZE=0 writes each ballot at once (tests only;
production refuses it). docs/voting.md states what remains.
"""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import BudgetRound, District, Phase
from voting import keys, sealing
from voting.live import broadcast
from voting.models import Ballot, Channel, Participation
from voting.models.ballots import PendingBallot


class AlreadyVoted(ValidationError):
    pass


def already_voted_message(participation: Participation) -> str:
    """What a voter who has taken part already is told, whichever channel they try next."""
    if participation.voted_on is None:
        return _("You are checked in at a polling station: vote there, on its tablet or on paper.")
    return _("You have already voted in this round (%(channel)s).") % {
        "channel": Channel(participation.channel).label
    }


def _new_ballot(
    *, budget_round: BudgetRound, selection: dict[str, int], channel: str, cast_on=None, **extra
) -> Ballot:
    return Ballot(
        budget_round=budget_round,
        selection=selection,
        channel=channel,
        cast_on=cast_on or timezone.localdate(),
        receipt_code=keys.new_receipt(),
        **extra,
    )


def mix_size() -> int:
    """k: the smallest batch the buffer writes, and how many ballots it keeps until the end."""
    return max(0, int(settings.BALLOT_MIX_SIZE))


# What of a ballot the buffer seals, under short names (the sealed size is fixed anyway).
_SEALED_FIELDS = {
    "selection": "s",
    "channel": "c",
    "cast_on": "d",
    "receipt_code": "r",
    "owner_tag": "t",
    "station_id": "st",
    "entered_by_id": "e",
}


def pending_open(row: PendingBallot) -> dict:
    """A buffered ballot's fields, unsealed: `selection`, `channel`, `cast_on`, ..."""
    opened = sealing.unseal(round_id=row.budget_round_id, sealed=row.sealed)
    fields = {name: opened.get(short) for name, short in _SEALED_FIELDS.items()}
    fields["cast_on"] = datetime.date.fromisoformat(fields["cast_on"])
    return fields


def _seal(ballot: Ballot) -> PendingBallot:
    fields = {name: getattr(ballot, name) for name in _SEALED_FIELDS}
    fields["cast_on"] = fields["cast_on"].isoformat()
    return PendingBallot(
        budget_round_id=ballot.budget_round_id,
        sealed=sealing.seal(
            round_id=ballot.budget_round_id,
            ballot={short: fields[name] for name, short in _SEALED_FIELDS.items()},
        ),
    )


def _drop(ballot: Ballot, *, replaces: str | None = None) -> Ballot:
    """Put the ballot in the box; call inside the transaction that records its voter.

    `replaces`: the owner tag of the voter's earlier ballot, which this one replaces.
    Returns the ballot as cast (its receipt code, day and selection); with mixing on, it is
    written later, under another random id, by `ballots_flush`.
    """
    round_id = ballot.budget_round_id
    if mix_size() == 0:
        if replaces:
            Ballot.objects.filter(budget_round_id=round_id, owner_tag=replaces).delete()
        ballot.save(force_insert=True)
    else:
        if replaces:
            _drop_buffered(budget_round_id=round_id, owner_tag=replaces)
        _seal(ballot).save(force_insert=True)
        if PendingBallot.objects.filter(budget_round_id=round_id).count() >= 2 * mix_size():
            ballots_flush(budget_round=ballot.budget_round)
    # Live displays learn of the ballot once it is committed, and never if it is not.
    broadcast.round_changed_on_commit(round_id)
    return ballot


def _drop_buffered(*, budget_round_id: int, owner_tag: str) -> None:
    """The voter's earlier ballot, if it still waits in the buffer, goes; the buffer is small."""
    stale = [
        row.pk
        for row in PendingBallot.objects.filter(budget_round_id=budget_round_id)
        if pending_open(row)["owner_tag"] == owner_tag
    ]
    if stale:
        PendingBallot.objects.filter(pk__in=stale).delete()


def _lock_owner(owner_tag: str) -> None:
    """Serialise one voter's replacements without writing to any row of theirs.

    A row lock (SELECT ... FOR UPDATE) on the participation would stamp it with the replacing
    transaction; a PostgreSQL advisory lock leaves no trace in any table. SQLite serialises
    writers anyway.
    """
    if connection.vendor == "postgresql":
        number = int.from_bytes(bytes.fromhex(owner_tag[:16]), "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


# The advisory locks of rounds' ballot boxes: the key pair (this number, round id). PostgreSQL
# keeps two-key advisory locks apart from the one-key locks `_lock_owner` takes.
_ROUND_BOX_LOCKS = 0x42420001


def _round_box_advisory(*, budget_round_id: int, mode: str) -> None:
    if connection.vendor == "postgresql":
        function = {"shared": "pg_advisory_xact_lock_shared", "exclusive": "pg_advisory_xact_lock"}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {function[mode]}(%s, %s)", [_ROUND_BOX_LOCKS, int(budget_round_id)]
            )


def round_box_lock(*, budget_round_id: int) -> None:
    """Take the round's box exclusively until this transaction ends: a phase action that ends or
    moves voting waits for the ballots going in, and the ballots after it wait for its commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("round_box_lock holds until the transaction ends: call it in one")
    _round_box_advisory(budget_round_id=budget_round_id, mode="exclusive")


def _hold_voting_open(*, budget_round_id: int) -> None:
    """In the ballot's transaction: hold the round's box (shared) and refuse unless voting is
    open by the round's dates as stored now, after any phase action that has committed."""
    _round_box_advisory(budget_round_id=budget_round_id, mode="shared")
    stored = BudgetRound.objects.get(pk=budget_round_id)
    if stored.phase != Phase.VOTING:
        raise ValidationError(_("Voting is not open in this round."), code="closed")


class _Raced(Exception):
    """Another flush took some of the same buffered ballots first."""


def ballots_flush(*, budget_round: BudgetRound, everything: bool = False) -> int:
    """Write buffered ballots of the round as one shuffled batch; how many were written.

    Without `everything`, only when the buffer holds at least 2k, and k stay behind. With it
    (the result is being confirmed, or voting has closed), every buffered ballot is written.
    """
    reserve = 0 if everything else mix_size()
    try:
        with transaction.atomic():
            rows = list(
                PendingBallot.objects.select_for_update()
                .filter(budget_round_id=budget_round.pk)
                .order_by("pk")
            )
            if not rows or (not everything and len(rows) < 2 * reserve):
                return 0
            secrets.SystemRandom().shuffle(rows)
            release = rows[: len(rows) - reserve]
            opened = [pending_open(row) for row in release]
            deleted, _per_model = PendingBallot.objects.filter(
                pk__in=[row.pk for row in release]
            ).delete()
            if deleted != len(release):
                raise _Raced
            replaced = [fields["owner_tag"] for fields in opened if fields["owner_tag"]]
            if replaced:
                Ballot.objects.filter(
                    budget_round_id=budget_round.pk, owner_tag__in=replaced
                ).delete()
            # One statement, in the shuffled order: row order says nothing about arrival.
            Ballot.objects.bulk_create(
                [Ballot(budget_round_id=budget_round.pk, **fields) for fields in opened]
            )
    except _Raced:
        return 0
    return len(release)


def ballot_insert(
    *,
    budget_round: BudgetRound,
    person: str = "",
    voter_key: str = "",
    channel: str,
    selection: dict[str, int],
    replaceable: bool,
    area: District | None = None,
    age: str = "",
    station=None,
    entered_by=None,
    cast_on: datetime.date | None = None,
    while_voting: bool = True,
) -> Ballot:
    """A voter known by a person key casts a ballot; the caller has checked the ballot.

    `person` is turned into the voter key; a caller that holds the key already (a letter code
    from the voter roll) passes `voter_key` instead.
    `replaceable`: a later ballot from the same voter on the same channel replaces this one.
    `cast_on`: today, unless the demo back-dates its ballots to its round's voting days.
    `while_voting`: refused unless voting is open when the ballot is written (the demo's
    back-dated ballots of a past round pass False).
    """
    with transaction.atomic():
        if while_voting:
            _hold_voting_open(budget_round_id=budget_round.pk)
        return _insert_with_participation(
            budget_round=budget_round,
            person=person,
            voter_key=voter_key,
            channel=channel,
            selection=selection,
            replaceable=replaceable,
            area=area,
            age=age,
            station=station,
            entered_by=entered_by,
            cast_on=cast_on,
        )


def _insert_with_participation(
    *,
    budget_round,
    person,
    voter_key,
    channel,
    selection,
    replaceable,
    area,
    age,
    station,
    entered_by,
    cast_on,
) -> Ballot:
    if not (person or voter_key):
        raise ValueError("a ballot needs its voter: person or voter_key")
    key = voter_key or keys.voter_key(round_id=budget_round.pk, person=person)
    tag = keys.owner_tag(voter_key=key) if replaceable else None
    ballot = _new_ballot(
        budget_round=budget_round,
        selection={str(k): int(v) for k, v in selection.items() if int(v) > 0},
        channel=channel,
        owner_tag=tag,
        station=station,
        entered_by=entered_by,
        cast_on=cast_on,
    )
    today = ballot.cast_on
    # Most voters vote once: insert straight away (one transaction, two inserts). The unique
    # participation per voter turns a second ballot into an IntegrityError, and only then is
    # the existing participation read, under a row lock.
    try:
        with transaction.atomic():
            Participation.objects.create(
                budget_round=budget_round,
                voter_key=key,
                channel=channel,
                voted_on=today,
                area=area,
                age_band=age,
                station=station,
            )
            return _drop(ballot)
    except IntegrityError:
        pass
    try:
        with transaction.atomic():
            participation = Participation.objects.filter(
                budget_round=budget_round, voter_key=key
            ).first()
            if participation is None:  # pragma: no cover - the insert failed on something else
                raise IntegrityError("participation vanished")
            at_station = channel in (Channel.TABLET, Channel.PAPER)
            if participation.voted_on is None and at_station:
                # Checked in at a station: this is their first ballot. Lock and look again.
                participation = Participation.objects.select_for_update().get(pk=participation.pk)
            if participation.voted_on is None and at_station:
                participation.voted_on = today
                participation.channel = channel
                participation.save(update_fields=["voted_on", "channel"])
                return _drop(ballot)
            if tag and participation.channel == channel:
                # A new ballot for the old one; the participation is not written, nor locked.
                _lock_owner(tag)
                return _drop(ballot, replaces=tag)
            raise AlreadyVoted(already_voted_message(participation), code="already_voted")
    except IntegrityError as exc:
        # Another submission for the same voter won the race: theirs is the one ballot.
        raise AlreadyVoted(
            _("Your ballot was already received a moment ago."), code="already_voted"
        ) from exc


def ballot_insert_checked_in(*, participation: Participation, selection: dict[str, int]) -> Ballot:
    """A voter checked in at a polling station votes on its tablet: `voted_on` and the ballot.

    Call inside a transaction holding `participation` locked (`select_for_update`) and checked
    as waiting. The ballot carries the station but not the staff member: the voter entered it.
    """
    _hold_voting_open(budget_round_id=participation.budget_round_id)
    ballot = _new_ballot(
        budget_round=participation.budget_round,
        selection=selection,
        channel=Channel.TABLET,
        station_id=participation.station_id,
    )
    participation.voted_on = ballot.cast_on
    participation.channel = Channel.TABLET
    participation.save(update_fields=["voted_on", "channel"])
    return _drop(ballot)


def ballot_insert_keyed(
    *, budget_round: BudgetRound, selection: dict[str, int], station, entered_by_id: int
) -> Ballot:
    """A paper ballot, keyed twice by staff, goes in; its voter was counted at the handout.

    Call inside the transaction that accepts the paper entry. The ballot records the station
    and the staff member who keyed it first.
    """
    ballot = _new_ballot(
        budget_round=budget_round,
        selection=selection,
        channel=Channel.PAPER,
        station=station,
        entered_by_id=entered_by_id,
    )
    return _drop(ballot)


def ballots_flush_closed(*, now: datetime.datetime | None = None) -> dict[int, int]:
    """Write out the buffer of every round whose voting has closed: {round id: ballots}."""
    now = now or timezone.now()
    closed = BudgetRound.objects.filter(
        voting_end__lte=now,
        pk__in=PendingBallot.objects.values("budget_round_id"),
    )
    return {
        budget_round.pk: ballots_flush(budget_round=budget_round, everything=True)
        for budget_round in closed
    }
