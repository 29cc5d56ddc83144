"""Personal data from verification and paper entry is deleted when the round's retention ends."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from committees.models import AuditEntry
from tests import factories
from voting import retention, selectors, services
from voting.codes import services as codes_services
from voting.models import (
    Ballot,
    PaperEntry,
    Participation,
    PollingStation,
    RollEntry,
    VerifiedIdentity,
    VotingCode,
    VotingConfig,
)
from voting.paper import services as paper

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
BIRTH = datetime.date(1990, 1, 1)


@pytest.fixture
def voted_round():
    """A round voted online (replaceable ballot), with a code, on a tablet and on paper."""
    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.voting_round(
        committee=committee,
        ballot_style="approval",
        projects=(("Bænke", 30_000), ("Legeplads", 60_000)),
    )
    ids = {p.title: str(p.pk) for p in budget_round.proposals.all()}
    staff, second = (factories.polling_staff(committee=committee) for _ in range(2))
    station = PollingStation.objects.create(budget_round=budget_round, name="Bibliotek")

    voter = factories.verified_voter(
        area=committee.district, national_id="0101901234", birth_date=BIRTH
    )
    services.ballot_cast_online(user=voter, budget_round=budget_round, selection={ids["Bænke"]: 1})
    code = factories.letter_codes(budget_round=budget_round, count=2)[0]
    codes_services.ballot_cast_with_code(
        budget_round=budget_round, code=code, client="test", selection={ids["Legeplads"]: 1}
    )
    participation = paper.voter_check_in(
        staff=staff,
        station=station,
        national_id="0202801234",
        birth_date=datetime.date(1980, 2, 2),
        area=committee.district,
        intent="paper",
    )
    assert participation.checked_in_by == staff
    entry = paper.paper_key(
        staff=staff, station=station, batch_number="7", selection={ids["Bænke"]: 1}
    )
    paper.paper_confirm(staff=second, entry=entry, selection={ids["Bænke"]: 1})
    return budget_round


def _after_retention(budget_round, days=None):
    config = VotingConfig.objects.get_or_create(budget_round=budget_round)[0]
    return budget_round.voting_end + datetime.timedelta(days=days or config.retention_days)


def test_nothing_is_deleted_before_the_retention_period_is_over(voted_round):
    just_before = _after_retention(voted_round) - datetime.timedelta(minutes=1)
    assert retention.rounds_due_for_purge(now=just_before) == []
    with pytest.raises(ValueError, match="retention period not over"):
        retention.round_personal_data_purge(budget_round=voted_round, now=just_before)
    assert retention.personal_data_purge(now=just_before)["rounds"] == {}
    assert PaperEntry.objects.count() == 1 and VotingCode.objects.count() == 2
    assert Ballot.objects.exclude(owner_tag=None).count() == 1


def test_verification_and_paper_data_are_deleted_and_the_result_stays(voted_round):
    ballots_before = sorted(Ballot.objects.values_list("receipt_code", "channel", "selection"))
    turnout_before = selectors.round_turnout(budget_round=voted_round)
    results_before = selectors.round_results(budget_round=voted_round).selected
    keys_before = set(Participation.objects.values_list("voter_key", flat=True))

    report = retention.personal_data_purge(now=_after_retention(voted_round))

    counts = report["rounds"][voted_round.pk]
    assert counts["participation_keys"] == 3 and counts["paper_entries"] == 1
    assert counts["voting_codes"] == 2 and counts["check_ins"] == 1
    assert counts["voter_roll"] == 2  # birth dates and addresses of the letters
    assert not RollEntry.objects.exists()
    keys_after = set(Participation.objects.values_list("voter_key", flat=True))
    assert not keys_after & keys_before
    assert all(key.startswith(retention.PURGED_KEY_PREFIX) for key in keys_after)
    assert not Participation.objects.exclude(checked_in_by=None).exists()
    assert not PaperEntry.objects.exists() and not VotingCode.objects.exists()
    assert not Ballot.objects.exclude(owner_tag=None).exists()
    assert not Ballot.objects.exclude(entered_by=None).exists()
    # What the public and a recount need is untouched.
    ballots_after = sorted(Ballot.objects.values_list("receipt_code", "channel", "selection"))
    assert ballots_after == ballots_before
    assert selectors.round_turnout(budget_round=voted_round) == turnout_before
    assert selectors.round_results(budget_round=voted_round).selected == results_before
    # Recorded in the audit chain, and once only.
    assert AuditEntry.objects.filter(action="round.personal_data_purged").count() == 1
    assert retention.personal_data_purge(now=_after_retention(voted_round))["rounds"] == {}
    assert VotingConfig.objects.get(budget_round=voted_round).personal_data_purged_at


def test_a_shorter_retention_period_of_the_round_is_honoured(voted_round):
    VotingConfig.objects.filter(budget_round=voted_round).update(retention_days=7)
    assert retention.rounds_due_for_purge(now=_after_retention(voted_round, days=7)) == [
        voted_round
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        VotingConfig.objects.filter(budget_round=voted_round).update(retention_days=0)


def test_verified_identities_expire_after_their_own_period(voted_round, settings):
    settings.VERIFIED_IDENTITY_RETENTION_DAYS = 30
    identity = VerifiedIdentity.objects.get()
    now = timezone.now()
    assert retention.personal_data_purge(now=now)["identities"] == 0
    later = identity.verified_at + datetime.timedelta(days=30, seconds=1)
    assert retention.personal_data_purge(now=later)["identities"] == 1
    assert not VerifiedIdentity.objects.exists()


def test_the_command_purges_what_is_due(voted_round):
    VotingConfig.objects.filter(budget_round=voted_round).update(retention_days=1)
    type(voted_round).objects.filter(pk=voted_round.pk).update(
        voting_end=timezone.now() - datetime.timedelta(days=2),
        results_start=timezone.now() - datetime.timedelta(days=2),
        implementation_start=timezone.now() + datetime.timedelta(days=1),
    )
    out = StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert f"[{voted_round.pk}]" in out.getvalue() and PaperEntry.objects.exists()
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert f"round {voted_round.pk}: participation_keys 3" in out.getvalue()
    assert not PaperEntry.objects.exists()
