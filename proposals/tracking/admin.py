"""Follow-up screens in the Wagtail admin: committee staff edit their own committee's projects.

Every change goes through a service (committee-scoped, audited, subscribers told after commit).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages

from committees.ids import parse_id
from frontend.forms import add_service_errors
from proposals.models import TrackedProject
from proposals.permissions import follow_up_committee_ids, may_edit_project, sees_follow_up
from proposals.tracking import selectors, services
from proposals.tracking.forms import GoalForm, MeasurementForm, ProjectForm, StatusForm, UpdateForm


def _project_for(user, pk: int) -> TrackedProject:
    project = get_object_or_404(
        TrackedProject.objects.select_related("proposal__budget_round__committee"), pk=pk
    )
    if not may_edit_project(user, project):
        raise PermissionDenied
    return project


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
    projects = selectors.tracked_projects(committee_ids=follow_up_committee_ids(request.user))
    if not sees_follow_up(request.user):
        raise PermissionDenied
    return TemplateResponse(request, "proposals/tracking/admin/index.html", {"projects": projects})


def tracking_edit_view(request, pk: int):
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
                add_service_errors(form, exc)
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
            return sees_follow_up(request.user)

    return TrackingMenuItem(
        gettext_lazy("Funded projects"), reverse("tracking_index"), icon_name="pick", order=213
    )
