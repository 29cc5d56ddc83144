"""Production settings behind a real nginx, as README's production step 4 deploys them.

Daphne listens on a UNIX socket; nginx (Debian's package) terminates TLS on a loopback port
with a throw-away certificate and runs the very `server` block of README.md, only with this
test's socket, port and certificate. Visitors connect from two loopback addresses (127.0.0.2
and 127.0.0.3), so nginx sees two clients: one signs in, votes online and with a code, while
the other's failed logins and wrong codes (with forged X-Forwarded-For headers) lock out only
the other. Without nginx the test is skipped; with CI=true or REQUIRE_SERVICES=1 it fails.
"""

import asyncio
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import websockets
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse
from django.utils import translation

from tests import factories
from tests.conftest import _database_url_of_test_db
from tests.daphne_server import ROOT, DaphneServers, free_port
from tests.factories import PASSWORD
from voting import selectors as voting_selectors
from voting.codes import services as codes_services
from voting.models import Channel, VotingConfig

pytestmark = pytest.mark.django_db(transaction=True)

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
REQUIRED = any(
    os.environ.get(name, "").lower() in {"1", "true", "yes"} for name in ("CI", "REQUIRE_SERVICES")
)
HOST = "borgerbudget.test"
ORIGIN = f"https://{HOST}"
VISITOR_A, VISITOR_B = "127.0.0.2", "127.0.0.3"


def readme_nginx_block() -> str:
    """The nginx block of README.md, production step 4."""
    text = (ROOT / "README.md").read_text()
    match = re.search(r"```nginx\n(.*?)```", text, re.S)
    assert match, "README.md has no nginx block"
    return "\n".join(line.removeprefix("   ") for line in match.group(1).splitlines())


def nginx_config(*, directory: Path, upstream: Path, port: int) -> str:
    block = readme_nginx_block()
    for old, new in [
        (
            "    server unix:/run/borgerbudget/daphne-1.sock;\n"
            "    server unix:/run/borgerbudget/daphne-2.sock;\n",
            f"    server unix:{upstream};\n",
        ),
        ("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
        ("/etc/ssl/borgerbudget/fullchain.pem", str(directory / "cert.pem")),
        ("/etc/ssl/borgerbudget/privkey.pem", str(directory / "key.pem")),
        ("server_name borgerbudget.example.dk;", f"server_name {HOST};"),
    ]:
        assert old in block, f"README's nginx block no longer has {old!r}"
        block = block.replace(old, new)
    temp = {name: directory / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    # Started by root (a CI container), nginx's workers would become "nobody", who may not
    # connect to a socket of root's: keep them as the user who started the test.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
daemon off;
{user}
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {directory}/access.log;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
{block}
}}
"""


class Visitor:
    """A browser at one loopback address: HTTPS to nginx, its own cookies."""

    def __init__(self, port: int, address: str):
        self.port, self.address = port, address
        self.cookies: dict[str, str] = {}
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            self.port,
            context=self.context,
            source_address=(self.address, 0),
            timeout=30,
        )
        sent = {"Host": HOST, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            sent |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": ORIGIN}
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read().decode(errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content

    def post_form(self, path: str, form: dict, headers=None):
        """GET the page for its CSRF token, then POST the form as a browser would."""
        status, _, page = self.request("GET", path)
        assert status == HTTPStatus.OK, page[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request("POST", path, {**form, "csrfmiddlewaretoken": token}, headers)

    def sign_in(self, email: str, password: str):
        return self.post_form(_url("account_login"), {"login": email, "password": password})


def _errors(page: str) -> str:
    """The messages of a page that was refused, for the assertion's report."""
    found = re.findall(r'class="[^"]*(?:alert|error)[^"]*"[^>]*>(.*?)</', page, re.S)
    return " | ".join(" ".join(text.split()) for text in found) or page[-3000:]


def _url(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def nginx_binary() -> str:
    if not Path(NGINX).exists() or not shutil.which("openssl"):
        reason = f"this test needs nginx ({NGINX}) and openssl (Debian: apt-get install nginx)"
        if REQUIRED:
            pytest.fail(f"CI=true or REQUIRE_SERVICES=1, but {reason}", pytrace=False)
        pytest.skip(reason)
    return NGINX


@pytest.fixture
def static_root(tmp_path) -> Path:
    """Production settings serve hashed static files: collect them, as README step 3 does."""
    target = tmp_path / "static"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pbsite.settings.production",
        "SECRET_KEY": settings.SECRET_KEY,
        "STATIC_ROOT": str(target),
        "VAR_DIR": str(tmp_path / "var"),
    }
    manage = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(manage, cwd=ROOT, env=env, check=True, timeout=300)
    return target


@pytest.fixture
def behind_nginx(nginx_binary, static_root, tmp_path, home_page):
    """Daphne with production settings on a UNIX socket, nginx in front: the HTTPS port."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pbsite.settings.production",
        "SECRET_KEY": settings.SECRET_KEY,  # the same keyed hashes of voting codes as here
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": _database_url_of_test_db(),
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "VAR_DIR": str(tmp_path / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "REDIS_URL": "",
    }
    env.pop("TRUSTED_PROXIES", None)  # the shipped default: "unix"
    directory = tmp_path / "nginx"
    directory.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", f"/CN={HOST}", "-keyout", str(directory / "key.pem")]
        + ["-out", str(directory / "cert.pem")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with DaphneServers(env=env, log_dir=tmp_path, timeout=60, unix_sockets=True) as daphne:
        port = free_port()
        config = directory / "nginx.conf"
        config.write_text(nginx_config(directory=directory, upstream=daphne.sockets[0], port=port))
        process = subprocess.Popen(
            [nginx_binary, "-p", str(directory), "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_port(port, process, directory)
            yield port, daphne
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_for_port(port: int, process: subprocess.Popen, directory: Path) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log = directory / "error.log"
                raise AssertionError(
                    "nginx did not start: " + (log.read_text() if log.exists() else "no log")
                ) from None
            time.sleep(0.1)


@pytest.fixture
def rounds(home_page):
    committee = factories.committee()
    online = factories.budget_round(committee=committee, phase="voting", ballot_style="approval")
    coded = factories.budget_round(committee=committee, phase="voting", ballot_style="approval")
    VotingConfig.objects.filter(budget_round=coded).update(
        allow_online=False, allow_paper=False, allow_codes=True
    )
    return {
        "committee": committee,
        "online": (online, factories.proposal(budget_round=online, state="feasible")),
        "coded": (coded, factories.proposal(budget_round=coded, state="feasible")),
    }


def test_sign_in_and_both_ballots_behind_nginx_and_one_visitors_failures_stay_theirs(
    behind_nginx, rounds
):
    port, daphne = behind_nginx
    attacker, resident = Visitor(port, VISITOR_A), Visitor(port, VISITOR_B)
    person = factories.user()
    # Hashed as production can check it (the test settings hash with MD5, which it does not
    # accept); few iterations, the server upgrades the hash on sign-in.
    person.password = PBKDF2PasswordHasher().encode(PASSWORD, "nginx-test-salt", iterations=1000)
    person.save(update_fields=["password"])
    factories.verified_identity(user=person, area=rounds["committee"].district)
    coded_round, coded_project = rounds["coded"]
    online_round, online_project = rounds["online"]
    [code] = codes_services.codes_generate(budget_round=coded_round, count=1)

    # The attacker: ten failed logins (allauth: ten a minute per address), each under a new
    # name and a forged X-Forwarded-For, then the resident's right password is refused too.
    for n in range(10):
        status, _, _ = attacker.sign_in(f"nobody{n}@example.dk", "wrong-password")
        assert status == HTTPStatus.OK
    status, _, page = attacker.sign_in(person.email, PASSWORD)
    assert status == HTTPStatus.OK and "Too many failed login attempts" in page

    # ... and ten wrong voting codes, each behind a new forged address.
    code_url = _url("voting:ballot_code", coded_round.pk)
    choice = {"project": [str(coded_project.pk)]}
    for n in range(codes_services.CODE_ATTEMPTS_PER_CLIENT):
        forged = {"X-Forwarded-For": f"192.0.2.{n}"}
        status, _, page = attacker.post_form(code_url, {"code": "ZZZZ-ZZZZ-ZZZZ", **choice}, forged)
        assert status == HTTPStatus.BAD_REQUEST and "That code is not right" in page
    status, _, page = attacker.post_form(code_url, {"code": code, **choice})
    assert "Too many wrong codes" in page

    # The resident, at another address, is locked out of nothing.
    status, headers, page = resident.sign_in(person.email, PASSWORD)
    assert status == HTTPStatus.FOUND, _errors(page)
    status, headers, page = resident.post_form(
        _url("voting:ballot", online_round.pk), {"project": [str(online_project.pk)]}
    )
    assert status == HTTPStatus.FOUND, _errors(page)
    assert headers["Location"] == _url("voting:receipt", online_round.pk)
    status, headers, page = resident.post_form(code_url, {"code": code, **choice})
    assert status == HTTPStatus.FOUND, _errors(page)
    assert headers["Location"] == _url("voting:receipt", coded_round.pk)
    # Both ballots are in the box: the production settings hold them in the mixing buffer.
    cast = [
        row.channel
        for budget_round in (online_round, coded_round)
        for row in voting_selectors.round_ballot_rows(budget_round=budget_round)
    ]
    assert sorted(cast) == sorted([Channel.CODE, Channel.ONLINE])

    # Production's HTTPS rules hold behind the proxy: secure cookies, HSTS.
    status, headers, _ = resident.request("GET", "/")
    assert status == HTTPStatus.OK
    assert "max-age=31536000" in headers["Strict-Transport-Security"]

    # The WebSocket upgrade lines of the block: a live socket through nginx.
    async def talk():
        async with websockets.connect(
            f"wss://{HOST}:{port}/ws/health/",
            host="127.0.0.1",
            port=port,
            ssl=resident.context,
            server_hostname=HOST,
            origin=ORIGIN,
        ) as live:
            hello = json.loads(await asyncio.wait_for(live.recv(), 10))
            await live.send(json.dumps({"type": "ping", "payload": "through nginx"}))
            return hello, json.loads(await asyncio.wait_for(live.recv(), 10))

    hello, pong = asyncio.run(talk())
    assert hello["type"] == "hello"
    assert pong == {"type": "pong", "payload": "through nginx"}
