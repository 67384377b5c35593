"""Settings > Serve the API: starting and stopping the embedded server off the GUI thread.

Starts and stops are one-off requests of the query service (nothing supersedes
them, so a started server is never lost). The races are settled when a start
lands: if the toggle was switched off meanwhile, another file was opened, or a
server is already up, the new server is stopped at once (and, if the toggle is
still on, the file now open is served).
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from .query_service import Job, QueryService


class QtApiToggle(QObject):
    statusChanged = Signal(str, str)  # status bar text ("" when off), its tool tip
    startFailed = Signal(str)  # why the server could not start
    startLanded = Signal(object)  # every server a start produced (kept or stopped at once)

    def __init__(self, service: QueryService, action: QAction, path_of: Callable[[], str | None],
                 parent: QObject | None = None):
        super().__init__(parent)
        self.service = service
        self.action = action  # checkable: its state is the user's wish
        self._path_of = path_of
        self.server = None  # the running ApiServer, if any
        action.toggled.connect(self._on_action_toggled)

    @property
    def wanted(self) -> bool:
        return self.action.isChecked()

    def file_opened(self, _path: str) -> None:
        """Serve the file now open instead of the previous one."""
        if self.server is not None:
            self._stop(self.server)
            self.server = None
            self._start()

    def shutdown(self) -> None:
        """Closing the window: stop the server now, on this thread."""
        server, self.server = self.server, None
        if server is not None:
            try:
                server.stop()
            except Exception:
                pass

    # -- the toggle --------------------------------------------------------------------------
    def _on_action_toggled(self, on: bool) -> None:
        if on:
            self._start()
        else:
            if self.server is not None:
                server, self.server = self.server, None
                self._stop(server)
            self.statusChanged.emit("", "")  # a start in flight is stopped when it lands

    def _start(self) -> None:
        path = self._path_of()
        if not path:
            return
        self.statusChanged.emit("Starting the API\u2026", "")
        self.service.submit(Job("api_start", path), self._on_started, self._on_start_failed, owner=self)

    def _stop(self, server) -> None:
        self.service.submit(Job("api_stop", str(server.db_path), (id(server),), payload=server), owner=self)

    # -- the outcomes ------------------------------------------------------------------------
    def _on_started(self, req, server) -> None:
        self.startLanded.emit(server)
        path = self._path_of()
        if self.server is not None or not self.wanted or req.job.path != path:
            self._stop(server)  # toggled off, or another file opened, while it started
            if self.server is None and self.wanted and path:
                self._start()  # serve the file now open
            return
        self.server = server
        self.statusChanged.emit(f"API {server.url}", f"Serving {req.job.path}")

    def _on_start_failed(self, req, message: str) -> None:
        if req.job.path != self._path_of():
            return
        self.statusChanged.emit("", "")
        self.action.blockSignals(True)
        self.action.setChecked(False)
        self.action.blockSignals(False)
        self.startFailed.emit(message)
