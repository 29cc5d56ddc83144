"""The ballot, the receipt and the results. Views call services and selectors only."""

import hashlib

from allauth.core import ratelimit
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from committees.models import BudgetRound, Phase
from voting import selectors, services
from voting.management.commands.pb_export import export_round

PUBLISHED_PHASES = (Phase.RESULTS, Phase.IMPLEMENTATION)


def _round(round_id: int) -> BudgetRound:
    return get_object_or_404(BudgetRound.objects.select_related("committee__page"), pk=round_id)


def _selection_from(request, budget_round: BudgetRound) -> tuple[dict[str, int], list[str]]:
    """Read the ballot form: checkboxes for approval and knapsack, numbers for points and ranks.

    Only the form's shape is checked here; which projects are on the ballot, and what a valid
    ballot is, the service decides.
    """
    errors = []
    selection: dict[str, int] = {}
    if budget_round.ballot_style in ("approval", "knapsack"):
        for value in request.POST.getlist("project"):
            if not value.isdigit() or len(value) > 12:
                errors.append(_("The ballot names a project that is not on it."))
                continue
            selection[value] = 1
    else:
        for name, raw in request.POST.items():
            if not name.startswith("value_"):
                continue
            pid, raw = name.removeprefix("value_"), raw.strip()
            if not raw:
                continue
            if not pid.isdigit() or not raw.isdecimal() or len(raw) > 6:  # not isdigit(): "²"
                errors.append(_("Write whole numbers only."))
                continue
            if int(raw):
                selection[pid] = int(raw)
    return selection, errors


def _ballot_context(request, budget_round, selection=None, **extra):
    config = services.config_for(budget_round)
    return {
        "round": budget_round,
        "config": config,
        "projects": list(selectors.round_projects(budget_round=budget_round).values()),
        "selection": selection or {},
        "limits": services.limits_for(budget_round, config),
        **extra,
    }


def _cast(request, budget_round: BudgetRound, cast) -> list[str]:
    """Cast through a service; keep the receipt for the next page, or return the errors."""
    if not ratelimit.consume(request, action="ballot"):
        return [_("Too many ballots from here in a short time. Wait a minute and try again.")]
    try:
        ballot = cast()
    except PermissionDenied as exc:
        return [str(exc)]
    except ValidationError as exc:
        return exc.messages
    request.session[f"receipt_{budget_round.pk}"] = ballot.receipt_code
    return []


@never_cache
def ballot(request, round_id: int):
    budget_round = _round(round_id)
    eligibility = services.eligibility_online(user=request.user, budget_round=budget_round)
    selection, errors = {}, []
    if request.method == "POST":
        selection, errors = _selection_from(request, budget_round)
        if not errors:
            errors = _cast(
                request,
                budget_round,
                lambda: services.ballot_cast_online(
                    user=request.user,
                    budget_round=budget_round,
                    selection=selection,
                    eligibility=eligibility,
                ),
            )
            if not errors:
                return redirect("voting:receipt", round_id=budget_round.pk)
    return TemplateResponse(
        request,
        "voting/ballot.html",
        _ballot_context(
            request, budget_round, selection, eligibility=eligibility, errors=errors, code=False
        ),
        status=400 if errors else 200,
    )


def _client(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


@never_cache
def ballot_with_code(request, round_id: int):
    budget_round = _round(round_id)
    config = services.config_for(budget_round)
    selection, errors = {}, []
    if not config.allow_codes:
        errors = [_("This round does not use voting codes.")]
    elif budget_round.phase != Phase.VOTING:
        errors = [_("Voting is not open in this round.")]
    elif request.method == "POST":
        selection, errors = _selection_from(request, budget_round)
        if not errors:
            errors = _cast(
                request,
                budget_round,
                lambda: services.ballot_cast_with_code(
                    budget_round=budget_round,
                    code=request.POST.get("code", ""),
                    selection=selection,
                    client=_client(request),
                ),
            )
            if not errors:
                return redirect("voting:receipt", round_id=budget_round.pk)
    return TemplateResponse(
        request,
        "voting/ballot.html",
        _ballot_context(
            request,
            budget_round,
            selection,
            errors=errors,
            code=True,
            typed_code=request.POST.get("code", "")[:20],
        ),
        status=400 if errors and request.method == "POST" else 200,
    )


@never_cache
def receipt(request, round_id: int):
    budget_round = _round(round_id)
    code = request.session.pop(f"receipt_{budget_round.pk}", None)
    if code is None:
        messages.info(request, _("Your receipt is shown once, right after you vote."))
        return redirect("voting:ballot", round_id=budget_round.pk)
    return TemplateResponse(request, "voting/receipt.html", {"round": budget_round, "code": code})


def results(request, round_id: int):
    budget_round = _round(round_id)
    if budget_round.phase not in PUBLISHED_PHASES:
        raise Http404
    outcome = selectors.round_results(budget_round=budget_round)
    projects = selectors.round_projects(budget_round=budget_round)
    counts = selectors.round_vote_counts(budget_round=budget_round)
    confirmed = selectors.round_confirmation(budget_round=budget_round)
    final = set(confirmed.final_selected) if confirmed else set(outcome.selected)
    rows = [
        {
            "proposal": projects[pid],
            "votes": counts.get(pid, 0),
            "selected_by_rule": pid in outcome.selected,
            "selected": pid in final,
            "explanation": outcome.explanations.get(pid, {}),
        }
        for pid in sorted(projects, key=lambda p: (-counts.get(p, 0), int(p)))
    ]
    spent = sum(projects[pid].cost for pid in final if pid in projects)
    return TemplateResponse(
        request,
        "voting/results.html",
        {
            "round": budget_round,
            "outcome": outcome,
            "rows": rows,
            "spent": spent,
            "left": budget_round.pot - spent,
            "turnout": selectors.round_turnout(budget_round=budget_round),
            "confirmed": confirmed,
            "sha256": confirmed.ballots_sha256
            if confirmed
            else hashlib.sha256(export_round(budget_round).encode()).hexdigest(),
        },
    )


def ballots_file(request, round_id: int):
    budget_round = _round(round_id)
    if budget_round.phase not in PUBLISHED_PHASES:
        raise Http404
    text = export_round(budget_round)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{budget_round.slug}.pb"'
    response["X-Content-SHA256"] = hashlib.sha256(text.encode()).hexdigest()
    return response
