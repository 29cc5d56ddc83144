"""A proposal's discussion: answers one level deep, the author's edits and deletions, and the
marks they leave, through the services, the database and the pages."""

from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from committees.models import AuditEntry
from proposals import services
from proposals.models import Comment, CommentRevision
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def proposal(committee):
    budget_round = factories.budget_round(committee=committee, phase="ideas")
    return factories.proposal(budget_round=budget_round, state="submitted", title="Bænke")


@pytest.fixture
def writer():
    return factories.user(display_name="Aase")


def _hide(comment) -> None:
    """As a moderator's hiding leaves it (proposals/moderation/ has its own tests)."""
    Comment.objects.filter(pk=comment.pk).update(hidden=True, hidden_reason="Tone")


def _detail(client, proposal) -> str:
    return client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()


def test_an_answer_to_an_answer_joins_the_same_thread(proposal, writer):
    first = services.comment_add(author=writer, proposal=proposal, body="Gode bænke?")
    answer = services.comment_add(
        author=factories.user(), proposal=proposal, body="Ja.", reply_to=first
    )
    again = services.comment_add(author=writer, proposal=proposal, body="Tak!", reply_to=answer)
    assert answer.parent == first and again.parent == first
    other = factories.proposal(budget_round=proposal.budget_round, state="submitted")
    with pytest.raises(ValidationError, match="another proposal"):
        services.comment_add(author=writer, proposal=other, body="Forkert sted", reply_to=first)


def test_a_deleted_or_hidden_comment_cannot_be_answered(proposal, writer):
    gone = services.comment_add(author=writer, proposal=proposal, body="Væk snart.")
    services.comment_delete(author=writer, comment=gone)
    gone.refresh_from_db()
    with pytest.raises(ValidationError, match="no longer be answered"):
        services.comment_add(author=writer, proposal=proposal, body="Svar", reply_to=gone)
    rude = services.comment_add(author=writer, proposal=proposal, body="Grimt.")
    _hide(rude)
    rude.refresh_from_db()
    with pytest.raises(ValidationError, match="no longer be answered"):
        services.comment_add(author=writer, proposal=proposal, body="Svar", reply_to=rude)


def test_the_author_edits_and_the_earlier_text_is_kept_for_the_record(proposal, writer):
    comment = services.comment_add(author=writer, proposal=proposal, body="Først\x07 sagt.")
    assert comment.body == "Først sagt."
    services.comment_edit(author=writer, comment=comment, body="  Bedre sagt.  ")
    comment.refresh_from_db()
    assert comment.body == "Bedre sagt." and comment.edited_at is not None
    revision = CommentRevision.objects.get(comment=comment)
    assert (revision.body, revision.change) == ("Først sagt.", "edited")
    assert AuditEntry.objects.filter(action="comment.edit").count() == 1
    services.comment_edit(author=writer, comment=comment, body="Bedre sagt.")  # unchanged
    assert CommentRevision.objects.filter(comment=comment).count() == 1


def test_nobody_else_edits_or_deletes_and_text_is_checked(proposal, writer, moderator):
    comment = services.comment_add(author=writer, proposal=proposal, body="Mit.")
    for stranger in (factories.user(), moderator):
        with pytest.raises(PermissionDenied):
            services.comment_edit(author=stranger, comment=comment, body="Dit.")
        with pytest.raises(PermissionDenied):
            services.comment_delete(author=stranger, comment=comment)
    with pytest.raises(ValidationError, match="Write a comment"):
        services.comment_edit(author=writer, comment=comment, body=" \x00 ")
    with pytest.raises(ValidationError, match="at most 2,000 characters"):
        services.comment_edit(author=writer, comment=comment, body="x" * 2001)
    comment.refresh_from_db()
    assert comment.body == "Mit." and comment.edited_at is None


def test_delete_leaves_a_tombstone_the_answers_and_a_hidden_comment_hidden(
    client, proposal, writer, moderator
):
    comment = services.comment_add(author=writer, proposal=proposal, body="Hemmelig tanke.")
    services.comment_add(
        author=factories.user(), proposal=proposal, body="Et svar.", reply_to=comment
    )
    services.comment_delete(author=writer, comment=comment)
    services.comment_delete(author=writer, comment=comment)  # twice is once
    comment.refresh_from_db()
    assert comment.body == "" and comment.deleted_at is not None
    assert CommentRevision.objects.get(comment=comment).body == "Hemmelig tanke."
    with pytest.raises(ValidationError, match="deleted comment cannot be edited"):
        services.comment_edit(author=writer, comment=comment, body="Igen")
    html = _detail(client, proposal)
    assert "Deleted by its author." in html and "Et svar." in html
    assert "Hemmelig tanke." not in html
    client.force_login(moderator)  # the moderators can still read it
    assert "Hemmelig tanke." in _detail(client, proposal)

    rude = services.comment_add(author=writer, proposal=proposal, body="Grimme ord.")
    _hide(rude)
    rude.refresh_from_db()
    with pytest.raises(ValidationError, match="hidden by a moderator"):
        services.comment_edit(author=writer, comment=rude, body="Pæne ord.")
    services.comment_delete(author=writer, comment=rude)
    rude.refresh_from_db()
    assert rude.hidden and rude.is_deleted
    client.logout()
    html = _detail(client, proposal)
    assert "Hidden by a moderator: Tone" in html and "Grimme ord." not in html


def test_the_database_keeps_a_tombstone_empty(proposal, writer):
    comment = services.comment_add(author=writer, proposal=proposal, body="Tekst.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(deleted_at=comment.created_at)


def test_resident_answers_edits_and_deletes_through_the_pages(client, proposal, writer):
    first = services.comment_add(author=factories.user(), proposal=proposal, body="Spørgsmål?")
    client.force_login(writer)
    html = _detail(client, proposal)
    assert f'name="reply_to" value="{first.pk}"' in html
    assert reverse("proposals:comment_edit", args=[first.pk]) not in html  # not theirs
    response = client.post(
        reverse("proposals:comment", args=[proposal.pk]),
        {"body": "<b>Svar</b> her", "reply_to": first.pk},
    )
    answer = Comment.objects.get(parent=first)
    assert response["Location"].endswith(f"#comment-{answer.pk}")
    html = _detail(client, proposal)
    assert "&lt;b&gt;Svar&lt;/b&gt; her" in html  # shown as text, never as markup
    edit_url = reverse("proposals:comment_edit", args=[answer.pk])
    assert edit_url in html
    assert "&lt;b&gt;Svar&lt;/b&gt; her</textarea>" in client.get(edit_url).content.decode()
    response = client.post(edit_url, {"body": ""})
    assert response.status_code == HTTPStatus.OK and "Write a comment." in response.content.decode()
    client.post(edit_url, {"body": "Rettet svar"})
    html = _detail(client, proposal)
    assert "Rettet svar" in html and ">edited<" in html
    delete_url = reverse("proposals:comment_delete", args=[answer.pk])
    assert "This cannot be undone." in client.get(delete_url).content.decode()
    client.post(delete_url)
    html = _detail(client, proposal)
    assert "Deleted by its author." in html and "Rettet svar" not in html


def test_someone_elses_comment_is_not_found_and_a_forged_answer_refused(client, proposal, writer):
    comment = services.comment_add(author=writer, proposal=proposal, body="Mit.")
    client.force_login(factories.user())
    for name in ("proposals:comment_edit", "proposals:comment_delete"):
        url = reverse(name, args=[comment.pk])
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND
        assert client.post(url, {"body": "Overtaget"}).status_code == HTTPStatus.NOT_FOUND
    comment.refresh_from_db()
    assert comment.body == "Mit." and not comment.is_deleted
    elsewhere = factories.proposal(budget_round=proposal.budget_round, state="submitted")
    response = client.post(
        reverse("proposals:comment", args=[elsewhere.pk]),
        {"body": "Svar", "reply_to": comment.pk},
        follow=True,
    )
    assert "The comment you answered was not found." in response.content.decode()
    response = client.post(
        reverse("proposals:comment", args=[proposal.pk]),
        {"body": "Svar", "reply_to": "99999999999999999999999"},
        follow=True,
    )
    assert response.status_code == HTTPStatus.OK
    assert not Comment.objects.filter(body="Svar").exists()


def test_threads_are_read_in_a_fixed_number_of_queries(client, proposal, writer, moderator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _detail(client, proposal)
        return len(captured)

    client.force_login(moderator)
    root = services.comment_add(author=writer, proposal=proposal, body="Start")
    services.comment_add(author=writer, proposal=proposal, body="Svar", reply_to=root)
    few = queries()
    for n in range(5):
        more = services.comment_add(author=factories.user(), proposal=proposal, body=f"K{n}")
        services.comment_add(author=writer, proposal=proposal, body=f"S{n}", reply_to=more)
        services.comment_edit(author=writer, comment=root, body=f"Start {n}")
    assert queries() == few


def test_the_authors_data_download_holds_their_earlier_texts(client, proposal, writer):
    import json

    comment = services.comment_add(author=writer, proposal=proposal, body="Første udgave.")
    services.comment_edit(author=writer, comment=comment, body="Anden udgave.")
    services.comment_delete(author=writer, comment=comment)
    client.force_login(writer)
    data = json.loads(client.post(reverse("my_data"), {"action": "download"}).content)
    assert data["proposals"]["comments"][0]["body"] == ""
    assert data["proposals"]["comments"][0]["deleted_at"]
    assert [(r["body"], r["change"]) for r in data["proposals"]["comment_revisions"]] == [
        ("Første udgave.", "edited"),
        ("Anden udgave.", "deleted"),
    ]
