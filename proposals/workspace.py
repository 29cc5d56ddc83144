"""What waits for staff in the proposals app, on their workspace (committees.workspace).

Per committee: proposals waiting for screening or for a feasibility review and for how long,
reported proposals and comments, and grant applications to check with their deadlines. Each item
links to the queue that handles it (filtered to the committee where that queue can be), and
counts only what the person may act on there (the same predicates as the queues themselves).
Every function reads all the person's committees at once, grouped by committee.
"""

from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from wagtail import hooks

from committees.permissions import is_moderator_of
from committees.workspace.selectors import WorkspaceItem, days_waiting, when
from proposals.models import GrantApplication, GrantStage, Proposal, State
from proposals.moderation.selectors import moderation_queue
from proposals.permissions import ProposalPolicy, grant_committee_ids, sees_grants

WAITING_STATES = (State.SUBMITTED, State.IN_REVIEW)
GRANT_STAGES_TO_CHECK = (
    GrantStage.SUBMITTED,
    GrantStage.COMPLETE,
    GrantStage.RECOMMENDED,  # to put on a meeting's agenda
    GrantStage.ACCOUNTS,
)


def _waiting_detail(oldest) -> str:
    days = days_waiting(oldest)
    return ngettext(
        "the oldest has waited %(days)d day", "the oldest has waited %(days)d days", days
    ) % {"days": days}


def _committee_ids(committees) -> list[int]:
    return [committee.pk for committee in committees]


def proposal_items(*, user, committees) -> dict[int, list[WorkspaceItem]]:
    visible = ProposalPolicy(Proposal).instances_user_has_permission_for(user, "change")
    waiting = (
        Proposal.objects.filter(
            pk__in=visible.values("pk"),
            budget_round__committee__in=_committee_ids(committees),
            state__in=WAITING_STATES,
        )
        .values("budget_round__committee", "state")
        .annotate(count=Count("pk"), oldest=Min("submitted_at"))
        .order_by()
    )
    labels = {
        State.SUBMITTED: lambda n: ngettext(
            "%(count)d proposal waits for screening", "%(count)d proposals wait for screening", n
        ),
        State.IN_REVIEW: lambda n: ngettext(
            "%(count)d proposal waits for a feasibility review",
            "%(count)d proposals wait for a feasibility review",
            n,
        ),
    }
    items: dict[int, list[WorkspaceItem]] = {}
    for row in sorted(waiting, key=lambda r: WAITING_STATES.index(r["state"])):
        committee_id = row["budget_round__committee"]
        query = urlencode({"state": row["state"], "budget_round__committee": committee_id})
        items.setdefault(committee_id, []).append(
            WorkspaceItem(
                label=labels[row["state"]](row["count"]) % {"count": row["count"]},
                detail=_waiting_detail(row["oldest"]),
                url=f"{reverse('proposal:index')}?{query}",
                order=10 if row["state"] == State.SUBMITTED else 11,
            )
        )
    return items


def reported_items(*, user, committees) -> dict[int, list[WorkspaceItem]]:
    """Proposals and comments with open reports from residents: the moderators' to handle, in
    the moderation queue."""
    moderated = {c.pk for c in committees if is_moderator_of(user, c.pk)}
    if not moderated:
        return {}
    counts: dict[int, dict[str, int]] = {}
    for item in moderation_queue(committee_ids=moderated):
        per_kind = counts.setdefault(item.proposal.budget_round.committee_id, {})
        per_kind[item.kind] = per_kind.get(item.kind, 0) + 1
    items: dict[int, list[WorkspaceItem]] = {}
    for committee_id, per_kind in counts.items():
        if per_kind.get("proposal"):
            n = per_kind["proposal"]
            label = ngettext("%(count)d reported proposal", "%(count)d reported proposals", n)
            items.setdefault(committee_id, []).append(
                WorkspaceItem(label=label % {"count": n}, url=reverse("moderation_queue"), order=20)
            )
        if per_kind.get("comment"):
            n = per_kind["comment"]
            label = ngettext("%(count)d reported comment", "%(count)d reported comments", n)
            items.setdefault(committee_id, []).append(
                WorkspaceItem(label=label % {"count": n}, url=reverse("moderation_queue"), order=21)
            )
    return items


def grant_items(*, user, committees) -> dict[int, list[WorkspaceItem]]:
    if not sees_grants(user):
        return {}
    allowed = grant_committee_ids(user)
    ids = [pk for pk in _committee_ids(committees) if allowed is None or pk in allowed]
    rows = (
        GrantApplication.objects.filter(
            stage__in=GRANT_STAGES_TO_CHECK, proposal__budget_round__committee__in=ids
        )
        .values("proposal__budget_round__committee", "stage")
        .annotate(
            count=Count("pk"),
            next_deadline=Min(
                "deadline__closes_at", filter=Q(deadline__closes_at__gte=timezone.now())
            ),
        )
        .order_by()
    )
    items: dict[int, list[WorkspaceItem]] = {}
    for row in sorted(rows, key=lambda r: GRANT_STAGES_TO_CHECK.index(r["stage"])):
        count, next_deadline = row["count"], row["next_deadline"]
        committee_id = row["proposal__budget_round__committee"]
        query = {"committee": committee_id, "stage": row["stage"]}
        items.setdefault(committee_id, []).append(
            WorkspaceItem(
                label=ngettext(
                    "%(count)d grant application: %(stage)s",
                    "%(count)d grant applications: %(stage)s",
                    count,
                )
                % {"count": count, "stage": GrantStage(row["stage"]).label.lower()},
                detail=(
                    ngettext("deadline %(when)s", "next deadline %(when)s", count)
                    % {"when": when(next_deadline)}
                    if next_deadline
                    else ""
                ),
                url=f"{reverse('grant_queue')}?{urlencode(query)}",
                order=30,
            )
        )
    return items


@hooks.register("workspace_items")
def workspace_items(*, user, committees) -> dict[int, list[WorkspaceItem]]:
    items: dict[int, list[WorkspaceItem]] = {}
    for found in (
        proposal_items(user=user, committees=committees),
        reported_items(user=user, committees=committees),
        grant_items(user=user, committees=committees),
    ):
        for committee_id, some in found.items():
            items.setdefault(committee_id, []).extend(some)
    return items
