"""File > Export board pack: paper, drill-downs and the PDF's path, then Export.

The dialog only gathers the choice; `exportRequested(path, paper, keys)` hands it
to the window's export actions (export_actions.py), which fetch and render.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from execdash_desktop.packs.executive.drilldowns import DRILLDOWNS

PAPERS = (("a4", "A4, landscape"), ("letter", "Letter, landscape"))


class QtBoardPackDialog(QDialog):
    exportRequested = Signal(str, str, list)  # path, paper, drill-down keys

    def __init__(self, chosen: list[str], paper: str, path: str, parent: QWidget | None = None,
                 catalogue: list[tuple[str, list[tuple[str, str]]]] | None = None):
        """`catalogue`: (dashboard title, [(section key, drill-down title)]) per dashboard of the
        file, the one in view first (its keys bare, another's 'NAME:KEY'); the Executive one by default."""
        super().__init__(parent)
        self.setWindowTitle("Export board pack")
        self.setObjectName("BoardPackDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        title = QLabel("Export board pack")
        title.setObjectName("DialogTitle")
        intro = QLabel("A PDF for the board: a cover, the dashboard, the summary and one section per "
                       "drill-down, in the light print theme.")
        intro.setWordWrap(True)
        intro.setObjectName("Muted")

        self.paper = QComboBox()
        for key, text in PAPERS:
            self.paper.addItem(text, key)
        self.paper.setCurrentIndex(max(0, self.paper.findData(paper)))

        self.checks: dict[str, QCheckBox] = {}
        catalogue = catalogue or [("Executive", list(DRILLDOWNS.items()))]
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        row = 0
        for heading, pairs in catalogue:
            if len(catalogue) > 1:  # the drill-downs by dashboard
                head = QLabel(heading)
                head.setObjectName("Overline")
                grid.addWidget(head, row, 0, 1, 2)
                row += 1
            half = (len(pairs) + 1) // 2
            for i, (key, text) in enumerate(pairs):
                box = QCheckBox(text)
                box.setChecked(key in chosen)
                self.checks[key] = box
                grid.addWidget(box, row + i % half, i // half)
            row += half

        self.path = QLineEdit(path)
        self.path.setMinimumWidth(360)
        self.path.textChanged.connect(self._on_path_text_changed)
        browse = QPushButton("Choose\u2026")
        browse.clicked.connect(self._on_browse_clicked)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)

        form = QFormLayout()
        form.addRow("Paper", self.paper)
        form.addRow("Save as", where)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("Primary")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        drill = QLabel("Drill-downs")
        drill.setObjectName("PanelTitle")
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(drill)
        lay.addLayout(grid)
        lay.addWidget(self.buttons)
        self._on_path_text_changed(path)

    # -- the choice -----------------------------------------------------------------------------
    def chosen_paper(self) -> str:
        return self.paper.currentData()

    def chosen_keys(self) -> list[str]:
        return [k for k, box in self.checks.items() if box.isChecked()]

    def chosen_path(self) -> str:
        text = self.path.text().strip()
        return text if not text or text.lower().endswith(".pdf") else text + ".pdf"

    def accept(self) -> None:
        if not self.chosen_path():
            return
        self.exportRequested.emit(self.chosen_path(), self.chosen_paper(), self.chosen_keys())
        super().accept()

    def _on_path_text_changed(self, text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(text.strip()))

    def _on_browse_clicked(self) -> None:
        start = self.chosen_path() or str(Path.home())
        path, _ = QFileDialog.getSaveFileName(self, "Save the board pack", start, "PDF files (*.pdf)")
        if path:
            self.path.setText(path)
