"""The address the site is served at, and its name, in what the platform sends out."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _dev_setting(name: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "PORT")}
    environment.update(DJANGO_SETTINGS_MODULE="pbsite.settings.dev", **env)
    code = f"from django.conf import settings; print(settings.{name})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_make_run_passes_its_host_and_port_as_site_url():
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export SITE_URL ?= http://$(HOST):$(PORT)" in makefile
    assert _dev_setting("SITE_URL", HOST="192.0.2.7", PORT="8765") == "http://192.0.2.7:8765"
    assert _dev_setting("WAGTAILADMIN_BASE_URL", PORT="8765") == "http://127.0.0.1:8765"
    assert _dev_setting("SITE_URL", SITE_URL="https://bb.example.dk/") == "https://bb.example.dk"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "hello"), [("da", "Hej fra Borgerbudget!"), ("en", "Hello from Borgerbudget!")]
)
def test_account_emails_name_the_platform_not_the_host(client, language, hello):
    prefix = "" if language == "da" else "/en"
    client.post(
        prefix + reverse("account_signup"),
        {
            "email": "ny@example.dk",
            "display_name": "Ny",
            "password1": "en-god-adgangskode-2026",
            "password2": "en-god-adgangskode-2026",
        },
        HTTP_HOST="127.0.0.1",
    )
    [message] = mail.outbox
    assert message.subject.startswith("[Borgerbudget]")
    assert hello in message.body
    assert "Hello from 127.0.0.1" not in message.body and "Hej fra 127.0.0.1" not in message.body
