"""Secrecy against someone who reads the database: nothing stored joins a ballot to its voter.

The attacker has what an administrator has: a dump, or a read-only SQL prompt, but not the keys
in the settings. They read every column and what the database keeps beside them: PostgreSQL's
`xmin` (the transaction that wrote a row) and `ctid` (where the row lies), SQLite's `rowid`,
primary keys, row order, dates, and the voting codes' hints and batches. Voters of all four
channels vote one after another, as they would on a voting day, and the test knows who cast
which ballot (by the receipt each voter was given). Then it attacks, mid-vote and after the
result is confirmed, and no attack joins more ballots to voters than chance.
"""

import datetime
import json

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from tests import factories
from tests.voting.conftest import project_ids
from voting import ballot_box, selectors, services
from voting.models import Ballot, Channel, Participation, PollingStation, VotingCode
from voting.paper import services as paper
from voting.results import services as results

MIX = 5  # the smallest batch the ballot box writes, in this test
ONLINE, CODE, TABLET, PAPER = 20, 14, 14, 8


def _selections(ids):
    return [
        {ids["Bænke"]: 1},
        {ids["Træer"]: 1},
        {ids["Legeplads"]: 1},
        {ids["Bænke"]: 1, ids["Træer"]: 1},
        {ids["Bænke"]: 1, ids["Legeplads"]: 1},
        {ids["Legeplads"]: 1, ids["Træer"]: 1},
    ]


def _vote_day(budget_round, committee):
    """Voters of every channel, interleaved. Returns {participation id: receipt}, paper aside."""
    ids = project_ids(budget_round)
    choices = _selections(ids)
    staff, second = (factories.polling_staff(committee=committee) for _ in range(2))
    station = PollingStation.objects.create(budget_round=budget_round, name="Bibliotek")
    letter_codes = [
        VotingCode.objects.create(
            budget_round=budget_round, code_hash=f"hash-{n}", hint=f"AB{n:02d}", batch="Brev A"
        )
        for n in range(CODE)
    ]
    queue = (
        [("online", n) for n in range(ONLINE)]
        + [("code", n) for n in range(CODE)]
        + [("tablet", n) for n in range(TABLET)]
        + [("paper", n) for n in range(PAPER)]
    )
    # A fixed interleaving, the same at every run: channels take turns as the day goes on.
    queue.sort(key=lambda item: (item[1] * 7919) % 101)
    truth, cast = {}, []
    for number, (channel, n) in enumerate(queue):
        selection = choices[number % len(choices)]
        cast.append(selection)
        if channel == "online":
            voter = factories.verified_voter(area=committee.district)
            ballot = services.ballot_cast_online(
                user=voter, budget_round=budget_round, selection=selection
            )
            who = Participation.objects.latest("pk").pk
        elif channel == "code":
            ballot = _cast_with_code(budget_round, letter_codes[n], selection)
            who = Participation.objects.latest("pk").pk
        else:
            born = datetime.date(1970, 1, 1) + datetime.timedelta(days=100 * number)
            checked_in = paper.voter_check_in(
                staff=staff,
                station=station,
                national_id=born.strftime("%d%m%y") + f"{number:04d}",
                birth_date=born,
                area=committee.district,
                intent=channel,
            )
            if channel == "tablet":
                ballot = paper.ballot_cast_at_station(
                    staff=staff, participation=checked_in, selection=selection
                )
                who = checked_in.pk
            else:
                entry = paper.paper_key(
                    staff=staff, station=station, batch_number=f"P{n}", selection=selection
                )
                paper.paper_confirm(staff=second, entry=entry, selection=selection)
                continue
        truth[who] = ballot.receipt_code
    return truth, cast


def _cast_with_code(budget_round, code, selection):
    """What redeeming a letter code does (`voting.codes.services.ballot_cast_with_code`): in one
    transaction the code is locked, its holder's ballot goes into the box and the code is used."""
    with transaction.atomic():
        locked = VotingCode.objects.select_for_update().get(pk=code.pk)
        ballot = ballot_box.ballot_insert(
            budget_round=budget_round,
            person=f"code:{locked.code_hash}",
            channel=Channel.CODE,
            selection=selection,
            replaceable=False,
        )
        locked.used = True
        locked.save(update_fields=["used"])
    return ballot


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _physical(budget_round):
    """What an operator reads: ballots and participations with the database's own columns."""
    if connection.vendor == "postgresql":
        ballots = _rows(
            "SELECT id::text, receipt_code, xmin::text::bigint, ctid::text"
            " FROM voting_ballot WHERE budget_round_id = %s",
            [budget_round.pk],
        )
        people = _rows(
            "SELECT id, xmin::text::bigint, ctid::text FROM voting_participation"
            " WHERE budget_round_id = %s AND voted_on IS NOT NULL",
            [budget_round.pk],
        )
        others = _rows(
            "SELECT xmin::text::bigint FROM voting_votingcode WHERE budget_round_id = %s"
            " UNION ALL SELECT e.xmin::text::bigint FROM voting_paperentry e"
            " JOIN voting_pollingstation s ON s.id = e.station_id WHERE s.budget_round_id = %s",
            [budget_round.pk, budget_round.pk],
        )

        def place(ctid):
            page, row = ctid.strip("()").split(",")
            return int(page), int(row)

        ballots = [(i, r, x, place(c)) for i, r, x, c in ballots]
        people = [(i, x, place(c)) for i, x, c in people]
        return ballots, people, [x for (x,) in others]
    ballots = _rows(
        "SELECT id, receipt_code, NULL, rowid FROM voting_ballot WHERE budget_round_id = %s",
        [budget_round.pk],
    )
    people = _rows(
        "SELECT id, NULL, rowid FROM voting_participation"
        " WHERE budget_round_id = %s AND voted_on IS NOT NULL",
        [budget_round.pk],
    )
    return ballots, people, []


def _zip_hits(truth, people_in_order, ballots_in_order):
    """Pair the n-th voter with the n-th ballot; how many pairs are right."""
    return sum(
        1
        for (who, *_), (_id, receipt, *_) in zip(people_in_order, ballots_in_order, strict=False)
        if truth.get(who) == receipt
    )


def _attack(budget_round, truth):
    """Every join an operator could try, and how many voters each one gets right."""
    ballots, people, others = _physical(budget_round)
    assert ballots, "the attack needs written ballots"
    arrival = sorted(people, key=lambda p: p[0])  # serial ids: the order people voted in
    hits = {
        "by ballot id": _zip_hits(truth, arrival, sorted(ballots, key=lambda b: b[0])),
        "by receipt": _zip_hits(truth, arrival, sorted(ballots, key=lambda b: b[1])),
        "by stored row order": _zip_hits(truth, arrival, sorted(ballots, key=lambda b: b[3])),
        "by table order": _zip_hits(truth, arrival, _rows_in_table_order(budget_round, ballots)),
    }
    if connection.vendor == "postgresql":
        by_tx = sorted(people, key=lambda p: (p[1], p[2]))
        hits["by transaction order"] = _zip_hits(
            truth, by_tx, sorted(ballots, key=lambda b: (b[2], b[3]))
        )
        # The same transaction wrote both rows.
        written_by = {x: who for who, x, _ctid in people}
        hits["same xmin"] = sum(
            1 for _i, receipt, x, _c in ballots if truth.get(written_by.get(x)) == receipt
        )
        # The last voter before the ballot was written: exact when a ballot is written at once.
        last_before = {}
        for _i, receipt, x, _c in ballots:
            earlier = [p for p in people if p[1] <= x]
            if earlier:
                last_before[receipt] = max(earlier, key=lambda p: p[1])[0]
        hits["last voter before the write"] = sum(
            1 for receipt, who in last_before.items() if truth.get(who) == receipt
        )
        # No ballot shares its transaction with a voter, a voting code or a paper entry.
        shared = {x for _i, _r, x, _c in ballots} & ({p[1] for p in people} | set(others))
        assert shared == set(), "a ballot was written in a voter's, code's or entry's transaction"
        # Ballots are written in batches of at least MIX: one transaction per batch.
        batches = {}
        for _i, _r, x, _c in ballots:
            batches[x] = batches.get(x, 0) + 1
        assert min(batches.values()) >= MIX, f"a batch smaller than {MIX}: {sorted(batches)}"
        # One voter per batch, at most, is the one whose transaction wrote it.
        assert hits["last voter before the write"] <= len(batches)
    return hits


def _rows_in_table_order(budget_round, ballots):
    """The rows as a plain SELECT returns them, with no ORDER BY."""
    order = [
        row[0]
        for row in _rows(
            "SELECT id, receipt_code FROM voting_ballot WHERE budget_round_id = %s",
            [budget_round.pk],
        )
    ]
    by_id = {str(b[0]): b for b in ballots}
    return [by_id[str(i)] for i in order]


def _chance_bound(ballots: int) -> int:
    """Right guesses an attack may reach by luck: batches of MIX in random order average about
    one right pair per batch; a quarter of all ballots is far above that and far below the
    exact join the database allowed before."""
    return ballots // 4


@pytest.mark.django_db(transaction=True)
@override_settings(BALLOT_MIX_SIZE=MIX)
def test_an_operator_reading_the_database_cannot_tell_who_voted_what(committee, moderator):
    budget_round = factories.voting_round(committee=committee, ballot_style="approval")
    truth, cast = _vote_day(budget_round, committee)
    total = ONLINE + CODE + TABLET + PAPER
    assert len(truth) == ONLINE + CODE + TABLET

    # Mid-vote: the ballots written so far join no voter.
    written = Ballot.objects.filter(budget_round=budget_round).count()
    hits = _attack(budget_round, truth)
    assert max(hits.values()) <= _chance_bound(written), hits
    # Every ballot counts, though some still wait in the mixing buffer.
    expected = {}
    for selection in cast:
        for pid in selection:
            expected[pid] = expected.get(pid, 0) + 1
    assert selectors.round_vote_counts(budget_round=budget_round) == expected
    assert selectors.round_live_snapshot(budget_round=budget_round)["ballots"] == total
    assert MIX <= total - written < 2 * MIX, "the buffer keeps between MIX and 2*MIX-1 ballots"

    # The buffer shows nothing of the ballots it holds: same size, no selection, no receipt.
    from voting.models.ballots import PendingBallot

    sealed = [bytes(s) for s in PendingBallot.objects.values_list("sealed", flat=True)]
    assert len(sealed) == total - written and len({len(s) for s in sealed}) == 1
    for secret in [*truth.values(), *(json.dumps(s) for s in cast), "Brev A"]:
        assert all(secret.encode() not in s for s in sealed)

    # Voting closes; confirming the result writes every remaining ballot, still in a batch.
    dates = factories.round_dates(phase="results", now=timezone.now())
    type(budget_round).objects.filter(pk=budget_round.pk).update(**dates)
    budget_round.refresh_from_db()
    before = selectors.round_vote_counts(budget_round=budget_round)
    result = results.result_confirm(moderator=moderator, budget_round=budget_round)
    assert result.ballot_count == total and not PendingBallot.objects.exists()
    assert selectors.round_vote_counts(budget_round=budget_round) == before == expected
    hits = _attack(budget_round, truth)
    assert max(hits.values()) <= _chance_bound(total), hits
    # Codes keep their hint and batch for the committee; no ballot is tied to either.
    assert VotingCode.objects.filter(budget_round=budget_round, used=True).count() == CODE


def test_a_ballot_row_carries_no_time_and_no_sequence():
    """Ballots and buffered ballots have random ids and no time finer than the day."""
    from django.db import models

    from voting.models.ballots import PendingBallot

    for model in (Ballot, PendingBallot):
        kinds = {type(field) for field in model._meta.concrete_fields}
        assert isinstance(model._meta.pk, models.UUIDField), model
        assert not kinds & {models.DateTimeField, models.TimeField, models.AutoField}, model
        assert not kinds & {models.BigAutoField, models.SmallAutoField}, model
    # A buffered ballot holds nothing in clear but its round.
    clear = {f.name for f in PendingBallot._meta.concrete_fields} - {"id", "sealed"}
    assert clear == {"budget_round"}
