"""Deterministic Engineering demo data (seed 003's tables), written into an open file.

`build_into(conn, seed=7, end="2026-10", bugs=5000)` adds the nine tables
(engineering_schema.sql) with two years of bugs ending at the end of month
`end`. The same arguments give the same rows: nothing reads the clock, every
moment derives from `end`, every random draw from `seed`.

Bugs are inserted as `pending` and moved through their lifecycle by UPDATEs
that carry their own `updated_at`, so `bug_history` rows and `resolved_at`
are written by the schema's triggers, as in the seed's system.

The stories the data tells (tests rely on them):
- a critical backlog builds up: criticals created 8 to 5 months before `end`
  wait for a push that burns them down from 4 months before `end`;
- one project, "Atlas Payments", holds the only open blockers at the end, so
  it is the one HIGH-risk project; its blockers breach their SLA and carry
  the largest revenue impact;
- 12 projects (8 active, 2 shipped, 1 deferred, 1 cancelled), 40 users,
  monthly_metrics for every month but the last (which is derived from the
  bugs), monthly portfolio snapshots, GitHub imports and an audit log.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from importlib import resources

import numpy as np

from ...errors import DataFileError
from ...moments import DAY, HOUR
from . import catalogue as cat

SCHEMA = "engineering_schema.sql"
MONTHS = 24
HIGH_RISK_PROJECT = "Atlas Payments"
_CACHE_KIB_MAX = 600_000  # while writing: half a KiB per bug, at most this

_PROJECTS = (  # name, language, status, complexity, appeal, dcf (M), roi, milestones (cur, total), infra/mo
    ("Atlas Payments", "TypeScript", "active", 5, 9, 14.0, 4.2, (5, 9), 18500),
    ("Beacon Analytics", "Python", "active", 4, 8, 9.5, 3.6, (6, 8), 9200),
    ("Cobalt Mobile", "Kotlin", "active", 3, 7, 6.8, 2.9, (3, 7), 5400),
    ("Delta Search", "Rust", "active", 4, 6, 5.1, 2.4, (2, 6), 7100),
    ("Echo Support", "TypeScript", "shipped", 2, 7, 4.4, 3.1, (6, 6), 3900),
    ("Fable CMS", "PHP", "active", 2, 5, 2.2, 1.6, (4, 5), 2100),
    ("Garnet Billing", "Go", "active", 3, 8, 7.7, 3.3, (3, 6), 6300),
    ("Harbor Infra", "Go", "shipped", 4, 4, 3.0, 1.8, (8, 8), 11800),
    ("Iris Vision", "Python", "active", 5, 9, 11.2, 2.1, (1, 10), 14200),
    ("Juno Forms", "TypeScript", "deferred", 1, 3, 0.9, 0.8, (2, 5), 600),
    ("Kestrel Ads", "Java", "cancelled", 3, 2, 1.5, 0.5, (1, 6), 0),
    ("Lumen Docs", "Python", "active", 1, 6, 1.8, 2.7, (3, 4), 900),
)
_FIRST = ("Ava", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack", "Kai", "Lena", "Milo",
          "Nina", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tara")
_LAST = ("Adams", "Brown", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Iyer", "Jones")
_AREAS = ("checkout", "login", "search", "export", "dashboard", "sync", "billing", "upload", "notifications",
          "settings", "API", "reports", "onboarding", "permissions", "webhooks")
_FAULTS = ("times out", "returns a 500", "shows stale data", "crashes on empty input", "double-charges",
           "loses the draft", "is slow on large accounts", "ignores the locale", "drops events",
           "mislabels totals", "leaks memory", "fails after the upgrade")
# median hours to resolve, by severity
_MEDIAN_HOURS = {"critical": 5.0, "high": 30.0, "medium": 80.0, "low": 260.0}


def schema_sql() -> str:
    return resources.files("execdash_desktop.data").joinpath(SCHEMA).read_text("utf-8")


def create_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(schema_sql())


def _iso(epoch: np.ndarray) -> list[str]:
    return [s + "Z" for s in np.datetime_as_string(epoch.astype("datetime64[s]"), unit="s")]


def _epoch(year: int, month: int) -> float:
    return datetime(year, month, 1, tzinfo=timezone.utc).timestamp()


def _month_start(idx: int) -> float:
    return _epoch(idx // 12, idx % 12 + 1)


def _ids(rng: np.random.Generator, n: int) -> list[str]:
    hi = rng.integers(0, 2**63, n, dtype=np.int64)
    lo = rng.integers(0, 2**63, n, dtype=np.int64)
    return [f"{a:016x}{b:016x}"[:8] + "-" + f"{a:016x}"[8:12] + "-4" + f"{a:016x}"[13:16] + "-a"
            + f"{b:016x}"[1:4] + "-" + f"{b:016x}"[4:16] for a, b in zip(hi.tolist(), lo.tolist())]


def build_into(conn: sqlite3.Connection, *, seed: int = 7, end: str | None = None, bugs: int = 5000,
               progress=None) -> dict:
    """Add the Engineering tables to an open file; returns the facts written."""
    if end is None:
        today = datetime.now(timezone.utc)
        end = f"{today.year - (today.month == 1):04d}-{(today.month - 2) % 12 + 1:02d}"
    try:
        y, m = (int(p) for p in end.split("-"))
        assert 1 <= m <= 12 and 1900 < y < 9999
    except (ValueError, AssertionError):
        raise DataFileError(f"invalid end {end!r}: expected a month as YYYY-MM") from None
    if not isinstance(bugs, int) or isinstance(bugs, bool) or not 100 <= bugs <= 5_000_000:
        raise DataFileError(f"invalid bugs {bugs!r}: expected an integer from 100 to 5,000,000")
    report = progress or (lambda f, msg: None)
    end_idx = y * 12 + m - 1
    t_end = _month_start(end_idx + 1) - 18 * 60 - 17  # 23:41:43 on the last day
    t0 = _month_start(end_idx - MONTHS + 1)
    rng = np.random.default_rng([seed, 3])
    create_schema(conn)
    # A page cache that holds the indexes being written: their keys are random (UUIDs), so with the
    # default 2 MB every few rows evict a page and, inside the one transaction, spill it to the file
    # (a million bugs took half an hour). The same rows, in the same order.
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size={-min(_CACHE_KIB_MAX, max(2000, bugs // 2))}")
    try:
        return _build(conn, rng, bugs, end, end_idx, t0, t_end, report)
    finally:
        conn.execute(f"PRAGMA cache_size={int(cache)}")


def _build(conn, rng, bugs, end, end_idx, t0, t_end, report) -> dict:
    conn.execute("BEGIN")
    users = _users(conn, rng, t0)
    projects = _projects(conn, rng, t0)
    report(0.05, "bugs")
    facts = _bugs(conn, rng, bugs, users, projects, t0, t_end, end_idx, report)
    report(0.85, "snapshots")
    _monthly_metrics(conn, end_idx)
    _portfolio(conn, rng, end_idx, projects)
    _project_metrics(conn, rng, end_idx, projects)
    _imports_and_audit(conn, rng, end_idx, users)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    return {"bugs": bugs, "projects": len(projects), "users": len(users), "end": end, **facts,
            "summary": f"{bugs:,} bugs over {MONTHS} months to {end}"}


def _users(conn, rng, t0) -> list[str]:
    ids = _ids(rng, 40)
    roles = ["cto", "manager", "manager"] + ["senior_engineer"] * 10 + ["qa_engineer"] * 5 + ["engineer"] * 22
    rows = []
    for i, uid in enumerate(ids):
        first, last = _FIRST[i % len(_FIRST)], _LAST[(i * 7) % len(_LAST)]
        when = _iso(np.array([t0 - 90 * DAY + i * DAY]))[0]
        rows.append((uid, f"{first.lower()}.{last.lower()}{i}@example.com", f"{first} {last}", roles[i], when, when))
    conn.executemany("INSERT INTO users (id, email, name, role, created_at, updated_at) VALUES (?,?,?,?,?,?)", rows)
    return ids


def _projects(conn, rng, t0) -> list[str]:
    ids = _ids(rng, len(_PROJECTS))
    when = _iso(np.array([t0 - 120 * DAY]))[0]
    rows = []
    for pid, (name, lang, status, cx, appeal, dcf, roi, (cur, tot), infra) in zip(ids, _PROJECTS):
        slug = name.lower().replace(" ", "-")
        arr = round(dcf * 1e6 * 0.18, -3)
        rows.append((pid, name, f"{name}: a product line of the portfolio", f"https://github.com/example/{slug}",
                     f"https://{slug}.example.com", lang, json.dumps([lang.lower(), "saas"]),
                     int(rng.integers(20, 4000)), int(rng.integers(2, 400)), when, status, cx, appeal, cur, tot,
                     arr, arr * 1.1, arr * 2.6, roi, dcf * 1e6, dcf * 1e7, dcf * 3e6, dcf * 4e5, arr / 12,
                     float(rng.integers(55, 85)), float(infra) if infra else None, when, when))
    conn.executemany(
        "INSERT INTO projects (id, name, description, github_url, demo_url, language, tags, stars, forks, "
        "last_commit, status, complexity, client_appeal, current_milestone, total_milestones, arr, "
        "year1_revenue, year3_revenue, roi_score, dcf_valuation, tam, sam, som_year3, traction_mrr, "
        "margin_percent, monthly_infra_cost, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    return ids


def _bugs(conn, rng, n, users, projects, t0, t_end, end_idx, report) -> dict:
    span = t_end - t0
    # creation: a slow rise in volume over the two years
    created = t0 + span * np.sqrt(rng.random(n))
    created.sort()
    sev = rng.choice(4, n, p=[0.05, 0.2, 0.4, 0.35])
    medians = np.array([_MEDIAN_HOURS[s] for s in cat.SEVERITIES])[sev]
    resolve = created + medians * HOUR * rng.lognormal(0.0, 0.9, n)
    # story 1: criticals created 8..5 months before the end wait for the push 4 months before it
    build_lo, build_hi = _month_start(end_idx - 7), _month_start(end_idx - 3)
    burn = _month_start(end_idx - 3)
    backlog = (sev == 0) & (created >= build_lo) & (created < build_hi)
    resolve[backlog] = np.maximum(resolve[backlog], burn + rng.random(backlog.sum()) * 50 * DAY)
    project = rng.choice(len(projects), n, p=_weights(len(projects)))
    deferred = rng.random(n) < 0.03
    blocker = rng.random(n) < np.array([0.35, 0.12, 0.03, 0.0])[sev]
    revenue = np.round(rng.lognormal(6.0, 1.3, n) * np.array([6.0, 2.5, 0.8, 0.2])[sev], 0)
    revenue[rng.random(n) < 0.3] = np.nan
    # story 2: the only open blockers at the end are Atlas Payments' (three fresh criticals)
    still_open = resolve > t_end
    blocker[still_open & (project != 0)] = False
    recent = np.flatnonzero((created > t_end - 9 * DAY) & (project == 0))[:3]
    for i in recent:
        sev[i], blocker[i], resolve[i], deferred[i] = 0, True, np.inf, False
        revenue[i] = 9000.0 + 4000.0 * float(np.where(recent == i)[0][0])
    estimated = np.round(medians * rng.uniform(0.4, 1.2, n) / 2, 1)
    actual = np.round(estimated * rng.lognormal(0.0, 0.35, n), 1)
    assignee = rng.integers(3, len(users), n)
    creator = rng.integers(0, len(users), n)
    ids = _ids(rng, n)
    c_iso = _iso(created)
    titles = [f"{_AREAS[a].capitalize()} {_FAULTS[f]}" for a, f in
              zip(rng.integers(0, len(_AREAS), n).tolist(), rng.integers(0, len(_FAULTS), n).tolist())]
    impacts = np.array(["Blocks customers from paying", "Degrades a core workflow", "Annoys users",
                        "Cosmetic"])[sev]
    rows = ((ids[i], f"BUG-{1001 + i}", titles[i], f"Reported on {c_iso[i][:10]}.", cat.SEVERITIES[sev[i]],
             users[assignee[i]], projects[project[i]], impacts[i],
             None if np.isnan(revenue[i]) else float(revenue[i]), int(blocker[i]),
             float(estimated[i]), float(actual[i]) if resolve[i] <= t_end else None,
             c_iso[i], c_iso[i], users[creator[i]]) for i in range(n))
    conn.executemany(
        "INSERT INTO bugs (id, bug_number, title, description, severity, assigned_to, project_id, "
        "business_impact, revenue_impact_daily, is_blocker, estimated_hours, actual_hours, created_at, "
        "updated_at, created_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    report(0.4, "bug lifecycle")
    # the lifecycle, through the triggers: in progress, then verified / shipped / closed
    # every UPDATE carries a moment after the row's previous one and before the end (the
    # updated_at trigger would otherwise stamp the clock's time)
    finite = np.where(np.isfinite(resolve), resolve, t_end + 30 * DAY)
    started = created + (finite - created) * rng.uniform(0.1, 0.5, n)
    picked = np.minimum(created + 60 + 2 * HOUR * rng.random(n), t_end - 1)
    begun = (started < t_end - 2) & ~deferred & (rng.random(n) < 0.85)
    s_iso = _iso(started)
    conn.executemany("UPDATE bugs SET status = 'in_progress', updated_at = ? WHERE id = ?",
                     ((s_iso[i], ids[i]) for i in np.flatnonzero(begun)))
    moved = np.flatnonzero((rng.random(n) < 0.08) & ~deferred)
    p_iso = _iso(picked)
    conn.executemany("UPDATE bugs SET assigned_to = ?, updated_at = ? WHERE id = ? AND updated_at <> ?",
                     ((users[(assignee[i] + 5) % len(users)], p_iso[i], ids[i], p_iso[i]) for i in moved))
    done = resolve <= t_end
    r_iso = _iso(np.where(done, resolve, t_end))
    final = np.where(rng.random(n) < 0.6, "shipped", "closed")
    conn.executemany("UPDATE bugs SET status = ?, updated_at = ? WHERE id = ? AND updated_at <> ?",
                     ((str(final[i]), r_iso[i], ids[i], r_iso[i]) for i in np.flatnonzero(done & ~deferred)))
    verified = np.flatnonzero(~done & begun & (rng.random(n) < 0.3))
    v_iso = _iso(started + (t_end - started) * rng.uniform(0.3, 0.9, n))
    conn.executemany("UPDATE bugs SET status = 'verified', updated_at = ? WHERE id = ? AND updated_at <> ?",
                     ((v_iso[i], ids[i], v_iso[i]) for i in verified))
    d_iso = _iso(np.minimum(created + 5 * DAY, t_end))
    conn.executemany("UPDATE bugs SET status = 'deferred', updated_at = ? WHERE id = ? AND updated_at <> ?",
                     ((d_iso[i], ids[i], d_iso[i]) for i in np.flatnonzero(deferred)))
    return {"open_at_end": int((~done & ~deferred).sum()), "high_risk_project": HIGH_RISK_PROJECT}


def _weights(n: int) -> np.ndarray:
    w = np.array([3.0, 2.0, 1.6, 1.4, 1.0, 0.8, 1.5, 0.9, 1.8, 0.3, 0.3, 0.6])[:n]
    return w / w.sum()


def _monthly_metrics(conn, end_idx: int) -> None:
    """One row per month but the last, computed from the bugs as the trend would derive them."""
    from ...moments import SQL_EPOCH

    first = end_idx - MONTHS + 1
    rows = []
    for m in range(first, end_idx):
        a, b = _month_start(m), _month_start(m + 1)
        created, = conn.execute(f"SELECT count(*) FROM bugs WHERE {SQL_EPOCH('created_at')} >= ? AND "
                                f"{SQL_EPOCH('created_at')} < ?", (a, b)).fetchone()
        res = conn.execute(
            f"SELECT count(*), avg(({SQL_EPOCH('resolved_at')} - {SQL_EPOCH('created_at')}) / 86400.0), "
            f"coalesce(sum(actual_hours), 0), coalesce(sum(revenue_impact_daily), 0) FROM bugs "
            f"WHERE status IN ('shipped', 'closed') AND {SQL_EPOCH('resolved_at')} >= ? "
            f"AND {SQL_EPOCH('resolved_at')} < ?", (a, b)).fetchone()
        open_by = dict(conn.execute(
            f"SELECT severity, count(*) FROM bugs WHERE {SQL_EPOCH('created_at')} < ? AND status <> 'deferred' "
            f"AND NOT (status IN ('shipped', 'closed') AND {SQL_EPOCH('resolved_at')} < ?) GROUP BY severity",
            (b, b)).fetchall())
        label = f"{m // 12:04d}-{m % 12 + 1:02d}"
        rows.append((f"mm-{label}", label, sum(open_by.values()), open_by.get("critical", 0),
                     open_by.get("high", 0), open_by.get("medium", 0), open_by.get("low", 0), res[2],
                     res[2] * cat.COST_PER_HOUR, res[3], res[1] or 0.0, created, res[0],
                     _iso(np.array([b + 3600.0]))[0]))
    conn.executemany(
        "INSERT INTO monthly_metrics (id, month, total_bugs, critical_bugs, high_bugs, medium_bugs, low_bugs, "
        "eng_hours, total_cost, revenue_impact_daily, avg_resolution_days, bugs_created, bugs_resolved, "
        "created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)


def _portfolio(conn, rng, end_idx: int, projects: list[str]) -> None:
    live = [p for p in _PROJECTS if p[2] != "cancelled"]
    dcf_now = sum(p[5] for p in live) * 1e6
    cost_now = float(sum(p[8] for p in _PROJECTS if p[2] in ("active", "shipped")))
    rows = []
    for k, m in enumerate(range(end_idx - MONTHS + 1, end_idx + 1)):
        ago = end_idx - m
        growth = 0.985 ** ago
        rows.append((f"pm-{m}", len(projects), 2 if ago < 6 else 1, round(dcf_now * 0.45 * growth, -3),
                     round(dcf_now * growth * float(rng.uniform(0.98, 1.02)), -3),
                     round(cost_now * (1.0 + 0.012 * ago), 0), _iso(np.array([_month_start(m)]))[0],
                     _iso(np.array([_month_start(m) + 3 * HOUR]))[0]))
    conn.executemany(
        "INSERT INTO portfolio_metrics (id, total_projects, shipped_projects, year3_revenue_total, "
        "portfolio_dcf_total, monthly_deps_cost, snapshot_date, created_at) VALUES (?,?,?,?,?,?,?,?)", rows)


def _project_metrics(conn, rng, end_idx: int, projects: list[str]) -> None:
    rows = []
    for pi, pid in enumerate(projects):
        loc = int(rng.integers(20_000, 400_000))
        for m in range(end_idx - MONTHS + 1, end_idx + 1):
            loc += int(rng.integers(-500, 6000))
            day = _iso(np.array([_month_start(m)]))[0][:10]
            rows.append((f"pjm-{pi}-{m}", pid, int(rng.integers(20, 600)), int(rng.integers(2, 25)), loc,
                         json.dumps([_PROJECTS[pi][1], "PostgreSQL"]), int(rng.integers(55, 100)), day,
                         day + "T04:00:00Z"))
    conn.executemany(
        "INSERT INTO project_metrics (id, project_id, commits_count, contributors, lines_of_code, tech_stack, "
        "health_score, date, created_at) VALUES (?,?,?,?,?,?,?,?,?)", rows)


def _imports_and_audit(conn, rng, end_idx: int, users: list[str]) -> None:
    logs, audit = [], []
    for m in range(end_idx - MONTHS + 1, end_idx + 1):
        when = _iso(np.array([_month_start(m) + 2 * HOUR]))[0]
        failed = int(rng.integers(0, 3))
        logs.append((f"il-{m}", "github", int(rng.integers(10, 13)), failed,
                     json.dumps(["rate limited on one repository"] * failed), json.dumps({"repos": 12}), when))
    conn.executemany("INSERT INTO import_logs (id, source, records_imported, records_failed, errors, metadata, "
                     "timestamp) VALUES (?,?,?,?,?,?,?)", logs)
    hist = conn.execute("SELECT bug_id, field_changed, new_value, changed_at FROM bug_history "
                        "WHERE field_changed = 'status' AND new_value IN ('shipped', 'closed', 'deferred') "
                        "ORDER BY changed_at DESC, id LIMIT 400").fetchall()
    for k, (bug, field, value, when) in enumerate(hist):
        who = users[int(rng.integers(0, len(users)))]
        audit.append((f"al-{k}", who, f"bug.{value}", "bug", bug, json.dumps({field: value}),
                      f"10.0.{k % 250}.{(k * 7) % 250}", "ExecDash import", when))
    conn.executemany("INSERT INTO audit_log (id, user_id, action, entity_type, entity_id, details, ip_address, "
                     "user_agent, created_at) VALUES (?,?,?,?,?,?,?,?,?)", audit)
