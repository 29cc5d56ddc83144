"""Following a single proposal: who may, the button on its page, the state changes told to
followers in their own language, and the list on "Mit borgerbudget"."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from committees.accounts.privacy import account_delete, export
from notices.kinds import Kind
from notices.models import Delivery
from notices.services import unsubscribe
from proposals import services as proposal_services
from proposals.following import selectors, services
from proposals.models import ProposalFollow, State
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(committee):
    ideas = factories.budget_round(committee=committee, phase="ideas")
    author = factories.user(preferred_language="da")
    return {
        "round": ideas,
        "author": author,
        "proposal": factories.proposal(budget_round=ideas, author=author, state=State.SUBMITTED),
        "draft": factories.proposal(budget_round=ideas, author=author),
        "moderator": factories.moderator(committee=committee),
    }


def test_drafts_own_proposals_hidden_ones_and_unverified_people_cannot_follow(world):
    resident = factories.user()
    with pytest.raises(PermissionDenied):
        services.proposal_follow(user=resident, proposal=world["draft"])
    with pytest.raises(PermissionDenied):
        services.proposal_follow(user=world["author"], proposal=world["proposal"])
    with pytest.raises(PermissionDenied):
        services.proposal_follow(user=factories.user(verified=False), proposal=world["proposal"])
    world["proposal"].hidden, world["proposal"].hidden_reason = True, "Spam"
    world["proposal"].save()
    with pytest.raises(PermissionDenied):
        services.proposal_follow(user=resident, proposal=world["proposal"])
    assert not ProposalFollow.objects.exists()


def test_following_twice_is_once_and_unfollowing_stops_it(world):
    resident = factories.user()
    assert services.proposal_follow(user=resident, proposal=world["proposal"])
    assert not services.proposal_follow(user=resident, proposal=world["proposal"])
    assert selectors.is_following(user=resident, proposal=world["proposal"])
    assert services.proposal_unfollow(user=resident, proposal=world["proposal"])
    assert not services.proposal_unfollow(user=resident, proposal=world["proposal"])
    assert not ProposalFollow.objects.exists()


def test_followers_hear_each_state_change_in_their_language_once(
    world, django_capture_on_commit_callbacks
):
    english, danish = factories.user(preferred_language="en"), factories.user()
    for person in (english, danish):
        services.proposal_follow(user=person, proposal=world["proposal"])
    with django_capture_on_commit_callbacks(execute=True):
        proposal_services.proposal_transition(
            actor=world["moderator"], proposal=world["proposal"], target=State.IN_REVIEW
        )
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {english.email, danish.email, world["author"].email}
    case = world["proposal"].case_number
    with translation.override("en"):
        label = str(State.IN_REVIEW.label)
    assert by_recipient[english.email].subject == f"A proposal you follow, {case}, is now: {label}"
    with translation.override("da"):
        danish_label = str(State.IN_REVIEW.label)
    assert danish_label in by_recipient[danish.email].subject
    assert case in by_recipient[danish.email].subject
    assert f"/forslag/{world['proposal'].pk}/" in by_recipient[danish.email].body
    assert Delivery.objects.filter(kind=Kind.FOLLOWING).count() == 2
    # Back to review after a rejection is a new change, told again.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        proposal_services.proposal_transition(
            actor=world["moderator"],
            proposal=world["proposal"],
            target=State.REJECTED,
            reason="Ligger uden for området",
        )
        proposal_services.proposal_transition(
            actor=world["moderator"],
            proposal=world["proposal"],
            target=State.IN_REVIEW,
            reason="Området er rettet",
        )
    assert [m.to[0] for m in mail.outbox].count(english.email) == 2
    assert "Ligger uden for området" in next(
        m.body for m in mail.outbox if m.to == [danish.email] and "Ligger" in m.body
    )


def test_a_follower_who_turned_off_following_is_not_sent_it(
    world, django_capture_on_commit_callbacks
):
    resident = factories.user()
    services.proposal_follow(user=resident, proposal=world["proposal"])
    unsubscribe(user=resident, kind=Kind.FOLLOWING)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_services.proposal_transition(
            actor=world["moderator"], proposal=world["proposal"], target=State.IN_REVIEW
        )
    assert [m.to for m in mail.outbox] == [[world["author"].email]]
    assert Delivery.objects.get(user=resident).state == Delivery.State.SKIPPED


def test_the_button_follows_and_unfollows_and_shows_on_mine(client, world):
    resident = factories.user()
    page = reverse("proposals:detail", args=[world["proposal"].pk])
    follow = reverse("following:follow", args=[world["proposal"].pk])
    assert reverse("account_login") in client.get(page).content.decode()
    assert client.post(follow).status_code == HTTPStatus.FOUND  # to the login
    assert not ProposalFollow.objects.exists()
    client.force_login(resident)
    assert f'action="{follow}"' in client.get(page).content.decode()
    assert client.get(follow).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert client.post(follow).url == page
    assert selectors.is_following(user=resident, proposal=world["proposal"])
    mine = client.get(reverse("my_borgerbudget")).content.decode()
    assert world["proposal"].title in mine
    assert 'name="action" value="unfollow"' in client.get(page).content.decode()
    client.post(follow, {"action": "unfollow"})
    assert not ProposalFollow.objects.exists()


def test_someone_elses_draft_cannot_be_followed_by_posting(client, world):
    client.force_login(factories.user())
    response = client.post(reverse("following:follow", args=[world["draft"].pk]))
    assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND)
    assert not ProposalFollow.objects.exists()


def test_follows_are_in_the_data_download_and_go_with_the_account(world):
    resident = factories.user()
    services.proposal_follow(user=resident, proposal=world["proposal"])
    followed = export(resident)["proposals"]["followed_proposals"]
    assert followed[0]["proposal__title"] == world["proposal"].title
    account_delete(user=resident)
    assert not ProposalFollow.objects.exists()
