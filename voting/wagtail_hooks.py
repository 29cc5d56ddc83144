"""The committee confirms a round's result in the admin, or overrides it with a public reason."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin import messages

from committees.models import BudgetRound
from committees.permissions import is_moderator_of
from voting import selectors, services


def result_confirm_view(request, pk):
    budget_round = get_object_or_404(BudgetRound.objects.select_related("committee"), pk=pk)
    if not is_moderator_of(request.user, budget_round.committee_id):
        raise PermissionDenied
    confirmed = selectors.round_confirmation(budget_round=budget_round)
    outcome = selectors.round_results(budget_round=budget_round)
    projects = selectors.round_projects(budget_round=budget_round)
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
        "voting/admin/result_confirm.html",
        {
            "round": budget_round,
            "outcome": outcome,
            "projects": projects,
            "confirmed": confirmed,
            "errors": errors,
            "counts": selectors.round_vote_counts(budget_round=budget_round),
        },
    )


@hooks.register("register_admin_urls")
def register_result_urls():
    return [path("rounds/<int:pk>/result/", result_confirm_view, name="voting_result_confirm")]
