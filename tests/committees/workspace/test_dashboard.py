"""The workspace: what waits per committee on the Wagtail dashboard, each item linking to its
queue, and only what the person may act on."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from committees import services as committee_services
from committees.models import BudgetRound
from proposals.models import Comment, CommentFlag, Proposal, ProposalReport
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home_page):
    this = factories.committee("Østerbro Lokaludvalg")
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    ideas = factories.budget_round(committee=this, phase="ideas", title="Østerbro 2027")
    other_round = factories.budget_round(committee=other, phase="ideas", title="Valby 2027")
    old = factories.proposal(budget_round=ideas, state="submitted", title="Bænke")
    Proposal.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=12, hours=1)
    )
    factories.proposal(budget_round=ideas, state="submitted", title="Træer")
    factories.proposal(budget_round=ideas, state="in_review", title="Sti")
    factories.proposal(budget_round=other_round, state="submitted", title="Valbys bænk")
    comment = Comment.objects.create(proposal=old, body="Spam spam", flag_count=1)
    CommentFlag.objects.create(comment=comment, user=factories.user(), reason="spam")
    handled = Comment.objects.create(proposal=old, body="Fin idé", flag_count=1)
    CommentFlag.objects.create(comment=handled, user=factories.user(), reason="spam", handled=True)
    ProposalReport.objects.create(proposal=old, user=factories.user(), reason="offensive")
    meeting = factories.meeting(committee=this, days_from_now=3, title="Lokaludvalgsmøde")
    meeting.agenda_items.create(title="Godkendelse af dagsorden", sort_order=0)
    meeting.agenda_items.create(title="Borgerbudget: status", sort_order=1)
    meeting.save()
    return {
        "this": this,
        "other": other,
        "ideas": ideas,
        "comment": comment,
        "meeting": meeting,
        "moderator": factories.moderator(committee=this),
        "reviewer": factories.reviewer(committee=this, budget_round=ideas),
    }


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_moderator_sees_what_waits_in_their_committee_in_danish(client, world):
    html = dashboard(client, world["moderator"])
    assert "Østerbro Lokaludvalg" in html and "Valby Lokaludvalg" not in html
    assert "2 forslag venter på første gennemgang" in html
    assert "det ældste har ventet 12 dage" in html
    assert "1 forslag venter på vurdering af gennemførlighed" in html
    screening = f"{reverse('proposal:index')}?state=submitted&amp;budget_round__committee="
    assert f'href="{screening}{world["this"].pk}"' in html
    assert "1 anmeldt kommentar" in html and "1 anmeldt forslag" in html
    assert f'href="{reverse("moderation_queue")}"' in html
    assert "Næste møde: Lokaludvalgsmøde" in html
    assert "Godkendelse af dagsorden" in html and "Borgerbudget: status" in html
    assert reverse("meeting:edit", args=[world["meeting"].pk]) in html


def test_the_queue_link_lists_exactly_the_committees_waiting_proposals(client, world):
    client.force_login(world["moderator"])
    url = f"{reverse('proposal:index')}?state=submitted&budget_round__committee={world['this'].pk}"
    html = client.get(url).content.decode()
    assert "Bænke" in html and "Træer" in html
    assert "Sti" not in html and "Valbys bænk" not in html


def test_reviewer_sees_proposals_but_not_reports_nor_meeting_edit(client, world):
    html = dashboard(client, world["reviewer"])
    assert "1 forslag venter på vurdering af gennemførlighed" in html
    assert "anmeldt" not in html
    assert "Næste møde: Lokaludvalgsmøde" in html
    assert reverse("meeting:edit", args=[world["meeting"].pk]) not in html


def test_rounds_changing_phase_within_fourteen_days(client, world):
    soon = factories.budget_round(committee=world["this"], phase="upcoming", title="Pulje 2028")
    # factories place an upcoming round's ideas phase ten days ahead: within the horizon
    html = dashboard(client, world["moderator"])
    assert "Pulje 2028: Idéer begynder" in html
    assert reverse("round_schedule", args=[soon.pk]) in html
    far = factories.budget_round(committee=world["this"], phase="upcoming", title="Pulje 2030")
    later = {f: getattr(far, f) + datetime.timedelta(days=30) for f in factories.round_dates()}
    BudgetRound.objects.filter(pk=far.pk).update(**later)
    assert "Pulje 2030" not in dashboard(client, world["moderator"])


def test_grant_applications_to_check_with_their_deadline(client, home_page):
    committee = factories.committee("Amager Lokaludvalg", district_name="Amager")
    pool = factories.grant_pool(committee=committee)
    factories.grant_application(pool=pool)
    html = dashboard(client, factories.moderator(committee=committee))
    assert "1 puljeansøgning" in html
    assert f"{reverse('grant_queue')}?committee={committee.pk}&amp;stage=submitted" in html
    assert "frist" in html


def test_recommended_applications_wait_for_the_secretariat_to_put_them_on_an_agenda(
    client, home_page
):
    from proposals.grants import services as grant_services

    committee = factories.committee("Amager Lokaludvalg", district_name="Amager")
    secretariat = factories.moderator(committee=committee)
    pool = factories.grant_pool(committee=committee)
    recommended, on_agenda = (factories.grant_application(pool=pool) for _ in range(2))
    for application in (recommended, on_agenda):
        grant_services.grant_completeness_check(
            actor=secretariat, application=application, complete=True
        )
        grant_services.grant_recommend(
            actor=secretariat, application=application, recommendation="full", reason="Ja."
        )
    grant_services.grant_put_on_agenda(actor=secretariat, application=on_agenda)
    html = dashboard(client, secretariat)
    assert "1 puljeansøgning: indstillet" in html
    assert f"{reverse('grant_queue')}?committee={committee.pk}&amp;stage=recommended" in html
    assert "stage=on_agenda" not in html  # the meeting's to decide, nothing to do before


def test_a_committee_with_nothing_waiting_says_so(client, home_page):
    committee = factories.committee("Bispebjerg Lokaludvalg", district_name="Bispebjerg")
    html = dashboard(client, factories.meeting_host(committee=committee))
    assert "Bispebjerg Lokaludvalg" in html
    assert "Intet venter på dig i dette lokaludvalg." in html


def test_a_site_admin_sees_every_committee(client, world):
    admin = factories.user(is_superuser=True, is_staff=True)
    html = dashboard(client, admin)
    assert "Østerbro Lokaludvalg" in html and "Valby Lokaludvalg" in html


def test_roles_are_read_per_committee(client, world):
    committee_services.committee_role_grant(
        user=world["moderator"], committee=world["other"], role="reviewer"
    )
    html = dashboard(client, world["moderator"])
    assert "Valby Lokaludvalg" in html
    # a reviewer of Valby sees its proposals but not its reported comments
    assert html.count("anmeldt kommentar") == 1


def _busy_committee(number: int):
    """A committee with something in every kind of item: waiting proposals, reports, a grant
    application, a meeting with an agenda, a round changing phase soon."""
    committee = factories.committee(f"Lokaludvalg {number}", district_name=f"Bydel {number}")
    ideas = factories.budget_round(committee=committee, phase="ideas")
    waiting = factories.proposal(budget_round=ideas, state="submitted")
    factories.proposal(budget_round=ideas, state="in_review")
    ProposalReport.objects.create(proposal=waiting, user=factories.user(), reason="offensive")
    comment = Comment.objects.create(proposal=waiting, body="Spam", flag_count=1)
    CommentFlag.objects.create(comment=comment, user=factories.user(), reason="spam")
    factories.grant_application(pool=factories.grant_pool(committee=committee))
    meeting = factories.meeting(committee=committee, days_from_now=3)
    meeting.agenda_items.create(title="Dagsorden", sort_order=0)
    BudgetRound.objects.filter(pk=ideas.pk).update(
        ideas_end=timezone.now() + datetime.timedelta(days=2),
        review_start=timezone.now() + datetime.timedelta(days=2),
    )
    return committee


def _dashboard_queries(client, user) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        dashboard(client, user)
    return len(queries)


def test_the_dashboard_asks_a_fixed_number_of_queries_whatever_the_committees(
    client, home_page, django_assert_max_num_queries
):
    admin = factories.user(is_superuser=True, is_staff=True)
    for number in range(2):
        _busy_committee(number)
    few = _dashboard_queries(client, admin)
    for number in range(2, 12):
        _busy_committee(number)
    with django_assert_max_num_queries(few):
        html = dashboard(client, admin)
    assert html.count("1 anmeldt kommentar") == 12
    assert html.count("Næste møde") == 12
    assert html.count("1 puljeansøgning") == 12
