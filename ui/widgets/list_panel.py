"""The base of the alerts and risks panels: a card with a header and a list of rows.

Rows are plain dicts from the payload, held by `RowsModel` and painted by a
delegate subclass (alerts_panel.py, risks_panel.py), so a long list costs no
widgets. A click (or Enter) on a row emits `rowActivated(dict)`.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QLabel, QListView,
                               QStackedLayout, QStyle, QStyledItemDelegate, QVBoxLayout, QWidget)

from .. import theme

ROW_ROLE = Qt.ItemDataRole.UserRole + 1


class RowsModel(QAbstractListModel):
    def __init__(self, tooltip=None, parent=None):
        super().__init__(parent)
        self._rows: list[dict] = []
        self._tooltip = tooltip

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self._rows = [dict(r) for r in rows]
        self.endResetModel()

    def rows(self) -> list[dict]:
        return [dict(r) for r in self._rows]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return str(row.get("title") or "")
        if role == Qt.ItemDataRole.ToolTipRole and self._tooltip is not None:
            return self._tooltip(row)
        return None


class RowDelegate(QStyledItemDelegate):
    """Paints one row as a rounded box with a coloured stripe; subclasses fill it."""

    HEIGHT = 58
    GAP = 8
    trim_last_gap = False  # fitting: the last row needs no gap below it

    def sizeHint(self, option, index) -> QSize:
        last = index is not None and index.isValid() and index.row() == index.model().rowCount() - 1
        return QSize(200, self.HEIGHT + (0 if last and self.trim_last_gap else self.GAP))

    def stripe(self, row: dict, pal) -> QColor:
        return QColor(pal.border_strong)

    def paint_body(self, p: QPainter, r: QRectF, row: dict, pal) -> None:
        raise NotImplementedError

    def paint(self, p: QPainter, option, index) -> None:
        row = index.data(ROW_ROLE)
        if row is None:
            return
        pal = theme.palette()
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        gap = self.GAP if option.rect.height() > self.HEIGHT else 0  # the last row, fitting
        r = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -gap - 0.5)
        hover = bool(option.state & QStyle.StateFlag.State_MouseOver)
        focus = bool(option.state & QStyle.StateFlag.State_HasFocus)
        box = QPainterPath()
        box.addRoundedRect(r, 8, 8)
        p.fillPath(box, QColor(pal.surface_alt if hover else pal.surface))
        p.setPen(QPen(QColor(pal.accent if (hover or focus) else pal.border), 1))
        p.drawPath(box)
        p.setClipPath(box)
        p.fillRect(QRectF(r.left(), r.top(), 4, r.height()), self.stripe(row, pal))
        p.setClipping(False)
        self.paint_body(p, r.adjusted(16, 9, -12, -9), row, pal)
        p.restore()

    # helpers for subclasses
    @staticmethod
    def pill(p: QPainter, right: float, top: float, text: str, fg: str, bg: str) -> float:
        """Draw a small pill ending at `right`; return its left edge."""
        f = theme.font("caption", QFont.Weight.Bold)
        fm = QFontMetrics(f)
        w = fm.horizontalAdvance(text) + 14
        h = fm.height() + 2
        rect = QRectF(right - w, top, w, h)
        path = QPainterPath()
        path.addRoundedRect(rect, h / 2, h / 2)
        p.fillPath(path, QColor(bg))
        p.setFont(f)
        p.setPen(QColor(fg))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        return rect.left()

    @staticmethod
    def text(p: QPainter, rect: QRectF, text: str, size: str, color: str,
             weight: QFont.Weight = QFont.Weight.Normal,
             align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter) -> float:
        """Draw one elided line; return the width used."""
        f = theme.font(size, weight)
        fm = QFontMetrics(f)
        shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width()))
        p.setFont(f)
        p.setPen(QColor(color))
        p.drawText(rect, int(align), shown)
        return fm.horizontalAdvance(shown)


class QtListPanel(QFrame):
    """A card: overline + title + chips, then the rows (or an empty message)."""

    rowActivated = Signal(dict)

    def __init__(self, overline: str, title: str, delegate: RowDelegate, empty_text: str,
                 tooltip=None, parent: QWidget | None = None, list_name: str = "RowList"):
        super().__init__(parent)
        self.setObjectName("Card")
        over = QLabel(overline)
        over.setObjectName("Overline")
        self.title = QLabel(title)
        self.title.setObjectName("PanelTitle")
        self.chips = QHBoxLayout()
        self.chips.setSpacing(theme.SPACE["xs"])
        head = QHBoxLayout()
        head.setSpacing(theme.SPACE["sm"])
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(over)
        titles.addWidget(self.title)
        head.addLayout(titles, 1)
        head.addLayout(self.chips)
        self.over = over
        self._titles, self._chips_below = titles, False

        self.model = RowsModel(tooltip, self)
        self.view = QListView()
        self.view.setObjectName(list_name)
        self.view.setModel(self.model)
        self.view.setItemDelegate(delegate)
        delegate.setParent(self.view)
        self.view.setMouseTracking(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setUniformItemSizes(True)
        self.view.setMinimumHeight(delegate.HEIGHT + 2)  # a short screen: one row shows, the rest scroll
        self.view.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        self.view.clicked.connect(self._on_view_clicked)
        self.view.activated.connect(self._on_view_clicked)
        self.empty = QLabel(empty_text)
        self.empty.setObjectName("Empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        holder = QWidget()
        self._stack = QStackedLayout(holder)
        self._stack.addWidget(self.view)
        self._stack.addWidget(self.empty)
        # "fit" (presentation mode): only the rows that fit whole, then "+N more"; no scrolling
        self.more = QLabel("")
        self.more.setObjectName("Chip")
        self.more.setProperty("tone", "neutral")
        self.more.hide()
        self._fit = False
        self._all: list[dict] = []

        lay = QVBoxLayout(self)
        pad = theme.SPACE["lg"]
        lay.setContentsMargins(pad, pad - 2, pad - 6, pad - 8)
        lay.setSpacing(theme.SPACE["sm"])
        lay.addLayout(head)
        lay.addWidget(holder, 1)
        head.insertWidget(1, self.more, 0, Qt.AlignmentFlag.AlignBottom)
        self._head = head
        mgr = theme.manager()
        if mgr is not None:
            mgr.themeChanged.connect(self._on_theme_changed)

    def set_rows(self, rows: list[dict]) -> None:
        self._all = [dict(r) for r in rows]
        self._stack.setCurrentWidget(self.view if rows else self.empty)
        self._show_rows()

    def rows(self) -> list[dict]:
        return [dict(r) for r in self._all]

    def shown_rows(self) -> int:
        """How many rows the list holds now (all of them unless fitting)."""
        return self.model.rowCount()

    def set_fit(self, on: bool) -> None:
        """Show only the rows that fit whole with "+N more" beside the title (no scroll bar,
        no overline), or all."""
        if on == self._fit:
            return
        self._fit = on
        self.over.setVisible(not on)
        self._set_chips_visible(not on)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff if on
                                             else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.view.itemDelegate().trim_last_gap = on
        self.view.setUniformItemSizes(not on)
        self._show_rows()

    def _room(self) -> int:
        """Height the list and the "+N more" line share (the panel's, less its head)."""
        lay = self.layout()
        m = lay.contentsMargins()
        return self.height() - m.top() - m.bottom() - self._head.sizeHint().height() - lay.spacing()

    def _show_rows(self) -> None:
        rows = self._all
        shown = len(rows)
        if self._fit and rows:
            row_h = self.view.itemDelegate().sizeHint(None, None).height()
            room = self._room() - 2 * self.view.frameWidth() - 2  # 2 px: rounding of the layout
            shown = min(shown, max(0, (room + self.view.itemDelegate().GAP) // row_h))
        if shown < len(rows):
            self.more.setText(f"+{len(rows) - shown} more")
            self.more.show()
        else:
            self.more.hide()
        if [dict(r) for r in rows[:shown]] != self.model.rows():
            self.model.set_rows(rows[:shown])

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # moving a layout while the parent's is setting geometries is unsafe: after this event
        QTimer.singleShot(0, self, self._fit_head)
        if self._fit:
            self._show_rows()

    def _fit_head(self) -> None:
        """The chips beside the title where both fit, else under it: a narrow column (1024x768)
        keeps the title whole ("SLA breaches", not "SLA bre")."""
        m = self.layout().contentsMargins()
        avail = self.width() - m.left() - m.right()
        chips = self.chips.sizeHint().width() if self.chips.count() and not self._fit else 0
        more = self.more.sizeHint().width() + self._head.spacing() if self.more.isVisibleTo(self) else 0
        title = self.title.fontMetrics().horizontalAdvance(self.title.text())
        below = bool(chips) and title + more + self._head.spacing() + chips > avail
        if below == self._chips_below:
            return
        self._chips_below = below
        (self._head if below else self._titles).removeItem(self.chips)
        if below:
            self._titles.addLayout(self.chips)
            self.chips.setAlignment(Qt.AlignmentFlag.AlignLeft)
        else:
            self._head.addLayout(self.chips)
            self.chips.setAlignment(Qt.AlignmentFlag(0))

    def set_chips(self, chips: list[tuple[str, str]]) -> None:
        """(text, tone) pills beside the title; tone: high|medium|low|good|bad|neutral."""
        while self.chips.count():
            item = self.chips.takeAt(0)
            if item.widget():
                item.widget().hide()
                item.widget().deleteLater()
        for text, tone in chips:
            lab = QLabel(text)
            lab.setObjectName("Chip")
            lab.setProperty("tone", tone)
            self.chips.addWidget(lab, 0, Qt.AlignmentFlag.AlignBottom)
            lab.setVisible(not self._fit)
        self._fit_head()

    def _set_chips_visible(self, on: bool) -> None:
        """Counts beside the title; a slide has only "+N more" (its rows carry their own pills)."""
        for i in range(self.chips.count()):
            w = self.chips.itemAt(i).widget()
            if w is not None:
                w.setVisible(on)

    def activate_row(self, i: int) -> None:
        if i < self.model.rowCount():
            self._on_view_clicked(self.model.index(i))
        elif i < len(self._all):
            self.rowActivated.emit(dict(self._all[i]))

    def _on_view_clicked(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.rowActivated.emit(row)

    def _on_theme_changed(self, _pal) -> None:
        self.view.viewport().update()
