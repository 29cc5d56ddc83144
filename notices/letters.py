"""Letters for those without e-mail: a round's notices on paper, for the print or Digital Post
supplier, built from the voter roll.

Residents with an account hear that voting opens (or closes soon) by e-mail (notices.scheduler).
Everyone else on the round's voter roll gets the same notice as a letter: the roll holds no name
and no e-mail address, only a keyed hash of the person and their address, so "without e-mail"
means a roll entry whose person has not verified their identity with an account (the hash of a
verified identity's person key for this round, `voting.keys.voter_key`, is not among the roll's).

One batch is a ZIP file: one PDF with one A4 page per person (the address placed for a window
envelope) and a CSV manifest with one row per page, in the same order, for the supplier. The PDF
is drawn with the code letters' hand-written PDF writer (voting/codes/letters.py), so printing
needs no extra dependency. Never a CPR number: the roll does not hold one.

Letters are in Danish, the municipality's language: the roll does not know anyone's language.
"""

import csv
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from committees.models import BudgetRound
from frontend.money import format_kroner
from notices.kinds import Kind
from voting import keys
from voting.codes.letters import (
    ADDRESS_X,
    FONTS,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    _cell,
    _info_text,
    _Page,
    address_lines,
    wrap,
)
from voting.models import RollEntry, VerifiedIdentity

# The notices that have a letter: the ones that call residents to vote.
LETTER_KINDS = (Kind.VOTING_OPENS, Kind.VOTING_CLOSES)
MAX_LETTERS = 10_000


@dataclass(frozen=True)
class Letter:
    number: int
    address: str
    area: str


def roll_without_email(*, budget_round: BudgetRound):
    """The round's roll entries whose person has no verified account to be e-mailed at."""
    with_account = {
        keys.voter_key(round_id=budget_round.pk, person=person_key)
        for person_key in VerifiedIdentity.objects.filter(
            user__is_active=True, user__email__gt=""
        ).values_list("person_key", flat=True)
    }
    entries = (
        RollEntry.objects.filter(budget_round=budget_round)
        .select_related("area")
        .order_by("address", "pk")
    )
    return [entry for entry in entries if entry.voter_key not in with_account]


def _site_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


def _text(*, budget_round: BudgetRound, kind: str) -> tuple[str, list[str]]:
    """The letter's heading and paragraphs: the e-mail notice's message, for paper."""
    ballot_url = _site_url(reverse("voting:ballot", args=[budget_round.pk]))
    values = {
        "round": budget_round.title,
        "committee": budget_round.committee.name,
        "start": _date(budget_round.voting_start),
        "end": _date(budget_round.voting_end),
        "pot": format_kroner(budget_round.pot),
        "url": ballot_url,
    }
    if kind == Kind.VOTING_OPENS:
        heading = _("Voting opens: %(round)s") % values
        first = (
            _(
                "%(committee)s lets the residents of the area decide how %(pot)s is spent. "
                "You can vote from %(start)s to %(end)s."
            )
            % values
        )
    else:
        heading = _("Voting closes soon: %(round)s") % values
        first = (
            _(
                "There is still time to decide how %(committee)s spends %(pot)s. Voting "
                "closes on %(end)s."
            )
            % values
        )
    return heading, [
        first,
        _("See the projects and vote online at %(url)s, logging in with MitID.") % values,
        _(
            "If you cannot vote online, you can vote in person at the committee's polling "
            "stations and meetings; the dates and places are on the same page."
        ),
        _("You can only vote once in the round, whether online, with a code or in person."),
    ]


def _pdf(*, letters: list[Letter], heading: str, paragraphs: list[str], committee: str) -> bytes:
    """One A4 page per letter: the shared text drawn once (a form XObject), the address apart."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog, pages = add(b""), add(b"")
    fonts = {
        name: add(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"
            % base.encode()
        )
        for name, base in FONTS.items()
    }
    font_refs = b" ".join(b"/%s %d 0 R" % (name.encode(), ref) for name, ref in fonts.items())
    shared = _Page()
    shared.text(MARGIN, 770, committee, font="F2", size=12)
    y = 640.0
    for line_number, line in enumerate(_wrap_heading(heading)):
        shared.text(MARGIN, y - line_number * 26, line, font="F2", size=20)
    y -= 26 * len(_wrap_heading(heading)) + 10
    for paragraph in paragraphs:
        y = shared.paragraph(y, paragraph)
    body = shared.stream()
    letter = add(
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 %d %d] /Resources << /Font << %s >> >> "
        b"/Length %d >>\nstream\n%s\nendstream"
        % (PAGE_WIDTH, PAGE_HEIGHT, font_refs, len(body), body)
    )
    resources = b"<< /Font << %s >> /XObject << /Letter %d 0 R >> >>" % (font_refs, letter)
    kids = []
    for item in letters:
        page = _Page()
        page.ops.append(b"/Letter Do")
        for row, line in enumerate(address_lines(item.address)):
            page.text(ADDRESS_X, 770 - row * 14, line, size=11)
        page.text(
            MARGIN,
            40,
            _("Letter %(number)d of %(total)d") % {"number": item.number, "total": len(letters)},
            size=8,
        )
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
    info = add(b"<< /Title %s /Producer (Borgerbudget) >>" % _info_text(heading))
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


def _wrap_heading(heading: str) -> list[str]:
    return wrap(heading, width=PAGE_WIDTH - 2 * MARGIN, size=20, bold=True)


def _manifest(letters: list[Letter], *, budget_round: BudgetRound, kind: str) -> bytes:
    """One row per letter, in the order of the PDF's pages; UTF-8 with a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            pgettext("notice letters file column", "letter"),
            pgettext("notice letters file column", "address"),
            pgettext("notice letters file column", "area"),
            pgettext("notice letters file column", "notice"),
            pgettext("notice letters file column", "round"),
        ]
    )
    for item in letters:
        writer.writerow(
            [item.number, _cell(item.address), _cell(item.area), kind, _cell(budget_round.title)]
        )
    return buffer.getvalue().encode("utf-8-sig")


def notice_letters(*, budget_round: BudgetRound, kind: str) -> tuple[bytes, int]:
    """The ZIP for the supplier (letters PDF and manifest CSV) and how many letters it holds."""
    if kind not in LETTER_KINDS:
        raise ValueError(f"no letter for the notice {kind!r}")
    entries = roll_without_email(budget_round=budget_round)
    if len(entries) > MAX_LETTERS:
        raise ValueError(f"more than {MAX_LETTERS} letters: split the roll")
    letters = [
        Letter(number=n, address=e.address, area=e.area.name if e.area else "")
        for n, e in enumerate(entries, start=1)
    ]
    with translation.override(settings.LANGUAGE_CODE):
        heading, paragraphs = _text(budget_round=budget_round, kind=kind)
        pdf = _pdf(
            letters=letters,
            heading=heading,
            paragraphs=paragraphs,
            committee=budget_round.committee.name,
        )
        manifest = _manifest(letters, budget_round=budget_round, kind=kind)
    name = f"{kind}-{budget_round.pk}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.pdf", pdf)
        archive.writestr(f"{name}-manifest.csv", manifest)
    return buffer.getvalue(), len(letters)
