"""The board pack, Qt-free: what goes in it, page by page, and the data behind it.

`gather` reads everything a pack shows (payload, drill-downs, narrative
summary) with one read-only connection; `plan` splits it into pages: a cover,
the dashboard, the summary, then each drill-down with its chart and its tables,
long tables continued over pages. Sizes are abstract heights the renderer
(ui/board_pack.py) measures, so the page count is known before anything is
drawn ("Page N of M") and can be tested without a display. `write_atomic` is
how the PDF reaches the disk: whole, or not at all.
"""

from __future__ import annotations

import math
import os
import stat
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .dashboards import registry
from .table_summary import by_month, merge_by_period, on_paper
from .tables import Drilldown

PAPERS = ("a4", "letter")
_LETTER_TERRITORIES = {"US", "CA"}


def default_paper(locale_name: str | None) -> str:
    """'letter' for a US or Canadian locale (en_US, fr_CA...), else 'a4'."""
    name = (locale_name or "").replace("-", "_").split(".")[0]
    territory = name.split("_")[1].upper() if "_" in name else ""
    return "letter" if territory in _LETTER_TERRITORIES else "a4"


def __getattr__(name: str):
    # The Executive dashboard's default sections, under their older name (read from its declaration).
    if name == "DEFAULT_DRILLDOWNS":
        return registry.get(registry.DEFAULT).board_pack.drilldowns
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_keys(text: str | None, dashboard: str = registry.DEFAULT) -> tuple[str, ...]:
    """'finance/nrr,supply' -> keys (the dashboard's defaults for None); KeyError names the bad ones."""
    dash = registry.get(dashboard)
    if text is None:
        return dash.board_pack.drilldowns
    known = dash.drilldown_titles
    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = [k for k in keys if k not in known and not _foreign_key_ok(k, dash.name)]
    if bad:
        raise KeyError(f"unknown drill-down {', '.join(bad)}: expected some of {', '.join(known)}"
                       " (or DASHBOARD:KEY for another dashboard's)")
    return tuple(dict.fromkeys(keys))  # once each, in the order given


def _foreign_key_ok(key: str, own: str) -> bool:
    """'engineering:sla/breaches': another dashboard's drill-down, as a section of this pack."""
    name, sep, rest = key.partition(":")
    if not sep or name == own or name not in registry.names():
        return False
    return rest in registry.get(name).drilldown_titles


# -- the data ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackData:
    path: str
    payload: dict
    drilldowns: tuple[Drilldown, ...]
    summary: Any = None  # narrative.Summary, or None when the narrative is not available
    months: tuple[str, ...] = ()  # months of the file (the as-of picker's list)
    demo: bool = False  # the demo generator's made-up figures: every page says so
    dashboard: str = registry.DEFAULT  # whose payload this is (registry name)
    panels: Mapping[str, Any] = field(default_factory=dict)  # generic panel name -> what its query returned

    @property
    def has_summary(self) -> bool:
        return bool(self.summary is not None and self.summary.sentences)

    @property
    def currency(self) -> str:
        """The payload's meta currency, else the unit of the dashboard's first money KPI."""
        found = self.payload.get("meta", {}).get("currency")
        if found:
            return found
        d = registry.get(self.dashboard)
        money = {k.key for k in d.kpis if k.format == "currency"}
        return next((e.get("unit") for e in self.payload.get(d.kpis_key, []) if e.get("key") in money
                     and e.get("unit")), "\u00a3")

    @property
    def as_of(self) -> str:
        meta = self.payload.get("meta") or {}  # a payload without meta (Commerce) says its as-of in its timeframe
        return meta.get("as_of") or self.payload.get("timeframe", {}).get("as_of") or ""

    @property
    def title(self) -> str:
        """The dashboard's title ("Executive", "Engineering"): the cover's "<title> board pack"."""
        return registry.get(self.dashboard).title


def gather(conn, src, payload: dict, window, keys: Sequence[str], path: str,
           monthly: dict | None = None, dashboard: str = registry.DEFAULT,
           others: Callable[[str], tuple[Any, dict]] | None = None,
           sensitivity: str = "normal") -> PackData:
    """Everything a pack shows, read with `conn` (a read-only connection).

    The dashboard page, summary and plain keys are `dashboard`'s; a key
    'NAME:KEY' is another dashboard's drill-down, built from `others(NAME)`
    -> (its source, its monthly payload). The summary is written from the
    month-granularity payload (`monthly`; rebuilt from `src` if None).
    `window` is unused (the payload's timeframe says it), kept for older callers.
    `sensitivity` is the unusual-months setting (anomalies.SENSITIVITY) for the
    summary and every drill-down.
    """
    del window
    dash = registry.get(dashboard)
    tf = payload["timeframe"]
    if monthly is None:
        monthly = payload if tf["granularity"] == "month" else dash.payload(src, tf["range"], "month",
                                                                             tf["as_of"])
    dds = []
    for k in keys:
        name, sep, key = k.partition(":")
        if sep and name != dash.name and others is not None:
            other = registry.get(name)
            osrc, opayload = others(name)
            dd = other.drilldown(key, conn, osrc, opayload, sensitivity)
            dds.append(replace(dd, key=k, title=f"{other.title} \u203a {dd.title}"))
        else:
            dds.append(dash.drilldown(key if sep else k, conn, src, monthly, sensitivity))
    dds = tuple(for_paper(dd) for dd in dds)
    months = tuple(dash.as_of_options(src)) if dash.as_of_options else ()
    summary = dash.summary(conn, src, monthly, sensitivity) if dash.summary else None
    # the generic panels the page draws from a query of their own (spec.Panel.kind): read here, once
    # and the panels the pack prints on its dashboard page (board_pack.panels)
    panels = {p.name: p.query(conn, src, monthly) for p in dash.panels
              if p.query is not None and (p.kind or p.name in dash.board_pack.panels)}
    return PackData(str(path), payload, dds, summary, months, demo=bool(getattr(src, "demo", False)),
                    dashboard=dash.name, panels=panels)


def for_paper(dd: Drilldown) -> Drilldown:
    """A drill-down as the pack prints it: day-by-day tables of levels one row a month (the
    CSV export keeps every day), tables over the same months side by side in one, and no
    table longer than a page of rows (table_summary.on_paper says which rows are left off)."""
    tables, notes = [], list(dd.notes)
    for t in merge_by_period(tuple(by_month(t) for t in dd.tables)):
        t, note = on_paper(t)
        tables.append(t)
        if note:
            notes.append(note)
    return replace(dd, tables=tuple(tables), notes=tuple(notes))


# -- the page plan -------------------------------------------------------------------------

@dataclass(frozen=True)
class Geometry:
    """Heights on a drill-down page, in any one unit (the renderer uses pixels)."""

    body: float  # below the page's heading, above the footer
    chart: float  # the chart card
    table_head: float  # a table card's title line and column header row
    row: float  # one table row
    gap: float = 0.0  # between two blocks
    min_rows: int = 3  # a table starts on a new page unless this many rows fit below its head


@dataclass(frozen=True)
class TableSlice:
    table: int  # index in Drilldown.tables
    start: int
    stop: int

    @property
    def continued(self) -> bool:
        return self.start > 0


@dataclass(frozen=True)
class Page:
    kind: str  # cover | dashboard | summary | actions (alerts and open risks) | drilldown
    title: str
    key: str | None = None  # the drill-down's
    chart: bool = False
    slices: tuple[TableSlice, ...] = ()
    part: int = 1  # 1, 2... of a drill-down's pages
    parts: int = 1


@dataclass
class _Flow:
    geo: Geometry
    pages: list[list] = field(default_factory=lambda: [[]])
    used: float = 0.0

    def room(self) -> float:
        return self.geo.body - self.used

    def new_page(self) -> None:
        self.pages.append([])
        self.used = 0.0

    def put(self, item, height: float) -> None:
        self.pages[-1].append(item)
        self.used += height + self.geo.gap


def _drilldown_pages(dd: Drilldown, geo: Geometry) -> list[Page]:
    flow = _Flow(geo)
    chart = dd.chart is not None and bool(dd.chart.rows)
    if chart:
        flow.put("chart", geo.chart)
    for ti, table in enumerate(dd.tables):
        n, start = len(table.rows), 0
        while True:
            left = n - start
            fit = int(max(0.0, flow.room() - geo.table_head) // geo.row) if geo.row > 0 else left
            whole_fits_a_page = max(left, 1) <= rows_per_page(geo)
            if flow.pages[-1] and (fit < min(max(left, 1), geo.min_rows)
                                   or (whole_fits_a_page and fit < max(left, 1))):
                flow.new_page()  # a table that fits one page is not split; a long one starts
                continue         # where a few of its rows fit
            stop = start + min(left, max(fit, 1))  # an empty page always takes at least one row
            flow.put(TableSlice(ti, start, stop), geo.table_head + max(stop - start, 1) * geo.row)
            start = stop
            if start >= n:
                break
            flow.new_page()
    pages = [p for p in flow.pages if p] or [[]]
    return [Page("drilldown", dd.title, dd.key, chart=("chart" in items),
                 slices=tuple(i for i in items if isinstance(i, TableSlice)), part=i + 1, parts=len(pages))
            for i, items in enumerate(pages)]


def plan(drilldowns: Sequence[Drilldown], geo: Geometry, summary: bool = True, actions: int = 0,
         title: str = "Executive") -> list[Page]:
    """Every page of the pack, in order; `actions`: how many pages every alert and open
    risk take in full (the renderer measures their text); `title`: the dashboard's."""
    pages = [Page("cover", "Cover"), Page("dashboard", f"{title} dashboard")]
    if summary:
        pages.append(Page("summary", "Summary: now, reason, action"))
    pages += [Page("actions", "Alerts and open risks", part=i + 1, parts=actions) for i in range(actions)]
    for dd in drilldowns:
        pages += _drilldown_pages(dd, geo)
    return pages


def contents(pages: Sequence[Page]) -> list[tuple[str, str]]:
    """(title, page or page range) of each section, for the cover: ('Sales › Pipeline', '7–19')."""
    out: list[tuple[str, str]] = []
    for n, page in enumerate(pages, start=1):
        if page.kind == "cover":
            continue
        if page.part == 1:
            out.append((page.title, str(n) if page.parts == 1 else f"{n}\u2013{n + page.parts - 1}"))
    return out


def rows_per_page(geo: Geometry) -> int:
    """Rows of a table that fill a continuation page."""
    return max(1, math.floor((geo.body - geo.table_head) / geo.row))


# -- the file --------------------------------------------------------------------------------

def _resolved(p: Path) -> Path | None:
    """`p` with its links followed; None for a symlink loop (the stat that follows says so)."""
    try:
        return p.resolve()
    except (RuntimeError, OSError):  # Python < 3.13 raises RuntimeError on a loop
        return None


def check_target(path: str | os.PathLike, data_file: str | os.PathLike | None = None) -> Path:
    """The output path, if it is a regular file or a new name in an existing folder that
    can take a new file, and it is not the data file (or its -wal/-shm: the app never
    writes there); OSError otherwise. A device node, a FIFO or a socket is refused (the
    rename that finishes a write would replace it); a name ending in / means a folder."""
    text = os.fspath(path)
    p = Path(text).expanduser()
    if text.endswith(("/", os.sep)):
        raise IsADirectoryError(21, "ends with / so it names a folder: give a file name for the PDF", text)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None  # a new file (or a link to one): fine
    except OSError as exc:  # ELOOP (a symbolic link loop), EACCES...
        raise OSError(exc.errno, exc.strerror, str(p)) from None
    if data_file is not None:
        db = _resolved(Path(data_file).expanduser())
        if db is not None and _resolved(p) in (db, Path(f"{db}-wal"), Path(f"{db}-shm"),
                                                Path(f"{db}-journal")):
            raise FileExistsError(17, "is the data file itself: choose another name for the PDF", str(p))
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "is a folder, not a file name", str(p))
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise FileExistsError(17, "is not a regular file (a device, a pipe or a socket): "
                                  "choose a file name for the PDF", str(p))
    folder = p.parent if str(p.parent) else Path(".")
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(20, "is a file, not a folder", str(folder))
    if not folder.is_dir():
        raise FileNotFoundError(2, "no such folder", str(folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(13, "no permission to write in this folder", str(folder))
    return p


def write_atomic(path: str | os.PathLike, data: bytes, data_file: str | os.PathLike | None = None) -> Path:
    """Write `data` to `path` through a temporary file in the same folder: a reader sees the
    old file or the whole new one, never half of it; a failure leaves no temporary behind.
    `data_file`, when given, is refused as a target (see check_target)."""
    p = check_target(path, data_file)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".part", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return p


def _umask() -> int:
    # read, not set-and-restore: os.umask is process-wide and other threads create files too
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022
