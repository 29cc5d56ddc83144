"""A benchmark's own database, made before Django starts and removed at the end.

A new SQLite file, or a PostgreSQL database created on the server that the URL names (through
its `postgres` maintenance database). An existing PostgreSQL database is dropped and made anew
only with `replace`; with `keep` nothing is removed at the end.
"""

from pathlib import Path
from urllib.parse import urlsplit

POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql", "postgis")


class ScratchDatabase:
    def __init__(self, url: str, *, replace: bool, keep: bool, postgres_only: bool = False):
        self.url = url
        self.keep = keep
        self.sqlite_file: Path | None = None
        self.pg_name = ""
        self.created = False
        parts = urlsplit(url)
        scheme = parts.scheme.split("+")[0]
        if scheme in POSTGRES_SCHEMES:
            self.pg_name = parts.path.lstrip("/")
            if not self.pg_name:
                raise SystemExit("name the database in --database-url")
            self.pg_admin_url = parts._replace(scheme="postgresql", path="/postgres").geturl()
            self._pg_create(replace=replace)
        elif postgres_only:
            raise SystemExit("this benchmark needs PostgreSQL: give a postgres:// URL")
        elif scheme in ("sqlite", "spatialite"):
            if parts.path in ("", "/", "/:memory:"):
                raise SystemExit("give a SQLite file, not an in-memory database")
            self.sqlite_file = Path(parts.path[1:])  # sqlite:////abs/path or sqlite:///relative
            if self.sqlite_file.exists():
                raise SystemExit(f"{self.sqlite_file} exists; the benchmark wants a new file")
            self.created = True
        else:
            raise SystemExit(f"{scheme}: only SQLite and PostgreSQL are supported")

    def shown(self) -> str:
        """The URL without its password."""
        password = urlsplit(self.url).password
        return self.url.replace(f":{password}@", ":***@") if password else self.url

    def remove(self) -> None:
        if not self.created:
            return
        if self.keep:
            print(f"kept the database: {self.shown()}")
            return
        if self.pg_name:
            self._pg_drop()
        if self.sqlite_file:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.sqlite_file}{suffix}").unlink(missing_ok=True)

    def _pg_create(self, *, replace: bool) -> None:
        from psycopg import sql

        if self._pg_exists():
            if not replace:
                raise SystemExit(
                    f"database {self.pg_name} exists; pass --replace to drop it (it is lost)"
                )
            self._pg_drop()
        self._pg_execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.pg_name)))
        self.created = True

    def _pg_exists(self) -> bool:
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True) as admin:
            row = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.pg_name]
            ).fetchone()
        return row is not None

    def _pg_execute(self, statement) -> None:
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True) as admin:
            admin.execute(statement)

    def _pg_drop(self) -> None:
        from psycopg import sql

        self._pg_execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.pg_name))
        )
