"""Letters for those without e-mail: a round's notices on paper, for the print or Digital Post
supplier, built from the voter roll.

Residents with an account hear that voting opens (or closes soon) by e-mail (notices.scheduler).
Everyone else on the round's voter roll gets the same notice as a letter: the roll holds no name
and no e-mail address, only a keyed hash of the person and their address, so "without e-mail"
means a roll entry whose person has not verified their identity with an account (the hash of a
verified identity's person key for this round, `voting.keys.voter_key`, is not among the roll's).

One batch is a ZIP file: one PDF per language with one A4 page per person (the address placed
for a window envelope) and one CSV manifest with one row per page, naming its file and page, for
the supplier. The PDF is drawn by the one letter writer (`frontend.letters`), which the code
letters share, so printing needs no extra dependency. Never a CPR number: the roll does not hold
one.

Each letter is in its recipient's language where it is known, Danish (the municipality's
language) otherwise. The roll holds no language; an account does: a person who verified their
identity with an account that has no e-mail address to write to (none, or closed) is on paper
here, in the language of that account. The manifest is in Danish, for the supplier.

Like the scheduler, this module reads `voting` (the roll and the verified identities), and is
imported by nothing but its command.
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
from frontend.letters import MARGIN, PAGE_WIDTH, Page, csv_cell, letters_pdf, wrap
from frontend.money import format_kroner
from notices.kinds import Kind
from voting import keys
from voting.models import RollEntry, VerifiedIdentity

# The notices that have a letter: the ones that call residents to vote.
LETTER_KINDS = (Kind.VOTING_OPENS, Kind.VOTING_CLOSES)
MAX_LETTERS = 10_000


@dataclass(frozen=True)
class Letter:
    number: int  # the page in its language's PDF
    address: str
    area: str
    language: str


def _identities(*, budget_round: BudgetRound) -> tuple[set[str], dict[str, str]]:
    """The roll's keys of persons with an account to e-mail, and the language of the accounts
    that cannot be e-mailed (no address, or closed), by their roll key."""
    with_email, languages = set(), {}
    for person_key, email, active, language in VerifiedIdentity.objects.values_list(
        "person_key", "user__email", "user__is_active", "user__preferred_language"
    ):
        key = keys.voter_key(round_id=budget_round.pk, person=person_key)
        if active and email:
            with_email.add(key)
        elif language:
            languages[key] = language
    return with_email, languages


def roll_without_email(*, budget_round: BudgetRound):
    """The round's roll entries whose person has no verified account to be e-mailed at."""
    with_email, _languages = _identities(budget_round=budget_round)
    entries = (
        RollEntry.objects.filter(budget_round=budget_round)
        .select_related("area")
        .order_by("address", "pk")
    )
    return [entry for entry in entries if entry.voter_key not in with_email]


def letters_of(*, budget_round: BudgetRound) -> list[Letter]:
    """Each letter with its language: the account's where one is known, else Danish. Numbered
    within each language, in the roll's address order."""
    with_email, languages = _identities(budget_round=budget_round)
    entries = (
        RollEntry.objects.filter(budget_round=budget_round)
        .select_related("area")
        .order_by("address", "pk")
    )
    known = {code for code, _name in settings.LANGUAGES}
    counts: dict[str, int] = {}
    letters = []
    for entry in entries:
        if entry.voter_key in with_email:
            continue
        language = languages.get(entry.voter_key)
        language = language if language in known else settings.LANGUAGE_CODE
        counts[language] = counts.get(language, 0) + 1
        letters.append(
            Letter(
                number=counts[language],
                address=entry.address,
                area=entry.area.name if entry.area else "",
                language=language,
            )
        )
    return letters


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
    """One A4 page per letter: the shared text drawn once, each page its address and number."""
    shared = Page()
    shared.text(MARGIN, 770, committee, font="F2", size=12)
    y = 640.0
    heading_lines = _wrap_heading(heading)
    for line_number, line in enumerate(heading_lines):
        shared.text(MARGIN, y - line_number * 26, line, font="F2", size=20)
    y -= 26 * len(heading_lines) + 10
    for paragraph in paragraphs:
        y = shared.paragraph(y, paragraph)
    pages = []
    for item in letters:
        page = Page()
        page.address(item.address)
        page.text(
            MARGIN,
            40,
            _("Letter %(number)d of %(total)d") % {"number": item.number, "total": len(letters)},
            size=8,
        )
        pages.append(page)
    return letters_pdf(shared=shared, pages=pages, title=heading)


def _wrap_heading(heading: str) -> list[str]:
    return wrap(heading, width=PAGE_WIDTH - 2 * MARGIN, size=20, bold=True)


def _manifest(letters: list[Letter], *, files: dict[str, str], budget_round, kind) -> bytes:
    """One row per letter, by file and page; UTF-8 with a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            pgettext("notice letters file column", "letter"),
            pgettext("notice letters file column", "address"),
            pgettext("notice letters file column", "area"),
            pgettext("notice letters file column", "notice"),
            pgettext("notice letters file column", "round"),
            pgettext("notice letters file column", "language"),
            pgettext("notice letters file column", "file"),
        ]
    )
    for item in letters:
        writer.writerow(
            [
                item.number,
                csv_cell(item.address),
                csv_cell(item.area),
                kind,
                csv_cell(budget_round.title),
                item.language,
                files[item.language],
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def notice_letters(*, budget_round: BudgetRound, kind: str) -> tuple[bytes, int]:
    """The ZIP for the supplier (a letters PDF per language and the manifest CSV) and how many
    letters it holds."""
    if kind not in LETTER_KINDS:
        raise ValueError(f"no letter for the notice {kind!r}")
    letters = letters_of(budget_round=budget_round)
    if len(letters) > MAX_LETTERS:
        raise ValueError(f"more than {MAX_LETTERS} letters: split the roll")
    name = f"{kind}-{budget_round.pk}"
    by_language: dict[str, list[Letter]] = {}
    for item in letters:
        by_language.setdefault(item.language, []).append(item)
    files = {language: f"{name}-{language}.pdf" for language in by_language}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for language, group in by_language.items():
            with translation.override(language):
                heading, paragraphs = _text(budget_round=budget_round, kind=kind)
                archive.writestr(
                    files[language],
                    _pdf(
                        letters=group,
                        heading=heading,
                        paragraphs=paragraphs,
                        committee=budget_round.committee.name,
                    ),
                )
        with translation.override(settings.LANGUAGE_CODE):
            manifest = _manifest(letters, files=files, budget_round=budget_round, kind=kind)
        archive.writestr(f"{name}-manifest.csv", manifest)
    return buffer.getvalue(), len(letters)
