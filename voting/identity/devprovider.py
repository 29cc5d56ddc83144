"""A local test identity provider for development: `make run` verifies identities without MitID.

Development settings only (`DEV_IDENTITY_PROVIDER`): the production settings refuse to start
with it and `manage.py check --deploy` flags it (`voting.identity.checks`). Every view answers
404 while the setting is off.

It is a small OpenID Connect provider at /dev/idp/, configured as the app's identity broker
(site/settings/dev.py), so that online verification runs through the very same code as with a
real broker: PKCE, the nonce and the ID token's signature are all checked. Instead of MitID the
developer picks one of a few made-up test persons (`TEST_PERSONS`) of different ages and areas.

`make run` is one Daphne process, and the app's callback view calls back into that same server
for the token, the keys and the userinfo. Those endpoints (and discovery) are async views, so
that they run on the server's event loop and never wait for a worker thread that the blocked
callback might be holding. They keep no state: the authorization code and the access token are
signed with the SECRET_KEY (and the code can be used once, in this process), and the signing key
is derived from the SECRET_KEY, so a restart changes nothing.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from urllib.parse import urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from voting.age import age_on

PATH = "/dev/idp"
CODE_MAX_AGE = 120  # seconds from the person's choice to the token request
ACCESS_TOKEN_MAX_AGE = 300
_CODE_SALT = "voting.identity.devprovider.code"
_TOKEN_SALT = "voting.identity.devprovider.access-token"
# The order of the P-256 curve: a private key is a number from 1 to N - 1.
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@dataclass(frozen=True)
class TestPerson:
    """A made-up resident. The birth date is 1 January, `age` years back: exactly `age` all
    year. The CPR number starts with that birth date and ends in 99xx, marked as test data."""

    key: str
    name: str
    age: int
    area: str
    street_address: str
    postcode: str
    serial: str

    def birth_date(self, today: datetime.date | None = None) -> datetime.date:
        today = today or timezone.localdate()
        return datetime.date(today.year - self.age, 1, 1)

    def cpr(self, today: datetime.date | None = None) -> str:
        return self.birth_date(today).strftime("%d%m%y") + self.serial

    @property
    def subject(self) -> str:
        return f"dev-{self.key}"

    def claims(self, today: datetime.date | None = None) -> dict:
        """What a broker sends with the generic claims profile."""
        return {
            "sub": self.subject,
            "name": self.name,
            "dk:gov:cpr": self.cpr(today),
            "birthdate": self.birth_date(today).isoformat(),
            "address": {"street_address": self.street_address, "postal_code": self.postcode},
        }


TEST_PERSONS = (
    TestPerson("anna", "Anna Østerbro (test)", 34, "Østerbro", "Østerbrogade 10", "2100", "9901"),
    TestPerson("sofie", "Sofie Østerbro (test)", 16, "Østerbro", "Jagtvej 150", "2100", "9902"),
    TestPerson("emil", "Emil Østerbro (test)", 12, "Østerbro", "Ryesgade 20", "2100", "9903"),
    TestPerson("karen", "Karen Havn (test)", 45, "Christianshavn", "Strandgade 10", "1401", "9904"),
    TestPerson("lars", "Lars Indre By (test)", 67, "Indre By", "Kongens Nytorv 1", "1050", "9905"),
)  # fmt: skip
PERSONS = {person.key: person for person in TEST_PERSONS}


def enabled() -> bool:
    return bool(getattr(settings, "DEV_IDENTITY_PROVIDER", False))


def issuer() -> str:
    """The provider's issuer: the app's configured broker URL (site/settings/dev.py)."""
    return settings.OIDC_SERVER_URL.rstrip("/")


def _client() -> tuple[str, str]:
    return settings.OIDC_CLIENT_ID, getattr(settings, "OIDC_CLIENT_SECRET", "")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@cache
def _signing_key(secret_key: str) -> ec.EllipticCurvePrivateKey:
    seed = hmac.new(secret_key.encode(), b"dev identity provider key", hashlib.sha256).digest()
    return ec.derive_private_key(
        int.from_bytes(seed, "big") % (_P256_ORDER - 1) + 1, ec.SECP256R1()
    )


def _key() -> tuple[ec.EllipticCurvePrivateKey, str]:
    key = _signing_key(settings.SECRET_KEY)
    kid = hashlib.sha256(key.public_key().public_numbers().x.to_bytes(32, "big")).hexdigest()[:16]
    return key, kid


# Codes already exchanged, with their expiry: each can be used once (in this process).
_used_codes: dict[str, float] = {}
_used_lock = threading.Lock()


def _use_code_once(code_id: str) -> bool:
    now = time.monotonic()
    with _used_lock:
        for stale in [c for c, expiry in _used_codes.items() if expiry < now]:
            del _used_codes[stale]
        if code_id in _used_codes:
            return False
        _used_codes[code_id] = now + CODE_MAX_AGE + 5
        return True


def _require_enabled() -> None:
    if not enabled():
        raise Http404


def _redirect_back(redirect_uri: str, **params) -> HttpResponseRedirect:
    params = {k: v for k, v in params.items() if v}
    separator = "&" if "?" in redirect_uri else "?"
    return HttpResponseRedirect(f"{redirect_uri}{separator}{urlencode(params)}")


def _redirect_uri_allowed(request: HttpRequest, redirect_uri: str) -> bool:
    """Only back to this site: the provider must never send a code to someone else's site."""
    target = urlsplit(redirect_uri)
    here = urlsplit(request.build_absolute_uri("/"))
    site = urlsplit(issuer())
    return target.scheme in ("http", "https") and (
        (target.scheme, target.netloc) in {(here.scheme, here.netloc), (site.scheme, site.netloc)}
    )


# --- The page where the developer picks a test person -------------------------------------

AUTHORIZE_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)
AREA_LABEL = gettext_lazy("Lives in %(area)s, %(postcode)s")


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    _require_enabled()
    data = request.GET if request.method == "GET" else request.POST
    params = {name: data.get(name, "") for name in AUTHORIZE_PARAMS}
    client_id, _secret = _client()
    if params["client_id"] != client_id:
        return _refusal(request, _("Unknown client."))
    redirect_uri = params["redirect_uri"]
    if not redirect_uri or not _redirect_uri_allowed(request, redirect_uri):
        return _refusal(request, _("The return address is not on this site."))
    if params["response_type"] != "code" or "openid" not in params["scope"].split():
        return _redirect_back(redirect_uri, error="invalid_request", state=params["state"])
    if params["code_challenge"] and params["code_challenge_method"] != "S256":
        return _redirect_back(redirect_uri, error="invalid_request", state=params["state"])
    if request.method == "POST":
        if data.get("action") == "cancel":
            return _redirect_back(redirect_uri, error="access_denied", state=params["state"])
        person = PERSONS.get(data.get("person", ""))
        if person is not None:
            code = signing.dumps(
                {
                    "id": secrets.token_hex(12),
                    "person": person.key,
                    "client_id": client_id,
                    "redirect_uri": redirect_uri,
                    "nonce": params["nonce"],
                    "code_challenge": params["code_challenge"],
                },
                salt=_CODE_SALT,
                compress=True,
            )
            return _redirect_back(redirect_uri, code=code, state=params["state"])
    today = timezone.localdate()
    persons = [
        {
            "key": person.key,
            "name": person.name,
            "age": age_on(person.birth_date(today), today),
            "where": AREA_LABEL % {"area": person.area, "postcode": person.postcode},
            "address": person.street_address,
            "cpr": person.cpr(today),
        }
        for person in TEST_PERSONS
    ]
    status = HTTPStatus.BAD_REQUEST if request.method == "POST" else HTTPStatus.OK
    return render(
        request,
        "voting/identity/devprovider.html",
        {
            "persons": persons,
            "params": params,
            "error": _("Choose a test person.") if request.method == "POST" else "",
        },
        status=status,
    )


def _refusal(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "voting/identity/error.html",
        {"reason": reason},
        status=HTTPStatus.BAD_REQUEST,
    )


# --- Server-to-server endpoints: async, never waiting for a worker thread ------------------


def _json(data: dict, status: int = HTTPStatus.OK) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
async def discovery(request: HttpRequest) -> HttpResponse:
    _require_enabled()
    base = issuer()
    return _json(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "name", "birthdate", "dk:gov:cpr", "address"],
        }
    )


@require_GET
async def jwks(request: HttpRequest) -> HttpResponse:
    _require_enabled()
    key, kid = _key()
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return _json({"keys": [{**jwk, "kid": kid, "alg": "ES256", "use": "sig"}]})


def _client_of(request: HttpRequest) -> tuple[str, str]:
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Basic "):
        try:
            decoded = base64.b64decode(authorization[6:]).decode()
        except ValueError:
            return "", ""
        client_id, _colon, secret = decoded.partition(":")
        return client_id, secret
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@csrf_exempt
@require_POST
async def token(request: HttpRequest) -> HttpResponse:
    _require_enabled()
    client_id, secret = _client()
    given_id, given_secret = _client_of(request)
    if not (
        hmac.compare_digest(given_id.encode(), client_id.encode())
        and hmac.compare_digest(given_secret.encode(), secret.encode())
    ):
        return _json({"error": "invalid_client"}, HTTPStatus.UNAUTHORIZED)
    if request.POST.get("grant_type") != "authorization_code":
        return _json({"error": "unsupported_grant_type"}, HTTPStatus.BAD_REQUEST)
    try:
        grant = signing.loads(request.POST.get("code", ""), salt=_CODE_SALT, max_age=CODE_MAX_AGE)
    except signing.BadSignature:
        return _json({"error": "invalid_grant"}, HTTPStatus.BAD_REQUEST)
    person = PERSONS.get(grant.get("person", ""))
    if (
        person is None
        or grant.get("client_id") != client_id
        or grant.get("redirect_uri") != request.POST.get("redirect_uri")
    ):
        return _json({"error": "invalid_grant"}, HTTPStatus.BAD_REQUEST)
    if grant.get("code_challenge"):
        verifier = request.POST.get("code_verifier", "")
        challenge = _b64url(hashlib.sha256(verifier.encode()).digest())
        if not hmac.compare_digest(challenge, grant["code_challenge"]):
            return _json({"error": "invalid_grant"}, HTTPStatus.BAD_REQUEST)
    if not _use_code_once(grant["id"]):
        return _json({"error": "invalid_grant"}, HTTPStatus.BAD_REQUEST)
    now = int(time.time())
    payload = {
        "iss": issuer(),
        "sub": person.subject,
        "aud": client_id,
        "iat": now,
        "exp": now + 300,
        "auth_time": now,
        "jti": secrets.token_hex(8),
        **person.claims(),
    }
    if grant.get("nonce"):
        payload["nonce"] = grant["nonce"]
    key, kid = _key()
    id_token = jwt.encode(payload, key, algorithm="ES256", headers={"kid": kid})
    access_token = signing.dumps({"person": person.key}, salt=_TOKEN_SALT)
    return _json(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_MAX_AGE,
            "id_token": id_token,
        }
    )


@require_GET
async def userinfo(request: HttpRequest) -> HttpResponse:
    _require_enabled()
    authorization = request.headers.get("Authorization", "")
    bearer = authorization[7:] if authorization.startswith("Bearer ") else ""
    try:
        data = signing.loads(bearer, salt=_TOKEN_SALT, max_age=ACCESS_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return _json({"error": "invalid_token"}, HTTPStatus.UNAUTHORIZED)
    person = PERSONS.get(data.get("person", ""))
    if person is None:
        return _json({"error": "invalid_token"}, HTTPStatus.UNAUTHORIZED)
    return _json(person.claims())


def persons_summary(today: datetime.date | None = None) -> list[str]:
    """One line per test person, for the demo's printed logins."""
    today = today or timezone.localdate()
    return [
        f"{person.name:<30} age {age_on(person.birth_date(today), today):>2}  "
        f"{person.area:<15} {person.street_address}, {person.postcode}  CPR {person.cpr(today)}"
        for person in TEST_PERSONS
    ]
