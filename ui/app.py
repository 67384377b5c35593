"""`execdash` with no arguments (or `execdash open PATH`): the desktop window.

Start-up is ordered for a fast first screen: the data file's load is asked of
the worker pool before the window is built (SQLite runs while widgets are
made), the window paints once, and only then is pyqtgraph imported for the
trend chart. Nothing on this path imports pandas.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def resolve_start(path: str | None, settings) -> tuple[Path, bool]:
    """(file to open, whether the demo file must be created first).

    An explicit path must exist (DataFileError otherwise: the command line
    prints it); else the last file used if it still exists; else the demo
    file in the user data folder, created on first start.
    """
    from execdash_desktop.paths import demo_file
    from execdash_desktop.store import check_path

    if path:
        return check_path(path), False
    last = settings.last_file
    if last and Path(last).is_file():
        return Path(last), False
    demo = demo_file()
    return demo, not demo.is_file()


def _initial_size(window) -> None:
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    avail = screen.availableGeometry() if screen is not None else None
    w, h = 1440, 900
    if avail is not None:
        w, h = min(w, int(avail.width() * 0.92)), min(h, int(avail.height() * 0.92))
    window.resize(max(w, window.minimumWidth()), max(h, window.minimumHeight()))


def main(path: str | None = None) -> int:
    t_main = time.perf_counter()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from execdash_desktop import APP_NAME, ORG_DOMAIN, ORG_NAME, __version__

    from . import theme
    from .main_window import QtMainWindow
    from .services.query_service import QueryService
    from .services.session import QtDataSession
    from .services.settings import Settings

    QApplication.setOrganizationName(ORG_NAME)
    QApplication.setOrganizationDomain(ORG_DOMAIN)
    QApplication.setApplicationName(APP_NAME)
    QApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setDesktopFileName("execdash")
    settings = Settings()
    target, create = resolve_start(path, settings)
    theme.install(app, settings.theme)
    app.setWindowIcon(theme.app_icon())

    service = QueryService()
    session = QtDataSession(service, settings)
    if not create:
        session.open(target)  # the worker starts reading now, while the window is built
    window = QtMainWindow(service, settings, session, t_main)
    service.setParent(window)
    if create:
        window.create_demo(target)
    geometry = settings.geometry
    if not (geometry and window.restoreGeometry(geometry)):
        _initial_size(window)

    if os.environ.get("EXECDASH_STARTUP_PROBE"):
        def report(timings: dict) -> None:
            print("EXECDASH_STARTUP " + json.dumps({**timings, "wall": time.time()}), flush=True)
            QTimer.singleShot(0, window, window.close)  # not from inside a paint event

        window.firstPainted.connect(report)

    window.show()
    window.install_chart_soon()  # pyqtgraph after the first data, so the two do not compete
    rc = app.exec()
    window.deleteLater()
    return int(rc)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
