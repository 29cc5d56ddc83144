"""The follow-up screens in the Wagtail admin: own committee's projects only, every change
through a service."""

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from committees.models import AuditEntry
from proposals.models import (
    TrackingStatus,
)
from proposals.tracking import services
from proposals.uploads import clean_image
from tests.proposals.tracking.images import jpeg

pytestmark = pytest.mark.django_db


def test_admin_lists_and_edits_only_own_committee_projects(client, world):
    project = world["project"]
    edit = reverse("tracking_edit", args=[project.pk])
    client.force_login(world["other_staff"])
    assert "Bænke ved søerne" not in client.get(reverse("tracking_index")).content.decode()
    response = client.post(
        edit,
        {"form": "project", "project-responsible": "x", "project-progress": 5, "project-spent": 0},
    )
    # Wagtail sends staff without the permission back to the dashboard.
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("wagtailadmin_home")
    project.refresh_from_db()
    assert project.responsible == ""
    client.force_login(world["staff"])
    assert "Bænke ved søerne" in client.get(reverse("tracking_index")).content.decode()
    response = client.post(
        edit,
        {
            "form": "project",
            "project-responsible": "Park og Natur",
            "project-progress": 30,
            "project-spent": 9_000,
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    project.refresh_from_db()
    assert (project.responsible, project.progress, project.spent) == ("Park og Natur", 30, 9_000)
    entry = AuditEntry.objects.filter(action="tracking.edit").get()
    assert entry.data["before"]["progress"] == 0 and entry.data["after"]["progress"] == 30


def test_admin_update_with_photo_and_cancel_with_reason(client, world):
    project = world["project"]
    edit = reverse("tracking_edit", args=[project.pk])
    client.force_login(world["staff"])
    response = client.post(
        edit,
        {
            "form": "update",
            "update-date": "2026-06-01",
            "update-title": "Status",
            "update-body": "Alt går godt.",
            "update-photos": jpeg(),
            "update-photo_alt": "Bænk ved søen",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.context["forms"]["update"].errors
    assert project.updates.get().photos.get().alt_text == "Bænk ved søen"
    response = client.post(edit, {"form": "status", "status-status": "cancelled"})
    assert response.status_code == HTTPStatus.OK  # the reason is missing
    project.refresh_from_db()
    assert project.status == TrackingStatus.PLANNED
    client.post(
        edit, {"form": "status", "status-status": "cancelled", "status-reason": "For dyrt."}
    )
    project.refresh_from_db()
    assert project.status == TrackingStatus.CANCELLED and project.cancel_reason == "For dyrt."


def test_staff_remove_a_mistaken_update_goal_or_measurement(client, world):
    from wagtail.images import get_image_model

    project = world["project"]
    staff = world["staff"]
    update = services.project_update_add(
        actor=staff,
        project=project,
        date=datetime.date(2026, 6, 1),
        title="Forkert projekt",
        body="Skrevet på det forkerte projekt.",
        photos=[(clean_image(jpeg()), "En bænk")],
    )
    goal = services.effect_goal_add(
        actor=staff, project=project, indicator="Besøgende", unit="", baseline=1, target=2
    )
    kept = services.effect_goal_add(
        actor=staff, project=project, indicator="Bænke", unit="stk.", baseline=0, target=10
    )
    wrong = services.effect_measurement_record(
        actor=staff, goal=kept, measured_on=datetime.date(2026, 9, 1), value=100
    )
    services.effect_measurement_record(
        actor=staff, goal=goal, measured_on=datetime.date(2026, 9, 1), value=5
    )
    image_id = update.photos.get().image_id
    edit = reverse("tracking_edit", args=[project.pk])

    # Someone else's staff, and a tampered id, remove nothing.
    client.force_login(world["other_staff"])
    response = client.post(edit, {"form": "remove", "kind": "update", "pk": update.pk})
    # Wagtail sends staff without the permission back to the dashboard.
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("wagtailadmin_home")
    assert project.updates.count() == 1
    with pytest.raises(PermissionDenied):
        services.tracking_item_remove(
            actor=world["other_staff"], project=project, kind="goal", pk=goal.pk
        )
    client.force_login(staff)
    html = client.get(edit).content.decode()
    assert html.count('name="form" value="remove"') == 5  # update, 2 goals, 2 measurements
    for kind, pk in [("update", 999_999), ("photo", update.pk), ("update", "1 OR 1=1")]:
        client.post(edit, {"form": "remove", "kind": kind, "pk": pk})
    assert project.updates.count() == 1 and project.goals.count() == 2

    for kind, pk in [("update", update.pk), ("goal", goal.pk), ("measurement", wrong.pk)]:
        response = client.post(edit, {"form": "remove", "kind": kind, "pk": pk})
        assert response.status_code == HTTPStatus.FOUND
    assert not project.updates.exists()
    assert not get_image_model().objects.filter(pk=image_id).exists()
    assert list(project.goals.values_list("indicator", flat=True)) == ["Bænke"]
    assert not kept.measurements.exists()
    removed = AuditEntry.objects.filter(action__endswith="_remove").values_list("action", flat=True)
    assert sorted(removed) == [
        "tracking.goal_remove",
        "tracking.measurement_remove",
        "tracking.update_remove",
    ]
    page = client.get(f"/en{reverse('tracking:detail', args=[project.pk])}").content.decode()
    assert "Forkert projekt" not in page
