"""The test suite. DATABASE_URL and REDIS_URL select the services, as in production."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-with-enough-length-and-entropy-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1", "[::1]"]
# Rate limits are tested on purpose, not tripped by accident.
ACCOUNT_RATE_LIMITS = False
# Each test starts with an empty cache of its own process, even when REDIS_URL is set for the
# channel layer (a shared cache would carry counts from one test into the next).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# A file, not memory, so that a real server started by a test (Daphne, for browser journeys and
# WebSocket tests) sees the same test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405

# Ballots are written at once, so that a test sees the ballot it cast; the mixing buffer is
# tested on purpose (tests/security/test_ballot_secrecy.py, tests/voting/test_ballot_mixing.py)
# and the whole suite can run with it: BALLOT_MIX_SIZE=5.
BALLOT_MIX_SIZE = int(os.environ.get("BALLOT_MIX_SIZE", "0"))

# E-mails are delivered as their transaction commits, so that a test sees the message it caused;
# the database backend and its worker processes are tested on purpose (tests/notices/).
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "notices": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
# A worker process started by a test (tests/notices/test_worker.py) works the real queue.
if os.environ.get("NOTICES_QUEUE") == "database":
    TASKS["notices"] = {"BACKEND": "django_tasks_db.DatabaseBackend"}
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", EMAIL_BACKEND)
