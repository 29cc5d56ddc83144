import os
from http import HTTPStatus

import pytest
from django.db import connection

from tests import factories, services
from tests.daphne_server import DaphneServers


@pytest.fixture(autouse=True)
def _services_by_marker(request):
    if request.node.get_closest_marker("postgres"):
        services.require_postgres()
    if request.node.get_closest_marker("redis"):
        services.redis_url()


@pytest.fixture(autouse=True)
def _default_language():
    """Requests activate a language in the test's thread; every test starts in Danish."""
    from django.utils import translation

    translation.activate("da")
    yield
    translation.activate("da")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _database_url_of_test_db() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture
def home_page(db):
    from committees.services import home_page_ensure

    return home_page_ensure()


# --- The usual cast: one committee with its staff, a meeting and a vote ------------------------
# Plain functions in tests/factories.py build them; these fixtures are the common defaults.
# A module that needs something else builds it with the factories rather than copying these.


@pytest.fixture
def english():
    """Messages asserted in English, the source language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def committee(home_page):
    """Østerbro Lokaludvalg, with its page under the home page."""
    return factories.committee("Østerbro Lokaludvalg")


@pytest.fixture
def ideas_round(committee):
    """A round of `committee` open for ideas, with a category and a checklist question."""
    return factories.ideas_round(committee=committee)


@pytest.fixture
def moderator(committee):
    return factories.moderator(committee=committee)


@pytest.fixture
def host(committee):
    """A meeting host of `committee`."""
    return factories.meeting_host(committee=committee)


@pytest.fixture
def polling_staff(committee):
    return factories.polling_staff(committee=committee)


@pytest.fixture
def meeting(committee):
    """A meeting of `committee` in a week; `host` may run it."""
    return factories.meeting(committee=committee)


@pytest.fixture
def voting_round(committee):
    """A knapsack vote on three projects: 30,000 + 60,000 + 40,000 kr. for a 100,000 kr. pot."""
    return factories.voting_round(committee=committee)


@pytest.fixture
def voter(committee):
    """A verified resident of `committee`'s district: may vote in its rounds."""
    return factories.verified_voter(area=committee.district)


@pytest.fixture
def meeting_page(client):
    """Reads a meeting's public page in "da" or "en" with `client`; it answers in that language."""

    def read(meeting, language: str) -> str:
        url = f"{meeting.committee.page.url}moeder/{meeting.pk}/"
        url = "/" + url.removeprefix("/en/").lstrip("/")
        response = client.get(url if language == "da" else "/en" + url)
        assert response.status_code == HTTPStatus.OK
        body = response.content.decode()
        assert f'<html lang="{language}"' in body
        return body

    return read


@pytest.fixture
def asgi_server_env() -> dict[str, str]:
    """Extra environment for the `asgi_server`; override it to add or replace variables."""
    return {}


@pytest.fixture
def dev_server_env(monkeypatch) -> dict[str, str]:
    """The environment `make run` gives its one Daphne process: the development settings with
    the local test identity provider. The port is chosen first, because the dev settings build
    the provider's issuer URL (which the app fetches keys from) from HOST and PORT. A module that
    drives that server overrides `asgi_server_env` with this."""
    from django.conf import settings

    from tests import daphne_server

    port = daphne_server.free_port()
    monkeypatch.setattr(daphne_server, "free_port", lambda: port)
    return {
        "DJANGO_SETTINGS_MODULE": "pbsite.settings.dev",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "SITE_URL": "",
        "OIDC_SERVER_URL": "",
        "DEV_IDENTITY_PROVIDER": "",
        # Shared, so that a session made in the test (Client.force_login) is valid there.
        "SECRET_KEY": settings.SECRET_KEY,
        # Set in this process while a browser is open; the server keeps Django's check.
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
    }


@pytest.fixture
def asgi_server(transactional_db, home_page, tmp_path, asgi_server_env):
    """The real ASGI application under Daphne, on a free port, over the test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pbsite.settings.test",
        "DATABASE_URL": _database_url_of_test_db(),
        "MEDIA_ROOT": str(tmp_path / "media"),
        **asgi_server_env,
    }
    with DaphneServers(env=env, log_dir=tmp_path, timeout=30) as server:
        yield server
