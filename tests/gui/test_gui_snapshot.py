"""File > Refresh from database... against the suite's real PostgreSQL (tests/pg_fixtures.py)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.pg_fixtures import DB, PASSWORD, USER, demo_file, pg  # noqa: E402,F401


def _orders(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM orders").fetchone()[0]
    finally:
        conn.close()


def _open_dialog(window, qtbot, schema: str = "public"):
    window.snapshots.action.trigger()
    dialog = window.snapshots.dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.schema.setText(schema)
    return dialog


def test_refresh_from_database_swaps_in_the_snapshot(window, qtbot, pg, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    path = Path(window.session.path)
    assert _orders(path) == 20_000
    dialog = _open_dialog(window, qtbot)
    dialog.address.setText(pg.url(USER, DB))
    dialog.password.setText(PASSWORD)  # typed: used once, never saved
    with qtbot.waitSignal(window.snapshots.snapshotDone, timeout=120_000) as done:
        dialog.start.click()
    assert done.args[0].rows["orders"] == 3000
    assert _orders(path) == 3000  # the snapshot replaced the file the window shows
    qtbot.waitUntil(lambda: window.snapshots.status.text().startswith(f"Snapshot of {DB}@127.0.0.1, "),
                    timeout=10_000)
    assert not dialog.isVisible()
    # the source is remembered without a password, the password nowhere on disk
    assert window.snapshots.remembered == (pg.url(USER, DB), "public")
    window.settings.sync()
    for p in [path, *path.parent.glob("*"), Path(window.settings.path)]:
        if p.is_file():
            assert PASSWORD.encode() not in p.read_bytes(), p
    # the next refresh starts from the remembered source
    window.snapshots.action.trigger()
    assert window.snapshots.dialog.address.text() == pg.url(USER, DB)
    window.snapshots.dialog.reject()


def test_refresh_can_be_cancelled(window, qtbot, pg, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    path = Path(window.session.path)
    dialog = _open_dialog(window, qtbot, schema="big")
    dialog.address.setText(pg.url(USER, DB))
    seen = []
    shown = dialog.set_progress  # the progress the dialog is given, as it is given it

    def record(fraction: float, message: str) -> None:
        seen.append(message)
        shown(fraction, message)

    monkeypatch.setattr(dialog, "set_progress", record)
    with qtbot.waitSignal(window.snapshots.snapshotFailed, timeout=120_000) as failed:
        dialog.start.click()
        qtbot.waitUntil(lambda: "copying orders" in seen, timeout=60_000)
        dialog.cancel.click()
    assert "cancelled" in failed.args[0]
    assert dialog.note.text() == "Refresh cancelled. The data file is unchanged."
    assert _orders(path) == 20_000
    assert not any(".snapshot-" in p.name for p in path.parent.iterdir())
    dialog.reject()


def test_refused_login_is_said_plainly(window, qtbot, pg, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    dialog = _open_dialog(window, qtbot)
    dialog.address.setText(pg.url(USER, DB))
    dialog.password.setText("not-the-password")
    with qtbot.waitSignal(window.snapshots.snapshotFailed, timeout=60_000):
        dialog.start.click()
    assert dialog.note.text() == "The database refused the login. Check the user name and password."
    assert f"login refused for {USER}@127.0.0.1/{DB}" in dialog.details.text()
    assert dialog.start.isEnabled() and not dialog.details.isVisible()
    dialog.details_button.click()
    assert dialog.details.isVisible()
    dialog.reject()
