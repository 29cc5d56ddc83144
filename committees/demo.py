"""Demo data of the committees app: Copenhagen's districts, committees and one account per role.

Idempotent: everything is looked up by a natural key before it is created.
"""

import datetime
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from committees import services
from committees.areas import addresses_import, areas_import
from committees.models import (
    Address,
    ApplicationDeadline,
    Area,
    BudgetRound,
    Committee,
    CommitteeRole,
    District,
    Meeting,
    User,
    VenueKind,
)

# Copenhagen's 10 districts (bydele) and 12 local committees (lokaludvalg).
COPENHAGEN = {
    "Indre By": ["Indre By Lokaludvalg", "Christianshavns Lokaludvalg"],
    "Østerbro": ["Østerbro Lokaludvalg"],
    "Nørrebro": ["Nørrebro Lokaludvalg"],
    "Vesterbro/Kongens Enghave": ["Vesterbro Lokaludvalg", "Kongens Enghave Lokaludvalg"],
    "Valby": ["Valby Lokaludvalg"],
    "Vanløse": ["Vanløse Lokaludvalg"],
    "Brønshøj-Husum": ["Brønshøj-Husum Lokaludvalg"],
    "Bispebjerg": ["Bispebjerg Lokaludvalg"],
    "Amager Øst": ["Amager Øst Lokaludvalg"],
    "Amager Vest": ["Amager Vest Lokaludvalg"],
}

DEMO_COMMITTEE = "Østerbro Lokaludvalg"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role_label: str
    committee_role: str | None = None
    superuser: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("beboer@demo.borgerbudget.dk", "Bente Beboer", "resident"),
    DemoAccount("forening@demo.borgerbudget.dk", "Frederik Forening", "association representative"),
    DemoAccount(
        "moderator@demo.borgerbudget.dk",
        "Mona Moderator",
        "committee moderator",
        CommitteeRole.Role.MODERATOR,
    ),
    DemoAccount(
        "sagsbehandler@demo.borgerbudget.dk",
        "Rasmus Reviewer",
        "administration reviewer",
        CommitteeRole.Role.REVIEWER,
    ),
    DemoAccount(
        "moedeleder@demo.borgerbudget.dk",
        "Mette Mødeleder",
        "meeting host",
        CommitteeRole.Role.HOST,
    ),
    DemoAccount(
        "valgstyrer@demo.borgerbudget.dk",
        "Peter Valgstyrer",
        "polling staff",
        CommitteeRole.Role.POLLING_STAFF,
    ),
    DemoAccount("admin@demo.borgerbudget.dk", "Anna Admin", "site admin", superuser=True),
]


def danish_slug(text: str) -> str:
    """'Østerbro Lokaludvalg' -> 'oesterbro-lokaludvalg' (slugify alone would drop the ø)."""
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
    return slugify(text.translate(table).replace("/", " "))


def logins_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-logins.json"


def _read_passwords() -> dict[str, str]:
    try:
        return json.loads(logins_file().read_text())
    except (FileNotFoundError, ValueError):
        return {}


def _write_passwords(passwords: dict[str, str]) -> None:
    path = logins_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(json.dumps(passwords, indent=2, ensure_ascii=False))


def seed_places() -> dict[str, Committee]:
    committees = {}
    for district_name, committee_names in COPENHAGEN.items():
        district, _ = District.objects.get_or_create(
            slug=danish_slug(district_name), defaults={"name": district_name}
        )
        for name in committee_names:
            committee, _ = Committee.objects.get_or_create(
                slug=danish_slug(name), defaults={"name": name, "district": district}
            )
            # Its own area, as `committee_create` gives every committee: residents are placed
            # in it by postcode or address, and its rounds admit them.
            Area.objects.get_or_create(
                committee=committee,
                kind=Area.Kind.COMMITTEE,
                defaults={"name": name, "slug": committee.slug},
            )
            committees[name] = committee
    seed_boundaries()
    return committees


DEMO_AREAS_FILE = Path(__file__).resolve().parent / "data" / "demo_areas.geojson"
DEMO_ADDRESSES_FILE = Path(__file__).resolve().parent / "data" / "demo_addresses.csv"


def seed_boundaries() -> None:
    """Simplified outlines of the committee areas and a few addresses (the test persons'), so the
    demo draws its maps and places residents by address as a real installation does. Only where
    no boundary or address has been loaded: real data imported with `area_import` or
    `address_import` is never replaced by the demo's approximations."""
    if not Area.objects.filter(kind=Area.Kind.COMMITTEE, boundary__isnull=False).exists():
        areas_import(collection=json.loads(DEMO_AREAS_FILE.read_text("utf-8")), demo=True)
    if not Address.objects.exists():
        with DEMO_ADDRESSES_FILE.open(encoding="utf-8") as lines:
            addresses_import(lines=lines, demo=True)


def seed_accounts(committee: Committee) -> list[tuple[DemoAccount, str]]:
    passwords = _read_passwords()
    logins = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email__iexact=account.email).first()
        password = passwords.get(account.email)
        if user is None or password is None or not user.check_password(password):
            password = secrets.token_urlsafe(9)
            passwords[account.email] = password
        if user is None:
            user = User(
                email=account.email,
                display_name=account.display_name,
                is_staff=account.superuser or account.committee_role is not None,
                is_superuser=account.superuser,
            )
        if not user.check_password(password):
            user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        if account.committee_role:
            services.committee_role_grant(
                user=user, committee=committee, role=account.committee_role
            )
        logins.append((account, password))
    _write_passwords(passwords)
    return logins


VENUES = [
    ("Kulturhuset", VenueKind.CULTURE_HOUSE),
    ("Biblioteket", VenueKind.LIBRARY),
    ("Skolen, festsalen", VenueKind.SCHOOL),
]

# Offsets in days from today of each round's phases, so that the demo always has one round in
# every phase: (title, offset of ideas_start).
ROUND_PHASE_OFFSETS = [
    ("upcoming", 20),
    ("ideas", -10),
    ("review", -40),
    ("voting", -70),
    ("results", -100),
    ("implementation", -200),
]
# Phase lengths in days: ideas, review, voting, results (until implementation).
PHASE_DAYS = (30, 30, 14, 30)


def _round_dates(start: datetime.datetime) -> dict[str, datetime.datetime]:
    ideas, review, voting, results = PHASE_DAYS
    day = datetime.timedelta(days=1)
    dates = {"ideas_start": start, "ideas_end": start + ideas * day}
    dates["review_start"] = dates["ideas_end"]
    dates["review_end"] = dates["review_start"] + review * day
    dates["voting_start"] = dates["review_end"]
    dates["voting_end"] = dates["voting_start"] + voting * day
    dates["results_start"] = dates["voting_end"]
    dates["implementation_start"] = dates["results_start"] + results * day
    return dates


def seed_committee_pages(committees: dict[str, Committee]) -> None:
    for committee in committees.values():
        page = services.committee_page_ensure(committee=committee)
        if not page.members.exists():
            page.intro = (
                f"<p>{committee.name} er bindeleddet mellem borgerne i "
                f"{committee.district.name} og Borgerrepræsentationen.</p>"
            )
            page.contact_email = f"{committee.slug}@demo.borgerbudget.dk"
            page.contact_address = f"Lokaludvalgets sekretariat, {committee.district.name}"
            page.members.create(
                name="Karin Formand", role="Formand", represents="Grundejerforening"
            )
            page.members.create(name="Ole Medlem", role="Næstformand", represents="Idrætsforening")
            page.members.create(name="Sara Medlem", role="Medlem", represents="Socialdemokratiet")
            page.save_revision().publish()


def seed_meetings(committees: dict[str, Committee]) -> None:
    today = timezone.localtime().replace(hour=19, minute=0, second=0, microsecond=0)
    for index, committee in enumerate(committees.values()):
        meetings = ((-1, "Lokaludvalgsmøde"), (1, "Borgermøde om borgerbudgettet"))
        for month, title in meetings:
            starts = today + datetime.timedelta(days=30 * month + index)
            venue, kind = VENUES[index % len(VENUES)]
            meeting, created = Meeting.objects.get_or_create(
                committee=committee,
                title=title,
                defaults={
                    "starts_at": starts,
                    "ends_at": starts + datetime.timedelta(hours=2, minutes=30),
                    "venue_name": f"{venue} {committee.district.name}",
                    "venue_address": f"Eksempelvej {index + 1}, København",
                    "venue_kind": kind,
                    "budget_round": BudgetRound.objects.filter(
                        committee=committee, slug="demo-voting"
                    ).first(),
                },
            )
            if created:
                meeting.agenda_items.create(
                    sort_order=0,
                    title="Godkendelse af dagsorden",
                    recommendation="Sekretariatet indstiller, at dagsordenen godkendes.",
                )
                meeting.agenda_items.create(
                    sort_order=1,
                    title="Borgerbudget: status",
                    recommendation="Sekretariatet indstiller, at status tages til efterretning.",
                    problem="Lokaludvalget skal følge borgerbudgettets faser.",
                    solution="Sekretariatet orienterer om forslag og afstemning.",
                    economy="Ingen økonomiske konsekvenser.",
                    decision="Taget til efterretning." if month < 0 else "",
                )
                meeting.save()  # modelcluster writes child rows when the parent is saved


def seed_rounds(committee: Committee) -> None:
    base = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    for phase, offset in ROUND_PHASE_OFFSETS:
        slug = f"demo-{phase}"
        if BudgetRound.objects.filter(committee=committee, slug=slug).exists():
            continue
        title = dict(ROUND_TITLES)[phase]
        budget_round = BudgetRound.objects.create(
            committee=committee,
            slug=slug,
            title=title,
            pot=250_000 if phase == "results" else 500_000,  # a vote where not all fit
            min_cost=5_000,
            max_cost=150_000,
            rules_text=(
                "<p>Alle over 15 år, der bor i bydelen, kan stemme. Hvert forslag skal være "
                "åbent for alle, være en engangsudgift og kunne gennemføres inden for et år.</p>"
            ),
            **_round_dates(base + datetime.timedelta(days=offset)),
        )
        for order, name in enumerate(("Grønne områder", "Kultur", "Idræt og leg", "Trafik")):
            budget_round.categories.create(name=name, sort_order=order)
        for order, text in enumerate(CHECKLIST):
            budget_round.checklist.create(text=text, sort_order=order)
        budget_round.save()


CHECKLIST = [
    "Projektet er offentligt og åbent for alle.",
    "Det er en engangsudgift uden driftsudgifter bagefter.",
    "Ingen får en privat fordel af projektet.",
    "Projektet kan gennemføres inden for et år.",
]

ROUND_TITLES = [
    ("upcoming", "Borgerbudget næste år"),
    ("ideas", "Borgerbudget: idéer til bydelen"),
    ("review", "Borgerbudget: forslag under behandling"),
    ("voting", "Borgerbudget: afstemning"),
    ("results", "Borgerbudget: resultat"),
    ("implementation", "Borgerbudget sidste år"),
]


GRANT_POOL_SLUG = "demo-pulje"
GRANT_CHECKLIST = [
    "Aktiviteten er åben for alle.",
    "Aktiviteten foregår i bydelen og kommer bydelens borgere til gode.",
    "Der søges ikke til drift (faste udgifter, løn eller husleje).",
    "Aktiviteten er ikke afholdt endnu.",
]


def seed_grant_pool(committee: Committee) -> BudgetRound:
    """The committee's grant pool for the year: decided at its meetings, three deadlines."""
    pool = BudgetRound.objects.filter(committee=committee, slug=GRANT_POOL_SLUG).first()
    if pool is not None:
        return pool
    now = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    day = datetime.timedelta(days=1)
    start = now - 90 * day  # applications all year round: a long ideas phase, short others
    pool = BudgetRound.objects.create(
        committee=committee,
        slug=GRANT_POOL_SLUG,
        title="Lokaludvalgets pulje",
        pot=800_000,
        min_cost=1_000,
        max_cost=150_000,
        decision_method="committee",
        rules_text=(
            "<p>Foreninger, netværk og borgere kan søge puljen til lokale aktiviteter, der er "
            "åbne for alle. Lokaludvalget behandler ansøgningerne på sine møder; tilskud gives "
            "som underskudsgaranti.</p>"
        ),
        ideas_start=start,
        ideas_end=start + 330 * day,
        review_start=start + 330 * day,
        review_end=start + 340 * day,
        voting_start=start + 340 * day,
        voting_end=start + 341 * day,
        results_start=start + 341 * day,
        implementation_start=start + 342 * day,
    )
    for order, text in enumerate(GRANT_CHECKLIST):
        pool.checklist.create(text=text, sort_order=order)
    pool.save()
    # The committee's own meetings decide: the one already held and the next one.
    for meeting in Meeting.objects.filter(committee=committee).order_by("starts_at"):
        ApplicationDeadline.objects.get_or_create(
            budget_round=pool, closes_at=meeting.starts_at - 10 * day, meeting=meeting
        )
    return pool


@transaction.atomic
def seed(*, stdout) -> None:
    committees = seed_places()
    seed_committee_pages(committees)
    for committee in committees.values():
        seed_rounds(committee)
    seed_meetings(committees)
    seed_grant_pool(committees[DEMO_COMMITTEE])
    logins = seed_accounts(committees[DEMO_COMMITTEE])
    stdout.write(
        f"Demo data: {District.objects.count()} districts, {Committee.objects.count()} "
        f"committees, {Meeting.objects.count()} meetings, {BudgetRound.objects.count()} rounds."
    )
    stdout.write("Demo logins (e-mail / password):")
    for account, password in logins:
        where = f" in {DEMO_COMMITTEE}" if account.committee_role else ""
        stdout.write(f"  {account.role_label + where:<50} {account.email:<38} {password}")
