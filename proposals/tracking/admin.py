"""Follow-up screens in the Wagtail admin: committee staff edit their own committee's projects.

Every change goes through a service (committee-scoped, audited, subscribers told after commit).
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from committees.ids import parse_id
from committees.permissions import committee_ids_for, is_moderator_of
from proposals import selectors, services
from proposals.forms import MultipleFileField, MultipleFileInput
from proposals.models import EffectGoal, TrackedProject, TrackingStatus
from proposals.uploads import clean_image

MAX_PHOTOS = 5


def _visible_projects(user):
    if not (user and user.is_authenticated and user.is_active):
        return TrackedProject.objects.none()
    projects = selectors.tracked_projects()
    if user.is_superuser:
        return projects
    return projects.filter(proposal__budget_round__committee_id__in=committee_ids_for(user))


def _project_for(user, pk: int) -> TrackedProject:
    project = get_object_or_404(
        TrackedProject.objects.select_related("proposal__budget_round__committee"), pk=pk
    )
    if not is_moderator_of(user, project.proposal.budget_round.committee_id):
        raise PermissionDenied
    return project


class ProjectForm(forms.ModelForm):
    class Meta:
        model = TrackedProject
        fields = ["responsible", "progress", "spent"]
        widgets = {
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "spent": forms.NumberInput(attrs={"min": 0}),
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"))
    reason = forms.CharField(
        label=gettext_lazy("Public reason (required when cancelling)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (target, TrackingStatus(target).label)
            for (source, target) in services.STATUS_PATHS
            if source == project.status
        ]


class UpdateForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 5}))
    photos = MultipleFileField(
        label=gettext_lazy("Photos (JPEG, PNG or WebP; location data is removed)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    photo_alt = forms.CharField(
        label=gettext_lazy("What the photos show (for people who cannot see them)"),
        required=False,
        max_length=250,
    )

    def clean_photos(self):
        files = self.cleaned_data.get("photos") or []
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("At most %(count)d photos per update.") % {"count": MAX_PHOTOS})
        return [clean_image(upload) for upload in files]

    def clean(self):
        data = super().clean()
        if data.get("photos") and not (data.get("photo_alt") or "").strip():
            self.add_error("photo_alt", _("Describe the photos for people who cannot see them."))
        return data


class GoalForm(forms.Form):
    indicator = forms.CharField(label=gettext_lazy("Indicator"), max_length=200)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=50, required=False)
    baseline = forms.DecimalField(label=gettext_lazy("Baseline"), max_digits=14, decimal_places=2)
    target = forms.DecimalField(label=gettext_lazy("Target"), max_digits=14, decimal_places=2)


class MeasurementForm(forms.Form):
    goal = forms.ModelChoiceField(label=gettext_lazy("Indicator"), queryset=None)
    measured_on = forms.DateField(
        label=gettext_lazy("Measured on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    value = forms.DecimalField(label=gettext_lazy("Value"), max_digits=14, decimal_places=2)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = EffectGoal.objects.filter(project=project)


FORMS = {
    "project": ProjectForm,
    "status": StatusForm,
    "update": UpdateForm,
    "goal": GoalForm,
    "measurement": MeasurementForm,
}


def _build(name, project, data=None, files=None):
    cls = FORMS[name]
    kwargs = {"prefix": name}
    if name == "project":
        # A copy: validating a model form writes into its instance, and the service compares
        # the stored values with the new ones for the audit log.
        copy = TrackedProject.objects.get(pk=project.pk)
        return cls(data, instance=copy, **kwargs) if data else cls(instance=copy, **kwargs)
    if name in ("status", "measurement"):
        kwargs["project"] = project
    if name == "update":
        kwargs["initial"] = {"date": timezone.localdate()}
        return cls(data, files, **kwargs)
    return cls(data, **kwargs)


def _save(name, form, request, project):
    data, user = form.cleaned_data, request.user
    if name == "project":
        services.tracked_project_edit(
            actor=user,
            project=project,
            responsible=data["responsible"],
            progress=data["progress"],
            spent=data["spent"],
        )
    elif name == "status":
        services.tracked_project_status_set(
            actor=user, project=project, status=data["status"], reason=data["reason"]
        )
    elif name == "update":
        services.project_update_add(
            actor=user,
            project=project,
            date=data["date"],
            title=data["title"],
            body=data["body"],
            photos=[(clean, data["photo_alt"]) for clean in data["photos"]],
        )
    elif name == "goal":
        services.effect_goal_add(
            actor=user,
            project=project,
            indicator=data["indicator"],
            unit=data["unit"],
            baseline=data["baseline"],
            target=data["target"],
        )
    elif name == "measurement":
        services.effect_measurement_record(
            actor=user,
            goal=data["goal"],
            measured_on=data["measured_on"],
            value=data["value"],
            note=data["note"],
        )


def tracking_index_view(request):
    projects = _visible_projects(request.user)
    if not request.user.is_superuser and not committee_ids_for(request.user):
        raise PermissionDenied
    return TemplateResponse(request, "proposals/tracking/admin/index.html", {"projects": projects})


def tracking_edit_view(request, pk: int):
    from wagtail.admin import messages

    project = _project_for(request.user, pk)
    forms_by_name = {name: _build(name, project) for name in FORMS}
    if request.method == "POST" and request.POST.get("form") == "remove":
        try:
            services.tracking_item_remove(
                actor=request.user,
                project=project,
                kind=request.POST.get("kind", ""),
                pk=parse_id(request.POST.get("pk")) or 0,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Removed."))
        return redirect("tracking_edit", pk=project.pk)
    if request.method == "POST":
        name = request.POST.get("form")
        if name not in FORMS:
            raise PermissionDenied
        form = _build(name, project, request.POST, request.FILES)
        forms_by_name[name] = form
        if form.is_valid():
            try:
                _save(name, form, request, project)
            except ValidationError as exc:
                problems = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for field, errors in problems.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("tracking_edit", pk=project.pk)
    project = selectors.tracked_project_detail(pk=project.pk)
    return TemplateResponse(
        request,
        "proposals/tracking/admin/edit.html",
        {
            "project": project,
            "forms": forms_by_name,
            "public_url": reverse("tracking:detail", args=[project.pk]),
        },
    )


@hooks.register("register_admin_urls")
def register_tracking_urls():
    return [
        path("tracking/", tracking_index_view, name="tracking_index"),
        path("tracking/<int:pk>/", tracking_edit_view, name="tracking_edit"),
    ]


@hooks.register("register_admin_menu_item")
def register_tracking_menu_item():
    from wagtail.admin.menu import MenuItem

    class TrackingMenuItem(MenuItem):
        def is_shown(self, request):
            user = request.user
            return user.is_superuser or bool(committee_ids_for(user))

    return TrackingMenuItem(
        gettext_lazy("Funded projects"), reverse("tracking_index"), icon_name="pick", order=212
    )
