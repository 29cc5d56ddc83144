"""Who may do what with a proposal: the roles the workflow knows, declared in one place."""

from allauth.account.models import EmailAddress
from wagtail.permission_policies.base import BasePermissionPolicy

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
    """Public proposals to all; a draft to its author alone; the rest also to its staff."""
    if proposal.is_public:
        return True
    roles = roles_of(user, proposal)
    if proposal.state == "draft":
        return AUTHOR in roles
    return AUTHOR in roles or bool(roles & {MODERATOR, REVIEWER})


class ProposalPolicy(BasePermissionPolicy):
    """Admin access to proposals: moderators of the committee, reviewers of the round.

    A Wagtail permission policy: nobody adds proposals in the admin (residents do, on the site),
    and nobody deletes them (they are part of the public record).
    """

    def _visible(self, user):
        from django.db.models import Q

        if not (user and user.is_authenticated and user.is_active):
            return self.model.objects.none()
        queryset = self.model.objects.exclude(state="draft")
        if user.is_superuser:
            return queryset
        return queryset.filter(
            Q(budget_round__committee_id__in=committee_ids_for(user))
            | Q(budget_round__committee_id__in=committee_ids_for(user, CommitteeRole.Role.REVIEWER))
            | Q(budget_round__reviewers=user)
        ).distinct()

    def user_has_permission(self, user, action):
        if action not in {"change", "view"}:
            return False
        return self._visible(user).exists() or bool(
            user and user.is_authenticated and (user.is_superuser or committee_ids_for(user))
        )

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return action in {"change", "view"} and self._visible(user).filter(pk=instance.pk).exists()

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not set(actions) & {"change", "view"}:
            return self.model.objects.none()
        return self._visible(user)

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(is_superuser=True)

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])
