"""Demo data of the committees app: Copenhagen's districts, committees and one account per role.

Idempotent: everything is looked up by a natural key before it is created.
"""

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from committees.models import Committee, CommitteeRole, District, User

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
            slug=slugify(district_name.replace("/", " ")), defaults={"name": district_name}
        )
        for name in committee_names:
            committee, _ = Committee.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "district": district}
            )
            committees[name] = committee
    return committees


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
            CommitteeRole.objects.get_or_create(
                user=user, committee=committee, role=account.committee_role
            )
        logins.append((account, password))
    _write_passwords(passwords)
    return logins


@transaction.atomic
def seed(*, stdout) -> None:
    committees = seed_places()
    logins = seed_accounts(committees[DEMO_COMMITTEE])
    stdout.write(
        f"Demo data: {District.objects.count()} districts, {Committee.objects.count()} committees."
    )
    stdout.write("Demo logins (e-mail / password):")
    for account, password in logins:
        where = f" in {DEMO_COMMITTEE}" if account.committee_role else ""
        stdout.write(f"  {account.role_label + where:<50} {account.email:<38} {password}")
