"""Tables out to Excel: a dashboard's tables as one workbook, a table view as one sheet.

Written with XlsxWriter: write-only, streaming (`constant_memory` keeps one row
in memory, so a 100k-row table costs no more than a small one), pure Python
with no dependencies, and faster than openpyxl, whose read-write object model
this never needs (calamine does the reading). Text stays text (never turned
into a number, formula or link), numbers are numbers, so a workbook exported
here imports back unchanged. Written through a temporary file, then renamed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .schema import NOT_IMPORTABLE, _q, dashboard

EXCEL_ROWS = 1_048_576  # per sheet, the header included
EXACT_INT = 2 ** 53  # larger integers would lose digits as an Excel number: written as text
_OPTIONS = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, "nan_inf_to_errors": True}


def _exact_sheet_class():
    """A Worksheet writing every number in its shortest exact form.

    XlsxWriter writes `%.16G`, which rounds some doubles (1881000.0000000002
    became 1881000.0): a workbook that must import back unchanged needs the
    17th digit when a value has one. Excel reads either form.
    """
    from xlsxwriter.worksheet import Worksheet

    class ExactWorksheet(Worksheet):
        def _xml_number_element(self, number, attributes=()):
            attr = "".join(f' {k}="{self._escape_attributes(v)}"' for k, v in attributes)
            self.fh.write(f"<c{attr}><v>{number!r}</v></c>" if isinstance(number, float)
                          else f"<c{attr}><v>{number:.16G}</v></c>")

    return ExactWorksheet


def _write_rows(book, name: str, headers: Sequence[str], rows: Iterable[Sequence], bold) -> int:
    """Rows to one sheet, continuing on `name (2)`... past Excel's row limit; returns the count."""
    part, sheet, r, n = 1, None, EXCEL_ROWS, 0
    for row in rows:
        if r >= EXCEL_ROWS:
            title = name[:31] if part == 1 else f"{name[:25]} ({part})"
            sheet = book.add_worksheet(title, worksheet_class=book.exact_sheet)
            sheet.write_row(0, 0, list(headers), bold)
            part, r = part + 1, 1
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, bool):
                sheet.write_boolean(r, c, v)
            elif isinstance(v, int):
                (sheet.write_number if abs(v) < EXACT_INT else sheet.write_string)(r, c, v if abs(v) < EXACT_INT else str(v))
            elif isinstance(v, float):
                sheet.write_number(r, c, v)
            elif isinstance(v, bytes):
                sheet.write_string(r, c, v.hex())
            else:
                sheet.write_string(r, c, str(v))
        r += 1
        n += 1
    if sheet is None:  # an empty table still gets its sheet and header
        sheet = book.add_worksheet(name[:31], worksheet_class=book.exact_sheet)
        sheet.write_row(0, 0, list(headers), bold)
    return n


def _check_target(out: Path, data_file: Path | None) -> None:
    from ..boardpack import check_target

    check_target(out, data_file)


def _atomic_book(out: Path, fill: Callable) -> None:
    import xlsxwriter

    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    try:
        book = xlsxwriter.Workbook(tmp, _OPTIONS)
        book.exact_sheet = _exact_sheet_class()
        bold = book.add_format({"bold": True})
        fill(book, bold)
        book.close()
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_dashboard(db: str | os.PathLike, name: str, out: str | os.PathLike,
                     progress: Callable[[float, str], None] | None = None) -> dict:
    """Every table of dashboard `name` the file holds, one sheet each (the metrics tables excepted)."""
    from ..store import open_reader, table_names

    d = dashboard(name)
    out = Path(out).expanduser()
    _check_target(out, Path(db))
    conn = open_reader(db)
    counts: dict[str, int] = {}
    try:
        present = table_names(conn)
        tables = [t for t in d.tables if t.name in present and t.name not in NOT_IMPORTABLE]

        def fill(book, bold):
            for i, t in enumerate(tables):
                if progress:
                    progress(i / max(1, len(tables)), f"Writing {t.name}")
                cols = [c.name for c in t.columns]
                have = {r[1] for r in conn.execute(f"PRAGMA table_info({_q(t.name)})")}
                cols = [c for c in cols if c in have]
                cur = conn.execute(f"SELECT {', '.join(map(_q, cols))} FROM {_q(t.name)}")
                counts[t.name] = _write_rows(book, t.name, cols, cur, bold)

        _atomic_book(out, fill)
    finally:
        conn.close()
    return {"path": str(out), "dashboard": d.name, "tables": counts}


def write_table_xlsx(out: str | os.PathLike, title: str, headers: Sequence[str], rows: Iterable[Sequence],
                     data_file: str | os.PathLike | None = None) -> Path:
    """One table view as a one-sheet workbook (the window's Export Excel)."""
    out = Path(out).expanduser()
    _check_target(out, Path(data_file) if data_file else None)
    safe = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet1"
    _atomic_book(out, lambda book, bold: _write_rows(book, safe, headers, rows, bold))
    return out
