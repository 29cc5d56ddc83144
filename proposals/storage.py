"""Where residents' files are stored, and under which names.

Private files live outside MEDIA_ROOT, so no web server ever serves them by URL: proposal
attachments and grant receipts. They are handed out only by views that check who asks
(`proposals.files.views`, `proposals.grants.views.grant_receipt`).

Every stored name starts with 128 random bits (`unguessable`): knowing what the resident called
the file, or when it was uploaded, does not give its name. Proposal images stay in Wagtail's
image library under MEDIA_ROOT (renditions need it); their names carry the token too, which
Wagtail keeps in every rendition's name, and they are served through the same views.
"""

import os
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

TOKEN_BYTES = 16
# What is kept of the resident's own file name, so that a stored name fits its 100 characters.
MAX_KEPT_NAME = 40


class PrivateStorage(FileSystemStorage):
    """FileSystemStorage under settings.PRIVATE_MEDIA_ROOT, read at use (tests may change it)."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL.")


def private_storage() -> PrivateStorage:
    return PrivateStorage()


def unguessable(filename: str) -> str:
    """`filename` (already cleaned) behind a random token: 'e3b0...55-budget.pdf'."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    kept = stem[: MAX_KEPT_NAME - len(extension)].rstrip("-_") or "fil"
    return f"{secrets.token_hex(TOKEN_BYTES)}-{kept}{dot}{extension}"


def attachment_upload_to(instance, filename: str) -> str:
    return timezone.now().strftime("proposals/attachments/%Y/%m/") + unguessable(filename)


def receipt_upload_to(instance, filename: str) -> str:
    return timezone.now().strftime("grants/receipts/%Y/%m/") + unguessable(filename)
