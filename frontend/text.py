"""Control characters out of residents' text: at input (form validation) and again at output
(exports), so one escape character typed or pasted into a title can never break a page, an
e-mail, a CSV file or an XLSX workbook (XML 1.0 cannot hold most of them at all).

The explicit bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) go
too: an unterminated right-to-left override in a title reverses whatever follows it on the same
line -- the cost beside it in a list, the next cell of a spreadsheet -- so "1.500 kr." can be made
to read as another figure. Arabic, Hebrew and Urdu need none of them: the Unicode bidirectional
algorithm orders their letters by itself, and the implicit marks (LRM, RLM, ALM) that writers do
use are kept."""

import re

# C0 controls except tab and newline, DEL, the C1 controls, the explicit bidirectional
# formatting characters, and the two non-characters XML refuses. A carriage return is turned
# into a newline first.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def without_control_characters(text: str, *, single_line: bool = False) -> str:
    """The text without control characters; newlines kept, or turned into spaces."""
    text = _LINE_BREAKS.sub("\n", text or "")
    text = _CONTROL.sub("", text)
    if single_line:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(_LINE_BREAKS.sub("\n", text or "")))
