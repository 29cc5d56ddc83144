"""Review queues in the Wagtail admin: filtered by state, round and reviewer, with bulk moves."""

from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from committees.ids import parse_id
from committees.models import CommitteeRole
from committees.permissions import committee_ids_for
from committees.selectors import reviewer_candidates
from frontend.admin import MoneyColumn, queue_to_return_to
from frontend.forms import add_service_errors
from proposals import services
from proposals.models import Proposal, State
from proposals.moderation import admin as moderation_admin
from proposals.permissions import ProposalPolicy, roles_of, sees_grants, sees_moderation
from proposals.workflow import allowed_targets

policy = ProposalPolicy(Proposal)
register_permission_policy(Proposal, policy)


class ProposalIndexView(IndexView):
    def get_base_queryset(self):
        return policy.instances_user_has_permission_for(self.request.user, "view").select_related(
            "budget_round__committee", "grant"
        )

    def get_list_more_buttons(self, instance):
        # Back to this very list, filters and search included, once the review is saved.
        back = urlencode({"next": self.request.get_full_path()})
        return [
            Button(
                _("Review"),
                url=f"{reverse('proposal_review', args=[instance.pk])}?{back}",
                icon_name="tasks",
                priority=5,
            )
        ]

    @cached_property
    def header_more_buttons(self):
        return []


def _reviewers_to_filter_by(request):
    """The reviewers a person may filter by: their own committees' staff, never every user."""
    user = request.user if request else None
    if user is None or user.is_superuser:
        return reviewer_candidates(committee_ids=None)
    ids = committee_ids_for(user) | committee_ids_for(user, CommitteeRole.Role.REVIEWER)
    return reviewer_candidates(committee_ids=ids)


class ProposalFilterSet(WagtailFilterSet):
    budget_round__reviewers = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Assigned reviewer"), queryset=_reviewers_to_filter_by
    )

    class Meta:
        model = Proposal
        fields = [
            "state",
            "budget_round__committee",
            "budget_round",
            "submitter_kind",
            "submitted_at",
        ]


class ProposalViewSet(ModelViewSet):
    model = Proposal
    icon = "tasks"
    menu_label = gettext_lazy("Proposals")
    menu_order = 210
    add_to_admin_menu = True
    index_view_class = ProposalIndexView
    list_display = [
        "title",
        "case_number",
        # A grant application's state in the grant's words (`Proposal.state_label`).
        Column("state", label=gettext_lazy("State"), accessor="state_label"),
        "budget_round",
        "support_count",
        MoneyColumn("cost", label=gettext_lazy("Cost")),
        DateColumn("submitted_at", label=gettext_lazy("Submitted")),
    ]
    filterset_class = ProposalFilterSet
    search_fields = ["title", "case_number"]
    form_fields = ["title", "summary"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "case_number",
        "title",
        "summary",
        "estimated_cost",
        "revised_cost",
        "location_text",
        "submitter_kind",
        "organisation_name",
    ]


@hooks.register("register_admin_viewset")
def register_proposal_viewset():
    return ProposalViewSet("proposal")


# --- Reviewing one proposal ------------------------------------------------------------------


class ReviewForm(forms.Form):
    target = forms.ChoiceField(label=gettext_lazy("New state"))
    reason = forms.CharField(
        label=gettext_lazy("Public reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown on the proposal's page and sent to the author."),
    )
    revised_cost = forms.IntegerField(
        label=gettext_lazy("Revised cost (kr.)"), required=False, min_value=1, max_value=10**12
    )
    internal_notes = forms.CharField(
        label=gettext_lazy("Internal notes (never shown publicly)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    merge_into = forms.ModelChoiceField(
        label=gettext_lazy("Merge into (for duplicates)"), required=False, queryset=None
    )

    def __init__(self, *args, proposal, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(t, State(t).label) for t in targets]
        self.fields["merge_into"].queryset = Proposal.objects.filter(
            budget_round=proposal.budget_round, state__in=services.SUPPORTABLE_STATES
        ).exclude(pk=proposal.pk)


def proposal_review_view(request, pk):
    proposal = get_object_or_404(
        Proposal.objects.select_related("budget_round__committee", "author"), pk=pk
    )
    if not policy.user_has_permission_for_instance(request.user, "change", proposal):
        raise PermissionDenied
    roles = roles_of(request.user, proposal)  # a site admin is every committee's moderator
    targets = allowed_targets(proposal.state, roles)
    form = ReviewForm(request.POST or None, proposal=proposal, targets=targets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data["target"] == State.MERGED:
                    if not data["merge_into"]:
                        raise ValidationError(_("Choose the proposal to merge into."))
                    services.proposal_merge(
                        moderator=request.user,
                        duplicate=proposal,
                        survivor=data["merge_into"],
                        reason=data["reason"],
                    )
                else:
                    services.proposal_move(
                        actor=request.user,
                        proposal=proposal,
                        target=data["target"],
                        reason=data["reason"],
                        revised_cost=data["revised_cost"],
                        internal_notes=data["internal_notes"],
                    )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The proposal was moved and the author was told."))
            return redirect(queue_to_return_to(request, default=reverse("proposal:index")))
    return TemplateResponse(
        request,
        "proposals/admin/review.html",
        {
            "proposal": proposal,
            "form": form,
            "reviews": proposal.reviews.select_related("reviewer"),
            "history": proposal.history.select_related("actor"),
        },
    )


# --- The queue of one round, with bulk moves -------------------------------------------------


def review_queue_view(request):
    queryset = policy.instances_user_has_permission_for(request.user, "change")
    if not queryset.exists() and not request.user.is_superuser:
        raise PermissionDenied
    state = request.GET.get("state") or State.SUBMITTED
    proposals = queryset.filter(state=state).select_related("budget_round__committee")
    if request.method == "POST":
        ids = [n for n in map(parse_id, request.POST.getlist("selected")) if n is not None]
        target = request.POST.get("target", "")
        reason = request.POST.get("reason", "")
        moved, failed = 0, []
        for proposal in queryset.filter(pk__in=ids):
            try:
                # One review record per proposal when the move is a review's outcome.
                services.proposal_move(
                    actor=request.user, proposal=proposal, target=target, reason=reason
                )
                moved += 1
            except (ValidationError, PermissionDenied) as exc:
                failed.append(f"{proposal.case_number}: {' '.join(getattr(exc, 'messages', []))}")
        if moved:
            messages.success(request, _("%(count)d proposals were moved.") % {"count": moved})
        for failure in failed:
            messages.error(request, failure)
        return redirect(f"{reverse('proposal_queue')}?state={state}")
    return TemplateResponse(
        request,
        "proposals/admin/queue.html",
        {
            "proposals": proposals,
            "state": state,
            "states": [s for s in State if s != State.DRAFT],
            "targets": [
                State.IN_REVIEW,
                State.FEASIBLE,
                State.INFEASIBLE,
                State.NEEDS_CHANGES,
                State.REJECTED,
            ],
        },
    )


@hooks.register("register_admin_urls")
def register_review_urls():
    return [
        path("proposals/<int:pk>/review/", proposal_review_view, name="proposal_review"),
        path("proposals/queue/", review_queue_view, name="proposal_queue"),
    ]


@hooks.register("register_admin_menu_item")
def register_queue_menu_item():
    from wagtail.admin.menu import MenuItem

    class QueueMenuItem(MenuItem):
        def is_shown(self, request):
            return policy.user_has_permission(request.user, "change")

    return QueueMenuItem(
        gettext_lazy("Review queue"), reverse("proposal_queue"), icon_name="list-ul", order=211
    )


# --- Moderation of reported proposals and comments --------------------------------------------


@hooks.register("register_admin_urls")
def register_moderation_urls():
    return [
        path("moderation/", moderation_admin.moderation_queue_view, name="moderation_queue"),
        path(
            "moderation/proposals/<int:pk>/",
            moderation_admin.moderation_proposal_view,
            name="moderation_proposal",
        ),
        path(
            "moderation/comments/<int:pk>/",
            moderation_admin.moderation_comment_view,
            name="moderation_comment",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_moderation_menu_item():
    from wagtail.admin.menu import MenuItem

    class ModerationMenuItem(MenuItem):
        def is_shown(self, request):
            return sees_moderation(request.user)

    return ModerationMenuItem(
        gettext_lazy("Moderation"), reverse("moderation_queue"), icon_name="warning", order=213
    )


from proposals import workspace  # noqa: E402, F401  (what waits, on the staff's dashboard)
from proposals.tracking import admin as tracking_admin  # noqa: E402, F401  (registers the follow-up screens)

# --- Grant applications ------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_grant_urls():
    from proposals.grants import admin as grant_admin

    return [
        path("grants/", grant_admin.grant_queue_view, name="grant_queue"),
        path("grants/<int:pk>/", grant_admin.grant_process_view, name="grant_process"),
    ]


@hooks.register("register_admin_menu_item")
def register_grant_menu_item():
    from wagtail.admin.menu import MenuItem

    class GrantMenuItem(MenuItem):
        def is_shown(self, request):
            return sees_grants(request.user)

    return GrantMenuItem(
        gettext_lazy("Grant applications"), reverse("grant_queue"), icon_name="doc-full", order=212
    )
