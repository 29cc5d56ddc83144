"""The one writer of printed letters: A4 pages as a PDF, for the print or Digital Post supplier.

Both kinds of letter use it: the voting codes (`voting/codes/letters.py`) and the notices for
residents without e-mail (`notices/letters.py`). It lives in `frontend`, the presentation layer
every app may import, because `notices` may not import `voting` for it (docs/architecture.md).

Pure functions: plain values in, bytes out, no ORM and no request. The PDF is written by hand
(PDF 1.4, uncompressed, standard fonts only) so that printing needs no extra dependency. What
every letter of a batch shares is drawn once, as a form XObject that every page places; a page's
own content stream holds only what is its own (a code, an address, a footer). Text uses
Helvetica with WinAnsiEncoding, which covers Danish letters (æ, ø, å); characters outside it
print as "?".
"""

from collections.abc import Sequence

# A4 in PostScript points.
PAGE_WIDTH = 595
PAGE_HEIGHT = 842
MARGIN = 72
FONTS = {"F1": "Helvetica", "F2": "Helvetica-Bold", "F3": "Courier-Bold"}
ADDRESS_X = 330  # the right half of the page's top, where a window envelope shows it

# Helvetica's advance widths (thousandths of the font size) for printable ASCII, from its AFM.
_WIDTHS_32_TO_126 = """
    278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278
    556 556 556 556 556 556 556 556 556 556 278 278 584 584 584 556
    1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778
    667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556
    333 556 556 500 556 556 278 556 556 222 222 500 222 833 556 556
    556 556 333 500 278 556 500 722 500 500 500 334 260 334 584
"""
HELVETICA_WIDTHS = {
    chr(code): int(width)
    for code, width in zip(range(32, 127), _WIDTHS_32_TO_126.split(), strict=True)
} | {"æ": 889, "Æ": 1000, "ø": 611, "Ø": 778, "å": 556, "Å": 667}
BOLD_FACTOR = 1.06  # Helvetica-Bold runs a little wider; near enough for wrapping

# Spreadsheets run cells that start like a formula; a leading apostrophe keeps them text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A value for a supplier's CSV manifest that a spreadsheet shows as text, never runs."""
    value = str(value)
    return f"'{value}" if value.startswith(FORMULA_START) else value


def pdf_text(text: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding, with delimiters and non-ASCII bytes escaped."""
    out = bytearray(b"(")
    for byte in str(text).encode("cp1252", errors="replace"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte < 0x20 or byte > 0x7E:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    out += b")"
    return bytes(out)


def info_text(text: str) -> bytes:
    """A document-information string in UTF-16BE with its byte order mark, as hex."""
    return b"<FEFF" + str(text).encode("utf-16-be").hex().upper().encode() + b">"


def text_width(text: str, *, size: float, bold: bool = False) -> float:
    """The printed width of `text` in Helvetica, in points."""
    units = sum(HELVETICA_WIDTHS.get(ch, 611) for ch in text)
    return units * size / 1000 * (BOLD_FACTOR if bold else 1)


def wrap(text: str, *, width: float, size: float, bold: bool = False) -> list[str]:
    """Lines that fit `width` points, broken at spaces; a word too long alone is cut."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size=size, bold=bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:
            if line and text_width(line + ch, size=size, bold=bold) > width:
                lines.append(line)
                line = ""
            line += ch
    if line or not lines:
        lines.append(line)
    return lines


def address_lines(address: str) -> list[str]:
    """An address as imported, one part per line ("Øster Allé 1, 2100 København Ø")."""
    parts = [part.strip() for part in address.split(",") if part.strip()]
    lines: list[str] = []
    for part in parts[:5]:
        lines += wrap(part, width=PAGE_WIDTH - MARGIN - ADDRESS_X, size=11)
    return lines[:6]


class Page:
    """The drawing operators of one page's content stream (or of the shared letter)."""

    def __init__(self) -> None:
        self.ops: list[bytes] = []

    def text(self, x: float, y: float, text: str, *, font: str = "F1", size: float = 11) -> None:
        self.ops.append(
            b"BT /%s %g Tf %g %g Td %s Tj ET" % (font.encode(), size, x, y, pdf_text(text))
        )

    def paragraph(self, y: float, text: str, *, size: float = 11, font: str = "F1") -> float:
        """Wrapped lines from the top down; returns the y below the paragraph."""
        leading = size * 1.4
        for line in wrap(text, width=PAGE_WIDTH - 2 * MARGIN, size=size, bold=font == "F2"):
            self.text(MARGIN, y, line, font=font, size=size)
            y -= leading
        return y - size * 0.6

    def box(self, x: float, y: float, w: float, h: float) -> None:
        self.ops.append(b"1.5 w %g %g %g %g re S" % (x, y, w, h))

    def address(self, address: str) -> None:
        """The recipient's address where a window envelope shows it."""
        for row, line in enumerate(address_lines(address)):
            self.text(ADDRESS_X, 770 - row * 14, line, size=11)

    def stream(self) -> bytes:
        return b"\n".join(self.ops) + b"\n"


def letters_pdf(*, shared: Page, pages: Sequence[Page], title: str) -> bytes:
    """A PDF 1.4 document with one A4 page per item of `pages`, each drawn over `shared`."""
    objects: list[bytes] = []  # object number n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree exists
    page_tree = add(b"")
    fonts = {
        name: add(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"
            % base.encode()
        )
        for name, base in FONTS.items()
    }
    font_refs = b" ".join(b"/%s %d 0 R" % (name.encode(), ref) for name, ref in fonts.items())
    body = shared.stream()
    letter = add(
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 %d %d] /Resources << /Font << %s >> >> "
        b"/Length %d >>\nstream\n%s\nendstream"
        % (PAGE_WIDTH, PAGE_HEIGHT, font_refs, len(body), body)
    )
    resources = b"<< /Font << %s >> /XObject << /Letter %d 0 R >> >>" % (font_refs, letter)
    kids = []
    for page in pages:
        content = b"/Letter Do\n" + page.stream()
        stream = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources %s "
                b"/Contents %d 0 R >>" % (page_tree, PAGE_WIDTH, PAGE_HEIGHT, resources, stream)
            )
        )
    objects[page_tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % page_tree
    info = add(b"<< /Title %s /Producer (Borgerbudget) >>" % info_text(title))

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        info,
        xref,
    )
    return bytes(out)
