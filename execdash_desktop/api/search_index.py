"""What GET /api/search finds: dashboards, domain pages, KPIs and drill-downs by name.

Each entry carries the web client's route (`url`, the seed's page routes of
002 section 6) and the API route that answers its data (`api`). Built once
from the catalogues; a query matches when every word is in the title,
description or category.
"""

from __future__ import annotations

from ..packs.executive.domains import DOMAINS, MEASURES
from ..packs.executive.drilldowns import DRILLDOWNS
from ..packs.executive.kpis import KPIS

# drill-down key -> (web client route, API route)
_DRILL_ROUTES = {
    "operations/uptime": ("/operations/uptime", "/api/operations/uptime"),
    "sales/pipeline": ("/sales/kpis/pipeline", "/api/sales/kpis/pipeline"),
    "sales/revenue": ("/sales/kpis/revenue", "/api/sales/kpis/revenue"),
    "supply/inventory_turns": ("/supply/kpis/inventory_turns", "/api/supply/kpis/inventory_turns"),
    "supply": ("/supply", "/api/supply/overview"),
    "customers": ("/customers", "/api/customers/at-risk"),
    "telemetry": ("/telemetry", "/api/telemetry/active-devices"),
}
_TYPE_ORDER = {"dashboard": 0, "page": 1, "kpi": 2}


def _build() -> tuple[dict, ...]:
    out = [{"id": "dashboard:executive", "title": "Executive dashboard", "type": "dashboard",
            "description": "The ten KPIs, the revenue trend, alerts and risks", "url": "/dashboard",
            "category": "Executive", "api": "/api/executive-dashboard"}]
    for d in DOMAINS.values():
        out.append({"id": f"page:{d.name}", "title": d.title, "type": "page",
                    "description": f"The {d.title.lower()} page: " + ", ".join(MEASURES[k].label for k in d.keys),
                    "url": f"/{d.name}", "category": d.title, "api": f"/api/{d.name}/overview"})
        for k in d.keys:
            out.append({"id": f"kpi:{d.name}/{k}", "title": MEASURES[k].label, "type": "kpi",
                        "description": f"{d.title} KPI: its trend and breakdown by " + ", ".join(d.by),
                        "url": f"/{d.name}/kpis/{k}", "category": d.title, "api": f"/api/{d.name}/kpis/{k}"})
    for k in KPIS:
        out.append({"id": f"kpi:executive/{k.key}", "title": k.label, "type": "kpi",
                    "description": "Executive dashboard card", "url": f"/dashboard?kpi={k.key}",
                    "category": "Executive", "api": f"/api/kpis/{k.key}"})
    for key, title in DRILLDOWNS.items():
        url, api = _DRILL_ROUTES.get(key, (f"/{key.replace('/', '/kpis/', 1)}" if "/" in key else f"/{key}",
                                           f"/api/{key.replace('/', '/kpis/', 1)}" if "/" in key else
                                           f"/api/{key}/overview"))
        out.append({"id": f"drilldown:{key}", "title": title, "type": "page",
                    "description": f"Drill-down: {title}", "url": url,
                    "category": title.split(" \u203a ")[0], "api": api})
    return tuple(out)


INDEX: tuple[dict, ...] = _build()  # the catalogues are constants: built once, at import
# (what a query is matched against, the title alone) per entry, lowercased once
_TEXT = tuple((f"{e['title']} {e['description']} {e['category']}".lower(), e["title"].lower()) for e in INDEX)


def search(q: str, limit: int = 10) -> list[dict]:
    """Entries whose title, description or category hold every word of q; title matches first."""
    words = q.lower().split()
    if not words:
        return []
    hits = []
    for e, (text, title) in zip(INDEX, _TEXT):
        if all(w in text for w in words):
            in_title = all(w in title for w in words)
            hits.append((not in_title, _TYPE_ORDER[e["type"]], e["title"], e))
    hits.sort(key=lambda h: h[:3])
    return [dict(h[3]) for h in hits[:limit]]
