"""Generic panels a dashboard declares by kind (dashboards.spec.Panel.kind), so a new dashboard needs no
widget of its own.

The panel's query returns a plain dict (the pack's words and numbers) and the widget only renders it:
- "table": optional `stats` [(label, value, format, tone)], then `columns`/`formats`/`rows` with a
  per-row `tones` ("bad" | "warn" | "good" | "neutral" | None), a `note`;
- "progress": `value` of `maximum`, `progress` (0-1), `label`, `marks` [{value, reached}];
- "checks": `rows` [{check, title, status pass|warn|fail, failing, examples}];
- any kind: {"disabled": why} greys the panel out with that sentence; `currency` the money symbol.
`drilldown` (a key of the dashboard's catalogue) is one click away: a row click or the Details button.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QProgressBar,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from execdash_desktop.pack_panels import cell_text  # the pack prints the same cells

from ... import theme

STATUS_WORDS = {"pass": "PASS", "warn": "WARN", "fail": "FAIL"}

PANEL_ROWS = 50  # rows a table panel shows on the dashboard (Details has them all)


def _tone_colours(pal, tone: str | None) -> tuple[str, str] | None:
    if tone == "bad":
        return pal.bad, pal.bad_soft
    if tone == "warn":
        return pal.medium, pal.medium_soft
    if tone == "good":
        return pal.good, pal.good_soft
    return None


class QtGenericPanel(QFrame):
    """One declared panel of kind table | progress | checks."""

    placement, min_height = "half", 280
    drilldownRequested = Signal(str)

    def __init__(self, title: str, kind: str, placement: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Card")
        self.kind = kind
        if placement:
            self.placement = placement
        if kind == "progress":
            self.min_height = 130
        elif kind == "checks":  # every check visible at once
            self.min_height = 440
        self._drilldown: str | None = None
        self.data: dict | None = None
        self.title = QLabel(title)
        self.title.setObjectName("PanelTitle")
        self.details = QPushButton("Details")
        self.details.setToolTip("Open the rows behind this panel")
        self.details.clicked.connect(self._on_details_clicked)
        self.details.setVisible(False)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.details)
        self.stats = QLabel()
        self.stats.setObjectName("Muted")
        self.stats.setTextFormat(Qt.TextFormat.RichText)
        self.stats.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("Empty")
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("PanelTable")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellClicked.connect(self._on_table_cell_clicked)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMinimumHeight(18)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(theme.SPACE["lg"], theme.SPACE["md"], theme.SPACE["lg"], theme.SPACE["md"])
        lay.setSpacing(theme.SPACE["sm"])
        lay.addLayout(head)
        lay.addWidget(self.stats)
        lay.addWidget(self.bar)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.note)
        if kind == "progress":  # no table to take the height: keep the bar and its words at the top
            lay.addStretch(1)
        self.bar.setVisible(kind == "progress")
        self.table.setVisible(kind != "progress")
        self.stats.setVisible(False)

    # -- data -------------------------------------------------------------------------------
    def set_data(self, data: dict | None, payload: dict | None = None) -> None:
        self.data = data or {}
        d = self.data
        self._currency = d.get("currency") or "\u00a3"
        self._drilldown = d.get("drilldown")
        self.details.setVisible(bool(self._drilldown) and "disabled" not in d)
        self.setEnabled("disabled" not in d)
        if "disabled" in d:
            self.table.setRowCount(0)
            self.table.setVisible(False)
            self.bar.setVisible(False)
            self.stats.setVisible(False)
            self.note.setText(d["disabled"])
            self.note.setVisible(True)
            return
        if self.kind == "progress":
            self._show_progress(d)
        elif self.kind == "checks":
            self._show_checks(d)
        else:
            self._show_table(d)

    def _show_stats(self, stats) -> None:
        pal = theme.palette()
        parts = []
        for label, value, fmt, tone in stats or []:
            colour = {"good": pal.good, "bad": pal.bad}.get(tone, pal.text)
            parts.append(f"{label}: <b style='color:{colour}'>{cell_text(value, fmt, self._currency)}</b>")
        self.stats.setText(" \u00b7 ".join(parts))
        self.stats.setVisible(bool(parts))

    def _fill(self, columns, formats, rows, tones) -> None:
        pal = theme.palette()
        self.table.setVisible(True)
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(list(columns))
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            colours = _tone_colours(pal, tones[i] if i < len(tones) else None)
            for j, value in enumerate(row):
                fmt = formats[j] if j < len(formats) else "text"
                item = QTableWidgetItem(cell_text(value, fmt, self._currency))
                if fmt in ("int", "number", "ratio", "currency", "days", "minutes"):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if colours is not None and j == 0:
                    item.setForeground(QBrush(QColor(colours[0])))
                    item.setBackground(QBrush(QColor(colours[1])))
                self.table.setItem(i, j, item)

    def _show_table(self, d: dict) -> None:
        self._show_stats(d.get("stats"))
        rows = d.get("rows", ())
        # a dashboard panel is a glance: its first rows (the most urgent first), the rest one
        # click away in Details; filling thousands of cells froze the window for 100+ ms
        shown = rows[:PANEL_ROWS]
        self._fill(d.get("columns", ()), d.get("formats", ()), shown, d.get("tones", ()))
        notes = [d.get("note") or ""]
        if len(rows) > len(shown):
            notes.append(f"The first {len(shown)} of {len(rows):,}" + ("; Details lists them all." if self._drilldown else "."))
        notes = [n for n in notes if n]
        # two sentences ("186 open escalations. The first 50 of 186; ..."), not one run-on
        text = " ".join(n if n[-1] in ".;:!?" or n is notes[-1] else n + "." for n in notes)
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def _show_checks(self, d: dict) -> None:
        rows = d.get("rows", [])
        self._fill(("Result", "Check", "Failing rows", "Example"), ("text", "text", "int", "text"),
                   [(STATUS_WORDS.get(r["status"], r["status"]), r["title"], r["failing"],
                     (r["examples"] or [""])[0]) for r in rows],
                   [{"fail": "bad", "warn": "warn", "pass": "good"}.get(r["status"]) for r in rows])
        bad = sum(1 for r in rows if r["status"] != "pass")
        self.note.setText(f"{len(rows) - bad} of {len(rows)} checks pass. Click a check to see its failing rows.")
        self.note.setVisible(True)
        self.stats.setVisible(False)

    def _show_progress(self, d: dict) -> None:
        self.bar.setVisible(True)
        self.table.setVisible(False)
        self.bar.setValue(int(round(min(1.0, max(0.0, d.get("progress") or 0.0)) * 1000)))
        marks = d.get("marks") or []
        reached = [cell_text(m["value"], "currency", self._currency) for m in marks if m["reached"]]
        value = cell_text(d.get("value"), "currency", self._currency)
        text = f"<b>{value}</b> this year. " + (f"Reached: {', '.join(reached)}." if reached else "No milestone yet.")
        self.stats.setText(text)
        self.stats.setVisible(True)
        self.note.setText(d.get("label") or "")
        self.note.setVisible(True)

    # -- clicks -----------------------------------------------------------------------------
    def _on_details_clicked(self) -> None:
        if self._drilldown:
            self.drilldownRequested.emit(self._drilldown)

    def _on_table_cell_clicked(self, row: int, _col: int) -> None:
        per_row = self.data.get("row_drilldowns") or []  # e.g. one product's history for each alert row
        key = per_row[row] if 0 <= row < len(per_row) and per_row[row] else self._drilldown
        if key:
            self.drilldownRequested.emit(key)
