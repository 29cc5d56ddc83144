"""Residents' text against the attacks of issue 16: markup smuggled past the cleaner, text that
changes when it is saved unchanged, text too long to clean in time, e-mail addresses shown as
names, and control characters that break the exports. The cleaner itself is tested in
tests/proposals/test_richtext.py."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse

from proposals import services
from proposals.models import Proposal
from tests import factories

SMUGGLED = (
    "<p>Hej<![CDATA[</p><script>alert(1)</script>]]></p>"
    '<![CDATA[<meta http-equiv="refresh" content="0;url=https://evil.example">]]>'
    "<svg><style><img src=x onerror=alert(2)></style></svg>"
)


def _no_smuggled_markup(html: str) -> None:
    assert "<script>alert(1)" not in html
    assert 'http-equiv="refresh"' not in html
    assert "onerror=alert(2)" not in html and "<img src=x" not in html
    assert "CDATA" not in html


@pytest.fixture
def smuggled(ideas_round):
    """A public proposal whose stored description holds what the old cleaner let through."""
    proposal = factories.proposal(budget_round=ideas_round, state="submitted")
    Proposal.objects.filter(pk=proposal.pk).update(description=SMUGGLED)
    return proposal


def test_a_description_is_cleaned_again_on_the_public_page(client, smuggled):
    response = client.get(reverse("proposals:detail", args=[smuggled.pk]))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    _no_smuggled_markup(html)
    # What a browser makes of it too: the CDATA openers are bogus comments up to the first ">".
    assert '<div class="proposal-description"><p>Hej]]&gt;</p>]]&gt;</div>' in html


def test_a_description_is_cleaned_again_in_the_moderators_review(client, committee, smuggled):
    client.force_login(factories.moderator(committee=committee))
    response = client.get(reverse("proposal_review", args=[smuggled.pk]))
    assert response.status_code == HTTPStatus.OK
    _no_smuggled_markup(response.content.decode())


def test_a_description_is_cleaned_again_in_the_api(client, smuggled):
    response = client.get(f"/api/v1/proposals/{smuggled.pk}/")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["description"] == "<p>Hej]]&gt;</p>]]&gt;"


# --- Names: never any part of an e-mail address ----------------------------------------------


def test_a_resident_without_a_display_name_appears_as_a_resident(
    client, ideas_round, django_capture_on_commit_callbacks
):
    author = factories.user(email="karen.hansen@example.dk", display_name="")
    with django_capture_on_commit_callbacks(execute=True):
        proposal = factories.proposal(budget_round=ideas_round, author=author, state="draft")
        proposal = services.proposal_submit(author=author, proposal=proposal)
        services.comment_add(author=author, proposal=proposal, body="Godt forslag.")
    assert str(author) == author.get_full_name() == author.get_short_name() == "en borger"
    html = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "karen" not in html.lower() and "example.dk" not in html
    assert html.count("en borger") >= 2  # as the author and beside the comment
    (receipt,) = mail.outbox
    assert receipt.body.startswith("Kære borger,")
    assert "karen" not in receipt.body.lower()
    client.force_login(author)
    html = client.get(reverse("proposals:mine")).content.decode()
    assert "karen" not in html.lower()


def test_a_display_name_is_shown_as_written(ideas_round):
    author = factories.user(email="karen.hansen@example.dk", display_name="Karen fra 3. sal")
    assert str(author) == author.get_short_name() == "Karen fra 3. sal"
