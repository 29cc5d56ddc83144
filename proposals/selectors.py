"""Reads of the proposals app."""

from django.db.models import BigIntegerField, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast, Mod

from committees.models import BudgetRound
from proposals.models import (
    Comment,
    Proposal,
    ProposalImage,
    State,
    StatusChange,
    TrackedProject,
)

LISTED_STATES = [s for s in State.values if s not in (State.DRAFT, State.WITHDRAWN, State.MERGED)]
SHUFFLE_MODULUS = 2_147_483_629  # a prime below 2**31


def proposal_list(
    *,
    budget_round: BudgetRound,
    q: str = "",
    category: int | None = None,
    state: str = "",
    kind: str = "",
    cost_min: int | None = None,
    cost_max: int | None = None,
    sort: str = "new",
    seed: int = 1,
) -> QuerySet[Proposal]:
    """The public proposals of a round, filtered and sorted, with what a list row shows."""
    proposals = Proposal.objects.filter(budget_round=budget_round, hidden=False)
    proposals = (
        proposals.filter(state=state) if state else proposals.filter(state__in=LISTED_STATES)
    )
    if q:
        proposals = proposals.filter(
            Q(title__icontains=q) | Q(summary__icontains=q) | Q(case_number__iexact=q)
        )
    if category:
        proposals = proposals.filter(category_id=category)
    if kind:
        proposals = proposals.filter(submitter_kind=kind)
    if cost_min is not None:
        proposals = proposals.filter(estimated_cost__gte=cost_min)
    if cost_max is not None:
        proposals = proposals.filter(estimated_cost__lte=cost_max)
    # The list shows neither the description nor the checklist: keep them out of the sort.
    proposals = proposals.defer("description", "checklist_answers")
    proposals = proposals.select_related("category", "budget_round").prefetch_related(
        Prefetch("images", queryset=ProposalImage.objects.select_related("image"))
    )
    if budget_round.is_grant_pool:  # its stage names a recommended application's state
        proposals = proposals.select_related("grant")
    if sort == "support":
        return proposals.order_by("-support_count", "-submitted_at", "-pk")
    if sort == "random":
        # A stable order per visitor (seed kept in the session), a different one for each.
        shuffle = Mod(
            Cast(F("random_key"), BigIntegerField()) * Value(seed, BigIntegerField()),
            Value(SHUFFLE_MODULUS, BigIntegerField()),
        )
        return proposals.annotate(shuffle=shuffle).order_by("shuffle", "pk")
    return proposals.order_by("-submitted_at", "-pk")


def proposal_detail(*, pk: int) -> Proposal | None:
    return (
        Proposal.objects.select_related(
            "budget_round__committee__page",
            "category",
            "author",
            "merged_into",
            "tracking",
            "inspired_by__budget_round__committee",
        )
        .prefetch_related(
            Prefetch("images", queryset=ProposalImage.objects.select_related("image")),
            "attachments",
            Prefetch(
                "history",
                queryset=StatusChange.objects.select_related("meeting").order_by(
                    "created_at", "pk"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def changes_asked(*, proposal: Proposal) -> str:
    """What the committee asked the author to change: the reason of the last sending back."""
    change = (
        proposal.history.filter(to_state=State.NEEDS_CHANGES).order_by("-created_at", "-pk").first()
    )
    return change.public_reason if change else ""


def proposal_comments(*, proposal: Proposal, with_revisions: bool = False) -> QuerySet[Comment]:
    """The threads of a proposal's discussion: its comments without a parent, oldest first, each
    with its answers. Moderators also get the texts as they were before an edit or deletion."""
    replies = Comment.objects.select_related("author").order_by("created_at", "pk")
    lookups = ["revisions", "replies__revisions"] if with_revisions else []
    return (
        proposal.comments.filter(parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies), *lookups)
        .order_by("created_at", "pk")
    )


def proposals_of(*, user) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(author=user)
        .select_related("budget_round__committee")
        .order_by("-updated_at")
    )


def supports_of(*, user) -> QuerySet[Proposal]:
    """The proposals the person supports, newest support first."""
    return (
        Proposal.objects.filter(supports__user=user)
        .select_related("budget_round__committee")
        .order_by("-supports__created_at", "-pk")
    )


def followed_projects_of(*, user) -> QuerySet[TrackedProject]:
    """The funded projects the person follows by e-mail."""
    return (
        TrackedProject.objects.filter(subscriptions__user=user)
        .select_related("proposal__budget_round__committee")
        .order_by("-subscriptions__created_at", "-pk")
    )


def user_supports(*, user, proposals) -> set[int]:
    if not user.is_authenticated:
        return set()
    ids = [p.pk for p in proposals]
    return set(user.supports.filter(proposal_id__in=ids).values_list("proposal_id", flat=True))


ON_BALLOT_STATES = [
    State.FEASIBLE,
    State.SELECTED,
    State.NOT_SELECTED,
    State.IN_PROGRESS,
    State.COMPLETED,
    State.CANCELLED,  # a funded project stopped later was still on the ballot and selected
]
