"""Reporting on the public site and deciding in the admin, through the real views."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse

from proposals.models import ProposalReport
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home_page):
    this = factories.committee("Østerbro Lokaludvalg")
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    ideas = factories.ideas_round(committee=this)
    author = factories.user(display_name="Anna")
    return {
        "round": ideas,
        "author": author,
        "proposal": factories.proposal(
            budget_round=ideas, author=author, state="submitted", title="Bænke ved søen"
        ),
        "moderator": factories.moderator(committee=this),
        "other_moderator": factories.moderator(committee=other),
        "reviewer": factories.reviewer(committee=this, budget_round=ideas),
    }


def test_a_resident_reports_with_a_reason_and_gets_a_clear_error_without_one(client, world):
    url = reverse("proposals:report", args=[world["proposal"].pk])
    client.force_login(factories.user())
    assert client.get(url).status_code == HTTPStatus.OK
    response = client.post(url, {"details": "x" * 501})
    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    assert set(form.errors) == {"reason", "details"}
    assert not ProposalReport.objects.exists()
    response = client.post(url, {"reason": "spam", "details": "Reklame."})
    assert response.status_code == HTTPStatus.FOUND
    assert ProposalReport.objects.get().details == "Reklame."


def test_the_author_cannot_report_their_own_proposal(client, world):
    client.force_login(world["author"])
    response = client.post(
        reverse("proposals:report", args=[world["proposal"].pk]), {"reason": "spam"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not ProposalReport.objects.exists()


def test_the_queue_counts_people_never_names_them(client, world):
    reporters = [
        factories.user(email=f"melder{n}@example.org", display_name=f"Melder{n}") for n in range(3)
    ]
    url = reverse("proposals:report", args=[world["proposal"].pk])
    for reporter in reporters:
        client.force_login(reporter)
        for _ in range(4):  # repeated reports from one account count once
            client.post(url, {"reason": "offensive"})
    client.force_login(world["moderator"])
    html = client.get(reverse("moderation_queue")).content.decode()
    assert "Bænke ved søen" in html
    row = html[html.index("Bænke ved søen") :]
    assert "<td>3</td>" in row
    for reporter in reporters:
        assert reporter.email not in html and reporter.display_name not in html
    decide = client.get(reverse("moderation_proposal", args=[world["proposal"].pk]))
    assert decide.status_code == HTTPStatus.OK
    assert "melder" not in decide.content.decode().lower()


def test_another_committees_moderator_and_a_reviewer_neither_see_nor_decide(client, world):
    client.force_login(factories.user())
    client.post(reverse("proposals:report", args=[world["proposal"].pk]), {"reason": "spam"})
    decide = reverse("moderation_proposal", args=[world["proposal"].pk])
    for person in (world["other_moderator"], world["reviewer"]):
        client.force_login(person)
        assert "Bænke ved søen" not in client.get(reverse("moderation_queue")).content.decode()
        assert client.get(decide).status_code == HTTPStatus.NOT_FOUND
        response = client.post(decide, {"action": "hide", "reason": "Nej."})
        assert response.status_code == HTTPStatus.NOT_FOUND
    world["proposal"].refresh_from_db()
    assert not world["proposal"].hidden


def test_hidden_proposal_leaves_the_list_and_the_api_and_its_page_says_why(
    client, world, django_capture_on_commit_callbacks
):
    proposal = world["proposal"]
    client.force_login(world["moderator"])
    decide = reverse("moderation_proposal", args=[proposal.pk])
    response = client.post(decide, {"action": "hide", "reason": ""})
    assert response.status_code == HTTPStatus.OK  # hiding needs a public reason
    assert response.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide, {"action": "hide", "reason": "Reklame for et firma."})
    assert response.status_code == HTTPStatus.FOUND
    assert mail.outbox[-1].to == [world["author"].email]

    client.logout()
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Reklame for et firma." in page and "Bænke ved søen" not in page
    listing = client.get(reverse("proposals:list", args=[world["round"].pk])).content.decode()
    assert "Bænke ved søen" not in listing
    api = client.get(reverse("api-proposal-list")).json()
    assert proposal.pk not in [item["id"] for item in api["results"]]
    # The author still sees their text, with the reason.
    client.force_login(world["author"])
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Bænke ved søen" in page and "Reklame for et firma." in page

    client.force_login(world["moderator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide, {"action": "restore", "reason": "Teksten er rettet."})
    client.logout()
    listing = client.get(reverse("proposals:list", args=[world["round"].pk])).content.decode()
    assert "Bænke ved søen" in listing
    assert "Teksten er rettet." in mail.outbox[-1].body


def test_sent_back_the_author_edits_and_resubmits_on_the_site(client, world):
    from proposals import services
    from proposals.models import State

    proposal = world["proposal"]
    services.proposal_transition(
        actor=world["moderator"],
        proposal=proposal,
        target=State.NEEDS_CHANGES,
        reason="Skriv hvor bænkene skal stå.",
    )
    client.force_login(world["author"])
    edit = reverse("proposals:edit", args=[proposal.pk])
    page = client.get(edit).content.decode()
    assert "Skriv hvor bænkene skal stå." in page and proposal.case_number in page
    data = factories.proposal_form_data(
        world["round"], title="Bænke ved søen", location_text="Sortedams Dossering 5"
    )
    response = client.post(edit, {**data, "resubmit": "1"})
    assert response.status_code == HTTPStatus.FOUND
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED
    assert proposal.location_text == "Sortedams Dossering 5"
    history = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Skriv hvor bænkene skal stå." in history
