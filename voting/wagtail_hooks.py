"""The voting app in the Wagtail admin: the staff's overview, a round's voting settings, the
result confirmation (`voting.results.admin`) and the polling stations."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from committees.models import BudgetRound, Phase
from voting import permissions, selectors, services
from voting.forms import VotingConfigForm
from voting.models import PollingStation
from voting.paper import workspace  # noqa: F401  (polling staff land on their station)
from voting.phases.admin import phase_action_view, phase_index_view
from voting.results.admin import result_confirm_view


def _moderated_round(request, pk) -> BudgetRound:
    """The round, if the signed-in person moderates its committee."""
    budget_round = get_object_or_404(BudgetRound.objects.select_related("committee"), pk=pk)
    if not permissions.can_moderate_round(request.user, budget_round):
        raise PermissionDenied
    return budget_round


def voting_config_view(request, pk):
    """A round's voting settings: channels, ballot limits, the live tally threshold, retention."""
    budget_round = _moderated_round(request, pk)
    config = selectors.round_config(budget_round=budget_round)
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
    user = request.user
    if not permissions.serves_voting(user):
        raise PermissionDenied
    rounds = BudgetRound.objects.select_related("committee").order_by("-voting_start")
    if not user.is_superuser:
        rounds = rounds.filter(committee_id__in=permissions.staff_committee_ids(user))
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
                    "can_confirm": permissions.can_moderate_round(user, r),
                    "can_download": permissions.may_download_round_data(user, r),
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
        path("rounds/<int:pk>/phase/", phase_index_view, name="voting_phase"),
        path("rounds/<int:pk>/phase/<slug:action>/", phase_action_view, name="voting_phase_action"),
        path("voting/", voting_overview_view, name="voting_overview"),
    ]


@hooks.register("register_admin_menu_item")
def register_voting_menu_item():
    class VotingMenuItem(MenuItem):
        def is_shown(self, request):
            return permissions.serves_voting(request.user)

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
    list_filter = ["budget_round__committee", "budget_round"]
    search_fields = ["name", "address"]
    add_to_admin_menu = False


@hooks.register("register_admin_viewset")
def register_polling_station_viewset():
    return PollingStationViewSet("pollingstation")
