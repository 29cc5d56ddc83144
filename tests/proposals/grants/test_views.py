"""The applicant's pages of the grant process and the public pool page."""

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from proposals.grants import services as grant_services
from proposals.models import GrantApplication, GrantStage, Recommendation, State
from tests import factories

pytestmark = pytest.mark.django_db


PDF = factories.one_page_pdf()


def _en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def _form_data(pool, **overrides):
    return factories.grant_form_data(pool, **overrides)


def test_an_applicant_submits_an_application_with_a_budget(client, pool):
    applicant = factories.user()
    client.force_login(applicant)
    response = client.post(_en("proposals:grant_create", pool.pk), _form_data(pool))
    application = GrantApplication.objects.get()
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    assert application.stage == GrantStage.SUBMITTED
    assert application.amount_applied == 13_000
    assert application.proposal.case_number and application.proposal.state == State.SUBMITTED
    assert application.proposal.author == applicant
    page = client.get(_en("proposals:grant", application.pk)).content.decode()
    assert application.proposal.case_number in page and "Scene" in page


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"budget-0-amount": "tolv"}, "Write the amount as a whole number of kroner"),
        ({"budget-0-text": ""}, "Fill in both what the line is for and its amount."),
        ({"contact_email": "mette"}, "Write a valid e-mail address"),
        ({"advertising": ""}, "Say how the activity is advertised."),
        ({"budget-2-amount": "40000"}, "The expenses must be larger than the income"),
        ({"activity_date": "2001-01-01"}, "already been held"),
    ],
)
def test_invalid_applications_get_clear_errors_and_keep_what_was_typed(
    client, pool, overrides, error
):
    client.force_login(factories.user())
    response = client.post(_en("proposals:grant_create", pool.pk), _form_data(pool, **overrides))
    page = response.content.decode()
    assert error in page
    assert "Rosenvængets Beboerforening" in page  # nothing typed is lost
    assert not GrantApplication.objects.filter(stage=GrantStage.SUBMITTED).exists()


def test_someone_elses_application_is_not_found(client, pool):
    application = factories.grant_application(pool=pool)
    client.force_login(factories.user())
    for name in ("proposals:grant", "proposals:grant_edit", "proposals:grant_accounts"):
        assert client.get(_en(name, application.pk)).status_code == HTTPStatus.NOT_FOUND
    client.logout()
    response = client.get(_en("proposals:grant", application.pk))
    assert response.status_code == HTTPStatus.FOUND  # to the login page


def test_accounts_with_a_receipt_which_only_the_applicant_and_staff_can_download(
    client, pool, secretariat
):
    applicant = factories.user()
    application = factories.grant_application(pool=pool, author=applicant)
    factories.grant_to_decision(application=application, secretariat=secretariat, reason="Ja")
    grant_services.grant_decide(
        actor=secretariat, application=application, granted=True, amount=20_000, reason="Ja"
    )
    client.force_login(applicant)
    data = {
        "actual-TOTAL_FORMS": "2",
        "actual-INITIAL_FORMS": "0",
        "actual-0-kind": "expense",
        "actual-0-text": "Scene",
        "actual-0-amount": "15000",
        "actual-1-kind": "income",
        "actual-1-text": "Billetter",
        "actual-1-amount": "1000",
    }
    not_pdf = SimpleUploadedFile("kvittering.pdf", b"<html>no</html>", "application/pdf")
    response = client.post(
        _en("proposals:grant_accounts", application.pk), {**data, "receipts": not_pdf}
    )
    assert "Upload a PDF file." in response.content.decode()
    receipt = SimpleUploadedFile("Kvittering æøå.pdf", PDF, "application/pdf")
    response = client.post(
        _en("proposals:grant_accounts", application.pk), {**data, "receipts": receipt}
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.stage == GrantStage.ACCOUNTS and application.actual_deficit == 14_000
    stored = application.receipts.get()
    assert stored.title == "kvittering-aeoeaa.pdf"
    # Kept outside MEDIA_ROOT: no web server can hand it out by URL, only the view below.
    from django.conf import settings

    assert stored.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not stored.file.path.startswith(str(settings.MEDIA_ROOT))
    url = _en("proposals:grant_receipt", stored.pk)
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content) == PDF
    client.force_login(factories.user())
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    client.force_login(secretariat)
    assert client.get(url).status_code == HTTPStatus.OK


def test_the_pool_page_shows_money_left_deadlines_and_decisions(client, pool, secretariat):
    granted, refused = (factories.grant_application(pool=pool) for _ in range(2))
    for application, ok in ((granted, True), (refused, False)):
        factories.grant_to_decision(
            application=application,
            secretariat=secretariat,
            recommendation=Recommendation.FULL if ok else Recommendation.REFUSE,
            reason="Indstilling",
        )
        grant_services.grant_decide(
            actor=secretariat,
            application=application,
            granted=ok,
            amount=18_500 if ok else None,
            reason="Lokaludvalgets begrundelse" if ok else "Driftsudgift",
        )
    undecided = factories.grant_application(pool=pool)
    response = client.get(_en("proposals:grant_pool", pool.pk))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "81,500" in page or "81.500" in page  # 100,000 - 18,500
    assert "18,500" in page or "18.500" in page
    assert granted.proposal.case_number in page and refused.proposal.case_number in page
    assert "Lokaludvalgets begrundelse" in page and "Driftsudgift" in page
    assert undecided.proposal.case_number not in page
    deadline = pool.deadlines.first()
    assert deadline.meeting.title in page


def test_a_vote_round_has_no_pool_page(client, committee):
    budget_round = factories.budget_round(committee=committee)
    response = client.get(_en("proposals:grant_pool", budget_round.pk))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_plain_proposal_form_sends_grant_applicants_to_the_application(client, pool):
    client.force_login(factories.user())
    response = client.get(_en("proposals:create", pool.pk))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == _en("proposals:grant_create", pool.pk)


def test_the_round_page_of_a_pool_links_to_the_pool_and_the_application(client, pool):
    page = pool.committee.page
    response = client.get(f"{page.url}runder/{pool.slug}/")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert reverse("proposals:grant_pool", args=[pool.pk]) in html
    assert reverse("proposals:grant_create", args=[pool.pk]) in html
    assert reverse("proposals:create", args=[pool.pk]) not in html


def test_an_application_answering_no_to_the_pools_checklist_is_not_submitted(client, pool):
    client.force_login(factories.user())
    item = pool.checklist.get()
    response = client.post(
        _en("proposals:grant_create", pool.pk), _form_data(pool, **{f"check_{item.pk}": "no"})
    )
    assert "only funds proposals that answer yes to: " + item.text in response.content.decode()
    assert GrantApplication.objects.get().stage == GrantStage.DRAFT


def test_the_proposal_page_sends_the_applicant_to_the_grant_application(client, pool):
    application = factories.grant_application(pool=pool)
    client.force_login(application.proposal.author)
    html = client.get(_en("proposals:detail", application.proposal.pk)).content.decode()
    assert _en("proposals:grant", application.pk) in html
    assert _en("proposals:withdraw", application.proposal.pk) not in html


def test_the_deciding_meetings_page_lists_the_decision_in_agenda_and_minutes(
    client, pool, secretariat
):
    application = factories.grant_application(pool=pool)
    factories.grant_to_decision(application=application, secretariat=secretariat, reason="Ja")
    grant_services.grant_decide(
        actor=secretariat, application=application, granted=True, amount=25_000, reason="Enig."
    )
    meeting = application.deadline.meeting
    response = client.get(f"{pool.committee.page.url}moeder/{meeting.pk}/")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert html.count(application.proposal.case_number) >= 2  # the agenda item and the minutes
    assert html.count("Enig.") >= 2


def test_a_draft_application_is_its_authors_alone(client, pool, secretariat):
    application = factories.grant_application(pool=pool, submit=False)
    url = _en("proposals:grant", application.pk)
    client.force_login(secretariat)
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    client.force_login(application.proposal.author)
    assert client.get(url).status_code == HTTPStatus.OK
