"""Spreadsheets in: CSV, TSV, XLSX/XLSM, ODS, a folder or a .zip of them, every cell as text.

CSV goes through pandas' C reader in chunks (bounded memory, progress per
chunk); workbooks through calamine (Rust), which reads an .xlsx many times
faster than openpyxl and an .ods too. Every value arrives as text, exactly as
the user typed it or as the cell holds it (a float keeps its shortest exact
form), and is converted only by validation, which knows the column's type.
pandas is imported here, lazily: the window's start-up never pays for it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataFileError

TEXT_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".txt": "csv"}
BOOK_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods", ".xls": "xlsx"}
SUFFIXES = {**TEXT_SUFFIXES, **BOOK_SUFFIXES}
CHUNK_ROWS = 25_000  # a tenth of a second of work: progress stays live on a busy machine


class SourceError(DataFileError):
    """A source that cannot be read at all (missing, not a spreadsheet, corrupt): one line."""


@dataclass(frozen=True)
class Sheet:
    path: Path  # a real file (a .zip member is extracted to a temporary folder)
    display: str  # as the user knows it: book.zip/orders.csv
    sheet: str | None  # the workbook's sheet; None for CSV
    fmt: str  # csv | tsv | xlsx | ods
    hints: tuple[str, ...]  # names that may name the table: the sheet, then the file's stem


@dataclass(frozen=True)
class Chunk:
    headers: tuple[str, ...]
    frame: object  # pandas.DataFrame of str, columns = headers, index = spreadsheet row numbers
    fraction: float  # of the sheet read so far


def _book_sheets(path: Path, display: str, fmt: str) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    try:
        names = CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
        raise SourceError(f"{display}: not a readable workbook ({exc})") from None
    stem_hint = (path.stem,) if len(names) == 1 else ()
    return [Sheet(path, display, n, fmt, (n, *stem_hint)) for n in names]


def _file_sheets(path: Path, display: str) -> list[Sheet]:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(f"{display}: not a spreadsheet (expected .csv, .tsv, .xlsx, .xlsm or .ods)")
    if fmt in ("csv", "tsv"):
        return [Sheet(path, display, None, fmt, (path.stem,))]
    return _book_sheets(path, display, fmt)


def list_sheets(sources: list[str], stack: ExitStack) -> list[Sheet]:
    """Every sheet the sources hold, in order; a .zip is extracted into a folder `stack` removes."""
    import tempfile

    out: list[Sheet] = []
    for src in sources:
        p = Path(src).expanduser()
        if not p.exists():
            raise SourceError(f"{src}: not found")
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES
                           and not f.name.startswith((".", "~$")))
            if not files:
                raise SourceError(f"{src}: no .csv, .tsv, .xlsx, .xlsm or .ods files in this folder")
            for f in files:
                out += _file_sheets(f, str(f))
        elif p.suffix.lower() == ".zip":
            try:
                zf = stack.enter_context(zipfile.ZipFile(p))
            except zipfile.BadZipFile:
                raise SourceError(f"{src}: not a readable .zip file") from None
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="execdash-zip-")))
            members = sorted(m for m in zf.namelist() if Path(m).suffix.lower() in SUFFIXES
                             and not Path(m).name.startswith((".", "~$")) and not m.startswith("__MACOSX"))
            if not members:
                raise SourceError(f"{src}: no .csv, .tsv, .xlsx, .xlsm or .ods files in this archive")
            for i, m in enumerate(members):
                target = tmp / f"{i}{Path(m).suffix.lower()}"
                target.write_bytes(zf.read(m))
                named = target.with_name(f"{i}-{Path(m).name}")
                target.rename(named)
                sheets = _file_sheets(named, f"{src}/{m}")
                out += [Sheet(s.path, s.display, s.sheet, s.fmt,
                              tuple(Path(m).stem if h == named.stem else h for h in s.hints)) for s in sheets]
        else:
            out += _file_sheets(p, str(src))
    return out


def checksum(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()


def _encoding(path: Path) -> str:
    """UTF-8 (with or without a BOM), else Windows-1252, as Excel on Windows saves a CSV."""
    dec = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        head = f.read(3)
        f.seek(0)
        try:
            for block in iter(lambda: f.read(1 << 20), b""):
                dec.decode(block)
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig" if head == codecs.BOM_UTF8 else "utf-8"


def _separator(path: Path, fmt: str, encoding: str) -> str:
    if fmt == "tsv":
        return "\t"
    with open(path, encoding=encoding, errors="replace", newline="") as f:
        first = f.readline()
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda s: (counts[s], s == ","))


def _csv_chunks(sheet: Sheet, chunk_rows: int, limit: int | None) -> Iterator[Chunk]:
    import pandas as pd

    size = max(1, sheet.path.stat().st_size)
    encoding = _encoding(sheet.path)
    sep = _separator(sheet.path, sheet.fmt, encoding)
    with open(sheet.path, "rb") as fh:
        try:
            reader = pd.read_csv(fh, sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                                 skip_blank_lines=False, chunksize=chunk_rows, nrows=limit,
                                 encoding=encoding, engine="c")
            first = 2
            for frame in reader:
                frame.index = range(first, first + len(frame))
                first += len(frame)
                yield Chunk(tuple(str(c) for c in frame.columns), frame, min(1.0, fh.tell() / size))
        except pd.errors.EmptyDataError:
            return
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise SourceError(f"{sheet.display}: not a readable CSV file ({str(exc).strip()})") from None


def cell_text(v) -> str:
    """A workbook cell as the text the user sees in it (numbers in their shortest exact form)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, dt.datetime):
        if v.time() == dt.time(0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return str(v)


def _book_chunks(sheet: Sheet, chunk_rows: int, limit: int | None) -> Iterator[Chunk]:
    import pandas as pd
    from python_calamine import CalamineWorkbook

    try:
        ws = CalamineWorkbook.from_path(str(sheet.path)).get_sheet_by_name(sheet.sheet)
    except Exception as exc:  # noqa: BLE001
        raise SourceError(f"{sheet.display} [{sheet.sheet}]: cannot be read ({exc})") from None
    rows = ws.iter_rows()
    header = next(rows, None)
    if header is None:
        return
    top = (ws.start or (0, 0))[0] + 1  # the header's row number in the spreadsheet
    headers = [cell_text(h).strip() or f"column {i + 1}" for i, h in enumerate(header)]
    while headers and headers[-1].startswith("column ") and not cell_text(header[len(headers) - 1]):
        headers.pop()
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):  # repeated headers become `name.1`, as pandas names them in a CSV
        if h in seen:
            seen[h] += 1
            headers[i] = f"{h}.{seen[h]}"
        else:
            seen[h] = 0
    width, total = len(headers), max(1, (ws.height or 1) - 1)
    first, buf, done = top + 1, [], 0
    for raw in rows:
        cells = [cell_text(v) for v in raw[:width]]
        buf.append(cells + [""] * (width - len(cells)))
        done += 1
        if len(buf) >= chunk_rows or (limit is not None and done >= limit):
            frame = pd.DataFrame(buf, columns=headers, index=range(first, first + len(buf)), dtype=object)
            first += len(buf)
            buf = []
            yield Chunk(tuple(headers), frame, min(1.0, done / total))
            if limit is not None and done >= limit:
                return
    frame = pd.DataFrame(buf, columns=headers, index=range(first, first + len(buf)), dtype=object)
    yield Chunk(tuple(headers), frame, 1.0)


def read_chunks(sheet: Sheet, chunk_rows: int = CHUNK_ROWS, limit: int | None = None) -> Iterator[Chunk]:
    """The sheet's rows as text frames indexed by their spreadsheet row numbers."""
    if sheet.fmt in ("csv", "tsv"):
        return _csv_chunks(sheet, chunk_rows, limit)
    return _book_chunks(sheet, chunk_rows, limit)


def preview(sheet: Sheet, rows: int = 20) -> Chunk | None:
    """The header and first rows (the window's preview)."""
    return next(iter(read_chunks(sheet, rows, rows)), None)


def read_row(sheet: Sheet, row: int) -> dict[str, str] | None:
    """One row as the spreadsheet numbers it (header = 1): header -> cell; None past the end."""
    for chunk in read_chunks(sheet, CHUNK_ROWS, max(1, row - 1)):
        if row in chunk.frame.index:
            return {str(k): str(v) for k, v in chunk.frame.loc[row].items()}
    return None
