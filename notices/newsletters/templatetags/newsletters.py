"""Rich text as the plain text of an e-mail: paragraphs and list items on their own lines,
links written out after their text."""

import html
import re

from django import template

register = template.Library()

_LINK = re.compile(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.S)
_BREAK = re.compile(r"</(p|h2|h3|li|ol|ul)>|<br\s*/?>", re.I)
_ITEM = re.compile(r"<li[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")


@register.filter
def richtext_as_text(value: str) -> str:
    text = _LINK.sub(lambda m: f"{m.group(2)} ({html.unescape(m.group(1))})", value or "")
    text = _ITEM.sub("- ", text)
    text = _BREAK.sub("\n\n", text)
    text = html.unescape(_TAG.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
