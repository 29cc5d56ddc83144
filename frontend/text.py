"""Control characters out of residents' text: at input (form validation) and again at output
(exports), so one escape character typed or pasted into a title can never break a page, an
e-mail, a CSV file or an XLSX workbook (XML 1.0 cannot hold most of them at all)."""

import re

# C0 controls except tab and newline, DEL, the C1 controls, and the two non-characters XML
# refuses. A carriage return is turned into a newline first.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
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
