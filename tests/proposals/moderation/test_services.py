"""Reports and moderators' decisions, through the services and the real database."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from committees.models import AuditEntry
from proposals import services as proposal_services
from proposals.models import CommentFlag, Proposal, ProposalReport
from proposals.moderation import selectors, services
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def world(home_page):
    this = factories.committee("Østerbro Lokaludvalg")
    other = factories.committee("Valby Lokaludvalg", district_name="Valby")
    ideas = factories.budget_round(committee=this, phase="ideas")
    author = factories.user(display_name="Anna Forfatter")
    proposal = factories.proposal(budget_round=ideas, author=author, state="submitted")
    return {
        "this": this,
        "proposal": proposal,
        "author": author,
        "moderator": factories.moderator(committee=this),
        "other_moderator": factories.moderator(committee=other),
        "other_proposal": factories.proposal(
            budget_round=factories.budget_round(committee=other), state="submitted"
        ),
    }


def test_one_account_reporting_ten_times_counts_once(world):
    proposal, reporter = world["proposal"], factories.user()
    results = [
        services.proposal_report(user=reporter, proposal=proposal, reason="spam") for _ in range(10)
    ]
    assert results == [True] + [False] * 9
    services.proposal_report(user=factories.user(), proposal=proposal, reason="offensive")
    (item,) = selectors.moderation_queue(committee_ids={world["this"].pk})
    assert item.reports == 2
    assert dict(item.reasons) == {"Spam or advertising": 1, "Offensive or hateful": 1}
    # The database itself keeps one report per person, whatever the code above does.
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalReport.objects.create(proposal=proposal, user=reporter, reason="spam")


def test_comment_reports_count_once_and_need_a_known_reason(world):
    comment = proposal_services.comment_add(
        author=factories.user(), proposal=world["proposal"], body="Dumt forslag."
    )
    reporter = factories.user()
    for _ in range(10):
        services.comment_report(user=reporter, comment=comment, reason="personal")
    comment.refresh_from_db()
    assert comment.flag_count == 1 and CommentFlag.objects.filter(comment=comment).count() == 1
    with pytest.raises(ValidationError) as problem:
        services.comment_report(user=factories.user(), comment=comment, reason="because")
    assert "reason" in problem.value.message_dict
    with pytest.raises(ValidationError) as problem:
        services.comment_report(
            user=factories.user(), comment=comment, reason="other", details="x" * 501
        )
    assert "details" in problem.value.message_dict
    with pytest.raises(PermissionDenied):  # not your own comment
        services.comment_report(user=comment.author, comment=comment, reason="spam")
    with pytest.raises(PermissionDenied):  # a verified e-mail address first
        services.comment_report(user=factories.user(verified=False), comment=comment, reason="spam")


def test_hiding_tells_the_author_the_reason_never_the_reporter(
    world, django_capture_on_commit_callbacks
):
    proposal = world["proposal"]
    reporter = factories.user(email="melder@example.org", display_name="Mette Melder")
    services.proposal_report(
        user=reporter, proposal=proposal, reason="offensive", details="Grimt sprog"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_hide(
            moderator=world["moderator"], proposal=proposal, reason="Sproget er krænkende."
        )
    proposal.refresh_from_db()
    assert proposal.hidden and proposal.hidden_reason == "Sproget er krænkende."
    (message,) = mail.outbox
    assert message.to == [world["author"].email]
    assert "Sproget er krænkende." in message.body
    for leak in ("Mette", "melder@example.org", "Grimt sprog"):
        assert leak not in message.body and leak not in message.subject
    assert not ProposalReport.objects.filter(handled=False).exists()  # the reports are closed
    assert selectors.moderation_queue(committee_ids=None) == []
    assert AuditEntry.objects.filter(action="proposal.hide").count() == 1

    # The same person may report again later: their one report reopens, still counting once.
    proposal.hidden = False
    proposal.hidden_reason = ""
    Proposal.objects.filter(pk=proposal.pk).update(hidden=False, hidden_reason="")
    assert services.proposal_report(user=reporter, proposal=proposal, reason="spam")
    assert ProposalReport.objects.filter(proposal=proposal).count() == 1


def test_restore_needs_a_reason_and_tells_the_author(world, django_capture_on_commit_callbacks):
    proposal = world["proposal"]
    services.proposal_hide(moderator=world["moderator"], proposal=proposal, reason="Reklame.")
    with pytest.raises(ValidationError):
        services.proposal_restore(moderator=world["moderator"], proposal=proposal, reason=" ")
    with pytest.raises(ValidationError):
        services.proposal_hide(moderator=world["moderator"], proposal=proposal, reason="x" * 301)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_restore(
            moderator=world["moderator"], proposal=proposal, reason="Det var en fejl."
        )
    proposal.refresh_from_db()
    assert not proposal.hidden and proposal.hidden_reason == ""
    assert "Det var en fejl." in mail.outbox[-1].body


def test_another_committees_moderator_can_neither_see_nor_act(world):
    proposal = world["proposal"]
    comment = proposal_services.comment_add(author=factories.user(), proposal=proposal, body="Hmm.")
    services.proposal_report(user=factories.user(), proposal=proposal, reason="spam")
    services.comment_report(user=factories.user(), comment=comment, reason="spam")
    other = world["other_moderator"]
    assert (
        selectors.moderation_queue(
            committee_ids={world["other_proposal"].budget_round.committee_id}
        )
        == []
    )
    for act in (
        lambda: services.proposal_hide(moderator=other, proposal=proposal, reason="Nej."),
        lambda: services.comment_hide(moderator=other, comment=comment, reason="Nej."),
        lambda: services.reports_dismiss(moderator=other, proposal=proposal),
    ):
        with pytest.raises(PermissionDenied):
            act()
    assert len(selectors.moderation_queue(committee_ids={world["this"].pk})) == 2


def test_keeping_closes_the_reports_and_tells_nobody(world, django_capture_on_commit_callbacks):
    proposal = world["proposal"]
    for _ in range(3):
        services.proposal_report(user=factories.user(), proposal=proposal, reason="off_topic")
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.reports_dismiss(moderator=world["moderator"], proposal=proposal)
    assert closed == 3 and mail.outbox == []
    proposal.refresh_from_db()
    assert not proposal.hidden


def test_the_database_refuses_a_hidden_proposal_without_a_reason(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=world["proposal"].pk).update(hidden=True, hidden_reason="")


def test_comment_hide_needs_moderator_and_reason(world, django_capture_on_commit_callbacks):
    writer = factories.user()
    comment = proposal_services.comment_add(
        author=writer, proposal=world["proposal"], body="<script>x</script>"
    )
    assert services.comment_report(user=factories.user(), comment=comment, reason="offensive")
    with pytest.raises(PermissionDenied):
        services.comment_hide(moderator=writer, comment=comment, reason="nej")
    with pytest.raises(ValidationError):
        services.comment_hide(moderator=world["moderator"], comment=comment, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_hide(moderator=world["moderator"], comment=comment, reason="Personangreb")
    comment.refresh_from_db()
    assert comment.hidden and comment.hidden_reason == "Personangreb"
    assert not comment.flags.filter(handled=False).exists()
    assert mail.outbox[-1].to == [writer.email] and "Personangreb" in mail.outbox[-1].body
    with pytest.raises(PermissionDenied):  # a hidden comment takes no more reports
        services.comment_report(user=factories.user(), comment=comment, reason="spam")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_restore(moderator=world["moderator"], comment=comment, reason="Fejl.")
    comment.refresh_from_db()
    assert not comment.hidden and comment.hidden_by is None


def test_a_hidden_proposal_takes_no_supports(world):
    proposal = world["proposal"]
    services.proposal_hide(moderator=world["moderator"], proposal=proposal, reason="Reklame.")
    proposal.refresh_from_db()
    with pytest.raises(ValidationError):
        proposal_services.support_add(user=factories.user(), proposal=proposal)
    assert proposal.supports.count() == 0
