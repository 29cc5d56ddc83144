"""The public status history of a grant application shows every stage it went through, in the
grant's words and the reader's language: also the steps that move no state of its proposal
(returned for information, on a meeting's agenda, accounts returned), the agenda step with its
meeting, worded when read. An ordinary proposal's history reads as before."""

import html
import re
from http import HTTPStatus

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from proposals import services as proposal_services
from proposals.grants import services as grant_services
from proposals.grants.services import Line
from proposals.models import GrantApplication, GrantStage, Recommendation, State, StatusChange
from proposals.uploads import CleanFile
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def stage(text: str, language: str) -> str:
    with translation.override(language):
        return pgettext("grant state", text)


def incomplete(language: str) -> str:
    with translation.override(language):
        return str(GrantStage.INCOMPLETE.label)


def on_agenda_of(meeting, language: str) -> str:
    with translation.override(language):
        return gettext("On the agenda of %(meeting)s on %(date)s") % {
            "meeting": meeting.title,
            "date": date_format(timezone.localtime(meeting.starts_at), "DATE_FORMAT"),
        }


def history(client, proposal, language: str) -> list[str]:
    """The lines of the proposal page's status history, without their times, as read."""
    with translation.override(language):
        url = reverse("proposals:detail", args=[proposal.pk])
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert f'<html lang="{language}"' in body
    section = re.search(r'<ol class="proposal-history">(.*?)</ol>', body, re.S).group(1)
    lines = re.findall(r"<li>(.*?)</li>", section, re.S)
    texts = [html.unescape(re.sub(r"<[^>]+>", "", line)).strip() for line in lines]
    return [text.split(": ", 1)[1] for text in texts]


def _recommended(application, secretariat):
    grant_services.grant_completeness_check(
        actor=secretariat, application=application, complete=True
    )
    return grant_services.grant_recommend(
        actor=secretariat,
        application=application,
        recommendation=Recommendation.FULL,
        reason="Godt for kvarteret.",
    )


def test_each_stage_shows_once_in_order_with_the_meeting_in_the_readers_language(
    client, committee, pool, secretariat
):
    application = _recommended(factories.grant_application(pool=pool), secretariat)
    proposal = application.proposal
    meeting = factories.meeting(committee=committee, days_from_now=20, title="Budgetmødet")
    grant_services.grant_put_on_agenda(actor=secretariat, application=application, meeting=meeting)
    # The status says "on the agenda", and so does the history's last line.
    lines = history(client, proposal, "da")
    assert lines[-1] == f"{stage('On the agenda', 'da')} – {on_agenda_of(meeting, 'da')}"

    factories.deciding_meeting_begins(application)
    grant_services.grant_decide(
        actor=secretariat,
        application=application,
        granted=True,
        amount=20_000,
        reason="Et godt arrangement.",
    )
    meeting.refresh_from_db()  # it began: its date is read as it is now
    for language in ("da", "en"):
        assert history(client, proposal, language) == [
            stage("Received", language),
            stage("Complete", language),
            stage("Recommended", language),
            f"{stage('On the agenda', language)} – {on_agenda_of(meeting, language)}",
            f"{stage('Granted', language)} – Et godt arrangement.",
        ]
    assert on_agenda_of(meeting, "da").startswith("På dagsordenen for Budgetmødet den ")
    assert on_agenda_of(meeting, "en").startswith("On the agenda of Budgetmødet on ")
    # The row holds data, not words: stages and the meeting.
    agenda = StatusChange.objects.get(proposal=proposal, to_stage=GrantStage.ON_AGENDA)
    assert (agenda.from_state, agenda.to_state) == (State.FEASIBLE, State.FEASIBLE)
    assert (agenda.from_stage, agenda.meeting, agenda.public_reason) == (
        GrantStage.RECOMMENDED,
        meeting,
        "",
    )
    assert agenda.actor == secretariat


def test_the_staffs_screen_reads_recommended_then_on_the_agenda(client, pool, secretariat):
    application = _recommended(factories.grant_application(pool=pool), secretariat)
    grant_services.grant_put_on_agenda(actor=secretariat, application=application)
    secretariat.preferred_language = "da"
    secretariat.save(update_fields=["preferred_language"])
    client.force_login(secretariat)
    body = client.get(reverse("grant_process", args=[application.pk])).content.decode()
    assert f"{stage('Recommended', 'da')} → {stage('On the agenda', 'da')}" in html.unescape(body)
    assert f"{stage('Recommended', 'da')} → {stage('Recommended', 'da')}" not in body


def test_an_application_returned_for_information_shows_that_step(client, pool, secretariat):
    application = factories.grant_application(pool=pool)
    grant_services.grant_completeness_check(
        actor=secretariat,
        application=application,
        complete=False,
        missing="Vedlæg tilbuddet fra scenefirmaet.",
    )
    grant_services.grant_application_submit(
        author=application.proposal.author, application=application
    )
    grant_services.grant_completeness_check(
        actor=secretariat, application=application, complete=True
    )
    for language in ("da", "en"):
        assert history(client, application.proposal, language) == [
            stage("Received", language),
            incomplete(language),
            stage("Received", language),
            stage("Complete", language),
        ]
    # What is missing is the applicant's to read, not the public's.
    body = client.get(reverse("proposals:detail", args=[application.proposal.pk])).content
    assert "scenefirmaet" not in body.decode()


def test_returned_accounts_show_as_returned_then_submitted_again(client, pool, secretariat):
    application = _recommended(factories.grant_application(pool=pool), secretariat)
    grant_services.grant_put_on_agenda(actor=secretariat, application=application)
    factories.deciding_meeting_begins(application)
    grant_services.grant_decide(
        actor=secretariat, application=application, granted=True, amount=20_000, reason="Ja."
    )
    author = application.proposal.author
    lines = [Line("expense", "Scene", 22_000), Line("income", "Billetter", 4_000)]
    receipt = CleanFile(content=PDF, filename="kvittering.pdf")
    grant_services.grant_accounts_submit(
        author=author, application=application, lines=lines, receipts=[receipt]
    )
    grant_services.grant_accounts_return(
        actor=secretariat, application=application, missing="Kvitteringen mangler dato."
    )
    grant_services.grant_accounts_submit(
        author=author, application=application, lines=lines, receipts=[]
    )
    assert history(client, application.proposal, "da")[-3:] == [
        stage("Accounts submitted", "da"),
        stage("Accounts returned for correction", "da"),
        stage("Accounts submitted", "da"),
    ]
    assert stage("Accounts returned for correction", "da") != "Accounts returned for correction"


def test_an_ordinary_proposals_history_is_unchanged(client, committee, secretariat):
    budget_round = factories.budget_round(committee=committee)
    proposal = factories.proposal(budget_round=budget_round, state="submitted")
    proposal_services.proposal_transition(
        actor=secretariat, proposal=proposal, target=State.IN_REVIEW
    )
    proposal_services.review_record(
        reviewer=secretariat, proposal=proposal, feasible=True, public_reason="Kan lade sig gøre."
    )
    for language in ("da", "en"):
        with translation.override(language):
            expected = [  # the factory's proposal was submitted without a line
                str(State.IN_REVIEW.label),
                f"{State.FEASIBLE.label} – Kan lade sig gøre.",
            ]
        assert history(client, proposal, language) == expected
    assert set(proposal.history.values_list("from_stage", "to_stage", "meeting")) == {
        ("", "", None)
    }


def test_a_status_change_records_only_known_stages():
    committee = factories.committee("Østerbro Lokaludvalg")
    proposal = factories.proposal(
        budget_round=factories.budget_round(committee=committee), state="submitted"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusChange.objects.create(
            proposal=proposal, from_state="submitted", to_state="submitted", to_stage="approved"
        )


# --- The migration ------------------------------------------------------------------------------

BEFORE = [("proposals", "0015_grant_stage_on_agenda")]
AFTER = [("proposals", "0017_grant_stages_of_stored_history")]


def _rows(executor, target, proposal, *fields):
    model = executor.loader.project_state(target).apps.get_model("proposals", "StatusChange")
    return list(model.objects.filter(proposal_id=proposal.pk).order_by("pk").values_list(*fields))


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_stored_grant_rows_their_stages_and_back():
    committee = factories.committee("Østerbro Lokaludvalg")
    secretariat = factories.moderator(committee=committee)
    pool = factories.grant_pool(committee=committee)
    recommended = _recommended(factories.grant_application(pool=pool), secretariat)
    granted = _recommended(factories.grant_application(pool=pool), secretariat)
    grant_services.grant_put_on_agenda(actor=secretariat, application=granted)
    factories.deciding_meeting_begins(granted)
    grant_services.grant_decide(
        actor=secretariat, application=granted, granted=True, amount=20_000, reason="Ja."
    )
    ordinary = factories.proposal(
        budget_round=factories.budget_round(committee=committee), state="submitted"
    )
    proposal_services.proposal_transition(
        actor=secretariat, proposal=ordinary, target=State.IN_REVIEW
    )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        # Backwards, the line only the stages told apart (the agenda step) goes.
        assert _rows(executor, BEFORE, granted.proposal, "from_state", "to_state") == [
            ("draft", "submitted"),
            ("submitted", "in_review"),
            ("in_review", "feasible"),
            ("feasible", "selected"),
        ]
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        fields = ("to_state", "from_stage", "to_stage", "meeting")
        assert _rows(executor, AFTER, recommended.proposal, *fields) == [
            ("submitted", "draft", "submitted", None),
            ("in_review", "submitted", "complete", None),
            ("feasible", "complete", "recommended", None),
        ]
        # Decided from the agenda; when it was put on it is not known, so no line is invented.
        assert _rows(executor, AFTER, granted.proposal, *fields) == [
            ("submitted", "draft", "submitted", None),
            ("in_review", "submitted", "complete", None),
            ("feasible", "complete", "recommended", None),
            ("selected", "on_agenda", "granted", None),
        ]
        assert _rows(executor, AFTER, ordinary, *fields) == [("in_review", "", "", None)]
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    assert GrantApplication.objects.get(pk=recommended.pk).stage == GrantStage.RECOMMENDED
