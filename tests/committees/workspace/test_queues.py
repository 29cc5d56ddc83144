"""The admin lists the workspace links to: money in the reader's language, and back to the very
queue (filters kept) after a review, never to another site."""

from http import HTTPStatus
from urllib.parse import quote

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home_page):
    committee = factories.committee("Østerbro Lokaludvalg")
    ideas = factories.budget_round(committee=committee, phase="ideas")
    proposal = factories.proposal(
        budget_round=ideas, state="submitted", title="Bænke", estimated_cost=12_500
    )
    return {
        "committee": committee,
        "proposal": proposal,
        "moderator": factories.moderator(committee=committee),
    }


def queue_url(world) -> str:
    return (
        f"{reverse('proposal:index')}?state=submitted"
        f"&budget_round__committee={world['committee'].pk}"
    )


def test_the_list_shows_money_in_the_reader_s_language(client, world):
    client.force_login(world["moderator"])
    assert "12.500 kr." in client.get(queue_url(world)).content.decode()
    world["moderator"].preferred_language = "en"
    world["moderator"].save(update_fields=["preferred_language"])
    assert "DKK 12,500" in client.get(queue_url(world)).content.decode()


def test_the_review_button_carries_the_queue_and_the_review_returns_to_it(client, world):
    client.force_login(world["moderator"])
    html = client.get(queue_url(world)).content.decode()
    review = reverse("proposal_review", args=[world["proposal"].pk])
    assert f"{review}?next={quote(queue_url(world), safe='')}" in html
    response = client.post(
        f"{review}?next={quote(queue_url(world), safe='')}", {"target": "in_review"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == queue_url(world)


def test_a_review_never_sends_staff_to_another_site(client, world):
    client.force_login(world["moderator"])
    review = reverse("proposal_review", args=[world["proposal"].pk])
    for target in ("https://evil.example/", "//evil.example/x"):
        response = client.post(f"{review}?next={quote(target)}", {"target": "in_review"})
        assert response["Location"] == reverse("proposal:index"), target
        world["proposal"].refresh_from_db()
        world["proposal"].state = "submitted"
        world["proposal"].save(update_fields=["state"])


def test_the_bulk_queue_sends_its_reviews_back_to_it(client, world):
    client.force_login(world["moderator"])
    url = f"{reverse('proposal_queue')}?state=submitted"
    html = client.get(url).content.decode()
    review = reverse("proposal_review", args=[world["proposal"].pk])
    assert f"{review}?next={quote(url, safe='/')}" in html
