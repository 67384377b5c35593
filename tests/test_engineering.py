"""The Engineering dashboard (engineering-pack.md): schema, messy data, rules, payload, queries.

The rules are checked against a plain-Python reading of the page (`Ref`),
on files whose values are as messy as the page allows (hypothesis).
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from execdash_desktop import dashboards as dsh
from execdash_desktop.errors import InvalidRequestError
from execdash_desktop.packs.engineering import catalogue as cat
from execdash_desktop.packs.engineering.demo import build_into, create_schema
from execdash_desktop.packs.engineering.payload import build_payload
from execdash_desktop.packs.engineering.source import load_source
from execdash_desktop.store import open_reader

ENG = dsh.get("engineering")
UTC = timezone.utc


# -- a loose file, as a snapshot of someone else's database may be ---------------------------

LOOSE = """
CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT, name TEXT, role TEXT);
CREATE TABLE projects (id TEXT PRIMARY KEY, name TEXT, status TEXT, dcf_valuation, roi_score, complexity,
  client_appeal, current_milestone, total_milestones, monthly_infra_cost);
CREATE TABLE bugs (id TEXT PRIMARY KEY, bug_number TEXT, title TEXT, severity, status, assigned_to TEXT,
  project_id TEXT, sla_hours, revenue_impact_daily, is_blocker, priority_score, actual_hours,
  created_at, updated_at, resolved_at);
CREATE TABLE portfolio_metrics (id TEXT, portfolio_dcf_total, monthly_deps_cost, snapshot_date);
"""

BASE = datetime(2026, 3, 1, tzinfo=UTC)

severity_text = st.sampled_from(["critical", "High", " medium ", "LOW", "Critical ", "urgent", "high,medium", "",
                                 None])
status_text = st.sampled_from(["pending", "In_Progress", "verified", " shipped", "CLOSED", "deferred",
                               "wontfix", "shipped,closed", None])
blocker_value = st.sampled_from([1, 0, "true", "TRUE", "t", "yes", "Yes", "no", "false", "2", None, 1.0])
money = st.one_of(st.none(), st.integers(0, 40_000), st.sampled_from(["1,500", "250.5", "abc", ""]))
offset_h = st.integers(0, 24 * 60)  # hours after BASE


def stamp(hours: int, style: int) -> str:
    """The same moment written in one of the page's forms (UTC moment BASE + hours)."""
    dt = BASE + timedelta(hours=hours)
    if style == 0:
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == 1:
        return dt.strftime("%Y-%m-%d %H:%M:%S")
    if style == 2:  # +02:00: the same moment, two hours later on the wall clock
        return (dt + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S") + "+02:00"
    if style == 3:
        return dt.strftime("%Y-%m-%d %H:%M")
    return dt.strftime("%Y-%m-%dT%H:%M:%S.250000Z")


bug_row = st.fixed_dictionaries({
    "severity": severity_text, "status": status_text, "blocker": blocker_value, "revenue": money,
    "sla": st.one_of(st.none(), st.just(0), st.integers(1, 200), st.just("48")),
    "created": st.one_of(st.none(), offset_h), "updated": st.one_of(st.none(), offset_h),
    "resolved": st.one_of(st.none(), offset_h), "style": st.integers(0, 4), "project": st.integers(-1, 2),
    "actual": st.one_of(st.none(), st.integers(0, 40), st.sampled_from(["12.5", "1,000", "n/a", ""])),
})


def write_loose(path, bugs, projects=None):
    conn = sqlite3.connect(path)
    conn.executescript(LOOSE)
    projects = projects or [("p0", "Alpha", "active", 5e6, 3.0, 4, 8, 2, 5, 1000.0),
                            ("p1", "Beta", " Shipped", "2,000,000", 2.0, 2, 5, 1, 1, "500"),
                            ("p2", "Gamma", "cancelled", 9e6, 1.0, 3, 3, None, 4, 300.0)]
    conn.executemany("INSERT INTO projects VALUES (?,?,?,?,?,?,?,?,?,?)", projects)
    conn.execute("INSERT INTO users VALUES ('u1', 'a@x', 'Ann', 'engineer')")
    rows = []
    for i, b in enumerate(bugs):
        sty = b["style"]
        ts = [None if b[k] is None else stamp(b[k], sty) for k in ("created", "updated", "resolved")]
        rows.append((f"b{i}", f"BUG-{1001 + i}", f"Bug {i} 100% broken_x", b["severity"], b["status"], "u1",
                     None if b["project"] < 0 else f"p{b['project']}", b["sla"], b["revenue"], b["blocker"], 50,
                     b["actual"], *ts))
    conn.executemany("INSERT INTO bugs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.commit()
    conn.close()


class Ref:
    """engineering-pack.md read literally, one bug at a time."""

    def __init__(self, bugs):
        self.bugs = bugs

    @staticmethod
    def moment(b, key):
        """The moment stamp() wrote: style 4 carries a quarter second (which can put a bug resolved in
        the as-of's own second after it)."""
        hours = b[key]
        return None if hours is None else (BASE + timedelta(hours=hours)).timestamp() + (0.25 if b["style"] == 4 else 0)

    @staticmethod
    def sev(b):
        v = (b["severity"] or "").strip().lower()
        return v if v in cat.SEVERITIES else None

    @staticmethod
    def status(b):
        return (b["status"] or "").strip().lower()

    @staticmethod
    def blocker(b):
        return str(b["blocker"]).strip().lower() in ("1", "true", "t", "yes", "1.0")

    @staticmethod
    def num(v):
        if v is None:
            return None
        if isinstance(v, str):
            try:
                return float(v.replace(",", "").strip())
            except ValueError:
                return None
        return float(v)

    def resolution(self, b):
        for k in ("resolved", "updated", "created"):
            if b[k] is not None:
                return self.moment(b, k)
        return None

    def is_open(self, b, t):
        created = self.moment(b, "created")
        if created is not None and created > t:
            return False
        st_ = self.status(b)
        if st_ in ("shipped", "closed"):
            r = self.resolution(b)
            return not (r is not None and r <= t)
        return st_ in ("pending", "in_progress", "verified")

    def sla(self, b):
        v = self.num(b["sla"])
        if v is not None and v > 0:
            return v
        s = self.sev(b)
        return cat.SLA_HOURS[s] if s else 0

    def breached(self, b, t):
        created = self.moment(b, "created")
        sla = self.sla(b)
        return self.is_open(b, t) and created is not None and sla > 0 and (t - created) / 3600 > sla

    def counts(self, t):
        out = {s: 0 for s in cat.SEVERITIES}
        for b in self.bugs:
            if self.is_open(b, t) and self.sev(b):
                out[self.sev(b)] += 1
        return [out[s] for s in cat.SEVERITIES]

    def blockers(self, t):
        return sum(1 for b in self.bugs if self.is_open(b, t) and self.blocker(b))

    def breaches(self, t):
        return [b for b in self.bugs if self.breached(b, t)]

    def revenue_at_risk(self, t):
        return sum(self.num(b["revenue"]) or 0.0 for b in self.breaches(t))

    def resolved_in(self, start, stop):
        """The shipped/closed bugs whose resolution moment is in [start, stop]."""
        return [b for b in self.bugs if self.status(b) in ("shipped", "closed") and self.resolution(b) is not None
                and start <= self.resolution(b) <= stop]

    def created_in(self, start, stop):
        return [b for b in self.bugs if b["created"] is not None and start <= self.moment(b, "created") <= stop]

    def risk(self, project, t):
        mine = [b for b in self.bugs if b["project"] == project and self.is_open(b, t)]
        if any(self.blocker(b) for b in mine):
            return "HIGH"
        if sum(1 for b in mine if self.sev(b) in ("critical", "high")) > 3:
            return "MEDIUM"
        return "LOW"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bugs=st.lists(bug_row, min_size=1, max_size=25), at=st.integers(0, 24 * 60))
@example(bugs=[{"severity": "critical", "status": " shipped", "blocker": 1, "revenue": None, "sla": None,
                "created": None, "updated": None, "resolved": 0, "style": 0, "project": 0, "actual": 1}],
         at=0)  # resolved at T, in its month's first second: once missing from that month's trend
def test_rules_on_messy_files_match_the_page(tmp_path_factory, bugs, at):
    path = tmp_path_factory.mktemp("messy") / "m.sqlite"
    write_loose(path, bugs)
    src = load_source(path)
    ref = Ref(bugs)
    if src.latest is None:
        with pytest.raises(InvalidRequestError):
            build_payload(src)
        return
    t = min(src.latest, max(src.first if src.first is not None else src.latest,
                            (BASE + timedelta(hours=at)).timestamp()))
    p = build_payload(src, "12m", "month", datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    kpis = {k["key"]: k for k in p["engineeringKpis"]}
    assert [kpis[k]["value"] for k in cat.KPI_KEYS[:4]] == ref.counts(t)
    assert kpis["open_blockers"]["value"] == ref.blockers(t)
    assert kpis["sla_breaches"]["value"] == len(ref.breaches(t)) == len(p["slaBreaches"])
    assert p["revenueAtRisk"] == pytest.approx(ref.revenue_at_risk(t))
    then = t - 30 * 86400
    before = ref.counts(then)
    for key, now_v, then_v in zip(cat.KPI_KEYS[:4], ref.counts(t), before):
        want = None if then_v == 0 else (now_v - then_v) / then_v
        assert kpis[key]["delta"] == pytest.approx(want) if want is not None else kpis[key]["delta"] is None
    risks = {r["name"]: r["risk_level"] for r in p["projects"]}
    assert risks == {"Alpha": ref.risk(0, t), "Beta": ref.risk(1, t), "Gamma": ref.risk(2, t)}
    overdue = [r["hours_overdue"] for r in p["slaBreaches"]]
    assert overdue == sorted(overdue, reverse=True)
    assert all(r["hours_overdue"] > 0 for r in p["slaBreaches"])
    # the numbers the scan leaves out (extras.py): each breach's revenue, the hours resolved in a month;
    # the trend's counts (a bug at exactly T in its month's first second once fell out of them)
    by_number = {f"BUG-{1001 + i}": b for i, b in enumerate(bugs)}
    for r in p["slaBreaches"]:
        assert r["revenue_impact_daily"] == pytest.approx(Ref.num(by_number[r["bug_number"]]["revenue"]) or 0.0)
    for row in p["bugTrend"]:
        start = datetime.strptime(row["period"] + "-01", "%Y-%m-%d").replace(tzinfo=UTC)
        stop = min((start + timedelta(days=32)).replace(day=1).timestamp() - 1e-6, t)
        done = ref.resolved_in(start.timestamp(), stop)
        assert row["eng_hours"] == pytest.approx(sum(Ref.num(b["actual"]) or 0.0 for b in done)), row["period"]
        assert (row["resolved"], row["created"]) == (len(done), len(ref.created_in(start.timestamp(), stop)))
    # money: cancelled projects out of the value, only active/shipped in the cost; text numbers read
    assert kpis["portfolio_value"]["value"] == pytest.approx(5e6 + 2e6)
    assert kpis["monthly_infra_cost"]["value"] == pytest.approx(1500.0)


def test_priority_score_as_pinned(tmp_path):
    bugs = [dict(severity="critical", status="pending", blocker="yes", revenue="45,000", sla=None, created=0,
                 updated=None, resolved=None, style=0, project=0, actual=None),
            dict(severity="low", status="pending", blocker=0, revenue=999, sla=None, created=24 * 3 + 5,
                 updated=None, resolved=None, style=0, project=0, actual=None),
            dict(severity="bogus", status="pending", blocker=0, revenue=None, sla=None, created=24 * 20,
                 updated=None, resolved=None, style=0, project=0, actual=None)]
    write_loose(tmp_path / "p.sqlite", bugs)
    src = load_source(tmp_path / "p.sqlite")
    from execdash_desktop.packs.engineering.rules import priority

    t = src.latest  # 20 days after the first bug
    # critical 40 + min(30, 45) + blocker 20 + min(10, 20 days) = 100 (capped); low: 5 + 0 + 0 + 16 days -> 10
    assert priority(src.bugs, t).tolist() == [100, 5 + 0 + 10, 0]


def test_as_of_forms_and_refusals(tmp_path):
    bugs = [dict(severity="high", status="pending", blocker=0, revenue=None, sla=None, created=h, updated=None,
                 resolved=None, style=0, project=0, actual=None) for h in (0, 24 * 10 + 7)]
    write_loose(tmp_path / "a.sqlite", bugs)
    src = load_source(tmp_path / "a.sqlite")
    assert build_payload(src)["asOf"] == "2026-03-11T07:00:00Z"  # the latest moment in the file
    assert build_payload(src, as_of="2026-03-05")["asOf"] == "2026-03-05T23:59:59Z"  # a date: its end
    assert build_payload(src, as_of="2026-03-05T10:00:00+02:00")["asOf"] == "2026-03-05T08:00:00Z"
    assert build_payload(src, as_of="2026-03-11")["asOf"] == "2026-03-11T07:00:00Z"  # the data's last day
    for bad in ("2026-02-28", "2026-03-12", "2026-03-11T07:00:01Z", "yesterday", "2026-13-01"):
        with pytest.raises(InvalidRequestError, match="as_of"):
            build_payload(src, as_of=bad)


def test_trend_from_monthly_metrics_or_bugs_and_quarters_weighted(tmp_path):
    bugs = []
    for h, res, sev in ((0, 48, "high"), (24 * 3, 24 * 5, "low"), (24 * 35, 24 * 36, "low"), (24 * 40, None, "low")):
        bugs.append(dict(severity=sev, status="closed" if res else "pending", blocker=0, revenue=None, sla=None,
                         created=h, updated=None, resolved=res, style=0, project=0, actual=4))
    f = tmp_path / "t.sqlite"
    write_loose(f, bugs)
    conn = sqlite3.connect(f)
    conn.execute("CREATE TABLE monthly_metrics (month TEXT, bugs_created, bugs_resolved, avg_resolution_days, "
                 "eng_hours, total_cost)")
    conn.execute("INSERT INTO monthly_metrics VALUES ('2026-02', 7, 3, 10.0, 100, 15000)")
    conn.commit()
    conn.close()
    p = build_payload(load_source(f), "3m", "month")
    rows = {r["period"]: r for r in p["bugTrend"]}
    assert rows["2026-02"]["source"] == "monthly_metrics" and rows["2026-02"]["created"] == 7
    march = rows["2026-03"]
    assert march["source"] == "bugs" and march["created"] == 2 and march["resolved"] == 2
    assert march["avg_resolution_days"] == pytest.approx(2.0)  # (2 + 2) / 2
    assert march["eng_hours"] == 8 and march["cost"] == 8 * 150
    q = build_payload(load_source(f), "3m", "quarter")["bugTrend"]
    q1 = q[0]
    assert q1["period"] == "2026-Q1" and q1["created"] == 9 and q1["resolved"] == 5
    assert q1["avg_resolution_days"] == pytest.approx((10.0 * 3 + 2.0 * 2) / 5)
    assert ENG.rebucket(p, "quarter")["bugTrend"] == q


def test_payload_has_the_page_shape(eng_demo):
    src = load_source(eng_demo)
    p = build_payload(src)
    assert list(p)[:8] == ["pack", "asOf", "engineeringKpis", "revenueAtRisk", "slaBreaches", "bugTrend",
                           "projects", "timeframe"]
    assert [k["key"] for k in p["engineeringKpis"]] == list(cat.KPI_KEYS)
    assert all(set(k) == {"key", "label", "value", "unit", "delta", "direction"} for k in p["engineeringKpis"])
    assert set(p["slaBreaches"][0]) == {"bug_number", "title", "severity", "project", "assignee", "hours_open",
                                        "sla_hours", "hours_overdue", "revenue_impact_daily"}
    assert set(p["bugTrend"][0]) == {"period", "created", "resolved", "avg_resolution_days", "eng_hours", "cost",
                                     "source"}
    assert set(p["projects"][0]) == {"name", "status", "risk_level", "blocker_count", "critical_count",
                                     "high_count", "dcf_valuation", "roi_score", "complexity", "client_appeal",
                                     "estimated_days_to_completion"}
    tf = p["timeframe"]
    assert tf["as_of"] == p["asOf"] and tf["start_date"].endswith("-01") and tf["end_date"] == "2026-10-31"
    order = [(cat.RISK_ORDER[r["risk_level"]], -(r["dcf_valuation"] or 0)) for r in p["projects"]]
    assert order == sorted(order)


# -- the demo ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def eng_demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("eng") / "eng.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    build_into(conn, end="2026-10", bugs=5000, seed=7)
    conn.close()
    return path


def _digest(path) -> str:
    conn = sqlite3.connect(path)
    h = hashlib.sha256()
    for t in cat.TABLES:
        for row in conn.execute(f"SELECT * FROM {t} ORDER BY rowid"):
            h.update(repr(row).encode())
    conn.close()
    return h.hexdigest()


def test_demo_is_deterministic_and_tells_its_stories(eng_demo, tmp_path):
    again = tmp_path / "again.sqlite"
    conn = sqlite3.connect(again, isolation_level=None)
    build_into(conn, end="2026-10", bugs=5000, seed=7)
    conn.close()
    assert _digest(again) == _digest(eng_demo)
    conn = open_reader(eng_demo)
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in cat.TABLES}
    assert counts["bugs"] == 5000 and counts["projects"] == 12 and counts["users"] == 40
    assert counts["monthly_metrics"] == 23 and counts["portfolio_metrics"] == 24
    assert counts["bug_history"] > 5000 and counts["audit_log"] > 0 and counts["import_logs"] == 24
    # the triggers wrote the history and resolved_at; nothing carries the clock's time
    assert conn.execute("SELECT count(*) FROM bug_history WHERE field_changed = 'status'").fetchone()[0] > 4000
    assert conn.execute("SELECT max(updated_at) FROM bugs").fetchone()[0] <= "2026-10-31T23:59:59Z"
    assert conn.execute("SELECT count(*) FROM bugs WHERE status IN ('shipped', 'closed') "
                        "AND resolved_at IS NULL").fetchone()[0] == 0
    conn.close()
    p = build_payload(load_source(eng_demo), "12m")
    high = [r["name"] for r in p["projects"] if r["risk_level"] == "HIGH"]
    assert high == ["Atlas Payments"]
    crit = [h["value"] for h in p["meta"]["history"]["open_critical"]]
    peak = max(crit)
    assert crit.index(peak) < len(crit) - 3 and peak >= 3 * max(1, crit[-1])  # built up, then burned down


def test_schema_constraints_and_triggers():
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    create_schema(conn)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(cat.TABLES) <= names
    cols = {r[1] for r in conn.execute("PRAGMA table_info(bugs)")}
    assert {"bug_number", "assigned_to", "project_id", "sla_hours", "business_impact", "revenue_impact_daily",
            "is_blocker", "priority_score", "estimated_hours", "actual_hours", "created_at", "updated_at",
            "resolved_at", "created_by"} <= cols
    conn.execute("INSERT INTO users (id, email, name) VALUES ('u', 'u@x', 'U')")
    conn.execute("INSERT INTO projects (id, name) VALUES ('p', 'P')")
    conn.execute("INSERT INTO bugs (id, bug_number, title, severity, project_id, created_at, updated_at) "
                 "VALUES ('b', 'BUG-1', 't', 'high', 'p', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
    assert conn.execute("SELECT sla_hours, status, priority_score FROM bugs").fetchone() == (24, "pending", 50)
    conn.execute("UPDATE bugs SET severity = 'critical', updated_at = '2026-01-02T00:00:00Z'")
    assert conn.execute("SELECT sla_hours FROM bugs").fetchone()[0] == 4
    conn.execute("UPDATE bugs SET status = 'shipped', updated_at = '2026-01-03T00:00:00Z'")
    conn.execute("UPDATE bugs SET assigned_to = 'u', updated_at = '2026-01-04T00:00:00Z'")
    hist = conn.execute("SELECT field_changed, old_value, new_value, changed_at FROM bug_history "
                        "ORDER BY changed_at").fetchall()
    assert hist == [("severity", "high", "critical", "2026-01-02T00:00:00Z"),
                    ("status", "pending", "shipped", "2026-01-03T00:00:00Z"),
                    ("assigned_to", None, "u", "2026-01-04T00:00:00Z")]
    assert conn.execute("SELECT resolved_at FROM bugs").fetchone()[0] == "2026-01-03T00:00:00Z"
    conn.execute("UPDATE bugs SET title = 'new title'")  # no updated_at given: the trigger sets it
    assert conn.execute("SELECT updated_at FROM bugs").fetchone()[0] > "2026-01-04"
    for bad in ("UPDATE projects SET complexity = 6", "UPDATE projects SET client_appeal = 11",
                "UPDATE bugs SET priority_score = 101", "UPDATE bugs SET severity = 'urgent'",
                "INSERT INTO bugs (id, bug_number, title, severity) VALUES ('c', 'BUG-1', 't', 'low')",
                "INSERT INTO project_metrics (id, project_id, date, health_score) VALUES ('m', 'p', '2026', 101)"):
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(bad)
    conn.execute("DELETE FROM projects")  # SET NULL on the bug, CASCADE on its metrics
    assert conn.execute("SELECT project_id FROM bugs").fetchone()[0] is None
    conn.execute("DELETE FROM bugs")
    assert conn.execute("SELECT count(*) FROM bug_history").fetchone()[0] == 0
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"idx_bugs_severity", "idx_bugs_status", "idx_bugs_blocker", "idx_bugs_priority_score",
            "idx_audit_log_entity"} <= indexes


# -- the panels' queries ----------------------------------------------------------------------

def test_bug_table_pages_filters_and_order(eng_demo):
    src = load_source(eng_demo)
    p = build_payload(src)
    conn = open_reader(eng_demo)
    q = ENG.panel("bug_table").query(conn, src, p)
    assert q.count(conn, {}) == 5000
    first = q.page(conn, {}, 0, 50)
    assert first.total == 5000 and len(first.rows) == 50 and first.columns[0] == "Bug"
    pr = [r[6] for r in first.rows]
    assert pr == sorted(pr, reverse=True)
    crit = q.page(conn, {"severity": "critical"}, 0, 1000)
    assert crit.total == conn.execute("SELECT count(*) FROM bugs WHERE severity = 'critical'").fetchone()[0]
    assert {r[2] for r in crit.rows} == {"critical"}
    both = q.page(conn, {"severity": "high", "project": "Atlas Payments", "status": "closed"}, 0, 5000)
    assert both.rows and all(r[2] == "high" and r[4] == "Atlas Payments" and r[3] == "closed" for r in both.rows)
    word = q.page(conn, {"search": "Checkout"}, 0, 10)
    assert word.total > 0 and all("checkout" in r[1].lower() for r in word.rows)
    assert q.count(conn, {"search": "100%"}) == 0  # % is a character, not a wildcard
    last = q.page(conn, {}, 4990, 50)
    assert len(last.rows) == 10 and last.offset == 4990
    assert set(q.choices(conn)["severity"]) == set(cat.SEVERITIES)
    conn.close()


def test_panels_and_drilldowns_render_from_the_declaration(eng_demo):
    src = load_source(eng_demo)
    p = build_payload(src)
    conn = open_reader(eng_demo)
    mix = ENG.panel("severity_mix").query(conn, src, p)
    assert [m["open"] for m in mix] == [k["value"] for k in p["engineeringKpis"][:4]]
    bubbles = ENG.panel("portfolio_bubbles").query(conn, src, p)
    assert len(bubbles) == 12 and all(b["size"] > 0 for b in bubbles)
    audit = ENG.panel("audit_log").query(conn, src, p)
    assert audit and audit == sorted(audit, key=lambda r: r["created_at"], reverse=True)
    assert ENG.panel("top_risks").query(conn, src, p)[0]["name"] == "Atlas Payments"
    for entry in ENG.drilldowns:
        dd = ENG.drilldown(entry.key, conn, src, p)
        assert dd.title == entry.title and dd.tables
    # money as the page says it: "£43.6k a day", not a bare "43,599 a day"
    breaches = ENG.drilldown("sla/breaches", conn, src, p)
    assert any(n.startswith(f"Revenue at risk: {p['meta']['currency']}") for n in breaches.notes)
    s = ENG.summary(conn, src, p)
    assert s.section("now") and s.section("action")
    assert any("Atlas Payments" in x.text for x in s.sentences)
    for sentence in s.sentences:
        for figure in sentence.figures:
            assert figure in sentence.text
    conn.close()


def test_a_file_without_bugs_is_named_and_others_are_notes(tmp_path):
    f = tmp_path / "x.sqlite"
    sqlite3.connect(f).execute("CREATE TABLE projects (id TEXT)").connection.commit()
    from execdash_desktop.errors import MissingTablesError

    with pytest.raises(MissingTablesError, match="bugs"):
        load_source(f)
    bugs = [dict(severity="high", status="pending", blocker=0, revenue=None, sla=None, created=0, updated=None,
                 resolved=None, style=0, project=-1, actual=None)]
    g = tmp_path / "only_bugs.sqlite"
    conn = sqlite3.connect(g)
    conn.execute("CREATE TABLE bugs (id, bug_number, title, severity, status, assigned_to, project_id, sla_hours, "
                 "revenue_impact_daily, is_blocker, actual_hours, created_at, updated_at, resolved_at)")
    b = bugs[0]
    conn.execute("INSERT INTO bugs VALUES ('b', 'BUG-1', 't', ?, ?, NULL, NULL, NULL, NULL, 0, NULL, ?, NULL, NULL)",
                 (b["severity"], b["status"], stamp(0, 0)))
    conn.commit()
    conn.close()
    p = build_payload(load_source(g))
    kpis = {k["key"]: k["value"] for k in p["engineeringKpis"]}
    assert kpis["open_high"] == 1 and kpis["portfolio_value"] is None and p["projects"] == []
    assert math.isclose(p["revenueAtRisk"], 0.0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bugs=st.lists(bug_row, min_size=1, max_size=25), lo=st.integers(0, 24 * 60), span=st.integers(0, 24 * 60))
def test_the_bugs_that_may_be_open_count_as_all_of_them(tmp_path_factory, bugs, lo, span):
    """The month-end sparklines count on rules.may_be_open's subset: the same numbers as on every bug."""
    from execdash_desktop.packs.engineering import rules

    path = tmp_path_factory.mktemp("subset") / "m.sqlite"
    write_loose(path, bugs)
    b = load_source(path).bugs
    start = (BASE + timedelta(hours=lo)).timestamp()
    end = start + span * 3600
    sub = rules.may_be_open(b, start, end)
    for at in (start, (start + end) / 2, end):
        full_counts, full_blockers, full_open = rules.counts_at(b, at)
        counts, blockers, op = rules.counts_at(sub, at)
        assert (counts, blockers) == (full_counts, full_blockers)
        assert int(rules.breached_at(sub, at, op).sum()) == int(rules.breached_at(b, at, full_open).sum())


def test_a_table_read_in_parallel_chunks_equals_one_read(eng_demo, monkeypatch):
    """Two readers, each finishing its own chunks (bug_sql.ChunkReader), give the arrays of one plain read."""
    from execdash_desktop.packs.engineering import bug_sql

    whole = load_source(eng_demo).bugs
    monkeypatch.setattr(bug_sql, "CHUNK", 300)  # 5,000 bugs in 17 chunks: the two-reader path
    chunked = load_source(eng_demo).bugs
    for name in ("created", "resolution", "sev", "status", "status_word", "blocker", "sla", "revenue", "project",
                 "actual_hours", "rowid"):
        a, b = getattr(whole, name), getattr(chunked, name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), name


def test_chunks_with_missing_rows_read_the_rows_there_are(eng_demo, tmp_path, monkeypatch):
    """Deleted bugs leave holes in the rowids: a chunk whose count is not its range's width reads its
    rowids; every column still belongs to its own row."""
    import shutil

    from execdash_desktop.packs.engineering import bug_sql

    path = tmp_path / "holes.sqlite"
    shutil.copy(eng_demo, path)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM bugs WHERE rowid BETWEEN 1000 AND 1200 OR rowid % 97 = 0")
        want = [r[0] for r in conn.execute("SELECT rowid FROM bugs ORDER BY rowid")]
    whole = load_source(path).bugs
    monkeypatch.setattr(bug_sql, "CHUNK", 300)
    chunked = load_source(path).bugs
    assert whole.rowid.tolist() == want == chunked.rowid.tolist()
    for name in ("created", "resolution", "sev", "status", "sla", "revenue", "project"):
        assert getattr(whole, name).tobytes() == getattr(chunked, name).tobytes(), name


def test_the_scan_starts_without_numpy():
    """load.py and bug_sql.py start the second reader before numpy is imported (a cold process reads
    while it imports): neither may import numpy, even indirectly."""
    import subprocess
    import sys

    code = ("import sys; import execdash_desktop.packs.engineering.load, execdash_desktop.packs.engineering.bug_sql; "
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bugs=st.lists(bug_row, min_size=1, max_size=25), sev=st.sampled_from(cat.SEVERITIES),
       status=st.sampled_from(cat.STATUSES))
def test_the_bug_tables_severity_and_status_filters_read_as_sql_does(tmp_path_factory, bugs, sev, status):
    """The filters answered from the load's arrays (no table scan) pick the rows lower(trim()) picks."""
    path = tmp_path_factory.mktemp("filters") / "m.sqlite"
    write_loose(path, bugs)
    src = load_source(path)
    if src.latest is None:
        return
    conn = open_reader(path)
    q = ENG.panel("bug_table").query(conn, src, build_payload(src))
    for filters, where in (({"severity": sev}, "lower(trim(severity)) = :sev"),
                           ({"status": status}, "lower(trim(status)) = :status"),
                           ({"severity": sev, "status": status},
                            "lower(trim(severity)) = :sev AND lower(trim(status)) = :status")):
        want = conn.execute(f"SELECT count(*) FROM bugs WHERE {where}", {"sev": sev, "status": status}).fetchone()[0]
        assert q.count(conn, filters) == want, filters
        page = q.page(conn, filters, 0, 100)
        assert {r[0] for r in page.rows} == {r[0] for r in conn.execute(
            f"SELECT bug_number FROM bugs WHERE {where}", {"sev": sev, "status": status})}
    conn.close()


def test_the_likely_first_orders_hold_every_name_once():
    """bug_sql tries the common severities and statuses first; the lists must still hold every name."""
    from execdash_desktop.packs.engineering import bug_sql

    assert sorted(bug_sql.SEV_LIKELY) == sorted(cat.SEVERITIES)
    assert sorted(bug_sql.STATUS_LIKELY) == sorted(cat.STATUSES)


def test_breach_texts_read_ahead_are_those_read_in_place(eng_demo, monkeypatch):
    """The default as-of's breach texts are read on a thread of their own while the numbers are worked
    out; the payload shows the texts a plain read gives, and reads them itself if that thread failed."""
    from execdash_desktop.packs.engineering import rules, texts

    src = load_source(eng_demo)
    f = rules.facts(src, src.latest)
    assert len(f.breached)
    with open_reader(eng_demo) as conn:
        want = texts.read_texts(conn, [int(r) for r in src.bugs.rowid[f.breached]])
    assert texts.breach_texts(src, src.latest, f) == want
    rows = build_payload(src)["slaBreaches"]
    assert {r["bug_number"] for r in rows} == {w["bug_number"] for w in want.values()}

    real = texts._read_breached
    calls = []

    def fail_once(*args):
        calls.append(args)
        if len(calls) == 1:
            raise sqlite3.OperationalError("disk I/O error")
        return real(*args)

    monkeypatch.setattr(texts, "_read_breached", fail_once)
    src = load_source(eng_demo)
    assert texts.breach_texts(src, src.latest, rules.facts(src, src.latest)) == want
    assert len(calls) == 2  # the thread's failed read, then breach_texts' own
