"""Closing voting now against ballots on their way, on PostgreSQL with real threads.

The promise of `voting.phases.services.round_voting_close`: once the close has committed, no
ballot lands. Voters and the close are released together by a barrier, again and again; each
ballot's checks are slowed a little, as a busy server would, so that many are between their
check and their insert when the close commits. The close's thread counts the participations
right after its commit; when every thread is done, the count must not have grown.
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from committees.models import BudgetRound
from committees.services import committee_role_grant
from proposals.models import State
from tests import factories
from voting import services as voting_services
from voting.models import Channel, Participation
from voting.phases import services as phases
from voting.phases.selectors import CLOSE_VOTING, phase_preview

VOTERS = 12
REPETITIONS = 5
SLOW_CHECK = 0.02  # seconds each ballot's rule check takes, the close's window


def _race_once(*, committee, moderator, tag: str) -> tuple[int, list[str], list[str]]:
    """One round, its voters and its close released together: (ballots landed after the
    close committed, the voters' outcomes, errors)."""
    budget_round = factories.budget_round(
        committee=committee, phase="voting", pot=100_000, max_cost=100_000, ballot_style="approval"
    )
    proposal = factories.proposal(budget_round=budget_round, state=State.FEASIBLE)
    expected = phase_preview(budget_round=budget_round, action=CLOSE_VOTING).fingerprint
    barrier = threading.Barrier(VOTERS + 1)
    outcomes, errors, at_close = [], [], []

    def vote(number):
        try:
            barrier.wait()
            voting_services.ballot_cast(
                budget_round=budget_round,
                person=f"race:{tag}:{number}",
                channel=Channel.ONLINE,
                selection={str(proposal.pk): 1},
                replaceable=False,
            )
            outcomes.append("cast")
        except ValidationError as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # anything else would be a server error
            errors.append(repr(exc))
        finally:
            connection.close()

    def close():
        try:
            barrier.wait()
            time.sleep(SLOW_CHECK / 2)  # while the first ballots are being checked
            phases.round_voting_close(
                actor=moderator, budget_round=budget_round, reason="Storm", expected=expected
            )
            at_close.append(Participation.objects.filter(budget_round=budget_round).count())
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(VOTERS)]
    threads.append(threading.Thread(target=close))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert BudgetRound.objects.get(pk=budget_round.pk).phase != "voting"
    final = Participation.objects.filter(budget_round=budget_round).count()
    assert outcomes.count("cast") == final
    return final - at_close[0], outcomes, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_ballot_lands_after_close_voting_now_commits(monkeypatch):
    real_check = voting_services.ballot_check

    def slow_check(**kwargs):
        real_check(**kwargs)
        time.sleep(SLOW_CHECK)

    monkeypatch.setattr(voting_services, "ballot_check", slow_check)
    committee = factories.committee("Østerbro Lokaludvalg")
    moderator = factories.user()
    committee_role_grant(user=moderator, committee=committee, role="moderator")
    late, refused = [], 0
    for repetition in range(REPETITIONS):
        landed_after, outcomes, errors = _race_once(
            committee=committee, moderator=moderator, tag=str(repetition)
        )
        assert errors == []
        assert set(outcomes) <= {"cast", "closed"}
        late.append(landed_after)
        refused += outcomes.count("closed")
    assert late == [0] * REPETITIONS
    # The close did land among ballots in flight: some were refused, so the race was run.
    assert refused > 0
