"""Settings > Presentation playlist: which drill-downs follow the dashboard, how long each shows.

The drill-downs are listed by dashboard (a heading per dashboard when the file holds several).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QListWidget, QListWidgetItem,
                               QSpinBox, QVBoxLayout)

from execdash_desktop.packs.executive.drilldowns import DRILLDOWNS


class QtPlaylistDialog(QDialog):
    def __init__(self, chosen: list[str], interval_s: int, parent=None,
                 catalogue: list[tuple[str, list[tuple[str, str]]]] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Presentation playlist")
        title = QLabel("Presentation playlist")
        title.setObjectName("DialogTitle")
        hint = QLabel("Presentation mode (F11) shows the dashboard, then each ticked drill-down, in turn. "
                      "Any key pauses; the arrow keys step.")
        hint.setObjectName("Muted")
        hint.setWordWrap(True)
        self.pages = QListWidget()
        self.pages.setObjectName("PlaylistPages")
        catalogue = catalogue or [("Executive", list(DRILLDOWNS.items()))]
        entries = []
        for heading, pairs in catalogue:
            if len(catalogue) > 1:
                head = QListWidgetItem(heading)
                head.setFlags(Qt.ItemFlag.NoItemFlags)
                font = head.font()
                font.setBold(True)
                head.setFont(font)
                entries.append(head)
            entries += [(key, name) for key, name in pairs]
        for entry in entries:
            if isinstance(entry, QListWidgetItem):
                self.pages.addItem(entry)
                continue
            key, name = entry
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in chosen else Qt.CheckState.Unchecked)
            self.pages.addItem(item)
        self.interval = QSpinBox()
        self.interval.setRange(5, 600)
        self.interval.setSuffix(" s")
        self.interval.setValue(interval_s)
        form = QFormLayout()
        form.addRow("Each page for", self.interval)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(hint)
        lay.addWidget(self.pages, 1)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.resize(420, 520)

    def chosen(self) -> list[str]:
        out = []
        for i in range(self.pages.count()):
            item = self.pages.item(i)
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable and item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def interval_s(self) -> int:
        return self.interval.value()
