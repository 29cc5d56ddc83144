"""The pool's remaining amount under concurrent decisions: never negative, always pot − grants.

Many meeting decisions released together by a barrier, against PostgreSQL, repeated.
"""

import pytest
from django.db.models import Sum

from committees.models import BudgetRound
from proposals.grants import services as grant_services
from proposals.models import GrantApplication, GrantStage
from tests import factories
from tests.races import release_together

THREADS = 16
REPETITIONS = 5
POT = 100_000
AMOUNT = 15_000  # six of them fit in the pot, the seventh would not


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_decisions_never_grant_more_than_the_pot():
    committee = factories.committee("Østerbro Lokaludvalg")
    secretariat = factories.moderator(committee=committee)
    for _repetition in range(REPETITIONS):
        pool = factories.grant_pool(committee=committee, pot=POT)
        applications = []
        for _ in range(THREADS):
            application = factories.grant_application(pool=pool, expenses=AMOUNT, income=0)
            factories.grant_to_decision(application=application, secretariat=secretariat)
            applications.append(application)

        race = release_together(
            *[
                lambda application=application: grant_services.grant_decide(
                    actor=secretariat,
                    application=application,
                    granted=True,
                    amount=AMOUNT,
                    reason="Bevilget.",
                )
                for application in applications
            ]
        )

        assert race.errors == []
        fits = POT // AMOUNT
        assert len(race.results) == fits
        assert race.refusal_codes == ["pool_exhausted"] * (THREADS - fits)
        pool = BudgetRound.objects.get(pk=pool.pk)
        granted = GrantApplication.objects.filter(
            proposal__budget_round=pool, stage=GrantStage.GRANTED
        )
        total = granted.aggregate(total=Sum("granted_amount"))["total"]
        assert granted.count() == fits
        assert pool.granted_total == total == fits * AMOUNT
        assert pool.remaining == POT - total >= 0
        # The refused decisions left nothing behind: still on the agenda, undecided.
        assert (
            GrantApplication.objects.filter(
                proposal__budget_round=pool, stage=GrantStage.ON_AGENDA
            ).count()
            == THREADS - fits
        )
