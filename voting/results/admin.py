"""The committee confirms a round's result in the admin, or overrides it with a public reason.

Registered in `voting/wagtail_hooks.py`, with the admin's other voting pages.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.admin import messages

from committees.models import BudgetRound
from voting import permissions, selectors
from voting.results import services


def result_confirm_view(request, pk):
    budget_round = get_object_or_404(BudgetRound.objects.select_related("committee"), pk=pk)
    if not permissions.can_moderate_round(request.user, budget_round):
        raise PermissionDenied
    confirmed = selectors.round_confirmation(budget_round=budget_round)
    tally = selectors.round_tally(budget_round=budget_round)
    outcome, projects = tally.outcome, tally.projects
    errors = []
    if request.method == "POST" and confirmed is None:
        chosen = [p for p in request.POST.getlist("selected") if p in projects]
        override = request.POST.get("override") == "1"
        try:
            services.result_confirm(
                moderator=request.user,
                budget_round=budget_round,
                final_selected=chosen if override else None,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The result is confirmed and published."))
            return redirect("voting_result_confirm", pk=budget_round.pk)
    return TemplateResponse(
        request,
        "voting/results/admin_confirm.html",
        {
            "round": budget_round,
            "outcome": outcome,
            "projects": projects,
            "confirmed": confirmed,
            "errors": errors,
            "counts": tally.counts,
        },
    )
