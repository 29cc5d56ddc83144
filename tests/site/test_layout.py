"""`site/` is ours under the name `pbsite`; the name `site` stays the standard library's."""

import importlib
import site
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_site_is_still_the_standard_library_module():
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(site.__file__).resolve().parent == stdlib
    assert hasattr(site, "getsitepackages")


def test_pbsite_is_the_repository_site_folder():
    pbsite = importlib.import_module("pbsite")
    assert Path(pbsite.__file__).resolve().parent == ROOT / "site"
    settings = importlib.import_module("pbsite.settings.base")
    assert Path(settings.__file__).resolve().parent == ROOT / "site" / "settings"


def test_apps_label_equals_package_name():
    from django.apps import apps

    for name in ("committees", "proposals", "voting", "notices", "frontend"):
        assert apps.get_app_config(name).name == name


def test_every_package_is_listed_for_installation():
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = set()
    for top in ("committees", "proposals", "voting", "notices", "frontend", "site"):
        for init in (ROOT / top).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT).parts
            found.add(".".join(("pbsite", *parts[1:]) if top == "site" else parts))
    assert found == listed
