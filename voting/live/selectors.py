"""Reads of live meetings that belong to the room, not to the round's displays: who at a polling
station may still answer the running quick vote."""

from voting import keys
from voting.live.services import checked_in_person, quick_vote_present
from voting.models import Participation, PollingStation, QuickVote, QuickVoteAnswer


def quick_vote_station_voters(*, quick_vote: QuickVote, station: PollingStation) -> list[dict]:
    """The voters checked in at `station` who may be in the room, each with whether they have
    answered. Answers hold no participation, so the keyed hash is computed again per voter."""
    voters = [
        participation
        for participation in Participation.objects.filter(
            budget_round_id=station.budget_round_id, station=station
        ).order_by("pk")
        if quick_vote_present(participation)
    ]
    wanted = {
        keys.quick_vote_key(
            quick_vote_id=quick_vote.pk, person=checked_in_person(participation)
        ): participation.pk
        for participation in voters
    }
    answered = set(
        QuickVoteAnswer.objects.filter(
            quick_vote=quick_vote, voter_key__in=list(wanted)
        ).values_list("voter_key", flat=True)
    )
    answered_pks = {wanted[key] for key in answered}
    return [
        {"participation": participation, "answered": participation.pk in answered_pks}
        for participation in voters
    ]
