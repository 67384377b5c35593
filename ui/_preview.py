"""Shared plumbing for the panels' `__main__` previews (and their smoke tests).

`python -m execdash_desktop.ui.widgets.kpi_card` shows one panel on sample data from a
small demo file. With `EXECDASH_PREVIEW_MS` set, the preview closes itself
after that many milliseconds (the smoke tests run every preview this way).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Callable

_SAMPLE_ARGS = {"months": 24, "orders": 20_000, "end": "2026-10", "seed": 7}


def sample_file() -> Path:
    """A small demo data file, made once per machine in the temp folder."""
    from execdash_desktop.packs.executive.demo import generate

    override = os.environ.get("EXECDASH_PREVIEW_FILE")
    if override and Path(override).is_file():
        return Path(override)
    p = Path(tempfile.gettempdir()) / f"execdash-preview-{os.getuid() if hasattr(os, 'getuid') else 0}" / "demo.sqlite"
    p.parent.mkdir(parents=True, exist_ok=True)
    if not p.exists():
        generate(p, **_SAMPLE_ARGS)
    return p


def sample_source():
    from execdash_desktop.engine import Engine

    return Engine().source(sample_file())


def sample_payload(range_: str = "12m", granularity: str = "month") -> dict:
    from execdash_desktop.packs.executive.payload import build_payload

    return build_payload(sample_source(), range_, granularity)


def sample_engineering(bugs: int = 600) -> tuple[Path, object, dict]:
    """A small Engineering demo file (made once per machine): (path, source, payload)."""
    from execdash_desktop.demo import write_demo
    from execdash_desktop.engine import Engine

    p = Path(tempfile.gettempdir()) / f"execdash-preview-{os.getuid() if hasattr(os, 'getuid') else 0}" / "eng.sqlite"
    p.parent.mkdir(parents=True, exist_ok=True)
    if not p.exists():
        write_demo(p, ["engineering"], end="2026-10", options={"engineering": {"bugs": bugs}})
    eng = Engine()
    return p, eng.source(p, dashboard="engineering"), eng.payload(p, dashboard="engineering")


def engineering_panel_data(name: str):
    """What panel `name` of the Engineering dashboard shows on the sample file (its query run here)."""
    from execdash_desktop.dashboards import registry
    from execdash_desktop.store import open_reader

    p, src, payload = sample_engineering()
    panel = registry.get("engineering").panel(name)
    if panel.payload_key is not None:
        return payload.get(panel.payload_key), payload
    conn = open_reader(p)
    try:
        return panel.query(conn, src, payload), payload
    finally:
        conn.close()


def run(build: Callable[[], object], title: str, size: tuple[int, int] = (900, 600)) -> int:
    """Show `build()` in a window with the app's theme; return the exit code."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from . import theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.install(app, os.environ.get("EXECDASH_THEME", "system"))
    widget = build()
    widget.setWindowTitle(f"{title} (preview)")
    widget.resize(*size)
    widget.show()
    ms = os.environ.get("EXECDASH_PREVIEW_MS")
    if ms:
        loop = QEventLoop()
        QTimer.singleShot(int(ms), loop.quit)
        loop.exec()
        widget.close()
        widget.deleteLater()
        return 0
    return app.exec()
