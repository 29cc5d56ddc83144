"""What waits for staff in the proposals app, on their workspace (committees.workspace).

Per committee: proposals waiting for screening or for a feasibility review and for how long,
reported proposals and comments, and grant applications to check with their deadlines. Each item
links to the queue that handles it (filtered to the committee where that queue can be), and
counts only what the person may act on there (the same predicates as the queues themselves).
"""

from urllib.parse import urlencode

from django.db.models import Count, Min
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
GRANT_STAGES_TO_CHECK = (GrantStage.SUBMITTED, GrantStage.COMPLETE, GrantStage.ACCOUNTS)


def _waiting_detail(oldest) -> str:
    days = days_waiting(oldest)
    return ngettext(
        "the oldest has waited %(days)d day", "the oldest has waited %(days)d days", days
    ) % {"days": days}


def proposal_items(*, user, committee) -> list[WorkspaceItem]:
    visible = ProposalPolicy(Proposal).instances_user_has_permission_for(user, "change")
    waiting = (
        Proposal.objects.filter(
            pk__in=visible.values("pk"),
            budget_round__committee=committee,
            state__in=WAITING_STATES,
        )
        .values("state")
        .annotate(count=Count("pk"), oldest=Min("submitted_at"))
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
    items = []
    for row in sorted(waiting, key=lambda r: WAITING_STATES.index(r["state"])):
        query = urlencode({"state": row["state"], "budget_round__committee": committee.pk})
        items.append(
            WorkspaceItem(
                label=labels[row["state"]](row["count"]) % {"count": row["count"]},
                detail=_waiting_detail(row["oldest"]),
                url=f"{reverse('proposal:index')}?{query}",
                order=10 if row["state"] == State.SUBMITTED else 11,
            )
        )
    return items


def reported_items(*, user, committee) -> list[WorkspaceItem]:
    """Proposals and comments with open reports from residents: the moderators' to handle, in
    the moderation queue."""
    if not is_moderator_of(user, committee.pk):
        return []
    queue = moderation_queue(committee_ids={committee.pk})
    proposals = sum(1 for item in queue if item.kind == "proposal")
    comments = len(queue) - proposals
    items = []
    if proposals:
        label = ngettext("%(count)d reported proposal", "%(count)d reported proposals", proposals)
        items.append((label % {"count": proposals}, 20))
    if comments:
        label = ngettext("%(count)d reported comment", "%(count)d reported comments", comments)
        items.append((label % {"count": comments}, 21))
    return [
        WorkspaceItem(label=label, url=reverse("moderation_queue"), order=order)
        for label, order in items
    ]


def grant_items(*, user, committee) -> list[WorkspaceItem]:
    committee_ids = grant_committee_ids(user)
    if not sees_grants(user) or (committee_ids is not None and committee.pk not in committee_ids):
        return []
    items = []
    for stage in GRANT_STAGES_TO_CHECK:
        applications = GrantApplication.objects.filter(
            stage=stage, proposal__budget_round__committee=committee
        )
        count = applications.count()
        if not count:
            continue
        next_deadline = (
            applications.filter(deadline__closes_at__gte=timezone.now())
            .order_by("deadline__closes_at")
            .values_list("deadline__closes_at", flat=True)
            .first()
        )
        items.append(
            WorkspaceItem(
                label=ngettext(
                    "%(count)d grant application: %(stage)s",
                    "%(count)d grant applications: %(stage)s",
                    count,
                )
                % {"count": count, "stage": GrantStage(stage).label.lower()},
                detail=(
                    ngettext("deadline %(when)s", "next deadline %(when)s", count)
                    % {"when": when(next_deadline)}
                    if next_deadline
                    else ""
                ),
                url=f"{reverse('grant_queue')}?{urlencode({'stage': stage})}",
                order=30,
            )
        )
    return items


@hooks.register("workspace_items")
def workspace_items(*, user, committee):
    return [
        *proposal_items(user=user, committee=committee),
        *reported_items(user=user, committee=committee),
        *grant_items(user=user, committee=committee),
    ]
