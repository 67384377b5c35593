"""The PostgreSQL side: who to connect to, the password, one-line errors.

The password is never stored: libpq reads `PGPASSWORD` and `~/.pgpass` itself;
after that the OS keyring (when the `keyring` package is installed), then a
prompt. Everything this module names a source by is `user@host/db`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

from ..errors import DataFileError

KEYRING_SERVICE = "execdash-postgresql"
PasswordPrompt = Callable[[str], "str | None"]


class SnapshotError(DataFileError):
    """A snapshot cannot be made; the message is one line naming why."""


class SnapshotCancelled(SnapshotError):
    def __init__(self) -> None:
        super().__init__("snapshot cancelled; the data file is unchanged")


@dataclass(frozen=True)
class SourceAddress:
    conninfo: str  # as the user gave it (may hold a password: never print or store it)
    user: str
    host: str
    port: str
    dbname: str

    @property
    def label(self) -> str:
        """`user@host/db`: what the file, the logs and the window record."""
        return f"{self.user}@{self.host}/{self.dbname}"

    @property
    def short(self) -> str:
        """`db@host` for the status bar."""
        return f"{self.dbname}@{self.host}"

    @property
    def keyring_user(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"


def parse_address(url: str) -> SourceAddress:
    from psycopg.conninfo import conninfo_to_dict

    if not url.startswith(("postgresql://", "postgres://")):
        raise SnapshotError(f"--from must be a postgresql://user@host:port/db address, not {_redact_url(url)!r}")
    try:
        params = conninfo_to_dict(url)
    except Exception as exc:  # psycopg.ProgrammingError on a malformed URL
        raise SnapshotError(f"--from is not a PostgreSQL address: {_first_line(exc)}") from None
    user = str(params.get("user") or os.environ.get("PGUSER") or _login_name())
    host = str(params.get("host") or os.environ.get("PGHOST") or "localhost")
    port = str(params.get("port") or os.environ.get("PGPORT") or "5432")
    dbname = str(params.get("dbname") or os.environ.get("PGDATABASE") or user)
    shown_host = "localhost" if host.startswith("/") else host  # a unix socket folder
    return SourceAddress(conninfo=url, user=user, host=shown_host, port=port, dbname=dbname)


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "postgres"


def _redact_url(url: str) -> str:
    # postgresql://user:secret@host -> postgresql://user@host
    head, sep, rest = url.partition("://")
    if sep and "@" in rest:
        cred, at, tail = rest.rpartition("@")
        return f"{head}://{cred.split(':', 1)[0]}@{tail}"
    return url


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _kind(exc: BaseException) -> str:
    state = getattr(exc, "sqlstate", None) or ""
    text = str(exc).lower()
    if state == "3D000" or ("database" in text and "does not exist" in text):
        return "database"
    if state.startswith("28") or any(s in text for s in (
            "password authentication failed", "no password supplied", "authentication failed",
            "pg_hba.conf", "role \"", "password is required")):
        return "login"
    return "unreachable"


def _keyring_password(addr: SourceAddress) -> str | None:
    try:
        import keyring  # optional: the OS keyring when the package is installed
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, addr.keyring_user)
    except Exception:  # no keyring backend on this machine
        return None


def connect(addr: SourceAddress, prompt: PasswordPrompt | None = None, timeout_s: int = 10):
    """A psycopg connection, or SnapshotError with one line naming the problem."""
    import psycopg

    extra: dict = {}
    tried_keyring = tried_prompt = False
    while True:
        try:
            return psycopg.connect(addr.conninfo, connect_timeout=timeout_s,
                                   application_name="execdash snapshot", **extra)
        except psycopg.OperationalError as exc:
            kind = _kind(exc)
            secret = extra.get("password")
            if kind == "login" and "password" in str(exc).lower():
                if not tried_keyring:
                    tried_keyring = True
                    pw = _keyring_password(addr)
                    if pw:
                        extra["password"] = pw
                        continue
                if not tried_prompt and prompt is not None:
                    tried_prompt = True
                    pw = prompt(f"Password for {addr.label}: ")
                    if pw:
                        extra["password"] = pw
                        continue
            raise SnapshotError(_explain(addr, kind, exc, secret)) from None


def _explain(addr: SourceAddress, kind: str, exc: BaseException, secret: str | None) -> str:
    detail = _first_line(exc)
    # libpq: 'connection failed: connection to server at "h", port p failed: FATAL:  why'
    detail = detail.rsplit("FATAL:", 1)[-1].rsplit(" failed: ", 1)[-1].strip()
    if secret:
        detail = detail.replace(secret, "***")
    detail = detail.replace(addr.conninfo, _redact_url(addr.conninfo))
    if kind == "database":
        return f"database {addr.dbname} does not exist on {addr.host}:{addr.port}"
    if kind == "login":
        return f"login refused for {addr.label} ({detail})"
    return f"cannot reach the PostgreSQL server at {addr.host}:{addr.port} ({detail})"


@dataclass(frozen=True)
class SourceColumn:
    name: str
    typname: str  # pg_type.typname of the column ("_text" for text[])
    category: str  # pg_type.typcategory: A array, B bool, D date/time, E enum, N number, S string, U other


def source_tables(cur, schema: str) -> dict[str, list[SourceColumn]]:
    """Every table and view of `schema` with its columns, in column order."""
    cur.execute(
        """SELECT c.relname, a.attname, t.typname, t.typcategory
             FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             JOIN pg_type t0 ON t0.oid = a.atttypid
             JOIN pg_type t ON t.oid = CASE WHEN t0.typtype = 'd' THEN t0.typbasetype ELSE t0.oid END
            WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            ORDER BY c.relname, a.attnum""", (schema,))
    out: dict[str, list[SourceColumn]] = {}
    for rel, col, typ, cat in cur.fetchall():
        out.setdefault(rel, []).append(SourceColumn(col, typ, cat))
    return out
