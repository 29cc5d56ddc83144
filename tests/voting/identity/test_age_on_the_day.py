"""Age is decided on the voting day, through the whole identity flow against a real provider.

An identity keeps the age in whole years on the day of the check. When a birthday may have
fallen between that check and the voting day and it decides the vote, the resident is asked to
verify again; the new check decides exactly. The earlier check is made on an earlier day by
moving the clock the services read (`timezone.localdate`) for the duration of that login.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tests import factories
from tests.voting.conftest import project_ids
from tests.voting.identity import test_oidc
from voting import services
from voting.models import Participation, VerifiedIdentity

pytestmark = pytest.mark.django_db

# The real provider and its set-up, as the OpenID Connect tests use them.
oidc, broker, oesterbro, voter = (
    test_oidc.oidc,
    test_oidc.broker,
    test_oidc.oesterbro,
    test_oidc.voter,
)
identity_urls = test_oidc.identity_urls
_claims, _verify = test_oidc._claims, test_oidc._verify

TODAY = datetime.date.today()
VERIFY_AGAIN = (
    "Your age on the voting day decides whether you can vote. Verify your identity again today."
)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without it
        return day.replace(year=day.year - years, day=28)


def _verify_on(client, broker, monkeypatch, day: datetime.date, **claims):
    broker.claims = _claims(**claims)
    with monkeypatch.context() as clock:
        clock.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        _verify(client, broker)


def _age_claim_a_month_ago(client, broker, monkeypatch, voter, *, over_18: bool):
    """`voter` verified a month ago with a data-minimal claim: over 18 or not, no birth date."""
    _verify_on(
        client,
        broker,
        monkeypatch,
        TODAY - datetime.timedelta(days=30),
        birthdate=None,
        age_over_18="true" if over_18 else "false",
    )
    return VerifiedIdentity.objects.get(user=voter)


@pytest.fixture
def vote(oesterbro):
    """A round with minimum age 15 in Østerbro, voting today."""
    return factories.voting_round(committee=oesterbro.committee, min_age=15, title="Unge idéer")


def _cast(user, budget_round):
    return services.ballot_cast_online(
        user=user,
        budget_round=budget_round,
        selection={project_ids(budget_round)["Bænke"]: 1},
    )


def test_a_resident_who_turned_15_after_verifying_is_asked_again_then_admitted(
    client, broker, vote, voter, monkeypatch
):
    born = _years_before(TODAY - datetime.timedelta(days=5), 15)  # 15 five days ago
    _verify_on(
        client, broker, monkeypatch, TODAY - datetime.timedelta(days=10), birthdate=str(born)
    )
    identity = VerifiedIdentity.objects.get(user=voter)
    assert (identity.age_min, identity.age_max) == (14, 14)
    assert identity.age_known_on == TODAY - datetime.timedelta(days=10)

    eligibility = services.eligibility_online(user=voter, budget_round=vote)
    assert not eligibility.can_vote
    assert eligibility.reason == _(VERIFY_AGAIN)
    ballot_url = reverse("voting:ballot", args=[vote.pk])
    page = client.get(ballot_url)
    assert _(VERIFY_AGAIN) in page.text
    assert f'href="{reverse("voting:identity_start")}?next={ballot_url}"' in page.text
    with pytest.raises(PermissionDenied):
        _cast(voter, vote)

    _verify(client, broker)  # today, with the same claims
    identity.refresh_from_db()
    assert (identity.age_min, identity.age_max, identity.age_known_on) == (15, 15, TODAY)
    assert services.eligibility_online(user=voter, budget_round=vote).can_vote
    _cast(voter, vote)
    assert Participation.objects.get(budget_round=vote).age_band == "15-17"


def test_a_resident_a_day_short_is_asked_again_then_refused(
    client, broker, vote, voter, monkeypatch
):
    born = _years_before(TODAY + datetime.timedelta(days=1), 15)  # 15 tomorrow
    _verify_on(
        client, broker, monkeypatch, TODAY - datetime.timedelta(days=10), birthdate=str(born)
    )
    assert services.eligibility_online(user=voter, budget_round=vote).reason == _(VERIFY_AGAIN)

    _verify(client, broker)
    eligibility = services.eligibility_online(user=voter, budget_round=vote)
    assert not eligibility.can_vote
    assert eligibility.reason == services.age_refusal(vote)
    with pytest.raises(PermissionDenied):
        _cast(voter, vote)
    assert not Participation.objects.filter(budget_round=vote).exists()


def test_a_check_made_on_the_voting_day_needs_no_second_one(client, broker, vote, voter):
    born = _years_before(TODAY, 15)  # 15 today
    broker.claims = _claims(birthdate=str(born))
    _verify(client, broker)
    assert services.eligibility_online(user=voter, budget_round=vote).can_vote


def test_a_check_a_year_ago_still_decides_when_no_birthday_can_matter(
    client, broker, vote, voter, monkeypatch
):
    """16 a year ago is 17 now, whatever the birthday: no second check is asked for."""
    born = _years_before(TODAY - datetime.timedelta(days=400), 16)
    _verify_on(
        client, broker, monkeypatch, TODAY - datetime.timedelta(days=365), birthdate=str(born)
    )
    assert services.eligibility_online(user=voter, budget_round=vote).can_vote


def test_an_over_18_claim_admits_a_round_with_minimum_15_and_18(
    client, broker, oesterbro, vote, voter, monkeypatch
):
    """A data-minimal claim (no birth date, no age): 18 or over on the day of the check."""
    adults = factories.voting_round(committee=oesterbro.committee, min_age=18, title="Voksne")
    identity = _age_claim_a_month_ago(client, broker, monkeypatch, voter, over_18=True)
    assert (identity.age_min, identity.age_max) == (18, None)
    assert services.eligibility_online(user=voter, budget_round=vote).can_vote
    assert services.eligibility_online(user=voter, budget_round=adults).can_vote


def test_an_under_18_claim_is_asked_again_and_never_guessed_old_enough(
    client, broker, oesterbro, voter, monkeypatch
):
    """ "Not over 18" a month ago says nothing about 15: asked to verify again, not admitted."""
    vote = factories.voting_round(committee=oesterbro.committee, min_age=15, title="Unge")
    identity = _age_claim_a_month_ago(client, broker, monkeypatch, voter, over_18=False)
    assert (identity.age_min, identity.age_max) == (0, 17)
    eligibility = services.eligibility_online(user=voter, budget_round=vote)
    assert not eligibility.can_vote and eligibility.reason == _(VERIFY_AGAIN)

    # Verifying again today with the same claim cannot tell either: never a loop of "verify
    # again", but what to do instead.
    _verify(client, broker)
    eligibility = services.eligibility_online(user=voter, budget_round=vote)
    assert not eligibility.can_vote
    assert eligibility.reason == _(
        "Your identity provider did not say whether you are %(age)d or older. Vote with the "
        "code from your letter or at a polling station."
    ) % {"age": 15}
    page = client.get(reverse("voting:ballot", args=[vote.pk]))
    assert f'href="{reverse("voting:ballot_code", args=[vote.pk])}"' in page.text
    ballot_url = reverse("voting:ballot", args=[vote.pk])
    start = client.get(reverse("voting:identity_start"), {"next": ballot_url})
    assert f'href="{reverse("voting:ballot_code", args=[vote.pk])}"' in start.text
