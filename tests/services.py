"""Which real services a test run has, and what to do when one is missing.

With REQUIRE_SERVICES=1 (CI) a test that needs PostgreSQL or Redis fails when the service is
missing; without it, such a test is skipped with the reason.
"""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.db import connection

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def missing(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        missing(f"this test needs PostgreSQL (DATABASE_URL), the database is {connection.vendor}")


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "").strip()
    if not url:
        missing("this test needs Redis: REDIS_URL is not set")
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=2):
            pass
    except OSError as exc:
        missing(f"this test needs Redis at {url}, which is unreachable: {exc}")
    return url
