"""Reports of proposals and comments, and the moderators' decisions on them.

A resident reports a published proposal or a comment with a reason; the unique constraint on
(thing, person) makes one account count once however often it reports. A moderator of the
proposal's committee then hides the thing with a public reason, restores it with one, or keeps
it as it is; each decision closes the open reports, is written to the audit log and is told to
the author, without the reporters' names: only the public reason reaches the author and the
page.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from committees.services import audit_record
from frontend.text import without_control_characters
from proposals import notifications
from proposals.models import (
    REPORT_DETAILS_MAX_LENGTH,
    Comment,
    CommentFlag,
    Proposal,
    ProposalReport,
    ReportReason,
)
from proposals.permissions import may_moderate, may_report, may_report_comment, require_verified

HIDDEN_REASON_MAX_LENGTH = 300


def _report_text(reason: str, details: str) -> tuple[str, str]:
    if reason not in ReportReason.values:
        raise ValidationError({"reason": _("Choose why you report it.")})
    details = without_control_characters(details or "", single_line=False).strip()
    if len(details) > REPORT_DETAILS_MAX_LENGTH:
        raise ValidationError(
            {"details": _("At most %(limit)d characters.") % {"limit": REPORT_DETAILS_MAX_LENGTH}}
        )
    return reason, details


def _public_reason(reason: str) -> str:
    reason = without_control_characters(reason or "", single_line=True).strip()
    if not reason:
        raise ValidationError({"reason": _("Give a public reason.")})
    if len(reason) > HIDDEN_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("At most %(limit)d characters.") % {"limit": HIDDEN_REASON_MAX_LENGTH}}
        )
    return reason


def proposal_report(*, user, proposal: Proposal, reason: str, details: str = "") -> bool:
    """Report a proposal. True when the person's report is new (or reopened after a decision),
    False when their open report already counts."""
    require_verified(user)
    if not may_report(user, proposal):
        raise PermissionDenied(_("You cannot report this proposal."))
    reason, details = _report_text(reason, details)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProposalReport.objects.create(
                    proposal=proposal, user=user, reason=reason, details=details
                )
            return True
        except IntegrityError:
            reopened = ProposalReport.objects.filter(
                proposal=proposal, user=user, handled=True
            ).update(handled=False, reason=reason, details=details)
            return bool(reopened)


def comment_report(*, user, comment: Comment, reason: str, details: str = "") -> bool:
    """Report a comment, as `proposal_report`. A hidden comment needs no more reports."""
    require_verified(user)
    if not may_report_comment(user, comment):
        raise PermissionDenied(_("You cannot report this comment."))
    reason, details = _report_text(reason, details)
    with transaction.atomic():
        try:
            with transaction.atomic():
                CommentFlag.objects.create(
                    comment=comment, user=user, reason=reason, details=details
                )
                Comment.objects.filter(pk=comment.pk).update(flag_count=F("flag_count") + 1)
            return True
        except IntegrityError:
            reopened = CommentFlag.objects.filter(comment=comment, user=user, handled=True).update(
                handled=False, reason=reason, details=details
            )
            return bool(reopened)


def _require_moderator(moderator, proposal: Proposal) -> None:
    if not may_moderate(moderator, proposal):
        raise PermissionDenied(_("Only the committee's moderators can do this."))


def _told(*, kind: str, pk: int, action: str, reason: str) -> None:
    transaction.on_commit(
        lambda: notifications.send_moderated(kind=kind, object_id=pk, action=action, reason=reason)
    )


@transaction.atomic
def proposal_hide(*, moderator, proposal: Proposal, reason: str) -> Proposal:
    """Hide a proposal from the lists, the API and its page, with a public reason."""
    _require_moderator(moderator, proposal)
    reason = _public_reason(reason)
    proposal = (
        Proposal.objects.select_for_update().select_related("budget_round").get(pk=proposal.pk)
    )
    if proposal.hidden:
        raise ValidationError(_("The proposal is already hidden."))
    proposal.hidden, proposal.hidden_reason = True, reason
    proposal.save(update_fields=["hidden", "hidden_reason", "updated_at"])
    ProposalReport.objects.filter(proposal=proposal, handled=False).update(handled=True)
    audit_record(
        actor=moderator,
        action="proposal.hide",
        obj=proposal,
        reason=reason,
        committee_id=proposal.budget_round.committee_id,
    )
    _told(kind="proposal", pk=proposal.pk, action="hidden", reason=reason)
    return proposal


@transaction.atomic
def proposal_restore(*, moderator, proposal: Proposal, reason: str) -> Proposal:
    """Show a hidden proposal again; the reason is told to the author."""
    _require_moderator(moderator, proposal)
    reason = _public_reason(reason)
    proposal = (
        Proposal.objects.select_for_update().select_related("budget_round").get(pk=proposal.pk)
    )
    if not proposal.hidden:
        raise ValidationError(_("The proposal is not hidden."))
    proposal.hidden, proposal.hidden_reason = False, ""
    proposal.save(update_fields=["hidden", "hidden_reason", "updated_at"])
    audit_record(
        actor=moderator,
        action="proposal.restore",
        obj=proposal,
        reason=reason,
        committee_id=proposal.budget_round.committee_id,
    )
    _told(kind="proposal", pk=proposal.pk, action="restored", reason=reason)
    return proposal


@transaction.atomic
def comment_hide(*, moderator, comment: Comment, reason: str) -> Comment:
    """Hide a comment with a public reason shown in its place."""
    _require_moderator(moderator, comment.proposal)
    reason = _public_reason(reason)
    comment = (
        Comment.objects.select_for_update()
        .select_related("proposal__budget_round")
        .get(pk=comment.pk)
    )
    if comment.hidden:
        raise ValidationError(_("The comment is already hidden."))
    comment.hidden, comment.hidden_reason, comment.hidden_by = True, reason, moderator
    comment.save(update_fields=["hidden", "hidden_reason", "hidden_by"])
    CommentFlag.objects.filter(comment=comment, handled=False).update(handled=True)
    audit_record(
        actor=moderator,
        action="comment.hide",
        obj=comment,
        reason=reason,
        committee_id=comment.proposal.budget_round.committee_id,
    )
    _told(kind="comment", pk=comment.pk, action="hidden", reason=reason)
    return comment


@transaction.atomic
def comment_restore(*, moderator, comment: Comment, reason: str) -> Comment:
    _require_moderator(moderator, comment.proposal)
    reason = _public_reason(reason)
    comment = (
        Comment.objects.select_for_update()
        .select_related("proposal__budget_round")
        .get(pk=comment.pk)
    )
    if not comment.hidden:
        raise ValidationError(_("The comment is not hidden."))
    comment.hidden, comment.hidden_reason, comment.hidden_by = False, "", None
    comment.save(update_fields=["hidden", "hidden_reason", "hidden_by"])
    audit_record(
        actor=moderator,
        action="comment.restore",
        obj=comment,
        reason=reason,
        committee_id=comment.proposal.budget_round.committee_id,
    )
    _told(kind="comment", pk=comment.pk, action="restored", reason=reason)
    return comment


@transaction.atomic
def reports_dismiss(*, moderator, proposal: Proposal, comment: Comment | None = None) -> int:
    """Keep the proposal (or the comment) as it is: its open reports are closed. Nobody is told,
    since nothing changed for the author."""
    _require_moderator(moderator, proposal)
    if comment is not None:
        if comment.proposal_id != proposal.pk:
            raise ValidationError(_("The comment belongs to another proposal."))
        closed = CommentFlag.objects.filter(comment=comment, handled=False).update(handled=True)
        obj = comment
    else:
        closed = ProposalReport.objects.filter(proposal=proposal, handled=False).update(
            handled=True
        )
        obj = proposal
    audit_record(
        actor=moderator,
        action="reports.dismiss",
        obj=obj,
        committee_id=proposal.budget_round.committee_id,
        data={"closed": closed},
    )
    return closed
