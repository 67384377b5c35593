"""The Commerce Now / Reason / Action summary, written offline from the payload (no model, no network).

Every figure quoted is formatted as the screen shows it (format.format_value).
"""

from __future__ import annotations

from ...format import format_value
from ...narrative import SentenceWriter, Summary, is_num
from . import catalogue as cat


def _kpi(payload: dict, key: str) -> dict:
    return next(e for e in payload["commerceKpis"] if e["key"] == key)


def _pct(v) -> str:
    return format_value(v, "ratio")


def build_summary(conn, src, payload: dict) -> Summary:
    w = SentenceWriter()
    mtd = _kpi(payload, "revenue_mtd")
    if is_num(mtd["value"]):
        fig = format_value(mtd["value"], "currency", cat.CURRENCY)
        text = f"Revenue this month is {fig}"
        figs = [fig]
        if is_num(mtd["delta"]):
            d = f"{abs(mtd['delta']) * 100:.1f}%"
            text += f", {d} {'above' if mtd['delta'] >= 0 else 'below'} the same days last month"
            figs.append(d)
        w.add(0, "now", text + ".", figs, "card:revenue_mtd")
    alerts = payload["inventoryAlerts"] or []
    critical = [a for a in alerts if a["severity"] == "critical"]
    if critical:
        n = f"{len(critical):,}"
        w.add(1, "now", f"{n} products are out of stock, {critical[0]['sku']} first.", [n], "card:inventory_alerts")
        top = {s["sku"] for s in payload["salesPulse"]["top_skus"]}
        best = [a["sku"] for a in critical if a["sku"] in top]
        if best:
            w.add(0, "reason", f"{best[0]} is one of the five best sellers and is out of stock: sales are lost"
                               " every day it stays empty.", [], "panel:stock_alerts")
            w.add(0, "action", f"Expedite a reorder of {best[0]}.", [], "panel:stock_alerts")
    f = payload["fulfillment"]
    if f and is_num(f["sla_breach_rate"]):
        fig = _pct(f["sla_breach_rate"])
        late = f["sla_breach_rate"] >= cat.TARGETS["sla_breach_rate"]
        w.add(2, "now", f"{fig} of this week's orders shipped late (target under 5%).", [fig], "panel:fulfillment_health")
        if late and f["open_issues"]:
            top = f["open_issues"][0]
            kind = (top["issue_type"] or "other").replace("_", " ")
            c = f"{top['count']:,}"
            w.add(1, "reason", f"The largest group of open order problems is {kind} ({c} orders).", [c],
                  "panel:fulfillment_health")
            w.add(1, "action", "Ask the warehouse to clear the late orders, oldest first.", [],
                  "drilldown:fulfillment/orders")
    esc = _kpi(payload, "open_escalations")
    if is_num(esc["value"]):
        n = f"{int(esc['value']):,}"
        text = f"{n} customer escalations are open"
        if is_num(esc["delta"]) and esc["delta"] > 0.25:
            d = f"{esc['delta'] * 100:.0f}%"
            text += f", up {d} on a week ago"
            w.add(2, "reason", "Escalations rose sharply this week.", [], "card:open_escalations")
            w.add(2, "action", "Assign the urgent escalations to senior operators today.", [],
                  "drilldown:cx/escalations")
            w.add(3, "now", text + ".", [n, d], "card:open_escalations")
        else:
            w.add(3, "now", text + ".", [n], "card:open_escalations")
    failing = [c for c in payload["dataQuality"] if c["status"] == "fail"]
    if failing:
        n = f"{len(failing)}"
        w.add(4, "now", f"{n} of 10 data checks fail: treat the affected figures with care.", [n],
              "panel:data_quality")
        w.add(4, "action", "Ask the data owner to fix the failing rows listed under Data quality.", [],
              "drilldown:quality/checks")
    return w.result()
