"""One ballot box: eligibility, every ballot style, secrecy, replacement, voting codes."""

import datetime
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from committees.models import District
from tests import factories
from tests.voting.conftest import project_ids
from voting import keys, services
from voting.codes import services as codes_services
from voting.models import Ballot, Participation, VerifiedIdentity, VotingCode, VotingConfig
from voting.selectors import round_results, round_turnout
from voting.tally.ballots import Limits, ballot_problems
from voting.tally.pabulib import parse_pb

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
NATIONAL_ID = "0101901234"


def _voter(committee, national_id=NATIONAL_ID, birth=datetime.date(1990, 1, 1), area=None):
    """A verified resident; by default the same person number each time (one person)."""
    return factories.verified_voter(
        area=area or committee.district, national_id=national_id, birth_date=birth
    )


def test_ballot_rules_for_every_style():
    costs = {"1": 30, "2": 60, "3": 40}
    knapsack = Limits(style="knapsack", pot=100, knapsack_min_share=50)
    assert ballot_problems(limits=knapsack, costs=costs, selection={"1": 1, "2": 1}) == []
    assert ballot_problems(limits=knapsack, costs=costs, selection={"2": 1, "3": 1}) == []  # = pot
    assert ballot_problems(limits=knapsack, costs=costs, selection={"1": 1, "2": 1, "3": 1})
    assert ballot_problems(limits=knapsack, costs=costs, selection={"1": 1})  # under 50 %
    assert ballot_problems(limits=knapsack, costs=costs, selection={"9": 1})  # unknown project
    approval = Limits(style="approval", pot=100, approval_min=1, approval_max=2)
    assert ballot_problems(limits=approval, costs=costs, selection={"1": 1, "2": 1, "3": 1})
    cumulative = Limits(
        style="cumulative", pot=100, cumulative_points=5, cumulative_max_per_project=3
    )
    assert ballot_problems(limits=cumulative, costs=costs, selection={"1": 3, "2": 2}) == []
    assert ballot_problems(limits=cumulative, costs=costs, selection={"1": 4})
    assert ballot_problems(limits=cumulative, costs=costs, selection={"1": 3, "2": 3})
    assert ballot_problems(limits=cumulative, costs=costs, selection={"1": -1})
    ranking = Limits(style="ranking", pot=100, ranking_length=2)
    assert ballot_problems(limits=ranking, costs=costs, selection={"3": 1, "1": 2}) == []
    assert ballot_problems(limits=ranking, costs=costs, selection={"3": 1, "1": 3})
    assert ballot_problems(limits=ranking, costs=costs, selection={"3": 1, "1": 2, "2": 3})


def test_online_voter_is_told_why_they_cannot_vote(committee, voting_round):
    assert (
        "Log in"
        in services.eligibility_online(user=AnonymousUser(), budget_round=voting_round).reason
    )
    no_identity = factories.user()
    assert (
        "MitID" in services.eligibility_online(user=no_identity, budget_round=voting_round).reason
    )
    young = _voter(
        committee, "0101120000", birth=datetime.date.today() - datetime.timedelta(days=365 * 13)
    )
    assert "15" in services.eligibility_online(user=young, budget_round=voting_round).reason
    elsewhere = _voter(
        committee, "0202800000", area=District.objects.create(name="Valby", slug="valby")
    )
    assert (
        "Only residents of Østerbro Lokaludvalg"
        in services.eligibility_online(user=elsewhere, budget_round=voting_round).reason
    )
    closed = factories.budget_round(committee=committee, phase="review")
    assert (
        "not open"
        in services.eligibility_online(
            user=_voter(committee, "0303700000"), budget_round=closed
        ).reason
    )


def test_identity_keeps_no_national_id_or_birth_date(committee):
    user = _voter(committee)
    identity = VerifiedIdentity.objects.get(user=user)
    stored = " ".join(str(v) for v in VerifiedIdentity.objects.values().get().values())
    assert NATIONAL_ID not in stored and "1990" not in stored
    assert identity.age_band == "35-49" and identity.area == committee.district


def test_vote_online_get_a_receipt_and_change_the_ballot(committee, voting_round):
    ids = project_ids(voting_round)
    voter = _voter(committee)
    first = services.ballot_cast_online(
        user=voter, budget_round=voting_round, selection={ids["Bænke"]: 1, ids["Legeplads"]: 1}
    )
    assert len(first.receipt_code) == 10
    second = services.ballot_cast_online(
        user=voter, budget_round=voting_round, selection={ids["Træer"]: 1, ids["Bænke"]: 1}
    )
    assert Ballot.objects.count() == 1 and Participation.objects.count() == 1
    assert Ballot.objects.get().receipt_code == second.receipt_code
    assert Ballot.objects.get().selection == {ids["Træer"]: 1, ids["Bænke"]: 1}
    eligibility = services.eligibility_online(user=voter, budget_round=voting_round)
    assert eligibility.has_voted and eligibility.can_change


def test_no_change_when_the_round_does_not_allow_it(committee, voting_round):
    VotingConfig.objects.update_or_create(
        budget_round=voting_round, defaults={"allow_change": False}
    )
    ids = project_ids(voting_round)
    voter = _voter(committee)
    services.ballot_cast_online(user=voter, budget_round=voting_round, selection={ids["Bænke"]: 1})
    with pytest.raises(PermissionDenied, match="already voted"):
        services.ballot_cast_online(
            user=voter, budget_round=voting_round, selection={ids["Træer"]: 1}
        )
    assert Ballot.objects.get().owner_tag is None  # not even the keyed link exists


def test_invalid_ballot_is_refused_and_nothing_is_stored(committee, voting_round):
    ids = project_ids(voting_round)
    voter = _voter(committee)
    with pytest.raises(ValidationError, match="more than the pot"):
        services.ballot_cast_online(
            user=voter,
            budget_round=voting_round,
            selection={ids["Bænke"]: 1, ids["Legeplads"]: 1, ids["Træer"]: 1},
        )
    assert not Ballot.objects.exists() and not Participation.objects.exists()


def test_participation_and_ballot_share_nothing(committee, voting_round):
    """Secrecy: no foreign key, no shared sequential id, no time finer than the day."""
    ids = project_ids(voting_round)
    services.ballot_cast_online(
        user=_voter(committee), budget_round=voting_round, selection={ids["Bænke"]: 1}
    )
    participation_fields = {f.name for f in Participation._meta.get_fields()}
    ballot_fields = {f.name for f in Ballot._meta.get_fields()}
    for field in Ballot._meta.get_fields():
        assert getattr(field, "related_model", None) not in (Participation,)
        assert field.get_internal_type() != "DateTimeField"
    for field in Participation._meta.get_fields():
        assert getattr(field, "related_model", None) not in (Ballot,)
        assert field.get_internal_type() != "DateTimeField"
    assert Ballot._meta.pk.get_internal_type() == "UUIDField"  # not sequential
    assert not {"user", "voter_key", "author"} & ballot_fields
    assert "selection" not in participation_fields
    ballot = Ballot.objects.get()
    participation = Participation.objects.get()
    # The owner tag is a keyed hash of the voter key: without the key it matches nothing.
    assert ballot.owner_tag != participation.voter_key
    assert ballot.owner_tag == keys.owner_tag(voter_key=participation.voter_key)


def test_one_person_votes_once_across_channels(committee, voting_round):
    """A person checked off at a polling station cannot also vote online."""
    ids = project_ids(voting_round)
    voter = _voter(committee)
    person = keys.person_key(national_id=NATIONAL_ID)
    Participation.objects.create(
        budget_round=voting_round,
        voter_key=keys.voter_key(round_id=voting_round.pk, person=person),
        channel="paper",
        voted_on=datetime.date.today(),
    )
    eligibility = services.eligibility_online(user=voter, budget_round=voting_round)
    assert not eligibility.can_vote and "On paper" in eligibility.reason
    with pytest.raises(PermissionDenied):
        services.ballot_cast_online(
            user=voter, budget_round=voting_round, selection={ids["Bænke"]: 1}
        )


def test_voting_codes_are_hashed_used_once_and_lock(committee, voting_round):
    ids = project_ids(voting_round)
    codes = factories.letter_codes(budget_round=voting_round, count=3, batch="Borgermøde")
    stored = " ".join(VotingCode.objects.values_list("code_hash", flat=True))
    assert all(keys.normalise_code(c) not in stored for c in codes)
    assert len(set(codes)) == 3 and all(len(keys.normalise_code(c)) == 12 for c in codes)
    ballot = codes_services.ballot_cast_with_code(
        budget_round=voting_round,
        code=codes[0].lower(),
        selection={ids["Bænke"]: 1},
        client="1.2.3.4",
    )
    assert ballot.channel == "code"
    with pytest.raises(ValidationError, match="already been used"):
        codes_services.ballot_cast_with_code(
            budget_round=voting_round, code=codes[0], selection={ids["Bænke"]: 1}, client="x"
        )
    target = keys.normalise_code(codes[1])
    wrong = target[:4] + ("A" if target[4] != "A" else "B") + target[5:]
    for attempt in range(5):
        with pytest.raises(ValidationError, match="not right"):
            codes_services.code_redeem(budget_round=voting_round, code=wrong, client=f"c{attempt}")
    with pytest.raises(ValidationError, match="locked"):
        codes_services.code_redeem(budget_round=voting_round, code=codes[1], client="c9")


def test_wrong_codes_are_throttled_per_client(committee, voting_round):
    from django.core.cache import cache

    cache.clear()
    factories.letter_codes(budget_round=voting_round, count=1)
    for _ in range(codes_services.CODE_ATTEMPTS_PER_CLIENT):
        with pytest.raises(ValidationError):
            codes_services.code_redeem(
                budget_round=voting_round, code="ZZZZ-ZZZZ-ZZZZ", client="9.9.9.9"
            )
    with pytest.raises(PermissionDenied, match="Too many"):
        codes_services.code_redeem(
            budget_round=voting_round, code="ZZZZ-ZZZZ-ZZZZ", client="9.9.9.9"
        )
    with pytest.raises(ValidationError, match="not right"):  # another client is not blocked
        codes_services.code_redeem(
            budget_round=voting_round, code="ZZZZ-ZZZZ-ZZZZ", client="8.8.8.8"
        )
    cache.clear()


def test_export_recounts_to_the_published_result(committee, voting_round, tmp_path):
    ids = project_ids(voting_round)
    choices = [
        {ids["Bænke"]: 1, ids["Legeplads"]: 1},
        {ids["Bænke"]: 1, ids["Træer"]: 1},
        {ids["Træer"]: 1},
        {ids["Legeplads"]: 1},
        {ids["Bænke"]: 1},
    ]
    receipts = []
    for number, selection in enumerate(choices):
        voter = _voter(committee, national_id=f"01019{number:05d}")
        receipts.append(
            services.ballot_cast_online(
                user=voter, budget_round=voting_round, selection=selection
            ).receipt_code
        )
    path = tmp_path / "round.pb"
    out = io.StringIO()
    call_command("pb_export", str(voting_round.pk), "-o", str(path), stdout=out)
    assert "SHA-256" in out.getvalue()
    text = path.read_text()
    instance = parse_pb(text)
    assert len(instance.votes) == 5
    assert {v.extra["receipt"] for v in instance.votes} == set(receipts)
    assert "@" not in text and "Lokaludvalg" in text
    recount = io.StringIO()
    call_command("pb_tally", str(path), "--rule", voting_round.tally_rule, "--json", stdout=recount)
    import json

    assert (
        json.loads(recount.getvalue())["selected"]
        == round_results(budget_round=voting_round).selected
    )
    assert round_turnout(budget_round=voting_round) == {"online": 5}
