"""One ballot per voter per round under concurrency: 50 submissions released together, 20 times."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from proposals.models import State
from tests import factories
from voting import services
from voting.models import Ballot, Participation, VotingConfig

THREADS = 50
ROUNDS = 20


def _release_together(fn, n):
    barrier = threading.Barrier(n)
    outcomes, errors = [], []

    def run():
        try:
            barrier.wait()
            outcomes.append(fn())
        except (ValidationError, PermissionDenied) as exc:
            outcomes.append(type(exc).__name__)
        except Exception as exc:  # any other error would be a server error
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("allow_change", [True, False])
def test_fifty_simultaneous_ballots_of_one_voter_leave_exactly_one(allow_change):
    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.budget_round(
        committee=committee, phase="voting", pot=100_000, max_cost=100_000, ballot_style="approval"
    )
    VotingConfig.objects.create(budget_round=budget_round, allow_change=allow_change)
    proposal = factories.proposal(budget_round=budget_round, state=State.FEASIBLE)
    selection = {str(proposal.pk): 1}
    for repetition in range(ROUNDS):
        voter = factories.user()
        services.identity_verify(
            user=voter,
            provider="mitid-test",
            subject=f"s{repetition}",
            national_id=f"02029{repetition:05d}",
            birth_date=datetime.date(1980, 2, 2),
            area=committee.district,
        )
        outcomes, errors = _release_together(
            lambda voter=voter: (
                services.ballot_cast_online(
                    user=voter, budget_round=budget_round, selection=selection
                ).receipt_code
            ),
            THREADS,
        )
        assert errors == []
        assert len(outcomes) == THREADS
        successes = [o for o in outcomes if o not in ("AlreadyVoted", "PermissionDenied")]
        if not allow_change:
            assert len(successes) == 1
        assert Participation.objects.filter(budget_round=budget_round).count() == repetition + 1
        assert Ballot.objects.filter(budget_round=budget_round).count() == repetition + 1
