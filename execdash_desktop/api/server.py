"""Serving the API: `execdash serve` (main) and `ApiServer` for the window.

uvicorn creates and binds the listening socket itself (Config(host, port));
we never hand it a socket of our own, so its transports keep TCP_NODELAY and
keep-alive requests are not held back by Nagle + delayed ACK (~40 ms each).

Security: 127.0.0.1 by default. Any other address needs a token (`--token`,
or `--token generate` for one printed once); then every request needs
`Authorization: Bearer <token>`.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import secrets
import sys
import threading
import time

import uvicorn

from ..engine import Engine
from ..store import check_path
from .app import create_app
from .guard import ACCEPT_BACKLOG, guarded_protocol

log = logging.getLogger("execdash_desktop.api")


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_token(host: str, token: str | None) -> str | None:
    """The token to enforce: 'generate' makes one; off loopback one is required."""
    if token == "generate":
        token = secrets.token_urlsafe(32)
    if token is not None and not token.strip():
        raise ValueError("the token is empty")
    if token is None and not is_loopback(host):
        raise ValueError(f"binding {host} (not loopback) requires a token: "
                         "pass --token <secret> or --token generate")
    return token


class _Server(uvicorn.Server):
    """uvicorn.Server that reports when it listens, and on which port."""

    def __init__(self, config: uvicorn.Config, on_started=None):
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        if self.started and self._on_started is not None:
            self._on_started(self)

    @property
    def port(self) -> int | None:
        for server in getattr(self, "servers", ()):
            for sock in server.sockets or ():
                return sock.getsockname()[1]
        return None


def _config(app, host: str, port: int, log_level: str = "warning") -> uvicorn.Config:
    # h11 with read deadlines and a connection cap (guard.py): slow clients
    # cannot starve the others; loop "auto": uvloop if installed
    return uvicorn.Config(app, host=host, port=port, log_config=None, log_level=log_level,
                          access_log=False, lifespan="on", server_header=False,
                          timeout_graceful_shutdown=5, http=guarded_protocol(), backlog=ACCEPT_BACKLOG)


class ApiServer:
    """The API in a background thread (the window's Settings > Serve API).

    `ApiServer(db_path, host='127.0.0.1', port=0, token=None)`: port 0 takes a
    free port (see `.port` after `start()`); token 'generate' makes one
    (`.token`). `start()` returns once the server listens; `stop()` returns
    once the thread has ended and the port is released.
    """

    def __init__(self, db_path, host: str = "127.0.0.1", port: int = 0, token: str | None = None,
                 cors_origins=(), engine: Engine | None = None):
        self.db_path = check_path(db_path)
        self.host = host
        self.token = resolve_token(host, token)
        self._requested_port = int(port)
        self._cors = tuple(cors_origins)
        self._engine = engine
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 15.0) -> "ApiServer":
        if self.running:
            return self
        app = create_app(self.db_path, token=self.token, cors_origins=self._cors, engine=self._engine)
        self._ready.clear()
        self._error = None
        self._server = _Server(_config(app, self.host, self._requested_port),
                               on_started=lambda s: self._ready.set())
        self._thread = threading.Thread(target=self._run, name="execdash-api", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError(f"the API server did not start within {timeout} s")
        if self._error is not None or not self._server.started:
            err = self._error
            self.stop()
            raise RuntimeError(f"the API server could not start on {self.host}:{self._requested_port}"
                               f"{': ' + str(err) if err else ''}")
        self.port = self._server.port
        return self

    def _run(self) -> None:
        try:
            self._server.run()
        except BaseException as exc:  # SystemExit from a failed bind, anything else
            self._error = exc
        finally:
            self._ready.set()

    def stop(self, timeout: float = 15.0) -> None:
        server, thread = self._server, self._thread
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                if server is not None:
                    server.force_exit = True
                thread.join(5)
        self._thread = None
        self._server = None

    def __enter__(self) -> "ApiServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        msg = record.getMessage()
        if msg.startswith("{"):
            return msg  # the access log is already one JSON object
        doc = {"ts": round(record.created, 3), "level": record.levelname.lower(),
               "logger": record.name, "msg": msg}
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False)


def configure_logging() -> None:
    """JSON lines on stderr; `EDB_ACCESS_LOG=0` turns the per-request lines off."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonLines())
    root = logging.getLogger("execdash_desktop")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False
    for name in ("uvicorn", "uvicorn.error"):
        lg = logging.getLogger(name)
        lg.handlers[:] = [handler]
        lg.setLevel(logging.INFO)
        lg.propagate = False
    access = logging.getLogger("execdash_desktop.api.access")
    access.setLevel(logging.INFO if os.environ.get("EDB_ACCESS_LOG", "1") != "0" else logging.WARNING)


def main(args) -> int:
    """`execdash serve --db FILE [--host H] [--port P] [--token T|generate] [--cors ORIGIN]`."""
    host = args.host or "127.0.0.1"
    try:
        token = resolve_token(host, args.token)
    except ValueError as exc:
        print(f"execdash: error: {exc}", file=sys.stderr)
        return 2
    db = check_path(args.db)  # DataFileError -> one line, exit 2 (cli.main)
    if args.token == "generate":
        print(f"API token (shown once, keep it): {token}", flush=True)
    configure_logging()
    app = create_app(db, token=token, cors_origins=list(args.cors or ()))

    def started(server: _Server) -> None:
        shown = f"[{host}]" if ":" in host else host
        print(f"serving {db} on http://{shown}:{server.port}/api "
              f"({'token required' if token else 'no token'}; Ctrl+C to stop)", flush=True)

    server = _Server(_config(app, host, int(args.port), log_level="info"), on_started=started)
    t0 = time.monotonic()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    except SystemExit as exc:  # uvicorn exits on a port it cannot bind
        if exc.code not in (0, None):
            print(f"execdash: error: cannot serve on {host}:{args.port}", file=sys.stderr)
            return 2
    log.info("server stopped after %.1f s", time.monotonic() - t0)
    return 0 if server.started else 2


__all__ = ["ApiServer", "main", "is_loopback", "resolve_token"]
