"""The local test identity provider's endpoints at /dev/idp/ (`voting.identity.devprovider`).

Always routed, so that tests can turn the provider on and off; every view answers 404 unless
`DEV_IDENTITY_PROVIDER` is on.
"""

from django.urls import path

from voting.identity import devprovider

app_name = "dev_idp"
urlpatterns = [
    path(".well-known/openid-configuration", devprovider.discovery, name="discovery"),
    path("authorize", devprovider.authorize, name="authorize"),
    path("token", devprovider.token, name="token"),
    path("jwks", devprovider.jwks, name="jwks"),
    path("userinfo", devprovider.userinfo, name="userinfo"),
]
