"""The Engineering dashboard's list panels: SLA breaches, severity mix, top risks, audit log.

Each shows what the core computed (payload["slaBreaches"], the panels'
queries); none queries. A click on a breach or a risk asks for the drill-down
behind it (`drilldownRequested`).
"""

from __future__ import annotations

import json
from html import escape

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from execdash_desktop.format import compact_currency, short_date

from ... import theme
from ...widgets.list_panel import QtListPanel, RowDelegate

DASH = "\u2014"
SEVERITY_TONE = {"critical": "high", "high": "high", "medium": "medium", "low": "low"}


def hours_text(hours) -> str:
    """'3 d 4 h' past a day, else '5.2 h'."""
    if hours is None:
        return DASH
    h = float(hours)
    if h >= 48:
        return f"{int(h // 24)} d {int(h % 24)} h"
    return f"{h:.1f} h"


def _severity_colours(pal, severity: str | None) -> tuple[str, str]:
    return pal.severity(SEVERITY_TONE.get(str(severity or "").strip().lower(), "low"))


# -- SLA breaches ------------------------------------------------------------------------------
class _BreachDelegate(RowDelegate):
    def stripe(self, row: dict, pal) -> QColor:
        return QColor(_severity_colours(pal, row.get("severity"))[0])

    def paint_body(self, p, r: QRectF, row: dict, pal) -> None:
        line1 = QRectF(r.left(), r.top(), r.width(), 20)
        left = self.pill(p, r.right(), r.top() + 1, f"{hours_text(row.get('hours_overdue'))} over",
                         pal.bad, pal.bad_soft)
        self.text(p, QRectF(line1.left(), line1.top(), left - line1.left() - 8, 20),
                  f"{row.get('bug_number') or ''}  {row.get('title') or ''}", "body", pal.text,
                  QFont.Weight.DemiBold)
        line2 = QRectF(r.left(), r.top() + 22, r.width(), 18)
        money = row.get("revenue_impact_daily") or 0
        used = 0.0
        if money:
            used = self.text(p, line2, f"{compact_currency(money)}/day at risk", "small", pal.bad,
                             QFont.Weight.DemiBold, align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        who = " \u00b7 ".join(str(x) for x in (str(row.get("severity") or "").capitalize(), row.get("project"),
                                                row.get("assignee") or "unassigned") if x)
        self.text(p, QRectF(line2.left(), line2.top(), line2.width() - used - 12, 18), who, "small", pal.muted)


def _breach_tip(row: dict) -> str:
    return (f"<b>{escape(str(row.get('bug_number') or ''))}</b> {escape(str(row.get('title') or ''))}<br>"
            f"Open {hours_text(row.get('hours_open'))} against an SLA of {hours_text(row.get('sla_hours'))}<br>"
            f"Revenue at risk: {compact_currency(row.get('revenue_impact_daily') or 0)} a day")


class QtSlaBreachesPanel(QtListPanel):
    """Bugs past their SLA at T, most overdue first (the payload's order)."""

    placement, min_height = "side", 250
    drilldownRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("NOW", "SLA breaches", _BreachDelegate(), "No bug is past its SLA", _breach_tip,
                         parent, list_name="BreachList")
        self.title.setMinimumWidth(60)  # on a narrow screen the title gives way, never the money        self.rowActivated.connect(lambda _row: self.drilldownRequested.emit("sla/breaches"))

    def set_data(self, rows: list[dict], payload: dict | None = None) -> None:
        rows = list(rows or [])
        self.set_rows(rows)
        at_risk = (payload or {}).get("revenueAtRisk")
        if at_risk is None:
            at_risk = sum(r.get("revenue_impact_daily") or 0 for r in rows)
        self.title.setText(f"SLA breaches \u00b7 {len(rows)}")
        # the money at risk is the headline: it orders what to fix first
        self.set_chips([(f"{compact_currency(at_risk)}/day at risk", "bad")] if at_risk else [])
        self.setToolTip(f"Revenue at risk: the daily revenue impact of the {len(rows)} breached bugs")


# -- severity mix --------------------------------------------------------------------------------
class _SeverityBars(QWidget):
    """One bar per severity, its length the share of open bugs."""

    painted = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[dict] = []
        self.setMinimumHeight(4 * 30)

    def sizeHint(self) -> QSize:
        return QSize(300, 4 * 32)

    def paintEvent(self, _event) -> None:
        pal = theme.palette()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rows = self.rows
        if rows:
            h = self.height() / len(rows)
            label_w, count_w = 74, 64
            biggest = max((r.get("open") or 0) for r in rows) or 1
            for i, r in enumerate(rows):
                top = i * h
                f = theme.font("small", QFont.Weight.DemiBold)
                p.setFont(f)
                p.setPen(QColor(pal.text))
                p.drawText(QRectF(0, top, label_w, h), int(Qt.AlignmentFlag.AlignVCenter),
                           str(r.get("severity") or "").capitalize())
                track = QRectF(label_w, top + h * 0.28, max(0.0, self.width() - label_w - count_w), h * 0.44)
                path = QPainterPath()
                path.addRoundedRect(track, 4, 4)
                p.fillPath(path, QColor(pal.surface_alt))
                n = r.get("open") or 0
                if n:
                    bar = QRectF(track.left(), track.top(), max(6.0, track.width() * n / biggest), track.height())
                    path = QPainterPath()
                    path.addRoundedRect(bar, 4, 4)
                    p.fillPath(path, QColor(_severity_colours(pal, r.get("severity"))[0]))
                share = r.get("share")
                text = f"{n:,}" + (f"  {share * 100:.0f}%" if share is not None else "")
                p.setPen(QColor(pal.muted))
                p.setFont(theme.font("small"))
                p.drawText(QRectF(self.width() - count_w, top, count_w, h),
                           int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight), text)
        p.end()
        self.painted.emit()


class QtSeverityMixPanel(QFrame):
    """Open bugs at T by severity (critical, high, medium, low)."""

    placement, min_height = "side", 200
    drilldownRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Card")
        over = QLabel("NOW")
        over.setObjectName("Overline")
        self.title = QLabel("Open bugs by severity")
        self.title.setObjectName("PanelTitle")
        self.bars = _SeverityBars()
        lay = QVBoxLayout(self)
        pad = theme.SPACE["lg"]
        lay.setContentsMargins(pad, pad - 2, pad, pad - 4)
        lay.setSpacing(theme.SPACE["sm"])
        lay.addWidget(over)
        lay.addWidget(self.title)
        lay.addWidget(self.bars, 1)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Open the critical bugs")

    def set_data(self, rows: list[dict], _payload: dict | None = None) -> None:
        self.bars.rows = list(rows or [])
        total = sum(r.get("open") or 0 for r in self.bars.rows)
        self.title.setText(f"Open bugs by severity \u00b7 {total:,}")
        self.bars.update()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.drilldownRequested.emit("bugs/critical")
        super().mouseReleaseEvent(event)


# -- top risks -------------------------------------------------------------------------------------
class _RiskDelegate(RowDelegate):
    def stripe(self, row: dict, pal) -> QColor:
        return QColor(pal.high if row.get("risk_level") == "HIGH" else pal.medium)

    def paint_body(self, p, r: QRectF, row: dict, pal) -> None:
        level = str(row.get("risk_level") or "")
        fg, bg = pal.severity("high" if level == "HIGH" else "medium")
        left = self.pill(p, r.right(), r.top() + 1, level, fg, bg)
        self.text(p, QRectF(r.left(), r.top(), left - r.left() - 8, 20), str(row.get("name") or ""), "body",
                  pal.text, QFont.Weight.DemiBold)
        dcf = row.get("dcf_valuation")
        worth = f"worth {compact_currency(dcf)}" if dcf else "no valuation"
        self.text(p, QRectF(r.left(), r.top() + 22, r.width(), 18), f"{row.get('reason') or ''} \u00b7 {worth}",
                  "small", pal.muted)


class QtTopRisksPanel(QtListPanel):
    """Projects at HIGH or MEDIUM risk, with the reason in words."""

    placement, min_height = "half", 300
    drilldownRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("ACTION", "Top risks", _RiskDelegate(), "No project is at risk",
                         lambda r: f"<b>{escape(str(r.get('name')))}</b>: {escape(str(r.get('reason')))}", parent,
                         list_name="TopRiskList")
        self.rowActivated.connect(lambda _row: self.drilldownRequested.emit("portfolio/projects"))

    def set_data(self, rows: list[dict], _payload: dict | None = None) -> None:
        rows = list(rows or [])
        self.set_rows(rows)
        high = sum(1 for r in rows if r.get("risk_level") == "HIGH")
        chips = [(f"{high} high", "high")] if high else []
        chips.append((f"{len(rows)} at risk", "neutral"))
        self.set_chips(chips)


# -- audit log --------------------------------------------------------------------------------------
def _details(text) -> str:
    if not text:
        return ""
    try:
        obj = json.loads(text)
    except (TypeError, ValueError):
        return str(text)
    if isinstance(obj, dict):
        return ", ".join(f"{k}: {v}" for k, v in list(obj.items())[:4])
    return str(obj)


def audit_sentence(row: dict) -> str:
    """'Ella Iyer deferred a bug' from action 'bug.deferred' (the ids stay in the tooltip)."""
    who = row.get("user") or "Someone"
    action = str(row.get("action") or "").strip()
    thing, _, verb = action.rpartition(".")
    thing = thing or str(row.get("entity_type") or "item")
    verb = verb.replace("_", " ").lower() or "changed"
    return f"{who} {verb} a {thing.replace('_', ' ').lower()}"


class _AuditDelegate(RowDelegate):
    HEIGHT = 46

    def paint_body(self, p, r: QRectF, row: dict, pal) -> None:
        when = short_date(row.get("created_at"))
        used = self.text(p, QRectF(r.left(), r.top() - 2, r.width(), 18), when, "small", pal.muted,
                         align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        what = audit_sentence(row)
        self.text(p, QRectF(r.left(), r.top() - 2, r.width() - used - 12, 18), what, "body", pal.text,
                  QFont.Weight.DemiBold)
        self.text(p, QRectF(r.left(), r.top() + 16, r.width(), 16), _details(row.get("details")), "small", pal.muted)


class QtAuditLogPanel(QtListPanel):
    """Who changed what, newest first (as of T)."""

    placement, min_height = "wide", 260

    def __init__(self, parent: QWidget | None = None):
        super().__init__("REASON", "Audit log", _AuditDelegate(), "No audit entries",
                         lambda r: escape(f"{r.get('action')} {r.get('entity_type') or ''} {r.get('entity_id') or ''}"),
                         parent,
                         list_name="AuditList")
        self.view.viewport().setCursor(Qt.CursorShape.ArrowCursor)

    def set_data(self, rows: list[dict], _payload: dict | None = None) -> None:
        rows = list(rows or [])
        self.set_rows(rows)
        self.set_chips([(f"latest {len(rows)}", "neutral")] if rows else [])


def _preview() -> QWidget:
    from ..._preview import engineering_panel_data

    box = QWidget()
    box.setObjectName("PageBody")
    lay = QVBoxLayout(box)
    for name, cls in (("sla_breaches", QtSlaBreachesPanel), ("severity_mix", QtSeverityMixPanel),
                      ("top_risks", QtTopRisksPanel), ("audit_log", QtAuditLogPanel)):
        panel = cls()
        panel.set_data(*engineering_panel_data(name))
        lay.addWidget(panel, 1)
    return box


if __name__ == "__main__":
    import sys

    from ..._preview import run

    sys.exit(run(_preview, "Engineering panels", (640, 1100)))
