"""The Executive dashboard's catalogue: its cards and drill-downs, no I/O.

Light on purpose: the registry imports it to list the dashboard, so it reads
no file and imports none of the pack's query modules.
"""

from __future__ import annotations

from ...dashboards.spec import DrilldownEntry, KpiCard

DRILLDOWNS: dict[str, str] = {
    "operations/uptime": "Operations \u203a Uptime",
    "sales/pipeline": "Sales \u203a Pipeline",
    "sales/revenue": "Sales \u203a Revenue",
    "supply/inventory_turns": "Supply \u203a Inventory turns",
    "supply": "Supply \u203a Backlog",
    "finance/revenue": "Finance \u203a Revenue",
    "finance/nrr": "Finance \u203a NRR",
    "finance/gm": "Finance \u203a Gross margin",
    "finance/payback": "Finance \u203a CAC payback",
    "finance/arr": "Finance \u203a ARR",
    "customers": "Customers",
    "telemetry": "Telemetry",
}

# seed 002 section 6: which drill-down each card opens
CARD_DRILLDOWN: dict[str, str] = {
    "uptime": "operations/uptime",
    "book_to_bill": "sales/pipeline",
    "forecast": "sales/revenue",
    "coverage_months": "supply/inventory_turns",
    "backlog": "supply",
    "revenue": "finance/revenue",
    "nrr": "finance/nrr",
    "gm": "finance/gm",
    "payback": "finance/payback",
    "arr": "finance/arr",
}

# Five drill-downs a board asks about: money in, backlog, retention, service, pipeline.
BOARD_PACK_DRILLDOWNS: tuple[str, ...] = ("finance/revenue", "supply", "finance/nrr", "operations/uptime",
                                          "sales/pipeline")

# In card order (kpi-definitions.md); the first six on the top row.
_CARDS = (("revenue", "Revenue", "currency", "up", None), ("backlog", "Backlog", "currency", "up", None),
          ("uptime", "Uptime", "ratio", "up", None), ("nrr", "NRR", "ratio", "up", None),
          ("gm", "Gross margin", "ratio", "up", None), ("payback", "CAC payback", "months", "down", "mo"),
          ("book_to_bill", "Book-to-bill", "multiple", "up", None),
          ("coverage_months", "Coverage", "months", "up", "mo"), ("arr", "ARR", "currency", "up", None),
          ("forecast", "Forecast", "currency", "up", None))
KPI_CARDS: tuple[KpiCard, ...] = tuple(
    KpiCard(key, label, fmt, better, "card" if i < 6 else "highlight", CARD_DRILLDOWN.get(key), unit)
    for i, (key, label, fmt, better, unit) in enumerate(_CARDS))
DRILLDOWN_ENTRIES: tuple[DrilldownEntry, ...] = tuple(DrilldownEntry(k, t) for k, t in DRILLDOWNS.items())
