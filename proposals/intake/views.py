"""Staff pages for taking part without an account: the desk (a resident's idea or support) and
the import of paper forms. No domain logic: the services in proposals/intake/services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from committees.models import BudgetRound, Phase
from frontend.forms import add_service_errors
from proposals.intake import services
from proposals.intake.forms import IntakeImportForm, IntakeProposalForm, IntakeSupportForm
from proposals.models import Proposal
from proposals.permissions import intake_committee_ids, may_enter_for_residents
from proposals.services import SUPPORTABLE_STATES

OPEN_PHASES = (Phase.IDEAS, Phase.REVIEW)


def _round_for_staff(request, round_id: int) -> BudgetRound:
    budget_round = get_object_or_404(BudgetRound.objects.select_related("committee"), pk=round_id)
    if not may_enter_for_residents(request.user, budget_round.committee_id):
        raise PermissionDenied
    return budget_round


@never_cache
@login_required
def intake_index(request):
    """The rounds a member of the secretariat can enter ideas and supports in now."""
    committee_ids = intake_committee_ids(request.user)
    if committee_ids is not None and not committee_ids:
        raise PermissionDenied
    rounds = BudgetRound.objects.select_related("committee").order_by("committee__name", "pk")
    if committee_ids is not None:
        rounds = rounds.filter(committee_id__in=committee_ids)
    rounds = [r for r in rounds if not r.is_grant_pool and r.phase in OPEN_PHASES]
    return TemplateResponse(request, "proposals/intake/index.html", {"rounds": rounds})


@never_cache
@login_required
def intake_proposal(request, round_id: int):
    budget_round = _round_for_staff(request, round_id)
    form = IntakeProposalForm(request.POST or None, budget_round=budget_round)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_enter_for_resident(
                staff=request.user,
                budget_round=budget_round,
                data=form.data_for_service(),
                resident=form.resident_for_service(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The proposal is submitted with case number %(case)s. Give the resident the "
                    "case number: they can follow the proposal with it."
                )
                % {"case": proposal.case_number},
            )
            return redirect("proposals:intake_proposal", round_id=budget_round.pk)
    return TemplateResponse(
        request,
        "proposals/intake/proposal.html",
        {"round": budget_round, "form": form, "takes_ideas": budget_round.phase == Phase.IDEAS},
    )


@never_cache
@login_required
def intake_support(request, round_id: int):
    budget_round = _round_for_staff(request, round_id)
    proposals = Proposal.objects.filter(
        budget_round=budget_round, state__in=SUPPORTABLE_STATES
    ).order_by("case_number")
    form = IntakeSupportForm(request.POST or None, proposals=proposals)
    if request.method == "POST" and form.is_valid():
        proposal = form.cleaned_data["proposal"]
        try:
            added = services.support_enter_for_resident(
                staff=request.user,
                proposal=proposal,
                resident_name=form.cleaned_data["resident_name"],
                resident_address=form.cleaned_data["resident_address"],
                place=form.cleaned_data["place"],
                resident_email=form.cleaned_data["resident_email"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if added:
                messages.success(
                    request,
                    _("The support for %(case)s is recorded.") % {"case": proposal.case_number},
                )
            else:
                messages.info(
                    request,
                    _(
                        "This resident already supports %(case)s: a resident counts once per "
                        "proposal."
                    )
                    % {"case": proposal.case_number},
                )
            return redirect("proposals:intake_support", round_id=budget_round.pk)
    return TemplateResponse(
        request,
        "proposals/intake/support.html",
        {
            "round": budget_round,
            "form": form,
            "takes_supports": budget_round.phase in OPEN_PHASES,
        },
    )


@never_cache
@login_required
def intake_import(request, round_id: int):
    budget_round = _round_for_staff(request, round_id)
    form = IntakeImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            imported = services.proposals_import(
                staff=request.user,
                budget_round=budget_round,
                content=form.cleaned_data["file"].read(),
                place=form.cleaned_data["place"],
            )
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d proposal was imported and submitted.",
                    "%(count)d proposals were imported and submitted.",
                    len(imported),
                )
                % {"count": len(imported)},
            )
            return redirect("proposals:intake_import", round_id=budget_round.pk)
    return TemplateResponse(
        request,
        "proposals/intake/import.html",
        {
            "round": budget_round,
            "form": form,
            "problems": problems,
            "takes_ideas": budget_round.phase == Phase.IDEAS,
            "columns": services.DOCUMENTED_COLUMNS,
        },
    )
