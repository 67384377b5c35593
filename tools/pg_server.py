"""A throwaway PostgreSQL server for tests and benchmarks: initdb + pg_ctl in a temp folder.

PostgreSQL refuses to run as root, so as root the server runs as an
unprivileged user (`execdash-pg`, created when missing, else `nobody`). It
listens on 127.0.0.1 at a free port (password logins, scram-sha-256) and on a
unix socket in its folder (the `postgres` superuser, trusted, for set-up).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

RUN_USER = "execdash-pg"


def find_bin() -> Path | None:
    """The newest PostgreSQL's bin folder (Debian: /usr/lib/postgresql/N/bin), else PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(RUN_USER)
    except KeyError:
        pass
    if shutil.which("useradd"):
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        RUN_USER], capture_output=True)
        try:
            return pwd.getpwnam(RUN_USER)
        except KeyError:
            pass
    return pwd.getpwnam("nobody")


class PgServer:
    def __init__(self, superuser_password: str = "postgres-admin-pw"):
        self.bin = find_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (no pg_ctl under /usr/lib/postgresql/*/bin "
                               "or on PATH): apt-get install postgresql")
        self.user = _run_user()
        self.base = Path(tempfile.mkdtemp(prefix="execdash-pg-"))
        self.data = self.base / "data"
        self.sock = self.base / "sock"
        self.port = _free_port()
        self.superuser_password = superuser_password
        self.started = False

    def _as_user(self, args: list[str]) -> list[str]:
        if self.user is None:
            return args
        return ["setpriv", f"--reuid={self.user.pw_uid}", f"--regid={self.user.pw_gid}",
                "--clear-groups", "--", *args]

    def _own(self, *paths: Path) -> None:
        if self.user is not None:
            for p in paths:
                os.chown(p, self.user.pw_uid, self.user.pw_gid)

    def start(self) -> "PgServer":
        os.chmod(self.base, 0o755)
        self.sock.mkdir()
        pwfile = self.base / "pw"
        pwfile.write_text(self.superuser_password)
        os.chmod(pwfile, 0o600)
        self._own(self.sock, pwfile)
        self.data.mkdir(mode=0o700)
        self._own(self.data)
        env = {**os.environ, "LC_ALL": "C.UTF-8"}
        try:
            subprocess.run(self._as_user([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                                          "--auth-local=trust", "--auth-host=scram-sha-256",
                                          f"--pwfile={pwfile}", "-E", "UTF8", "--no-locale", "--no-sync"]),
                           check=True, capture_output=True, env=env, cwd=self.base)
        finally:
            pwfile.unlink()
        opts = (f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c timezone=America/New_York "
                "-c shared_buffers=64MB -c max_connections=30")
        log = self.base / "server.log"
        log.touch()
        self._own(log)
        subprocess.run(self._as_user([str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts,
                                      "-l", str(log), "-w", "-t", "60", "start"]),
                       check=True, capture_output=True, env=env, cwd=self.base)
        self.started = True
        return self

    def stop(self) -> None:
        if self.started:
            subprocess.run(self._as_user([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                                          "-w", "stop"]), capture_output=True, cwd=self.base)
            self.started = False
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, user: str, db: str, password: str | None = None) -> str:
        """A TCP address (password logins); with `password` only for set-up code."""
        cred = f"{user}:{password}" if password else user
        return f"postgresql://{cred}@127.0.0.1:{self.port}/{db}"

    def admin(self, db: str = "postgres"):
        """An autocommit superuser connection over the unix socket."""
        import psycopg

        return psycopg.connect(host=str(self.sock), port=self.port, user="postgres", dbname=db,
                               autocommit=True)

    def __enter__(self) -> "PgServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
