"""Small factories for tests: plain functions over the services, no extra dependency."""

import datetime
import io
import itertools
import json
import struct
import zlib

from allauth.account.models import EmailAddress
from django.utils import timezone

from committees import services
from committees.models import BudgetRound, Committee, District, Meeting, User

_counter = itertools.count(1)
PASSWORD = "a-long-test-password-1"  # every factory user's password


def user(*, email: str | None = None, verified: bool = True, **fields) -> User:
    email = email or f"person{next(_counter)}@example.dk"
    person = User.objects.create_user(email=email, password=PASSWORD, **fields)
    EmailAddress.objects.create(user=person, email=email, verified=verified, primary=True)
    return person


def district(name: str = "Østerbro") -> District:
    obj, _ = District.objects.get_or_create(name=name, defaults={"slug": f"d-{next(_counter)}"})
    return obj


def committee(name: str | None = None, *, district_name: str = "Østerbro") -> Committee:
    name = name or f"Lokaludvalg {next(_counter)}"
    return services.committee_create(
        name=name, slug=f"lu-{next(_counter)}", district=district(district_name)
    )


PHASES_IN_ORDER = ["ideas", "review", "voting", "results", "implementation"]


def round_dates(
    *, phase: str = "ideas", now: datetime.datetime | None = None
) -> dict[str, datetime.datetime]:
    """Contiguous phases of ten days each, placed so that `phase` is the current one."""
    now = now or timezone.now()
    day10 = datetime.timedelta(days=10)
    if phase == "upcoming":
        start = now + day10
    else:
        start = now - datetime.timedelta(days=5) - day10 * PHASES_IN_ORDER.index(phase)
    dates = {"ideas_start": start, "ideas_end": start + day10}
    dates["review_start"] = dates["ideas_end"]
    dates["review_end"] = dates["review_start"] + day10
    dates["voting_start"] = dates["review_end"]
    dates["voting_end"] = dates["voting_start"] + day10
    dates["results_start"] = dates["voting_end"]
    dates["implementation_start"] = dates["results_start"] + day10
    return dates


def budget_round(*, committee: Committee, phase: str = "ideas", **fields) -> BudgetRound:
    values = {
        "title": f"Runde {next(_counter)}",
        "slug": f"runde-{next(_counter)}",
        "pot": 500_000,
        "min_cost": 1_000,
        "max_cost": 100_000,
        **round_dates(phase=phase),
        **fields,
    }
    return BudgetRound.objects.create(committee=committee, **values)


def ideas_round(*, committee: Committee, **fields) -> BudgetRound:
    """A round open for ideas with what the proposal form asks about: a category ("Grønt") and
    a checklist question ("Åben for alle?")."""
    ideas = budget_round(committee=committee, phase="ideas", **fields)
    ideas.categories.create(name="Grønt")
    ideas.checklist.create(text="Åben for alle?")
    ideas.save()  # the round is a cluster: its categories and checklist are stored on save
    return ideas


def meeting(*, committee: Committee, days_from_now: int = 7, **fields) -> Meeting:
    starts = timezone.now() + datetime.timedelta(days=days_from_now)
    values = {
        "title": f"Møde {next(_counter)}",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "venue_name": "Østerbro Bibliotek",
        "venue_address": "Dag Hammarskjølds Allé 19, 2100 København Ø",
        **fields,
    }
    return Meeting.objects.create(committee=committee, **values)


def proposal(
    *, budget_round: BudgetRound, author: User | None = None, state: str = "draft", **fields
):
    """A complete proposal, submitted through the service when `state` is not draft."""
    from proposals import services as proposal_services
    from proposals.models import Proposal

    author = author or user()
    values = {
        "title": f"Forslag {next(_counter)}",
        "summary": "Et kort resumé.",
        "description": "En lang beskrivelse.",
        "estimated_cost": 10_000,
        "location_text": "Fælledparken",
        "checklist_answers": {str(i.pk): True for i in budget_round.checklist.all()},
        **fields,
    }
    if "category" not in values and budget_round.categories.exists():
        values["category"] = budget_round.categories.first()
    if state == "draft":
        return proposal_services.proposal_draft_save(
            author=author, budget_round=budget_round, data=values
        )
    obj = Proposal.objects.create(
        budget_round=budget_round,
        author=author,
        state=state,
        case_number=f"T-{next(_counter)}",
        submitted_at=timezone.now(),
        random_key=next(_counter),
        **values,
    )
    return obj


def proposal_form_data(budget_round: BudgetRound, **overrides) -> dict:
    """What a resident types into the proposal form for a complete proposal."""
    item = budget_round.checklist.first()
    data = {
        "submitter_kind": "resident",
        "title": "Legeplads i gården",
        "summary": "En ny legeplads.",
        "description": "Børnene mangler et sted at lege.",
        "estimated_cost": "40000",
        "category": str(budget_round.categories.first().pk),
        "location_text": "Øster Allé 1",
        f"check_{item.pk}": "yes",
    }
    data.update(overrides)
    return data


def funded_proposal(*, budget_round: BudgetRound, author: User | None = None, **fields):
    """A proposal that went through the ballot and was selected by the system: it is tracked."""
    from proposals import services as proposal_services

    feasible = proposal(budget_round=budget_round, author=author, state="feasible", **fields)
    return proposal_services.proposal_transition_by_system(proposal=feasible, target="selected")


def staff(*, committee: Committee, role: str, person: User | None = None, **fields) -> User:
    """A person (new, or `person`) with `role` ("moderator", "reviewer", "host",
    "polling_staff") in `committee`, granted through the service with the admin access that
    goes with it."""
    person = person or user(**fields)
    services.committee_role_grant(user=person, committee=committee, role=role)
    return person


def moderator(*, committee: Committee, **fields) -> User:
    return staff(committee=committee, role="moderator", **fields)


def reviewer(*, committee: Committee, budget_round: BudgetRound | None = None, **fields) -> User:
    """A reviewer of `committee`, and of `budget_round` when one is given."""
    person = staff(committee=committee, role="reviewer", **fields)
    if budget_round is not None:
        budget_round.reviewers.add(person)
    return person


def meeting_host(*, committee: Committee, **fields) -> User:
    """A person with the meeting-host role in `committee`."""
    return staff(committee=committee, role="host", **fields)


def polling_staff(*, committee: Committee, **fields) -> User:
    return staff(committee=committee, role="polling_staff", **fields)


def verified_identity(
    *,
    user: User,
    area: District | None,
    national_id: str | None = None,
    birth_date: datetime.date = datetime.date(1990, 1, 1),
    subject: str | None = None,
):
    """What a MitID login leaves behind: `user` is verified as a resident of `area`."""
    from voting.identity.services import identity_verify

    return identity_verify(
        user=user,
        provider="mitid-test",
        subject=subject or f"s-{user.pk}",
        national_id=national_id or f"0101{user.pk:06d}",
        birth_date=birth_date,
        area=area,
    )


def verified_voter(
    *,
    area: District | None,
    national_id: str | None = None,
    birth_date: datetime.date = datetime.date(1990, 1, 1),
    **fields,
) -> User:
    """A new resident of `area` who has verified their identity."""
    person = user(**fields)
    verified_identity(user=person, area=area, national_id=national_id, birth_date=birth_date)
    return person


THREE_PROJECTS = (("Bænke", 30_000), ("Legeplads", 60_000), ("Træer", 40_000))


def voting_round(
    *,
    committee: Committee,
    ballot_style: str = "knapsack",
    projects: tuple[tuple[str, int], ...] = THREE_PROJECTS,
    **fields,
) -> BudgetRound:
    """A round in its voting phase with feasible projects on the ballot: by default a knapsack
    vote on 30,000 + 60,000 + 40,000 kr. for a 100,000 kr. pot."""
    values = {"pot": 100_000, "max_cost": 100_000, **fields}
    vote = budget_round(committee=committee, phase="voting", ballot_style=ballot_style, **values)
    for title, cost in projects:
        proposal(budget_round=vote, state="feasible", title=title, estimated_cost=cost)
    return vote


def voting_closes(budget_round: BudgetRound) -> None:
    """The clock passes the end of voting: `budget_round` is refreshed in its results phase."""
    now = timezone.now()
    BudgetRound.objects.filter(pk=budget_round.pk).update(
        voting_end=now - datetime.timedelta(minutes=1),
        results_start=now - datetime.timedelta(minutes=1),
        implementation_start=now + datetime.timedelta(days=10),
    )
    budget_round.refresh_from_db()
    assert budget_round.phase == "results"


def tally_threshold(*, budget_round: BudgetRound, ballots: int) -> None:
    """The round's running tally shows once it has `ballots` ballots (min_ballots_for_tally)."""
    from voting.models import VotingConfig

    VotingConfig.objects.update_or_create(
        budget_round=budget_round, defaults={"min_ballots_for_tally": ballots}
    )


def grant_pool(*, committee: Committee, pot: int = 200_000, deadlines: int = 1, **fields):
    """A round decided by the committee, open for applications, with deadlines and meetings."""
    values = {"decision_method": "committee", "pot": pot, "min_cost": 500, "max_cost": pot}
    values.update(fields)
    pool = budget_round(committee=committee, **values)
    pool.checklist.create(text="Aktiviteten er åben for alle.", sort_order=0)
    pool.save()  # modelcluster writes the child rows when the parent is saved
    from committees.models import ApplicationDeadline

    for index in range(deadlines):
        decider = meeting(committee=committee, days_from_now=10 + 30 * index)
        ApplicationDeadline.objects.create(
            budget_round=pool,
            closes_at=decider.starts_at - datetime.timedelta(days=7),
            meeting=decider,
        )
    return pool


def grant_application(
    *,
    pool: BudgetRound,
    author: User | None = None,
    submit: bool = True,
    expenses: int = 30_000,
    income: int = 5_000,
):
    """A complete grant application (budget: one expense line, one income line)."""
    from proposals.grants import services as grant_services
    from proposals.grants.services import Line

    author = author or user()
    lines = [Line("expense", "Leje af scene", expenses)]
    if income:
        lines.append(Line("income", "Billetsalg", income))
    application = grant_services.grant_application_save(
        author=author,
        budget_round=pool,
        proposal_data={
            "title": f"Gadefest {next(_counter)}",
            "summary": "En gadefest for hele kvarteret.",
            "description": "Musik, mad og lege for alle naboer.",
            "location_text": "Rosenvængets Allé",
            "submitter_kind": "association",
            "organisation_name": "Rosenvængets Beboerforening",
            "contact_person": "Mette Hansen",
            "checklist_answers": {str(i.pk): True for i in pool.checklist.all()},
        },
        grant_data={
            "applicant_name": "Rosenvængets Beboerforening",
            "contact_name": "Mette Hansen",
            "contact_email": "mette@example.dk",
            "activity_date": timezone.localdate() + datetime.timedelta(days=60),
            "advertising": "Opslag i opgangene og på Facebook.",
            "volunteers": "Tyve naboer står for boder og oprydning.",
        },
        lines=lines,
    )
    if submit:
        application = grant_services.grant_application_submit(
            author=author, application=application
        )
    return application


def deciding_meeting_begins(application) -> None:
    """The meeting that decides a grant application (the one whose agenda it is on, else its
    deadline's) starts now (moved, as time passes): its decision can be recorded from the
    meeting's start."""
    from committees.models import Meeting
    from proposals.models import GrantApplication

    now = timezone.now()
    application = GrantApplication.objects.select_related("agenda_item").get(pk=application.pk)
    if application.agenda_item is not None:
        meeting = Meeting.objects.get(pk=application.agenda_item.meeting_id)
    else:
        meeting = Meeting.objects.get(application_deadlines__applications=application)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - datetime.timedelta(minutes=1),
        ends_at=max(meeting.ends_at, now + datetime.timedelta(hours=1)),
    )


def grant_to_decision(
    *,
    application,
    secretariat: User,
    working_group: User | None = None,
    recommendation: str = "full",
    reason: str = "Godt for kvarteret.",
):
    """`application` checked, recommended (by `working_group`, else the secretariat), on its
    deciding meeting's agenda and that meeting begun; returns what the agenda step returned."""
    from proposals.grants import services as grant_services

    grant_services.grant_completeness_check(
        actor=secretariat, application=application, complete=True
    )
    grant_services.grant_recommend(
        actor=working_group or secretariat,
        application=application,
        recommendation=recommendation,
        reason=reason,
    )
    on_agenda = grant_services.grant_put_on_agenda(actor=secretariat, application=application)
    deciding_meeting_begins(application)
    return on_agenda


def grant_form_data(pool: BudgetRound, **overrides) -> dict:
    """What an applicant types into the grant application form: complete, with a budget of
    two expenses and one income (12,000 + 3,000 - 2,000 kr.). An override of None leaves the
    field out."""
    item = pool.checklist.first()
    data = {
        "submitter_kind": "association",
        "applicant_name": "Rosenvængets Beboerforening",
        "contact_name": "Mette Hansen",
        "contact_email": "mette@example.dk",
        "title": "Gadefest",
        "summary": "En gadefest for alle.",
        "description": "Musik og mad.",
        "activity_date": (timezone.localdate() + datetime.timedelta(days=40)).isoformat(),
        "location_text": "Rosenvængets Allé",
        "advertising": "Opslag i opgangene.",
        "volunteers": "Naboer står for boderne.",
        f"check_{item.pk}": "yes",
        "budget-TOTAL_FORMS": "3",
        "budget-INITIAL_FORMS": "0",
        "budget-0-kind": "expense",
        "budget-0-text": "Scene",
        "budget-0-amount": "12000",
        "budget-1-kind": "expense",
        "budget-1-text": "Lyd",
        "budget-1-amount": "3000",
        "budget-2-kind": "income",
        "budget-2-text": "Billetter",
        "budget-2-amount": "2000",
        "submit": "1",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def letter_codes(*, budget_round: BudgetRound, count: int, batch: str = "Breve") -> list[str]:
    """`count` letter codes of `budget_round`, each bound to a new person on its voter roll
    (born 31 December 1979, so old enough for any round)."""
    from voting.codes.services import codes_issue_from_roll
    from voting.roll.services import roll_import

    rows = [
        {
            "cpr": f"311279{next(_counter) % 10_000:04d}",
            "birth_date": "1979-12-31",
            "address": f"Testvej {n}, 2100 København Ø",
            "area": budget_round.committee.name,  # its committee area
        }
        for n in range(1, count + 1)
    ]
    roll_import(budget_round=budget_round, rows=rows)
    return [letter.code for letter in codes_issue_from_roll(budget_round=budget_round, batch=batch)]


# The round admin form's category and checklist inlines, posted with no rows.
ROUND_ADMIN_INLINES_EMPTY = {
    f"{inline}-{count}": value
    for inline in ("categories", "checklist")
    for count, value in (
        ("TOTAL_FORMS", 0),
        ("INITIAL_FORMS", 0),
        ("MIN_NUM_FORMS", 0),
        ("MAX_NUM_FORMS", 1000),
    )
}


def meeting_admin_form(meeting: Meeting, *, agenda_items=(), **overrides) -> dict:
    """The admin's meeting edit form as posted, unchanged but for `overrides`; `agenda_items`
    are (item, {part: new text}) pairs, posted in that order."""
    data = {
        "committee": meeting.committee_id,
        "title": meeting.title,
        "starts_at": meeting.starts_at.strftime("%Y-%m-%d %H:%M"),
        "ends_at": meeting.ends_at.strftime("%Y-%m-%d %H:%M"),
        "venue_name": meeting.venue_name,
        "venue_address": meeting.venue_address,
        "venue_kind": meeting.venue_kind,
        "is_public": "on" if meeting.is_public else "",
        "budget_round": meeting.budget_round_id or "",
        "minutes": json.dumps({"blocks": [], "entityMap": {}}),
        "attachments-TOTAL_FORMS": 0,
        "attachments-INITIAL_FORMS": 0,
        "attachments-MIN_NUM_FORMS": 0,
        "attachments-MAX_NUM_FORMS": 1000,
    }
    data.update(
        {
            "agenda_items-TOTAL_FORMS": len(agenda_items),
            "agenda_items-INITIAL_FORMS": len(agenda_items),
            "agenda_items-MIN_NUM_FORMS": 0,
            "agenda_items-MAX_NUM_FORMS": 1000,
        }
    )
    parts = ("title", "recommendation", "problem", "solution", "economy", "decision")
    for index, (item, changes) in enumerate(agenda_items):
        fields = {"id": item.pk, "ORDER": index + 1, "DELETE": ""}
        fields.update({part: getattr(item, part) for part in parts}, **changes)
        data.update({f"agenda_items-{index}-{name}": value for name, value in fields.items()})
    data.update(overrides)
    return data


def one_page_pdf(*, width: int = 595, height: int = 842) -> bytes:
    """A real one-page PDF (A4 by default): the upload rules read PDFs with a parser."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=width, height=height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_header_only(*, width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height`, with almost no pixel data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
