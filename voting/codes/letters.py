"""The files that carry plain voting codes to voters: CSV for mail merge, PDF letters for print.

Pure functions: plain values in, bytes out, no ORM and no request. The codes exist in plain
text only while the request that generated them runs, so these files are made then and never
again.

One A4 letter per code, to post or to hand out at a meeting: one page per code, so that no
letter shows another person's code. The PDF is drawn by the one letter writer,
`frontend.letters`, which the notices' letters share.
"""

import csv
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from frontend.letters import MARGIN, PAGE_WIDTH, Page, csv_cell, letters_pdf


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
        writer.writerow([code, csv_cell(batch), csv_cell(round_title), csv_cell(vote_url)])
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
                csv_cell(letter.address),
                csv_cell(letter.area),
                csv_cell(batch),
                csv_cell(round_title),
                csv_cell(vote_url),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _letter_template(*, round_title: str, committee: str, vote_url: str) -> tuple[Page, float]:
    """What every letter of the batch shares, and the height where the code goes."""
    page = Page()
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
    return page, box_top - 42


def codes_pdf(
    codes: Sequence[str],
    *,
    round_title: str,
    committee: str,
    batch: str,
    vote_url: str,
    addresses: Sequence[str] | None = None,
) -> bytes:
    """A PDF 1.4 document with one A4 letter per code, ready to print: the shared text drawn
    once, each page holding only its code, its address (for a window envelope, when the codes
    come from the voter roll) and its footer."""
    shared, code_y = _letter_template(
        round_title=round_title, committee=committee, vote_url=vote_url
    )
    pages = []
    for number, code in enumerate(codes, start=1):
        page = Page()
        page.text(MARGIN + 24, code_y, code, font="F3", size=30)
        if addresses:
            page.address(addresses[number - 1])
        footer = _("Batch: %(batch)s · Letter %(number)d of %(total)d") % {
            "batch": batch,
            "number": number,
            "total": len(codes),
        }
        page.text(MARGIN, 40, footer, size=8)
        pages.append(page)
    return letters_pdf(
        shared=shared,
        pages=pages,
        title=_("Voting codes: %(round)s") % {"round": round_title},
    )
