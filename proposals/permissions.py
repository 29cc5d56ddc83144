"""Who may do what in the proposals app, grants and follow-up included: every predicate here.

The roles are the workflow's (proposals/workflow.py says who may move a proposal where, and who
takes each step of a grant application); these functions work them out for a person.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _
from wagtail.permission_policies.base import BasePermissionPolicy

from committees.models import CommitteeRole
from committees.permissions import committee_ids_for, is_moderator_of, is_signed_in
from proposals.models import GrantApplication, GrantStage, Proposal, TrackedProject
from proposals.workflow import AUTHOR, GRANT_STAGE_ROLES, MODERATOR, REVIEWER

STAFF = frozenset({MODERATOR, REVIEWER})


def has_verified_email(user) -> bool:
    if not is_signed_in(user):
        return False
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def require_verified(user) -> None:
    """Residents act (propose, support, comment, follow) only with a verified e-mail address."""
    if not has_verified_email(user):
        raise PermissionDenied(_("Log in with a verified e-mail address first."))


def is_reviewer_of(user, proposal: Proposal) -> bool:
    if not is_signed_in(user):
        return False
    budget_round = proposal.budget_round
    return budget_round.reviewers.filter(
        pk=user.pk
    ).exists() or budget_round.committee_id in committee_ids_for(user, CommitteeRole.Role.REVIEWER)


def roles_of(user, proposal: Proposal) -> set[str]:
    roles = set()
    if not is_signed_in(user):
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
    return AUTHOR in roles or bool(roles & STAFF)


def may_support(user, proposal: Proposal) -> bool:
    """Support says that others want the proposal too: never its author's own (nor a former
    author's, whose proposal has no author left to compare with, so anyone may support it)."""
    return is_signed_in(user) and proposal.author_id != user.pk


def may_follow(user, proposal: Proposal) -> bool:
    """Following tells of a published proposal's state changes: not a draft, not one a moderator
    hid, and not one's own (its author is told anyway)."""
    return (
        is_signed_in(user)
        and proposal.is_public
        and not proposal.hidden
        and proposal.author_id != user.pk
        and can_view(user, proposal)
    )


def may_change_comment(user, comment) -> bool:
    """A comment's text is its author's: they edit or delete it, nobody else (moderators hide)."""
    return is_signed_in(user) and comment.author_id is not None and comment.author_id == user.pk


def may_see_files(user, proposal: Proposal) -> bool:
    """A proposal's images and attachments: everyone's once it is published; before, its author's
    and its committee's staff's (moderators and reviewers), never another resident's.
    """
    return proposal.is_public or bool(roles_of(user, proposal) & {AUTHOR, *STAFF})


# --- Taking part without an account (proposals/intake/) --------------------------------------


def may_enter_for_residents(user, committee_id: int | None) -> bool:
    """Staff at a library or citizen service desk enter ideas and supports for residents who have
    no account, after checking their ID: the committee's secretariat, who hold its moderator role
    (and site admins). Reviewers, meeting hosts and polling staff do not."""
    return is_moderator_of(user, committee_id)


def intake_committee_ids(user) -> set[int] | None:
    """The committees a person enters ideas for; None for site admins (all)."""
    if not is_signed_in(user):
        return set()
    if user.is_superuser:
        return None
    return committee_ids_for(user)


# --- Moderation of reported proposals and comments -----------------------------------------


def may_moderate(user, proposal: Proposal) -> bool:
    """Hiding and restoring a proposal or its comments, and seeing their reports: the moderators
    of the proposal's committee (and site admins), nobody else."""
    return is_moderator_of(user, proposal.budget_round.committee_id)


def moderation_committee_ids(user) -> set[int] | None:
    """The committees whose reports the person handles; None for site admins (all)."""
    if not is_signed_in(user):
        return set()
    if user.is_superuser:
        return None
    return committee_ids_for(user)


def sees_moderation(user) -> bool:
    return is_signed_in(user) and (user.is_superuser or bool(committee_ids_for(user)))


def may_report(user, proposal: Proposal) -> bool:
    """A resident with a verified e-mail address reports a published proposal of someone else's,
    or a comment on one."""
    return (
        proposal.is_public
        and proposal.author_id != getattr(user, "pk", None)
        and has_verified_email(user)
    )


def may_report_comment(user, comment) -> bool:
    """Someone else's comment, shown (not hidden) on a published proposal, by a resident with a
    verified e-mail address."""
    return (
        comment.proposal.is_public
        and not comment.hidden
        and not comment.is_deleted  # its text is gone from public view
        and comment.author_id != getattr(user, "pk", None)
        and has_verified_email(user)
    )


# --- Grant applications ----------------------------------------------------------------------


def grant_roles_of(user, application: GrantApplication) -> set[str]:
    """The person's roles on an application; a draft is its author's alone, as every proposal's."""
    roles = roles_of(user, application.proposal)
    if application.stage == GrantStage.DRAFT:
        roles &= {AUTHOR}
    return roles


def may_take_grant_step(user, application: GrantApplication, stage: str) -> bool:
    """Whether the person takes the staff step of `stage` (the workflow's GRANT_STAGE_ROLES)."""
    return bool(roles_of(user, application.proposal) & GRANT_STAGE_ROLES.get(stage, set()))


def grant_committee_ids(user) -> set[int] | None:
    """The committees whose applications the person handles; None for site admins (all)."""
    if user.is_superuser:
        return None
    return committee_ids_for(user) | committee_ids_for(user, CommitteeRole.Role.REVIEWER)


def sees_grants(user) -> bool:
    return bool(user.is_superuser or grant_committee_ids(user))


# --- Follow-up of funded projects ------------------------------------------------------------


def may_edit_project(user, project: TrackedProject) -> bool:
    """The committee's moderators (and site admins) edit a funded project's follow-up."""
    return is_moderator_of(user, project.proposal.budget_round.committee_id)


def follow_up_committee_ids(user) -> set[int] | None:
    """The committees whose projects the person follows up; None for site admins (all)."""
    if not is_signed_in(user):
        return set()
    if user.is_superuser:
        return None
    return committee_ids_for(user)


def sees_follow_up(user) -> bool:
    return bool(user.is_superuser or committee_ids_for(user))


class ProposalPolicy(BasePermissionPolicy):
    """Admin access to proposals: moderators of the committee, reviewers of the round.

    A Wagtail permission policy: nobody adds proposals in the admin (residents do, on the site),
    and nobody deletes them (they are part of the public record).
    """

    def _visible(self, user):
        if not is_signed_in(user):
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
        return get_user_model().objects.filter(is_superuser=True)

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])
