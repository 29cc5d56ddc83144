"""The committee confirms a round's result in the admin, or overrides it with a public reason."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.viewsets.model import ModelViewSet

from committees.models import BudgetRound
from committees.permissions import is_moderator_of
from voting import selectors, services
from voting.models import PollingStation


def _moderated_round(request, pk) -> BudgetRound:
    """The round, if the signed-in person moderates its committee."""
    budget_round = get_object_or_404(BudgetRound.objects.select_related("committee"), pk=pk)
    if not is_moderator_of(request.user, budget_round.committee_id):
        raise PermissionDenied
    return budget_round


def result_confirm_view(request, pk):
    budget_round = _moderated_round(request, pk)
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


def voting_config_view(request, pk):
    """A round's voting settings: channels, ballot limits, the live tally threshold, retention."""
    from voting.forms import VotingConfigForm

    budget_round = _moderated_round(request, pk)
    config = services.config_for(budget_round)
    frozen = budget_round.voting_has_opened
    form = VotingConfigForm(request.POST or None, instance=config, frozen=frozen)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            services.voting_config_update(
                moderator=request.user, budget_round=budget_round, values=form.cleaned_data
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The voting settings are saved."))
            return redirect("voting_config", pk=budget_round.pk)
    return TemplateResponse(
        request,
        "voting/admin/config.html",
        {"round": budget_round, "form": form, "frozen": frozen, "errors": errors},
    )


def voting_overview_view(request):
    """Staff's way in: each round they serve, with its codes, stations and result."""
    from django.db.models import Q

    from committees.models import CommitteeRole, Phase
    from committees.permissions import committee_ids_for
    from voting.permissions import may_download_round_data

    user = request.user
    rounds = BudgetRound.objects.select_related("committee").order_by("-voting_start")
    if not user.is_superuser:
        ids = committee_ids_for(user) | committee_ids_for(user, CommitteeRole.Role.POLLING_STAFF)
        if not ids:
            raise PermissionDenied
        rounds = rounds.filter(Q(committee_id__in=ids))
    rounds = [r for r in rounds if r.decision_method == "vote" and r.phase != Phase.UPCOMING]
    stations = {}
    for station in PollingStation.objects.filter(budget_round__in=rounds):
        stations.setdefault(station.budget_round_id, []).append(station)
    return TemplateResponse(
        request,
        "voting/admin/overview.html",
        {
            "rows": [
                {
                    "round": r,
                    "stations": stations.get(r.pk, []),
                    "can_confirm": is_moderator_of(user, r.committee_id),
                    "can_download": may_download_round_data(user, r),
                }
                for r in rounds
            ]
        },
    )


@hooks.register("register_admin_urls")
def register_result_urls():
    return [
        path("rounds/<int:pk>/result/", result_confirm_view, name="voting_result_confirm"),
        path("rounds/<int:pk>/voting-settings/", voting_config_view, name="voting_config"),
        path("voting/", voting_overview_view, name="voting_overview"),
    ]


@hooks.register("register_admin_menu_item")
def register_voting_menu_item():
    from django.urls import reverse
    from wagtail.admin.menu import MenuItem

    from committees.models import CommitteeRole
    from committees.permissions import committee_ids_for

    class VotingMenuItem(MenuItem):
        def is_shown(self, request):
            user = request.user
            return user.is_superuser or bool(
                committee_ids_for(user) | committee_ids_for(user, CommitteeRole.Role.POLLING_STAFF)
            )

    return VotingMenuItem(
        gettext_lazy("Voting"), reverse("voting_overview"), icon_name="tick", order=220
    )


class PollingStationViewSet(ModelViewSet):
    """Site administrators set up each round's polling stations."""

    model = PollingStation
    icon = "home"
    menu_label = gettext_lazy("Polling stations")
    form_fields = ["budget_round", "name", "address"]
    list_display = ["name", "budget_round", "address"]
    list_filter = ["budget_round"]
    add_to_admin_menu = False


@hooks.register("register_admin_viewset")
def register_polling_station_viewset():
    return PollingStationViewSet("pollingstation")
