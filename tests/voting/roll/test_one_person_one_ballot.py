"""One person, one ballot across online, code, tablet and paper: a letter code from the voter
roll is bound to its person, so whichever channel that person uses first is the only one."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from tests.voting.conftest import project_ids
from voting import services
from voting.ballot_box import AlreadyVoted
from voting.codes import services as codes_services
from voting.models import Ballot, Participation, PollingStation, VotingConfig
from voting.paper import services as paper
from voting.roll import services as roll

pytestmark = pytest.mark.django_db

CPR = "0101801234"
BIRTH = datetime.date(1980, 1, 1)


@pytest.fixture
def station(voting_round):
    return PollingStation.objects.create(budget_round=voting_round, name="Østerbro Bibliotek")


def _selection(budget_round) -> dict[str, int]:
    return {project_ids(budget_round)["Bænke"]: 1}


def _roll_code(budget_round, *, cpr=CPR, birth=BIRTH) -> str:
    """The person's letter code: imported on the roll, then issued from it."""
    area = budget_round.committee.name  # its committee area
    roll.roll_import(
        budget_round=budget_round,
        rows=[
            {"cpr": cpr, "birth_date": birth.isoformat(), "address": "Øster Allé 1", "area": area}
        ],
    )
    issued = codes_services.codes_issue_from_roll(budget_round=budget_round, batch="Breve")
    return issued[0].code


def _vote_with_code(budget_round, code):
    return codes_services.ballot_cast_with_code(
        budget_round=budget_round, code=code, selection=_selection(budget_round), client="test"
    )


def _vote_online(budget_round, user):
    return services.ballot_cast_online(
        user=user, budget_round=budget_round, selection=_selection(budget_round)
    )


def _check_in(staff, station, intent="tablet"):
    return paper.voter_check_in(
        staff=staff,
        station=station,
        national_id=CPR,
        birth_date=BIRTH,
        area=station.budget_round.committee.district,
        intent=intent,
    )


def test_anonymous_codes_are_refused_in_a_round_also_voted_online(voting_round, english):
    """The hole as it was: any code, then the same person online, made two ballots."""
    with pytest.raises(ValidationError) as caught:
        codes_services.codes_generate(budget_round=voting_round, count=1, batch="Løse koder")
    assert "voter roll" in caught.value.messages[0]


def test_code_after_online_is_refused(voting_round, committee, english):
    code = _roll_code(voting_round)
    _vote_online(voting_round, factories.verified_voter(area=committee.district, national_id=CPR))
    with pytest.raises(AlreadyVoted) as caught:
        _vote_with_code(voting_round, code)
    assert caught.value.messages == ["You have already voted in this round (Online)."]
    assert Ballot.objects.filter(budget_round=voting_round).count() == 1


def test_online_after_code_is_refused(voting_round, committee, english):
    code = _roll_code(voting_round)
    _vote_with_code(voting_round, code)
    user = factories.verified_voter(area=committee.district, national_id=CPR)
    eligibility = services.eligibility_online(user=user, budget_round=voting_round)
    assert not eligibility.can_vote
    assert eligibility.reason == "You have already voted in this round (Voting code)."
    with pytest.raises(PermissionDenied):
        _vote_online(voting_round, user)
    assert Ballot.objects.filter(budget_round=voting_round).count() == 1


@pytest.mark.parametrize("intent", ["tablet", "paper"])
def test_station_after_code_is_refused(voting_round, station, polling_staff, intent, english):
    code = _roll_code(voting_round)
    _vote_with_code(voting_round, code)
    with pytest.raises(AlreadyVoted) as caught:
        _check_in(polling_staff, station, intent=intent)
    assert caught.value.messages == [
        "This person has already voted with a voting code in this round."
    ]
    assert Participation.objects.filter(budget_round=voting_round).count() == 1


@pytest.mark.parametrize("intent", ["tablet", "paper"])
def test_code_after_station_is_refused(voting_round, station, polling_staff, intent, english):
    code = _roll_code(voting_round)
    _check_in(polling_staff, station, intent=intent)
    with pytest.raises(AlreadyVoted):
        _vote_with_code(voting_round, code)
    assert Ballot.objects.filter(budget_round=voting_round, channel="code").count() == 0
    assert Participation.objects.filter(budget_round=voting_round).count() == 1


def test_a_refused_code_is_not_used_up_and_stays_refused(voting_round, committee, english):
    code = _roll_code(voting_round)
    _vote_online(voting_round, factories.verified_voter(area=committee.district, national_id=CPR))
    for _attempt in range(2):
        with pytest.raises(AlreadyVoted):
            _vote_with_code(voting_round, code)


def test_code_voter_is_counted_with_the_roll_area_and_age_band(voting_round, committee):
    code = _roll_code(voting_round)
    _vote_with_code(voting_round, code)
    participation = Participation.objects.get(budget_round=voting_round)
    assert participation.channel == "code"
    assert participation.area == committee.district
    assert participation.age_band in {"35-49", "50-64"}


def test_anonymous_codes_still_work_in_a_round_voted_only_with_codes(voting_round, english):
    VotingConfig.objects.filter(budget_round=voting_round).update(
        allow_online=False, allow_paper=False
    )
    [code] = codes_services.codes_generate(budget_round=voting_round, count=1, batch="Møde")
    _vote_with_code(voting_round, code)
    assert Ballot.objects.filter(budget_round=voting_round, channel="code").count() == 1


def test_other_channels_stay_off_while_a_round_has_anonymous_codes(
    voting_round, committee, english
):
    from voting.models import VotingCode

    VotingConfig.objects.filter(budget_round=voting_round).update(
        allow_online=False, allow_paper=False
    )
    codes_services.codes_generate(budget_round=voting_round, count=1, batch="Møde")
    moderator = factories.moderator(committee=committee)
    type(voting_round).objects.filter(pk=voting_round.pk).update(
        voting_start=voting_round.voting_end - datetime.timedelta(hours=1)
    )
    voting_round.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.voting_config_update(
            moderator=moderator, budget_round=voting_round, values={"allow_online": True}
        )
    assert "belong to nobody in particular" in caught.value.messages[0]
    assert not VotingConfig.objects.get(budget_round=voting_round).allow_online
    assert VotingCode.objects.filter(roll_entry__isnull=True).count() == 1


def test_an_anonymous_code_made_before_the_rule_is_refused_in_a_round_voted_online(
    voting_round, english
):
    VotingConfig.objects.filter(budget_round=voting_round).update(allow_online=False)
    VotingConfig.objects.filter(budget_round=voting_round).update(allow_paper=False)
    [code] = codes_services.codes_generate(budget_round=voting_round, count=1, batch="Gammel")
    VotingConfig.objects.filter(budget_round=voting_round).update(allow_online=True)
    with pytest.raises(ValidationError) as caught:
        _vote_with_code(voting_round, code)
    assert "voter roll" in caught.value.messages[0]
    assert not Ballot.objects.filter(budget_round=voting_round).exists()
