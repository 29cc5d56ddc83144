"""Reads of the notices app: who follows what, and who should hear about a round."""

from committees.models import Committee
from notices.models import CommitteeFollow


def followed_committees(*, user):
    return Committee.objects.filter(
        pk__in=CommitteeFollow.objects.filter(user=user).values("committee_id")
    )
