"""Local development: `make run`. SQLite and the in-memory channel layer unless told otherwise."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
# A fixed key is fine on a laptop; it is never used with DEBUG off.
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-never-use-in-production"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The address `make run` serves at (its HOST and PORT), unless SITE_URL says otherwise: e-mails,
# code letters and exports link to it.
SITE_URL = (
    os.environ.get("SITE_URL")
    or f"http://{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"
).rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
# The local test identity provider (voting/identity/devprovider.py) is the identity broker,
# unless a real one is configured with OIDC_SERVER_URL. Its address follows SITE_URL: the app
# fetches the provider's keys from this very server.
DEV_IDENTITY_PROVIDER = env_bool("DEV_IDENTITY_PROVIDER", True)
if DEV_IDENTITY_PROVIDER and not OIDC_SERVER_URL:  # noqa: F405
    OIDC_SERVER_URL = f"{SITE_URL}/dev/idp"
    OIDC_CLIENT_ID = "borgerbudget-dev"
    OIDC_CLIENT_SECRET = "dev-only-client-secret"
    SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "test-mitid",
                    "name": "MitID (test)",
                    "client_id": OIDC_CLIENT_ID,
                    "secret": OIDC_CLIENT_SECRET,
                    "settings": {
                        "server_url": OIDC_SERVER_URL,
                        "scope": ["openid", "profile"],
                        "oauth_pkce_enabled": True,
                        "claims_profile": "generic",
                    },
                }
            ],
        }
    }
