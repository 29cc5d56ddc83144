"""Submission, the state machine, merging, supports and comments, through the services."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from proposals import services, validation
from proposals.models import Proposal, State, StatusChange, Support
from proposals.workflow import TRANSITIONS
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def committee():
    return factories.committee("Østerbro Lokaludvalg")


@pytest.fixture
def reviewer(ideas_round):
    person = factories.user()
    ideas_round.reviewers.add(person)
    return person


def _complete(budget_round, **extra):
    return {
        "title": "Bænke i parken",
        "summary": "Flere bænke.",
        "description": "Vi vil have flere bænke.\n\nTil alle.",
        "estimated_cost": 20_000,
        "category": budget_round.categories.first(),
        "location_text": "Fælledparken",
        "checklist_answers": {str(i.pk): True for i in budget_round.checklist.all()},
        **extra,
    }


def test_submit_gives_case_number_history_and_receipt_in_the_authors_language(
    ideas_round, django_capture_on_commit_callbacks
):
    author = factories.user(preferred_language="en")
    draft = services.proposal_draft_save(
        author=author, budget_round=ideas_round, data=_complete(ideas_round)
    )
    assert draft.state == State.DRAFT and draft.case_number is None
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.proposal_submit(author=author, proposal=draft)
    assert proposal.state == State.SUBMITTED
    assert proposal.case_number == f"BB-{ideas_round.pk:03d}-{proposal.pk:05d}"
    assert StatusChange.objects.get(proposal=proposal).to_state == State.SUBMITTED
    assert len(mail.outbox) == 1
    assert proposal.case_number in mail.outbox[0].subject
    assert "We received your proposal" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("estimated_cost", None, "estimated cost"),
        ("estimated_cost", 999, "between"),
        ("estimated_cost", 100_001, "between"),
        ("title", "", "title"),
        ("category", None, "category"),
        ("checklist_answers", {}, "checklist"),
        ("location_text", "", "Say where"),
    ],
)
def test_incomplete_draft_is_kept_and_explained(ideas_round, field, value, message):
    author = factories.user()
    draft = services.proposal_draft_save(
        author=author, budget_round=ideas_round, data=_complete(ideas_round, **{field: value})
    )
    with pytest.raises(ValidationError) as exc:
        services.proposal_submit(author=author, proposal=draft)
    assert message.lower() in str(exc.value.message_dict).lower()
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_checklist_answered_no_is_refused(ideas_round):
    author = factories.user()
    item = ideas_round.checklist.first()
    draft = services.proposal_draft_save(
        author=author,
        budget_round=ideas_round,
        data=_complete(ideas_round, checklist_answers={str(item.pk): False}),
    )
    with pytest.raises(ValidationError, match="answer yes"):
        services.proposal_submit(author=author, proposal=draft)


def test_association_needs_name_and_contact_and_a_valid_cvr(ideas_round):
    author = factories.user()
    draft = services.proposal_draft_save(
        author=author,
        budget_round=ideas_round,
        data=_complete(ideas_round, submitter_kind="association", cvr_number="12345678"),
    )
    with pytest.raises(ValidationError) as exc:
        services.proposal_submit(author=author, proposal=draft)
    assert set(exc.value.message_dict) >= {"organisation_name", "contact_person", "cvr_number"}
    assert validation.cvr_is_valid("10150817")  # a real CVR number's check digit
    assert not validation.cvr_is_valid("10150818")


def test_submission_after_the_deadline_keeps_the_draft(committee):
    review_round = factories.budget_round(committee=committee, phase="review")
    author = factories.user()
    draft = services.proposal_draft_save(
        author=author, budget_round=review_round, data=_complete(review_round)
    )
    with pytest.raises(ValidationError, match="draft is kept"):
        services.proposal_submit(author=author, proposal=draft)
    assert Proposal.objects.get(pk=draft.pk).title == "Bænke i parken"


def test_unverified_or_anonymous_users_cannot_propose(ideas_round):
    from django.contrib.auth.models import AnonymousUser

    unverified = factories.user(verified=False)
    for person in (unverified, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            services.proposal_draft_save(
                author=person, budget_round=ideas_round, data=_complete(ideas_round)
            )


def test_description_is_sanitised(ideas_round):
    author = factories.user()
    draft = services.proposal_draft_save(
        author=author,
        budget_round=ideas_round,
        data=_complete(
            ideas_round,
            description='<p onclick="x()">Hej <script>alert(1)</script><b>du</b>'
            '<a href="javascript:alert(1)">link</a><img src=x onerror=alert(1)></p>',
        ),
    )
    assert "<script" not in draft.description
    assert "onclick" not in draft.description and "onerror" not in draft.description
    assert "javascript:" not in draft.description
    assert "<b>du</b>" in draft.description
    plain = services.proposal_draft_save(
        author=author,
        budget_round=ideas_round,
        data=_complete(ideas_round, description="1 < 2 & <tag>\n\nNy linje"),
    )
    assert "<tag>" not in plain.description


def test_state_machine_allows_only_declared_moves_by_declared_roles(
    ideas_round, moderator, reviewer, django_capture_on_commit_callbacks
):
    author = factories.user()
    proposal = factories.proposal(budget_round=ideas_round, author=author, state="submitted")
    # The author cannot review their own proposal.
    with pytest.raises(PermissionDenied):
        services.proposal_transition(actor=author, proposal=proposal, target=State.IN_REVIEW)
    # Not a declared move: submitted straight to feasible.
    with pytest.raises(ValidationError):
        services.proposal_transition(actor=moderator, proposal=proposal, target=State.FEASIBLE)
    services.proposal_transition(actor=moderator, proposal=proposal, target=State.IN_REVIEW)
    # Rejection needs a public reason.
    with pytest.raises(ValidationError):
        services.proposal_transition(actor=reviewer, proposal=proposal, target=State.REJECTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_record(
            reviewer=reviewer,
            proposal=proposal,
            feasible=False,
            revised_cost=40_000,
            internal_notes="Kræver byggetilladelse",
            public_reason="Kommunen ejer ikke arealet.",
        )
    proposal.refresh_from_db()
    assert proposal.state == State.INFEASIBLE  # a review's "no" is not a rejection
    assert proposal.revised_cost == 40_000
    history = list(proposal.history.values_list("from_state", "to_state", "public_reason"))
    assert history[-1] == ("in_review", "infeasible", "Kommunen ejer ikke arealet.")
    assert "Kommunen ejer ikke arealet." in mail.outbox[-1].body


def test_every_declared_transition_has_roles():
    assert all(t.roles for t in TRANSITIONS.values())
    assert all(t.needs_reason for (s, target), t in TRANSITIONS.items() if target == "rejected")
    # Not feasible and sent back for changes always say why, in public.
    for target in (State.INFEASIBLE, State.NEEDS_CHANGES):
        assert all(t.needs_reason for (s, tg), t in TRANSITIONS.items() if tg == target)


def test_sent_back_for_changes_edited_and_resubmitted_under_the_same_case_number(
    ideas_round, moderator, reviewer, django_capture_on_commit_callbacks
):
    author = factories.user()
    proposal = factories.proposal(budget_round=ideas_round, author=author, state="submitted")
    case_number = proposal.case_number
    with pytest.raises(ValidationError):  # what to change must be said
        services.proposal_transition(actor=moderator, proposal=proposal, target=State.NEEDS_CHANGES)
    for round_trip, ask in enumerate(["Angiv en adresse.", "Prisen mangler moms."]):
        with django_capture_on_commit_callbacks(execute=True):
            services.proposal_transition(
                actor=reviewer if round_trip else moderator,
                proposal=proposal,
                target=State.NEEDS_CHANGES,
                reason=ask,
            )
        assert ask in mail.outbox[-1].body and mail.outbox[-1].to == [author.email]
        proposal.refresh_from_db()
        assert services.proposal_is_editable(proposal)
        with pytest.raises(PermissionDenied):  # only the author resubmits
            services.proposal_resubmit(author=factories.user(), proposal=proposal)
        services.proposal_draft_save(
            author=author,
            budget_round=ideas_round,
            proposal=proposal,
            data={"location_text": f"Øster Allé {round_trip + 1}"},
        )
        services.proposal_resubmit(author=author, proposal=proposal)
        proposal.refresh_from_db()
        assert proposal.state == State.SUBMITTED and proposal.case_number == case_number
    assert proposal.location_text == "Øster Allé 2"
    assert list(proposal.history.values_list("to_state", flat=True)) == [
        "needs_changes",
        "submitted",
        "needs_changes",
        "submitted",
    ]
    with pytest.raises(ValidationError):  # not sent back now
        services.proposal_resubmit(author=author, proposal=proposal)


def test_a_proposal_sent_back_is_not_changed_once_voting_opens(committee):
    voting = factories.budget_round(committee=committee, phase="voting")
    author = factories.user()
    proposal = factories.proposal(budget_round=voting, author=author, state="needs_changes")
    assert not services.proposal_is_editable(proposal)
    with pytest.raises(ValidationError, match="Voting has opened"):
        services.proposal_resubmit(author=author, proposal=proposal)


def test_author_withdraws_before_voting_only(committee):
    author = factories.user()
    open_round = factories.budget_round(committee=committee, phase="review")
    proposal = factories.proposal(budget_round=open_round, author=author, state="in_review")
    services.proposal_withdraw(author=author, proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).state == State.WITHDRAWN
    voting_round = factories.budget_round(committee=committee, phase="voting")
    late = factories.proposal(budget_round=voting_round, author=author, state="feasible")
    with pytest.raises(ValidationError, match="before voting"):
        services.proposal_withdraw(author=author, proposal=late)


def test_support_once_per_person_enforced_by_the_database(ideas_round):
    proposal = factories.proposal(budget_round=ideas_round, state="submitted")
    fan = factories.user()
    assert services.support_add(user=fan, proposal=proposal) is True
    assert services.support_add(user=fan, proposal=proposal) is False
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(user=fan, proposal=proposal)
    with pytest.raises(PermissionDenied):
        services.support_add(user=factories.user(verified=False), proposal=proposal)
    assert services.support_remove(user=fan, proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).support_count == 0


def test_an_author_cannot_support_their_own_proposal(ideas_round):
    author = factories.user()
    proposal = factories.proposal(budget_round=ideas_round, author=author, state="submitted")
    with pytest.raises(PermissionDenied, match="your own proposal"):
        services.support_add(user=author, proposal=proposal)
    assert not Support.objects.filter(proposal=proposal).exists()
    assert Proposal.objects.get(pk=proposal.pk).support_count == 0
    assert services.support_add(user=factories.user(), proposal=proposal) is True


def test_merge_does_not_move_the_survivors_authors_support_onto_their_own(ideas_round, moderator):
    author = factories.user()
    survivor = factories.proposal(budget_round=ideas_round, author=author, state="submitted")
    duplicate = factories.proposal(budget_round=ideas_round, state="submitted")
    services.support_add(user=author, proposal=duplicate)
    services.support_add(user=factories.user(), proposal=duplicate)
    services.proposal_merge(
        moderator=moderator, duplicate=duplicate, survivor=survivor, reason="Samme idé"
    )
    survivor.refresh_from_db()
    assert survivor.support_count == 1 == survivor.supports.count()
    assert not survivor.supports.filter(user=author).exists()


def test_merge_moves_supports_without_double_counting(
    ideas_round, moderator, django_capture_on_commit_callbacks
):
    a_author, b_author = factories.user(), factories.user()
    survivor = factories.proposal(budget_round=ideas_round, author=a_author, state="submitted")
    duplicate = factories.proposal(budget_round=ideas_round, author=b_author, state="submitted")
    both, only_dup, only_surv = factories.user(), factories.user(), factories.user()
    for person in (both, only_surv):
        services.support_add(user=person, proposal=survivor)
    for person in (both, only_dup):
        services.support_add(user=person, proposal=duplicate)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_merge(
            moderator=moderator, duplicate=duplicate, survivor=survivor, reason="Samme idé"
        )
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert survivor.support_count == 3 == survivor.supports.count()
    assert duplicate.state == State.MERGED and duplicate.merged_into == survivor
    assert duplicate.support_count == 0
    assert {m.to[0] for m in mail.outbox[-2:]} == {a_author.email, b_author.email}


def test_plain_text_e_mails_are_not_html_escaped(ideas_round, django_capture_on_commit_callbacks):
    author = factories.user(preferred_language="en")
    draft = services.proposal_draft_save(
        author=author,
        budget_round=ideas_round,
        data=_complete(ideas_round, title='Bænke & "grønne" lommer'),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_submit(author=author, proposal=draft)
    body = mail.outbox[-1].body
    assert 'Bænke & "grønne" lommer' in body
    assert "&amp;" not in body and "&quot;" not in body
