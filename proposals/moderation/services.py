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


def _already(*, kind: str, hidden: bool) -> str:
    if kind == "comment":
        return _("The comment is already hidden.") if hidden else _("The comment is not hidden.")
    return _("The proposal is already hidden.") if hidden else _("The proposal is not hidden.")


def _set_hidden(*, moderator, obj: Proposal | Comment, hide: bool, reason: str):
    """Hide or show again a proposal or a comment: the one path both take.

    The committee's moderator only, with a public reason; the row is locked and looked at again,
    so two moderators deciding at once cannot both act; hiding closes the open reports; one
    audit entry; the author is told the reason after the commit.
    """
    kind = "comment" if isinstance(obj, Comment) else "proposal"
    _require_moderator(moderator, obj.proposal if kind == "comment" else obj)
    reason = _public_reason(reason)
    model = type(obj)
    to_round = "proposal__budget_round" if kind == "comment" else "budget_round"
    obj = model.objects.select_for_update().select_related(to_round).get(pk=obj.pk)
    if obj.hidden == hide:
        raise ValidationError(_already(kind=kind, hidden=hide))
    obj.hidden, obj.hidden_reason = hide, reason if hide else ""
    if kind == "comment":
        obj.hidden_by = moderator if hide else None
        obj.save(update_fields=["hidden", "hidden_reason", "hidden_by"])
        open_reports = CommentFlag.objects.filter(comment=obj, handled=False)
        budget_round = obj.proposal.budget_round
    else:
        obj.save(update_fields=["hidden", "hidden_reason", "updated_at"])
        open_reports = ProposalReport.objects.filter(proposal=obj, handled=False)
        budget_round = obj.budget_round
    if hide:
        open_reports.update(handled=True)
    audit_record(
        actor=moderator,
        action=f"{kind}.{'hide' if hide else 'restore'}",
        obj=obj,
        reason=reason,
        committee_id=budget_round.committee_id,
    )
    _told(kind=kind, pk=obj.pk, action="hidden" if hide else "restored", reason=reason)
    return obj


@transaction.atomic
def proposal_hide(*, moderator, proposal: Proposal, reason: str) -> Proposal:
    """Hide a proposal from the lists, the API and its page, with a public reason."""
    return _set_hidden(moderator=moderator, obj=proposal, hide=True, reason=reason)


@transaction.atomic
def proposal_restore(*, moderator, proposal: Proposal, reason: str) -> Proposal:
    """Show a hidden proposal again; the reason is told to the author."""
    return _set_hidden(moderator=moderator, obj=proposal, hide=False, reason=reason)


@transaction.atomic
def comment_hide(*, moderator, comment: Comment, reason: str) -> Comment:
    """Hide a comment with a public reason shown in its place."""
    return _set_hidden(moderator=moderator, obj=comment, hide=True, reason=reason)


@transaction.atomic
def comment_restore(*, moderator, comment: Comment, reason: str) -> Comment:
    """Show a hidden comment again; the reason is told to its author."""
    return _set_hidden(moderator=moderator, obj=comment, hide=False, reason=reason)


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
