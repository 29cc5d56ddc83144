"""Polling staff land on their polling station after signing in (committees.workspace.landing).

Only people whose every role is polling staff: a moderator who also staffs a station lands on
the workspace, which says more. The station is one of a round of their committees that is
voting now, or else the next to vote; with several such stations they land on the voting
overview, which lists them.
"""

from django.urls import reverse
from django.utils import timezone, translation
from wagtail import hooks

from committees.models import CommitteeRole
from voting.models import PollingStation

POLLING_STAFF = CommitteeRole.Role.POLLING_STAFF


def station_landing_url(*, user) -> str | None:
    roles = set(CommitteeRole.objects.filter(user=user).values_list("role", "committee_id"))
    if user.is_superuser or not roles or any(role != POLLING_STAFF for role, _c in roles):
        return None
    now = timezone.now()
    stations = list(
        PollingStation.objects.filter(
            budget_round__committee_id__in={committee for _r, committee in roles},
            budget_round__voting_end__gt=now,
        )
        .select_related("budget_round")
        .order_by("budget_round__voting_start", "name")
    )
    if not stations:
        return reverse("voting_overview")
    candidates = [s for s in stations if s.budget_round.voting_start <= now] or [
        s for s in stations if s.budget_round_id == stations[0].budget_round_id
    ]
    if len(candidates) == 1:
        with translation.override(user.preferred_language):
            return reverse("voting:paper_station", args=[candidates[0].pk])
    return reverse("voting_overview")


@hooks.register("workspace_landing")
def polling_staff_landing(*, user):
    return station_landing_url(user=user)
