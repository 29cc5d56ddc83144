"""Settings shared by every environment; values that differ come from the environment.

See the table of environment variables in README.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "committees",
    "proposals",
    "voting",
    "notices",
    "notices.newsletters",
    "frontend",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "committees.accounts.wagtail_users.UsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pbsite.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "pbsite.urls"
ASGI_APPLICATION = "pbsite.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "committees.workspace.landing.workspace_link",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "django.templatetags.static",
                "frontend.templatetags.lookup",
                "frontend.templatetags.money",
                "frontend.templatetags.numbers",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://user@host:5432/name. Unset: a SQLite file under var/, in WAL
# mode and with IMMEDIATE transactions so that concurrent writers wait for the lock instead of
# failing with "database is locked".
SQLITE_PATH = VAR_DIR / "borgerbudget.sqlite3"


def database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{SQLITE_PATH}"
    try:
        config = dj_database_url.parse(url, conn_max_age=0, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL we understand: {exc}"
        ) from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
        config.pop("CONN_HEALTH_CHECKS", None)
    pool_size = int(os.environ.get("DATABASE_POOL_SIZE", "0") or 0)
    if config["ENGINE"] == "django.db.backends.postgresql" and pool_size > 0:
        # A pool of connections per process instead of a new connection per request.
        config["OPTIONS"] = {
            **config.get("OPTIONS", {}),
            "pool": {"min_size": 1, "max_size": pool_size, "timeout": 10},
        }
        config["CONN_MAX_AGE"] = 0
        config.pop("CONN_HEALTH_CHECKS", None)
    config["ATOMIC_REQUESTS"] = False
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels -------------------------------------------------------------------------------
# REDIS_URL set: channels-redis, so several ASGI processes share groups. Unset: the in-memory
# layer, which only works with exactly one ASGI process (see README).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "borgerbudget"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Cache and sessions ---------------------------------------------------------------------
# Rate limits (sign-in, sign-up, codes, ballots) and the code-entry throttle count in the cache,
# so with several ASGI processes the cache must be shared, or each process would allow the full
# limit: Redis when REDIS_URL is set. Sessions are then read from Redis and written through to
# the database, so none is lost when Redis restarts. Unset: each process's memory (one process).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "borgerbudget",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Client addresses behind a reverse proxy ------------------------------------------------
# X-Forwarded-For is believed only from these peers (committees/clients.py): the proxies' IP
# addresses or networks (10.0.0.5, 10.0.0.0/24), and "unix" for a peer on a UNIX socket
# (README, production step 4), where only a local process can connect. Sign-in limits, voting
# code throttles, ballot and API rate limits all count by the address found.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "unix")

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "committees.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "committees.accounts.forms.SignupForm"
ACCOUNT_ADAPTER = "committees.accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Borgerbudget] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
    # The platform's own write endpoints, through the same limiter.
    "support": "60/m/user,600/h/user",
    "comment": "10/m/user,100/h/user",
    "report": "10/m/user,100/h/user",  # reporting a proposal or a comment to the moderators
    # Per account: each needs a verified identity, and a meeting's residents share one address.
    "ballot": "10/m/user",
    "ballot_anonymous": "20/m/ip",  # voting codes: no account to count by
}
ACCOUNT_PREVENT_ENUMERATION = True
SOCIALACCOUNT_ONLY = False

# --- Identity verification (OpenID Connect; MitID through a broker) --- begin ---------------
# An OpenID Connect app verifies a logged-in person's identity for online voting; it is never a
# way to log in (voting/identity/broker.py). OIDC_SERVER_URL is the broker's issuer; unset, no
# app is configured and online voting cannot be verified. Register the redirect URI
# <site>/afstemning/identitet/<OIDC_PROVIDER_ID>/callback/ with the broker.
SOCIALACCOUNT_ADAPTER = "voting.identity.broker.IdentityAdapter"
SOCIALACCOUNT_STORE_TOKENS = False
OIDC_SERVER_URL = os.environ.get("OIDC_SERVER_URL", "").strip()
OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
if OIDC_SERVER_URL and not OIDC_CLIENT_ID:
    raise ImproperlyConfigured("OIDC_SERVER_URL is set, so OIDC_CLIENT_ID must be set too.")
OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid profile").replace(",", " ").split()
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": os.environ.get("OIDC_PROVIDER_ID", "mitid").strip() or "mitid",
                "name": os.environ.get("OIDC_PROVIDER_NAME", "MitID").strip() or "MitID",
                "client_id": OIDC_CLIENT_ID,
                "secret": os.environ.get("OIDC_CLIENT_SECRET", ""),
                "settings": {
                    "server_url": OIDC_SERVER_URL,
                    "scope": OIDC_SCOPES,
                    "oauth_pkce_enabled": True,
                    # Which names the broker gives its claims: a key of IDENTITY_CLAIM_PROFILES.
                    "claims_profile": os.environ.get("OIDC_CLAIMS_PROFILE", "generic").strip(),
                },
            }
        ]
        if OIDC_SERVER_URL
        else [],
    }
}
# The claim names of each broker (docs/voting.md, "Identity brokers"). A value names claims to
# try in order; "a.b" reads "b" inside an object claim "a". CPR is optional (without it the
# person is known by the broker's subject only); the age comes from a birth date, an age, or a
# data-minimal "over N" claim; where the person lives from an access address id, an address
# (street, house number, postcode), a postcode or a municipality code.
IDENTITY_CLAIM_PROFILES = {
    "generic": {
        "cpr": ["dk:gov:cpr", "cpr"],
        "birthdate": ["birthdate"],
        "age": ["age", "dk:gov:age"],
        "age_verified": ["age_verified"],
        "age_over_prefixes": ["age_over_"],
        "address": ["address"],
        "postcode": ["postal_code"],
        "access_address_id": ["access_address_id"],
        "municipality": ["municipality_code"],
    },
    "signaturgruppen": {
        "cpr": ["dk.cpr"],
        "birthdate": ["mitid.date_of_birth", "birthdate"],
        "age": ["mitid.age"],
        "age_verified": ["idbrokerdk_age_verified"],
        "age_over_prefixes": ["idbrokerdk_age_verify_"],
        "address": ["address"],
        "postcode": ["postal_code"],
        "access_address_id": [],
        "municipality": [],
    },
    "idura": {
        "cpr": ["cprNumberIdentifier"],
        "birthdate": ["birthdate", "dateofbirth"],
        "age": ["age"],
        "age_verified": [],
        "age_over_prefixes": ["age_over_", "is_over_"],
        "address": ["address"],
        "postcode": [],
        "access_address_id": ["address_details.access_address_id"],
        "municipality": ["address_details.municipality_code"],
    },
    "nemlogin": {
        "cpr": ["https://data.gov.dk/model/core/eid/cprNumber"],
        "birthdate": ["https://data.gov.dk/model/core/eid/dateOfBirth", "birthdate"],
        "age": ["https://data.gov.dk/model/core/eid/age"],
        "age_verified": [],
        "age_over_prefixes": [],
        "address": ["address"],
        "postcode": ["postal_code"],
        "access_address_id": [],
        "municipality": ["municipality_code"],
    },
}
# The municipality whose residents vote here (Københavns Kommune: 0101); a broker's municipality
# code other than this one places the person outside every area.
MUNICIPALITY_CODE = os.environ.get("MUNICIPALITY_CODE", "0101").strip()
# A local test identity provider at /dev/idp/ with test persons, for `make run` only. The
# development settings turn it on; the production settings refuse to start with it, and
# `check --deploy` flags it (voting/identity/checks.py).
DEV_IDENTITY_PROVIDER = env_bool("DEV_IDENTITY_PROVIDER", False)
# --- Identity verification --- end -----------------------------------------------------------

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH")  # for the file-based backend
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Borgerbudget <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks and notices -------------------------------------------------------------
# Django's tasks framework (the django-tasks backport). "default" stays immediate: Wagtail's own
# small tasks (search index, references) run in the request as before. "notices" is the
# database backend (django-tasks-db): every e-mail is a row in the outbox and a task in the same
# database, worked by `manage.py db_worker --backend notices --queue-name '*'` (`make run`
# starts one; production runs any number, on any machine that reaches PostgreSQL).
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "notices": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
# Deliveries per task: a killed worker loses at most one batch's claim, which comes back when
# its lease (seconds) runs out.
NOTICES_BATCH_SIZE = int(os.environ.get("NOTICES_BATCH_SIZE", "100"))
NOTICES_LEASE_SECONDS = int(os.environ.get("NOTICES_LEASE_SECONDS", "300"))
# A failed send is tried again after 60 s, 120 s, 240 s ... (at most a day), then given up.
NOTICES_RETRY_BASE_SECONDS = int(os.environ.get("NOTICES_RETRY_BASE_SECONDS", "60"))
NOTICES_MAX_ATTEMPTS = int(os.environ.get("NOTICES_MAX_ATTEMPTS", "6"))
# The hour (local time) after which the daily digests of the day go out.
NOTICES_DIGEST_HOUR = int(os.environ.get("NOTICES_DIGEST_HOUR", "7"))

# --- Languages and formats ------------------------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "borgerbudget_language"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Copenhagen"
FORMAT_MODULE_PATH = ["pbsite.formats"]
USE_THOUSAND_SEPARATOR = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Files that must never be served by URL (grant receipts): outside MEDIA_ROOT.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
# Residents' files that views hand out after checking who asks (proposals.files.serving): with a
# prefix such as "/_protected/", nginx sends them (X-Accel-Redirect to an `internal` location);
# PRIVATE_MEDIA_SENDFILE=1 asks for X-Sendfile instead. Off: Django streams them itself.
PRIVATE_MEDIA_ACCEL_REDIRECT = os.environ.get("PRIVATE_MEDIA_ACCEL_REDIRECT", "")
PRIVATE_MEDIA_SENDFILE = env_bool("PRIVATE_MEDIA_SENDFILE", False)
# Receipts attached to a grant's accounts are deleted this many days after the payout
# (`manage.py grant_receipts_purge`, run daily). Five years, as the bookkeeping act asks.
GRANT_RECEIPT_RETENTION_DAYS = int(os.environ.get("GRANT_RECEIPT_RETENTION_DAYS", str(5 * 365)))

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Borgerbudget"
# No avatars from gravatar.com: the admin's policy loads images from our own origin only, and
# a moderator's e-mail hash is not sent to a third party (pbsite.security).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The address the site is really served at, without a trailing slash: links in e-mails, printed
# code letters and exports are built on it. `make run` passes its HOST and PORT.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("da", "Dansk"), ("en", "English")]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000

# Raster map tiles, laid under the maps the server draws (committees/maps.py) and used by the
# place picker of the proposal form; empty (the default): the maps show the area outline and
# the points without tiles. A slippy-map URL with {z}, {x}, {y} and optionally {s} (a, b, c),
# e.g. "https://tiles.example.dk/{z}/{x}/{y}.png". Its scheme and host become the one outside
# origin the Content-Security-Policy lets images come from (pbsite.security).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
# The credit the tile provider asks for, shown under each map with tiles (e.g. "© OpenStreetMap").
MAP_ATTRIBUTION = os.environ.get("MAP_ATTRIBUTION", "")

# Keys of the keyed hashes that separate who voted from what was voted (voting/keys.py). Empty:
# derived from SECRET_KEY. Keep them out of the database and its backups.
BALLOT_VOTER_KEY = os.environ.get("BALLOT_VOTER_KEY", "")
BALLOT_OWNER_KEY = os.environ.get("BALLOT_OWNER_KEY", "")
# Seals ballots while they wait in the mixing buffer (voting/ballot_box.py); empty: derived
# from SECRET_KEY. Rotate it only with an empty buffer (`manage.py ballots_flush`).
BALLOT_SEAL_KEY = os.environ.get("BALLOT_SEAL_KEY", "")
# k: ballots are written in shuffled batches of at least k, and k wait in the buffer until the
# result is confirmed (docs/voting.md, "Secrecy"). 0 writes each ballot at once: tests only.
BALLOT_MIX_SIZE = int(os.environ.get("BALLOT_MIX_SIZE", "10"))

# Verified identities are deleted this many days after verification (voting/retention.py);
# each round's own retention period is in its voting settings.
VERIFIED_IDENTITY_RETENTION_DAYS = int(os.environ.get("VERIFIED_IDENTITY_RETENTION_DAYS", "90"))

# --- Security defaults (production tightens them) -------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}


def require_secret_key(secret_key: str, debug: bool) -> str:
    """Refuse to start without a real SECRET_KEY when DEBUG is off."""
    if not debug and not secret_key:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the platform refuses to start without one: "
            "set the SECRET_KEY environment variable to a long random string, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    return secret_key


FORM_RENDERER = "frontend.forms.DesignSystemRenderer"

# The open data API (/api/v1/, pbsite.api): public, read-only JSON, no login.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    # Read-only, throttled and paginated: see committees.api.PublicViewSet, which every
    # endpoint uses (the classes cannot be named here: importing them imports these settings).
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "UNAUTHENTICATED_USER": None,
}
# Requests per client address (the cache counts them; share a cache between processes in
# production, e.g. Redis, or each process counts on its own).
API_ANON_RATE = os.environ.get("API_ANON_RATE", "120/minute")
# Turnout on results and statistics pages shows a group (an area, an age band, a channel) only
# when at least this many people voted in it; smaller groups are merged so nobody is singled out.
RESULTS_MIN_GROUP_SIZE = int(os.environ.get("RESULTS_MIN_GROUP_SIZE", "10"))

# Live displays (voting/live/broadcast.py): at most one snapshot per feed every LIVE_MIN_INTERVAL
# seconds; a feed with viewers re-reads its snapshot every LIVE_REFRESH_SECONDS anyway and
# renews its channel-layer groups every LIVE_RESUBSCRIBE_SECONDS (layers forget them after a day).
LIVE_MIN_INTERVAL = float(os.environ.get("LIVE_MIN_INTERVAL", "0.5"))
LIVE_REFRESH_SECONDS = float(os.environ.get("LIVE_REFRESH_SECONDS", "15"))
LIVE_RESUBSCRIBE_SECONDS = float(os.environ.get("LIVE_RESUBSCRIBE_SECONDS", "3600"))
