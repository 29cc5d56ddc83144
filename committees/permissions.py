"""Who may do what with the committees app's plain models: one declared, committee-scoped policy.

Site admins (superusers) may do everything. A committee's moderators may add, change and
delete the rounds and meetings of their own committee only. Page permissions (the committee's
pages in Wagtail's page tree) are granted through Wagtail's group page permissions instead;
see `committees.services.committee_role_grant`.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies.base import BasePermissionPolicy

from committees.models import CommitteeRole

ACTIONS = {"add", "change", "delete", "view"}


def is_signed_in(user) -> bool:
    """Signed in with an account that is active: the first condition of every other predicate."""
    return bool(user and user.is_authenticated and user.is_active)


def committee_ids_for(user, role: str = CommitteeRole.Role.MODERATOR) -> set[int]:
    if not is_signed_in(user):
        return set()
    cache = user.__dict__.setdefault("_committee_ids_by_role", {})
    if role not in cache:
        cache[role] = set(
            CommitteeRole.objects.filter(user=user, role=role).values_list(
                "committee_id", flat=True
            )
        )
    return cache[role]


def is_moderator_of(user, committee_id: int | None) -> bool:
    if not is_signed_in(user):
        return False
    return user.is_superuser or committee_id in committee_ids_for(user)


class CommitteeScopedPolicy(BasePermissionPolicy):
    """For models with a `committee` foreign key."""

    committee_field = "committee"

    def user_has_permission(self, user, action):
        if not is_signed_in(user) or action not in ACTIONS:
            return False
        return user.is_superuser or bool(committee_ids_for(user))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        if not set(actions) & ACTIONS:
            return get_user_model().objects.none()
        return (
            get_user_model()
            .objects.filter(
                Q(is_superuser=True) | Q(committee_roles__role=CommitteeRole.Role.MODERATOR),
                is_active=True,
            )
            .distinct()
        )

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])

    def _committee_id(self, instance):
        return getattr(instance, f"{self.committee_field}_id")

    def user_has_permission_for_instance(self, user, action, instance):
        return action in ACTIONS and is_moderator_of(user, self._committee_id(instance))

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        if not is_signed_in(user) or not set(actions) & ACTIONS:
            return queryset.none()
        if user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.committee_field}_id__in": committee_ids_for(user)})

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions).filter(
            Q(is_superuser=True) | Q(committee_roles__committee_id=self._committee_id(instance))
        )

    def users_with_permission_for_instance(self, action, instance):
        return self.users_with_any_permission_for_instance([action], instance)
