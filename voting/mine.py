"""The voting app's part of "Mit borgerbudget" (committees/accounts/mine.py): the rounds open
for voting or counting now, whether the person can vote online, whether their ballot is
received, and the rounds they follow.

Secrecy (docs/voting.md): this reads `Participation`, that the person took part, through the
same voter key the ballot box uses; never a `Ballot` or a `PendingBallot`, so it cannot tell
what was voted, nor whether the ballot is still sealed in the mixing buffer or already written.
It need not: the tally reads buffered ballots through the seal, so a received ballot counts
either way. What the page says is exactly that: received, and counted with the others.
"""

from dataclasses import dataclass

from django.utils import timezone

from committees.accounts.mine import Section
from committees.models import BudgetRound, DecisionMethod, Phase
from voting import keys
from voting.models import Participation, RoundFollow, VerifiedIdentity
from voting.services import Eligibility, eligibility_online


@dataclass(frozen=True)
class MyRound:
    budget_round: BudgetRound
    phase: str
    eligibility: Eligibility | None  # while voting is open
    participation: Participation | None  # the person took part (never what they voted)
    following: bool


def rounds_voting_or_counting() -> list[BudgetRound]:
    """Rounds whose voting is open, or closed with the result still to come or just out."""
    now = timezone.now()
    return list(
        BudgetRound.objects.filter(voting_start__lte=now, implementation_start__gt=now)
        .exclude(decision_method=DecisionMethod.COMMITTEE)  # grant pools are not voted on
        .select_related("committee")
        .order_by("voting_end", "pk")
    )


def my_rounds(*, user) -> list[MyRound]:
    identity = VerifiedIdentity.objects.filter(user=user).first()
    following = set(RoundFollow.objects.filter(user=user).values_list("budget_round_id", flat=True))
    rows = []
    for budget_round in rounds_voting_or_counting():
        participation = None
        if identity is not None:
            key = keys.voter_key(round_id=budget_round.pk, person=identity.person_key)
            participation = Participation.objects.filter(
                budget_round=budget_round, voter_key=key
            ).first()
        phase = budget_round.phase
        rows.append(
            MyRound(
                budget_round=budget_round,
                phase=phase,
                eligibility=eligibility_online(user=user, budget_round=budget_round)
                if phase == Phase.VOTING
                else None,
                participation=participation,
                following=budget_round.pk in following,
            )
        )
    return rows


def section(*, user) -> Section:
    rounds = my_rounds(user=user)
    shown = {row.budget_round.pk for row in rounds}
    followed = (
        BudgetRound.objects.filter(
            pk__in=RoundFollow.objects.filter(user=user).values("budget_round")
        )
        .exclude(pk__in=shown)
        .select_related("committee")
        .order_by("-voting_end")
    )
    return Section(
        template="voting/mine/section.html",
        context={
            "rounds": rounds,
            "followed": list(followed),
            "has_identity": VerifiedIdentity.objects.filter(user=user).exists(),
        },
    )
