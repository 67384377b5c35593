"""Open risks: owner, due date, mitigation; overdue ones highlighted in red.

The order is the payload's (by due date, none last); `overdue` comes from the
core (past due as of the as-of month's end, or today when that is earlier).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

from execdash_desktop.format import short_date

from .list_panel import QtListPanel, RowDelegate

DASH = "\u2014"


class _RiskDelegate(RowDelegate):
    def stripe(self, row: dict, pal) -> QColor:
        return QColor(pal.bad if row.get("overdue") else pal.border_strong)

    def paint_body(self, p, r: QRectF, row: dict, pal) -> None:
        line1 = QRectF(r.left(), r.top(), r.width(), 20)
        if row.get("overdue"):
            left = self.pill(p, r.right(), r.top() + 1, "OVERDUE", pal.bad, pal.bad_soft)
        else:
            left = r.right()
        self.text(p, QRectF(line1.left(), line1.top(), left - line1.left() - 8, 20),
                  str(row.get("title") or ""), "body", pal.text, QFont.Weight.DemiBold)
        line2 = QRectF(r.left(), r.top() + 22, r.width(), 18)
        due = row.get("due")
        due_text = f"Due {short_date(due)}" if due else "No due date"
        used = self.text(p, line2, due_text, "small", pal.bad if row.get("overdue") else pal.muted,
                         QFont.Weight.DemiBold if row.get("overdue") else QFont.Weight.Normal,
                         align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        owner = row.get("owner") or "no owner"
        self.text(p, QRectF(line2.left(), line2.top(), line2.width() - used - 12, 18),
                  f"{owner} \u00b7 {row.get('mitigation') or 'no mitigation yet'}", "small", pal.muted)


def _tooltip(row: dict) -> str:
    state = "OVERDUE" if row.get("overdue") else str(row.get("status") or "open")
    return (f"<b>{escape(str(row.get('title') or ''))}</b><br>"
            f"Owner: {escape(str(row.get('owner') or DASH))}<br>"
            f"Due: {escape(str(row.get('due') or DASH))} ({escape(state)})<br>"
            f"Mitigation: {escape(str(row.get('mitigation') or DASH))}")


class QtRisksPanel(QtListPanel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__("ACTION", "Open risks", _RiskDelegate(), "No open risks", _tooltip, parent,
                         list_name="RiskList")
        self.view.viewport().setCursor(Qt.CursorShape.ArrowCursor)

    placement, min_height = "side", 0  # a panel of the page (dashboard/panels)

    def set_data(self, risks: list[dict], _payload: dict | None = None) -> None:
        self.set_risks(risks)

    def set_risks(self, risks: list[dict]) -> None:
        self.set_rows(risks)
        overdue = sum(1 for r in risks if r.get("overdue"))
        chips = [(f"{overdue} overdue", "bad")] if overdue else []
        chips.append((f"{len(risks)} open", "neutral"))
        self.set_chips(chips)


def _preview() -> QWidget:
    from .._preview import sample_payload

    w = QtRisksPanel()
    w.set_risks(sample_payload()["risks"])
    return w


if __name__ == "__main__":
    import sys

    from .._preview import run

    sys.exit(run(_preview, "Risks", (520, 620)))
