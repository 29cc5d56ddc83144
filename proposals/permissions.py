"""Who may do what with a proposal: the roles the workflow knows, declared in one place."""

from allauth.account.models import EmailAddress

from committees.models import CommitteeRole
from committees.permissions import committee_ids_for, is_moderator_of
from proposals.models import Proposal

AUTHOR = "author"
MODERATOR = "moderator"
REVIEWER = "reviewer"


def has_verified_email(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def is_reviewer_of(user, proposal: Proposal) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    budget_round = proposal.budget_round
    return budget_round.reviewers.filter(
        pk=user.pk
    ).exists() or budget_round.committee_id in committee_ids_for(user, CommitteeRole.Role.REVIEWER)


def roles_of(user, proposal: Proposal) -> set[str]:
    roles = set()
    if not (user and user.is_authenticated and user.is_active):
        return roles
    if proposal.author_id == user.pk:
        roles.add(AUTHOR)
    if is_moderator_of(user, proposal.budget_round.committee_id):
        roles.add(MODERATOR)
    if is_reviewer_of(user, proposal):
        roles.add(REVIEWER)
    return roles


def can_view(user, proposal: Proposal) -> bool:
    return (
        proposal.is_public
        or AUTHOR in roles_of(user, proposal)
        or bool(roles_of(user, proposal) & {MODERATOR, REVIEWER})
    )
