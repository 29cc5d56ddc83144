"""Residents' formatted text (a proposal's description): what is kept, how it is stored, shown
and edited.

The cleaner is nh3 (ammonia over html5ever): it parses the text exactly as a browser's HTML
parser does, keeps the elements and attributes of an allow-list and serialises the tree it kept.
So what is stored is what a browser will build from it: a CDATA section, a comment, an `<svg>` or
`<math>` island or a `<noscript>` cannot mean one thing to the cleaner and another to a browser.

Invariants (tests/proposals/test_richtext.py):
- `clean_description(clean_description(x)) == clean_description(x)`: saving unchanged changes
  nothing, and cleaning again before output (`sanitise_html`, the `resident_html` filter) is
  harmless.
- A stored description always starts with an element, so the HTML form shows the editor
  exactly what the next save reads back.
- `description_as_text(text_as_html(t)) == t` for plain text that was cleaned once: a form that
  edits the description as plain text (the grant application) gets back what it showed.
"""

import html
import re

import nh3

from frontend.text import without_control_characters

# The longest description a resident may type, in characters. Checked before any cleaning.
DESCRIPTION_MAX_LENGTH = 10_000

ALLOWED_TAGS = frozenset(
    {"p", "br", "b", "strong", "i", "em", "sub", "sup", "ul", "ol", "li", "a", "div"}
    | {"h3", "h4", "h5", "h6"}  # no images, no h1/h2 that break the page's outline
)

# Text that a browser would read as markup: an element, an end tag, a comment or declaration.
_MARKUP = re.compile(r"<[A-Za-z/!?]")
_BREAK = re.compile(r"<br\s*/?>")
_BLOCK_END = re.compile(r"</(?:p|div|li|ul|ol|h[3-6])>")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    # Dropped with everything inside: foreign content and elements whose content a browser does
    # not show as text. A <script> or <style> loses its tags and keeps its text, shown as text
    # (a resident who pastes one sees what happened to it).
    clean_content_tags={
        "template",
        "noscript",
        "xmp",
        "iframe",
        "noembed",
        "noframes",
        "textarea",
        "title",
        "plaintext",
        "math",
        "svg",
        "select",
        "object",
    },  # fmt: skip
    attributes={"*": set(), "a": {"href"}},  # no title/lang/id/class/style on anything
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    link_rel="noopener noreferrer nofollow ugc",
    strip_comments=True,
)


def sanitise_html(markup: str) -> str:
    """Any HTML in, only the allowed elements out, serialised as a browser would read them."""
    cleaned = _CLEANER.clean(markup).strip()
    if cleaned and not cleaned.startswith("<"):
        # Text before the first element: wrapped, so the next save reads it as HTML too.
        cleaned = _CLEANER.clean(f"<p>{cleaned}</p>")
    return cleaned


def text_as_html(text: str) -> str:
    """Plain text in, paragraphs out: a blank line starts a paragraph, a newline breaks a line."""
    text = without_control_characters(text or "").strip()
    if not text:
        return ""
    paragraphs = [p.strip() for p in _BLANK_LINES.split(text) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line, quote=False) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def clean_description(text: str) -> str:
    """What a resident typed, in HTML or plain text, as the safe HTML that is stored."""
    text = without_control_characters(text or "").strip()
    if not text:
        return ""
    if _MARKUP.search(text):
        return sanitise_html(text)
    return sanitise_html(text_as_html(text))


def description_as_text(cleaned: str) -> str:
    """A cleaned description back as plain text (paragraphs kept), for a plain text box."""
    cleaned = _BREAK.sub("\n", cleaned or "")
    cleaned = _BLOCK_END.sub("\n\n", cleaned)
    text = html.unescape(nh3.clean(cleaned, tags=set(), strip_comments=True))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
