"""When did a data file's data last change, not counting the app's own metrics writes?

The file's modification time moves each time the app records its timings in
`user_events`, so "File changed 08:43" would be the app's own doing. A small
JSON beside the rollup cache (user cache folder) keeps, per data file, the stamp
the app last saw and the time its data last changed: an own write carries the
time over; any other change of the stamp is a change of the data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .paths import file_key, user_cache_dir


def _path(data_path: str | os.PathLike) -> Path:
    return user_cache_dir() / f"{file_key(data_path)}.data-time.json"


def _mtime(stamp) -> float:
    return max(int(s[1]) for s in stamp) / 1e9


def _read(data_path) -> dict | None:
    try:
        doc = json.loads(_path(data_path).read_text("utf-8"))
        return doc if isinstance(doc, dict) and "stamp" in doc and "data_mtime" in doc else None
    except (OSError, ValueError):
        return None


def _write(data_path, stamp, data_mtime: float) -> None:
    p = _path(data_path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(f".{p.name}.{os.getpid()}.part")
        tmp.write_text(json.dumps({"stamp": [list(s) for s in stamp], "data_mtime": data_mtime}), "utf-8")
        os.replace(tmp, p)
    except OSError:  # a cache: losing it only means the file's own time is shown
        pass


def data_changed_at(data_path: str | os.PathLike, stamp) -> float:
    """Seconds since the epoch when the data (not the app's metrics) last changed, for a
    file whose rollup.file_stamp is `stamp`."""
    doc = _read(data_path)
    if doc is not None and [list(s) for s in doc["stamp"]] == [list(s) for s in stamp]:
        return float(doc["data_mtime"])
    when = _mtime(stamp)
    _write(data_path, stamp, when)
    return when


def note_own_write(data_path: str | os.PathLike, before, after) -> None:
    """The app wrote only its metrics, turning the stamp `before` into `after`."""
    doc = _read(data_path)
    same = doc is not None and [list(s) for s in doc["stamp"]] == [list(s) for s in before]
    _write(data_path, after, float(doc["data_mtime"]) if same else _mtime(before))
