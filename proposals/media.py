"""Storing cleaned uploads: images in Wagtail's image library (renditions), PDFs as files.

A proposal's files are stored under unguessable names (proposals.storage) and served only through
proposals.files.views, which asks proposals.permissions.may_see_files.
"""

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.images import get_image_model
from wagtail.models import Collection

from proposals.models import ProjectUpdatePhoto, Proposal, ProposalAttachment, ProposalImage
from proposals.permissions import roles_of
from proposals.storage import unguessable
from proposals.workflow import AUTHOR

COLLECTION_NAME = "Forslag"


def _collection() -> Collection:
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    existing = root.get_children().filter(name=COLLECTION_NAME).first()
    return existing or root.add_child(name=COLLECTION_NAME)


def image_store(*, proposal: Proposal, clean, alt_text: str = "") -> ProposalImage:
    Image = get_image_model()
    image = Image(
        title=(alt_text or proposal.title or clean.filename)[:255],
        collection=_collection(),
        description=alt_text[:255] if hasattr(Image, "description") else "",
    )
    # The token leads the name, so Wagtail's renditions (named after the original) carry it too.
    image.file.save(unguessable(clean.filename), ContentFile(clean.content), save=False)
    image.width, image.height = clean.width, clean.height
    image.save()
    order = proposal.images.count()
    return ProposalImage.objects.create(
        proposal=proposal, image=image, alt_text=alt_text, sort_order=order
    )


def attachment_store(*, proposal: Proposal, clean) -> ProposalAttachment:
    attachment = ProposalAttachment(
        proposal=proposal, title=clean.filename, size=len(clean.content)
    )
    attachment.file.save(clean.filename, ContentFile(clean.content), save=False)
    attachment.save()
    return attachment


def update_photo_store(*, update, clean, alt_text: str):
    """A cleaned photo (EXIF removed by uploads.clean_image) of a tracked project's update."""
    Image = get_image_model()
    image = Image(title=(alt_text or update.title)[:255], collection=_collection())
    image.file.save(clean.filename, ContentFile(clean.content), save=False)
    image.width, image.height = clean.width, clean.height
    image.save()
    return ProjectUpdatePhoto.objects.create(
        update=update, image=image, alt_text=alt_text[:250], sort_order=update.photos.count()
    )


def images_remove(*, author, proposal: Proposal, image_ids) -> int:
    """The author takes images off their proposal: the rows, the stored files and their
    renditions go, after the transaction commits (a rollback keeps every file)."""
    if AUTHOR not in roles_of(author, proposal):
        raise PermissionDenied
    items = list(proposal.images.filter(pk__in=list(image_ids)).select_related("image"))
    for item in items:
        image = item.image
        item.delete()
        transaction.on_commit(image.delete)  # Wagtail deletes the file and its renditions
    return len(items)
