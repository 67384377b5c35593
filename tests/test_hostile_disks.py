"""Full disks, file size limits and unusable folders (issue 12, items 7 and 8).

A full disk is a small tmpfs mounted for the test (root only: skipped with the
reason otherwise); `ulimit -f` is RLIMIT_FSIZE set in the child process, which
needs no privilege.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from execdash_desktop.packs.executive.demo import generate
from tests.hostile_corpus import make_wal_pair


def run(*args, env_extra=None, preexec_fn=None, timeout=120):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "execdash_desktop", *args], capture_output=True,
                          text=True, env=env, timeout=timeout, preexec_fn=preexec_fn)


def file_size_limit(n_bytes: int):
    """`ulimit -f`: a process that may not grow any file past n_bytes (Python ignores
    SIGXFSZ, so the write fails with EFBIG instead of killing it)."""
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (n_bytes, n_bytes))
    return apply


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("disks") / "demo.sqlite"
    generate(path, end="2026-10", months=24, orders=3000, seed=7)
    return path


@pytest.fixture
def small_disk(tmp_path):
    """A 8 MB tmpfs at tmp_path/disk, and `fill()` to use up what is left."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0777", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up (needs root): {r.stderr.strip()}")

    def fill() -> None:
        with open(mnt / "filler", "ab") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        assert shutil.disk_usage(mnt).free < 8192

    try:
        yield mnt, fill
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


# -- 7. a WAL file whose -shm cannot be created ------------------------------------
def _recognized(payload: dict) -> float:
    return next(k for k in payload["executiveKpis"] if k["key"] == "revenue")["value"]


def test_wal_file_under_a_file_size_limit_is_read_with_a_note(demo, tmp_path):
    wal = make_wal_pair(demo, tmp_path / "wal.sqlite")
    r = run("kpis", "--db", str(wal), "--json", preexec_fn=file_size_limit(1024))
    assert r.returncode == 0, r.stderr
    p = json.loads(r.stdout)
    assert _recognized(p) is not None
    (note,) = p["meta"]["notes"]
    assert "write-ahead log" in note and "may miss changes" in note
    table = run("kpis", "--db", str(wal), preexec_fn=file_size_limit(1024))
    assert table.returncode == 0 and "may miss changes" in table.stdout


def test_wal_file_under_a_file_size_limit_is_served_with_a_note(demo, tmp_path):
    wal = make_wal_pair(demo, tmp_path / "wal.sqlite")
    proc, port = _serve(wal, {}, preexec_fn=file_size_limit(1024))
    try:
        status, body = _call(port, "GET", "/api/executive-dashboard")
    finally:
        proc.terminate()
        proc.wait(10)
    assert status == 200 and "may miss changes" in body["meta"]["notes"][0]


def test_wal_file_on_a_full_disk_is_read_with_a_note(demo, small_disk):
    mnt, fill = small_disk
    wal = make_wal_pair(demo, mnt / "wal.sqlite")
    fill()
    r = run("kpis", "--db", str(wal), "--json")
    assert r.returncode == 0, r.stderr
    p = json.loads(r.stdout)
    assert _recognized(p) is not None and "may miss changes" in p["meta"]["notes"][0]


def test_wal_file_with_room_for_its_shm_reads_everything_without_a_note(demo, tmp_path):
    wal = make_wal_pair(demo, tmp_path / "wal.sqlite")
    plain = json.loads(run("kpis", "--db", str(demo), "--json").stdout)
    p = json.loads(run("kpis", "--db", str(wal), "--json").stdout)
    assert "notes" not in p["meta"]
    assert _recognized(p) == pytest.approx(_recognized(plain) + 12)  # the -wal's change is read


# -- 8. a full side-file folder, a demo onto a full disk ------------------------------
def test_demo_onto_a_full_disk_is_one_line_and_leaves_nothing(small_disk):
    mnt, fill = small_disk
    fill()
    before = sorted(p.name for p in mnt.iterdir())
    r = run("demo", "--db", str(mnt / "demo.sqlite"), "--orders", "2000")
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert str(mnt / "demo.sqlite") in r.stderr and "full" in r.stderr
    assert sorted(p.name for p in mnt.iterdir()) == before  # no partial file, no temp


def test_demo_under_a_file_size_limit_is_one_line_and_leaves_nothing(tmp_path):
    r = run("demo", "--db", str(tmp_path / "demo.sqlite"), "--orders", "2000",
            preexec_fn=file_size_limit(64 * 1024))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "demo.sqlite" in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []


def _serve(db: Path, env_extra: dict, preexec_fn=None):
    env = dict(os.environ, **env_extra)
    proc = subprocess.Popen([sys.executable, "-m", "execdash_desktop", "serve", "--db", str(db),
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=env, preexec_fn=preexec_fn)
    line = proc.stdout.readline()
    if "serving" not in line:
        proc.kill()
        pytest.fail(f"the server did not start: {line!r}")
    return proc, int(line.split("http://127.0.0.1:")[1].split("/")[0])


def _call(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _events_go_to_the_side_file(demo: Path, folder: Path) -> Path:
    """A copy without the metrics tables: its events go to the side file."""
    db = folder / "board.sqlite"
    shutil.copy(demo, db)
    conn = sqlite3.connect(db)
    conn.executescript("DROP TABLE user_event_meta; DROP TABLE user_events;")
    conn.close()
    return db


def _check_metrics_not_saved(port: int, data_dir: Path) -> None:
    for _ in range(2):  # the first and the later ones alike
        status, body = _call(port, "POST", "/api/events", {"event_type": "page_load", "meta": {"ttfb_ms": 5}})
        assert status == 503 and body["error"] == "metrics_not_saved", body
        assert "could not be saved" in body["detail"] and str(data_dir) in body["detail"]
    status, body = _call(port, "GET", "/api/executive-dashboard")
    assert status == 200 and body["executiveKpis"][0]["value"] is not None  # reads unaffected


def test_a_full_data_folder_says_metrics_not_saved_and_reads_go_on(demo, tmp_path, small_disk):
    mnt, fill = small_disk
    db = _events_go_to_the_side_file(demo, tmp_path)
    data_dir = mnt / "appdata"
    data_dir.mkdir()
    fill()
    proc, port = _serve(db, {"EXECDASH_DATA_DIR": str(data_dir)})
    try:
        _check_metrics_not_saved(port, data_dir)
    finally:
        proc.terminate()
        proc.wait(10)
    metrics = data_dir / "metrics"
    assert not metrics.exists() or list(metrics.iterdir()) == []  # no half-made side file


def test_a_read_only_data_file_and_a_full_data_folder(demo, tmp_path, small_disk):
    """The issue's case: the data file on read-only media, the user data folder full."""
    mnt, fill = small_disk
    ro = tmp_path / "media"
    ro.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(ro)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {r.stderr.strip()}")
    try:
        shutil.copy(demo, ro / "board.sqlite")
        r = subprocess.run(["mount", "-o", "remount,ro", str(ro)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        data_dir = mnt / "appdata"
        data_dir.mkdir()
        fill()
        proc, port = _serve(ro / "board.sqlite", {"EXECDASH_DATA_DIR": str(data_dir)})
        try:
            _check_metrics_not_saved(port, data_dir)
        finally:
            proc.terminate()
            proc.wait(10)
    finally:
        subprocess.run(["umount", "-l", str(ro)], capture_output=True)


def test_a_file_size_limit_says_metrics_not_saved_and_reads_go_on(demo, tmp_path):
    db = _events_go_to_the_side_file(demo, tmp_path)
    data_dir = tmp_path / "appdata"
    proc, port = _serve(db, {"EXECDASH_DATA_DIR": str(data_dir)}, preexec_fn=file_size_limit(2048))
    try:
        _check_metrics_not_saved(port, data_dir / "metrics")
    finally:
        proc.terminate()
        proc.wait(10)
    assert list((data_dir / "metrics").iterdir()) == []  # no half-made side file
