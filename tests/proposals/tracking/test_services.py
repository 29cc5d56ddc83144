"""Follow-up services: created with the result, edited by the committee's staff only, kept in
step with the proposal's state, followed by residents by e-mail."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from committees.accounts.privacy import account_delete, export
from committees.models import AuditEntry
from proposals import services as proposal_services
from proposals.models import (
    ProjectSubscription,
    Proposal,
    State,
    TrackedProject,
    TrackingStatus,
)
from proposals.tracking import services
from tests import factories

pytestmark = pytest.mark.django_db


def test_selecting_a_proposal_creates_its_tracked_project_with_the_grant(world):
    project = world["project"]
    assert project.status == TrackingStatus.PLANNED
    assert project.granted == 40_000 and project.spent == 0 and project.progress == 0


def test_backfill_command_tracks_older_funded_proposals_once(world):
    older = factories.proposal(budget_round=world["round"], state="completed")
    factories.proposal(budget_round=world["round"], state="not_selected")
    out = io.StringIO()
    call_command("track_funded_projects", stdout=out)
    assert "1" in out.getvalue()
    assert TrackedProject.objects.get(proposal=older).status == TrackingStatus.COMPLETED
    call_command("track_funded_projects", stdout=io.StringIO())
    assert TrackedProject.objects.count() == 2


def test_progress_is_a_percentage_in_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackedProject.objects.filter(pk=world["project"].pk).update(progress=101)
    with pytest.raises(ValidationError):
        services.tracked_project_edit(
            actor=world["staff"], project=world["project"], responsible="", progress=120, spent=0
        )


def test_status_moves_the_proposal_through_the_state_machine(world):
    project, staff = world["project"], world["staff"]
    services.tracked_project_status_set(actor=staff, project=project, status="in_progress")
    assert Proposal.objects.get(pk=project.proposal_id).state == State.IN_PROGRESS
    services.tracked_project_status_set(actor=staff, project=project, status="completed")
    project.refresh_from_db()
    assert project.progress == 100
    assert Proposal.objects.get(pk=project.proposal_id).state == State.COMPLETED
    with pytest.raises(ValidationError):  # no way back from completed
        services.tracked_project_status_set(actor=staff, project=project, status="in_progress")
    history = list(project.proposal.history.values_list("to_state", flat=True))
    assert history[-2:] == [State.IN_PROGRESS, State.COMPLETED]


def test_a_move_on_the_review_screen_moves_the_tracked_project_too(world):
    # The proposal's state and the project's status are one thing, however it is moved.
    proposal, project, staff = world["proposal"], world["project"], world["staff"]
    proposal_services.proposal_transition(actor=staff, proposal=proposal, target=State.IN_PROGRESS)
    project.refresh_from_db()
    assert project.status == TrackingStatus.IN_PROGRESS
    proposal_services.proposal_transition(
        actor=staff, proposal=proposal, target=State.CANCELLED, reason="Ingen tilladelse."
    )
    project.refresh_from_db()
    assert project.status == TrackingStatus.CANCELLED
    assert project.cancel_reason == "Ingen tilladelse."


def test_cancelling_needs_a_public_reason(world):
    project, staff = world["project"], world["staff"]
    with pytest.raises(ValidationError):
        services.tracked_project_status_set(actor=staff, project=project, status="cancelled")
    services.tracked_project_status_set(
        actor=staff, project=project, status="cancelled", reason="Grunden blev solgt."
    )
    project.refresh_from_db()
    assert project.cancel_reason == "Grunden blev solgt."
    assert project.proposal.state == State.CANCELLED
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackedProject.objects.filter(pk=project.pk).update(cancel_reason="")


def test_staff_of_another_committee_and_residents_cannot_change_a_project(world):
    project = world["project"]
    for actor in (world["other_staff"], factories.user(), None):
        with pytest.raises(PermissionDenied):
            services.tracked_project_edit(
                actor=actor, project=project, responsible="x", progress=5, spent=1
            )
        with pytest.raises(PermissionDenied):
            services.project_update_add(
                actor=actor, project=project, date=datetime.date.today(), title="t", body="b"
            )
    project.refresh_from_db()
    assert project.progress == 0 and not project.updates.exists()


def test_changes_are_audited(world):
    services.tracked_project_edit(
        actor=world["staff"],
        project=world["project"],
        responsible="Park og Natur",
        progress=20,
        spent=5_000,
    )
    entry = AuditEntry.objects.filter(action="tracking.edit").get()
    assert entry.actor == world["staff"] and entry.committee_id == world["ours"].pk
    assert entry.data["after"]["spent"] == 5_000


def test_effect_goal_with_dated_measurements(world):
    goal = services.effect_goal_add(
        actor=world["staff"],
        project=world["project"],
        indicator="Besøgende",
        unit="pr. uge",
        baseline=40,
        target=120,
    )
    day = datetime.date(2026, 5, 1)
    services.effect_measurement_record(actor=world["staff"], goal=goal, measured_on=day, value=60)
    services.effect_measurement_record(actor=world["staff"], goal=goal, measured_on=day, value=65)
    assert list(goal.measurements.values_list("value", flat=True)) == [65]
    with pytest.raises(ValidationError):
        services.effect_goal_add(
            actor=world["staff"],
            project=world["project"],
            indicator="besøgende",
            unit="",
            baseline=0,
            target=1,
        )


def test_subscribers_get_updates_in_their_language_after_commit(
    world, django_capture_on_commit_callbacks
):
    english = factories.user(preferred_language="en")
    danish = factories.user(preferred_language="da")
    for person in (english, danish):
        assert services.project_subscribe(user=person, project=world["project"])
    assert not services.project_subscribe(user=english, project=world["project"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.project_update_add(
            actor=world["staff"],
            project=world["project"],
            date=datetime.date(2026, 6, 1),
            title="Bænkene er bestilt",
            body="De kommer i juni.",
        )
    assert mail.outbox == []  # nothing before the commit
    with django_capture_on_commit_callbacks(execute=True):  # the queued sends
        for callback in callbacks:
            callback()
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {english.email, danish.email}
    assert "New update" in by_recipient[english.email].subject
    assert "Bænkene er bestilt" in by_recipient[english.email].body
    # Links follow the recipient's language (Danish has no prefix; the texts are translated
    # in the fragment, merged later).
    assert "/en/projekter/afmeld/" in by_recipient[english.email].body
    danish_body = by_recipient[danish.email].body
    assert "/projekter/afmeld/" in danish_body and "/en/" not in danish_body


def test_status_change_tells_subscribers(world, django_capture_on_commit_callbacks):
    follower = factories.user(preferred_language="en")
    services.project_subscribe(user=follower, project=world["project"])
    with django_capture_on_commit_callbacks(execute=True):
        services.tracked_project_status_set(
            actor=world["staff"], project=world["project"], status="in_progress"
        )
    assert any(m.to == [follower.email] and "In progress" in m.subject for m in mail.outbox)


def test_planned_to_completed_sends_each_person_one_email(
    world, django_capture_on_commit_callbacks
):
    follower = factories.user(preferred_language="en")
    services.project_subscribe(user=follower, project=world["project"])
    author = world["proposal"].author
    with django_capture_on_commit_callbacks(execute=True):
        services.tracked_project_status_set(
            actor=world["staff"], project=world["project"], status="completed"
        )
    # The proposal passes through "in progress" on the way, and nobody hears of that step.
    assert Proposal.objects.get(pk=world["proposal"].pk).state == State.COMPLETED
    assert [m.to for m in mail.outbox].count([author.email]) == 1
    assert [m.to for m in mail.outbox].count([follower.email]) == 1


def test_unverified_residents_cannot_subscribe(world):
    with pytest.raises(PermissionDenied):
        services.project_subscribe(user=factories.user(verified=False), project=world["project"])


def test_subscriptions_are_in_the_data_download_and_deleted_with_the_account(world):
    follower = factories.user()
    services.project_subscribe(user=follower, project=world["project"])
    data = export(follower)
    assert data["proposals"]["followed_projects"][0]["project_title"] == "Bænke ved søerne"
    account_delete(user=follower)
    assert not ProjectSubscription.objects.exists()
