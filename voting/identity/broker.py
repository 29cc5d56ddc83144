"""Online identity verification through an OpenID Connect login (MitID through a broker).

The broker is configured as an app of django-allauth's OpenID Connect provider (see
`SOCIALACCOUNT_PROVIDERS` in the settings). Every OpenID Connect app is treated as an identity
broker, never as a way to log in:

- A person signs up and logs in with their e-mail address first. Verifying their identity
  connects the broker's pseudonymous subject to that account; an anonymous person is sent to the
  login page first, and the OpenID Connect login never logs anyone in or creates an account.
- The login is stricter than allauth's generic OpenID Connect login: PKCE, a nonce that must
  come back in the ID token, and the ID token's signature is always checked against the
  broker's published keys (allauth skips that when the token came from the token endpoint).
- The claims are read once, in memory: the CPR number only to compute the keyed person hash,
  the birth date or age only to compute the age band, the postcode only to find the district.
  `voting.identity.services.identity_verify` stores the subject, the person hash, the district
  and the age band. `SocialAccount.extra_data` keeps the subject only, and no token is stored.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import jwt
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers import registry
from allauth.socialaccount.providers.base.constants import AuthError
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, get_random_string
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from committees.areas import Residence, address_find, committee_area_of, residence_resolve
from committees.models import District
from committees.permissions import is_signed_in
from voting.age import age_on
from voting.identity.services import identity_verify
from voting.models import VerifiedIdentity

logger = logging.getLogger(__name__)

PROVIDER = OpenIDConnectProvider.id
# Signature algorithms accepted on an ID token; never "none" or a shared-secret HMAC.
ID_TOKEN_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
_CPR_RE = re.compile(r"^\d{6}-?\d{4}$")
_POSTCODE_RE = re.compile(r"^\d{4}$")
# "Strandgade 12", "Strandgade 12B, 3. tv": the street and the house number of an address line.
_STREET_RE = re.compile(r"^\s*(?P<street>\D+?)\s+(?P<number>\d+\s?[A-Za-z]?)\b")
# A data-minimal age claim: "18:true" as one value, or a claim per age ("age_over_18": true).
_AGE_VERIFIED_RE = re.compile(r"^\s*(\d{1,3})\s*:\s*(true|false)\s*$", re.IGNORECASE)


# --- Claims -----------------------------------------------------------------------------------


class ClaimsError(ValueError):
    """The broker's claims do not say who the person is, how old, or where they live."""


@dataclass(frozen=True)
class IdentityClaims:
    """What verification needs from the claims, held in memory for one request only.

    The age is a range of whole years today: exact (`age_min == age_max`) from a birth date or
    an age, open-ended from an "over 18" claim. `national_id` is empty when the broker sent no
    CPR number; the person is then known by the broker's subject only.
    """

    subject: str
    national_id: str
    age_min: int
    age_max: int | None
    postcode: str = ""
    district_name: str = ""
    access_address_id: str = ""
    street: str = ""
    house_number: str = ""
    municipality_code: str = ""

    def __repr__(self) -> str:  # never print a CPR number or a birth date into a log
        return f"IdentityClaims(subject={self.subject!r}, postcode={self.postcode!r})"


def claim_profile(name: str) -> dict:
    """The claim names of one broker (`settings.IDENTITY_CLAIM_PROFILES`)."""
    try:
        return settings.IDENTITY_CLAIM_PROFILES[name or "generic"]
    except KeyError:
        raise ClaimsError(_("The identity provider is not configured correctly.")) from None


def _lookup(claims: dict, name: str) -> Any:
    """A claim by name; "a.b" also reads claim "b" inside an object claim "a"."""
    if name in claims:
        return claims[name]
    head, _dot, rest = name.partition(".")
    inner = claims.get(head) if rest else None
    if isinstance(inner, str):
        try:
            inner = json.loads(inner)
        except ValueError:
            return None
    return _lookup(inner, rest) if isinstance(inner, dict) else None


def _first(claims: dict, names) -> Any:
    for name in names:
        value = _lookup(claims, name)
        if value not in (None, ""):
            return value
    return None


def _age_from_birth_date(value, today: datetime.date) -> int:
    try:
        birth_date = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ClaimsError(_("The birth date from the identity provider is not valid.")) from None
    if birth_date > today or birth_date.year < today.year - 130:
        raise ClaimsError(_("The birth date from the identity provider is not valid."))
    return age_on(birth_date, today)


def _age_verified(claims: dict, profile: dict) -> tuple[int, int | None] | None:
    """An "over N" claim as an age range: (N, None) when true, (0, N - 1) when false."""
    found = []
    for name in profile.get("age_verified", ()):
        value = _lookup(claims, name)
        values = value if isinstance(value, list) else [value]
        for item in values:
            match = _AGE_VERIFIED_RE.match(str(item or ""))
            if match:
                found.append((int(match[1]), match[2].lower() == "true"))
    for prefix in profile.get("age_over_prefixes", ()):
        for name, value in claims.items():
            suffix = name[len(prefix) :] if name.startswith(prefix) else ""
            if suffix.isdigit() and str(value).lower() in ("true", "false"):
                found.append((int(suffix), str(value).lower() == "true"))
    if not found:
        return None
    low = max((n for n, over in found if over), default=0)
    high = min((n - 1 for n, over in found if not over), default=None)
    if high is not None and high < low:
        raise ClaimsError(_("The age from the identity provider is not valid."))
    return low, high


def _age(claims: dict, profile: dict, today: datetime.date) -> tuple[int, int | None]:
    birthdate = _first(claims, profile.get("birthdate", ()))
    if birthdate is not None:
        age = _age_from_birth_date(birthdate, today)
        return age, age
    age = _first(claims, profile.get("age", ()))
    if age is not None:
        if isinstance(age, bool) or not str(age).strip().isdigit() or int(str(age)) > 130:
            raise ClaimsError(_("The age from the identity provider is not valid."))
        return int(str(age).strip()), int(str(age).strip())
    verified = _age_verified(claims, profile)
    if verified is None:
        raise ClaimsError(_("The identity provider did not say how old you are."))
    return verified


def _address(claims: dict, profile: dict) -> dict:
    address = _first(claims, profile.get("address", ()))
    if isinstance(address, str):
        try:
            address = json.loads(address)
        except ValueError:
            return {}
    return address if isinstance(address, dict) else {}


def parse_claims(
    claims: dict, *, profile: str = "generic", today: datetime.date | None = None
) -> IdentityClaims:
    """Read a broker's claims; raise `ClaimsError` with a message for the person if unusable.

    `profile` names the broker's claim names in `settings.IDENTITY_CLAIM_PROFILES`.
    """
    names = claim_profile(profile)
    today = today or timezone.localdate()
    subject = str(claims.get("sub") or "").strip()
    if not subject:
        raise ClaimsError(_("The identity provider did not identify you."))
    cpr = _first(claims, names.get("cpr", ()))
    if cpr is not None and not _CPR_RE.match(str(cpr).strip()):
        raise ClaimsError(_("The CPR number from the identity provider is not valid."))
    address = _address(claims, names)
    postcode = str(
        _first(claims, names.get("postcode", ())) or address.get("postal_code") or ""
    ).strip()
    if postcode and not _POSTCODE_RE.match(postcode):
        raise ClaimsError(_("The postcode from the identity provider is not valid."))
    street_line = str(address.get("street_address") or "").strip().splitlines()
    street = _STREET_RE.match(street_line[0]) if street_line else None
    access_address_id = str(
        _first(claims, names.get("access_address_id", ())) or address.get("access_address_id") or ""
    ).strip()
    municipality = str(_first(claims, names.get("municipality", ())) or "").strip()
    district_name = str(claims.get("district") or "").strip()
    if not (postcode or district_name or access_address_id or municipality):
        raise ClaimsError(_("The identity provider did not say where you live."))
    age_min, age_max = _age(claims, names, today)
    return IdentityClaims(
        subject=subject,
        national_id=str(cpr or "").strip(),
        age_min=age_min,
        age_max=age_max,
        postcode=postcode,
        district_name=district_name,
        access_address_id=access_address_id,
        street=street["street"].strip() if street else "",
        house_number=street["number"].replace(" ", "") if street else "",
        municipality_code=municipality,
    )


def residence_for(claims: IdentityClaims) -> Residence:
    """Where the claims say the person lives: their access address when the platform knows it,
    else the committee area of their postcode, or the areas to choose from when shared."""
    if claims.municipality_code and claims.municipality_code.zfill(4) != (
        settings.MUNICIPALITY_CODE.zfill(4)
    ):
        return Residence(area=None)
    address = address_find(
        access_address_id=claims.access_address_id,
        street=claims.street,
        house_number=claims.house_number,
        postcode=claims.postcode,
    )
    if address is not None or claims.postcode:
        return residence_resolve(address=address, postcode=claims.postcode)
    district = (
        District.objects.filter(name__iexact=claims.district_name).first()
        or District.objects.filter(slug=claims.district_name).first()
    )
    return Residence(area=committee_area_of(district))


# --- allauth: the provider and its OAuth2 adapter -------------------------------------------


class IdentityOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    """allauth's OpenID Connect adapter, with the callback in `voting` and a checked ID token."""

    def get_callback_url(self, request: HttpRequest, app) -> str:
        # One redirect URI to register with the broker, whatever language the page is in.
        with translation.override(settings.LANGUAGE_CODE):
            path = reverse("voting:identity_callback", kwargs={"provider_id": self.provider_id})
        return build_absolute_uri(request, path, self.redirect_uri_protocol)

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        id_token = (kwargs.get("response") or {}).get("id_token")
        if not id_token:
            raise OAuth2Error("The token response has no id_token.")
        try:
            algorithm = jwt.get_unverified_header(id_token).get("alg")
        except jwt.PyJWTError as exc:
            raise OAuth2Error("The id_token is not a JWT.") from exc
        if algorithm not in ID_TOKEN_ALGORITHMS:
            raise OAuth2Error(f"The id_token is signed with {algorithm!r}.")
        id_claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        userinfo = {}
        if app.settings.get("fetch_userinfo", True):
            userinfo = self._fetch_user_info(token.token)
            if str(userinfo.get("sub")) != str(id_claims.get("sub")):
                raise OAuth2Error("The userinfo is about another subject than the id_token.")
        login = self.get_provider().sociallogin_from_response(
            request, {"userinfo": userinfo, "id_token": id_claims}
        )
        # Held on the object for this request only; the signed ID token wins over userinfo.
        login.identity_claims = {**userinfo, **id_claims}
        return login


class IdentityProvider(OpenIDConnectProvider):
    """An identity broker: PKCE and a nonce on the way out, nothing but the subject kept."""

    oauth2_adapter_class = IdentityOAuth2Adapter
    pkce_enabled_default = True

    def get_login_url(self, request: HttpRequest, **kwargs) -> str:
        url = reverse("voting:identity_login", kwargs={"provider_id": self.app.provider_id})
        return f"{url}?{urlencode(kwargs)}" if kwargs else url

    def get_callback_url(self) -> str:
        return reverse("voting:identity_callback", kwargs={"provider_id": self.app.provider_id})

    def get_default_scope(self) -> list[str]:
        return ["openid", "profile"]

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        nonce = get_random_string(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params["nonce"] = nonce
        # `identity_nonce` is kept in allauth's state for this login and compared on return.
        return super().redirect(
            request,
            process,
            next_url,
            data,
            auth_params=auth_params,
            identity_nonce=nonce,
            **kwargs,
        )

    def extract_extra_data(self, data) -> dict:
        return {"sub": self.extract_uid(data)}

    def extract_common_fields(self, data) -> dict:
        return {}

    def extract_email_addresses(self, data) -> list:
        return []


def identity_providers(request: HttpRequest) -> list[IdentityProvider]:
    adapter = IdentityAdapter()
    return [
        IdentityProvider(request, app=app) for app in adapter.list_apps(request, provider=PROVIDER)
    ]


# --- allauth: the social account adapter ----------------------------------------------------


def _error_page(request: HttpRequest, reason: str, status: HTTPStatus) -> ImmediateHttpResponse:
    response = render(request, "voting/identity/error.html", {"reason": reason}, status=status)
    return ImmediateHttpResponse(response)


class IdentityAdapter(DefaultSocialAccountAdapter):
    """Turns an OpenID Connect login into a verified identity of the logged-in person."""

    def get_provider(self, request: HttpRequest, provider, client_id=None):
        """Every OpenID Connect app is an identity broker, served by `IdentityProvider`.

        allauth's `openid_connect` provider app is deliberately not in INSTALLED_APPS, so that
        allauth adds no login and callback URLs of its own for it; only `voting.identity.urls`
        serves the broker.
        """
        if registry.get_class(provider) is None:
            app = self.get_app(request, provider=provider, client_id=client_id)
            if app.provider == PROVIDER:
                return IdentityProvider(request, app=app)
        found = super().get_provider(request, provider, client_id=client_id)
        if found.id == PROVIDER and not isinstance(found, IdentityProvider):
            return IdentityProvider(request, app=found.app)
        return found

    def list_providers(self, request: HttpRequest):
        """Identity brokers are not a way to log in: keep them off the login page."""
        return [p for p in super().list_providers(request) if p.id != PROVIDER]

    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        return sociallogin.account.provider != PROVIDER and super().is_open_for_signup(
            request, sociallogin
        )

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        if getattr(provider, "id", None) != PROVIDER:
            return super().on_authentication_error(
                request, provider, error, exception, extra_context
            )
        if error == AuthError.CANCELLED:
            messages.info(request, _("You cancelled the identity verification."))
            raise ImmediateHttpResponse(HttpResponseRedirect(reverse("voting:identity_start")))
        logger.warning(
            "Identity verification failed at %s: %s %r",
            getattr(provider, "sub_id", PROVIDER),
            error,
            exception,
        )
        raise _error_page(
            request,
            _("The identity provider could not confirm who you are. Please try again."),
            HTTPStatus.FORBIDDEN,
        )

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        if sociallogin.provider.id != PROVIDER:
            return super().pre_social_login(request, sociallogin)
        raise ImmediateHttpResponse(self._verify(request, sociallogin))

    def _verify(self, request: HttpRequest, sociallogin):
        """Check the login, then connect it and store what eligibility needs; always respond."""
        claims = getattr(sociallogin, "identity_claims", None)
        nonce = sociallogin.state.get("identity_nonce")
        if (
            claims is None
            or not nonce
            or not constant_time_compare(str(claims.get("nonce", "")), nonce)
        ):
            logger.warning("Identity verification refused: no verified ID token or wrong nonce.")
            raise _error_page(
                request,
                _("The identity provider could not confirm who you are. Please try again."),
                HTTPStatus.FORBIDDEN,
            )
        if not is_signed_in(request.user):
            messages.info(request, _("Log in or sign up first, then verify your identity."))
            return redirect_to_login(reverse("voting:identity_start"), reverse("account_login"))
        try:
            parsed = parse_claims(
                claims, profile=sociallogin.provider.app.settings.get("claims_profile", "generic")
            )
        except ClaimsError as exc:
            raise _error_page(request, str(exc), HTTPStatus.BAD_REQUEST) from None
        provider_id = sociallogin.account.provider
        if (sociallogin.is_existing and sociallogin.user != request.user) or (
            VerifiedIdentity.objects.filter(provider=provider_id, subject=parsed.subject)
            .exclude(user=request.user)
            .exists()
        ):
            raise _error_page(
                request,
                _("This identity is already connected to another account on Borgerbudget."),
                HTTPStatus.CONFLICT,
            )
        current = VerifiedIdentity.objects.filter(user=request.user).first()
        if current is not None and (current.provider, current.subject) != (
            provider_id,
            parsed.subject,
        ):
            raise _error_page(
                request,
                _("Your account is already verified as another person."),
                HTTPStatus.CONFLICT,
            )
        with transaction.atomic():
            if not sociallogin.is_existing:
                sociallogin.connect(request, request.user)
            residence = residence_for(parsed)
            identity = identity_verify(
                user=request.user,
                provider=provider_id,
                subject=parsed.subject,
                national_id=parsed.national_id,
                age_min=parsed.age_min,
                age_max=parsed.age_max,
                area=residence.area,
                address=residence.address,
                area_choices=residence.choices,
            )
        if residence.choices and identity.home_area is None:
            messages.info(
                request,
                _("Your identity is verified. Several areas share your postcode: choose yours."),
            )
        elif identity.home_area is None:
            messages.warning(
                request,
                _(
                    "Your identity is verified, but your address is outside the areas "
                    "that vote here."
                ),
            )
        else:
            messages.success(
                request,
                _("Your identity is verified. You live in the area of %(area)s.")
                % {"area": identity.home_area},
            )
        return HttpResponseRedirect(
            sociallogin.get_redirect_url(request) or reverse("voting:identity_start")
        )
