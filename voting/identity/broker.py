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

from committees.models import Committee, District
from committees.permissions import is_signed_in
from committees.postcodes import find_committees
from voting.identity.services import identity_verify
from voting.models import VerifiedIdentity

logger = logging.getLogger(__name__)

PROVIDER = OpenIDConnectProvider.id
CPR_CLAIMS = ("dk:gov:cpr", "cpr")
AGE_CLAIMS = ("age", "dk:gov:age")
# Signature algorithms accepted on an ID token; never "none" or a shared-secret HMAC.
ID_TOKEN_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
_CPR_RE = re.compile(r"^\d{6}-?\d{4}$")
_POSTCODE_RE = re.compile(r"^\d{4}$")


# --- Claims -----------------------------------------------------------------------------------


class ClaimsError(ValueError):
    """The broker's claims do not say who the person is, how old, or where they live."""


@dataclass(frozen=True)
class IdentityClaims:
    """What verification needs from the claims, held in memory for one request only."""

    subject: str
    national_id: str
    birth_date: datetime.date
    postcode: str
    district_name: str

    def __repr__(self) -> str:  # never print a CPR number or a birth date into a log
        return f"IdentityClaims(subject={self.subject!r}, postcode={self.postcode!r})"


def _first(claims: dict, names: tuple[str, ...]) -> Any:
    for name in names:
        value = claims.get(name)
        if value not in (None, ""):
            return value
    return None


def _birth_date_from_age(age: int, today: datetime.date) -> datetime.date:
    """A birth date that gives exactly `age` today (its only use is the age band)."""
    try:
        return today.replace(year=today.year - age)
    except ValueError:  # 29 February
        return today.replace(year=today.year - age, day=28)


def _birth_date(claims: dict, today: datetime.date) -> datetime.date:
    birthdate = claims.get("birthdate")
    if birthdate not in (None, ""):
        try:
            value = datetime.date.fromisoformat(str(birthdate))
        except ValueError:
            raise ClaimsError(
                _("The birth date from the identity provider is not valid.")
            ) from None
        if value > today or value.year < today.year - 130:
            raise ClaimsError(_("The birth date from the identity provider is not valid."))
        return value
    age = _first(claims, AGE_CLAIMS)
    if age is None:
        raise ClaimsError(_("The identity provider did not say how old you are."))
    if isinstance(age, bool) or not str(age).strip().isdigit():
        raise ClaimsError(_("The age from the identity provider is not valid."))
    age = int(str(age).strip())
    if age > 130:
        raise ClaimsError(_("The age from the identity provider is not valid."))
    return _birth_date_from_age(age, today)


def _address(claims: dict) -> dict:
    address = claims.get("address")
    if isinstance(address, str):
        try:
            address = json.loads(address)
        except ValueError:
            return {}
    return address if isinstance(address, dict) else {}


def parse_claims(claims: dict, *, today: datetime.date | None = None) -> IdentityClaims:
    """Read a broker's claims; raise `ClaimsError` with a message for the person if unusable."""
    today = today or timezone.localdate()
    subject = str(claims.get("sub") or "").strip()
    if not subject:
        raise ClaimsError(_("The identity provider did not identify you."))
    cpr = _first(claims, CPR_CLAIMS)
    if cpr is None:
        raise ClaimsError(_("The identity provider did not send your CPR number."))
    if not _CPR_RE.match(str(cpr).strip()):
        raise ClaimsError(_("The CPR number from the identity provider is not valid."))
    postcode = _first(claims, ("postal_code",)) or _address(claims).get("postal_code") or ""
    postcode = str(postcode).strip()
    district_name = str(claims.get("district") or "").strip()
    if postcode and not _POSTCODE_RE.match(postcode):
        raise ClaimsError(_("The postcode from the identity provider is not valid."))
    if not postcode and not district_name:
        raise ClaimsError(_("The identity provider did not say where you live."))
    return IdentityClaims(
        subject=subject,
        national_id=str(cpr).strip(),
        birth_date=_birth_date(claims, today),
        postcode=postcode,
        district_name=district_name,
    )


def area_for(claims: IdentityClaims) -> District | None:
    """The district of the person's postcode, else of a `district` claim; None outside them."""
    if claims.postcode:
        found = find_committees(claims.postcode)
        for slug in found.committee_slugs:
            committee = Committee.objects.select_related("district").filter(slug=slug).first()
            if committee is not None:
                return committee.district
        return None
    return (
        District.objects.filter(name__iexact=claims.district_name).first()
        or District.objects.filter(slug=claims.district_name).first()
    )


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
            parsed = parse_claims(claims)
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
            identity = identity_verify(
                user=request.user,
                provider=provider_id,
                subject=parsed.subject,
                national_id=parsed.national_id,
                birth_date=parsed.birth_date,
                area=area_for(parsed),
            )
        if identity.area is None:
            messages.warning(
                request,
                _(
                    "Your identity is verified, but your address is outside the districts "
                    "that vote here."
                ),
            )
        else:
            messages.success(
                request,
                _("Your identity is verified. You live in %(area)s.") % {"area": identity.area},
            )
        return HttpResponseRedirect(
            sociallogin.get_redirect_url(request) or reverse("voting:identity_start")
        )
