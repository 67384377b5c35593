"""What an import found and did: each problem where the user will look for it.

A problem names the file, the sheet, the row as the spreadsheet shows it (the
header is row 1), the column as the file spells it, the value and what was
expected. The terminal shows the first 20 and a summary; `--report` and the
window get them all (up to MAX_KEPT; the counts stay exact beyond it).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

MAX_KEPT = 100_000

KIND_WORDS = {
    "unreadable": "file could not be read",
    "no_table": "no table to import into",
    "missing_column": "required column missing",
    "unknown_column": "column not in the table (ignored)",
    "empty": "required value missing",
    "type": "wrong type",
    "date": "not a date",
    "enum": "not an accepted value",
    "check": "fails a rule",
    "duplicate": "duplicate key in the file",
    "exists": "key already in the data file",
    "foreign_key": "refers to a missing row",
    "database": "refused by the data file",
}


@dataclass(frozen=True)
class Problem:
    kind: str  # a key of KIND_WORDS
    file: str
    sheet: str | None
    row: int | None  # as the spreadsheet shows it: header = 1, first data row = 2
    column: str | None
    value: str | None
    expected: str
    table: str | None = None
    severity: str = "error"  # error: blocks the import | warning: reported only

    def line(self) -> str:
        where = self.file + (f" [{self.sheet}]" if self.sheet else "")
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", column {self.column}"
        what = f": {self.value!r}" if self.value is not None else ""
        return f"{where}{what}: {KIND_WORDS.get(self.kind, self.kind)}, expected {self.expected}"


@dataclass(frozen=True)
class PartResult:
    """One file or sheet and the table it went to."""

    file: str
    sheet: str | None
    table: str | None
    rows: int = 0
    imported: int = 0  # rows written (0 when the import wrote nothing)
    failed: int = 0  # rows with a problem
    checksum: str = ""
    mapping: tuple[tuple[str, str | None], ...] = ()  # header -> column


@dataclass(frozen=True)
class Report:
    db: str
    mode: str
    dry_run: bool
    skip_bad_rows: bool
    written: bool  # True when rows were committed to the file
    cancelled: bool
    seconds: float
    parts: tuple[PartResult, ...]
    problems: tuple[Problem, ...]
    counts: dict = field(default_factory=dict)  # kind -> how many (exact, even past MAX_KEPT)
    log_id: str | None = None

    @property
    def errors(self) -> int:
        return sum(n for k, n in self.counts.items() if not k.startswith("warning:"))

    @property
    def ok(self) -> bool:
        """Nothing wrong, or (skip_bad_rows) the good rows were written and the rest reported."""
        if self.cancelled:
            return False
        return self.errors == 0 or (self.skip_bad_rows and self.written)

    @property
    def imported(self) -> int:
        return sum(p.imported for p in self.parts) if self.written else 0

    @property
    def failed(self) -> int:
        return sum(p.failed for p in self.parts)

    def as_json(self) -> dict:
        d = asdict(self)
        d["errors"], d["imported"], d["failed"] = self.errors, self.imported, self.failed
        return d

    def summary(self) -> str:
        kinds = ", ".join(f"{n:,} {KIND_WORDS.get(k.removeprefix('warning:'), k)}"
                          for k, n in sorted(self.counts.items(), key=lambda kv: -kv[1]))
        rows = sum(p.rows for p in self.parts)
        if self.cancelled:
            head = "cancelled: nothing written"
        elif self.dry_run:
            head = f"dry run: {rows:,} rows checked, nothing written"
        elif self.written:
            head = f"imported {self.imported:,} of {rows:,} rows into {self.db}"
            if self.failed:
                head += f" ({self.failed:,} bad rows skipped)"
        else:
            head = f"nothing written to {self.db}: {rows:,} rows checked"
        return head + (f"; {kinds}" if kinds else "") + f" ({self.seconds:.1f} s)"


def count_key(p: Problem) -> str:
    return p.kind if p.severity == "error" else f"warning:{p.kind}"


class ProblemLog:
    """Collects problems while an import runs (kept up to MAX_KEPT, all counted)."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.counts: Counter[str] = Counter()

    def add(self, p: Problem) -> None:
        self.counts[count_key(p)] += 1
        if len(self.kept) < MAX_KEPT:
            self.kept.append(p)

    @property
    def errors(self) -> int:
        return sum(n for k, n in self.counts.items() if not k.startswith("warning:"))


def write_json(report: Report, path: str) -> None:
    """The whole report as JSON, written whole (a temp file renamed into place)."""
    import os
    import tempfile
    from pathlib import Path

    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".json", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(report.as_json(), f, ensure_ascii=False, indent=1)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
