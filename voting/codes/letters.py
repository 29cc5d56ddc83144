"""The files that carry plain voting codes to voters: CSV for mail merge, PDF letters for print.

Pure functions: plain values in, bytes out, no ORM and no request. The codes exist in plain
text only while the request that generated them runs, so these files are made then and never
again.

The PDF is written by hand (PDF 1.4, uncompressed, standard fonts only) so that printing needs
no extra dependency. It has one A4 letter per code, to post or to hand out at a meeting: one
page per code, so that no letter shows another person's code. Text uses Helvetica with
WinAnsiEncoding, which covers Danish letters (æ, ø, å); characters outside it print as "?".
"""

import csv
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# A4 in PostScript points.
PAGE_WIDTH = 595
PAGE_HEIGHT = 842
MARGIN = 72
FONTS = {"F1": "Helvetica", "F2": "Helvetica-Bold", "F3": "Courier-Bold"}

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


def _cell(value: str) -> str:
    value = str(value)
    return f"'{value}" if value.startswith(FORMULA_START) else value


def codes_csv(codes: Sequence[str], *, round_title: str, batch: str, vote_url: str = "") -> bytes:
    """One row per code under a header row; UTF-8 with a byte order mark so Excel reads æøå."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            pgettext("voting codes file column", "code"),
            pgettext("voting codes file column", "batch"),
            pgettext("voting codes file column", "round"),
            pgettext("voting codes file column", "instructions URL"),
        ]
    )
    for code in codes:
        writer.writerow([code, _cell(batch), _cell(round_title), _cell(vote_url)])
    return buffer.getvalue().encode("utf-8-sig")


def manifest_csv(letters: Sequence, *, round_title: str, batch: str, vote_url: str = "") -> bytes:
    """The print or Digital Post supplier's list of a batch issued from the voter roll: one row
    per letter, in the order of the PDF's pages, with the address as the roll has it. Never a
    CPR number: the roll does not hold one."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            pgettext("voting codes file column", "letter"),
            pgettext("voting codes file column", "code"),
            pgettext("voting codes file column", "address"),
            pgettext("voting codes file column", "area"),
            pgettext("voting codes file column", "batch"),
            pgettext("voting codes file column", "round"),
            pgettext("voting codes file column", "instructions URL"),
        ]
    )
    for letter in letters:
        writer.writerow(
            [
                letter.number,
                letter.code,
                _cell(letter.address),
                _cell(letter.area),
                _cell(batch),
                _cell(round_title),
                _cell(vote_url),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


# --- PDF ------------------------------------------------------------------------------------


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


def _info_text(text: str) -> bytes:
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


class _Page:
    """The drawing operators of one page's content stream."""

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

    def stream(self) -> bytes:
        return b"\n".join(self.ops) + b"\n"


ADDRESS_X = 330  # the right half of the page's top, where a window envelope shows it


def address_lines(address: str) -> list[str]:
    """An address as imported, one part per line ("Øster Allé 1, 2100 København Ø")."""
    parts = [part.strip() for part in address.split(",") if part.strip()]
    lines: list[str] = []
    for part in parts[:5]:
        lines += wrap(part, width=PAGE_WIDTH - MARGIN - ADDRESS_X, size=11)
    return lines[:6]


def _letter_template(*, round_title: str, committee: str, vote_url: str) -> tuple[bytes, float]:
    """What every letter of the batch shares, and the height where the code goes."""
    page = _Page()
    page.text(MARGIN, 770, committee, font="F2", size=12)
    page.text(MARGIN, 754, round_title, size=12)
    page.text(MARGIN, 690, _("Your voting code"), font="F2", size=24)
    y = page.paragraph(
        660,
        _(
            "You can vote in %(round)s with the code below. You do not need to log in: "
            "the code is your access to the ballot."
        )
        % {"round": round_title},
    )
    box_top = y - 8
    page.box(MARGIN, box_top - 64, PAGE_WIDTH - 2 * MARGIN, 64)
    y = box_top - 100
    page.text(MARGIN, y, _("How to vote"), font="F2", size=14)
    y -= 24
    steps = [
        _("1. Go to %(url)s") % {"url": vote_url},
        _("2. Type the code exactly as it is written. Dashes and small letters do not matter."),
        _("3. Choose the projects you want and send your ballot."),
    ]
    for step in steps:
        y = page.paragraph(y, step)
    y -= 8
    y = page.paragraph(
        y,
        _(
            "The code can be used once only. Keep it to yourself until you have voted: whoever "
            "has the code can vote with it. After five wrong tries a code is locked; ask the "
            "committee for a new one."
        ),
    )
    page.paragraph(
        y,
        _("You can only vote once in the round, whether online, with a code or in person."),
    )
    return page.stream(), box_top - 42


def codes_pdf(
    codes: Sequence[str],
    *,
    round_title: str,
    committee: str,
    batch: str,
    vote_url: str,
    addresses: Sequence[str] | None = None,
) -> bytes:
    """A PDF 1.4 document with one A4 letter per code, ready to print.

    The text all letters share is drawn once, as a form XObject that every page places; each
    page's own content stream holds only its code, its address (for a window envelope, when
    the codes come from the voter roll) and footer.
    """
    objects: list[bytes] = []  # object number n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree exists
    pages = add(b"")
    fonts = {
        name: add(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"
            % base.encode()
        )
        for name, base in FONTS.items()
    }
    font_refs = b" ".join(b"/%s %d 0 R" % (name.encode(), ref) for name, ref in fonts.items())
    shared, code_y = _letter_template(
        round_title=round_title, committee=committee, vote_url=vote_url
    )
    letter = add(
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 %d %d] /Resources << /Font << %s >> >> "
        b"/Length %d >>\nstream\n%s\nendstream"
        % (PAGE_WIDTH, PAGE_HEIGHT, font_refs, len(shared), shared)
    )
    resources = b"<< /Font << %s >> /XObject << /Letter %d 0 R >> >>" % (font_refs, letter)
    kids = []
    for number, code in enumerate(codes, start=1):
        page = _Page()
        page.ops.append(b"/Letter Do")
        page.text(MARGIN + 24, code_y, code, font="F3", size=30)
        if addresses:
            for row, line in enumerate(address_lines(addresses[number - 1])):
                page.text(ADDRESS_X, 770 - row * 14, line, size=11)
        footer = _("Batch: %(batch)s · Letter %(number)d of %(total)d") % {
            "batch": batch,
            "number": number,
            "total": len(codes),
        }
        page.text(MARGIN, 40, footer, size=8)
        content = page.stream()
        stream = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources %s "
                b"/Contents %d 0 R >>" % (pages, PAGE_WIDTH, PAGE_HEIGHT, resources, stream)
            )
        )
    objects[pages - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages
    info = add(
        b"<< /Title %s /Producer (Borgerbudget) >>"
        % _info_text(_("Voting codes: %(round)s") % {"round": round_title})
    )

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
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
