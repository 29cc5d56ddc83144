""" "Mit borgerbudget": a signed-in person's own page, gathered from every app.

The page belongs to the account, so it lives here; what it shows belongs to the apps on the
right of `committees` (proposals, voting), which committees may not import. So, as with
`privacy.py`, every app may have a `mine.py` with `section(*, user) -> Section | None`: the page
asks each app in INSTALLED_APPS order and includes each section's own template with the
section's own context. An app whose section has nothing to say returns None, and a new app adds
its part without touching this page.
"""

from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps

from committees.models import User


@dataclass(frozen=True)
class Section:
    """One app's part of the page: its template, included with `context`."""

    template: str
    context: dict = field(default_factory=dict)


def _modules():
    for config in apps.get_app_configs():
        try:
            yield import_module(f"{config.name}.mine")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.mine":
                raise


def sections(*, user: User) -> list[Section]:
    found = []
    for module in _modules():
        section = module.section(user=user)
        if section is not None:
            found.append(section)
    return found
