"""A non-modal banner: an error with its reason and Retry, or a progress note.

It sits above the dashboard; the rest of the screen keeps its last good data.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from .. import theme


class QtBanner(QFrame):
    retryRequested = Signal()
    bannerDismissed = Signal()
    openAnotherRequested = Signal()
    openDemoRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Banner")
        self.setProperty("tone", "error")
        self.title = QLabel("")
        self.title.setObjectName("BannerTitle")
        self.text = QLabel("")
        self.text.setObjectName("BannerText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry = QPushButton("Retry")
        self.retry.setObjectName("Primary")
        self.retry.setCursor(Qt.CursorShape.PointingHandCursor)
        # a file that cannot be a data file: what to do instead, the technical line on request
        self.open_another = QPushButton("Open another file…")
        self.open_another.setObjectName("Primary")
        self.open_demo = QPushButton("Open the demo")
        self.details_button = QToolButton()
        self.details_button.setObjectName("Action")
        self.details_button.setText("Details")
        self.details_button.setCheckable(True)
        self.details = QLabel("")
        self.details.setObjectName("BannerText")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.hide()
        self.open_another.clicked.connect(self.openAnotherRequested)
        self.open_demo.clicked.connect(self.openDemoRequested)
        self.details_button.toggled.connect(self.details.setVisible)
        self._problem_buttons = (self.open_another, self.open_demo, self.details_button)
        self.close_button = QToolButton()
        self.close_button.setObjectName("Action")
        self.close_button.setIcon(theme.icon("close"))
        self.close_button.setToolTip("Dismiss")
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.title)
        texts.addWidget(self.text)
        texts.addWidget(self.details)
        lay = QHBoxLayout(self)
        pad = theme.SPACE["md"]
        lay.setContentsMargins(pad + 4, pad, pad, pad)
        lay.setSpacing(theme.SPACE["md"])
        lay.addLayout(texts, 1)
        for b in self._problem_buttons:
            lay.addWidget(b, 0, Qt.AlignmentFlag.AlignVCenter)
        lay.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignVCenter)
        lay.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.retry.clicked.connect(self._on_retry_clicked)
        self.close_button.clicked.connect(self._on_close_clicked)
        self._show_problem_buttons(False)
        self.hide()

    def show_error(self, message: str, title: str = "Could not read the data file",
                   retry: bool = True) -> None:
        self._set_tone("error")
        self._show_problem_buttons(False)
        self.title.setText(title)
        self.text.setText(message)
        self.retry.setVisible(retry)
        self.close_button.setVisible(True)
        self.show()

    def show_problem(self, title: str, text: str, details: str, retry: bool = False) -> None:
        """A file the dashboard cannot open: plain words, Open another file / Open the demo,
        the technical line behind Details; Retry only where trying again can help."""
        self._set_tone("error")
        self.title.setText(title)
        self.text.setText(text)
        self.details.setText(details)
        self._show_problem_buttons(True)
        self.retry.setVisible(retry)
        self.close_button.setVisible(True)
        self.show()

    def _show_problem_buttons(self, on: bool) -> None:
        for b in self._problem_buttons:
            b.setVisible(on)
        self.details_button.setChecked(False)
        self.details.hide()

    def show_info(self, message: str, title: str = "") -> None:
        self._set_tone("info")
        self._show_problem_buttons(False)
        self.title.setText(title)
        self.title.setVisible(bool(title))
        self.text.setText(message)
        self.retry.hide()
        self.close_button.hide()
        self.show()

    def clear(self) -> None:
        self.hide()
        self.title.setVisible(True)

    def tone(self) -> str:
        return str(self.property("tone"))

    def message(self) -> str:
        return self.text.text()

    def _set_tone(self, tone: str) -> None:
        if self.property("tone") != tone:
            self.setProperty("tone", tone)
            for w in (self, self.title):
                w.style().unpolish(w)
                w.style().polish(w)

    def _on_retry_clicked(self) -> None:
        self.hide()
        self.retryRequested.emit()

    def _on_close_clicked(self) -> None:
        self.hide()
        self.bannerDismissed.emit()


def _preview() -> QWidget:
    w = QWidget()
    w.setObjectName("PageBody")
    lay = QVBoxLayout(w)
    lay.setContentsMargins(24, 24, 24, 24)
    a = QtBanner()
    a.show_error("/data/exec.sqlite: locked by another writer for longer than the busy timeout (5000 ms)")
    b = QtBanner()
    b.show_info("Creating the demo data file\u2026 40%", "First start")
    lay.addWidget(a)
    lay.addWidget(b)
    lay.addStretch(1)
    return w


if __name__ == "__main__":
    import sys

    from .._preview import run

    sys.exit(run(_preview, "Banner", (900, 260)))
