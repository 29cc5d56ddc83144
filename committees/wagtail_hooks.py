"""The committees app in the Wagtail admin: districts, committees, rounds and meetings."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from committees import services
from committees.areas_admin import AddressViewSet, AreaViewSet
from committees.models import (
    FIELDS_FROZEN_AT_CONFIRMATION,
    FIELDS_FROZEN_AT_VOTING,
    ApplicationDeadline,
    BudgetRound,
    Committee,
    District,
    Meeting,
    Phase,
)
from committees.models.rounds import frozen_message
from committees.permissions import CommitteeScopedPolicy, committee_ids_for, is_moderator_of
from committees.scoped_admin import (
    CommitteeScopedForm,
    ScopedDeleteView,
    ScopedEditView,
    ScopedHistoryView,
    ScopedIndexView,
    ServiceSaveMixin,
)
from committees.selectors import audit_entries_for, reviewer_candidates
from committees.workspace.panels import WorkspacePanel
from frontend.admin import MoneyColumn

register_permission_policy(BudgetRound, CommitteeScopedPolicy(BudgetRound))
register_permission_policy(Meeting, CommitteeScopedPolicy(Meeting))


class RoundIndexView(ScopedIndexView):
    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            MenuItem(
                _("Change schedule"),
                url=reverse("round_schedule", args=[instance.pk]),
                icon_name="date",
                priority=15,
            ),
        ]


class RoundForm(CommitteeScopedForm):
    """What voting has frozen is shown read-only: a posted value for it is ignored."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        frozen = []
        if instance.pk and instance.voting_has_opened:
            frozen += [*FIELDS_FROZEN_AT_VOTING, "voting_areas"]
        if instance.pk and instance.is_locked:
            frozen += FIELDS_FROZEN_AT_CONFIRMATION
        for name in frozen:
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = frozen_message(instance, name)
        reviewers = self.fields.get("reviewers")
        if reviewers is not None:
            # Only the committee's own staff can be assigned, never any user of the platform.
            user = self.for_user
            if instance.pk:
                committee_ids = {instance.committee_id}
            elif user is None or user.is_superuser:
                committee_ids = None
            else:
                committee_ids = committee_ids_for(user)
            reviewers.queryset = reviewer_candidates(committee_ids=committee_ids)
            reviewers.help_text = _("The committee's reviewers and moderators.")

    def clean(self):
        cleaned = super().clean()
        committee, chosen = cleaned.get("committee"), cleaned.get("reviewers")
        if committee is not None and chosen:
            staff = set(
                reviewer_candidates(committee_ids={committee.pk}).values_list("pk", flat=True)
            )
            outsiders = [person for person in chosen if person.pk not in staff]
            if outsiders:
                self.add_error(
                    "reviewers",
                    _("Only the committee's reviewers and moderators can be assigned: %(names)s")
                    % {"names": ", ".join(str(person) for person in outsiders)},
                )
        return cleaned


class RoundCreateView(ServiceSaveMixin, CreateView):
    def service_save(self, *, apply):
        # Through the service: a new round's first rules are audited like every later edit.
        return services.round_create(actor=self.request.user, apply=apply)


class RoundEditView(ServiceSaveMixin, ScopedEditView):
    def service_save(self, *, apply):
        # Through the service: refused when it changes what is frozen, and audited.
        return services.round_edit(actor=self.request.user, budget_round=self.object, apply=apply)

    @cached_property
    def header_more_buttons(self):
        return [
            *super().header_more_buttons,
            Button(
                _("Change schedule"),
                url=reverse("round_schedule", args=[self.object.pk]),
                icon_name="date",
                priority=5,
            ),
        ]


class CommitteeScopedViewSet(ModelViewSet):
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView


class CommitteeCreateView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.committee_create(
            name=data["name"], slug=data["slug"], district=data["district"], actor=self.request.user
        )


class DistrictViewSet(ModelViewSet):
    model = District
    icon = "site"
    menu_label = gettext_lazy("Districts")
    form_fields = ["name", "slug"]
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    add_to_admin_menu = False


class CommitteeViewSet(ModelViewSet):
    model = Committee
    icon = "group"
    menu_label = gettext_lazy("Committees")
    add_view_class = CommitteeCreateView
    form_fields = ["name", "slug", "district"]
    list_display = ["name", "district"]
    list_filter = ["district"]
    search_fields = ["name"]


class BudgetRoundViewSet(CommitteeScopedViewSet):
    index_view_class = RoundIndexView
    add_view_class = RoundCreateView
    edit_view_class = RoundEditView
    model = BudgetRound
    icon = "tasks"
    menu_label = gettext_lazy("Budget rounds")
    list_display = [
        "title",
        "committee",
        Column("phase_display", label=gettext_lazy("Phase")),
        MoneyColumn("pot", label=gettext_lazy("Pot")),
    ]
    list_filter = ["committee", "decision_method", "ballot_style", "voting_start"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("committee"),
            FieldPanel("title"),
            FieldPanel("slug"),
            MultiFieldPanel(
                [
                    FieldPanel("pot"),
                    FieldRowPanel([FieldPanel("min_cost"), FieldPanel("max_cost")]),
                ],
                heading=gettext_lazy("Money"),
            ),
            FieldPanel("rules_text"),
            InlinePanel("categories", label=gettext_lazy("Categories")),
            InlinePanel("checklist", label=gettext_lazy("Checklist for proposals")),
            MultiFieldPanel(
                [
                    FieldPanel("min_age"),
                    FieldPanel("voting_areas"),
                    FieldPanel("min_supports"),
                    FieldPanel("supports_verified_only"),
                ],
                heading=gettext_lazy("Eligibility"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("decision_method"),
                    FieldPanel("tally_rule"),
                    FieldPanel("ballot_style"),
                ],
                heading=gettext_lazy("How winners are decided"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("ideas_start"), FieldPanel("ideas_end")]),
                    FieldRowPanel([FieldPanel("review_start"), FieldPanel("review_end")]),
                    FieldRowPanel([FieldPanel("voting_start"), FieldPanel("voting_end")]),
                    FieldRowPanel(
                        [FieldPanel("results_start"), FieldPanel("implementation_start")]
                    ),
                ],
                heading=gettext_lazy("Schedule"),
            ),
            FieldPanel("reviewers"),
        ],
        base_form_class=RoundForm,
    )


class MeetingForm(CommitteeScopedForm):
    """A meeting's agenda: the parts of an item the platform wrote (a grant application's item)
    are shown, worded in the staff member's language, but not edited here; they change with the
    application's steps, and every reader sees them in their own language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for form in self.formsets["agenda_items"].forms:
            for name, text in form.instance.generated_texts().items():
                field = form.fields.get(name)
                if field is None:
                    continue
                field.disabled = True  # a posted value is ignored; the stored one is kept
                form.initial[name] = text
                field.help_text = _(
                    "Written by the platform from the grant application, in each reader's "
                    "language; it changes with the application's steps."
                )


class MeetingViewSet(CommitteeScopedViewSet):
    model = Meeting
    icon = "date"
    menu_label = gettext_lazy("Meetings")
    list_display = ["title", "committee", "starts_at", "venue_name"]
    list_filter = ["committee", "starts_at", "is_public"]
    search_fields = ["title", "venue_name"]
    edit_handler = ObjectList(
        [
            FieldPanel("committee"),
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
            MultiFieldPanel(
                [FieldPanel("venue_name"), FieldPanel("venue_address"), FieldPanel("venue_kind")],
                heading=gettext_lazy("Venue"),
            ),
            FieldPanel("is_public"),
            FieldPanel("budget_round"),
            InlinePanel("agenda_items", label=gettext_lazy("Agenda items")),
            FieldPanel("minutes"),
            InlinePanel("attachments", label=gettext_lazy("Attachments")),
        ],
        base_form_class=MeetingForm,
    )


class DeadlinePolicy(CommitteeScopedPolicy):
    """Deadlines belong to a committee through their grant pool."""

    committee_field = "budget_round__committee"

    def _committee_id(self, instance):
        return instance.budget_round.committee_id


register_permission_policy(ApplicationDeadline, DeadlinePolicy(ApplicationDeadline))


class DeadlineForm(WagtailAdminModelForm):
    """Only the user's own committees' grant pools and meetings can be chosen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pools = BudgetRound.objects.filter(decision_method="committee")
        meetings = Meeting.objects.all()
        user = self.for_user
        if user is not None and not user.is_superuser:
            pools = pools.filter(committee_id__in=committee_ids_for(user))
            meetings = meetings.filter(committee_id__in=committee_ids_for(user))
        self.fields["budget_round"].queryset = pools
        self.fields["meeting"].queryset = meetings


class DeadlineViewSet(CommitteeScopedViewSet):
    model = ApplicationDeadline
    icon = "time"
    menu_label = gettext_lazy("Application deadlines")
    list_display = ["budget_round", "closes_at", "meeting"]
    list_filter = ["budget_round__committee", "budget_round", "closes_at"]
    search_fields = ["budget_round__title", "meeting__title"]
    edit_handler = ObjectList(
        [FieldPanel("budget_round"), FieldPanel("closes_at"), FieldPanel("meeting")],
        base_form_class=DeadlineForm,
    )


class CommitteesGroup(ViewSetGroup):
    menu_label = gettext_lazy("Committees")
    menu_icon = "group"
    menu_order = 200
    items = (
        CommitteeViewSet,
        DistrictViewSet,
        BudgetRoundViewSet,
        MeetingViewSet,
        DeadlineViewSet,
        AreaViewSet,
        AddressViewSet,
    )


@hooks.register("register_admin_viewset")
def register_viewsets():
    return CommitteesGroup()


# --- Closing a phase early or extending it, with a reason kept in the audit log ----------------


class PhaseChangeForm(forms.Form):
    phase = forms.ChoiceField(
        label=gettext_lazy("Phase"),
        choices=[
            (p.value, p.label) for p in Phase if p not in (Phase.UPCOMING, Phase.IMPLEMENTATION)
        ],
    )
    new_end = forms.DateTimeField(
        label=gettext_lazy("New end"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (public)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def round_schedule_view(request, pk):
    budget_round = get_object_or_404(BudgetRound, pk=pk)
    if not is_moderator_of(request.user, budget_round.committee_id):
        raise PermissionDenied
    form = PhaseChangeForm(request.POST or None, initial={"phase": budget_round.phase})
    if request.method == "POST" and form.is_valid():
        try:
            services.round_phase_change(
                budget_round=budget_round,
                phase=form.cleaned_data["phase"],
                new_end=form.cleaned_data["new_end"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The schedule was changed and the change was logged."))
            return redirect(reverse("budgetround:edit", args=[budget_round.pk]))
    return TemplateResponse(
        request,
        "committees/admin/round_schedule.html",
        {"round": budget_round, "form": form, "entries": audit_entries_for(obj=budget_round)},
    )


@hooks.register("register_admin_urls")
def register_schedule_url():
    return [path("rounds/<int:pk>/schedule/", round_schedule_view, name="round_schedule")]


@hooks.register("construct_homepage_panels")
def add_workspace_panel(request, panels):
    panels.append(WorkspacePanel())  # committees.workspace: what waits, per committee
