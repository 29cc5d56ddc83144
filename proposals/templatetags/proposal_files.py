"""`{% proposal_image item "lille" %}`: a proposal's image through the view that checks who asks."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from wagtail.images.models import SourceImageIOError

from proposals.files.views import IMAGE_SIZES

register = template.Library()


@register.simple_tag
def proposal_image(item, size: str):
    """An <img> of a ProposalImage at one of IMAGE_SIZES, with its width and height."""
    try:
        rendition = item.image.get_rendition(IMAGE_SIZES[size])
    except SourceImageIOError:
        return ""
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" loading="lazy">',
        reverse("proposals:image", args=[item.pk, size]),
        rendition.width,
        rendition.height,
        item.alt_text,
    )
