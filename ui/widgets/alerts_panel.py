"""Alerts, tri-colour by severity (high red, medium amber, low blue), newest first.

The order is the payload's (severity, then newest `created_at`). A click on an
alert emits `alertActivated(alert)`; the window opens the drill-down it
concerns (`drilldowns.drilldown_for_alert`).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

from execdash_desktop.format import area_name, short_date
from execdash_desktop.words import months_in_words

from .list_panel import QtListPanel, RowDelegate

SEVERITIES = ("high", "medium", "low")


class _AlertDelegate(RowDelegate):
    def stripe(self, row: dict, pal) -> QColor:
        return QColor(pal.severity(row.get("severity"))[0])

    def paint_body(self, p, r: QRectF, row: dict, pal) -> None:
        sev = str(row.get("severity") or "low").lower()
        fg, bg = pal.severity(sev)
        line1 = QRectF(r.left(), r.top(), r.width(), 20)
        left = self.pill(p, r.right(), r.top() + 1, sev.upper(), fg, bg)
        self.text(p, QRectF(line1.left(), line1.top(), left - line1.left() - 8, 20),
                  months_in_words(str(row.get("title") or "")), "body", pal.text, QFont.Weight.DemiBold)
        line2 = QRectF(r.left(), r.top() + 22, r.width(), 18)
        meta = " \u00b7 ".join(x for x in (area_name(row.get("type")), short_date(row.get("created_at"))) if x)
        used = self.text(p, line2, meta, "caption", pal.faint,
                         align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.text(p, QRectF(line2.left(), line2.top(), line2.width() - used - 12, 18),
                  months_in_words(str(row.get("description") or "")), "small", pal.muted)


def _tooltip(row: dict) -> str:
    return (f"<b>{escape(months_in_words(str(row.get('title') or '')))}</b><br>"
            f"{escape(months_in_words(str(row.get('description') or '')))}<br>"
            f"<i>{escape(str(row.get('severity') or '').capitalize())} \u00b7 {escape(area_name(row.get('type')))}"
            f" \u00b7 raised {escape(short_date(row.get('created_at')))}</i><br>Click to open its drill-down")


class QtAlertsPanel(QtListPanel):
    alertActivated = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("ACTION", "Alerts", _AlertDelegate(), "No alerts", _tooltip, parent,
                         list_name="AlertList")
        self.rowActivated.connect(self.alertActivated)
        self.polls = 0

    placement, min_height = "side", 0  # a panel of the page (dashboard/panels)

    def set_data(self, alerts: list[dict], _payload: dict | None = None) -> None:
        self.set_alerts(alerts)

    def set_alerts(self, alerts: list[dict]) -> None:
        self.set_rows(alerts)
        counts = {s: 0 for s in SEVERITIES}
        for a in alerts:
            s = str(a.get("severity") or "low").lower()
            counts[s if s in counts else "low"] += 1
        self.set_chips([(f"{counts[s]} {s}", s) for s in SEVERITIES if counts[s]])


def _preview() -> QWidget:
    from .._preview import sample_payload

    w = QtAlertsPanel()
    w.set_alerts(sample_payload()["alerts"])
    w.alertActivated.connect(lambda a: print("alert clicked:", a.get("title")))
    return w


if __name__ == "__main__":
    import sys

    from .._preview import run

    sys.exit(run(_preview, "Alerts", (520, 620)))
