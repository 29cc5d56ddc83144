"""Verify your identity with an OpenID Connect broker (MitID). Included by `voting.urls`.

The callback URL is the redirect URI to register with the broker: `/afstemning/identitet/<provider
id>/callback/` when these patterns are included at the root of `voting.urls`.
"""

from django.urls import path

from voting.identity import views as identity_views

urlpatterns = [
    path("identitet/", identity_views.identity_start, name="identity_start"),
    path("identitet/omraade/", identity_views.identity_area, name="identity_area"),
    path(
        "identitet/<str:provider_id>/login/",
        identity_views.identity_login,
        name="identity_login",
    ),
    path(
        "identitet/<str:provider_id>/callback/",
        identity_views.identity_callback,
        name="identity_callback",
    ),
]
