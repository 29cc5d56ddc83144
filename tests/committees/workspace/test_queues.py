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


# Our own admin lists only: Wagtail's sites and groups keep Wagtail's own lists, and its user
# list (which our user admin extends) searches in its own index view.
OUR_APPS = ("committees.", "proposals.", "voting.", "notices.")
WAGTAILS_OWN_LIST = {"User"}
# A list of two text columns needs a search box, not filters.
NOTHING_TO_FILTER = {"District"}


def our_model_viewsets():
    from wagtail.admin.viewsets import viewsets
    from wagtail.admin.viewsets.model import ModelViewSet

    viewsets.populate()
    return [
        viewset
        for viewset in viewsets.viewsets
        if isinstance(viewset, ModelViewSet)
        and type(viewset).__module__.startswith(OUR_APPS)
        and viewset.model.__name__ not in WAGTAILS_OWN_LIST
    ]


def test_every_admin_list_of_ours_can_be_searched_and_filtered():
    viewsets = our_model_viewsets()
    assert len(viewsets) >= 9
    for viewset in viewsets:
        name = viewset.model.__name__
        unset = (viewset.UNDEFINED, None, [])
        assert viewset.search_fields not in unset, f"{name}: no search"
        if name not in NOTHING_TO_FILTER:
            filters = viewset.list_filter not in unset or viewset.filterset_class not in unset
            assert filters, f"{name}: no filter"


def test_districts_can_be_searched(client, home_page):
    factories.district("Vesterbro")
    factories.district("Amager Øst")
    client.force_login(factories.user(is_superuser=True, is_staff=True))
    html = client.get(reverse("district:index"), {"q": "vester"}).content.decode()
    assert "Vesterbro" in html and "Amager Øst" not in html
