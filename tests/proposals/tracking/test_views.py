"""Public pages of the follow-up: a project's page, following it, the catalogue and "propose
this in my area"."""

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from proposals.models import (
    ProjectSubscription,
    Proposal,
    State,
)
from proposals.tracking import services
from proposals.uploads import clean_image
from tests import factories
from tests.proposals.tracking.images import jpeg

pytestmark = pytest.mark.django_db


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
        photos=[(clean_image(jpeg()), "Graveko i parken")],
    )
    response = client.get(f"/en{reverse('tracking:detail', args=[project.pk])}")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for text in (
        "Park og Natur",
        "Progress: 35%",  # one percent format per language: 35 % in Danish
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
