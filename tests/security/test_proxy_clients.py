"""Behind a reverse proxy: one visitor's failures never lock out another, a client cannot pick
its own address, and a UNIX-socket peer (README, production step 4) is not refused.

The requests come as the proxy would deliver them: from the proxy's address (or, on a UNIX
socket, from none: Daphne gives Django no REMOTE_ADDR), with the visitor in X-Forwarded-For.
The whole chain through a real nginx and Daphne is tests/site/test_behind_nginx.py.
"""

from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from pbsite.settings import base
from tests import factories
from tests.factories import PASSWORD
from voting.codes import services as codes_services
from voting.models import Ballot, VotingConfig

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def _shipped_limits(settings):
    """The rate table the platform ships with (the test settings turn it off), an empty cache."""
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


def via_proxy(visitor: str) -> dict[str, str]:
    """What the proxy adds to a request from `visitor`: its own address as the peer."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": visitor}


def via_socket(visitor: str) -> dict[str, str]:
    """A request through a proxy on a UNIX socket: no peer address at all."""
    return {"REMOTE_ADDR": "", "HTTP_X_FORWARDED_FOR": visitor}


def _login(client, email: str, password: str, **extra):
    with translation.override("en"):
        url = reverse("account_login")
    return client.post(url, {"login": email, "password": password}, **extra)


@pytest.fixture
def code_round(home_page):
    budget_round = factories.budget_round(
        committee=factories.committee(), phase="voting", ballot_style="approval"
    )
    # Codes alone: a code that is nobody's in particular may only vote where no other channel is.
    VotingConfig.objects.filter(budget_round=budget_round).update(
        allow_online=False, allow_paper=False, allow_codes=True
    )
    proposal = factories.proposal(budget_round=budget_round, state="feasible")
    return budget_round, proposal


def _vote_with_code(client, budget_round, proposal, code: str, **extra):
    with translation.override("en"):
        url = reverse("voting:ballot_code", args=[budget_round.pk])
    return client.post(url, {"code": code, "project": [str(proposal.pk)]}, **extra)


def test_wrong_codes_from_one_visitor_do_not_lock_out_another(client, behind_proxy, code_round):
    budget_round, proposal = code_round
    [code] = codes_services.codes_generate(budget_round=budget_round, count=1)
    wrong = "ZZZZ-ZZZZ-ZZZZ"
    for _ in range(codes_services.CODE_ATTEMPTS_PER_CLIENT):
        page = _vote_with_code(client, budget_round, proposal, wrong, **via_proxy("203.0.113.1"))
        assert "That code is not right" in page.content.decode()
    locked = _vote_with_code(client, budget_round, proposal, code, **via_proxy("203.0.113.1"))
    assert "Too many wrong codes" in locked.content.decode()
    other = _vote_with_code(client, budget_round, proposal, code, **via_proxy("198.51.100.2"))
    assert other.status_code == HTTPStatus.FOUND
    assert Ballot.objects.filter(budget_round=budget_round).count() == 1


def test_a_client_cannot_escape_the_code_throttle_by_writing_x_forwarded_for(
    client, behind_proxy, code_round
):
    """The proxy appends what it saw; what the client wrote to the left is never read."""
    budget_round, proposal = code_round
    [code] = codes_services.codes_generate(budget_round=budget_round, count=1)
    for n in range(codes_services.CODE_ATTEMPTS_PER_CLIENT):
        forged = f"192.0.2.{n}, 203.0.113.1"
        _vote_with_code(client, budget_round, proposal, "ZZZZ-ZZZZ-ZZZZ", **via_proxy(forged))
    page = _vote_with_code(
        client, budget_round, proposal, code, **via_proxy("192.0.2.99, 203.0.113.1")
    )
    assert "Too many wrong codes" in page.content.decode()
    # Straight to the server, past the proxy: the header counts for nothing at all.
    for n in range(codes_services.CODE_ATTEMPTS_PER_CLIENT):
        extra = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}
        _vote_with_code(client, budget_round, proposal, "ZZZZ-ZZZZ-ZZZZ", **extra)
    direct = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "192.0.2.200"}
    assert (
        "Too many wrong codes"
        in _vote_with_code(client, budget_round, proposal, code, **direct).content.decode()
    )


def test_an_ipv6_subscriber_counts_as_one_network(client, behind_proxy, code_round):
    budget_round, proposal = code_round
    [code] = codes_services.codes_generate(budget_round=budget_round, count=1)
    for n in range(codes_services.CODE_ATTEMPTS_PER_CLIENT):
        visitor = f"2001:db8:1:2::{n + 1:x}"
        _vote_with_code(client, budget_round, proposal, "ZZZZ-ZZZZ-ZZZZ", **via_proxy(visitor))
    same_network = via_proxy("2001:db8:1:2:ffff::1")
    page = _vote_with_code(client, budget_round, proposal, code, **same_network)
    assert "Too many wrong codes" in page.content.decode()
    other_network = via_proxy("2001:db8:1:3::1")
    assert _vote_with_code(client, budget_round, proposal, code, **other_network).status_code == (
        HTTPStatus.FOUND
    )


def test_failed_logins_from_one_visitor_do_not_lock_out_another(client, behind_proxy):
    victim = factories.user()
    for n in range(10):  # allauth's login_failed: 10 a minute per address
        _login(client, f"nobody{n}@example.dk", "wrong-password", **via_proxy("203.0.113.1"))
    refused = _login(client, victim.email, PASSWORD, **via_proxy("203.0.113.1"))
    assert refused.status_code == HTTPStatus.OK
    assert "_auth_user_id" not in client.session
    signed_in = _login(client, victim.email, PASSWORD, **via_proxy("198.51.100.2"))
    assert signed_in.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(victim.pk)


def test_sign_in_and_ballot_through_a_unix_socket_proxy(client, code_round):
    """The shipped settings trust a UNIX-socket peer: sign-in and a ballot are not refused."""
    budget_round, proposal = code_round
    [code] = codes_services.codes_generate(budget_round=budget_round, count=1)
    person = factories.user()
    signed_in = _login(client, person.email, PASSWORD, **via_socket("203.0.113.9"))
    assert signed_in.status_code == HTTPStatus.FOUND
    client.logout()
    voted = _vote_with_code(client, budget_round, proposal, code, **via_socket("203.0.113.9"))
    assert voted.status_code == HTTPStatus.FOUND


def test_an_untrusted_socket_peer_is_refused_not_pooled(client, settings):
    """Without "unix" in TRUSTED_PROXIES nobody's address is known: refuse, rather than count
    every visitor as one (which would let one visitor lock out all)."""
    settings.TRUSTED_PROXIES = []
    person = factories.user()
    response = _login(client, person.email, PASSWORD, **via_socket("203.0.113.9"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "_auth_user_id" not in client.session


def test_the_api_limit_cannot_be_reset_with_a_forged_header(client, settings):
    settings.API_ANON_RATE = "2/minute"
    url = "/api/v1/committees/"
    statuses = [
        client.get(url, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [HTTPStatus.OK, HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS]


def test_a_meeting_on_one_network_can_all_vote_online_in_one_minute(client, behind_proxy):
    """Thirty verified residents at a citizens' meeting share the venue's address: a ballot
    counts per account (each needs a verified identity), never per address."""
    committee = factories.committee()
    budget_round = factories.budget_round(
        committee=committee, phase="voting", ballot_style="approval"
    )
    proposal = factories.proposal(budget_round=budget_round, state="feasible")
    with translation.override("en"):
        url = reverse("voting:ballot", args=[budget_round.pk])
    statuses = []
    for _ in range(30):
        resident = factories.verified_voter(area=committee.district)
        client.force_login(resident)
        response = client.post(url, {"project": [str(proposal.pk)]}, **via_proxy("203.0.113.50"))
        statuses.append(response.status_code)
    assert statuses == [HTTPStatus.FOUND] * 30
    assert Ballot.objects.filter(budget_round=budget_round).count() == 30
