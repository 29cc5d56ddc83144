"""Verify your identity: the start page, and the OpenID Connect login and callback behind it.

The login and callback are allauth's OAuth2 views run with `voting.identity.broker`'s adapter,
so that every login carries PKCE and a nonce and every ID token's signature is checked.
"""

from allauth.account.utils import get_next_redirect_url
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from committees.models import BudgetRound
from committees.permissions import is_signed_in
from frontend.forms import add_service_errors
from voting.identity.broker import IdentityAdapter, IdentityOAuth2Adapter, identity_providers
from voting.identity.forms import AreaChoiceForm
from voting.identity.services import identity_area_choose
from voting.models import VerifiedIdentity
from voting.selectors import round_config, rounds_other_ways
from voting.services import eligibility_online, online_needs_person_number


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
    identity = (
        VerifiedIdentity.objects.filter(user=request.user)
        .select_related("home_area", "address")
        .first()
    )
    next_url = get_next_redirect_url(request) or ""
    providers = [
        {"name": provider.name, "login_url": provider.get_login_url(request)}
        for provider in identity_providers(request)
    ]
    # Never a dead end: without online verification, with an identity that cannot vote online
    # beside letter codes and stations (no CPR number), or when the round asked about sends
    # this person to them (`Eligibility.other_ways`), the other ways to vote.
    round_id = _round_of(next_url)
    no_person_number = identity is not None and not identity.has_person_number
    other_ways = []
    if no_person_number or not providers:
        other_ways = [
            way
            for way in rounds_other_ways(round_id=round_id)
            if not providers
            or online_needs_person_number(round_config(budget_round=way.budget_round))
        ]
    elif identity is not None and round_id is not None:
        budget_round = BudgetRound.objects.filter(pk=round_id).first()
        if (
            budget_round is not None
            and eligibility_online(user=request.user, budget_round=budget_round).other_ways
        ):
            other_ways = rounds_other_ways(round_id=round_id)
    context = {
        "identity": identity,
        "providers": providers,
        "next": next_url,
        "other_ways": other_ways,
        "no_person_number_ways": no_person_number and bool(other_ways),
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


@never_cache
@require_http_methods(["GET", "POST"])
def identity_area(request: HttpRequest) -> HttpResponse:
    """Choose the area you live in, when your postcode lies in several: then back to the ballot."""
    if not is_signed_in(request.user):
        return _login_first(request)
    next_url = get_next_redirect_url(request) or ""
    identity = VerifiedIdentity.objects.filter(user=request.user).first()
    if identity is None:
        messages.info(request, _("Verify your identity first."))
        return redirect(reverse("voting:identity_start") + _next_query(next_url))
    choices = identity.area_choices.select_related("committee").order_by("name")
    if identity.home_area_id is not None or not choices.exists():
        messages.info(request, _("Your area is already known."))
        return redirect(next_url or "voting:identity_start")
    form = AreaChoiceForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            identity_area_choose(user=request.user, area=form.cleaned_data["area"])
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("You live in %(area)s.") % {"area": form.cleaned_data["area"].name},
            )
            return redirect(next_url or "voting:identity_start")
    return render(
        request,
        "voting/identity/area.html",
        {"form": form, "next": next_url},
        status=400 if form.errors else 200,
    )


def _round_of(next_url: str) -> int | None:
    """The round a `next` URL of a ballot names, so the page offers that round's other ways."""
    try:
        match = resolve(next_url.split("?", 1)[0]) if next_url else None
    except Resolver404:
        return None
    if match and match.view_name in ("voting:ballot", "voting:ballot_code"):
        return match.kwargs.get("round_id")
    return None


def _next_query(next_url: str) -> str:
    return f"?{urlencode({'next': next_url})}" if next_url else ""
