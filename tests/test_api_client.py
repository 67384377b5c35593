"""The routes the seed system's web client also calls (api-contract.md), on a real demo file.

Shapes are checked with JSON schemas written here from the contract's text
(not from the app's pydantic models); values against the window's own code
paths (the executive payload, the drill-down tables, the narrative) and,
where cheap, straight SQL on the file.
"""

from __future__ import annotations

import getpass
import json
import shutil
import sqlite3
import warnings

import jsonschema_rs  # schemathesis' validator (the test extra already has it)
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from execdash_desktop import months as mo
from execdash_desktop.api.app import create_app
from execdash_desktop.engine import Engine
from execdash_desktop.packs.executive.demo import generate
from execdash_desktop.packs.executive.drilldowns import build_drilldown
from execdash_desktop.packs.executive.narrative import compose
from execdash_desktop.packs.executive.payload import resolve_window
from execdash_desktop.store import open_reader

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

RANGES = ("3m", "6m", "12m", "24m", "ytd")

# -- the contract, as JSON schema -----------------------------------------------------------
NUM = {"type": ["number", "null"]}
STR = {"type": "string"}
TIMEFRAME = {"type": "object", "required": ["range", "granularity", "start_date", "end_date"],
             "properties": {"range": STR, "granularity": STR, "start_date": STR, "end_date": STR}}


def rows(*cols: str, numeric: bool = True) -> dict:
    props = {"period": STR, **{c: NUM if numeric else STR for c in cols}}
    return {"type": "array", "items": {"type": "object", "required": ["period", *cols], "properties": props}}


def named(*cols: str) -> dict:
    return {"type": "array", "items": {"type": "object", "required": ["name", *cols],
                                       "properties": {"name": STR, **{c: NUM for c in cols}}}}


SHARE_ITEM = {"type": "object", "required": ["name", "share"],
              "properties": {"name": STR, "value": NUM, "count": {"type": ["integer", "null"]}, "share": NUM},
              "anyOf": [{"required": ["value"]}, {"required": ["count"]}]}
KPIS = {"type": "array", "items": {"type": "object", "required": ["key", "label", "value", "unit"],
                                   "properties": {"key": STR, "label": STR, "value": NUM,
                                                  "unit": {"type": ["string", "null"]}}}}
TRENDS = {
    "finance": {"revenueTrend": rows("recognized", "booked", "backlog")},
    "sales": {"pipelineTrend": rows("leads", "mql", "sql", "won"),
              "winrateTrend": rows("win_rate_pct", "sales_cycle_days"),
              "topProducts": named("revenue"), "topCustomers": named("revenue")},
    "marketing": {"visitsTrend": rows("visits"), "funnelTrend": rows("leads", "mql", "sql"),
                  "npsTrend": rows("nps"), "csatTrend": rows("csat"),
                  "breakdown": {"type": "array", "items": {**SHARE_ITEM, "required": ["name", "count", "share"]}}},
    "supply": {"leadTimeTrend": rows("lead_time_days"), "inventoryTurnsTrend": rows("turns_per_year"),
               "cogsVarianceTrend": rows("variance_pct"),
               "cogsBreakdown": {"type": "array", "items": {**SHARE_ITEM, "required": ["name", "value", "share"]}}},
    "manufacturing": {"qualityTrend": rows("doa", "defect", "warranty"), "reliabilityTrend": rows("mtbf", "mttr"),
                      "costTrend": rows("cost_per_device"),
                      "breakdown": {"type": "array", "items": {**SHARE_ITEM, "required": ["name", "count", "share"]}}},
}
KEYS = {
    "finance": (("revenue", "backlog", "gm", "arr", "payback", "book_to_bill", "coverage_months", "uptime", "nrr",
                 "forecast"), ("customer", "industry", "source")),
    "sales": (("pipeline", "win_rate", "sales_cycle", "avg_deal", "new_customers", "revenue"),
              ("customer", "industry", "source")),
    "marketing": (("visits", "leads", "mql", "sql", "nps", "csat", "conversion"), ("page", "source", "bucket")),
    "supply": (("lead_time", "inventory_turns", "cogs_variance", "cogs_total"), ("component",)),
    "manufacturing": (("uptime", "mtbf", "mttr", "doa", "defect", "warranty", "cost_per_device"),
                      ("fault_type", "device_type")),
}
KPI_DETAIL = {"type": "object", "required": ["timeframe", "metric", "unit", "series", "breakdown"],
              "properties": {"timeframe": TIMEFRAME, "metric": STR, "unit": {"type": ["string", "null"]},
                             "series": {"type": "array", "items": {"type": "object", "required": ["period"],
                                                                   "properties": {"period": STR}}},
                             "breakdown": {"type": "array", "items": SHARE_ITEM}}}
SUMMARY = {"type": "object", "required": ["source", "summary", "highlights", "cautions", "actions", "meta"],
           "properties": {"source": {"const": "heuristic"}, "summary": STR, "meta": {"type": "object"},
                          **{k: {"type": "array", "items": STR} for k in ("highlights", "cautions", "actions")}}}
USER = {"type": "object", "required": ["id", "name", "email", "avatar_url", "role", "department", "phone",
                                       "timezone", "created_at", "updated_at"],
        "properties": {"id": STR, "name": STR, "role": STR, "timezone": STR}}
SETTINGS = {"type": "object", "required": ["theme", "notifications_enabled", "email_notifications", "language",
                                           "date_format", "time_format"],
            "properties": {"theme": STR, "notifications_enabled": {"type": "boolean"},
                           "email_notifications": {"type": "boolean"}, "language": STR, "date_format": STR,
                           "time_format": STR}}
SEARCH = {"type": "array", "items": {"type": "object",
                                     "required": ["id", "title", "description", "type", "url", "category"],
                                     "properties": {"id": STR, "title": STR, "description": STR, "url": STR,
                                                    "category": STR,
                                                    "type": {"enum": ["page", "kpi", "dashboard"]}}}}


def conforms(doc, schema: dict) -> None:
    jsonschema_rs.validate(schema, doc)


def overview_schema(domain: str) -> dict:
    return {"type": "object", "required": ["timeframe", "kpis", *TRENDS[domain]],
            "properties": {"timeframe": TIMEFRAME, "kpis": KPIS, **TRENDS[domain]}}


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("client") / "demo.sqlite"
    generate(path, end="2026-10", months=30, orders=20_000, seed=11)
    return path


@pytest.fixture(scope="module")
def client(demo, tmp_path_factory):
    with TestClient(create_app(demo)) as c:
        yield c


def get(client, url: str, **params):
    r = client.get(url, params=params)
    assert r.status_code == 200, (url, params, r.text)
    return r.json()


def window(demo, range_="12m", as_of=None):
    return resolve_window(Engine().source(demo), range_, as_of)


# -- status and shape -------------------------------------------------------------------------
@pytest.mark.parametrize("domain", list(TRENDS))
@pytest.mark.parametrize("granularity", ["month", "quarter"])
def test_overview_answers_the_contract_shape(client, domain, granularity):
    doc = get(client, f"/api/{domain}/overview", granularity=granularity)
    conforms(doc, overview_schema(domain))
    assert [k["key"] for k in doc["kpis"]] == list(KEYS[domain][0])
    assert doc["timeframe"]["granularity"] == granularity
    for name in TRENDS[domain]:
        if name.endswith("Trend"):
            assert doc[name], f"{domain} {name} is empty on the demo file"
            periods = [r["period"] for r in doc[name]]
            assert periods == sorted(periods)
            assert all(("-Q" in p) == (granularity == "quarter") for p in periods)


@pytest.mark.parametrize("domain, key, by", [(d, k, b) for d, (keys, bys) in KEYS.items() for k in keys
                                             for b in (None, *bys)])
def test_every_kpi_and_breakdown_answers_the_contract_shape(client, domain, key, by):
    params = {"by": by} if by else {}
    doc = get(client, f"/api/{domain}/kpis/{key}", **params)
    conforms(doc, KPI_DETAIL)
    assert doc["metric"] == key
    assert by is None or doc["by"] == by
    if doc["series"]:
        col = doc["column"]
        assert all(set(p) <= {"period", col, "partial"} and isinstance(p[col], (int, float)) for p in doc["series"])
    assert doc["breakdown"], f"{domain}/{key} by {doc['by']}: no breakdown on the demo file"
    shares = [i["share"] for i in doc["breakdown"]]
    assert all(0 <= s <= 1 for s in shares) and sum(shares) == pytest.approx(1.0)


def test_unknown_key_and_by_are_422_naming_them(client):
    for domain, (keys, bys) in KEYS.items():
        r = client.get(f"/api/{domain}/kpis/profit")
        assert r.status_code == 422 and r.json()["detail"][0]["parameter"] == "key"
        assert r.json()["detail"][0]["choices"] == list(keys)
        r = client.get(f"/api/{domain}/kpis/{keys[0]}", params={"by": "planet"})
        assert r.status_code == 422 and r.json()["detail"][0]["parameter"] == "by"
        assert r.json()["detail"][0]["choices"] == list(bys)


def test_overview_does_not_shadow_the_drilldown_routes_nor_they_it(client):
    for path in ("/api/sales/overview", "/api/supply/overview"):
        assert client.get(path).status_code == 200
    for path in ("/api/sales/pipeline", "/api/sales/winrate", "/api/supply/lead-time", "/api/supply/cogs-breakdown"):
        doc = get(client, path)
        assert doc["metric"] == path.rsplit("/", 1)[1]
    r = client.get("/api/supply/overdrive")
    assert r.status_code == 422 and "overview" not in r.json()["detail"][0]["accepted"]


# -- values: one number, one code path -----------------------------------------------------------
@pytest.mark.parametrize("range_", RANGES)
def test_finance_page_shows_the_dashboard_numbers_for_every_range(client, demo, range_):
    for as_of in (None, "2026-03"):
        params = {"range": range_, **({"as_of": as_of} if as_of else {})}
        dash = get(client, "/api/executive-dashboard", **params)
        page = get(client, "/api/finance/overview", **params)
        assert page["timeframe"] == dash["timeframe"]
        assert {k["key"]: k["value"] for k in page["kpis"]} == {k["key"]: k["value"] for k in dash["executiveKpis"]}
        assert page["revenueTrend"] == dash["revenueTrend"]
        q_dash = get(client, "/api/executive-dashboard", granularity="quarter", **params)
        q_page = get(client, "/api/finance/overview", granularity="quarter", **params)
        assert q_page["revenueTrend"] == q_dash["revenueTrend"]
        for k in page["kpis"]:
            detail = get(client, f"/api/finance/kpis/{k['key']}", **params)
            assert detail["value"] == k["value"]
            card = get(client, f"/api/kpis/{k['key']}", **params)
            assert [(p["period"], p[k["key"]]) for p in detail["series"]] == \
                [(h["period"], h["value"]) for h in card["history"] if h["value"] is not None]


@pytest.mark.parametrize("domain", ["sales", "marketing", "supply", "manufacturing"])
@pytest.mark.parametrize("range_", RANGES)
def test_each_kpi_page_and_overview_agree(client, domain, range_):
    for granularity in ("month", "quarter"):
        page = get(client, f"/api/{domain}/overview", range=range_, granularity=granularity)
        for k in page["kpis"]:
            detail = get(client, f"/api/{domain}/kpis/{k['key']}", range=range_, granularity=granularity)
            assert (detail["value"], detail["unit"], detail["label"]) == (k["value"], k["unit"], k["label"])
            assert detail["timeframe"] == page["timeframe"]


def _table(dd, title):
    return next(t for t in dd.tables if t.title == title)


@pytest.mark.parametrize("range_, as_of", [("6m", None), ("24m", None), ("ytd", "2026-05"), ("3m", "2025-12")])
def test_series_are_the_window_drilldown_rows(client, demo, range_, as_of):
    w = window(demo, range_, as_of)
    src = Engine().source(demo)
    conn = open_reader(demo)
    try:
        ops = build_drilldown("operations/uptime", conn, src, w)
        inv = build_drilldown("supply/inventory_turns", conn, src, w)
        pipe = build_drilldown("sales/pipeline", conn, src, w)
    finally:
        conn.close()
    params = {"range": range_, **({"as_of": as_of} if as_of else {})}
    man = get(client, "/api/manufacturing/overview", **params)
    assert [(r["period"], r["mtbf"], r["mttr"]) for r in man["reliabilityTrend"]] == \
        [tuple(r) for r in _table(ops, "Reliability").rows]
    assert [(r["period"], r["doa"], r["defect"], r["warranty"]) for r in man["qualityTrend"]] == \
        [tuple(r) for r in _table(ops, "Quality").rows]
    sup = get(client, "/api/supply/overview", **params)
    assert [(r["period"], r["turns_per_year"]) for r in sup["inventoryTurnsTrend"]] == \
        [tuple(r) for r in _table(inv, "Inventory turns").rows]
    assert [(r["period"], r["lead_time_days"]) for r in sup["leadTimeTrend"]] == \
        [tuple(r) for r in _table(inv, "Supplier lead time").rows]
    assert [(c["name"], c["value"], c["share"]) for c in sup["cogsBreakdown"]] == \
        [tuple(r) for r in _table(inv, "COGS breakdown").rows]
    sales = get(client, "/api/sales/overview", **params)
    assert [(r["period"], r["win_rate_pct"], r["sales_cycle_days"]) for r in sales["winrateTrend"]] == \
        [tuple(r) for r in _table(pipe, "Win rate and sales cycle").rows]
    last_day = {}
    for day, *stages in _table(pipe, "Funnel by day").rows:
        last_day[day[:7]] = stages
    assert [(r["period"], [r["leads"], r["mql"], r["sql"], r["won"]]) for r in sales["pipelineTrend"]] == \
        sorted(last_day.items())


def test_quarters_match_the_drilldown_routes_quarters(client):
    for range_ in RANGES:
        man = get(client, "/api/manufacturing/kpis/mtbf", range=range_, granularity="quarter")
        ops = get(client, "/api/operations/reliability", range=range_, granularity="quarter")
        assert [(p["period"], p["mtbf"], p.get("partial")) for p in man["series"]] == \
            [(r["period"], r["mtbf_hours"], r["partial"]) for r in ops["rows"]]
        assert man["value"] == ops["summary"]["mtbf_hours"]


def test_counts_and_breakdowns_equal_plain_sql(client, demo):
    w = window(demo, "12m")
    lo, hi = mo.first_day(w.start), mo.first_day(w.end + 1)
    conn = sqlite3.connect(demo)
    try:
        visits = conn.execute("SELECT count(*) FROM page_visits WHERE visit_date >= ? AND visit_date < ?",
                              (lo, hi)).fetchone()[0]
        by_page = dict(conn.execute("SELECT page_name, count(*) FROM page_visits WHERE visit_date >= ? "
                                    "AND visit_date < ? GROUP BY page_name", (lo, hi)).fetchall())
        by_industry = dict(conn.execute(
            "SELECT coalesce(c.industry, '(none)'), sum(o.amount) FROM orders o LEFT JOIN customers c "
            "ON c.id = o.customer_id WHERE o.order_date >= ? AND o.order_date < ? GROUP BY 1", (lo, hi)).fetchall())
        faults = dict(conn.execute("SELECT fault_type, count(*) FROM devices WHERE fault_type IS NOT NULL "
                                   "GROUP BY fault_type").fetchall())
        new_customers = conn.execute("SELECT count(*) FROM customers WHERE created_at >= ? AND created_at < ?",
                                     (lo, hi)).fetchone()[0]
    finally:
        conn.close()
    mk = get(client, "/api/marketing/kpis/visits", by="page")
    assert mk["value"] == visits and sum(p["visits"] for p in mk["series"]) == visits
    assert {i["name"]: i["count"] for i in mk["breakdown"]} == by_page
    rev = get(client, "/api/sales/kpis/revenue", by="industry")
    assert {i["name"]: i["value"] for i in rev["breakdown"]} == pytest.approx(by_industry)
    man = get(client, "/api/manufacturing/kpis/defect", by="fault_type")
    assert {i["name"]: i["count"] for i in man["breakdown"]} == faults
    assert get(client, "/api/sales/kpis/new_customers")["value"] == new_customers


def test_a_file_without_a_domain_table_gives_nulls_and_a_note(demo, tmp_path):
    path = tmp_path / "no_visits.sqlite"
    shutil.copy(demo, path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE page_visits")
    conn.commit()
    conn.close()
    with TestClient(create_app(path)) as c:
        doc = get(c, "/api/marketing/overview")
        conforms(doc, overview_schema("marketing"))
        assert next(k for k in doc["kpis"] if k["key"] == "visits")["value"] is None
        assert doc["visitsTrend"] == [] and doc["breakdown"] == []
        assert any("page_visits" in n for n in doc["notes"])
        assert doc["funnelTrend"]  # the other tables still answer


# -- events ---------------------------------------------------------------------------------
CONTEXT_EVENTS = [
    ("switch_range_or_granularity", {"range": "12m", "granularity": "month"},
     [("granularity", None, {"granularity": "month"}), ("range", None, {"range": "12m"})]),
    ("drilldown", {"key": "revenue"}, [("key", None, {"key": "revenue"})]),
    ("alert_click", {"id": 3, "type": "ops"}, [("id", 3.0, {"id": 3}), ("type", None, {"type": "ops"})]),
    ("drilldown", {"ai_latency_ms": 840}, [("ai_latency_ms", 840.0, {"ai_latency_ms": 840})]),
    ("page_load", {"ttfb_ms": 120, "route": "/finance", "cached": True},
     [("cached", None, {"cached": True}), ("route", None, {"route": "/finance"}), ("ttfb_ms", 120.0, {"ttfb_ms": 120})]),
    ("export_csv", {"metric": "rows_exported", "v": 42}, [("rows_exported", 42.0, {"rows_exported": 42})]),
]


def test_context_keys_round_trip_into_the_seed_columns(demo, tmp_path):
    path = tmp_path / "events.sqlite"
    shutil.copy(demo, path)
    with TestClient(create_app(path)) as c:
        ids = []
        for event_type, meta, _ in CONTEXT_EVENTS:
            r = c.post("/api/events", json={"event_type": event_type, "meta": meta})
            assert r.status_code == 200, r.text
            ids.append(r.json()["id"])
    conn = sqlite3.connect(path)
    try:
        assert [c[1] for c in conn.execute("PRAGMA table_info(user_event_meta)")] == ["event_id", "metric", "v", "raw"]
        for eid, (event_type, _, expected) in zip(ids, CONTEXT_EVENTS):
            assert conn.execute("SELECT event_type FROM user_events WHERE id = ?", (eid,)).fetchone()[0] == event_type
            got = conn.execute("SELECT metric, v, raw FROM user_event_meta WHERE event_id = ? ORDER BY metric",
                               (eid,)).fetchall()
            assert [(m, v, json.loads(raw)) for m, v, raw in got] == \
                [(m, pytest.approx(v) if v is not None else None, raw) for m, v, raw in expected]
    finally:
        conn.close()


@pytest.mark.parametrize("meta", [{"ttfb_ms": "fast", "range": "12m"}, {"render_total_ms": None},
                                  {"metric": "switch_latency_ms", "v": "slow"}, {"drilldown_clicks": -1, "key": "x"}])
def test_a_timing_key_must_be_numeric_and_nothing_is_stored(demo, tmp_path, meta):
    path = tmp_path / "events.sqlite"
    shutil.copy(demo, path)
    with TestClient(create_app(path)) as c:
        r = c.post("/api/events", json={"event_type": "page_load", "meta": meta})
    assert r.status_code == 422, r.text
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM user_events").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM user_event_meta").fetchone()[0] == 0
    finally:
        conn.close()


# -- the summary ------------------------------------------------------------------------------
def test_posted_payload_is_summarised_from_that_payload(client, demo):
    other = get(client, "/api/executive-dashboard", range="3m", as_of="2026-02")
    r = client.post("/api/ai-summary", json={"data": other, "question": "What changed?", "provider": "openai"})
    assert r.status_code == 200, r.text
    doc = r.json()
    conforms(doc, SUMMARY)
    from execdash_desktop.api.routes_client import payload_anomalies

    expected = compose(other, None, payload_anomalies(other))
    assert doc["summary"] == " ".join(s.text for s in expected.section("now")) != ""
    assert doc["actions"] == [s.text for s in expected.section("action")]
    assert doc["meta"]["from"] == "payload" and doc["meta"]["question"] == "What changed?"
    assert doc["meta"]["provider"] is None  # offline: no model was called
    # a 24-month payload has history enough to judge its last months: the cautions name them
    long = get(client, "/api/executive-dashboard", range="24m")
    flagged = payload_anomalies(long)
    doc = client.post("/api/ai-summary", json={"data": long}).json()
    assert flagged and len(doc["cautions"]) == min(5, len(flagged))
    assert all(c.split(" in ")[0] in ("Recognized", "Booked", "Backlog") for c in doc["cautions"])


def test_without_a_payload_the_file_is_summarised_as_the_get_route_does(client):
    for params in ({}, {"range": "6m", "as_of": "2026-08"}):
        r = client.post("/api/ai-summary", params=params, json={})
        assert r.status_code == 200, r.text
        doc = r.json()
        conforms(doc, SUMMARY)
        sentences = get(client, "/api/ai-summary", **params)["sentences"]
        assert [s["text"] for s in doc["meta"]["sentences"]] == [s["text"] for s in sentences]
        assert doc["summary"] == " ".join(s["text"] for s in sentences if s["section"] == "now")
        assert doc["actions"] == [s["text"] for s in sentences if s["section"] == "action"]


@pytest.mark.parametrize("data", [{"executiveKpis": "all"}, {"executiveKpis": [{"value": "12"}]},
                                  {"risks": [{"overdue": 1}]}, [1, 2]])
def test_a_malformed_payload_is_422(client, data):
    r = client.post("/api/ai-summary", json={"data": data})
    assert r.status_code == 422 and r.json()["detail"][0]["parameter"].startswith("data")


def test_an_empty_payload_gives_the_shape_with_nothing_invented(client):
    doc = client.post("/api/ai-summary", json={"data": {}}).json()
    conforms(doc, SUMMARY)
    assert (doc["summary"], doc["highlights"], doc["cautions"], doc["actions"]) == ("", [], [], [])


# -- around the pages ---------------------------------------------------------------------------
def test_the_local_user_and_the_apps_settings(client, tmp_path, monkeypatch):
    me = get(client, "/api/users/me")
    conforms(me, USER)
    assert me["id"] == getpass.getuser() and me["email"] is None
    settings = get(client, "/api/users/me/settings")
    conforms(settings, SETTINGS)
    assert settings["theme"] == "system" and settings["date_format"] == "D MMM YYYY"
    # the window's settings file (QSettings' INI; tests/gui writes it with the window's own class)
    from execdash_desktop.paths import user_data_dir

    (user_data_dir() / "settings.ini").write_text("[view]\ntheme=dark\n", encoding="utf-8")
    assert get(client, "/api/users/me/settings")["theme"] == "dark"
    (user_data_dir() / "settings.ini").write_text("[view]\ntheme=plaid\n", encoding="utf-8")
    assert get(client, "/api/users/me/settings")["theme"] == "system"


def test_no_messages_and_no_meetings_but_never_404(client):
    assert get(client, "/api/messages", read="false", archived="false", limit=20) == []
    assert get(client, "/api/messages/unread-count") == {"count": 0}
    assert get(client, "/api/meetings", start_date="2026-11-01", end_date="2026-11-30") == []
    assert client.get("/api/meetings", params={"start_date": "tomorrow"}).status_code == 422


def test_search_finds_dashboards_kpis_and_drilldowns_and_their_routes_answer(client):
    hits = get(client, "/api/search", q="revenue", limit=50)
    conforms(hits, SEARCH)
    assert {h["type"] for h in hits} >= {"kpi", "page"}
    assert any(h["url"] == "/finance/kpis/revenue" for h in hits)
    assert get(client, "/api/search", q="executive")[0]["type"] == "dashboard"
    turns = get(client, "/api/search", q="inventory turns")
    assert {(h["type"], h["title"], h["url"]) for h in turns} >= {
        ("kpi", "Inventory turns", "/supply/kpis/inventory_turns"),
        ("page", "Supply \u203a Inventory turns", "/supply/kpis/inventory_turns")}
    assert get(client, "/api/search", q="zebra") == [] and get(client, "/api/search", q="") == []
    everything = [h for w in ("a", "e", "o", "u", "i") for h in get(client, "/api/search", q=w, limit=100)]
    for api in sorted({h["api"] for h in everything}):
        assert client.get(api).status_code == 200, api


def test_nullable_fields_are_documented_and_client_text_is_a_string(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for model, field in (("Risk", "due"), ("Risk", "owner"), ("Alert", "description"), ("UserMe", "email"),
                         ("DomainKpiItem", "value"), ("BreakdownShare", "share")):
        prop = schemas[model]["properties"][field]
        assert {"type": "null"} in prop.get("anyOf", []), (model, field)
        assert "null" in prop["description"], (model, field)
    for model, field in (("DomainKpiItem", "label"), ("BreakdownShare", "name"), ("SearchHit", "title"),
                         ("SummaryAnswer", "summary")):
        assert schemas[model]["properties"][field]["type"] == "string", (model, field)


def test_a_changed_file_is_not_answered_from_reads_kept_for_the_old_one(demo, tmp_path):
    path = tmp_path / "changing.sqlite"
    shutil.copy(demo, path)
    with TestClient(create_app(path)) as c:
        before = {i["name"]: i["value"] for i in get(c, "/api/sales/kpis/revenue", by="industry")["breakdown"]}
        w = window(path, "12m")
        conn = sqlite3.connect(path)
        conn.execute("UPDATE orders SET amount = amount * 2 WHERE order_date >= ? AND order_date < ?",
                     (mo.first_day(w.start), mo.first_day(w.end + 1)))
        conn.commit()
        conn.close()
        after = {i["name"]: i["value"] for i in get(c, "/api/sales/kpis/revenue", by="industry")["breakdown"]}
    assert after == pytest.approx({k: 2 * v for k, v in before.items()})


def test_cache_hits_answered_without_routing_are_the_routed_bytes(demo):
    """The middleware answers a cached plain GET of a domain page itself; same body, same ETag."""
    with TestClient(create_app(demo)) as c:
        for url in ("/api/sales/overview?range=6m", "/api/finance/kpis/gm?by=industry&granularity=quarter",
                    "/api/marketing/kpis/nps"):
            first = c.get(url)
            again = c.get(url)
            assert first.status_code == again.status_code == 200
            assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
            assert 'cache;desc="hit"' in again.headers["server-timing"]
            assert c.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        # anything unusual is routed: an unknown parameter is still a 422 naming it, after a hit
        assert c.get("/api/marketing/kpis/nps?by=page&by=bucket").status_code in (200, 422)
        r = c.get("/api/marketing/kpis/nps?by=planet")
        assert r.status_code == 422 and r.json()["detail"][0]["parameter"] == "by"


def test_a_question_with_a_lone_surrogate_is_still_answered_in_json(client):
    body = b'{"data": {}, "question": "why \\ud800?"}'
    r = client.post("/api/ai-summary", content=body, headers={"content-type": "application/json"})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        assert json.loads(r.content)["meta"]["question"] == "why \ud800?"


def test_the_middlewares_short_cut_answers_as_the_router_does(client, demo):
    """A valid event and a posted-payload summary are answered by ApiMiddleware without
    the router (the hot path); a body the router would refuse still reaches the router.
    Each pair below differs only in what makes the router take the request."""
    from execdash_desktop.api import middleware

    payload = {"data": get(client, "/api/executive-dashboard", range="24m"), "question": "Why?"}
    fast = client.post("/api/ai-summary", json=payload)
    routed = client.post("/api/ai-summary", params={"range": "12m"}, json=payload)  # a query: the router
    assert fast.status_code == routed.status_code == 200
    assert fast.json() == routed.json() and fast.json()["meta"]["from"] == "payload"
    # the short cut really answered the first one: its handler alone gives the same bytes
    import asyncio

    scope = {"query_string": b"", "headers": []}
    direct = asyncio.run(middleware.FAST_POSTS["/api/ai-summary"](None, scope, json.dumps(payload).encode()))
    assert json.loads(direct) == fast.json()

    conn = sqlite3.connect(demo)
    try:
        before = conn.execute("SELECT max(id) FROM user_events").fetchone()[0] or 0
    finally:
        conn.close()
    ok = client.post("/api/events", json={"event_type": "drilldown", "meta": {"key": "revenue", "drilldown_clicks": 2}})
    assert ok.status_code == 200 and ok.json() == {"status": "logged", "id": before + 1}
    # refused by the model (unknown type, non-numeric timing): the router's 422, nothing stored
    for bad in ({"event_type": "nope"}, {"event_type": "drilldown", "meta": {"drilldown_clicks": "two"}}):
        r = client.post("/api/events", json=bad)
        assert r.status_code == 422 and r.json()["error"] == "invalid_request", r.text
    conn = sqlite3.connect(demo)
    try:
        assert conn.execute("SELECT max(id) FROM user_events").fetchone()[0] == before + 1
        rows = conn.execute("SELECT metric, v FROM user_event_meta WHERE event_id = ? ORDER BY metric",
                            (before + 1,)).fetchall()
    finally:
        conn.close()
    assert rows == [("drilldown_clicks", 2.0), ("key", None)]
