"""One drill-down tab: its tables (QAbstractTableModel), an optional chart, Export CSV.

`QtDrilldownTab` shows a core `Drilldown` it is given (it never queries):
a header with the window, each `Table` in a card with a sortable table view,
and the drill-down's `chart` table as lines. Export CSV writes `to_csv` of a
table to a file the user picks.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QMenu, QScrollArea, QSizePolicy, QTableView, QToolButton, QVBoxLayout,
                               QWidget)

from execdash_desktop.format import NUMERIC, format_cell, period_name
from execdash_desktop.table_summary import by_month

from .. import theme
from ..widgets.banner import QtBanner

SORT_ROLE = Qt.ItemDataRole.UserRole + 2
MAX_VISIBLE_ROWS = 14


class DrilldownTableModel(QAbstractTableModel):
    def __init__(self, table, unit: str = "£", parent=None):
        super().__init__(parent)
        self.table = table
        self.unit = unit

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.table.columns)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self.table.rows[index.row()][index.column()]
        fmt = self.table.formats[index.column()] if index.column() < len(self.table.formats) else "text"
        if role == Qt.ItemDataRole.DisplayRole:
            if fmt in ("period", "date") and value not in (None, ""):
                return period_name(value)  # "Oct 2026", "22 Oct 2026" as everywhere; the CSV keeps ISO
            return format_cell(value, fmt, self.unit)
        if role == SORT_ROLE:
            if fmt in NUMERIC:
                return float(value) if isinstance(value, (int, float)) else float("-inf")
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if fmt in NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and fmt in NUMERIC and isinstance(value, (int, float)):
            return f"{value!r}"
        return None

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.table.columns[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and orientation == Qt.Orientation.Horizontal:
            fmt = self.table.formats[section] if section < len(self.table.formats) else "text"
            align = Qt.AlignmentFlag.AlignRight if fmt in NUMERIC else Qt.AlignmentFlag.AlignLeft
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        return None


class _SomeRows(QSortFilterProxyModel):
    """`limit` rows of the table (all when None): a slide shows what fits; the latest ones
    of a table by period or day, else the first."""

    def __init__(self, parent=None, latest: bool = False):
        super().__init__(parent)
        self.limit: int | None = None
        self.latest = latest

    def set_limit(self, limit: int | None) -> None:
        if limit == self.limit:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+: invalidateFilter is deprecated
            self.beginFilterChange()
            self.limit = limit
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.limit = limit
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if self.limit is None:
            return True
        if self.latest:
            return source_row >= self.sourceModel().rowCount() - self.limit
        return source_row < self.limit


class _TableView(QTableView):
    painted = Signal()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.painted.emit()

    def sizeHint(self) -> QSize:
        return QSize(400, self.minimumHeight())


def table_width(columns: int) -> int:
    """The widest a table card grows: about 180 px a column, at least 560."""
    return max(560, 180 * columns + 2 * theme.SPACE["lg"])


def _rows_text(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''}"


def _table_card(table, unit: str) -> tuple[QFrame, _TableView]:
    card = QFrame()
    card.setObjectName("Card")
    title = QLabel(table.title)
    title.setObjectName("PanelTitle")
    count = QLabel(_rows_text(len(table.rows)))
    count.setObjectName("Muted")
    card.count = count
    head = QHBoxLayout()
    head.addWidget(title)
    head.addStretch(1)
    head.addWidget(count)
    view = _TableView()
    model = DrilldownTableModel(table, unit, view)
    proxy = _SomeRows(view, latest=bool(table.formats) and table.formats[0] in ("period", "date"))
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    hh = view.horizontalHeader()
    hh.setHighlightSections(False)
    hh.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    hh.setMinimumSectionSize(90)
    row_h = view.fontMetrics().height() + 14
    view.verticalHeader().setDefaultSectionSize(row_h)
    visible = max(1, min(len(table.rows), MAX_VISIBLE_ROWS))
    view.setFixedHeight(hh.sizeHint().height() + visible * row_h + 4)
    card.table, card.view = table, view
    view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    lay = QVBoxLayout(card)
    pad = theme.SPACE["lg"]
    lay.setContentsMargins(pad, pad - 4, pad, pad - 4)
    lay.setSpacing(theme.SPACE["sm"])
    lay.addLayout(head)
    lay.addWidget(view)
    return card, view


class QtDrilldownTab(QWidget):
    painted = Signal()
    retryRequested = Signal()
    csvExported = Signal(str, str, int)  # key, table title, rows

    def __init__(self, key: str, title: str, parent: QWidget | None = None, data_file=lambda: None):
        super().__init__(parent)
        self._data_file = data_file  # () -> the open data file, never a CSV target
        self.key = key
        self.title_text = title
        self.drilldown = None
        self.stale = False
        self.chart = None
        self.views: list[_TableView] = []
        self._cards: list[QFrame] = []
        self._unit = "£"
        self.presenting = False
        self._restyle_when_shown = False  # presenting changed while hidden: rebuild on show

        over = QLabel("DRILL-DOWN")
        over.setObjectName("Overline")
        self.title = QLabel(title)
        self.title.setObjectName("PageTitle")
        self.note = QLabel("Loading\u2026")
        self.note.setObjectName("PageSubtitle")
        self.note.setWordWrap(True)
        self.export_button = QToolButton()
        self.export_button.setObjectName("Action")
        self.export_button.setText("Export")
        self.export_button.setIcon(theme.icon("export"))
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.export_button.setToolTip("Save a table of this drill-down as CSV or Excel (Ctrl+E)")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.banner = QtBanner()
        self.banner.retryRequested.connect(self.retryRequested)

        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(over)
        titles.addWidget(self.title)
        titles.addWidget(self.note)
        head = QHBoxLayout()
        head.addLayout(titles, 1)
        head.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignBottom)

        self.scroll = QScrollArea()
        self.scroll.setObjectName("PageScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget()
        self.body.setObjectName("DrilldownBody")
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.body_layout.setSpacing(theme.SPACE["md"])
        self.scroll.setWidget(self.body)
        wait = QLabel("Loading\u2026")
        wait.setObjectName("Empty")
        self.body_layout.addWidget(wait)
        self.body_layout.addStretch(1)
        self.left_out = QLabel("")  # presenting: the tables that did not fit the slide
        self.left_out.setObjectName("Muted")
        self.left_out.setWordWrap(True)
        self.left_out.hide()

        lay = QVBoxLayout(self)
        lay.setContentsMargins(theme.SPACE["xl"], theme.SPACE["lg"], theme.SPACE["xl"], 0)
        lay.setSpacing(theme.SPACE["md"])
        lay.addLayout(head)
        lay.addWidget(self.banner)
        lay.addWidget(self.scroll, 1)
        lay.addWidget(self.left_out)
        self.setObjectName("DrilldownBody")
        # a plain QWidget subclass paints its style-sheet background only when asked to;
        # else the tab pane shows through (the screen theme's, under the projector one)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)

    # -- data ---------------------------------------------------------------------------------
    def set_drilldown(self, dd, unit: str = "£") -> None:
        self._restyle_when_shown = False  # built now for the current mode
        self.drilldown = dd
        self._unit = unit or "£"
        self.stale = False
        self.banner.clear()
        self.note.setText(" \u00b7 ".join(dd.notes) if dd.notes else "")
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        self.views = []
        self._cards = []
        self.chart = None
        if dd.chart is not None and dd.chart.rows:
            from .drilldown_chart import QtSeriesChart  # imports pyqtgraph

            self.chart = QtSeriesChart(dd.chart, self._unit, anomalies=dd.anomalies)
            self.body_layout.addWidget(self.chart)
        for table in dd.tables:  # on a slide a long daily table is summed up by month
            card, view = _table_card(by_month(table) if self.presenting else table, self._unit)
            view.painted.connect(self.painted)
            self.views.append(view)
            self._cards.append(card)
            # a readable width: on a 1920 screen a row does not run 1,400 px from label to number
            card.setMaximumWidth(table_width(len(table.columns)))
            row = QWidget()  # the card and a stretch beside it
            rl = QHBoxLayout(row)
            rl.setContentsMargins(0, 0, 0, 0)
            rl.addWidget(card, 1000)
            rl.addStretch(1)
            self.body_layout.addWidget(row)
        if not dd.tables:
            empty = QLabel("No data for this drill-down in the file.")
            empty.setObjectName("Empty")
            self.body_layout.addWidget(empty)
        self.body_layout.addStretch(1)
        self._build_export_menu()
        self._fit_slide()

    # -- presentation mode: a slide that fits the screen ---------------------------------------
    def set_presenting(self, on: bool) -> None:
        """No Export button, no scrolling: as many rows as fit, the rest named below."""
        if on == self.presenting:
            return
        self.presenting = on
        self.export_button.setVisible(not on)
        self.scroll.verticalScrollBar().setValue(0)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff if on
                                               else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        if self.drilldown is not None:
            if self.isVisible():
                self.set_drilldown(self.drilldown, self._unit)
            else:  # rebuilt when shown: F11 with twelve tabs open rebuilt them all (~50 ms each)
                self._restyle_when_shown = True
        self._fit_slide()

    def prepare_slide(self) -> None:
        """Rebuild for the current mode if presenting changed while hidden: on show, or earlier when the
        presentation readies the playlist's next page."""
        if self._restyle_when_shown and self.drilldown is not None:
            self.set_drilldown(self.drilldown, self._unit)

    def showEvent(self, event) -> None:
        self.prepare_slide()
        super().showEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_slide()

    def _fit_slide(self) -> None:
        """Share the slide's height among the tables, in order: each shows its first rows
        (a table gets at least 3, else it is left out and named at the foot)."""
        left: list[str] = []
        if not self.presenting:
            for card in self._cards:
                card.view.model().set_limit(None)
                card.show()
            self.left_out.hide()
            return
        gap = self.body_layout.spacing()
        room = self.height() - self.layout().contentsMargins().top() - self.layout().spacing()
        room -= self.layout().itemAt(0).sizeHint().height()  # the heading
        room -= self.left_out.fontMetrics().height() * 2 + self.layout().spacing()  # the foot
        if self.chart is not None:
            room -= self.chart.sizeHint().height() + gap
        for card in self._cards:
            view, n = card.view, len(card.table.rows)
            row_h = view.verticalHeader().defaultSectionSize()
            head = view.horizontalHeader().sizeHint().height() + 4
            lay = card.layout()
            m = lay.contentsMargins()
            over = m.top() + m.bottom() + lay.spacing() + card.count.sizeHint().height() + head
            fit = max(0, (room - over) // row_h)
            if n and fit < min(n, 3):
                card.hide()
                left.append(f"{card.table.title} ({_rows_text(n)})")
                continue
            k = min(n, fit) if n else 0
            view.model().set_limit(k)
            view.setFixedHeight(head + max(k, 1) * row_h)
            which = "latest" if view.model().latest else "first"
            card.count.setText(_rows_text(n) if k >= n else f"{which} {k} of {n} rows")
            card.show()
            room -= over + max(k, 1) * row_h + gap
        self.left_out.setText("Not on this slide: " + "; ".join(left) + ". Every row is in the window's "
                              "Export CSV." if left else "")
        self.left_out.setVisible(bool(left))

    def show_error(self, message: str) -> None:
        """Plain words up front; the technical line (file, table) behind Details."""
        from execdash_desktop.file_check import plain_words

        problem = plain_words(message)
        self.banner.show_problem(problem.title, problem.text, message, retry=True)
        self.banner.open_another.hide()
        self.banner.open_demo.hide()

    def table_titles(self) -> list[str]:
        return [t.title for t in self.drilldown.tables] if self.drilldown else []

    def paint_targets(self) -> list:
        return self.views[:1] or [self]

    # -- export --------------------------------------------------------------------------------
    def _build_export_menu(self) -> None:
        tables = self.drilldown.tables if self.drilldown else ()
        self.export_button.setEnabled(bool(tables))
        if len(tables) > 1:
            menu = QMenu(self.export_button)
            for i, t in enumerate(tables):
                a = QAction(t.title, menu)
                a.triggered.connect(lambda _=False, i=i: self.export_csv(i))
                menu.addAction(a)
            self.export_button.setMenu(menu)
            self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        else:
            self.export_button.setMenu(None)
            self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.DelayedPopup)

    def _on_export_button_clicked(self) -> None:
        self.export_csv(0)

    def export_csv(self, index: int = 0, path: str | None = None) -> str | None:
        """Write table `index` as CSV, or as Excel when `path` ends in .xlsx, to `path`
        (asks the user when None); returns the path."""
        from execdash_desktop.boardpack import write_atomic
        from execdash_desktop.packs.executive.drilldowns import to_csv

        if not self.drilldown or index >= len(self.drilldown.tables):
            return None
        table = self.drilldown.tables[index]
        if path is None:
            name = f"{_file_name_part(self.key)}-{_file_name_part(table.title)}.csv"
            path, chosen = QFileDialog.getSaveFileName(self, "Export", str(Path.home() / name),
                                                       "CSV files (*.csv);;Excel workbooks (*.xlsx)")
            if not path:
                return None
            if chosen.startswith("Excel") and not path.lower().endswith(".xlsx"):
                path = str(Path(path).with_suffix(".xlsx"))
        excel = path.lower().endswith(".xlsx")
        try:  # whole or not at all, and never over the data file
            if excel:  # a small table: written here, as the CSV is (XlsxWriter, through a temp file)
                from execdash_desktop.dataio.export import write_table_xlsx

                write_table_xlsx(path, table.title, table.columns, table.rows, self._data_file())
            else:
                write_atomic(path, to_csv(table).encode("utf-8"), self._data_file())
        except OSError as exc:
            self.banner.show_error(f"{Path(path).name}: {exc.strerror or exc}",
                                   "Could not export the " + ("workbook" if excel else "CSV"), retry=False)
            return None
        self.csvExported.emit(self.key, table.title, len(table.rows))
        return path


def _file_name_part(text: str) -> str:
    """`text` fit for a file name on every platform: lower case, runs of anything but
    letters, digits, `.`, `_` and `-` (`:`, `/`, `\\`, spaces...) made one `-`."""
    return re.sub(r"[^\w.-]+", "-", text.lower(), flags=re.ASCII).strip("-.") or "table"


def _preview() -> QWidget:
    from execdash_desktop.packs.executive.drilldowns import DRILLDOWNS, build_drilldown
    from execdash_desktop.packs.executive.payload import resolve_window
    from execdash_desktop.store import open_reader

    from .._preview import sample_file, sample_source

    src = sample_source()
    conn = open_reader(sample_file())
    dd = build_drilldown("finance/revenue", conn, src, resolve_window(src, "12m", None))
    conn.close()
    tab = QtDrilldownTab(dd.key, DRILLDOWNS[dd.key])
    tab.set_drilldown(dd, src.currency)
    return tab


if __name__ == "__main__":
    import sys

    from .._preview import run

    sys.exit(run(_preview, "Drill-down", (1100, 800)))
