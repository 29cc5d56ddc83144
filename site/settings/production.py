"""Production: secrets and hosts from the environment, everything secure by default."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    BALLOT_MIX_SIZE,
    DEBUG,
    DEV_IDENTITY_PROVIDER,
    SECRET_KEY,
    env_bool,
    require_secret_key,
)

SECRET_KEY = require_secret_key(SECRET_KEY, DEBUG)
if BALLOT_MIX_SIZE < 2:
    # Each ballot written on its own joins it to its voter through the database's own columns.
    raise ImproperlyConfigured("BALLOT_MIX_SIZE must be at least 2 (docs/voting.md, Secrecy).")
if DEV_IDENTITY_PROVIDER:
    # Anyone could verify as a made-up test person and vote.
    raise ImproperlyConfigured("DEV_IDENTITY_PROVIDER is for development only: turn it off.")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
