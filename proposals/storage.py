"""Private files: stored outside MEDIA_ROOT, so no web server ever serves them by URL.

Grant receipts live here and are only handed out by a view that checks who asks
(`proposals.grants.views.grant_receipt`).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


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
