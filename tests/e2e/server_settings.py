"""Settings of the server that browser journeys drive: the test settings, with e-mail written to
files in EMAIL_FILE_PATH, because the server runs in another process than the test."""

from pbsite.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
