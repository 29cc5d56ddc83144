"""The admin lists the workspace links to: money in the reader's language, and back to the very
queue (filters kept) after a review, never to another site."""

from http import HTTPStatus
from urllib.parse import quote

import pytest
from django.urls import reverse

from committees import services as committee_services
from proposals.models import Proposal
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


# --- The grant queue: filters, and back to the filtered queue after a step ---------------------


@pytest.fixture
def grants(home_page):
    ours = factories.committee("Østerbro Lokaludvalg")
    also = factories.committee("Nørrebro Lokaludvalg", district_name="Nørrebro")
    theirs = factories.committee("Valby Lokaludvalg", district_name="Valby")
    secretariat = factories.moderator(committee=ours)
    committee_services.committee_role_grant(user=secretariat, committee=also, role="moderator")
    pool = factories.grant_pool(committee=ours, deadlines=2)
    spring, autumn = pool.deadlines.order_by("closes_at")
    ours_spring = factories.grant_application(pool=pool)
    ours_autumn = factories.grant_application(pool=pool)
    ours_autumn.deadline = autumn
    ours_autumn.save(update_fields=["deadline"])
    also_pool = factories.grant_pool(committee=also)
    return {
        "secretariat": secretariat,
        "ours": ours,
        "also": also,
        "theirs": theirs,
        "pool": pool,
        "also_pool": also_pool,
        "spring": spring,
        "autumn": autumn,
        "ours_spring": ours_spring,
        "ours_autumn": ours_autumn,
        "also_app": factories.grant_application(pool=also_pool),
        "theirs_app": factories.grant_application(pool=factories.grant_pool(committee=theirs)),
    }


def listed(client, **query) -> set[str]:
    html = client.get(reverse("grant_queue"), query).content.decode()
    return {
        number
        for number in Proposal.objects.values_list("case_number", flat=True)
        if number and f"<td>{number}</td>" in html
    }


def case(application) -> str:
    return application.proposal.case_number


def test_the_grant_queue_filters_by_committee_pool_stage_and_deadline(client, grants):
    client.force_login(grants["secretariat"])
    mine = {case(grants[k]) for k in ("ours_spring", "ours_autumn", "also_app")}
    assert listed(client) == mine
    assert listed(client, committee=grants["also"].pk) == {case(grants["also_app"])}
    assert listed(client, pool=grants["pool"].pk) == mine - {case(grants["also_app"])}
    assert listed(client, deadline=grants["autumn"].pk) == {case(grants["ours_autumn"])}
    assert listed(client, stage="submitted") == mine
    assert listed(client, stage="granted") == set()


def test_the_grant_filters_offer_and_accept_only_the_own_committees(client, grants):
    client.force_login(grants["secretariat"])
    html = client.get(reverse("grant_queue")).content.decode()
    assert "Nørrebro Lokaludvalg" in html and "Valby Lokaludvalg" not in html
    # Another committee's id in the address is not a valid choice: the filter is ignored, and
    # the queue still holds only the person's own committees.
    mine = {case(grants[k]) for k in ("ours_spring", "ours_autumn", "also_app")}
    assert listed(client, committee=grants["theirs"].pk) == mine
    assert case(grants["theirs_app"]) not in listed(client, stage="submitted")


def test_a_step_taken_from_the_filtered_queue_returns_to_it(client, grants):
    client.force_login(grants["secretariat"])
    queue = f"{reverse('grant_queue')}?committee={grants['ours'].pk}&stage=submitted"
    html = client.get(queue).content.decode()
    process = reverse("grant_process", args=[grants["ours_spring"].pk])
    link = f"{process}?next={quote(queue, safe='/')}"
    assert f'href="{link}"' in html.replace("&amp;", "&")
    page = client.get(link).content.decode().replace("&amp;", "&")
    assert f'href="{queue}"' in page
    response = client.post(link, {"complete": "yes", "missing": ""})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == queue
    grants["ours_spring"].refresh_from_db()
    assert grants["ours_spring"].stage == "complete"


def test_the_grant_screen_never_returns_to_another_site(client, grants):
    client.force_login(grants["secretariat"])
    process = reverse("grant_process", args=[grants["ours_spring"].pk])
    response = client.post(
        f"{process}?next={quote('https://evil.example/', safe='')}",
        {"complete": "yes", "missing": ""},
    )
    assert response["Location"] == process
