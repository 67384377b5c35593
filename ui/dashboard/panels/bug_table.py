"""Every bug, filtered and searched, sorted by priority: a lazy table that stays smooth at 1M bugs.

`QtPagedTableModel` knows only the total the filters match and the pages it
has been given; a cell of a page it lacks shows a placeholder and asks for the
page (job "page"). `PAGE_JOBS` page jobs run at a time; a page asked for
while they run waits, and when a slot frees only the waiting pages still in
view are fetched: a fling asks for the pages it stops on, not for every page
it flies past. Only the pages the view paints are fetched, never every row,
and at most `MAX_PAGES` are kept. No widget per row: one QTableView with
fixed row heights.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from operator import itemgetter

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QPainter
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QTableView, QVBoxLayout, QWidget)

from execdash_desktop.format import MONTH_ABBR, format_cell, short_date
from execdash_desktop.words import code_words

from ... import theme
from ...services.query_service import Job

PAGE = 200
_DISPLAY, _ALIGN, _TIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ToolTipRole
_DISPLAY_INT, _ALIGN_INT, _TIP_INT = int(_DISPLAY.value), int(_ALIGN.value), int(_TIP.value)  # QModelRoleData.role()
# The roles QStyledItemDelegate asks of every cell it paints (Qt 6's initStyleOption), in its order:
# font, alignment, text colour, check state, icon, text, background. multiData checks the two it answers.
_DELEGATE_ROLES = (Qt.ItemDataRole.FontRole, _ALIGN, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.CheckStateRole,
                   Qt.ItemDataRole.DecorationRole, _DISPLAY, Qt.ItemDataRole.BackgroundRole)
_DELEGATE_TEXT, _DELEGATE_ALIGN = _DELEGATE_ROLES.index(_DISPLAY), _DELEGATE_ROLES.index(_ALIGN)
MAX_PAGES = 8  # pages kept (LRU): 1,600 rows, a few screens around the one in view
# page jobs in flight: each holds the interpreter lock while it reads and formats its rows (~6 ms at
# 1M bugs), time a scrolling GUI thread waits for; one at a time, the pages in view still land a frame or
# two after the view stops
PAGE_JOBS = 1
SEARCH_DEBOUNCE_MS = 250
FILTERS = (("severity", "Any severity"), ("status", "Any status"), ("project", "Any project"),
           ("assignee", "Anyone"))
WIDTHS = {"Bug": 92, "Severity": 84, "Status": 96, "Project": 140, "Assignee": 130, "Priority": 70,
          "Created": 104, "Hours open": 96, "Revenue / day": 116, "Blocker": 64}
# The bug number is an identifier, useless cut short: its column widens to the widest one a page
# brings (a file with 100k bugs has 'BUG-100234'), up to this; the other columns keep their width.
ID_COLUMN, ID_MAX_WIDTH, CELL_PADDING = "Bug", 220, 24


def _type_scale() -> float:
    """The table's type size against the screen's (1 on screen, larger while presenting)."""
    return theme.TYPE["body"] / theme.BASE_TYPE["body"]


def cell_text(value, fmt: str) -> str:
    if fmt == "date":
        return short_date(value) if value else ""
    if fmt == "hours":
        return "" if value is None else f"{float(value):,.0f} h"
    if fmt == "text":
        return "" if value is None else str(value)
    return format_cell(value, fmt)


def shown_cells(page) -> tuple[tuple[str, ...], ...]:
    """A page's cells as the table shows them; run on the worker with the query (job "page"), so
    a page landing costs the GUI thread no formatting (200 rows x 11 cells took it ~15 ms)."""
    words = tuple(c in ("Severity", "Status") for c in page.columns)  # 'in_progress' -> 'In progress'
    fmts = tuple(page.formats)
    return tuple(tuple(code_words(v) if w else cell_text(v, f) for v, f, w in zip(row, fmts, words))
                 for row in page.rows)


class QtPagedTableModel(QAbstractTableModel):
    """A table over a paged query: rows fetched a page at a time, on demand, off the GUI thread."""

    totalChanged = Signal(int)
    pageLoaded = Signal(int)  # page index
    failed = Signal(str)

    def __init__(self, service, panel: str = "bug_table", parent=None):
        super().__init__(parent)
        self.service = service
        self.panel = panel
        self.columns: tuple[str, ...] = ()
        self.formats: tuple[str, ...] = ()
        self._align: tuple[int, ...] = ()
        self.total = 0
        self.fetched: list[int] = []  # page indexes asked of the query service, in order (tests, benchmarks)
        self._pages: OrderedDict[int, tuple] = OrderedDict()
        self._wanted: dict[int, None] = {}  # pages painted without while the job slots were busy, in order
        self._flying: dict[int, object] = {}  # page -> its lane, while its job runs
        self._lanes: list = []  # PAGE_JOBS lanes, made on first use
        self._base: tuple | None = None  # (path, dashboard, window key, source, payload)
        self.filters: tuple = ()
        # the first and last row the view shows (set by the panel): pages asked for while the job slots
        # were busy are fetched only if still in view, and a landing page repaints only what is in view
        self.rows_in_view: Callable[[], tuple[int, int]] | None = None

    # -- what it shows -------------------------------------------------------------------------
    def set_source(self, path: str, dashboard: str, window_key, src, payload: dict) -> None:
        """A new file, data or as-of: start over (keeping the filters)."""
        self._base = (path, dashboard, window_key, src, payload)
        self._restart()

    def set_filters(self, filters: dict) -> None:
        f = tuple(sorted((k, v) for k, v in filters.items() if v))
        if f != self.filters:
            self.filters = f
            self._restart()

    def _restart(self) -> None:
        for lane in self._lanes:
            lane.cancel()
        self._flying.clear()
        self._wanted.clear()
        self.fetched.clear()
        self.beginResetModel()
        self._pages.clear()
        self.total = 0
        self.endResetModel()
        self._ask(0)  # the first page also says how many rows match

    def _ask(self, page: int) -> None:
        """Page `page` is asked for (the view paints it): its job starts now if a slot is free, else it
        waits for one, and is forgotten if the view has left it by then (a fling flew past it)."""
        if self._base is None or page in self._flying:
            return
        if len(self._flying) < PAGE_JOBS:
            self._wanted.pop(page, None)
            self._submit(page)
        else:
            self._wanted[page] = None

    def _pump(self) -> None:
        """A job slot is free: the waiting pages still in view, the last asked for first."""
        in_view = self._pages_in_view()
        if in_view is not None:
            self._wanted = {p: None for p in self._wanted if p in in_view}
        while self._wanted and len(self._flying) < PAGE_JOBS:
            page = next(reversed(self._wanted))
            del self._wanted[page]
            self._submit(page)

    def _submit(self, page: int) -> None:
        lane = next((lane for lane in self._lanes if lane not in self._flying.values()), None)
        if lane is None:
            lane = self.service.lane(f"{self.panel}:page", self)
            self._lanes.append(lane)
        path, dashboard, window_key, src, payload = self._base
        job = Job("page", path, (self.panel, window_key, self.filters, page * PAGE, PAGE),
                  payload=(src, payload, shown_cells), dashboard=dashboard)
        self._flying[page] = lane
        self.fetched.append(page)
        lane.submit(job, self._on_page_read, self._on_page_failed, context=page)

    def _view_rows(self) -> tuple[int, int] | None:
        """(first, last) row in view, None if unknown (no view told, or no rows yet)."""
        if self.rows_in_view is None or self.total == 0:
            return None
        first, last = self.rows_in_view()
        return None if first < 0 else (first, self.total - 1 if last < 0 else last)

    def _pages_in_view(self) -> range | None:
        rows = self._view_rows()
        return None if rows is None else range(rows[0] // PAGE, rows[1] // PAGE + 1)

    def _on_page_read(self, req, result) -> None:
        page, shown = result
        index = req.context
        self._flying.pop(index, None)
        self._wanted.pop(index, None)
        self._pump()  # the next page in view: its job runs while this one is painted
        if not self.columns or page.columns != self.columns:
            self.beginResetModel()
            self.columns, self.formats = tuple(page.columns), tuple(page.formats)
            right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self._align = tuple(right if f in ("int", "hours", "currency", "number") else left for f in self.formats)
            self.endResetModel()
        self._pages[index] = (page.rows, shown)  # formatted on the worker: a paint is a lookup
        self._pages.move_to_end(index)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        if page.total != self.total:
            old = self.total
            if page.total > old:
                self.beginInsertRows(QModelIndex(), old, page.total - 1)
                self.total = page.total
                self.endInsertRows()
            else:
                self.beginRemoveRows(QModelIndex(), page.total, old - 1)
                self.total = page.total
                self.endRemoveRows()
            self.totalChanged.emit(self.total)
        elif index == 0:
            self.totalChanged.emit(self.total)
        first = index * PAGE
        last = min(self.total, first + len(page.rows)) - 1
        rows = self._view_rows()
        if rows is not None:  # Qt repaints the whole viewport for rows out of view: only what is in view
            first, last = max(first, rows[0]), min(last, rows[1])
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, max(0, len(self.columns) - 1)))
        self.pageLoaded.emit(index)

    def _on_page_failed(self, req, message: str) -> None:
        self._flying.pop(req.context, None)
        self.failed.emit(message)
        self._pump()

    # -- QAbstractTableModel ---------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def page_column(self, index: int, column: str) -> tuple[str, ...]:
        """The cells of one column of a page that has landed, as shown (empty if it has not)."""
        hit = self._pages.get(index)
        if hit is None or column not in self.columns:
            return ()
        return tuple(map(itemgetter(self.columns.index(column)), hit[1]))

    def row(self, r: int) -> tuple | None:
        """Row `r` as the query returned it (None until its page has landed)."""
        hit = self._pages.get(r // PAGE)
        if hit is None:
            return None
        i = r % PAGE
        return hit[0][i] if i < len(hit[0]) else None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role == _DISPLAY:
            return self._shown(index.row(), index.column())
        if role == _ALIGN:
            return self._align[index.column()]
        if role == _TIP and index.column() == 1:
            row = self.row(index.row())
            return None if row is None else str(row[1] or "")
        return None

    def multiData(self, index: QModelIndex, roleDataSpan) -> None:
        """Every role the view asks of a cell in one call. The item delegate asks seven per cell painted;
        Qt's default answers them with a call of data() each (~1,700 Python calls a scroll frame). The
        same answers as data()."""
        c = index.column()
        if len(roleDataSpan) == len(_DELEGATE_ROLES):
            text, align = roleDataSpan[_DELEGATE_TEXT], roleDataSpan[_DELEGATE_ALIGN]
            if text.role() == _DISPLAY_INT and align.role() == _ALIGN_INT:
                # the delegate's own array (one per view, reused from cell to cell): its other roles are
                # ones this model never answers, so they stay empty and need no clearing
                text.setData(self._shown(index.row(), c))
                align.setData(self._align[c])
                return
        for slot in roleDataSpan:  # any other caller: every role it asks, the others cleared
            role = slot.role()
            if role == _DISPLAY_INT:
                slot.setData(self._shown(index.row(), c))
            elif role == _ALIGN_INT:
                slot.setData(self._align[c])
            elif role == _TIP_INT and c == 1 and self.row(index.row()) is not None:
                slot.setData(self.data(index, _TIP))
            else:
                slot.clearData()

    def _shown(self, r: int, c: int) -> str:
        """Cell (r, c) as shown; until its page lands a placeholder, and the page is asked for (once while
        it is awaited, not once a cell)."""
        page = r // PAGE
        hit = self._pages.get(page)
        if hit is None:
            if page not in self._flying and page not in self._wanted:  # once, not once a cell
                self._ask(page)
            return "\u2026" if c == 0 else ""
        rows, i = hit[1], r % PAGE
        return rows[i][c] if i < len(rows) else ""

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section] if section < len(self.columns) else None
        return None


class QtBugTablePanel(QFrame):
    """Filters (severity, status, project, assignee), a title search, and the lazy table."""

    placement, min_height = "wide", 420
    drilldownRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Card")
        self.model: QtPagedTableModel | None = None
        self._session = None
        self._choices_lane = None
        self._choices_for = None
        self._widths, self._widths_for = dict(WIDTHS), None  # column widths (px), for this file
        self._id_chars = 0  # the longest bug number measured so far (characters)
        over = QLabel("REASON")
        over.setObjectName("Overline")
        self.title = QLabel("All bugs, by priority")
        self.title.setObjectName("PanelTitle")
        self.count = QLabel("")
        self.count.setObjectName("PageSubtitle")
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(over)
        titles.addWidget(self.title)
        head.addLayout(titles, 1)
        head.addWidget(self.count, 0, Qt.AlignmentFlag.AlignBottom)

        bar = QHBoxLayout()
        bar.setSpacing(theme.SPACE["sm"])
        self.combos: dict[str, QComboBox] = {}
        for key, everyone in FILTERS:
            c = QComboBox()
            c.setObjectName(f"Filter_{key}")
            c.addItem(everyone, "")
            c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            c.setMinimumContentsLength(6)
            c.setMinimumWidth(96)  # an explicit minimum: the row fits 1024 px wide, long names elide
            c.currentIndexChanged.connect(self._on_filter_changed)
            self.combos[key] = c
            bar.addWidget(c, 1)
        self.search = QLineEdit()
        self.search.setMinimumWidth(120)
        self.search.setObjectName("BugSearch")
        self.search.setPlaceholderText("Search titles")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_text_changed)
        bar.addWidget(self.search, 2)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._on_filter_changed)

        self.table = QTableView()
        self.table.setObjectName("BugTable")
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vh = self.table.verticalHeader()
        vh.hide()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row size queries at 1M rows
        vh.setDefaultSectionSize(26)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.setMinimumHeight(300)
        self._paint_opaque()  # also filters the viewport's resizes (eventFilter)
        mgr = theme.manager()
        if mgr is not None:  # presenting scales the type, and the columns with it
            mgr.themeChanged.connect(self._on_theme_changed)

        lay = QVBoxLayout(self)
        pad = theme.SPACE["lg"]
        lay.setContentsMargins(pad, pad - 2, pad, pad - 4)
        lay.setSpacing(theme.SPACE["sm"])
        lay.addLayout(head)
        lay.addLayout(bar)
        lay.addWidget(self.table, 1)

    def bind(self, service, session) -> None:
        """The query service it pages through and the dashboard session whose file it shows."""
        self._session = session
        self.model = QtPagedTableModel(service, "bug_table", self)
        self.model.rows_in_view = self._rows_in_view
        self.table.setModel(self.model)
        self.model.totalChanged.connect(self._on_model_total_changed)
        self.model.pageLoaded.connect(self._on_model_page_loaded)
        self.model.modelReset.connect(self._fit_columns)  # after the header's own reset
        self._choices_lane = service.lane("bug_table:choices", self)

    def _rows_in_view(self) -> tuple[int, int]:
        """The first and last row the table shows (-1: none there; the last may be past the rows)."""
        return self.table.rowAt(0), self.table.rowAt(self.table.viewport().height() - 1)

    def set_data(self, _data, payload: dict | None = None) -> None:
        s = self._session
        if self.model is None or s is None or s.path is None or payload is None:
            return
        key = (s.path, s.window(), s.data_generation)
        if self._widths_for != s.path:  # another file: its bug numbers may be shorter
            self._widths_for, self._widths, self._id_chars = s.path, dict(WIDTHS), 0
            self._fit_columns()
        self.model.set_source(s.path, s.name, key, s.src, s.monthly)
        if self._choices_for != (s.path, s.data_generation):
            self._choices_for = (s.path, s.data_generation)
            job = Job("choices", s.path, ("bug_table", key), payload=(s.src, s.monthly), dashboard=s.name)
            self._choices_lane.submit(job, self._on_choices_read)

    def _on_choices_read(self, _req, choices) -> None:
        for key, combo in self.combos.items():
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(dict(FILTERS)[key], "")
            for value in choices.get(key, ()):
                combo.addItem(str(value).capitalize() if key in ("severity", "status") else str(value), value)
            i = combo.findData(current)
            combo.setCurrentIndex(max(0, i))
            combo.blockSignals(False)

    def filters(self) -> dict:
        out = {k: c.currentData() for k, c in self.combos.items() if c.currentData()}
        if self.search.text().strip():
            out["search"] = self.search.text().strip()
        return out

    def _on_search_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def _on_filter_changed(self, *_args) -> None:
        if self.model is not None:
            self.model.set_filters(self.filters())

    def _on_model_total_changed(self, total: int) -> None:
        self.count.setText(f"{total:,} bug{'s' if total != 1 else ''}")

    def _on_model_page_loaded(self, index: int) -> None:
        cells = self.model.page_column(index, ID_COLUMN) if self.model is not None else ()
        longest = max(map(len, cells), default=0)
        if longest <= self._id_chars:  # no longer than numbers already measured (digits are all one width)
            return
        self._id_chars = longest
        # measured in the screen's type size (the widths are kept at that size; _fit_columns scales them)
        widest = max(QFontMetrics(theme.font("body")).horizontalAdvance(c) for c in cells) / _type_scale()
        want = min(ID_MAX_WIDTH, round(widest) + CELL_PADDING)
        if want > self._widths[ID_COLUMN]:
            self._widths[ID_COLUMN] = want
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Fixed widths, scaled with the type (the projector's is larger), the title takes what is left
        (at least 220 px; then the table scrolls)."""
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        columns = self.model.columns if self.model else ()
        k = _type_scale()
        widths = {n: round(self._widths.get(n, 100) * k) for n in columns if n != "Title"}
        if "Created" in widths:  # a date cut short ("18 Mar 20…") is no date: as wide as the longest one
            fm = self.table.fontMetrics()
            widths["Created"] = max(widths["Created"],
                                    max(fm.horizontalAdvance(f"30 {m} 2026") for m in MONTH_ABBR) + CELL_PADDING)
        for i, name in enumerate(columns):
            if name in widths:
                header.resizeSection(i, widths[name])
        if "Title" in columns:
            header.resizeSection(columns.index("Title"), max(220, self.table.viewport().width() - sum(widths.values())))

    def _on_theme_changed(self, _pal) -> None:
        self._fit_columns()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Paint:  # an opaque part (see _paint_opaque): its background first
            painter = QPainter(obj)
            painter.fillRect(event.rect(), self.table.palette().base())
            painter.end()
        elif kind in (QEvent.Type.Show, QEvent.Type.StyleChange):  # the style sheet's polish clears it
            obj.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        # the table's own width changes too when its vertical scroll bar comes (the rows landed)
        elif obj is self.table.viewport() and kind == QEvent.Type.Resize:
            self._fit_columns()
        return False

    def _paint_opaque(self) -> None:
        """The rows and the scroll bars paint their own background (the table's), so Qt need not paint
        what is behind them: with the style sheet's backgrounds, every scroll step repainted the whole
        chain of parents (card, page, tabs, window), about a third of a scroll frame's GUI time."""
        for part in (self.table.viewport(), self.table.verticalScrollBar(), self.table.horizontalScrollBar()):
            part.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
            part.installEventFilter(self)
