"""Online eligibility through an OpenID Connect login, against a real provider started here.

Each test drives the whole flow by hand: the app's login URL redirects to the provider's
authorization endpoint, which is fetched over HTTP without following redirects; the provider's
redirect back is followed into the app's callback, which talks to the provider's token, JWKS and
userinfo endpoints over HTTP.
"""

import datetime
import urllib.error
import urllib.request
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.urls import NoReverseMatch, include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.services import committee_create
from tests import factories
from tests.voting.identity.oidc_provider import OIDCProvider
from voting.identity.broker import ClaimsError, parse_claims
from voting.models import VerifiedIdentity
from voting.services import eligibility_online

PROVIDER_ID = "mitid"
CPR = "0101901234"
CPR_DASHED = "010190-1234"
ADULT_BIRTHDATE = "1990-01-01"


def _urlpatterns():
    """The project's URLs with `voting.identity.urls` in the `voting` namespace.

    Used only while `voting.urls` does not include the identity URLs itself.
    """
    from pbsite import urls as site_urls
    from voting import urls as voting_urls
    from voting.identity import urls as urls_identity

    voting = ([*voting_urls.urlpatterns, *urls_identity.urlpatterns], "voting")
    return [path("afstemning/", include(voting)), *site_urls.urlpatterns]


def __getattr__(name):  # the module is a URLconf when it has to be, built lazily
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


@pytest.fixture(autouse=True)
def identity_urls(settings):
    try:
        reverse("voting:identity_start")
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__


@pytest.fixture
def oidc():
    provider = OIDCProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def broker(settings, oidc):
    """The provider configured as the app's MitID broker, as the environment would."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": "MitID",
                    "client_id": oidc.client_id,
                    "secret": oidc.client_secret,
                    "settings": {
                        "server_url": oidc.issuer,
                        "scope": ["openid", "profile"],
                        "oauth_pkce_enabled": True,
                    },
                }
            ],
        }
    }
    return oidc


@pytest.fixture
def oesterbro(db):
    committee = committee_create(
        name="Østerbro Lokaludvalg",
        slug="oesterbro-lokaludvalg",
        district=factories.district("Østerbro"),
    )
    return factories.budget_round(committee=committee, phase="voting")


@pytest.fixture
def voter(db, client):
    person = factories.user()
    client.force_login(person)
    return person


def _birthdate(age: int) -> str:
    today = timezone.localdate()
    return today.replace(year=today.year - age, day=min(today.day, 28)).isoformat()


def _claims(**overrides) -> dict:
    claims = {
        "dk:gov:cpr": CPR,
        "birthdate": ADULT_BIRTHDATE,
        "address": {"street_address": "Østerbrogade 1", "postal_code": "2100"},
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _fetch_without_redirect(url: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")


def _verify(client, oidc, *, next_url: str | None = None):
    """Log in at the provider from the start page's button; return the callback's response."""
    data = {"process": "connect", **({"next": next_url} if next_url else {})}
    response = client.post(reverse("voting:identity_login", args=[PROVIDER_ID]), data)
    assert response.status_code == HTTPStatus.FOUND
    authorize_url = response["Location"]
    assert authorize_url.startswith(f"{oidc.issuer}/authorize?")

    status, location = _fetch_without_redirect(authorize_url)
    assert status == HTTPStatus.FOUND
    callback = urlsplit(location)
    assert callback.netloc == "testserver"
    assert callback.path == reverse("voting:identity_callback", args=[PROVIDER_ID])
    return client.get(f"{callback.path}?{callback.query}")


def _text_in_database() -> str:
    """Every text value of every table, session data decoded, as one string to search."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                col.name for col in connection.introspection.get_table_description(cursor, table)
            ]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                values.extend(str(v) for v in row if isinstance(v, str | bytes | memoryview))
            if table == "django_session":
                cursor.execute("SELECT session_data FROM django_session")
                values.extend(str(SessionStore().decode(r[0])) for r in cursor.fetchall())
    return "\n".join(values)


def _assert_no_personal_data() -> None:
    text = _text_in_database()
    for secret in (CPR, CPR_DASHED, ADULT_BIRTHDATE, "Østerbrogade", "\\u00d8sterbrogade"):
        assert secret not in text, f"{secret!r} is stored in the database"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The flow ---------------------------------------------------------------------------------


def test_adult_in_oesterbro_is_verified_and_can_vote(client, broker, oesterbro, voter):
    broker.claims = _claims()

    response = _verify(client, broker)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("voting:identity_start")
    identity = VerifiedIdentity.objects.get(user=voter)
    assert identity.provider == PROVIDER_ID
    assert identity.subject == broker.subject
    assert identity.area == oesterbro.committee.district
    assert identity.area.name == "Østerbro"
    assert identity.age_band == "35-49"
    assert len(identity.person_key) == 64 and CPR not in identity.person_key
    eligibility = eligibility_online(user=voter, budget_round=oesterbro)
    assert eligibility.can_vote, eligibility.reason
    # Connected to the account the person was logged in with; no new account, no token.
    account = SocialAccount.objects.get(user=voter)
    assert (account.provider, account.uid) == (PROVIDER_ID, broker.subject)
    assert account.extra_data == {"sub": broker.subject}
    assert not account.socialtoken_set.exists()
    assert list(type(voter).objects.all()) == [voter]


def test_the_login_uses_pkce_and_a_nonce(client, broker, oesterbro, voter):
    broker.claims = _claims()

    _verify(client, broker)

    authorize = broker.authorize_requests[-1]
    assert authorize["code_challenge_method"] == "S256"
    assert len(authorize["nonce"]) >= 32
    assert broker.token_requests[-1]["code_verifier"]
    assert broker.token_requests[-1]["redirect_uri"] == authorize["redirect_uri"]


def test_next_url_is_kept_through_the_login(client, broker, oesterbro, voter):
    broker.claims = _claims()
    ballot = f"/afstemning/runde/{oesterbro.pk}/"

    response = _verify(client, broker, next_url=ballot)

    assert response["Location"] == ballot


def test_no_cpr_or_birth_date_is_stored_anywhere(client, broker, oesterbro, voter):
    broker.claims = _claims(**{"dk:gov:cpr": None}, cpr=CPR_DASHED)

    response = _verify(client, broker)

    assert response.status_code == HTTPStatus.FOUND
    assert VerifiedIdentity.objects.filter(user=voter).exists()
    _assert_no_personal_data()


def test_age_claim_instead_of_birth_date(client, broker, oesterbro, voter):
    broker.claims = _claims(birthdate=None, **{"dk:gov:age": "70"})

    _verify(client, broker)

    assert VerifiedIdentity.objects.get(user=voter).age_band == "65+"


def test_thirteen_year_old_is_too_young(client, broker, oesterbro, voter):
    broker.claims = _claims(birthdate=_birthdate(13))

    _verify(client, broker)

    identity = VerifiedIdentity.objects.get(user=voter)
    assert identity.age_band == "0-14"
    eligibility = eligibility_online(user=voter, budget_round=oesterbro)
    assert not eligibility.can_vote
    assert "15" in eligibility.reason


def test_frederiksberg_is_outside_the_area(client, broker, oesterbro, voter):
    broker.claims = _claims(address=None, postal_code="2000")

    response = _verify(client, broker)

    identity = VerifiedIdentity.objects.get(user=voter)
    assert identity.area is None
    assert _messages(response)
    eligibility = eligibility_online(user=voter, budget_round=oesterbro)
    assert not eligibility.can_vote
    assert eligibility.reason == _("Only residents of %(areas)s can vote in this round.") % {
        "areas": "Østerbro Lokaludvalg"
    }


def test_district_claim(client, broker, oesterbro, voter):
    broker.claims = _claims(address=None, district="Østerbro")

    _verify(client, broker)

    assert VerifiedIdentity.objects.get(user=voter).area == oesterbro.committee.district


# --- Refusals: nothing is stored ----------------------------------------------------------------


def _assert_nothing_stored() -> None:
    assert not VerifiedIdentity.objects.exists()
    assert not SocialAccount.objects.exists()


def test_tampered_id_token_is_refused(client, broker, oesterbro, voter):
    broker.claims = _claims(birthdate=_birthdate(13))
    broker.tamper_id_token = True

    response = _verify(client, broker)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "voting/identity/error.html" in [t.name for t in response.templates]
    _assert_nothing_stored()


def test_wrong_nonce_is_refused(client, broker, oesterbro, voter):
    broker.claims = _claims()
    broker.nonce_override = "a-nonce-from-another-login"

    response = _verify(client, broker)

    assert response.status_code == HTTPStatus.FORBIDDEN
    _assert_nothing_stored()


def test_missing_nonce_is_refused(client, broker, oesterbro, voter):
    broker.claims = _claims()
    broker.nonce_override = ""

    response = _verify(client, broker)

    assert response.status_code == HTTPStatus.FORBIDDEN
    _assert_nothing_stored()


@pytest.mark.parametrize(
    "claims",
    [
        _claims(birthdate=None),
        _claims(birthdate="01-01-1990"),
        _claims(address=None),
        _claims(**{"dk:gov:cpr": "12345"}),
    ],
    ids=["no-age", "bad-birthdate", "no-address", "bad-cpr"],
)
def test_missing_or_invalid_claims_are_refused(client, broker, oesterbro, voter, claims):
    broker.claims = claims

    response = _verify(client, broker)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["reason"]
    _assert_nothing_stored()


def test_anonymous_person_is_sent_to_log_in_first(client, broker, oesterbro):
    response = client.get(reverse("voting:identity_start"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))
    assert _messages(response)
    response = client.post(reverse("voting:identity_login", args=[PROVIDER_ID]))
    assert response["Location"] == reverse("voting:identity_start")
    assert not broker.authorize_requests


def test_identity_connected_to_another_account_is_refused(client, broker, oesterbro, voter):
    broker.claims = _claims()
    _verify(client, broker)
    other = factories.user()
    client.force_login(other)

    response = _verify(client, broker)

    assert response.status_code == HTTPStatus.CONFLICT
    assert not VerifiedIdentity.objects.filter(user=other).exists()
    assert SocialAccount.objects.get().user == voter


def test_verifying_again_updates_the_area(client, broker, oesterbro, voter):
    broker.claims = _claims(address=None, postal_code="2000")
    _verify(client, broker)
    broker.claims = _claims()

    _verify(client, broker)

    assert VerifiedIdentity.objects.get(user=voter).area == oesterbro.committee.district
    assert SocialAccount.objects.count() == 1


def test_start_page_shows_the_broker(client, broker, voter):
    response = client.get(reverse("voting:identity_start"))

    assert response.status_code == HTTPStatus.OK
    assert reverse("voting:identity_login", args=[PROVIDER_ID]) in response.content.decode()


def test_broker_is_not_a_login_method(db, client, broker):
    response = client.get(reverse("account_login"))

    assert reverse("voting:identity_login", args=[PROVIDER_ID]) not in response.content.decode()
    assert f"/{PROVIDER_ID}/login/" not in response.content.decode()


def test_unknown_provider_is_not_found(client, broker, voter):
    response = client.post(reverse("voting:identity_login", args=["nemid"]))

    assert response.status_code == HTTPStatus.NOT_FOUND


# --- Claims, without the flow ------------------------------------------------------------------


def test_parse_claims_reads_broker_claim_names():
    today = datetime.date(2025, 6, 1)
    parsed = parse_claims(
        {"sub": "abc", "cpr": CPR_DASHED, "age": 17, "postal_code": "2100"}, today=today
    )
    assert parsed.national_id == CPR_DASHED
    assert (parsed.age_min, parsed.age_max) == (17, 17)
    assert parsed.postcode == "2100"
    assert CPR not in repr(parsed) and CPR_DASHED not in repr(parsed)


@pytest.mark.parametrize("age", [-1, "x", True, 200])
def test_parse_claims_rejects_bad_ages(age):
    with pytest.raises(ClaimsError):
        parse_claims({"sub": "abc", "cpr": CPR, "age": age, "postal_code": "2100"})


def test_parse_claims_rejects_a_future_birth_date():
    with pytest.raises(ClaimsError):
        parse_claims({"sub": "abc", "cpr": CPR, "birthdate": "2999-01-01", "postal_code": "2100"})
