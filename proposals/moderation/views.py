"""The residents' side of moderation: reporting a proposal or a comment, with a reason; and the
in-page hiding of a comment by the committee's moderators. The queue is in admin.py."""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frontend.forms import add_service_errors
from proposals.models import Comment, Proposal
from proposals.moderation import services
from proposals.moderation.forms import ReportForm
from proposals.permissions import (
    can_view,
    has_verified_email,
    may_report,
    may_report_comment,
)


def _report(request, *, proposal: Proposal, comment: Comment | None):
    back = reverse("proposals:detail", args=[proposal.pk]) + ("#comments" if comment else "")
    allowed = (
        may_report_comment(request.user, comment)
        if comment is not None
        else may_report(request.user, proposal)
    )
    if not allowed:
        if not has_verified_email(request.user):
            messages.error(request, _("Verify your e-mail address before you report."))
        elif comment is not None:
            messages.error(request, _("You cannot report this comment."))
        else:
            messages.error(request, _("You cannot report this proposal."))
        return redirect(back)
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        if limited := ratelimit.consume_or_429(request, action="report"):
            return limited
        if form.is_valid():
            data = form.cleaned_data
            try:
                if comment is not None:
                    services.comment_report(
                        user=request.user,
                        comment=comment,
                        reason=data["reason"],
                        details=data["details"],
                    )
                else:
                    services.proposal_report(
                        user=request.user,
                        proposal=proposal,
                        reason=data["reason"],
                        details=data["details"],
                    )
            except PermissionDenied as exc:
                messages.error(request, str(exc))
                return redirect(back)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                # The same answer whether the report is new or counted already.
                messages.success(request, _("Thank you. A moderator will look at it."))
                return redirect(back)
    return TemplateResponse(
        request,
        "proposals/moderation/report.html",
        {"form": form, "proposal": proposal, "comment": comment, "back": back},
    )


@login_required
def proposal_report(request, pk: int):
    proposal = get_object_or_404(
        Proposal.objects.select_related("budget_round"), pk=pk, hidden=False
    )
    if not proposal.is_public:
        raise Http404
    return _report(request, proposal=proposal, comment=None)


@login_required
def comment_report(request, pk: int):
    comment = get_object_or_404(Comment.objects.select_related("proposal__budget_round"), pk=pk)
    if not can_view(request.user, comment.proposal) or comment.proposal.hidden:
        raise Http404
    return _report(request, proposal=comment.proposal, comment=comment)


@login_required
@require_POST
def comment_hide(request, pk: int):
    comment = get_object_or_404(Comment.objects.select_related("proposal__budget_round"), pk=pk)
    try:
        services.comment_hide(
            moderator=request.user, comment=comment, reason=request.POST.get("reason", "")
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The comment is hidden."))
    return redirect(reverse("proposals:detail", args=[comment.proposal_id]) + "#comments")
