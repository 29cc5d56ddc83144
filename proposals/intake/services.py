"""Taking part without an account: staff enter an idea or a support for a resident.

At a library or citizen service desk a member of the committee's secretariat checks the
resident's ID and enters what the resident asks for. The proposal goes through the same door as
every other (proposals.services: the text is prepared by `proposal_text_prepare`, checked by
`proposal_problems` and numbered by `proposal_number`), so it gets its case number, history and
checks like any other; it simply has no author account. The audit log records who entered it.

What is kept of the resident is what they choose to give, in `AssistedEntry` and
`AssistedSupport` (proposals/models/intake.py), never a CPR number: free text that looks like
one is refused with a message that says why, so a number typed from a health card by habit is
never stored.

Paper idea forms collected at a meeting are imported from a CSV file (docs/intake.md, "Paper
idea forms") with `proposals_import`: every line is checked first and every problem is reported
with its line number; only a file without problems is written, in one transaction.
"""

import csv
import hashlib
import io
import re
import secrets

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committees.models import BudgetRound, Phase
from committees.services import audit_record
from frontend.text import without_control_characters
from proposals.models import (
    AssistedEntry,
    AssistedSupport,
    IntakeChannel,
    Proposal,
    SubmitterKind,
    Support,
)
from proposals.permissions import may_enter_for_residents
from proposals.services import (
    EDITABLE_FIELDS,
    TEXT_LIMITS,
    proposal_number,
    proposal_text_prepare,
    takes_supports,
)
from proposals.validation import proposal_problems

# What is recorded of the resident, and how long it may be (the model's lengths).
RESIDENT_LIMITS = {
    "resident_name": 150,
    "resident_address": 200,
    "resident_contact": 150,
    "place": 120,
}

# A Danish CPR number: DDMMYY, an optional hyphen or space, four digits, not part of a longer
# number. The date must be a possible one (day 1-31, or 61-91 for a substitute number; month
# 1-12), so that an ordinary ten-digit figure is not taken for one.
_CPR = re.compile(r"(?<![\d])(\d{2})(\d{2})\d{2}[- ]?\d{4}(?![\d])")


def looks_like_cpr(text: str) -> bool:
    for match in _CPR.finditer(text or ""):
        day, month = int(match.group(1)), int(match.group(2))
        if (1 <= day <= 31 or 61 <= day <= 91) and 1 <= month <= 12:
            return True
    return False


def cpr_refuse(values: dict) -> None:
    """Refuse every field whose text looks like a CPR number, naming the field."""
    problems = {
        field: _(
            "This looks like a CPR number. Never write a CPR number here: the platform does "
            "not store them. Remove it and try again."
        )
        for field, value in values.items()
        if isinstance(value, str) and looks_like_cpr(value)
    }
    if problems:
        raise ValidationError(problems)


def resident_prepare(data: dict, *, required: tuple[str, ...] = ("resident_name",)) -> dict:
    """What is recorded of the resident: lengths checked, control characters removed, no CPR."""
    problems = {}
    prepared = {}
    for field, limit in RESIDENT_LIMITS.items():
        value = data.get(field) or ""
        if len(value) > limit:
            problems[field] = _("At most %(limit)s characters (you wrote %(count)s).") % {
                "limit": number_format(limit, force_grouping=True),
                "count": number_format(len(value), force_grouping=True),
            }
            continue
        value = " ".join(without_control_characters(value, single_line=True).split())
        if field in required and not value:
            problems[field] = {
                "resident_name": _("Write the name the resident wants recorded."),
                "resident_address": _("Write the resident's address."),
            }[field]
        prepared[field] = value
    if problems:
        raise ValidationError(problems)
    cpr_refuse(prepared)
    return prepared


def resident_key(*, name: str, address: str) -> str:
    """One resident, however the name and address were spelt in case and spaces."""
    normal = "\n".join(" ".join(value.casefold().split()) for value in (name, address))
    return hashlib.sha256(normal.encode()).hexdigest()


def _require_staff(staff, budget_round: BudgetRound) -> None:
    if not may_enter_for_residents(staff, budget_round.committee_id):
        raise PermissionDenied(_("Only the committee's secretariat can enter for residents."))


def _draft_for(*, budget_round: BudgetRound, data: dict) -> Proposal:
    """An unsaved proposal with the resident's idea, to check and then to save."""
    proposal = Proposal(budget_round=budget_round, author=None)
    for field in (*EDITABLE_FIELDS, "checklist_answers"):
        if field in data:
            setattr(proposal, field, data[field])
    return proposal


def _check(*, budget_round: BudgetRound, data: dict, resident: dict) -> tuple[dict, dict]:
    """Everything checked before anything is written: the idea, the resident, no CPR number."""
    problems: dict[str, list[str]] = {}
    for step in ("resident", "proposal"):
        try:
            if step == "resident":
                resident = resident_prepare(resident)
            else:
                data = proposal_text_prepare(data)
                cpr_refuse({f: data.get(f) for f in TEXT_LIMITS})
                found = proposal_problems(_draft_for(budget_round=budget_round, data=data))
                if found:
                    raise ValidationError(found)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                problems.setdefault(field, []).extend(messages)
    if problems:
        raise ValidationError(problems)
    return data, resident


def _round_takes_ideas(budget_round: BudgetRound) -> None:
    if budget_round.phase != Phase.IDEAS:
        raise ValidationError(_("The round does not take proposals now."), code="deadline")


def _enter(
    *, staff, budget_round: BudgetRound, data: dict, resident: dict, channel: str
) -> Proposal:
    """Write one checked proposal and its entry; the caller holds the transaction."""
    proposal = _draft_for(budget_round=budget_round, data=data)
    proposal.random_key = secrets.randbelow(2**31)  # as proposal_draft_save gives every one
    proposal.save()
    proposal = (
        Proposal.objects.select_for_update().select_related("budget_round").get(pk=proposal.pk)
    )
    proposal_number(proposal=proposal, actor=staff)
    entry = AssistedEntry.objects.create(
        proposal=proposal,
        channel=channel,
        place=resident.get("place", ""),
        resident_name=resident["resident_name"],
        resident_address=resident.get("resident_address", ""),
        resident_contact=resident.get("resident_contact", ""),
        entered_by=staff,
    )
    # The audit log is append-only and kept for good: it names the member of staff and the
    # entry, never the resident, whose details can then be erased with the entry.
    audit_record(
        actor=staff,
        action="proposal.entered_for_resident",
        obj=proposal,
        committee_id=budget_round.committee_id,
        data={"channel": channel, "entry": entry.pk, "case_number": proposal.case_number},
    )
    return proposal


def proposal_enter_for_resident(
    *,
    staff,
    budget_round: BudgetRound,
    data: dict,
    resident: dict,
    channel: str = IntakeChannel.DESK,
) -> Proposal:
    """Enter a resident's idea at a desk: checked, numbered and submitted at once.

    `data` holds the proposal's fields (proposals.services.EDITABLE_FIELDS and the checklist
    answers); `resident` the resident_name, resident_address, resident_contact and place.
    """
    _require_staff(staff, budget_round)
    _round_takes_ideas(budget_round)
    data, resident = _check(budget_round=budget_round, data=data, resident=resident)
    with transaction.atomic():
        return _enter(
            staff=staff, budget_round=budget_round, data=data, resident=resident, channel=channel
        )


def _email_refused(message: str, *, code: str) -> ValidationError:
    return ValidationError({"resident_email": ValidationError(message, code=code)})


def resident_account(*, email: str):
    """The active account whose verified e-mail address the resident gave at the desk, or None.

    An address alone, unverified, could be anyone's: only a verified one names an account."""
    address = EmailAddress.objects.filter(
        email__iexact=email.strip(), verified=True, user__is_active=True
    ).first()
    return address.user if address else None


def support_enter_for_resident(
    *,
    staff,
    proposal: Proposal,
    resident_name: str,
    resident_address: str,
    place: str = "",
    resident_email: str = "",
) -> bool:
    """Enter a support for a resident whose ID and address staff checked. True when it was
    added, False when this resident (by name and address, or by account) already supports the
    proposal at a desk.

    A resident with an account gives its e-mail address: the support is tied to the account,
    and refused, with a message for staff, when the account already supports the proposal
    online (one person counts once). The proposal's row is locked while both are checked and
    written, as `proposals.services.support_add` does, so a desk and an online support of the
    same person at the same moment cannot both count.
    """
    budget_round = proposal.budget_round
    _require_staff(staff, budget_round)
    resident = resident_prepare(
        {"resident_name": resident_name, "resident_address": resident_address, "place": place},
        required=("resident_name", "resident_address"),
    )
    account = None
    if resident_email.strip():
        account = resident_account(email=resident_email)
        if account is None:
            raise _email_refused(
                _(
                    "No account has this verified e-mail address. Leave the field empty if the "
                    "resident has no account."
                ),
                code="no_account",
            )
        if account.pk == proposal.author_id:
            raise _email_refused(
                _("This resident wrote the proposal and cannot support it."), code="own_proposal"
            )
    # The same rule as online (`takes_supports`): no support for a proposal a moderator hid, nor
    # for a grant application, which the committee decides.
    if not takes_supports(proposal):
        raise ValidationError(_("This proposal cannot be supported."))
    if budget_round.phase not in (Phase.IDEAS, Phase.REVIEW):
        raise ValidationError(_("Supports are collected until the review ends."))
    try:
        with transaction.atomic():
            Proposal.objects.select_for_update().filter(pk=proposal.pk).first()
            if account and Support.objects.filter(user=account, proposal=proposal).exists():
                raise _email_refused(
                    _(
                        "This resident already supports %(case)s online with their account: a "
                        "person counts once, so nothing was recorded."
                    )
                    % {"case": proposal.case_number},
                    code="supported_online",
                )
            support = AssistedSupport.objects.create(
                proposal=proposal,
                resident_name=resident["resident_name"],
                resident_address=resident["resident_address"],
                resident_key=resident_key(
                    name=resident["resident_name"], address=resident["resident_address"]
                ),
                account=account,
                place=resident["place"],
                entered_by=staff,
            )
            Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
            audit_record(
                actor=staff,
                action="support.entered_for_resident",
                obj=support,
                committee_id=budget_round.committee_id,
                data={
                    "proposal": proposal.pk,
                    "case_number": proposal.case_number,
                    "account": account is not None,
                },
            )
    except IntegrityError:
        return False
    return True


# --- Paper idea forms: the CSV import ---------------------------------------------------------

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 500

# Column -> field. Danish names as the forms and the documentation use them; the English names
# are accepted too. Documented in docs/intake.md, "Paper idea forms".
COLUMNS = {
    "titel": "title",
    "title": "title",
    "resume": "summary",
    "summary": "summary",
    "beskrivelse": "description",
    "description": "description",
    "pris": "estimated_cost",
    "estimated_cost": "estimated_cost",
    "sted": "location_text",
    "location": "location_text",
    "kategori": "category",
    "category": "category",
    "indsendt_som": "submitter_kind",
    "submitted_as": "submitter_kind",
    "organisation": "organisation_name",
    "kontaktperson": "contact_person",
    "contact_person": "contact_person",
    "tjekliste": "checklist",
    "checklist": "checklist",
    "navn": "resident_name",
    "name": "resident_name",
    "adresse": "resident_address",
    "address": "resident_address",
    "kontakt": "resident_contact",
    "contact": "resident_contact",
}
REQUIRED_COLUMNS = {"title", "resident_name"}
# The columns as the import page and docs/intake.md describe them (Danish name first).
DOCUMENTED_COLUMNS = [
    ("titel", gettext_lazy("Required. The proposal's title, at most 120 characters.")),
    ("resume", gettext_lazy("A short summary, at most 300 characters.")),
    (
        "beskrivelse",
        gettext_lazy("The description, at most 10,000 characters; line breaks are kept."),
    ),
    ("pris", gettext_lazy("Estimated cost in whole kroner: 25000, 25.000 or 25.000 kr.")),
    ("sted", gettext_lazy("Address or place, at most 200 characters.")),
    ("kategori", gettext_lazy("One of the round's categories, by its name.")),
    (
        "indsendt_som",
        gettext_lazy("borger (the default), forening, frivilliggruppe or virksomhed."),
    ),
    (
        "organisation",
        gettext_lazy("The organisation's name, when it is not a resident's proposal."),
    ),
    ("kontaktperson", gettext_lazy("The organisation's contact person.")),
    (
        "tjekliste",
        gettext_lazy("The round's checklist answers in order, ja or nej, separated by |."),
    ),
    ("navn", gettext_lazy("Required. The resident's name as they wrote it. Never a CPR number.")),
    ("adresse", gettext_lazy("The resident's address, if they gave it.")),
    ("kontakt", gettext_lazy("Phone or e-mail, if the resident wants to be reached.")),
]
SUBMITTER_KINDS = {
    "borger": SubmitterKind.RESIDENT,
    "forening": SubmitterKind.ASSOCIATION,
    "frivilliggruppe": SubmitterKind.VOLUNTEER_GROUP,
    "frivillig gruppe": SubmitterKind.VOLUNTEER_GROUP,
    "virksomhed": SubmitterKind.BUSINESS,
    **{kind.value: kind.value for kind in SubmitterKind},
}
YES = {"ja", "yes", "j", "y", "x"}
NO = {"nej", "no", "n"}
RESIDENT_FIELDS = ("resident_name", "resident_address", "resident_contact")


def _decode(content: bytes) -> str:
    """UTF-8 with or without a byte order mark; Danish Excel's "CSV (semikolonsepareret)" is
    Windows-1252, which is read when the file is not UTF-8."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError:
            raise ValidationError(
                _("The file is not a text file in UTF-8. In Excel, save it as CSV UTF-8.")
            ) from None


def _cost(text: str) -> int | None:
    """'25000', '25.000', '25 000 kr.', '25.000,00' -> 25000; None when empty."""
    text = text.strip().lower().removesuffix("kr.").removesuffix("kr").strip()
    if not text:
        return None
    text = re.sub(r",0{1,2}$", "", text).replace(".", "").replace(" ", "").replace("\xa0", "")
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def _line_data(row: dict, *, budget_round: BudgetRound, categories: dict, checklist: list):
    """One line's fields as the services take them, and the problems of its cells, by field."""
    problems: dict[str, str] = {}
    data: dict = dict.fromkeys(TEXT_LIMITS, "")
    data["submitter_kind"] = SubmitterKind.RESIDENT
    resident = {"place": ""}
    for field, value in row.items():
        value = (value or "").strip()
        if field in RESIDENT_FIELDS:
            resident[field] = value
        elif field == "estimated_cost":
            try:
                data[field] = _cost(value)
            except ValueError:
                problems[field] = _("Write the cost as a whole number of kroner, e.g. 25000.")
        elif field == "category":
            if value:
                category = categories.get(value.casefold())
                if category is None:
                    problems[field] = _("“%(name)s” is not one of this round's categories.") % {
                        "name": value[:60]
                    }
                data["category"] = category
        elif field == "submitter_kind":
            kind = SUBMITTER_KINDS.get(value.casefold() or "borger")
            if kind is None:
                problems[field] = _(
                    "Write borger, forening, frivilliggruppe or virksomhed, not “%(value)s”."
                ) % {"value": value[:60]}
            data[field] = kind or SubmitterKind.RESIDENT
        elif field == "checklist":
            answers = [a.strip().casefold() for a in value.split("|")] if value else []
            if checklist and len(answers) != len(checklist):
                problems[field] = _(
                    "Answer each of the round's %(count)s checklist questions with ja or nej, "
                    "separated by |."
                ) % {"count": len(checklist)}
            elif any(a not in YES | NO for a in answers):
                problems[field] = _("Answer each checklist question with ja or nej.")
            else:
                data["checklist_answers"] = {
                    str(item.pk): answer in YES
                    for item, answer in zip(checklist, answers, strict=False)
                }
        else:
            data[field] = value
    return data, resident, problems


# Field names in import messages: the column the staff member wrote.
def _column_label(field: str) -> str:
    for column, target in COLUMNS.items():
        if target == field:
            return column
    if field == "checklist_answers":
        return "tjekliste"
    return field


def import_rows(*, content: bytes) -> tuple[list[tuple[int, dict]], list[str]]:
    """The file's lines as (line number, {field: text}); problems with the file as a whole."""
    if len(content) > MAX_IMPORT_BYTES:
        return [], [_("The file is larger than 2 MB. Split it into smaller files.")]
    try:
        text = _decode(content)
    except ValidationError as exc:
        return [], exc.messages
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return [], [_("The file is empty.")]
    columns = [c.strip().casefold().replace(" ", "_") for c in header]
    unknown = [c for c in columns if c and c not in COLUMNS]
    if unknown:
        return [], [
            _("Line 1: unknown column “%(column)s”. The columns are described in the guide.")
            % {"column": name[:60]}
            for name in unknown
        ]
    fields = [COLUMNS.get(c) for c in columns]
    missing = REQUIRED_COLUMNS - set(fields)
    if missing:
        return [], [
            _("Line 1: the column “%(column)s” is missing.") % {"column": _column_label(f)}
            for f in sorted(missing)
        ]
    rows, problems = [], []
    line = reader.line_num + 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(fields):
                problems.append(
                    _("Line %(line)s: more cells than the header has columns.") % {"line": start}
                )
                continue
            rows.append((start, {f: c for f, c in zip(fields, cells, strict=False) if f}))
            if len(rows) > MAX_IMPORT_ROWS:
                return [], [
                    _("More than %(count)s lines: split the file.") % {"count": MAX_IMPORT_ROWS}
                ]
    except csv.Error:
        problems.append(_("Line %(line)s: a quotation mark is not closed.") % {"line": line})
    if not rows and not problems:
        problems.append(_("The file has no lines after the header."))
    return rows, problems


def proposals_import(
    *, staff, budget_round: BudgetRound, content: bytes, place: str = ""
) -> list[Proposal]:
    """Import paper idea forms: all lines or none. Every problem names its line and column."""
    _require_staff(staff, budget_round)
    _round_takes_ideas(budget_round)
    rows, problems = import_rows(content=content)
    if problems:
        raise ValidationError(problems)
    categories = {c.name.casefold(): c for c in budget_round.categories.all()}
    checklist = list(budget_round.checklist.all())
    checked = []
    for line, row in rows:
        data, resident, found = _line_data(
            row, budget_round=budget_round, categories=categories, checklist=checklist
        )
        found = {field: [message] for field, message in found.items()}
        try:
            checked.append(
                _check(budget_round=budget_round, data=data, resident={**resident, "place": place})
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field not in found:  # the cell's own problem says more than the rule's
                    found[field] = messages
        problems.extend(
            _("Line %(line)s, %(column)s: %(message)s")
            % {"line": line, "column": _column_label(field), "message": message}
            for field, messages in found.items()
            for message in messages
        )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        return [
            _enter(
                staff=staff,
                budget_round=budget_round,
                data=data,
                resident=resident,
                channel=IntakeChannel.PAPER,
            )
            for data, resident in checked
        ]
