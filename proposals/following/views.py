"""Following a proposal from its page: one POST, back to the page with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from proposals.following import services
from proposals.models import Proposal
from proposals.permissions import can_view, has_verified_email


@login_required
@require_POST
def proposal_follow(request, pk: int):
    proposal = get_object_or_404(Proposal.objects.select_related("budget_round"), pk=pk)
    if not can_view(request.user, proposal):
        raise PermissionDenied
    if request.POST.get("action") == "unfollow":
        services.proposal_unfollow(user=request.user, proposal=proposal)
        messages.success(request, _("You no longer follow this proposal."))
        return redirect("proposals:detail", pk=pk)
    if not has_verified_email(request.user):
        messages.error(request, _("Verify your e-mail address before you follow a proposal."))
        return redirect("account_email")
    try:
        followed = services.proposal_follow(user=request.user, proposal=proposal)
    except PermissionDenied as exc:  # a draft, a hidden proposal, or one's own
        messages.error(request, str(exc))
        return redirect("proposals:detail", pk=pk)
    if followed:
        messages.success(
            request, _("You follow this proposal. We e-mail you when its state changes.")
        )
    else:
        messages.info(request, _("You already follow this proposal."))
    return redirect("proposals:detail", pk=pk)
