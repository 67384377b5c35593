"""The panels a dashboard names, looked up by name (never a branch in the window).

`PANELS` maps a `dashboards.Panel.name` to (a function importing) the widget class that shows it. A
panel widget has `placement` ("side": beside the trend; "wide": a full row;
"half": half a row), `min_height`, and `set_data(data, payload)`; it may have
`drilldownRequested(str)` (a click that opens a drill-down of its dashboard)
and `bind(service, session)` when it asks the query service for more itself
(the bug table's pages). Data: `payload[panel.payload_key]`, else what the
panel's query returned on a worker thread.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QWidget


def _alerts():
    from ...widgets.alerts_panel import QtAlertsPanel

    return QtAlertsPanel


def _risks():
    from ...widgets.risks_panel import QtRisksPanel

    return QtRisksPanel


def _sla():
    from .engineering import QtSlaBreachesPanel

    return QtSlaBreachesPanel


def _severity():
    from .engineering import QtSeverityMixPanel

    return QtSeverityMixPanel


def _top_risks():
    from .engineering import QtTopRisksPanel

    return QtTopRisksPanel


def _audit():
    from .engineering import QtAuditLogPanel

    return QtAuditLogPanel


def _bugs():
    from .bug_table import QtBugTablePanel

    return QtBugTablePanel


def _bubbles():
    from .portfolio import QtPortfolioPanel  # imports pyqtgraph

    return QtPortfolioPanel


PANELS: dict[str, Callable[[], type[QWidget]]] = {
    "alerts": _alerts, "risks": _risks,
    "sla_breaches": _sla, "severity_mix": _severity, "top_risks": _top_risks, "audit_log": _audit,
    "bug_table": _bugs, "portfolio_bubbles": _bubbles,
}
# "summary" is the page's own Now / Reason / Action strip, shown when a dashboard names it.


def _panel_class(name: str, panel=None) -> type[QWidget] | None:
    if panel is not None and getattr(panel, "kind", None):
        from .generic import QtGenericPanel

        return QtGenericPanel
    factory = PANELS.get(name)
    return factory() if factory is not None else None


def make_panel(name: str, panel=None) -> QWidget | None:
    """The widget of panel `name`; a declared generic kind (spec.Panel.kind) gets the generic widget;
    None for a name this window does not know."""
    cls = _panel_class(name, panel)
    if cls is None:
        return None
    if panel is not None and getattr(panel, "kind", None):
        return cls(panel.title, panel.kind, panel.placement)
    return cls()


def panel_placement(name: str, panel=None) -> str | None:
    """Where panel `name` goes ("side", "wide", "half") without making it: the page builds the
    panels below the first screen later, one per turn of the event loop. None: unknown name."""
    cls = _panel_class(name, panel)
    if cls is None:
        return None
    if panel is not None and getattr(panel, "kind", None) and panel.placement:
        return panel.placement
    return cls.placement
