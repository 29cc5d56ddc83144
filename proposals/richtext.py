"""The formatted text of a proposal's description: what is kept, and how it is shown for editing."""

import html

from django.utils.html import strip_tags
from wagtail.whitelist import DEFAULT_ELEMENT_RULES, Whitelister


class RichTextCleaner(Whitelister):
    """Keeps paragraphs, emphasis, lists and safe links; drops everything else, scripts first."""

    element_rules = {
        tag: rule
        for tag, rule in DEFAULT_ELEMENT_RULES.items()
        if tag not in {"img", "h1", "h2", "hr"}  # no images or headings that break the page
    }


def clean_description(text: str) -> str:
    """Formatted text in, safe HTML out. Plain text becomes paragraphs."""
    text = (text or "").strip()
    if not text:
        return ""
    if "<" not in text:
        paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
        return "".join("<p>" + html.escape(p).replace("\n", "<br/>") + "</p>" for p in paragraphs)
    return RichTextCleaner().clean(text)


def description_as_text(cleaned: str) -> str:
    """A cleaned description back as plain text (paragraphs kept), for a plain text box."""
    return strip_tags((cleaned or "").replace("</p>", "\n\n")).strip()
