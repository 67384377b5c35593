"""The "Now / Reason / Action" summary: the core's sentences, in three columns.

It renders a `narrative.Summary` it is given and nothing else. Collapsed it is
one line (the first sentence and a count), so the first screen still fits a
1024x768 projector; expanded it shows every sentence under its heading. The
dashboard picks the state by the room it has until the user chooses.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout,
                               QWidget)

from .. import theme

SECTIONS = (("now", "NOW"), ("reason", "REASON"), ("action", "ACTION"))


class _WrappedBody(QWidget):
    """Holds the word-wrapped columns without announcing height-for-width: that would
    make the page's scroll area size the whole page to its preferred height (and
    scroll). The panel sets this body's height for its width itself."""

    def hasHeightForWidth(self) -> bool:
        return False


class QtSummaryPanel(QFrame):
    expandedChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Card")
        self.setAccessibleName("Summary")
        self._summary = None
        self._expanded = True
        self._user_chose = False
        self._presenting = False  # a slide: always the one line

        title = QLabel("Summary")
        title.setObjectName("PanelTitle")
        self.headline = QLabel("")
        self.headline.setObjectName("SummaryHeadline")
        self.headline.setWordWrap(False)
        # elided to the room it gets: its text must never widen the page
        self.headline.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.headline.setMinimumWidth(0)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.toggle = QToolButton()
        self.toggle.setObjectName("Action")
        self.toggle.setCursor(Qt.CursorShape.PointingHandCursor)
        self.toggle.clicked.connect(self._on_toggle_clicked)
        head = QHBoxLayout()
        head.setSpacing(theme.SPACE["md"])
        head.addWidget(title)
        head.addWidget(self.headline, 1)
        head.addWidget(self.toggle)

        self.body = _WrappedBody()
        grid = QGridLayout(self.body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(theme.SPACE["xl"])
        grid.setVerticalSpacing(theme.SPACE["xs"])
        self._columns: dict[str, QLabel] = {}
        for col, (key, heading) in enumerate(SECTIONS):
            over = QLabel(heading)
            over.setObjectName("Overline")
            text = QLabel("")
            text.setObjectName("SummaryText")
            text.setWordWrap(True)
            text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(over, 0, col)
            grid.addWidget(text, 1, col)
            grid.setColumnStretch(col, 1)
            self._columns[key] = text

        lay = QVBoxLayout(self)
        pad = theme.SPACE["md"]
        lay.setContentsMargins(pad + 4, pad - 2, pad + 4, pad - 2)
        lay.setSpacing(theme.SPACE["sm"])
        lay.addLayout(head)
        lay.addWidget(self.body)
        self.hide()  # until there is something to say
        self._apply()

    # -- data --------------------------------------------------------------------------------
    def set_summary(self, summary) -> None:
        """Show a Summary; with no sentence the panel hides (never an empty or wrong line)."""
        self._summary = summary
        sentences = tuple(summary.sentences) if summary is not None else ()
        for key, label in self._columns.items():
            label.setText(" ".join(s.text for s in sentences if s.section == key))
        self.body.setFixedHeight(self._body_height(self.width()))
        self.setVisible(bool(sentences))
        self._apply()

    def sentences(self) -> list[str]:
        return [s.text for s in self._summary.sentences] if self._summary is not None else []

    def clear(self) -> None:
        self.set_summary(None)

    # -- expanded / collapsed -------------------------------------------------------------------
    @property
    def expanded(self) -> bool:
        return self._expanded

    def set_expanded(self, on: bool, by_user: bool = False) -> None:
        if by_user:
            self._user_chose = True
        elif self._user_chose:
            return  # the user's choice stands over the automatic one
        if on != self._expanded:
            self._expanded = on
            self._apply()
            self.expandedChanged.emit(on)

    def set_presenting(self, on: bool) -> None:
        """A slide has no buttons: the state stays as the room decides."""
        self._presenting = on
        self.toggle.setVisible(not on)
        self._apply()

    @property
    def user_chose(self) -> bool:
        return self._user_chose

    def extra_height_expanded(self, width: int) -> int:
        """How much taller the panel is expanded than collapsed, at a panel width."""
        return self._body_height(width) + self.layout().spacing()

    def _body_height(self, width: int) -> int:
        m = self.layout().contentsMargins()
        h = self.body.layout().totalHeightForWidth(max(width - m.left() - m.right(), 100))
        return h if h >= 0 else self.body.sizeHint().height()  # -1: no height-for-width

    def _on_toggle_clicked(self) -> None:
        self.set_expanded(not self._expanded, by_user=True)

    def _apply(self) -> None:
        n = len(self._summary.sentences) if self._summary is not None else 0
        open_ = self._expanded and not self._presenting
        self.body.setVisible(open_)
        self.headline.setVisible(not open_)
        self.toggle.setText("Less" if self._expanded else f"All {n}")
        self.toggle.setToolTip("Collapse the summary to one line" if self._expanded
                               else "Show every sentence under Now, Reason and Action")
        first = self._summary.sentences[0].text if n else ""
        self.headline.setToolTip(first)
        self._elide_headline(first)

    def _elide_headline(self, text: str) -> None:
        room = max(self.headline.width(), 120)
        self.headline.setText(self.headline.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, room))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        h = self._body_height(event.size().width())
        if self.body.minimumHeight() != h:
            self.body.setFixedHeight(h)
        if self._summary is not None and not (self._expanded and not self._presenting):
            self._elide_headline(self._summary.sentences[0].text if self._summary.sentences else "")


def _preview() -> QWidget:
    from types import SimpleNamespace as NS

    s = NS(sentences=(
        NS(section="now", text="Revenue was £26.3M, up 25.2% on the previous 12 months."),
        NS(section="now", text="Backlog rose 58.3% to £8.2M."),
        NS(section="reason", text="Backlog rose most in Aug 2026, by £2.26M to £8.79M."),
        NS(section="action", text="2 high alerts have no owner: Backlog up 35% in 2026-08; Uptime dipped."),
    ))
    w = QtSummaryPanel()
    w.set_summary(s)
    return w


if __name__ == "__main__":
    import sys

    from .._preview import run

    sys.exit(run(_preview, "Summary", (1000, 200)))
