"""What waits for a staff member, per committee they work for.

An item is one line of the dashboard: what waits, since when or until when, and the link to the
queue that handles it. The committees app contributes the next meeting with its agenda and the
rounds whose phase changes within `PHASE_CHANGE_HORIZON`; every other app registers a function
with the `workspace_items` hook: `fn(*, user, committees) -> {committee id: [WorkspaceItem]}`,
called once for all the person's committees, which must show only what that person may act on.
Providers read every committee at once (grouped by committee), so the dashboard asks the same
number of queries for one committee as for all twelve.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail import hooks

from committees.models import BudgetRound, Committee, Meeting
from committees.models.rounds import PHASE_FIELDS
from committees.permissions import is_moderator_of, is_signed_in

PHASE_CHANGE_HORIZON = datetime.timedelta(days=14)
HOOK = "workspace_items"


@dataclass(frozen=True)
class WorkspaceItem:
    label: str  # what waits: "3 proposals wait for review"
    url: str  # the queue that handles it
    detail: str = ""  # since when, or until when
    lines: tuple[str, ...] = field(default=())  # e.g. a meeting's agenda
    order: int = 100


@dataclass(frozen=True)
class CommitteeWorkspace:
    committee: Committee
    items: list[WorkspaceItem]


def committees_worked_for(*, user) -> list[Committee]:
    """Every committee the person holds a role in; a site admin works for all of them."""
    if not is_signed_in(user):
        return []
    committees = Committee.objects.order_by("name")
    if not user.is_superuser:
        committees = committees.filter(roles__user=user).distinct()
    return list(committees)


def workspace_for(*, user) -> list[CommitteeWorkspace]:
    """One block per committee, items in their order; committees with nothing waiting included,
    so that the dashboard says so rather than staying silent."""
    committees = committees_worked_for(user=user)
    items: dict[int, list[WorkspaceItem]] = {committee.pk: [] for committee in committees}
    if committees:
        for fn in [committee_items, *hooks.get_hooks(HOOK)]:
            for committee_id, found in fn(user=user, committees=committees).items():
                items[committee_id].extend(found)
    return [
        CommitteeWorkspace(committee, sorted(items[committee.pk], key=lambda i: i.order))
        for committee in committees
    ]


def days_waiting(since: datetime.datetime | None, now: datetime.datetime | None = None) -> int:
    if since is None:
        return 0
    return max(((now or timezone.now()) - since).days, 0)


def when(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def next_meetings(*, committees: list[Committee], now: datetime.datetime) -> dict[int, Meeting]:
    """Each committee's next meeting, with its agenda: two queries for any number."""
    first_upcoming = (
        Meeting.objects.filter(committee=OuterRef("pk"), starts_at__gte=now)
        .order_by("starts_at", "pk")
        .values("pk")[:1]
    )
    ids = Committee.objects.filter(pk__in=[c.pk for c in committees]).annotate(
        next_meeting=Subquery(first_upcoming)
    )
    meetings = Meeting.objects.filter(pk__in=ids.values("next_meeting")).prefetch_related(
        "agenda_items"
    )
    return {meeting.committee_id: meeting for meeting in meetings}


def committee_items(*, user, committees: list[Committee]) -> dict[int, list[WorkspaceItem]]:
    """The next meeting and its agenda; rounds changing phase within the horizon."""
    items: dict[int, list[WorkspaceItem]] = {}
    now = timezone.now()
    for committee_id, meeting in next_meetings(committees=committees, now=now).items():
        items.setdefault(committee_id, []).append(
            WorkspaceItem(
                label=_("Next meeting: %(title)s") % {"title": meeting.title},
                detail=_("%(when)s at %(venue)s")
                % {"when": when(meeting.starts_at), "venue": meeting.venue_name},
                lines=tuple(item.texts()["title"] for item in meeting.agenda_items.all())
                or (_("No agenda yet."),),
                url=(
                    reverse("meeting:edit", args=[meeting.pk])
                    if is_moderator_of(user, committee_id)
                    else ""
                ),
                order=40,
            )
        )
    for budget_round, phase, starts in phase_changes(committees=committees, now=now):
        committee_id = budget_round.committee_id
        items.setdefault(committee_id, []).append(
            WorkspaceItem(
                label=_("%(round)s: %(phase)s begins")
                % {"round": budget_round.title, "phase": phase.label},
                detail=when(starts),
                url=(
                    reverse("round_schedule", args=[budget_round.pk])
                    if is_moderator_of(user, committee_id)
                    else ""
                ),
                order=50,
            )
        )
    return items


def phase_changes(*, committees: list[Committee], now: datetime.datetime | None = None):
    """(round, phase, start) for every phase of the committees' rounds that begins within the
    horizon, soonest first."""
    now = now or timezone.now()
    until = now + PHASE_CHANGE_HORIZON
    soon = Q()
    for _phase, start, _end in PHASE_FIELDS:
        soon |= Q(**{f"{start}__gte": now, f"{start}__lt": until})
    changes = []
    rounds = BudgetRound.objects.filter(soon, committee__in=[c.pk for c in committees])
    for budget_round in rounds:
        for phase, start, _end in PHASE_FIELDS:
            starts = getattr(budget_round, start)
            if starts is not None and now <= starts < until:
                changes.append((budget_round, phase, starts))
    return sorted(changes, key=lambda change: change[2])
