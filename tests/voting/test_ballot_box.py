"""The ballot box: one ballot per voter per round, whichever channel they come back through."""

import re
from pathlib import Path

import pytest

from tests import factories
from tests.voting.conftest import project_ids
from voting import ballot_box, keys
from voting.models import Ballot, Channel, Participation, PollingStation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
PERSON = "person:test-voter"


def _insert(budget_round, channel, *, replaceable=False, title="Bænke"):
    return ballot_box.ballot_insert(
        budget_round=budget_round,
        person=PERSON,
        channel=channel,
        selection={project_ids(budget_round)[title]: 1},
        replaceable=replaceable,
    )


def test_a_voter_gets_one_ballot_whatever_the_channel(voting_round):
    first = _insert(voting_round, Channel.CODE)
    for channel in (Channel.ONLINE, Channel.CODE, Channel.TABLET, Channel.PAPER):
        with pytest.raises(ballot_box.AlreadyVoted, match="already voted"):
            _insert(voting_round, channel)
    assert list(Ballot.objects.filter(budget_round=voting_round)) == [first]
    participation = Participation.objects.get(budget_round=voting_round)
    assert participation.channel == Channel.CODE and participation.voted_on == first.cast_on
    # The ballot carries nothing that leads back to the voter.
    key = keys.voter_key(round_id=voting_round.pk, person=PERSON)
    assert key not in str(Ballot.objects.filter(pk=first.pk).values().get())


def test_a_replaceable_ballot_is_replaced_on_its_own_channel_only(voting_round):
    _insert(voting_round, Channel.ONLINE, replaceable=True)
    again = _insert(voting_round, Channel.ONLINE, replaceable=True, title="Træer")
    assert list(Ballot.objects.filter(budget_round=voting_round)) == [again]
    with pytest.raises(ballot_box.AlreadyVoted):
        _insert(voting_round, Channel.CODE)
    assert Participation.objects.filter(budget_round=voting_round).count() == 1


def test_a_checked_in_voter_votes_once_at_the_station(voting_round):
    station = PollingStation.objects.create(budget_round=voting_round, name="Bibliotek")
    waiting = Participation.objects.create(
        budget_round=voting_round,
        voter_key=keys.voter_key(round_id=voting_round.pk, person=PERSON),
        channel=Channel.PAPER,
        voted_on=None,
        station=station,
    )
    ballot = ballot_box.ballot_insert_checked_in(
        participation=waiting, selection={project_ids(voting_round)["Bænke"]: 1}
    )
    waiting.refresh_from_db()
    assert waiting.voted_on == ballot.cast_on and waiting.channel == Channel.TABLET
    assert ballot.station_id == station.pk and ballot.entered_by_id is None
    with pytest.raises(ballot_box.AlreadyVoted):
        _insert(voting_round, Channel.ONLINE)
    assert Ballot.objects.filter(budget_round=voting_round).count() == 1


def test_a_paper_ballot_enters_without_a_voter_and_names_who_keyed_it(voting_round):
    station = PollingStation.objects.create(budget_round=voting_round, name="Bibliotek")
    staff = factories.user()
    ballot = ballot_box.ballot_insert_keyed(
        budget_round=voting_round,
        selection={project_ids(voting_round)["Træer"]: 1},
        station=station,
        entered_by_id=staff.pk,
    )
    assert ballot.channel == Channel.PAPER and ballot.entered_by_id == staff.pk
    assert not Participation.objects.filter(budget_round=voting_round).exists()


def test_nothing_but_the_ballot_box_inserts_a_ballot():
    root = Path(__file__).resolve().parents[2]
    door = re.compile(
        r"(?<!class )(?<!\w)Ballot\(|Ballot\.objects\.(create|bulk_create|get_or_create)"
        r"|ballot\.save"
    )
    found = [
        str(path.relative_to(root))
        for app in ("committees", "proposals", "voting", "site", "benchmarks")
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts and door.search(path.read_text(encoding="utf-8"))
    ]
    assert found == ["voting/ballot_box.py"]
