import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from proposals.models import Proposal, State, TrackedProject, TrackingStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_has_proposals_in_every_state(settings, tmp_path, home_page):
    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    call_command("seed_demo", stdout=io.StringIO())
    assert set(Proposal.objects.values_list("state", flat=True)) == set(State.values)
    count = Proposal.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Proposal.objects.count() == count
    for proposal in Proposal.objects.exclude(state=State.DRAFT):
        assert proposal.case_number
        assert proposal.support_count == proposal.supports.count()
        assert proposal.history.last().to_state == proposal.state


def test_seed_demo_takes_a_grant_application_through_the_whole_process(
    settings, tmp_path, home_page
):
    from committees.models import BudgetRound
    from proposals.models import GrantApplication, GrantStage

    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    call_command("seed_demo", stdout=io.StringIO())
    pool = BudgetRound.objects.get(slug="demo-pulje", decision_method="committee")
    stages = set(
        GrantApplication.objects.filter(proposal__budget_round=pool).values_list("stage", flat=True)
    )
    assert {
        GrantStage.PAID,
        GrantStage.REFUSED,
        GrantStage.ON_AGENDA,
        GrantStage.RECOMMENDED,
        GrantStage.SUBMITTED,
    } <= stages
    # Recommended, waiting for the secretariat; and on the agenda of a meeting still to come.
    recommended = GrantApplication.objects.get(
        proposal__budget_round=pool, stage=GrantStage.RECOMMENDED
    )
    assert recommended.recommendation and recommended.agenda_item is None
    on_agenda = GrantApplication.objects.get(
        proposal__budget_round=pool, stage=GrantStage.ON_AGENDA
    )
    assert on_agenda.agenda_item.meeting.starts_at > timezone.now()
    paid = GrantApplication.objects.get(proposal__budget_round=pool, stage=GrantStage.PAID)
    assert pool.granted_total == paid.granted_amount
    assert paid.payout_amount + paid.advance_paid <= paid.granted_amount
    meeting = paid.agenda_item.meeting
    # The decision is a minutes line the platform generated, worded when read.
    decisions = [entry.text() for entry in meeting.minutes_entries.filter(kind="agenda_decision")]
    assert any(paid.proposal.title in text for text in decisions), decisions
    count = GrantApplication.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert GrantApplication.objects.count() == count
    pool.refresh_from_db()
    assert pool.granted_total == paid.granted_amount


def test_demo_has_a_project_in_every_follow_up_state_and_reseeds_idempotently(
    client, settings, tmp_path, home_page
):
    settings.VAR_DIR, settings.DEBUG = tmp_path, True
    call_command("seed_demo", stdout=io.StringIO())
    demo = TrackedProject.objects.filter(proposal__budget_round__slug="demo-implementation")
    assert {p.status for p in demo} == set(TrackingStatus.values)
    for project in demo:
        assert project.updates.exists() and project.responsible
        assert (
            project.proposal.state
            == {
                "planned": State.SELECTED,
                "in_progress": State.IN_PROGRESS,
                "completed": State.COMPLETED,
                "cancelled": State.CANCELLED,
            }[project.status]
        )
    assert demo.get(status="cancelled").cancel_reason
    measured = [p for p in demo if p.goals.filter(measurements__isnull=False).exists()]
    assert measured
    counts = (TrackedProject.objects.count(), sum(p.updates.count() for p in demo))
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == (TrackedProject.objects.count(), sum(p.updates.count() for p in demo))
    # The published round's winners are tracked too, and the pages answer.
    assert TrackedProject.objects.filter(proposal__budget_round__slug="demo-results").exists()
    for project in demo:
        assert client.get(reverse("tracking:detail", args=[project.pk])).status_code == 200
    assert (
        demo.get(status="completed").proposal.title
        in client.get(reverse("tracking:catalogue")).content.decode()
    )
