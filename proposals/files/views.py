"""The one door to a proposal's images and attachments: who may see them is asked every time
(proposals.permissions.may_see_files), whether the proposal is a draft or published.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from wagtail.images.models import SourceImageIOError

from proposals.files.serving import file_response
from proposals.models import ProposalAttachment, ProposalImage
from proposals.permissions import may_see_files

# The sizes pages show; nothing else is rendered on request (each size is work and disk).
IMAGE_SIZES = {"lille": "fill-480x270", "stor": "max-800x600"}


def proposal_image(request, pk: int, size: str):
    spec = IMAGE_SIZES.get(size)
    if spec is None:
        raise Http404
    item = get_object_or_404(
        ProposalImage.objects.select_related("image", "proposal__budget_round"), pk=pk
    )
    if not may_see_files(request.user, item.proposal):
        raise Http404  # do not reveal that a draft has images
    try:
        rendition = item.image.get_rendition(spec)
    except SourceImageIOError:
        raise Http404 from None
    name = rendition.file.name.rsplit("/", 1)[-1]
    return file_response(rendition.file, public=item.proposal.is_public, filename=name)


def proposal_attachment(request, pk: int):
    attachment = get_object_or_404(
        ProposalAttachment.objects.select_related("proposal__budget_round"), pk=pk
    )
    if not may_see_files(request.user, attachment.proposal):
        raise Http404
    return file_response(
        attachment.file, public=attachment.proposal.is_public, filename=attachment.title
    )
