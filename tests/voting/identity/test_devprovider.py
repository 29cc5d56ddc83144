"""The local test identity provider of `make run`, end to end through the real server.

The server is Daphne with the development settings (`pbsite.settings.dev`), as `make run` starts
it: ONE process serving both the app and the provider, so the app's callback calls back into the
same server for the provider's token, keys and userinfo. A resident logs in, verifies as a test
person on the provider's page and casts an online ballot in the demo's voting round.
"""

import hashlib
import re
from http import HTTPStatus
from io import StringIO
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from committees.models import BudgetRound
from tests import factories
from voting.identity import devprovider
from voting.identity.broker import parse_claims
from voting.models import VerifiedIdentity
from voting.services import eligibility_online

PROVIDER_ID = "test-mitid"  # as configured by pbsite.settings.dev


@pytest.fixture
def asgi_server_env(dev_server_env) -> dict[str, str]:
    return dev_server_env  # the server `make run` starts (tests/conftest.py)


@pytest.fixture
def demo(transactional_db, home_page):
    call_command("seed_demo", "--allow-production", stdout=StringIO())
    return BudgetRound.objects.get(slug="demo-voting", committee__name="Østerbro Lokaludvalg")


def _csrf(session: requests.Session, html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, html[:2000]
    return match[1]


def _hidden_fields(form_html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form_html))


def _logged_in_session(user) -> requests.Session:
    """A browser session of `user`. The server shares the test's SECRET_KEY (`asgi_server_env`),
    so the session made here is valid there (the dev server cannot check the test suite's
    fast password hashes, so logging in through the form is not possible)."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.trust_env = False  # straight to the loopback server, never through a proxy
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    return session


def test_a_new_resident_verifies_with_the_test_provider_and_votes_online(demo, asgi_server):
    base = asgi_server.url
    resident = factories.user()
    anna = devprovider.PERSONS["anna"]  # an adult in Østerbro, the demo voting round's area
    session = _logged_in_session(resident)

    # The identity page offers the test provider.
    start = session.get(f"{base}{reverse('voting:identity_start')}", timeout=20)
    assert start.status_code == HTTPStatus.OK
    login_url = reverse("voting:identity_login", args=[PROVIDER_ID])
    assert f'action="{login_url}"' in start.text
    to_provider = session.post(
        f"{base}{login_url}",
        data={"csrfmiddlewaretoken": _csrf(session, start.text), "process": "connect"},
        allow_redirects=False,
        timeout=20,
    )
    assert to_provider.status_code == HTTPStatus.FOUND
    authorize = to_provider.headers["Location"]
    assert authorize.startswith(f"{base}/dev/idp/authorize?")
    assert "code_challenge=" in authorize and "nonce=" in authorize

    # The provider's page lists the test persons; pick Anna.
    page = session.get(authorize, timeout=20)
    assert page.status_code == HTTPStatus.OK
    assert anna.name in page.text
    form = next(f for f in page.text.split("<form")[1:] if f'value="{anna.key}"' in f)
    to_callback = session.post(
        authorize.split("?")[0],
        data=_hidden_fields(form),
        allow_redirects=False,
        timeout=20,
    )
    assert to_callback.status_code == HTTPStatus.FOUND
    callback = to_callback.headers["Location"]
    assert urlsplit(callback).path == reverse("voting:identity_callback", args=[PROVIDER_ID])

    # The callback calls back into this same server (token, JWKS, userinfo) and must not hang.
    verified = session.get(urljoin(base, callback), allow_redirects=False, timeout=20)
    assert verified.status_code == HTTPStatus.FOUND, verified.text[:2000]
    assert verified.headers["Location"] == reverse("voting:identity_start")
    identity = VerifiedIdentity.objects.get(user=resident)
    assert (identity.provider, identity.subject) == (PROVIDER_ID, anna.subject)
    assert identity.home_area.committee == demo.committee
    assert identity.area.name == "Østerbro"

    # And vote online in the demo's voting round.
    ballot_url = f"{base}{reverse('voting:ballot', args=[demo.pk])}"
    ballot_page = session.get(ballot_url, timeout=20)
    assert ballot_page.status_code == HTTPStatus.OK
    projects = re.findall(r'name="project" value="(\d+)"', ballot_page.text)
    assert projects, ballot_page.text[:3000]
    assert not eligibility_online(user=resident, budget_round=demo).has_voted
    cast = session.post(
        ballot_url,
        data={"csrfmiddlewaretoken": _csrf(session, ballot_page.text), "project": projects[0]},
        allow_redirects=False,
        timeout=20,
    )
    assert cast.status_code == HTTPStatus.FOUND, cast.text[:3000]
    assert urlsplit(cast.headers["Location"]).path == reverse("voting:receipt", args=[demo.pk])
    # Counted as voted; the ballot itself waits in the mixing buffer (BALLOT_MIX_SIZE), unlinked.
    assert eligibility_online(user=resident, budget_round=demo).has_voted


# --- The provider's own checks, in process ----------------------------------------------------

CLIENT = {"client_id": "borgerbudget-dev", "client_secret": "s3cret"}
CALLBACK = "http://testserver/afstemning/identitet/test-mitid/callback/"


@pytest.fixture
def provider_on(settings):
    settings.DEV_IDENTITY_PROVIDER = True
    settings.OIDC_SERVER_URL = "http://testserver/dev/idp"
    settings.OIDC_CLIENT_ID = CLIENT["client_id"]
    settings.OIDC_CLIENT_SECRET = CLIENT["client_secret"]


def _code(client, *, verifier: str = "v" * 43, redirect_uri: str = CALLBACK):
    challenge = devprovider._b64url(hashlib.sha256(verifier.encode()).digest())
    response = client.post(
        "/dev/idp/authorize",
        {
            "client_id": CLIENT["client_id"],
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "openid profile",
            "state": "st",
            "nonce": "n0",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "person": "sofie",
        },
    )
    return response


def _token(client, code: str, verifier: str = "v" * 43):
    return client.post(
        "/dev/idp/token",
        {
            **CLIENT,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
    )


@pytest.mark.django_db
def test_every_endpoint_is_404_while_the_provider_is_off(client, settings):
    settings.DEV_IDENTITY_PROVIDER = False
    for url in ("/dev/idp/.well-known/openid-configuration", "/dev/idp/jwks", "/dev/idp/authorize"):
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert client.post("/dev/idp/token", {}).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.django_db
def test_a_code_is_sent_to_this_site_only(client, provider_on):
    response = _code(client, redirect_uri="https://evil.example/callback/")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Location" not in response


@pytest.mark.django_db
def test_a_code_needs_the_pkce_verifier_and_works_once(client, provider_on):
    response = _code(client)
    assert response.status_code == HTTPStatus.FOUND
    code = parse_qs(urlsplit(response["Location"]).query)["code"][0]

    assert _token(client, code, verifier="w" * 43).json() == {"error": "invalid_grant"}
    tokens = _token(client, code).json()
    claims = jwt.decode(
        tokens["id_token"],
        jwt.algorithms.ECAlgorithm.from_jwk(client.get("/dev/idp/jwks").json()["keys"][0]),
        algorithms=["ES256"],
        audience=CLIENT["client_id"],
        issuer="http://testserver/dev/idp",
    )
    assert (claims["sub"], claims["nonce"]) == ("dev-sofie", "n0")
    assert parse_claims(claims).age_min == 16
    assert _token(client, code).json() == {"error": "invalid_grant"}
