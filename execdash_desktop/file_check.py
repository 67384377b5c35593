"""Is this a dashboard data file? Checked before a window opens on it, and said in plain words.

`check_data_file` raises DataFileError (one technical line: file, table) for a
file that is missing, empty, not SQLite, or has no dashboard tables; `plain_words`
turns such a line into what an executive reads, and says whether trying again can
help (a locked file: yes; a spreadsheet: no).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .errors import DataFileError, MissingTablesError
from .packs.executive.source import OPTIONAL, REQUIRED
from .store import check_path, open_reader, table_names


def check_data_file(path: str | os.PathLike) -> Path:
    """The resolved path of a data file the dashboard can open; DataFileError otherwise."""
    p = check_path(path)
    if p.stat().st_size == 0:
        raise DataFileError(f"{p}: is empty (0 bytes), not a data file")
    conn = open_reader(p)
    try:
        tables = table_names(conn)
    except sqlite3.DatabaseError as exc:
        raise DataFileError(f"{p}: not a SQLite database ({exc})") from exc
    finally:
        conn.close()
    missing = [t for t in REQUIRED if t not in tables]
    if missing:
        raise MissingTablesError(str(p), missing + [t for t in OPTIONAL if t not in tables])
    return p


@dataclass(frozen=True)
class Problem:
    title: str  # what happened, in a few words
    text: str  # what it means and what to do
    retry_helps: bool


def plain_words(message: str) -> Problem:
    """An executive's words for a DataFileError's message (the message stays as the details)."""
    m = message.lower()
    if "not found" in m:
        return Problem("The file is not there", "It may have been moved, renamed or deleted. "
                       "Open another file, or the demo.", False)
    if "is empty" in m:
        return Problem("The file is empty", "It holds no data at all. Open another file, or the demo.", False)
    if "not a sqlite database" in m or "not a regular file" in m or "is a folder" in m:
        return Problem("This is not a dashboard data file", "ExecDash opens the data files it or your "
                       "data team make (.sqlite). Open another file, or the demo.", False)
    if "missing table" in m:
        return Problem("This file has no dashboard data", "It is a database, but not one with the figures "
                       "the dashboard shows. Open another file, or the demo.", False)
    if "permission" in m:
        return Problem("ExecDash may not read this file", "Ask whoever manages the file for access, "
                       "or open another file.", False)
    if "table" in m or "column" in m:  # one part of the file: that view alone
        return Problem("Part of the data is missing", "The file lacks some of the figures this page "
                       "shows. The rest of the dashboard is unaffected.", True)
    if "locked" in m or "busy" in m:
        return Problem("The file is busy", "Another program is writing to it. Try again in a moment.", True)
    return Problem("Could not open the data file", "Try again, or open another file.", True)
