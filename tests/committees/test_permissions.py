"""Every public and admin URL of the committees app × every role, with the expected status."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from committees import services
from tests import factories

pytestmark = pytest.mark.django_db

OK = "ok"
LOGIN = "login"  # redirected to the admin's login page
DENIED = "denied"  # Wagtail's answer to a signed-in user without permission: back to the dashboard
FOUND = HTTPStatus.FOUND
ROLES = ["anonymous", "resident", "moderator", "other_moderator", "reviewer", "site_admin"]


@pytest.fixture
def world(home_page):
    this = factories.committee("Østerbro Lokaludvalg")
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    budget_round = factories.budget_round(committee=this, phase="ideas")
    other_round = factories.budget_round(committee=other, phase="ideas")
    meeting = factories.meeting(committee=this)
    users = {
        "anonymous": None,
        "resident": factories.user(),
        "moderator": factories.user(),
        "other_moderator": factories.user(),
        "reviewer": factories.user(),
        "site_admin": factories.user(is_superuser=True, is_staff=True),
    }
    services.committee_role_grant(user=users["moderator"], committee=this, role="moderator")
    services.committee_role_grant(user=users["other_moderator"], committee=other, role="moderator")
    services.committee_role_grant(user=users["reviewer"], committee=this, role="reviewer")
    budget_round.reviewers.add(users["reviewer"])
    return {
        "this": this,
        "other": other,
        "round": budget_round,
        "other_round": other_round,
        "meeting": meeting,
        "users": users,
    }


def _urls(world):
    this, other = world["this"], world["other"]
    page = this.page
    return {
        "home": "/",
        "home_en": "/en/",
        "committee_page": page.url,
        "round_page": f"{page.url}runder/{world['round'].slug}/",
        "meeting_page": f"{page.url}moeder/{world['meeting'].pk}/",
        "calendar": f"/kalender/{this.slug}.ics",
        "admin_dashboard": reverse("wagtailadmin_home"),
        "admin_rounds": reverse("budgetround:index"),
        "admin_round_add": reverse("budgetround:add"),
        "admin_round_edit": reverse("budgetround:edit", args=[world["round"].pk]),
        "admin_other_round_edit": reverse("budgetround:edit", args=[world["other_round"].pk]),
        "admin_round_schedule": reverse("round_schedule", args=[world["round"].pk]),
        "admin_other_round_schedule": reverse("round_schedule", args=[world["other_round"].pk]),
        "admin_meetings": reverse("meeting:index"),
        "admin_meeting_edit": reverse("meeting:edit", args=[world["meeting"].pk]),
        "admin_committees": reverse("committee:index"),
        "admin_committee_add": reverse("committee:add"),
        "admin_page_edit": reverse("wagtailadmin_pages:edit", args=[page.pk]),
        "admin_other_page_edit": reverse("wagtailadmin_pages:edit", args=[other.page.pk]),
    }


PUBLIC = dict.fromkeys(ROLES, OK)
STAFF_ONLY = {"anonymous": LOGIN, "resident": LOGIN}
EXPECTED = {
    "home": PUBLIC,
    "home_en": PUBLIC,
    "committee_page": PUBLIC,
    "round_page": PUBLIC,
    "meeting_page": PUBLIC,
    "calendar": PUBLIC,
    "admin_dashboard": {
        **STAFF_ONLY,
        "moderator": OK,
        "other_moderator": OK,
        "reviewer": OK,
        "site_admin": OK,
    },
    "admin_rounds": {
        **STAFF_ONLY,
        "moderator": OK,
        "other_moderator": OK,
        "reviewer": DENIED,
        "site_admin": OK,
    },
    "admin_round_add": {
        **STAFF_ONLY,
        "moderator": OK,
        "other_moderator": OK,
        "reviewer": DENIED,
        "site_admin": OK,
    },
    "admin_round_edit": {
        **STAFF_ONLY,
        "moderator": OK,
        "other_moderator": DENIED,
        "reviewer": DENIED,
        "site_admin": OK,
    },
    "admin_other_round_edit": {
        **STAFF_ONLY,
        "moderator": DENIED,
        "other_moderator": OK,
        "reviewer": DENIED,
        "site_admin": OK,
    },
    "admin_round_schedule": {
        **STAFF_ONLY,
        "moderator": OK,
        "other_moderator": DENIED,
        "reviewer": DENIED,
        "site_admin": OK,
    },
    "admin_other_round_schedule": {
        **STAFF_ONLY,
        "moderator": DENIED,
        "other_moderator": OK,
        "reviewer": DENIED,
        "site_admin": OK,
    },
    "admin_meetings": {
        **STAFF_ONLY,
        "moderator": OK,
        "other_moderator": OK,
        "reviewer": DENIED,
        "site_admin": OK,
    },
    "admin_meeting_edit": {
        **STAFF_ONLY,
        "moderator": OK,
        "other_moderator": DENIED,
        "reviewer": DENIED,
        "site_admin": OK,
    },
    "admin_committees": {
        **STAFF_ONLY,
        "moderator": DENIED,
        "other_moderator": DENIED,
        "reviewer": DENIED,
        "site_admin": OK,
    },
    "admin_committee_add": {
        **STAFF_ONLY,
        "moderator": DENIED,
        "other_moderator": DENIED,
        "reviewer": DENIED,
        "site_admin": OK,
    },
    "admin_page_edit": {
        **STAFF_ONLY,
        "moderator": OK,
        "other_moderator": DENIED,
        "reviewer": DENIED,
        "site_admin": OK,
    },
    "admin_other_page_edit": {
        **STAFF_ONLY,
        "moderator": DENIED,
        "other_moderator": OK,
        "reviewer": DENIED,
        "site_admin": OK,
    },
}


def test_matrix_covers_every_url_and_role(world):
    assert set(EXPECTED) == set(_urls(world))
    assert all(set(row) == set(ROLES) for row in EXPECTED.values())


def _outcome(response) -> str:
    if response.status_code == HTTPStatus.OK:
        return OK
    if response.status_code == HTTPStatus.FOUND:
        location = response["Location"]
        if "/login/" in location:
            return LOGIN
        if location.rstrip("/").endswith("/admin"):
            return DENIED
    if response.status_code == HTTPStatus.FORBIDDEN:
        return DENIED
    return f"{response.status_code} {response.get('Location', '')}"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    actual = {name: _outcome(client.get(url)) for name, url in _urls(world).items()}
    expected = {name: row[role] for name, row in EXPECTED.items()}
    assert actual == expected


def test_moderator_lists_only_their_own_committees_rounds(client, world):
    client.force_login(world["users"]["moderator"])
    html = client.get(reverse("budgetround:index")).content.decode()
    assert world["round"].title in html
    assert world["other_round"].title not in html


def test_moderator_cannot_file_a_round_under_another_committee(client, world):
    client.force_login(world["users"]["moderator"])
    dates = factories.round_dates(phase="upcoming")
    data = {
        "committee": world["other"].pk,
        "title": "Snydt runde",
        "slug": "snydt",
        "pot": 1000,
        "min_cost": 0,
        "max_cost": 500,
        "min_age": 15,
        "decision_method": "vote",
        "tally_rule": "greedy",
        "ballot_style": "knapsack",
        "categories-TOTAL_FORMS": 0,
        "categories-INITIAL_FORMS": 0,
        "categories-MIN_NUM_FORMS": 0,
        "categories-MAX_NUM_FORMS": 1000,
        "checklist-TOTAL_FORMS": 0,
        "checklist-INITIAL_FORMS": 0,
        "checklist-MIN_NUM_FORMS": 0,
        "checklist-MAX_NUM_FORMS": 1000,
        "min_supports": 0,
        **{k: v.strftime("%Y-%m-%d %H:%M") for k, v in dates.items()},
    }
    response = client.post(reverse("budgetround:add"), data)
    assert response.status_code == HTTPStatus.OK  # the form comes back with an error
    assert not world["other"].rounds.filter(slug="snydt").exists()
    data["committee"] = world["this"].pk
    response = client.post(reverse("budgetround:add"), data)
    assert response.status_code == FOUND, response.content.decode()[:3000]
    assert world["this"].rounds.filter(slug="snydt").exists()


def test_site_admin_creates_a_committee_with_page_and_groups(client, world):
    from django.contrib.auth.models import Group

    from committees.models import Committee, CommitteePage

    client.force_login(world["users"]["site_admin"])
    response = client.post(
        reverse("committee:add"),
        {
            "name": "Nyt Lokaludvalg",
            "slug": "nyt-lokaludvalg",
            "district": world["this"].district_id,
        },
    )
    assert response.status_code == FOUND
    committee = Committee.objects.get(slug="nyt-lokaludvalg")
    assert CommitteePage.objects.get(committee=committee).live
    assert Group.objects.filter(name="Nyt Lokaludvalg – moderatorer").exists()
    assert client.get(committee.page.url).status_code == HTTPStatus.OK


def test_moderator_extends_a_phase_from_the_admin(client, world):
    from committees.models import AuditEntry

    client.force_login(world["users"]["moderator"])
    budget_round = world["round"]
    edit_html = client.get(reverse("budgetround:edit", args=[budget_round.pk])).content.decode()
    assert reverse("round_schedule", args=[budget_round.pk]) in edit_html
    new_end = (budget_round.ideas_end + datetime.timedelta(days=2)).astimezone()
    url = reverse("round_schedule", args=[budget_round.pk])
    response = client.post(
        url, {"phase": "ideas", "new_end": new_end.strftime("%Y-%m-%dT%H:%M"), "reason": ""}
    )
    assert response.status_code == HTTPStatus.OK  # a reason is required
    response = client.post(
        url,
        {
            "phase": "ideas",
            "new_end": new_end.strftime("%Y-%m-%dT%H:%M"),
            "reason": "Borgermødet bad om en uge mere.",
        },
    )
    assert response.status_code == FOUND
    budget_round.refresh_from_db()
    assert budget_round.review_start == budget_round.ideas_end
    entry = AuditEntry.objects.get(action="round.phase_change")
    assert entry.reason == "Borgermødet bad om en uge mere."
    assert "Borgermødet bad om en uge mere." in client.get(url).content.decode()
