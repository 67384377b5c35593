"""The Commerce panels' rows, in the shell's generic panel shapes (dashboards.spec.Panel.kind).

Every function takes (conn, src, payload) and returns a dict the generic
widgets render: "table" {columns, formats, rows, tones, drilldown, note},
"progress" {value, maximum, label, marks}, "checks" {rows: check, title,
status, failing, examples}. A panel whose table is missing returns
{"disabled": why} instead, so only that panel goes grey.
"""

from __future__ import annotations

from ...words import code_words
from . import catalogue as cat
from . import rules as r

_TONE = {"critical": "bad", "high": "bad", "medium": "warn", "low": "neutral"}
_STOCK_WORDS = {"out_of_stock": "Out of stock", "low_stock": "Low stock", "overstock": "Overstock"}


def _disabled(what: str, table: str) -> dict:
    return {"disabled": f"Not available: the file has no {what} ({table})."}


def _as_of(payload: dict) -> int:
    from .source import parse_day

    return parse_day(payload["asOf"])


def stock_alerts(conn, src, payload) -> dict:
    alerts = payload["inventoryAlerts"]
    if alerts is None:
        if "inventory_snapshots" not in src.tables:
            return _disabled("stock counts", "inventory_snapshots")
        alerts = []
    rows = [(a["severity"].capitalize(), a["sku"], _STOCK_WORDS.get(a["stock_status"], a["stock_status"]),
             a["quantity_available"], a["days_of_cover"]) for a in alerts]
    return {"kind": "table", "currency": cat.CURRENCY, "columns": ("Severity", "Product", "Status", "Available", "Days of cover"),
            "formats": ("text", "text", "text", "int", "int"), "rows": rows,
            "tones": [_TONE[a["severity"]] for a in alerts], "drilldown": "inventory/alerts",
            # a row opens that product's stock history; the Details button the whole list
            "row_drilldowns": [f"inventory/history?{a['sku']}" if a["sku"] else None for a in alerts],
            "note": f"{len(alerts)} alerts" if alerts else "No stock alerts"}


def fulfillment_health(conn, src, payload) -> dict:
    f = payload["fulfillment"]
    if f is None:
        return _disabled("fulfilment records", "fulfillment_tracking")
    breach = f["sla_breach_rate"]
    stats = [("Fulfilled", f["rate"], "ratio", None),
             ("Late (target under 5%)", breach, "ratio",
              None if breach is None else ("good" if breach < cat.TARGETS["sla_breach_rate"] else "bad")),
             ("Days to ship (median)", f["days_p50"], "number", None),
             ("Days to ship (P90)", f["days_p90"], "number", None)]
    rows = [(code_words(i["issue_type"] or "other"),
             (i["issue_severity"] or "unknown").capitalize(), i["count"]) for i in f["open_issues"]]
    return {"kind": "table", "currency": cat.CURRENCY, "stats": stats, "columns": ("Open issue", "Severity", "Orders"),
            "formats": ("text", "text", "int"), "rows": rows,
            "tones": [_TONE.get(i["issue_severity"] or "", None) for i in f["open_issues"]],
            "drilldown": "fulfillment/orders", "note": None if rows else "No open issues"}


def cx_health(conn, src, payload) -> dict:
    c = payload["cx"]
    if c is None:
        return _disabled("conversations", "cx_conversations")
    p50 = c["first_response_p50"]
    stats = [("First response, median (target under 30 min)", p50, "minutes",
              None if p50 is None else ("good" if p50 < cat.TARGETS["first_response_p50_7d"] else "bad")),
             ("First response, P90", c["first_response_p90"], "minutes", None),
             ("Late replies", c["sla_breach_rate"], "ratio", None),
             ("Resolved", c["resolution_rate"], "ratio", None),
             ("Escalations", c["escalations"], "int", None)]
    open_now = r.open_escalations(src.escalated, src.cx.first_day, _as_of(payload)) or []
    rows = [(str(e["conversation"]), (e["priority"] or "").capitalize(), e["reason"] or "",
             r.iso(e["created"] // 86400)) for e in open_now]
    return {"kind": "table", "currency": cat.CURRENCY, "stats": stats, "columns": ("Open escalation", "Priority", "Reason", "Opened"),
            "formats": ("text", "text", "text", "date"), "rows": rows,
            "tones": ["bad" if e["priority"] in ("urgent", "high") else None for e in open_now],
            "drilldown": "cx/escalations", "note": f"{len(rows)} open escalations"}


def milestones(conn, src, payload) -> dict:
    m = payload["milestones"]
    nxt = m["next"]
    label = ("Every milestone reached" if nxt is None else
             f"{(m['progress'] or 0) * 100:.0f}% of the way to {cat.CURRENCY}{nxt / 1e6:,.0f}M this year")
    return {"kind": "progress", "currency": cat.CURRENCY, "value": m["ytd_revenue"] or 0.0, "maximum": nxt or cat.MILESTONES[-1],
            "progress": m["progress"], "label": label, "format": "currency", "unit": cat.CURRENCY,
            "marks": [{"value": x, "reached": x in m["reached"]} for x in cat.MILESTONES]}


def operator_rows(src, d: int) -> list[dict]:
    lo, hi = r.last_n(d, 7)
    by: dict[str, dict] = {}
    for op, day_, det, res, med, p90 in src.operators:
        if lo <= day_ <= hi:
            a = by.setdefault(op, {"operator": op, "detected": 0.0, "resolved": 0.0, "med": [], "p90": []})
            a["detected"] += det or 0.0
            a["resolved"] += res or 0.0
            if med is not None:
                a["med"].append(med)
            if p90 is not None:
                a["p90"].append(p90)
    out = []
    for a in by.values():
        out.append({"operator": a["operator"], "detected": a["detected"], "resolved": a["resolved"],
                    "resolved_share": r.ratio(a["resolved"], a["detected"]),
                    "median_minutes": sum(a["med"]) / len(a["med"]) if a["med"] else None,
                    "p90_minutes": sum(a["p90"]) / len(a["p90"]) if a["p90"] else None})
    out.sort(key=lambda a: (a["resolved_share"] is None, -(a["resolved_share"] or 0), a["operator"]))
    return out


def operator_sla(conn, src, payload) -> dict:
    if "operator_sla_resolution" not in src.tables:
        return _disabled("operator records", "operator_sla_resolution")
    ops = operator_rows(src, _as_of(payload))
    rows = [(i + 1, f"Operator {o['operator']}", o["detected"], o["resolved"], o["resolved_share"],
             o["median_minutes"], o["p90_minutes"]) for i, o in enumerate(ops)]
    return {"kind": "table", "currency": cat.CURRENCY, "columns": ("Rank", "Operator", "Breaches", "Resolved", "Resolved share",
                                         "Median reply (min)", "P90 reply (min)"),
            "formats": ("int", "text", "int", "int", "ratio", "number", "number"), "rows": rows,
            "tones": [None] * len(rows), "drilldown": "operators/sla", "note": None if rows else "No records this week"}


def time_saved_figures(src, d: int) -> dict:
    out = {}
    for name, span in (("30 days", r.last_n(d, 30)), ("Year to date", r.ytd(d))):
        minutes = sum(v for k, v in src.time_saved.items() if span[0] <= k <= span[1])
        out[name] = (minutes / 60.0, minutes / 60.0 * cat.HOURLY_VALUE)
    return out


def time_saved(conn, src, payload) -> dict:
    if "ceo_time_savings" not in src.tables:
        return _disabled("time-saving records", "ceo_time_savings")
    figs = time_saved_figures(src, _as_of(payload))
    rows = [(k, h, v) for k, (h, v) in figs.items()]
    return {"kind": "table", "currency": cat.CURRENCY, "columns": ("Period", "Hours saved", f"Value ({cat.CURRENCY}{cat.HOURLY_VALUE:.0f}/h)"),
            "formats": ("text", "number", "currency"), "rows": rows, "tones": [None, None],
            "drilldown": "time/saved", "note": None}


def data_quality(conn, src, payload) -> dict:
    rows = [{"check": c["check"], "title": cat.CHECK_TITLES[c["check"]], "status": c["status"],
             "failing": c["failing"], "examples": c["examples"]} for c in payload["dataQuality"]]
    return {"kind": "checks", "rows": rows, "drilldown": "quality/checks"}
