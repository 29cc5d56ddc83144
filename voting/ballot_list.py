"""The list of projects on a round's ballot: previewed until voting opens, written once then.

Before voting opens the list is computed: feasible proposals with the round's supports needed.
A round that asks for it (the default) counts only supports from residents who have verified
their identity and live in one of the round's areas, so a handful of throwaway e-mail accounts
cannot put a project on the ballot or keep one off. Supports are made in `proposals`, which
knows nothing of identities (dependencies point committees <- proposals <- voting); the count is
made here, where the list is made, from the supports and the voting app's identities.

From the moment voting opens the list is fixed (`BallotList`, `BallotEntry`) and everything that
shows a ballot, checks one or tallies reads it. Phases follow the clock, so there is no event
"voting opened": the first reader after `voting_start` (a ballot page, a tally, the live display,
`manage.py ballot_lists_freeze` run by the scheduler) writes it, under a lock on the round, once.
What it is made from cannot move after `voting_start` (supports are refused from the end of the
review, the threshold and the other rules are frozen with the round), so a list written a
minute late is the list of the moment voting opened. Writing it is audited.
"""

from collections import Counter

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from committees.areas import area_admits
from committees.models import Address, Area, BudgetRound
from committees.selectors import round_areas
from committees.services import audit_record
from proposals.models import AssistedSupport, Proposal, Support
from proposals.selectors import ON_BALLOT_STATES
from voting.models import BallotEntry, BallotList, VerifiedIdentity


def counted_supports(*, budget_round: BudgetRound) -> dict[int, int]:
    """Supports per proposal of the round that count towards the supports needed.

    Supports entered at a desk (`AssistedSupport`, proposals/intake/) always count, once per
    resident and proposal: staff checked the resident's ID and that the address is in the area
    before entering them, which is the verification an online support needs an identity for.
    """
    assisted = Counter(
        AssistedSupport.objects.filter(proposal__budget_round=budget_round)
        .values_list("proposal_id", flat=True)
        .iterator()
    )
    return dict(assisted + Counter(_counted_online_supports(budget_round=budget_round)))


def _counted_online_supports(*, budget_round: BudgetRound) -> dict[int, int]:
    """Supports made online, by residents with an account."""
    # An author's support of their own proposal is refused today; one made before never counts.
    supports = Support.objects.filter(proposal__budget_round=budget_round).exclude(
        user_id=F("proposal__author_id")
    )
    if not budget_round.supports_verified_only:
        return dict(Counter(supports.values_list("proposal_id", flat=True).iterator()))
    areas = round_areas(budget_round=budget_round)
    residences = {
        row["user_id"]: (row["home_area_id"], row["address_id"])
        for row in VerifiedIdentity.objects.filter(user_id__in=supports.values("user_id")).values(
            "user_id", "home_area_id", "address_id"
        )
    }
    # Few distinct residences among many supporters: decide each once.
    homes = {a.pk: a for a in Area.objects.filter(pk__in={h for h, _a in residences.values()})}
    addresses = {
        a.pk: a for a in Address.objects.filter(pk__in={a for _h, a in residences.values()})
    }
    admitted = {}
    for residence in set(residences.values()):
        home, address = homes.get(residence[0]), addresses.get(residence[1])
        admitted[residence] = any(
            area_admits(area=area, home=home, address=address) for area in areas
        )
    counts: Counter[int] = Counter()
    for proposal_id, user_id in supports.values_list("proposal_id", "user_id").iterator():
        residence = residences.get(user_id)
        if residence is not None and admitted[residence]:
            counts[proposal_id] += 1
    return dict(counts)


def ballot_list_preview(*, budget_round: BudgetRound) -> list[tuple[Proposal, int]]:
    """What would be on the ballot if voting opened now, with each proposal's counted supports.

    A proposal a moderator has hidden (with its public reason) is not put before the voters,
    whatever its state."""
    counts = counted_supports(budget_round=budget_round)
    proposals = Proposal.objects.filter(
        budget_round=budget_round, state__in=ON_BALLOT_STATES, hidden=False
    ).order_by("pk")
    return [
        (p, counts.get(p.pk, 0))
        for p in proposals
        if counts.get(p.pk, 0) >= budget_round.min_supports
    ]


def ballot_list_freeze(*, budget_round: BudgetRound) -> BallotList | None:
    """Write the round's ballot list, once, when voting has opened. None before it has."""
    if not budget_round.voting_has_opened:
        return None
    existing = BallotList.objects.filter(budget_round=budget_round).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        stored = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
        existing = BallotList.objects.filter(budget_round=stored).first()
        if existing is not None:  # written by the reader that held the lock before us
            return existing
        preview = ballot_list_preview(budget_round=stored)
        ballot_list = BallotList.objects.create(
            budget_round=stored,
            frozen_at=timezone.now(),
            verified_supports_only=stored.supports_verified_only,
        )
        BallotEntry.objects.bulk_create(
            BallotEntry(ballot_list=ballot_list, proposal=p, cost=p.cost, counted_supports=supports)
            for p, supports in preview
        )
        audit_record(
            actor=None,
            action="round.ballot_list_freeze",
            obj=stored,
            committee_id=stored.committee_id,
            data={
                "proposals": [p.pk for p, _s in preview],
                "costs": {str(p.pk): p.cost for p, _s in preview},
                "counted_supports": {str(p.pk): s for p, s in preview},
                "min_supports": stored.min_supports,
                "verified_supports_only": stored.supports_verified_only,
            },
        )
    return ballot_list


def ballot_list(*, budget_round: BudgetRound) -> list[Proposal]:
    """The projects on the round's ballot, in a fixed order: the written list once voting has
    opened (each with the cost it had then), the preview before."""
    if ballot_list_freeze(budget_round=budget_round) is None:
        return [p for p, _supports in ballot_list_preview(budget_round=budget_round)]
    entries = BallotEntry.objects.filter(ballot_list__budget_round=budget_round).select_related(
        "proposal"
    )
    projects = []
    for entry in entries:
        proposal = entry.proposal
        # `Proposal.cost` is the revised cost when there is one: the cost on the ballot.
        proposal.revised_cost = entry.cost
        projects.append(proposal)
    return projects
