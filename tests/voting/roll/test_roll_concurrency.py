"""One person, two channels, the same moment: a letter code from the voter roll, an online
ballot and a check-in at a polling station, released together by a barrier, again and again.
Exactly one ballot per person survives, the loser is told why in words, and nothing fails."""

import datetime

import pytest
from django.utils import translation

from committees.models import BudgetRound
from tests import factories
from tests.races import release_together
from tests.voting.conftest import project_ids
from voting import keys, services
from voting.codes import services as codes_services
from voting.models import Ballot, Participation, PollingStation
from voting.paper import services as paper
from voting.roll import services as roll

REPETITIONS = 15
BIRTH = datetime.date(1980, 1, 1)

# What a loser may be told: each names what happened, none is a server error.
LOSER_MESSAGES = {
    "You have already voted in this round (Online).",
    "You have already voted in this round (Voting code).",
    "You have already voted in this round (At a polling station, on a tablet).",
    "You are checked in at a polling station: vote there, on its tablet or on paper.",
    "Your ballot was already received a moment ago.",
    "This code has already been used.",
    "This person has already voted online in this round.",
    "This person has already voted with a voting code in this round.",
    "This person has already voted at a polling station, on a tablet.",
    "This person is already checked in at a polling station and has not voted yet. "
    "Find them on the list of voters waiting to vote.",
    "This person was checked in a moment ago.",
}


class Person:
    """One resident, ready in every channel: on the roll with a letter code, verified online,
    and known to the polling station's staff by CPR number."""

    def __init__(self, budget_round: BudgetRound, number: int):
        self.round = budget_round
        self.cpr = f"010180{number:04d}"
        roll.roll_import(
            budget_round=budget_round,
            rows=[
                {
                    "cpr": self.cpr,
                    "birth_date": "1980-01-01",
                    "address": f"Vej {number}",
                    "area": budget_round.committee.name,
                }
            ],
        )
        [letter] = codes_services.codes_issue_from_roll(budget_round=budget_round, batch="B")
        self.code = letter.code
        self.user = factories.verified_voter(
            area=budget_round.committee.district, national_id=self.cpr, birth_date=BIRTH
        )
        self.voter_key = keys.voter_key(
            round_id=budget_round.pk, person=keys.person_key(national_id=self.cpr)
        )
        self.selection = {next(iter(project_ids(budget_round).values())): 1}

    def code_vote(self):
        return codes_services.ballot_cast_with_code(
            budget_round=self.round, code=self.code, selection=self.selection, client=self.cpr
        )

    def online_vote(self):
        return services.ballot_cast_online(
            user=self.user, budget_round=self.round, selection=self.selection
        )

    def station_vote(self, staff, station):
        participation = paper.voter_check_in(
            staff=staff,
            station=station,
            national_id=self.cpr,
            birth_date=BIRTH,
            area=self.round.committee.district,
        )
        return paper.ballot_cast_at_station(
            staff=staff, participation=participation, selection=self.selection
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pair", ["code+online", "online+station", "code+station"])
def test_one_person_in_two_channels_at_once_leaves_one_ballot(pair, home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.voting_round(committee=committee)
    staff = factories.polling_staff(committee=committee)
    station = PollingStation.objects.create(budget_round=budget_round, name="Bibliotek")
    winners = {}
    for number in range(REPETITIONS):
        person = Person(budget_round, number)
        calls = {
            "code": person.code_vote,
            "online": person.online_vote,
            "station": lambda person=person: person.station_vote(staff, station),
        }
        race = release_together(*(calls[name] for name in pair.split("+")), language="en")
        results, errors = race.results, race.errors
        with translation.override("en"):
            refusals = [
                " ".join(getattr(exc, "messages", None) or [str(exc)]) for exc in race.refusals
            ]
        assert errors == []
        assert len(results) == 1 and len(refusals) == 1, (results, refusals)
        assert refusals[0] in LOSER_MESSAGES, refusals
        [participation] = Participation.objects.filter(
            budget_round=budget_round, voter_key=person.voter_key
        )
        assert participation.voted_on is not None
        assert results[0].channel == participation.channel
        winners[participation.channel] = winners.get(participation.channel, 0) + 1
        # Exactly one ballot per person so far: the winner's.
        assert Ballot.objects.filter(budget_round=budget_round).count() == number + 1
    assert Participation.objects.filter(budget_round=budget_round).count() == REPETITIONS
    print(pair, winners)  # which channel won how often, for the record
