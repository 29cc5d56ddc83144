"""Writes of following a single proposal: following and no longer following.

Who may follow is `proposals.permissions.may_follow`: a published proposal the person can see,
with a verified e-mail address (residents act only with one). Following twice is once.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from proposals.models import Proposal, ProposalFollow
from proposals.permissions import may_follow, require_verified


def proposal_follow(*, user, proposal: Proposal) -> bool:
    """Follow the proposal's state changes by e-mail. True when newly following."""
    require_verified(user)
    if not may_follow(user, proposal):
        raise PermissionDenied(_("This proposal cannot be followed."))
    _follow, created = ProposalFollow.objects.get_or_create(proposal=proposal, user=user)
    return created


def proposal_unfollow(*, user, proposal: Proposal) -> bool:
    """Stop following; allowed whatever became of the proposal. True when one was following."""
    deleted, _rows = ProposalFollow.objects.filter(proposal=proposal, user=user).delete()
    return bool(deleted)
