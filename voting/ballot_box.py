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
in the box. All three end in `_drop`, which inserts the row and tells the live displays after
commit (and never, if the transaction rolls back). `_drop` is the seam for a mixing buffer:
holding ballots back and releasing them in batches, so that the order and time a ballot
arrives no longer point at the voter who just cast it, changes `_drop` and nothing else.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import BudgetRound, District
from voting import keys
from voting.live import broadcast
from voting.models import Ballot, Channel, Participation


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


def _drop(ballot: Ballot) -> Ballot:
    """Put the ballot in the box; call inside the transaction that records its voter."""
    ballot.save(force_insert=True)
    # Live displays learn of the ballot once it is committed, and never if it is not.
    broadcast.round_changed_on_commit(ballot.budget_round_id)
    return ballot


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
) -> Ballot:
    """A voter known by a person key casts a ballot; the caller has checked the ballot.

    `person` is turned into the voter key; a caller that holds the key already (a letter code
    from the voter roll) passes `voter_key` instead.
    `replaceable`: a later ballot from the same voter on the same channel replaces this one.
    `cast_on`: today, unless the demo back-dates its ballots to its round's voting days.
    """
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
            participation = (
                Participation.objects.select_for_update()
                .filter(budget_round=budget_round, voter_key=key)
                .first()
            )
            if participation is None:  # pragma: no cover - the insert failed on something else
                raise IntegrityError("participation vanished")
            checked_in = participation.voted_on is None and channel in (
                Channel.TABLET,
                Channel.PAPER,
            )
            if checked_in:
                participation.voted_on = today
                participation.channel = channel
                participation.save(update_fields=["voted_on", "channel"])
            elif tag and participation.channel == channel:
                Ballot.objects.filter(budget_round=budget_round, owner_tag=tag).delete()
            else:
                raise AlreadyVoted(already_voted_message(participation), code="already_voted")
            return _drop(ballot)
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
