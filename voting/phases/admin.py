"""Staff pages of the phase actions: the round's phase with the actions it allows, and for each
action a preview of what happens and a confirmation (POST). Registered in
`voting/wagtail_hooks.py` with the admin's other voting pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.admin import messages

from committees.models import BudgetRound
from committees.selectors import audit_entries_for
from frontend.forms import add_service_errors
from voting import permissions
from voting.phases import services
from voting.phases.forms import PhaseActionForm
from voting.phases.selectors import (
    ACTION_FROM,
    ACTION_LABELS,
    CLOSE_IDEAS,
    CLOSE_VOTING,
    EXTEND_VOTING,
    OPEN_VOTING,
    phase_preview,
)

SERVICES = {
    CLOSE_IDEAS: services.round_ideas_close,
    OPEN_VOTING: services.round_voting_open,
    CLOSE_VOTING: services.round_voting_close,
    EXTEND_VOTING: services.round_voting_extend,
}
AUDIT_ACTIONS = [f"round.{a.replace('-', '_')}" for a in SERVICES]


def _moderated_round(request, pk) -> BudgetRound:
    budget_round = get_object_or_404(BudgetRound.objects.select_related("committee"), pk=pk)
    if not permissions.can_moderate_round(request.user, budget_round):
        raise PermissionDenied
    if budget_round.is_grant_pool:
        raise Http404
    return budget_round


def phase_index_view(request, pk):
    """The round's phase now, the actions it allows, and the phase changes made so far."""
    budget_round = _moderated_round(request, pk)
    phase = budget_round.phase
    actions = [
        (action, ACTION_LABELS[action])
        for action, start in ACTION_FROM.items()
        if start == phase and not budget_round.is_locked
    ]
    return TemplateResponse(
        request,
        "voting/phases/index.html",
        {
            "round": budget_round,
            "actions": actions,
            "entries": audit_entries_for(obj=budget_round).filter(action__in=AUDIT_ACTIONS),
        },
    )


def phase_action_view(request, pk, action):
    """GET: what the action will do. POST "preview" (an extension's new end): the same, for the
    date given. POST "confirm": do it, if it still does what the page showed (fingerprint)."""
    if action not in SERVICES:
        raise Http404
    budget_round = _moderated_round(request, pk)
    form = PhaseActionForm(request.POST or None, action=action)
    valid = request.method == "POST" and form.is_valid()
    new_end = form.cleaned_data.get("new_end") if valid else None
    if valid and "confirm" in request.POST:
        kwargs = {"new_end": new_end} if action == EXTEND_VOTING else {}
        try:
            SERVICES[action](
                actor=request.user,
                budget_round=budget_round,
                reason=form.cleaned_data["reason"],
                expected=form.cleaned_data["expected"],
                **kwargs,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Done: %(action)s. The change is in the audit log.")
                % {"action": ACTION_LABELS[action]},
            )
            return redirect("voting_phase", pk=budget_round.pk)
    budget_round.refresh_from_db()
    preview = phase_preview(budget_round=budget_round, action=action, new_end=new_end)
    # The fingerprint of what this page shows now: confirming it confirms exactly this.
    if form.is_bound:
        form.data = form.data.copy()
        form.data["expected"] = preview.fingerprint
    else:
        form.initial["expected"] = preview.fingerprint
    return TemplateResponse(
        request,
        "voting/phases/action.html",
        {
            "round": budget_round,
            "action": action,
            "label": ACTION_LABELS[action],
            "allowed": ACTION_FROM[action] == budget_round.phase and not budget_round.is_locked,
            # An extension is confirmed once its new end has been previewed.
            "needs_preview": action == EXTEND_VOTING and new_end is None,
            "preview": preview,
            "form": form,
        },
    )
