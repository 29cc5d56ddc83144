"""Writes of the proposals app: drafts, submission, the review workflow, merges, supports,
comments. Grant steps are in proposals/grants/, the follow-up of funded projects in
proposals/tracking/."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from committees.models import BudgetRound, Phase
from committees.services import audit_record
from frontend.text import without_control_characters
from proposals import notifications
from proposals.models import (
    AssistedSupport,
    Comment,
    GrantApplication,
    Proposal,
    Review,
    State,
    StatusChange,
    Support,
)
from proposals.models.comments import COMMENT_MAX_LENGTH, CommentRevision
from proposals.permissions import (
    AUTHOR,
    MODERATOR,
    REVIEWER,
    may_change_comment,
    may_support,
    require_verified,
    roles_of,
)
from proposals.richtext import DESCRIPTION_MAX_LENGTH, clean_description
from proposals.validation import proposal_problems
from proposals.workflow import GRANT_TRANSITIONS, SYSTEM, TRANSITIONS

# What the author edits, in the order the form shows it (proposals/forms.py uses this list);
# the answers to the round's checklist come with them as "checklist_answers".
EDITABLE_FIELDS = (
    "submitter_kind",
    "organisation_name",
    "cvr_number",
    "contact_person",
    "title",
    "summary",
    "description",
    "estimated_cost",
    "category",
    "location_text",
    "latitude",
    "longitude",
)
SUPPORTABLE_STATES = {State.SUBMITTED, State.IN_REVIEW, State.FEASIBLE}


# --- Drafts and submission -------------------------------------------------------------------

# The text an author types, and how long it may be (the model's lengths; the description's is
# counted as typed, before cleaning). Checked before any cleaning, cleaned before any transaction.
TEXT_LIMITS = {
    "organisation_name": 200,
    "contact_person": 150,
    "title": 120,
    "summary": 300,
    "description": DESCRIPTION_MAX_LENGTH,
    "location_text": 200,
}
MULTI_LINE = {"summary", "description"}


def proposal_text_prepare(data: dict) -> dict:
    """The author's text made ready to store: lengths checked first, so nothing too long is ever
    cleaned; control characters removed; the description cleaned. Pure and idempotent, so a view
    can call it before its transaction and the save call it again for next to nothing."""
    problems = {}
    prepared = dict(data)
    for field, limit in TEXT_LIMITS.items():
        if field not in data:
            continue
        value = data[field] or ""
        if len(value) > limit:
            problems[field] = _("At most %(limit)s characters (you wrote %(count)s).") % {
                "limit": number_format(limit, force_grouping=True),
                "count": number_format(len(value), force_grouping=True),
            }
            continue
        value = without_control_characters(value, single_line=field not in MULTI_LINE).strip()
        prepared[field] = clean_description(value) if field == "description" else value
    if problems:
        raise ValidationError(problems)
    return prepared


def proposal_draft_save(
    *, author, budget_round: BudgetRound, data: dict, proposal: Proposal | None = None
) -> Proposal:
    """Save whatever was typed so far. Drafts survive deadlines and expired sessions."""
    require_verified(author)
    data = proposal_text_prepare(data)  # idempotent: the view prepared it before its transaction
    if proposal is None:
        proposal = Proposal(budget_round=budget_round, author=author)
    elif proposal.author_id != author.pk:
        raise PermissionDenied(_("Only the author can change this proposal."))
    elif proposal.budget_round_id != budget_round.pk:
        raise ValidationError(_("This proposal belongs to another round."))
    if proposal.pk and not proposal_is_editable(proposal):
        raise ValidationError(_("The proposal can no longer be changed: review has started."))
    for field in (*EDITABLE_FIELDS, "checklist_answers"):
        if field in data:
            setattr(proposal, field, data[field])
    if proposal.state != State.DRAFT:
        problems = proposal_problems(proposal)  # a submitted proposal stays complete
        if problems:
            raise ValidationError(problems)
    if not proposal.random_key:
        proposal.random_key = secrets.randbelow(2**31)
    proposal.save()
    return proposal


def proposal_is_editable(proposal: Proposal) -> bool:
    if proposal.state == State.DRAFT:
        return True
    if proposal.state == State.NEEDS_CHANGES:  # sent back: the author changes it, in any phase
        return not proposal.budget_round.voting_has_opened
    return proposal.state == State.SUBMITTED and proposal.budget_round.phase == Phase.IDEAS


@transaction.atomic
def proposal_submit(*, author, proposal: Proposal) -> Proposal:
    """Submit a complete draft during the ideas phase: case number, history, receipt e-mail."""
    require_verified(author)
    proposal = (
        Proposal.objects.select_for_update().select_related("budget_round").get(pk=proposal.pk)
    )
    if proposal.author_id != author.pk:
        raise PermissionDenied(_("Only the author can submit this proposal."))
    return proposal_number(proposal=proposal, actor=author)


def proposal_number(*, proposal: Proposal, actor) -> Proposal:
    """The one step that makes a locked, complete draft a submitted proposal: the ideas phase,
    the case number, the history and the receipt. Its callers check who `actor` is first: the
    author (proposal_submit), or staff entering a resident's idea (proposals/intake/)."""
    if proposal.state != State.DRAFT:
        raise ValidationError(_("The proposal has already been submitted."))
    if proposal.budget_round.phase != Phase.IDEAS:
        raise ValidationError(
            _("The round does not take proposals now. Your draft is kept."), code="deadline"
        )
    problems = proposal_problems(proposal)
    if problems:
        raise ValidationError(problems)
    proposal.state = State.SUBMITTED
    proposal.submitted_at = timezone.now()
    proposal.case_number = f"BB-{proposal.budget_round_id:03d}-{proposal.pk:05d}"
    proposal.save(update_fields=["state", "submitted_at", "case_number", "updated_at"])
    StatusChange.objects.create(
        proposal=proposal, from_state=State.DRAFT, to_state=State.SUBMITTED, actor=actor
    )
    transaction.on_commit(lambda: notifications.send_receipt(proposal_id=proposal.pk))
    return proposal


@transaction.atomic
def proposal_resubmit(*, author, proposal: Proposal) -> Proposal:
    """Submit a proposal that was sent back for changes again: same case number, and the history
    shows the round trip (sent back with what to change, submitted again)."""
    require_verified(author)
    proposal = (
        Proposal.objects.select_for_update().select_related("budget_round").get(pk=proposal.pk)
    )
    if proposal.author_id != author.pk:
        raise PermissionDenied(_("Only the author can submit this proposal."))
    if proposal.state != State.NEEDS_CHANGES:
        raise ValidationError(_("Only a proposal sent back for changes can be submitted again."))
    if proposal.budget_round.voting_has_opened:
        raise ValidationError(_("Voting has opened: the proposal can no longer be changed."))
    problems = proposal_problems(proposal)
    if problems:
        raise ValidationError(problems)
    return proposal_transition(
        actor=author, proposal=proposal, target=State.SUBMITTED, roles={AUTHOR}
    )


@transaction.atomic
def proposal_withdraw(*, author, proposal: Proposal) -> Proposal:
    if proposal.budget_round.voting_has_opened:
        raise ValidationError(_("Proposals can only be withdrawn before voting opens."))
    return proposal_transition(
        actor=author, proposal=proposal, target=State.WITHDRAWN, roles={AUTHOR}
    )


# --- The review workflow ---------------------------------------------------------------------


@transaction.atomic
def proposal_transition(
    *,
    actor,
    proposal: Proposal,
    target: str,
    reason: str = "",
    roles: set[str] | None = None,
    merged_into: Proposal | None = None,
    notify: bool = True,
    grant_step: bool = False,
    stages: tuple[str, str] = ("", ""),
) -> Proposal:
    """Make one allowed move of the state machine, as one of the allowed roles, and record it.

    notify=False: the caller tells the author itself (the results e-mail does, for example).
    grant_step=True: a step of the grant process (proposals/grants/services.py) moves a grant
    application's proposal, by the workflow's GRANT_TRANSITIONS; no other path can move one.
    stages: the grant application's stages before and after the step, for its history.
    """
    # A real cycle: the follow-up's services make their moves through this function.
    from proposals.tracking.services import (
        TRACKED_STATES,
        tracked_project_ensure,
        tracked_project_follow,
    )

    proposal = (
        Proposal.objects.select_for_update().select_related("budget_round").get(pk=proposal.pk)
    )
    is_grant = GrantApplication.objects.filter(proposal_id=proposal.pk).exists()
    if is_grant and not grant_step:
        raise ValidationError(
            _("A grant application moves only through the steps of the grant process."),
            code="grant",
        )
    transition = (GRANT_TRANSITIONS if is_grant else TRANSITIONS).get((proposal.state, target))
    if transition is None:
        raise ValidationError(
            _("A proposal that is %(source)s cannot become %(target)s.")
            % {"source": State(proposal.state).label, "target": State(target).label},
            code="transition",
        )
    actual_roles = roles if actor is None else roles_of(actor, proposal)
    if roles is not None and actor is not None:
        actual_roles = actual_roles & roles
    if not (transition.roles & (actual_roles or set())):
        raise PermissionDenied(_("You may not make this change."))
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise ValidationError(_("Give a public reason."), code="reason")
    source = proposal.state
    proposal.state = target
    proposal.merged_into = merged_into if target == State.MERGED else None
    proposal.save(update_fields=["state", "merged_into", "updated_at"])
    StatusChange.objects.create(
        proposal=proposal,
        from_state=source,
        to_state=target,
        actor=actor,
        public_reason=reason,
        from_stage=stages[0],
        to_stage=stages[1],
    )
    audit_record(
        actor=actor,
        action="proposal.transition",
        obj=proposal,
        reason=reason,
        committee_id=proposal.budget_round.committee_id,
        data={"from": source, "to": target},
    )
    # Every funded project is followed up; a grant through its accounts and payout instead.
    if target == State.SELECTED and not is_grant:
        tracked_project_ensure(proposal=proposal)
    elif target in TRACKED_STATES and not is_grant:
        tracked_project_follow(proposal=proposal, target=target, reason=reason)
    if transition.public and notify:
        transaction.on_commit(
            lambda: notifications.send_state_change(proposal_id=proposal.pk, reason=reason)
        )
    return proposal


def proposal_transition_by_system(
    *, proposal: Proposal, target: str, notify: bool = True
) -> Proposal:
    return proposal_transition(
        actor=None, proposal=proposal, target=target, roles={SYSTEM}, notify=notify
    )


@transaction.atomic
def review_record(
    *,
    reviewer,
    proposal: Proposal,
    feasible: bool,
    revised_cost: int | None = None,
    internal_notes: str = "",
    public_reason: str = "",
) -> Review:
    """A reviewer's feasibility and cost check; it moves the proposal out of review, to the
    ballot or to "not feasible" (never to "rejected", which is a moderator's decision under the
    round's rules). The statistics count these records."""
    if REVIEWER not in roles_of(reviewer, proposal) and MODERATOR not in roles_of(
        reviewer, proposal
    ):
        raise PermissionDenied(_("Only the round's reviewers can review this proposal."))
    if revised_cost is not None and revised_cost <= 0:
        raise ValidationError({"revised_cost": _("The revised cost must be more than 0 kr.")})
    review = Review.objects.create(
        proposal=proposal,
        reviewer=reviewer,
        feasible=feasible,
        revised_cost=revised_cost,
        internal_notes=internal_notes,
    )
    if revised_cost is not None:
        Proposal.objects.filter(pk=proposal.pk).update(revised_cost=revised_cost)
    proposal_transition(
        actor=reviewer,
        proposal=proposal,
        target=State.FEASIBLE if feasible else State.INFEASIBLE,
        reason=public_reason,
    )
    return review


REVIEW_OUTCOMES = {State.FEASIBLE: True, State.INFEASIBLE: False}


def proposal_move(
    *,
    actor,
    proposal: Proposal,
    target: str,
    reason: str = "",
    revised_cost: int | None = None,
    internal_notes: str = "",
) -> Proposal:
    """One staff move from the admin, alone or in bulk: out of review to feasible or not
    feasible it is a review (one Review record per proposal, so the statistics count bulk moves
    too); any other move is a plain transition."""
    if proposal.state == State.IN_REVIEW and target in REVIEW_OUTCOMES:
        review_record(
            reviewer=actor,
            proposal=proposal,
            feasible=REVIEW_OUTCOMES[target],
            revised_cost=revised_cost,
            internal_notes=internal_notes,
            public_reason=reason,
        )
        proposal.refresh_from_db()
        return proposal
    return proposal_transition(actor=actor, proposal=proposal, target=target, reason=reason)


@transaction.atomic
def proposal_merge(*, moderator, duplicate: Proposal, survivor: Proposal, reason: str) -> Proposal:
    """Merge a duplicate into a survivor; supports move over without counting anyone twice."""
    if duplicate.pk == survivor.pk or duplicate.budget_round_id != survivor.budget_round_id:
        raise ValidationError(_("Only two different proposals of the same round can be merged."))
    if survivor.state not in SUPPORTABLE_STATES:
        raise ValidationError(_("The surviving proposal must be submitted, in review or feasible."))
    proposal_transition(
        actor=moderator,
        proposal=duplicate,
        target=State.MERGED,
        reason=reason,
        merged_into=survivor,
    )
    already = Support.objects.filter(proposal=survivor).values("user_id")
    at_desk = AssistedSupport.objects.filter(proposal=survivor, account__isnull=False)
    # The survivor's author may have supported the duplicate: that support does not move over;
    # nor does one whose account a desk already entered a support for on the survivor.
    Support.objects.filter(proposal=duplicate).exclude(user_id__in=already).exclude(
        user_id__in=at_desk.values("account_id")
    ).exclude(user_id=survivor.author_id).update(proposal=survivor)
    Support.objects.filter(proposal=duplicate).delete()
    # Supports entered at a desk (proposals/intake/) move the same way, once per resident and
    # once per account, online or at a desk.
    already = AssistedSupport.objects.filter(proposal=survivor).values("resident_key")
    moving = (
        AssistedSupport.objects.filter(proposal=duplicate)
        .exclude(resident_key__in=already)
        .exclude(account_id__in=Support.objects.filter(proposal=survivor).values("user_id"))
        .exclude(account_id__in=at_desk.values("account_id"))
    )
    if survivor.author_id is not None:
        moving = moving.exclude(account_id=survivor.author_id)
    moving.update(proposal=survivor)
    AssistedSupport.objects.filter(proposal=duplicate).delete()
    for proposal in (duplicate, survivor):
        Proposal.objects.filter(pk=proposal.pk).update(
            support_count=Support.objects.filter(proposal=proposal).count()
            + AssistedSupport.objects.filter(proposal=proposal).count()
        )
    transaction.on_commit(
        lambda: notifications.send_merged(
            survivor_id=survivor.pk, duplicate_id=duplicate.pk, reason=reason
        )
    )
    survivor.refresh_from_db()
    return survivor


# --- Support ---------------------------------------------------------------------------------


def takes_supports(proposal: Proposal) -> bool:
    return (
        not proposal.hidden
        and proposal.state in SUPPORTABLE_STATES
        and not proposal.is_grant_application
    )


def support_add(*, user, proposal: Proposal) -> bool:
    """Support a proposal once. True when a support was added, False when it already was."""
    require_verified(user)
    if not may_support(user, proposal):
        raise PermissionDenied(_("You cannot support your own proposal."))
    # A proposal a moderator hid takes no supports until it is shown again; a grant application
    # is decided by the committee, so support would count for nothing.
    if not takes_supports(proposal):
        raise ValidationError(_("This proposal cannot be supported."))
    if proposal.budget_round.phase not in (Phase.IDEAS, Phase.REVIEW):
        raise ValidationError(_("Supports are collected until the review ends."))
    try:
        with transaction.atomic():
            # A support a desk entered for this account is this person's support already
            # (proposals/intake/services.py); the proposal's row is locked there and here, so
            # the two cannot both count when they come at the same moment.
            Proposal.objects.select_for_update().filter(pk=proposal.pk).first()
            if AssistedSupport.objects.filter(account=user, proposal=proposal).exists():
                return False
            Support.objects.create(user=user, proposal=proposal)
            Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def support_remove(*, user, proposal: Proposal) -> bool:
    # The ballot list is written from the supports when voting opens: from then on a support
    # stays, so that no supporter can take a project off the ballot the others are voting on.
    if proposal.budget_round.voting_has_opened:
        raise ValidationError(
            _("Supports cannot be withdrawn once voting has opened."), code="voting_open"
        )
    deleted, _rows = Support.objects.filter(user=user, proposal=proposal).delete()
    if deleted:
        Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") - 1)
    return bool(deleted)


# --- Comments --------------------------------------------------------------------------------


def comment_text_prepare(body: str) -> str:
    """A comment as it is stored: plain text (shown escaped), control characters removed."""
    body = without_control_characters(body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("A comment can be at most %(limit)s characters (you wrote %(count)s).")
                % {
                    "limit": number_format(COMMENT_MAX_LENGTH, force_grouping=True),
                    "count": number_format(len(body), force_grouping=True),
                }
            }
        )
    return body


def proposal_takes_comments(proposal: Proposal) -> bool:
    return proposal.is_public and proposal.state != State.WITHDRAWN


def comment_is_answerable(comment: Comment) -> bool:
    return not comment.hidden and not comment.is_deleted


def comment_add(
    *, author, proposal: Proposal, body: str, reply_to: Comment | None = None
) -> Comment:
    """A comment, or an answer to one. Threads are one level deep: an answer to an answer joins
    the thread of the comment it answers."""
    require_verified(author)
    body = comment_text_prepare(body)
    if not proposal_takes_comments(proposal):
        raise ValidationError(_("This proposal cannot be commented on."))
    parent = None
    if reply_to is not None:
        if reply_to.proposal_id != proposal.pk:
            raise ValidationError(_("The comment you answered belongs to another proposal."))
        if not comment_is_answerable(reply_to):
            raise ValidationError(_("This comment can no longer be answered."))
        parent = reply_to.parent if reply_to.parent_id else reply_to
    return Comment.objects.create(proposal=proposal, author=author, body=body, parent=parent)


def _comment_for_change(*, author, comment: Comment) -> Comment:
    require_verified(author)
    comment = (
        Comment.objects.select_for_update()
        .select_related("proposal__budget_round")
        .get(pk=comment.pk)
    )
    if not may_change_comment(author, comment):
        raise PermissionDenied(_("Only its author can change this comment."))
    return comment


@transaction.atomic
def comment_edit(*, author, comment: Comment, body: str) -> Comment:
    """The author changes their text while the proposal takes comments. The page marks it
    "edited"; the text before is kept out of public view, for the moderators."""
    body = comment_text_prepare(body)
    comment = _comment_for_change(author=author, comment=comment)
    if comment.is_deleted:
        raise ValidationError(_("A deleted comment cannot be edited."))
    if comment.hidden:
        raise ValidationError(_("A comment hidden by a moderator cannot be edited."))
    if not proposal_takes_comments(comment.proposal):
        raise ValidationError(_("This proposal takes no more comments, so they cannot be edited."))
    if body == comment.body:
        return comment
    CommentRevision.objects.create(
        comment=comment, body=comment.body, change=CommentRevision.Change.EDITED
    )
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    audit_record(
        actor=author,
        action="comment.edit",
        obj=comment,
        committee_id=comment.proposal.budget_round.committee_id,
    )
    return comment


@transaction.atomic
def comment_delete(*, author, comment: Comment) -> Comment:
    """The author takes their comment back, at any time. A "deleted" mark keeps its place in the
    thread, so the answers stay readable; its text is kept out of public view, for the
    moderators. A hidden comment stays hidden. Deleting twice is once."""
    comment = _comment_for_change(author=author, comment=comment)
    if comment.is_deleted:
        return comment
    CommentRevision.objects.create(
        comment=comment, body=comment.body, change=CommentRevision.Change.DELETED
    )
    comment.body = ""
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["body", "deleted_at"])
    audit_record(
        actor=author,
        action="comment.delete",
        obj=comment,
        committee_id=comment.proposal.budget_round.committee_id,
    )
    return comment
