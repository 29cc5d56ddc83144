"""An identity without a CPR number (a broker that sends only an age claim or a birth date) is
known by the broker's subject only, so its online ballot cannot be matched with the same
person's letter code or station check-in, which are keyed by the CPR number. In a round voted
with codes or at polling stations too, such an identity does not vote online: the page says
why and shows the other ways. In a round voted online only, it does."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from committees.services import committee_create
from tests import factories
from tests.voting.conftest import project_ids
from tests.voting.identity import test_oidc
from voting import services
from voting.codes import services as codes_services
from voting.identity.services import identity_verify
from voting.models import Ballot, Participation, PollingStation, VerifiedIdentity, VotingConfig
from voting.paper import services as paper
from voting.roll import services as roll

pytestmark = pytest.mark.django_db

CPR = "0101801234"
BIRTH = datetime.date(1980, 1, 1)


def _selection(budget_round) -> dict[str, int]:
    return {project_ids(budget_round)["Bænke"]: 1}


def _without_cpr(committee, *, subject="pseudo-1", birth_date=None, age_min=None):
    """The same person as CPR above, verified by a broker that sent no CPR number."""
    person = factories.user()
    identity_verify(
        user=person,
        provider="mitid-test",
        subject=subject,
        national_id="",
        birth_date=birth_date,
        age_min=age_min,
        age_max=None,
        area=committee.areas.get(),
    )
    return person


def _roll_code(budget_round) -> str:
    roll.roll_import(
        budget_round=budget_round,
        rows=[
            {
                "cpr": CPR,
                "birth_date": BIRTH.isoformat(),
                "address": "Øster Allé 1",
                "area": budget_round.committee.name,
            }
        ],
    )
    return codes_services.codes_issue_from_roll(budget_round=budget_round, batch="Breve")[0].code


def _refusal() -> str:
    return _(
        "Your identity was verified without a CPR number. This round is also voted with "
        "letter codes or at polling stations, which know voters by their CPR number, so you "
        "cannot vote online here: vote with the code from your letter or at a polling station."
    )


def test_online_then_roll_code_by_the_same_person_is_one_ballot(voting_round, committee):
    """The attack: an "over 18" identity votes online, then the same person's letter code."""
    person = _without_cpr(committee, age_min=18)
    code = _roll_code(voting_round)

    eligibility = services.eligibility_online(user=person, budget_round=voting_round)
    assert not eligibility.can_vote
    assert eligibility.other_ways
    assert eligibility.reason == _refusal()
    with pytest.raises(PermissionDenied) as caught:
        services.ballot_cast_online(
            user=person, budget_round=voting_round, selection=_selection(voting_round)
        )
    assert str(caught.value) == _refusal()

    codes_services.ballot_cast_with_code(
        budget_round=voting_round, code=code, selection=_selection(voting_round), client="t"
    )
    assert Participation.objects.filter(budget_round=voting_round).count() == 1
    assert Ballot.objects.filter(budget_round=voting_round).count() == 1


@pytest.mark.parametrize("intent", ["tablet", "paper"])
def test_online_then_station_by_the_same_person_is_one_ballot(
    voting_round, committee, polling_staff, intent
):
    person = _without_cpr(committee, birth_date=BIRTH)
    station = PollingStation.objects.create(budget_round=voting_round, name="Østerbro Bibliotek")
    VotingConfig.objects.filter(budget_round=voting_round).update(allow_codes=False)

    with pytest.raises(PermissionDenied):
        services.ballot_cast_online(
            user=person, budget_round=voting_round, selection=_selection(voting_round)
        )
    paper.voter_check_in(
        staff=polling_staff,
        station=station,
        national_id=CPR,
        birth_date=BIRTH,
        area=committee.district,
        intent=intent,
    )
    assert Participation.objects.filter(budget_round=voting_round).count() == 1
    assert not Participation.objects.filter(budget_round=voting_round, channel="online").exists()


def test_a_round_voted_only_online_takes_an_identity_without_cpr(voting_round, committee):
    VotingConfig.objects.filter(budget_round=voting_round).update(
        allow_codes=False, allow_paper=False
    )
    person = _without_cpr(committee, age_min=18)
    services.ballot_cast_online(
        user=person, budget_round=voting_round, selection=_selection(voting_round)
    )
    # A second online ballot by the same subject is still the same voter.
    again = services.eligibility_online(user=person, budget_round=voting_round)
    assert again.has_voted
    assert Participation.objects.filter(budget_round=voting_round).count() == 1


def test_an_identity_with_cpr_still_votes_online_beside_codes_and_stations(voting_round, committee):
    person = factories.verified_voter(area=committee.district, national_id=CPR)
    assert services.eligibility_online(user=person, budget_round=voting_round).can_vote


def test_the_refusal_comes_only_to_an_otherwise_eligible_person(voting_round, committee):
    """Someone too young, or living elsewhere, hears that reason, not a code they cannot use."""
    young = _without_cpr(committee, subject="young", birth_date=datetime.date.today())
    eligibility = services.eligibility_online(user=young, budget_round=voting_round)
    assert not eligibility.other_ways
    assert eligibility.reason == services.age_refusal(voting_round)


def test_the_ballot_and_identity_pages_say_why_and_show_the_other_ways(
    client, voting_round, committee
):
    person = _without_cpr(committee, age_min=18)
    station = PollingStation.objects.create(
        budget_round=voting_round, name="Østerbro Bibliotek", address="Dag Hammarskjölds Allé 19"
    )
    client.force_login(person)
    ballot_url = reverse("voting:ballot", args=[voting_round.pk])

    ballot = client.get(ballot_url)
    assert _refusal() in ballot.text
    assert 'name="selection' not in ballot.text and "data-ballot" not in ballot.text
    code_url = reverse("voting:ballot_code", args=[voting_round.pk])
    assert f'href="{code_url}"' in ballot.text
    other_ways = reverse("voting:identity_start") + "?next=" + ballot_url
    assert f'href="{other_ways}"' in ballot.text
    assert _("Other ways to vote: polling stations and letter codes") in ballot.text

    start = client.get(reverse("voting:identity_start"), {"next": ballot_url})
    assert _("Your identity was verified without a CPR number.") in start.text
    assert f'href="{code_url}"' in start.text
    assert station.name in start.text and station.address in start.text


def test_my_borgerbudget_links_to_the_other_ways(client, voting_round, committee):
    person = _without_cpr(committee, age_min=18)
    client.force_login(person)
    mine = client.get(reverse("my_borgerbudget"))
    assert _refusal() in mine.text
    ballot_url = reverse("voting:ballot", args=[voting_round.pk])
    assert f'href="{reverse("voting:identity_start")}?next={ballot_url}"' in mine.text


def test_the_identity_page_in_english(client, voting_round, committee):
    person = _without_cpr(committee, age_min=18)
    client.force_login(person)
    with translation.override("en"):
        start = client.get(reverse("voting:identity_start"))
        code_url = reverse("voting:ballot_code", args=[voting_round.pk])
    assert "Your identity was verified without a CPR number." in start.text
    assert f'href="{code_url}"' in start.text


# --- Through the broker: which claims give a person number --------------------------------------

oidc, broker, voter = test_oidc.oidc, test_oidc.broker, test_oidc.voter
identity_urls = test_oidc.identity_urls


@pytest.fixture
def oesterbro_vote(db):
    committee = committee_create(
        name="Østerbro Lokaludvalg",
        slug="oesterbro-lokaludvalg",
        district=factories.district("Østerbro"),
    )
    return factories.voting_round(committee=committee)


def test_a_broker_that_sends_only_an_age_claim_gives_no_person_number(
    client, broker, oesterbro_vote, voter
):
    broker.claims = test_oidc._claims(
        **{"dk:gov:cpr": None, "birthdate": None, "age_over_18": "true"}
    )
    test_oidc._verify(client, broker)
    identity = VerifiedIdentity.objects.get(user=voter)
    assert not identity.has_person_number
    eligibility = services.eligibility_online(user=voter, budget_round=oesterbro_vote)
    assert eligibility.reason == _refusal()


def test_a_broker_that_sends_a_cpr_number_gives_one(client, broker, oesterbro_vote, voter):
    broker.claims = test_oidc._claims(**{"dk:gov:cpr": None, "cpr": "010190-1234"})
    test_oidc._verify(client, broker)
    assert VerifiedIdentity.objects.get(user=voter).has_person_number
    assert services.eligibility_online(user=voter, budget_round=oesterbro_vote).can_vote
