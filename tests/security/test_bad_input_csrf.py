"""POSTs without a CSRF token are refused with 403 and change nothing, on every form that writes."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from proposals.models import Comment, GrantApplication
from tests import factories
from tests.security.bad_input import en, form_data
from voting.models import VotingCode

pytestmark = pytest.mark.django_db


# --- CSRF-less POSTs --------------------------------------------------------------------------


def _csrf_rows():
    def support(w):
        return reverse("proposals:support", args=[w.others_submitted.pk]), {}

    def comment(w):
        return reverse("proposals:comment", args=[w.others_submitted.pk]), {"body": "Hej"}

    def withdraw(w):
        return reverse("proposals:withdraw", args=[w.my_submitted.pk]), {}

    def flag(w):
        return reverse("proposals:comment_flag", args=[w.comment.pk]), {}

    def create(w):
        return reverse("proposals:create", args=[w.ideas.pk]), {
            **form_data(w.ideas),
            "submit": "1",
        }

    def edit(w):
        return reverse("proposals:edit", args=[w.my_submitted.pk]), {
            **form_data(w.ideas, title="Ændret"),
            "save": "1",
        }

    def ballot(w):
        return reverse("voting:ballot", args=[w.voting.pk]), {"project": [str(w.on_ballot.pk)]}

    def code_ballot(w):
        code = factories.letter_codes(budget_round=w.voting, count=1)[0]
        return reverse("voting:ballot_code", args=[w.voting.pk]), {
            "code": code,
            "project": [str(w.on_ballot.pk)],
        }

    def set_language(w):
        return reverse("set_language"), {"language": "en", "next": "/"}

    def my_data_delete(w):
        return reverse("my_data"), {"action": "delete", "password": "a-long-test-password-1"}

    def login(w):
        return reverse("account_login"), {
            "login": w.me.email,
            "password": "a-long-test-password-1",
        }

    def hide(w):
        return reverse("proposals:comment_hide", args=[w.comment.pk]), {"reason": "Tone"}

    return [
        pytest.param(support, id="support"),
        pytest.param(comment, id="comment"),
        pytest.param(withdraw, id="withdraw"),
        pytest.param(flag, id="comment-flag"),
        pytest.param(hide, id="comment-hide"),
        pytest.param(create, id="proposal-create"),
        pytest.param(edit, id="proposal-edit"),
        pytest.param(ballot, id="ballot"),
        pytest.param(code_ballot, id="code-ballot"),
        pytest.param(set_language, id="set-language"),
        pytest.param(my_data_delete, id="delete-account"),
        pytest.param(login, id="login"),
    ]


@pytest.mark.parametrize("row", _csrf_rows())
def test_post_without_csrf_token_is_refused_and_nothing_changes(world, row):
    factories.verified_identity(
        user=world.me, area=world.committee.district, national_id="0101901234"
    )
    factories.staff(person=world.me, committee=world.committee, role="moderator")
    strict = Client(enforce_csrf_checks=True)
    if row.__name__ != "login":
        strict.force_login(world.me)
    url, data = row(world)
    before = world.snapshot()
    users_before = sorted(
        type(world.me).objects.values_list("pk", "preferred_language", "last_login")
    )
    flags_before = sorted(Comment.objects.values_list("pk", "flag_count"))
    codes_before = sorted(VotingCode.objects.values_list("pk", "used", "misses"))
    response = strict.post(url, data)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert world.snapshot() == before
    assert (
        sorted(type(world.me).objects.values_list("pk", "preferred_language", "last_login"))
        == users_before
    )
    assert sorted(Comment.objects.values_list("pk", "flag_count")) == flags_before
    assert sorted(VotingCode.objects.values_list("pk", "used", "misses")) == codes_before


def test_posts_without_a_csrf_token_are_refused(committee, pool, meeting, host):
    from proposals.models import Proposal

    resident = factories.user()
    voting = factories.budget_round(committee=committee, phase="voting")
    project = factories.funded_proposal(
        budget_round=factories.budget_round(committee=committee, phase="implementation")
    ).tracking
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(resident)
    posts = [
        (en("voting:follow", voting.pk), {}),
        (en("tracking:follow", project.pk), {}),
        (en("proposals:grant_create", pool.pk), factories.grant_form_data(pool)),
        (en("voting:live_join", meeting.pk), {"choice": "0"}),
    ]
    for url, data in posts:
        assert strict.post(url, data).status_code == HTTPStatus.FORBIDDEN, url
    strict.force_login(host)
    assert (
        strict.post(en("voting:live_host", meeting.pk), {"action": "reveal"}).status_code
        == HTTPStatus.FORBIDDEN
    )
    strict.force_login(resident)
    assert (
        strict.post(en("tracking:propose_again", project.pk), {"round": "1"}).status_code
        == HTTPStatus.FORBIDDEN
    )
    assert not GrantApplication.objects.exists()
    assert Proposal.objects.filter(inspired_by__isnull=False).count() == 0
