import re
from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


def test_public_pages_forbid_inline_scripts(client, home_page):
    response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert "<script>" not in html  # every script is a file from our own origin
    assert " onclick=" not in html and " onload=" not in html


def test_production_cookies_are_secure_and_hsts_is_on():
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0,"
        " s.SECURE_SSL_REDIRECT)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pbsite.settings.production",
        "SECRET_KEY": "x" * 60,
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "True", "True", "True"], result.stderr


def _directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def test_the_admin_pages_that_show_residents_text_forbid_inline_scripts(client, home_page):
    from tests import factories

    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.budget_round(committee=committee, phase="review")
    proposal = factories.proposal(budget_round=budget_round, state="submitted")
    client.force_login(factories.moderator(committee=committee))
    from django.urls import reverse

    for url in (
        "/admin/",
        reverse("proposal_review", args=[proposal.pk]),
        reverse("proposal_queue"),
        reverse("grant_queue"),
        f"/admin/proposal/inspect/{proposal.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, url
        directives = _directives(response)
        assert directives["script-src"] == "'self'", url
        assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'"
        assert "unsafe-eval" not in response["Content-Security-Policy"]
        html = response.content.decode()
        # Every executable script of these pages is a file: the policy breaks none of them.
        inline = [
            s for s in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
            if "application/json" not in s
        ]  # fmt: skip
        assert inline == [], (url, inline)


def test_wagtails_form_pages_keep_their_inline_widget_scripts_and_nothing_more(client, home_page):
    from tests import factories

    committee = factories.committee("Østerbro Lokaludvalg")
    budget_round = factories.budget_round(committee=committee, phase="review")
    proposal = factories.proposal(budget_round=budget_round, state="submitted")
    client.force_login(factories.moderator(committee=committee))
    response = client.get(f"/admin/proposal/edit/{proposal.pk}/")
    assert response.status_code == HTTPStatus.OK
    directives = _directives(response)
    assert directives["script-src"] == "'self' 'unsafe-inline'"
    assert directives["object-src"] == "'none'" and directives["form-action"] == "'self'"
    assert "unsafe-eval" not in response["Content-Security-Policy"]
