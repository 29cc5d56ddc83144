"""Follow-up of funded projects: created with the result, edited by the committee's staff only,
kept in step with the proposal's state, followed by residents by e-mail."""

import datetime
import io
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from PIL import Image

from committees import services as committee_services
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
from proposals.uploads import clean_image
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home_page):
    ours = factories.committee("Østerbro Lokaludvalg")
    theirs = factories.committee("Valby Lokaludvalg", district_name="Valby")
    budget_round = factories.budget_round(committee=ours, phase="implementation")
    staff, other_staff = factories.user(), factories.user()
    committee_services.committee_role_grant(user=staff, committee=ours, role="moderator")
    committee_services.committee_role_grant(user=other_staff, committee=theirs, role="moderator")
    selected = factories.funded_proposal(
        budget_round=budget_round, title="Bænke ved søerne", estimated_cost=40_000
    )
    return {
        "ours": ours,
        "theirs": theirs,
        "round": budget_round,
        "staff": staff,
        "other_staff": other_staff,
        "proposal": selected,
        "project": selected.tracking,
    }


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", (64, 48), (30, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")


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


def test_unsubscribe_link_works_without_logging_in(client, world):
    follower = factories.user(preferred_language="en")
    services.project_subscribe(user=follower, project=world["project"])
    from proposals.notifications import unsubscribe_token

    token = unsubscribe_token(subscription=ProjectSubscription.objects.get(user=follower))
    url = reverse("tracking:unsubscribe", args=[token])
    assert client.get(url).status_code == HTTPStatus.OK
    assert ProjectSubscription.objects.filter(user=follower).exists()  # GET changes nothing
    assert client.post(url).status_code == HTTPStatus.FOUND
    assert not ProjectSubscription.objects.filter(user=follower).exists()
    bad = reverse("tracking:unsubscribe", args=[token[:-2] + "xx"])
    assert client.post(bad).status_code == HTTPStatus.NOT_FOUND


def test_subscriptions_are_in_the_data_download_and_deleted_with_the_account(world):
    follower = factories.user()
    services.project_subscribe(user=follower, project=world["project"])
    data = export(follower)
    assert data["proposals"]["followed_projects"][0]["project_title"] == "Bænke ved søerne"
    account_delete(user=follower)
    assert not ProjectSubscription.objects.exists()


# --- Public pages ------------------------------------------------------------------------------


def test_public_page_shows_status_money_updates_and_effects(client, world):
    project, staff = world["project"], world["staff"]
    services.tracked_project_edit(
        actor=staff, project=project, responsible="Park og Natur", progress=35, spent=12_000
    )
    goal = services.effect_goal_add(
        actor=staff, project=project, indicator="Besøgende", unit="", baseline=40, target=120
    )
    services.effect_measurement_record(
        actor=staff, goal=goal, measured_on=datetime.date(2026, 5, 1), value=77
    )
    services.project_update_add(
        actor=staff,
        project=project,
        date=datetime.date(2026, 6, 1),
        title="Første spadestik",
        body="Arbejdet er begyndt.",
        photos=[(clean_image(_jpeg()), "Graveko i parken")],
    )
    response = client.get(f"/en{reverse('tracking:detail', args=[project.pk])}")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for text in (
        "Park og Natur",
        "Progress: 35 %",
        "Første spadestik",
        "Besøgende",
        "77",
        'alt="Graveko i parken"',
        "Log in to follow this project",
    ):
        assert text in html, text
    photo = project.updates.get().photos.get().image
    assert b"SecretCamera" not in photo.file.open("rb").read()


def test_follow_requires_login_and_toggles(client, world):
    url = reverse("tracking:follow", args=[world["project"].pk])
    assert "/login/" in client.post(url)["Location"]
    follower = factories.user()
    client.force_login(follower)
    client.post(url)
    assert ProjectSubscription.objects.filter(user=follower).exists()
    client.post(url, {"action": "unfollow"})
    assert not ProjectSubscription.objects.filter(user=follower).exists()


def _complete(world):
    project = world["project"]
    services.tracked_project_status_set(actor=world["staff"], project=project, status="completed")
    return project


def test_catalogue_lists_completed_projects_of_every_committee_with_filters(client, world):
    _complete(world)
    other_round = factories.budget_round(committee=world["theirs"], phase="implementation")
    other_round.categories.create(name="Leg")
    other_round.save()  # categories are a cluster: saved with their round
    theirs = factories.funded_proposal(budget_round=other_round, title="Legeplads i Valby")
    services.tracked_project_status_set(
        actor=world["other_staff"], project=theirs.tracking, status="completed"
    )
    planned = factories.funded_proposal(budget_round=world["round"], title="Endnu ikke færdig")
    url = f"/en{reverse('tracking:catalogue')}"
    html = client.get(url).content.decode()
    assert "Bænke ved søerne" in html and "Legeplads i Valby" in html
    assert planned.title not in html
    html = client.get(url, {"q": "legeplads"}).content.decode()
    assert "Legeplads i Valby" in html and "Bænke ved søerne" not in html
    html = client.get(url, {"category": "Leg"}).content.decode()
    assert "Legeplads i Valby" in html and "Bænke ved søerne" not in html
    area = world["ours"].district
    html = client.get(url, {"area": area.pk}).content.decode()
    assert "Bænke ved søerne" in html and "Legeplads i Valby" not in html


def test_catalogue_is_paginated(client, world):
    for number in range(14):
        proposal = factories.funded_proposal(budget_round=world["round"], title=f"Projekt {number}")
        services.tracked_project_status_set(
            actor=world["staff"], project=proposal.tracking, status="completed"
        )
    url = f"/en{reverse('tracking:catalogue')}"
    first = client.get(url).context["page_obj"]
    assert first.paginator.count == 14 and len(first.object_list) == 12
    assert len(client.get(url, {"page": 2}).context["page_obj"].object_list) == 2


def test_propose_this_in_my_area_starts_a_linked_draft_elsewhere(client, world):
    project = _complete(world)
    open_round = factories.budget_round(committee=world["theirs"], phase="ideas")
    url = reverse("tracking:propose_again", args=[project.pk])
    assert "/login/" in client.get(url)["Location"]
    resident = factories.user()
    client.force_login(resident)
    assert client.get(url).status_code == HTTPStatus.OK
    response = client.post(url, {"round": open_round.pk})
    draft = Proposal.objects.get(author=resident)
    assert response["Location"] == reverse("proposals:edit", args=[draft.pk])
    assert draft.state == State.DRAFT and draft.budget_round == open_round
    assert draft.inspired_by_id == project.proposal_id
    assert draft.title == "Bænke ved søerne" and draft.estimated_cost == 40_000


def test_propose_again_refuses_own_committee_and_closed_rounds(client, world):
    project = _complete(world)
    own_open = factories.budget_round(committee=world["ours"], phase="ideas")
    closed = factories.budget_round(committee=world["theirs"], phase="voting")
    resident = factories.user()
    for budget_round in (own_open, closed):
        with pytest.raises(ValidationError):
            services.proposal_propose_again(
                author=resident, original=project.proposal, budget_round=budget_round
            )
    client.force_login(resident)
    with translation.override("en"):
        url = reverse("tracking:propose_again", args=[project.pk])
    html = client.get(url).content.decode()
    assert "No other local committee takes proposals right now" in html
    client.post(url, {"round": own_open.pk})
    assert not Proposal.objects.filter(author=resident).exists()


def test_propose_again_leaves_grant_pools_out(client, world):
    project = _complete(world)
    pool = factories.grant_pool(committee=world["theirs"])
    resident = factories.user()
    with pytest.raises(ValidationError):
        services.proposal_propose_again(
            author=resident, original=project.proposal, budget_round=pool
        )
    client.force_login(resident)
    response = client.get(reverse("tracking:propose_again", args=[project.pk]))
    assert pool not in response.context["rounds"]


def test_only_completed_projects_can_be_proposed_again(client, world):
    client.force_login(factories.user())
    url = reverse("tracking:propose_again", args=[world["project"].pk])
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


# --- Admin -------------------------------------------------------------------------------------


def test_admin_lists_and_edits_only_own_committee_projects(client, world):
    project = world["project"]
    edit = reverse("tracking_edit", args=[project.pk])
    client.force_login(world["other_staff"])
    assert "Bænke ved søerne" not in client.get(reverse("tracking_index")).content.decode()
    response = client.post(
        edit,
        {"form": "project", "project-responsible": "x", "project-progress": 5, "project-spent": 0},
    )
    assert response.status_code != HTTPStatus.OK
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
            "update-photos": _jpeg(),
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


def test_proposal_page_links_to_its_follow_up_and_to_what_inspired_it(client, world):
    project = _complete(world)
    open_round = factories.budget_round(committee=world["theirs"], phase="ideas")
    resident = factories.user()
    draft = services.proposal_propose_again(
        author=resident,
        original=Proposal.objects.get(pk=project.proposal_id),
        budget_round=open_round,
    )
    html = client.get(f"/en{reverse('proposals:detail', args=[project.proposal_id])}").content
    assert reverse("tracking:detail", args=[project.pk]).encode() in html
    client.force_login(resident)
    with translation.override("en"):
        url = reverse("proposals:detail", args=[draft.pk])
    html = client.get(url).content.decode()
    assert "Inspired by" in html and "Østerbro Lokaludvalg" in html


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
        photos=[(clean_image(_jpeg()), "En bænk")],
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
    assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.FOUND)
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
