"""Reads of following a single proposal: whether one follows it, what one follows, who does."""

from django.db.models import QuerySet

from committees.models import User
from proposals.models import Proposal, ProposalFollow


def is_following(*, user, proposal: Proposal) -> bool:
    if not user.is_authenticated:
        return False
    return ProposalFollow.objects.filter(user=user, proposal=proposal).exists()


def followed_proposals_of(*, user) -> QuerySet[Proposal]:
    """The proposals the person follows, the last followed first."""
    return (
        Proposal.objects.filter(follows__user=user)
        .select_related("budget_round__committee")
        .order_by("-follows__created_at", "-pk")
    )


def followers_of(*, proposal: Proposal) -> QuerySet[User]:
    """Active accounts following the proposal, its author left out (the author is told anyway)."""
    users = User.objects.filter(proposal_follows__proposal=proposal, is_active=True)
    if proposal.author_id:
        users = users.exclude(pk=proposal.author_id)
    return users.order_by("pk")
