"""The dashboard's controls: range, granularity, as-of month, refresh; with shortcuts.

Range and as-of changes re-query, so they are throttled (the first change goes
at once, later ones within 250 ms collapse into one trailing change);
granularity only re-buckets in memory and goes at once. Each signal carries
the time of the user's action (perf_counter), so switch latency is measured
from the click. `shortcut_actions()` are added to the main window (they work
from every tab) and listed in Help > Shortcuts.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFrame, QHBoxLayout, QLabel, QSizePolicy,
                               QToolButton, QWidget)

from execdash_desktop.format import month_name

from .. import theme

RANGES = (("3m", "3M", "Last 3 months"), ("6m", "6M", "Last 6 months"),
          ("12m", "12M", "Last 12 months"), ("24m", "24M", "Last 24 months"),
          ("ytd", "YTD", "Year to date (January of the as-of year to the as-of month)"))
GRANULARITIES = (("month", "Month"), ("quarter", "Quarter"))
SHORTCUTS = {"3m": "1", "6m": "2", "12m": "3", "24m": "4", "ytd": "5", "month": "M", "quarter": "Q",
             "as_of_prev": "[", "as_of_next": "]", "as_of_latest": "L"}
THROTTLE_MS = 250


class Throttle(QObject):
    """Call at once, then at most once per `ms` with the latest arguments (trailing)."""

    def __init__(self, ms: int, fn, parent: QObject | None = None):
        super().__init__(parent)
        self._fn = fn
        self._pending: tuple | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def __call__(self, *args) -> None:
        if self._timer.isActive():
            self._pending = args
            return
        self._fn(*args)
        self._timer.start()

    def flush(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self._on_timer_timeout()

    def _on_timer_timeout(self) -> None:
        if self._pending is not None:
            args, self._pending = self._pending, None
            self._fn(*args)
            self._timer.start()


class _Segment(QToolButton):
    """A segment of a segmented control: as wide as its text, no wider."""

    def sizeHint(self) -> QSize:
        base = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self.text()) + 22, base.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()  # the style sheet's font arrived: the width follows the text


def _segment_group(items, parent: QWidget) -> tuple[QFrame, QButtonGroup, dict[str, QToolButton]]:
    frame = QFrame(parent)
    frame.setObjectName("SegmentGroup")
    lay = QHBoxLayout(frame)
    lay.setContentsMargins(3, 3, 3, 3)
    lay.setSpacing(2)
    group = QButtonGroup(frame)
    group.setExclusive(True)
    buttons = {}
    for key, text, tip in items:
        b = _Segment(frame)
        b.setObjectName("Segment")
        b.setText(text)
        b.setCheckable(True)
        b.setCursor(Qt.CursorShape.PointingHandCursor)
        b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        b.setToolTip(f"{tip} <span style='opacity:.7'>({SHORTCUTS[key]})</span>")
        b.setProperty("key", key)
        group.addButton(b)
        lay.addWidget(b)
        buttons[key] = b
    return frame, group, buttons


class QtControlsBar(QWidget):
    rangeChanged = Signal(str, float)  # range, time of the action
    granularityChanged = Signal(str, float)
    asOfChanged = Signal(object, float)  # 'YYYY-MM' or None (latest)
    refreshRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ControlsBar")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._range = "12m"
        self._granularity = "month"
        self._as_of: str | None = None
        self._months: list[str] = []

        self.range_frame, self.range_group, self.range_buttons = _segment_group(RANGES, self)
        self.gran_frame, self.gran_group, self.gran_buttons = _segment_group(
            [(k, t, f"Show the trend by {t.lower()}") for k, t in GRANULARITIES], self)
        self.as_of = QComboBox(self)
        self.as_of.setToolTip("As-of month: the window ends here "
                              f"(previous {SHORTCUTS['as_of_prev']}, next {SHORTCUTS['as_of_next']}, "
                              f"latest {SHORTCUTS['as_of_latest']})")
        self.as_of.setMinimumContentsLength(13)
        self.as_of.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.refresh = QToolButton(self)
        self.refresh.setObjectName("Action")
        self.refresh.setIcon(theme.icon("refresh"))
        self.refresh.setIconSize(QSize(16, 16))
        self.refresh.setToolTip("Refresh everything from the file (F5)")
        self.refresh.setCursor(Qt.CursorShape.PointingHandCursor)

        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(theme.SPACE["sm"])
        self._labels = []
        for text, w in (("Range", self.range_frame), ("View", self.gran_frame), ("As of", self.as_of)):
            lab = QLabel(text, self)
            lab.setObjectName("ControlLabel")
            self._labels.append(lab)
            lay.addWidget(lab)
            lay.addWidget(w)
            lay.addSpacing(theme.SPACE["sm"])
        lay.addWidget(self.refresh)

        self._range_throttle = Throttle(THROTTLE_MS, self._emit_range, self)
        self._as_of_throttle = Throttle(THROTTLE_MS, self._emit_as_of, self)
        self.range_group.buttonClicked.connect(self._on_range_group_clicked)
        self.gran_group.buttonClicked.connect(self._on_gran_group_clicked)
        self.as_of.activated.connect(self._on_as_of_activated)
        self.refresh.clicked.connect(self.refreshRequested)
        self._actions = self._make_actions()
        self.set_state("12m", "month", None)

    def set_compact(self, compact: bool) -> None:
        """Hide the "Range", "View", "As of" labels where space is short."""
        for lab in self._labels:
            lab.setVisible(not compact)

    # -- state ------------------------------------------------------------------------------
    def set_state(self, range_: str, granularity: str, as_of: str | None) -> None:
        """Show a state without emitting anything."""
        as_of_changed = as_of != self._as_of
        self._range, self._granularity, self._as_of = range_, granularity, as_of
        self.range_buttons[range_].setChecked(True)
        self.gran_buttons[granularity].setChecked(True)
        if as_of_changed or self.as_of.count() == 0:
            self._sync_as_of()

    def set_months(self, months: list[str]) -> None:
        """The months the as-of picker offers (oldest first, as in the file)."""
        if list(months) != self._months or self.as_of.count() == 0:
            self._months = list(months)
            self._sync_as_of()

    def state(self) -> tuple[str, str, str | None]:
        return self._range, self._granularity, self._as_of

    def _sync_as_of(self) -> None:
        self.as_of.blockSignals(True)
        self.as_of.clear()
        latest = month_name(self._months[-1]) if self._months else "\u2014"
        self.as_of.addItem(f"Latest ({latest})", None)
        for m in reversed(self._months):  # one month style everywhere: 'Oct 2026'
            self.as_of.addItem(month_name(m), m)
        idx = self.as_of.findData(self._as_of) if self._as_of else 0
        self.as_of.setCurrentIndex(max(idx, 0))
        self.as_of.blockSignals(False)

    # -- user actions ---------------------------------------------------------------------------
    def choose_range(self, range_: str) -> None:
        t = time.perf_counter()
        if range_ == self._range:
            return
        self._range = range_
        self.range_buttons[range_].setChecked(True)
        self._range_throttle(t)

    def choose_granularity(self, granularity: str) -> None:
        t = time.perf_counter()
        if granularity == self._granularity:
            return
        self._granularity = granularity
        self.gran_buttons[granularity].setChecked(True)
        self.granularityChanged.emit(granularity, t)

    def choose_as_of(self, as_of: str | None) -> None:
        t = time.perf_counter()
        if as_of == self._as_of:
            return
        self._as_of = as_of
        self._sync_as_of()
        self._as_of_throttle(t)

    def step_as_of(self, step: int) -> None:
        if not self._months:
            return
        cur = self._as_of or self._months[-1]
        i = self._months.index(cur) if cur in self._months else len(self._months) - 1
        j = max(0, min(len(self._months) - 1, i + step))
        target = self._months[j]
        self.choose_as_of(None if j == len(self._months) - 1 and self._as_of is None else target)

    def flush(self) -> None:
        """Send any throttled change now (tests, closing)."""
        self._range_throttle.flush()
        self._as_of_throttle.flush()

    def _emit_range(self, t: float) -> None:
        self.rangeChanged.emit(self._range, t)

    def _emit_as_of(self, t: float) -> None:
        self.asOfChanged.emit(self._as_of, t)

    def _on_range_group_clicked(self, button) -> None:
        self.choose_range(button.property("key"))

    def _on_gran_group_clicked(self, button) -> None:
        self.choose_granularity(button.property("key"))

    def _on_as_of_activated(self, index: int) -> None:
        self.choose_as_of(self.as_of.itemData(index))

    # -- shortcuts ------------------------------------------------------------------------------
    def _make_actions(self) -> list[QAction]:
        acts = []

        def act(text: str, key: str, fn) -> None:
            a = QAction(text, self)
            a.setShortcut(QKeySequence(SHORTCUTS[key]))
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.triggered.connect(fn)
            acts.append(a)

        for key, _text, tip in RANGES:
            act(f"Range: {tip}", key, lambda _=False, k=key: self.choose_range(k))
        for key, text in GRANULARITIES:
            act(f"View by {text.lower()}", key, lambda _=False, k=key: self.choose_granularity(k))
        act("As of: previous month", "as_of_prev", lambda _=False: self.step_as_of(-1))
        act("As of: next month", "as_of_next", lambda _=False: self.step_as_of(1))
        act("As of: latest month", "as_of_latest", lambda _=False: self.choose_as_of(None))
        return acts

    def shortcut_actions(self) -> list[QAction]:
        return list(self._actions)


def _preview() -> QWidget:
    from PySide6.QtWidgets import QVBoxLayout

    w = QWidget()
    w.setObjectName("PageBody")
    lay = QVBoxLayout(w)
    lay.setContentsMargins(24, 24, 24, 24)
    bar = QtControlsBar()
    bar.set_months([f"2026-{m:02d}" for m in range(1, 11)])
    for a in bar.shortcut_actions():
        w.addAction(a)
    log = QLabel("change a control")
    log.setObjectName("Muted")
    bar.rangeChanged.connect(lambda r, _t: log.setText(f"range {r}"))
    bar.granularityChanged.connect(lambda g, _t: log.setText(f"granularity {g}"))
    bar.asOfChanged.connect(lambda m, _t: log.setText(f"as of {m or 'latest'}"))
    lay.addWidget(bar)
    lay.addWidget(log)
    lay.addStretch(1)
    return w


if __name__ == "__main__":
    import sys

    from .._preview import run

    sys.exit(run(_preview, "Controls", (900, 160)))
