"""Verify your identity: the start page, and the OpenID Connect login and callback behind it.

The login and callback are allauth's OAuth2 views run with `voting.identity.broker`'s adapter,
so that every login carries PKCE and a nonce and every ID token's signature is checked.
"""

from allauth.account.utils import get_next_redirect_url
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from committees.permissions import is_signed_in
from voting.identity.broker import IdentityAdapter, IdentityOAuth2Adapter, identity_providers
from voting.models import VerifiedIdentity


def _login_first(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Log in or sign up first, then verify your identity."))
    return redirect_to_login(request.get_full_path(), reverse("account_login"))


def _adapter(request: HttpRequest, provider_id: str) -> IdentityOAuth2Adapter:
    try:
        IdentityAdapter().get_app(request, provider=provider_id)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    return IdentityOAuth2Adapter(request, provider_id)


@require_GET
def identity_start(request: HttpRequest) -> HttpResponse:
    if not is_signed_in(request.user):
        return _login_first(request)
    identity = VerifiedIdentity.objects.filter(user=request.user).select_related("area").first()
    context = {
        "identity": identity,
        "providers": [
            {"name": provider.name, "login_url": provider.get_login_url(request)}
            for provider in identity_providers(request)
        ],
        "next": get_next_redirect_url(request) or "",
    }
    return render(request, "voting/identity/start.html", context)


@require_POST
def identity_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    if not is_signed_in(request.user):
        return redirect("voting:identity_start")
    return OAuth2LoginView.adapter_view(_adapter(request, provider_id))(request)


@require_GET
def identity_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    return OAuth2CallbackView.adapter_view(_adapter(request, provider_id))(request)
