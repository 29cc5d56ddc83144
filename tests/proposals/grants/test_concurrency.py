"""The pool's remaining amount under concurrent decisions: never negative, always pot − grants.

Many meeting decisions released together by a barrier, against PostgreSQL, repeated.
"""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Sum

from committees.models import BudgetRound
from proposals.grants import services as grant_services
from proposals.models import GrantApplication, GrantStage, Recommendation
from tests import factories

THREADS = 16
REPETITIONS = 5
POT = 100_000
AMOUNT = 15_000  # six of them fit in the pot, the seventh would not


def _release_together(functions):
    barrier = threading.Barrier(len(functions))
    outcomes, errors = [], []

    def run(fn):
        try:
            barrier.wait()
            fn()
            outcomes.append("granted")
        except (ValidationError, PermissionDenied) as exc:
            outcomes.append(getattr(exc, "code", None) or type(exc).__name__)
        except Exception as exc:  # anything else would be a server error
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes, errors


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
            grant_services.grant_completeness_check(
                actor=secretariat, application=application, complete=True
            )
            grant_services.grant_recommend(
                actor=secretariat,
                application=application,
                recommendation=Recommendation.FULL,
                reason="Godt for kvarteret.",
            )
            factories.deciding_meeting_begins(application)
            applications.append(application)

        outcomes, errors = _release_together(
            [
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

        assert errors == []
        assert len(outcomes) == THREADS
        fits = POT // AMOUNT
        assert outcomes.count("granted") == fits
        assert outcomes.count("pool_exhausted") == THREADS - fits
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
                proposal__budget_round=pool, stage=GrantStage.RECOMMENDED
            ).count()
            == THREADS - fits
        )
