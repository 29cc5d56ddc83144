import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from pbsite.settings import base

ROOT = Path(__file__).resolve().parents[2]


def test_default_database_is_sqlite_under_var_with_wal_and_immediate(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = base.database_from_env()
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(config["NAME"]) == base.VAR_DIR / "borgerbudget.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_database_url_selects_postgres(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://pb:secret@db.example:5433/borgerbudget")
    config = base.database_from_env()
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "borgerbudget")
    assert "transaction_mode" not in config.get("OPTIONS", {})


def test_unknown_database_url_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "nosuchdb://x")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        base.database_from_env()


@pytest.mark.django_db
def test_sqlite_connection_really_runs_in_wal_mode():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: this run uses " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"


def test_boolean_environment_values_are_checked(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        base.env_bool("X_FLAG")
    monkeypatch.setenv("X_FLAG", "On")
    assert base.env_bool("X_FLAG") is True


def _run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _run_manage("check", DJANGO_SETTINGS_MODULE="pbsite.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_check_deploy_without_warnings():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="pbsite.settings.production",
        SECRET_KEY="k" * 20 + "a-long-random-production-secret-1234567890-xyz",
        ALLOWED_HOSTS="borgerbudget.example.dk",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_refuses_the_dev_identity_provider():
    result = _run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="pbsite.settings.production",
        SECRET_KEY="k" * 20 + "a-long-random-production-secret-1234567890-xyz",
        ALLOWED_HOSTS="borgerbudget.example.dk",
        DEV_IDENTITY_PROVIDER="1",
    )
    assert result.returncode != 0
    assert "DEV_IDENTITY_PROVIDER is for development only" in result.stderr


def test_check_deploy_flags_the_dev_identity_provider_of_the_dev_settings():
    result = _run_manage(
        "check",
        "--deploy",
        DJANGO_SETTINGS_MODULE="pbsite.settings.dev",
        SECRET_KEY="k" * 20 + "a-long-random-production-secret-1234567890-xyz",
    )
    assert result.returncode != 0
    assert "voting.E001" in result.stderr
    assert "DEV_IDENTITY_PROVIDER is on" in result.stderr


def test_redis_url_selects_channels_redis(monkeypatch):
    code = "from django.conf import settings;print(settings.CHANNEL_LAYERS['default']['BACKEND'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pbsite.settings.dev"}
    with_redis = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        cwd=ROOT,
        env={**env, "REDIS_URL": "redis://127.0.0.1:6379/0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    without = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        cwd=ROOT,
        env={k: v for k, v in env.items() if k != "REDIS_URL"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert with_redis.stdout.strip() == "channels_redis.core.RedisChannelLayer"
    assert without.stdout.strip() == "channels.layers.InMemoryChannelLayer"


def test_redis_url_shares_the_cache_and_sessions_between_processes():
    """Rate limits count in the cache: one per process would multiply every limit."""
    code = (
        "from django.conf import settings;"
        "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pbsite.settings.dev"}

    def run(**extra):
        environment = {k: v for k, v in env.items() if k != "REDIS_URL"} | extra
        return subprocess.run(
            [sys.executable, "-c", "import django; django.setup();" + code],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.split()

    assert run(REDIS_URL="redis://127.0.0.1:6379/0") == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]
    assert run() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.contrib.sessions.backends.db",
    ]


@pytest.mark.redis
def test_the_shared_cache_really_talks_to_redis():
    from tests import services

    url = services.redis_url()
    code = (
        "from django.core.cache import cache; import uuid; key = uuid.uuid4().hex;"
        "cache.set(key, 41, 30); print(cache.incr(key)); cache.delete(key)"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "pbsite.settings.dev", "REDIS_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "42", result.stderr


def test_database_pool_is_optional_and_postgres_only(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://pb@db.example:5432/borgerbudget")
    assert "pool" not in base.database_from_env().get("OPTIONS", {})
    monkeypatch.setenv("DATABASE_POOL_SIZE", "8")
    config = base.database_from_env()
    assert config["OPTIONS"]["pool"]["max_size"] == 8
    assert config["CONN_MAX_AGE"] == 0
    monkeypatch.delenv("DATABASE_URL")
    assert "pool" not in base.database_from_env()["OPTIONS"]  # SQLite: never
