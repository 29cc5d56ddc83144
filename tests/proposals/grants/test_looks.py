"""A grant pool looks like a grant pool wherever it shows: no support, no ballot, no vote; the
grant's own states; an application form that takes quotes and shows its budget's total."""

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, pgettext

from committees import whats_open
from frontend.money import format_kroner
from proposals import services as proposal_services
from proposals.grants import services as grant_services
from proposals.models import (
    GrantApplication,
    GrantStage,
    ProposalAttachment,
    Recommendation,
    State,
    Support,
)
from proposals.models.proposals import GRANT_STATE_LABELS
from tests import factories

pytestmark = pytest.mark.django_db


PDF = factories.one_page_pdf()


def da(text: str) -> str:
    with translation.override("da"):
        return gettext(text)


def state(text: str, language: str = "da") -> str:
    """A grant state's words, as people read it."""
    with translation.override(language):
        return pgettext("grant state", text)


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


# --- No support, no ballot --------------------------------------------------------------------


def test_a_grant_application_takes_no_support_even_when_posted_directly(client, pool):
    application = factories.grant_application(pool=pool)
    proposal = application.proposal
    resident = factories.user()
    client.force_login(resident)
    response = client.post(reverse("proposals:support", args=[proposal.pk]), follow=True)
    assert response.status_code == HTTPStatus.OK
    assert da("This proposal cannot be supported.") in response.content.decode()
    assert not Support.objects.filter(proposal=proposal).exists()
    proposal.refresh_from_db()
    assert proposal.support_count == 0
    with pytest.raises(ValidationError):
        proposal_services.support_add(user=resident, proposal=proposal)
    # In review and recommended alike: the states an ordinary proposal takes supports in.
    for state in (State.IN_REVIEW, State.FEASIBLE):
        proposal.state = state
        assert not proposal_services.takes_supports(proposal)


def test_an_ordinary_proposal_still_takes_support(client, committee):
    budget_round = factories.budget_round(committee=committee)
    proposal = factories.proposal(budget_round=budget_round, state="submitted")
    client.force_login(factories.user())
    client.post(reverse("proposals:support", args=[proposal.pk]))
    assert Support.objects.filter(proposal=proposal).count() == 1


def test_the_proposal_page_of_an_application_reads_as_a_grant(client, pool, secretariat):
    application = factories.grant_application(pool=pool)
    proposal = application.proposal
    client.force_login(factories.user())
    url = reverse("proposals:detail", args=[proposal.pk])
    html = client.get(url).content.decode()
    assert f"<strong>{state('Received')}</strong>" in html
    assert reverse("proposals:support", args=[proposal.pk]) not in html
    assert da("Supporters") not in html
    assert da("Log in to support this proposal") not in html

    _recommended(application, secretariat)
    html = client.get(url).content.decode()
    assert f"<strong>{state('Recommended')}</strong>" in html
    # "On the ballot" neither in the status nor in the history.
    assert da(State.FEASIBLE.label) not in html
    assert html.count(state("Complete")) >= 1  # the history, in the grant's words
    # On the agenda: the same state of the proposal, read as the application's stage.
    grant_services.grant_put_on_agenda(actor=secretariat, application=application)
    html = client.get(url).content.decode()
    assert f"<strong>{state('On the agenda')}</strong>" in html
    assert da(State.FEASIBLE.label) not in html
    client.logout()
    html = client.get(url).content.decode()
    assert da("Log in to support this proposal") not in html


def test_the_list_of_a_pool_shows_grant_states_and_no_supporters(client, pool, secretariat):
    _recommended(factories.grant_application(pool=pool), secretariat)
    on_agenda = _recommended(factories.grant_application(pool=pool), secretariat)
    grant_services.grant_put_on_agenda(actor=secretariat, application=on_agenda)
    html = client.get(reverse("proposals:list", args=[pool.pk])).content.decode()
    assert f"{state('Recommended')}<" in html and f"{state('On the agenda')}<" in html
    assert da(State.FEASIBLE.label) not in html
    with translation.override("da"):
        supporters = translation.ngettext("%(n)s supporter", "%(n)s supporters", 0)
    assert "0 " + supporters.split(" ", 1)[1] not in html
    assert da("Voting") not in html
    # The state filter offers the grant's states; recommended and on the agenda are one state.
    assert f'value="{State.IN_REVIEW}">{state("Complete")}</option>' in html
    assert f'value="{State.FEASIBLE}">{state("Recommended or on the agenda")}</option>' in html


def test_a_vote_rounds_list_keeps_its_own_words(client, committee):
    budget_round = factories.budget_round(committee=committee)
    factories.proposal(budget_round=budget_round, state="submitted")
    html = client.get(reverse("proposals:list", args=[budget_round.pk])).content.decode()
    assert da(State.FEASIBLE.label) in html  # the filter's "on the ballot"
    assert state("Received") not in html


def test_every_grant_state_has_its_own_words_in_both_languages():
    for language in ("da", "en"):
        with translation.override(language):
            labels = [str(stage.label) for stage in GrantStage]
            assert len(set(labels)) == len(labels)
            assert str(State.FEASIBLE.label) not in labels
            proposal_labels = {str(label) for label in GRANT_STATE_LABELS.values()}
            assert proposal_labels <= set(labels)
    with translation.override("da"):
        english = ["Received", "Complete", "Recommended", "On the agenda", "Granted", "Paid"]
        assert all(pgettext("grant state", word) != word for word in english)


def test_mine_shows_the_applications_state(client, pool, secretariat):
    application = factories.grant_application(pool=pool)
    applicant = application.proposal.author
    recommended = _recommended(
        factories.grant_application(pool=pool, author=applicant), secretariat
    )
    on_agenda = _recommended(factories.grant_application(pool=pool, author=applicant), secretariat)
    grant_services.grant_put_on_agenda(actor=secretariat, application=on_agenda)
    client.force_login(applicant)
    html = client.get(reverse("my_borgerbudget")).content.decode()
    assert reverse("proposals:grant", args=[application.pk]) in html
    assert f"<strong>{state('Received')}</strong>" in html
    assert reverse("proposals:detail", args=[application.proposal.pk]) not in html
    for shown, words in ((recommended, "Recommended"), (on_agenda, "On the agenda")):
        assert reverse("proposals:grant", args=[shown.pk]) in html
        assert f"<strong>{state(words)}</strong>" in html


def test_home_open_now_offers_applications_and_never_a_vote_for_a_pool(client, committee):
    open_pool = factories.grant_pool(committee=committee, title="Åben pulje")
    deciding = factories.grant_pool(committee=committee, title="Puljen der besluttes")
    factories.budget_round(committee=committee, title="Afstemning", phase="voting")
    from committees.models import BudgetRound

    dates = factories.round_dates(phase="voting")
    BudgetRound.objects.filter(pk=deciding.pk).update(**dates)
    items = whats_open.open_now()
    kinds = {(item.kind, item.budget_round.title) for item in items if item.budget_round}
    assert ("ideas", open_pool.title) in kinds
    assert ("voting", "Afstemning") in kinds
    assert not any(title == deciding.title for _kind, title in kinds)
    html = client.get("/").content.decode()
    assert reverse("proposals:grant_pool", args=[open_pool.pk]) in html
    assert da("Apply for a grant") in html


def test_the_round_page_of_a_pool_has_no_vote(client, pool):
    html = client.get(f"{pool.committee.page.url}runder/{pool.slug}/").content.decode()
    assert escape(da("Open for applications")) in html
    assert escape(da("Decisions at the committee's meetings")) in html
    for word in ("Voting", "Who may vote", "Vote", "See the results"):
        assert f">{da(word)}<" not in html
    assert da("See the applications") in html


# --- The form: attachments and the budget's total ---------------------------------------------


def test_an_application_takes_a_pdf_quote_by_the_upload_rules(client, pool):
    applicant = factories.user()
    client.force_login(applicant)
    quote = SimpleUploadedFile("tilbud scene.pdf", PDF, content_type="application/pdf")
    data = factories.grant_form_data(pool, attachments=quote)
    response = client.post(reverse("proposals:grant_create", args=[pool.pk]), data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    application = GrantApplication.objects.get()
    attachment = ProposalAttachment.objects.get(proposal=application.proposal)
    assert attachment.title.endswith(".pdf") and attachment.size == len(PDF)
    assert application.stage == GrantStage.SUBMITTED
    page = client.get(reverse("proposals:detail", args=[application.proposal.pk]))
    assert reverse("proposals:attachment", args=[attachment.pk]) in page.content.decode()


def test_a_file_that_is_no_pdf_is_refused_and_nothing_is_saved(client, pool):
    client.force_login(factories.user())
    fake = SimpleUploadedFile("tilbud.pdf", b"<html>no pdf</html>", content_type="application/pdf")
    data = factories.grant_form_data(pool, attachments=fake)
    response = client.post(reverse("proposals:grant_create", args=[pool.pk]), data)
    assert response.status_code == HTTPStatus.OK
    assert da("Upload a PDF file.") in response.content.decode()
    assert not GrantApplication.objects.exists()
    assert not ProposalAttachment.objects.exists()


def test_at_most_five_attachments_in_all(client, pool):
    applicant = factories.user()
    client.force_login(applicant)
    url = reverse("proposals:grant_create", args=[pool.pk])

    def files(n):
        return [
            SimpleUploadedFile(f"bilag{i}.pdf", PDF, content_type="application/pdf")
            for i in range(n)
        ]

    response = client.post(url, factories.grant_form_data(pool, submit=None, attachments=files(6)))
    assert response.status_code == HTTPStatus.OK
    assert not ProposalAttachment.objects.exists()
    response = client.post(url, factories.grant_form_data(pool, submit=None, attachments=files(4)))
    application = GrantApplication.objects.get()
    edit = reverse("proposals:grant_edit", args=[application.pk])
    assert response["Location"] == edit
    response = client.post(edit, factories.grant_form_data(pool, submit=None, attachments=files(2)))
    assert response.status_code == HTTPStatus.OK
    assert da("At most %(count)s attachments.") % {"count": 5} in response.content.decode()
    assert ProposalAttachment.objects.count() == 4


def test_the_form_shows_the_saved_budgets_total_for_the_script_to_follow(client, pool):
    applicant = factories.user()
    client.force_login(applicant)
    data = factories.grant_form_data(pool, submit=None)
    client.post(reverse("proposals:grant_create", args=[pool.pk]), data)
    application = GrantApplication.objects.get()
    html = client.get(reverse("proposals:grant_edit", args=[application.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'aria-live="polite"' in html and "data-budget-totals" in html
    assert f'data-pattern="{da("%(amount)s kr.")}"' in html
    assert f'data-total="expense">{format_kroner(15_000, "da")}<' in html
    assert f'data-total="income">{format_kroner(2_000, "da")}<' in html
    assert f'data-total="applied">{format_kroner(13_000, "da")}<' in html
    assert html.count("data-budget-line") == 5  # three saved lines and two empty ones


def _current_step(html: str) -> str:
    step = html.split('aria-current="step"><strong>', 1)[1]
    return step.split("</strong>", 1)[0]


def test_the_applicants_page_shows_where_the_application_is(client, pool, secretariat):
    application = factories.grant_application(pool=pool)
    client.force_login(application.proposal.author)
    url = reverse("proposals:grant", args=[application.pk])
    html = client.get(url).content.decode()
    assert _current_step(html) == state("Received")
    for later in ("Complete", "Recommended", "On the agenda", "Granted", "Paid"):
        assert f"<strong>{state(later)}</strong>" in html

    _recommended(application, secretariat)
    grant_services.grant_put_on_agenda(actor=secretariat, application=application)
    factories.deciding_meeting_begins(application)
    grant_services.grant_decide(
        actor=secretariat, application=application, granted=True, amount=25_000, reason="Enig."
    )
    html = client.get(url).content.decode()
    assert _current_step(html) == state("Granted")
    assert html.count("round-timeline__step--done") == 4


def test_a_refused_applications_road_ends_at_the_refusal(pool, secretariat):
    application = _recommended(factories.grant_application(pool=pool), secretariat)
    grant_services.grant_put_on_agenda(actor=secretariat, application=application)
    factories.deciding_meeting_begins(application)
    application = grant_services.grant_decide(
        actor=secretariat, application=application, granted=False, reason="Ikke i år."
    )
    with translation.override("da"):
        steps = application.progress()
        assert [str(step["label"]) for step in steps][-2:] == [
            pgettext("grant state", "On the agenda"),
            pgettext("grant state", "Refused"),
        ]
        assert steps[-1]["current"] and all(step["done"] for step in steps[:-1])


def test_the_applicant_removes_a_wrong_quote_and_only_their_own(
    client, pool, django_capture_on_commit_callbacks
):
    applicant = factories.user()
    client.force_login(applicant)
    quote = SimpleUploadedFile("forkert.pdf", PDF, content_type="application/pdf")
    data = factories.grant_form_data(pool, submit=None, attachments=quote)
    client.post(reverse("proposals:grant_create", args=[pool.pk]), data)
    application = GrantApplication.objects.get()
    wrong = ProposalAttachment.objects.get()
    stored = wrong.file.name
    other = factories.grant_application(pool=pool)
    foreign = ProposalAttachment.objects.create(
        proposal=other.proposal, file=SimpleUploadedFile("x.pdf", PDF), title="x.pdf"
    )
    edit = reverse("proposals:grant_edit", args=[application.pk])
    html = client.get(edit).content.decode()
    assert da("Remove attachments") in html and "forkert.pdf" in html

    # Another application's attachment is no choice here: the form refuses, nothing goes.
    data = factories.grant_form_data(pool, submit=None, remove_attachments=[foreign.pk])
    response = client.post(edit, data)
    assert response.status_code == HTTPStatus.OK
    assert ProposalAttachment.objects.filter(pk__in=[wrong.pk, foreign.pk]).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        data = factories.grant_form_data(pool, submit=None, remove_attachments=[wrong.pk])
        response = client.post(edit, data)
    assert response["Location"] == edit
    assert not ProposalAttachment.objects.filter(pk=wrong.pk).exists()
    assert not wrong.file.storage.exists(stored)
    assert ProposalAttachment.objects.filter(pk=foreign.pk).exists()


def test_a_desk_cannot_enter_a_support_for_a_grant_application(pool, secretariat):
    from proposals.intake import services as intake_services
    from proposals.models import AssistedSupport

    application = factories.grant_application(pool=pool)
    with pytest.raises(ValidationError) as refused:
        intake_services.support_enter_for_resident(
            staff=secretariat,
            proposal=application.proposal,
            resident_name="Mette Hansen",
            resident_address="Rosenvængets Allé 1, 2100 København Ø",
        )
    assert da("This proposal cannot be supported.") in refused.value.messages
    assert not AssistedSupport.objects.exists()


def test_the_staffs_screen_reads_the_history_in_the_grants_words(client, pool, secretariat):
    application = _recommended(factories.grant_application(pool=pool), secretariat)
    secretariat.preferred_language = "da"
    secretariat.save(update_fields=["preferred_language"])
    client.force_login(secretariat)
    html = client.get(reverse("grant_process", args=[application.pk])).content.decode()
    assert f"{state('Complete')} → {state('Recommended')}" in html
    assert da(State.FEASIBLE.label) not in html


def test_a_pool_deciding_its_applications_is_not_marked_open_on_the_committee_page(committee):
    from committees.models import BudgetRound

    taking = factories.grant_pool(committee=committee, title="Tager imod")
    deciding = factories.grant_pool(committee=committee, title="Besluttes")
    BudgetRound.objects.filter(pk=deciding.pk).update(**factories.round_dates(phase="voting"))
    voting = factories.budget_round(committee=committee, phase="voting")
    rounds = whats_open.rounds_open_first(BudgetRound.objects.filter(committee=committee))
    is_open = {budget_round.pk: budget_round.is_open for budget_round in rounds}
    assert is_open == {taking.pk: True, deciding.pk: False, voting.pk: True}


def test_the_staffs_proposal_list_and_export_read_the_applications_stage(client, pool, secretariat):
    recommended = _recommended(factories.grant_application(pool=pool), secretariat)
    on_agenda = _recommended(factories.grant_application(pool=pool), secretariat)
    grant_services.grant_put_on_agenda(actor=secretariat, application=on_agenda)
    client.force_login(secretariat)
    html = client.get(reverse("proposal:index")).content.decode()
    assert f">{state('Recommended')}<" in html.replace("\n", "").replace("  ", "")
    assert state("On the agenda") in html
    table = html[html.index("<table") : html.index("</table>")]
    assert da(State.FEASIBLE.label) not in table  # the filter offers every round's states
    export = client.get(reverse("voting:round_export", args=[pool.pk, "proposals", "csv"]))
    rows = export.content.decode("utf-8-sig").splitlines()
    row = {case: line for line in rows for case in [line.split(",")[0].strip('"')]}
    assert state("Recommended") in row[recommended.proposal.case_number]
    assert state("On the agenda") in row[on_agenda.proposal.case_number]
    assert da(State.FEASIBLE.label) not in export.content.decode("utf-8-sig")
