"""Move the files proposals had before they were private to where they are now.

Attachments stored under MEDIA_ROOT (served by anyone's URL) move to private storage; images
whose names lack the random token are renamed, and their renditions (named after them) are
deleted, to be made again under the new name when a page asks. Run once after upgrading; running
it again changes nothing.
"""

import re

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import transaction

from proposals.models import ProposalAttachment, ProposalImage
from proposals.storage import unguessable

_TOKEN = re.compile(r"^[0-9a-f]{32}-")


def _basename(name: str) -> str:
    return name.rsplit("/", 1)[-1]


class Command(BaseCommand):
    help = "Make the files of proposals stored before they were private unguessable and private."

    def handle(self, *args, **options):
        moved = renamed = 0
        for attachment in ProposalAttachment.objects.iterator():
            old = attachment.file.name
            if attachment.file.storage.exists(old) or not default_storage.exists(old):
                continue  # already private, or missing (nothing to move)
            with default_storage.open(old, "rb") as handle:
                content = handle.read()
            with transaction.atomic():
                attachment.file.save(_basename(old), ContentFile(content), save=False)
                attachment.save(update_fields=["file"])
            default_storage.delete(old)
            moved += 1
        for item in ProposalImage.objects.select_related("image").iterator():
            image = item.image
            old = image.file.name
            if _TOKEN.match(_basename(old)) or not image.file.storage.exists(old):
                continue
            with image.file.storage.open(old, "rb") as handle:
                content = handle.read()
            with transaction.atomic():
                image.file.save(unguessable(_basename(old)), ContentFile(content), save=False)
                image.save(update_fields=["file"])
                image.renditions.all().delete()  # their files go with them (Wagtail's signal)
            default_storage.delete(old)
            renamed += 1
        self.stdout.write(f"{moved} attachments made private, {renamed} images renamed.")
