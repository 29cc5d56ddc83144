"""The moderation queue in the Wagtail admin: what residents reported, and one screen per
reported proposal or comment to hide, restore or keep it.

Only the moderators of the proposal's committee (and site admins) see a row or a screen: the
queue is filtered by `moderation_committee_ids`, and each screen asks `may_moderate` before it
shows anything, answering 404 otherwise so that another committee's reports are not even
confirmed to exist. No screen names a reporter.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.admin import messages

from frontend.forms import add_service_errors
from proposals.models import Comment, Proposal
from proposals.moderation import selectors, services
from proposals.moderation.forms import DecisionForm
from proposals.permissions import may_moderate, moderation_committee_ids, sees_moderation


def moderation_queue_view(request):
    if not sees_moderation(request.user):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "proposals/moderation/admin/queue.html",
        {"items": selectors.moderation_queue(committee_ids=moderation_committee_ids(request.user))},
    )


def _decide(request, *, proposal: Proposal, comment: Comment | None):
    if not may_moderate(request.user, proposal):
        raise Http404
    target = comment or proposal
    form = DecisionForm(request.POST or None, hidden=target.hidden)
    if request.method == "POST" and form.is_valid():
        action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
        try:
            if action == DecisionForm.KEEP:
                services.reports_dismiss(moderator=request.user, proposal=proposal, comment=comment)
                messages.success(request, _("Nothing was changed; the reports are closed."))
            elif comment is not None:
                change = (
                    services.comment_hide
                    if action == DecisionForm.HIDE
                    else (services.comment_restore)
                )
                change(moderator=request.user, comment=comment, reason=reason)
                messages.success(request, _("Done. The author was told, with your reason."))
            else:
                change = (
                    services.proposal_hide
                    if action == DecisionForm.HIDE
                    else (services.proposal_restore)
                )
                change(moderator=request.user, proposal=proposal, reason=reason)
                messages.success(request, _("Done. The author was told, with your reason."))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            return redirect("moderation_queue")
    return TemplateResponse(
        request,
        "proposals/moderation/admin/decide.html",
        {
            "proposal": proposal,
            "comment": comment,
            "target": target,
            "form": form,
            "reasons": selectors.open_report_reasons(proposal=proposal, comment=comment),
            "details": selectors.report_details(proposal=proposal, comment=comment),
        },
    )


def moderation_proposal_view(request, pk):
    proposal = get_object_or_404(
        Proposal.objects.select_related("budget_round__committee").exclude(state="draft"), pk=pk
    )
    return _decide(request, proposal=proposal, comment=None)


def moderation_comment_view(request, pk):
    comment = get_object_or_404(
        Comment.objects.select_related("proposal__budget_round__committee", "author"), pk=pk
    )
    return _decide(request, proposal=comment.proposal, comment=comment)
