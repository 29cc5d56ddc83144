"""A person's own data: download it, or delete the account (GDPR articles 15, 17 and 20).

Every app may have a `privacy.py` with `export(user) -> dict` and `erase(user) -> None`; they
run in INSTALLED_APPS order, like the demo data. Proposals stay, attributed to "former user";
ballots were never linked to anyone and stay counted.
"""

from importlib import import_module

from django.apps import apps
from django.db import transaction

from committees.models import User
from committees.services import audit_record


def _modules():
    for config in apps.get_app_configs():
        try:
            yield config.label, import_module(f"{config.name}.privacy")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.privacy":
                raise


def export(user: User) -> dict:
    return {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "preferred_language": user.preferred_language,
            "joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": list(user.emailaddress_set.values("email", "verified", "primary")),
            "committee_roles": [
                {"committee": r.committee.name, "role": r.role}
                for r in user.committee_roles.select_related("committee")
            ],
        },
        **{
            label: module.export(user)
            for label, module in _modules()
            if label != "committees" and hasattr(module, "export")
        },
    }


@transaction.atomic
def account_delete(*, user: User) -> None:
    for label, module in _modules():
        if label != "committees" and hasattr(module, "erase"):
            module.erase(user)
    audit_record(actor=None, action="account.delete", obj=user, data={})
    user.delete()
