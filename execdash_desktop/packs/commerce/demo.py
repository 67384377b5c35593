"""Deterministic Commerce demo data (seed 004's ten tables), written into an open file.

`build_into(conn, seed=7, end="2026-10", days=500, orders=300_000,
conversations=100_000)` ends on D = the 28th of month `end` (so D's month is
partial). Same arguments, same rows: nothing reads the clock except the
default `end`, every random draw comes from `seed`.

The stories (tests rely on them):
- the fastest seller, STOCKOUT_SKU, is out of stock for the last 5 days;
- fulfilment is slow in the last week (D-6..D): orders take 4-6 days, most
  breach their 2-day SLA, delayed-shipping issues pile up;
- an escalation spike: conversations of D-3..D are escalated ten times as
  often and most are still open at D;
- planted data-quality failures: a sales day missing (D-12), one day's
  stored AOV off, two negative stock counts, a duplicate stock count, three
  fulfilled orders without a fulfilment time, two replies before the
  question, an orphan product, a segment confidence of 1.3.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, datetime, timezone
from importlib import resources

import numpy as np

from ...errors import DataFileError
from . import rules as r

SCHEMA = "commerce_schema.sql"
STOCKOUT_SKU = "HR-0007"
SLOW_DAYS = 7
SPIKE_DAYS = 4
MISSING_SALES_DAY = 12  # D - 12 has no sales row
CHUNK = 50_000  # rows built and inserted at a time (bounded memory at any size)
_SEGMENTS = ("DIY Builder", "Professional Shop", "Enthusiast Collector", "First-time Builder", "Racing Enthusiast")
_L1 = ("Engine Parts", "Fuel System", "Exhaust", "Suspension", "Brakes", "Electrical", "Body", "Interior")
_MAKES = ("Ford", "Chevrolet", "Dodge", "Plymouth", "Pontiac", "Oldsmobile")
_MODELS = ("Mustang", "Camaro", "Charger", "Road Runner", "GTO", "Cutlass", "Nova", "Chevelle")
_ISSUES = ("delayed_shipping", "missing_items", "damaged_goods", "wrong_address", "inventory_shortage")
_REASONS = ("Wrong part shipped", "Order late", "Refund request", "Damaged on arrival", "Fitment question")


_CLOCK = tuple(f"T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in range(86400))


def schema_sql() -> str:
    return resources.files("execdash_desktop.data").joinpath(SCHEMA).read_text("utf-8")


def _iso(epoch: np.ndarray) -> list[str]:
    """'YYYY-MM-DDTHH:MM:SSZ' of epoch seconds: the day's text + the time of day's text (each formatted once)."""
    if not len(epoch):
        return []
    days, secs = np.divmod(np.asarray(epoch, dtype=np.int64), 86400)
    lo = int(days.min())
    day_text = np.datetime_as_string(np.arange(lo, int(days.max()) + 1).astype("datetime64[D]")).tolist()
    return [day_text[d - lo] + _CLOCK[s] for d, s in zip(days.tolist(), secs.tolist())]


def _iso_where(epoch: np.ndarray, keep: np.ndarray) -> list[str | None]:
    """The ISO texts of the kept moments, None elsewhere (only the kept ones are formatted)."""
    out: list[str | None] = [None] * len(epoch)
    for i, text in zip(np.flatnonzero(keep).tolist(), _iso(epoch[keep])):
        out[i] = text
    return out


def _ids(prefix: str, n: int) -> list[str]:  # call once per table (not per row)
    return [f"{prefix}-{i:08x}-0000-4000-8000-000000000000" for i in range(n)]


def build_into(conn: sqlite3.Connection, *, seed: int = 7, end: str | None = None, days: int = 500,
               orders: int = 300_000, conversations: int = 100_000, progress=None) -> dict:
    if end is None:
        today = datetime.now(timezone.utc)
        end = f"{today.year - (today.month == 1):04d}-{(today.month - 2) % 12 + 1:02d}"
    try:
        y, m = (int(p) for p in end.split("-"))
        d_end = r.to_day(date(y, m, 28))
    except (ValueError, TypeError):
        raise DataFileError(f"invalid end {end!r}: expected a month as YYYY-MM") from None
    for name, v, lo, hi in (("days", days, 60, 5000), ("orders", orders, 1000, 10_000_000),
                            ("conversations", conversations, 1000, 10_000_000)):
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            raise DataFileError(f"invalid {name} {v!r}: expected an integer from {lo:,} to {hi:,}")
    report = progress or (lambda f, msg: None)
    rng = np.random.default_rng([seed, 4])
    d0 = d_end - days + 1
    ddl = schema_sql()
    # the tables now, their indexes once the rows are in (one sort each beats a b-tree insert per row)
    indexes = re.findall(r"CREATE INDEX [^;]*;", ddl)
    conn.executescript(re.sub(r"CREATE INDEX [^;]*;", "", ddl))
    conn.execute("BEGIN")
    report(0.02, "products")
    _products(conn, rng, d0)
    _customers(conn, rng)
    report(0.08, "sales")
    _sales(conn, rng, d0, d_end)
    report(0.12, "stock")
    _stock(conn, rng, d0, d_end)
    report(0.25, "orders")
    _orders(conn, rng, d0, d_end, orders, report)
    report(0.7, "conversations")
    _conversations(conn, rng, d0, d_end, conversations)
    report(0.9, "operations")
    _operations(conn, rng, d0, d_end)
    report(0.95, "indexes")
    for stmt in indexes:
        conn.execute(stmt)
    conn.execute("COMMIT")
    for table in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", ddl):  # its own tables: the file may hold others
        conn.execute(f"ANALYZE {table}")
    return {"end": r.iso(d_end), "days": days, "orders": orders, "conversations": conversations,
            "stockout_sku": STOCKOUT_SKU,
            "summary": f"{orders:,} orders and {conversations:,} conversations over {days} days to {r.iso(d_end)}"}


def _products(conn, rng, d0) -> None:
    created = _iso(np.array([d0 * 86400 - 86400 * 30]))[0]
    rows, skus, pc_ids, sp_ids = [], [], _ids("pc", 200), _ids("sp", 201)
    for i in range(200):
        y0 = int(rng.integers(1955, 1975))
        years = list(range(y0, y0 + int(rng.integers(1, 8))))
        makes = sorted({_MAKES[int(j)] for j in rng.integers(0, len(_MAKES), 2)})
        models = sorted({_MODELS[int(j)] for j in rng.integers(0, len(_MODELS), 2)})
        l1 = _L1[i % len(_L1)]
        rows.append((pc_ids[i], 1000 + i, l1, f"{l1} {i % 5 + 1}", f"Kit {i}", json.dumps(years),
                     json.dumps(makes), json.dumps(models), int(i % 3 == 0), int(i % 3 == 1), int(i % 17 == 0),
                     round(float(rng.uniform(120, 420)), 2), round(float(rng.uniform(18, 55)), 1),
                     ("fast", "medium", "slow")[i % 3 if i != 6 else 0], created, created))
        weight = 40.0 if i == 6 else float(rng.pareto(1.5) + 1)
        rev = round(weight * 900, 2)
        units = int(rev // 180) + 1
        skus.append((sp_ids[i], 1000 + i if i != 199 else 99999, 5000 + i, f"HR-{i + 1:04d}", rev, units,
                     max(1, units - 2), 0 if i == 6 else int(rng.integers(5, 400)), 0 if i == 6 else
                     int(rng.integers(3, 120)), int(weight > 4),
                     ("up", "down", "stable")[i % 3], created, created, created))
    conn.executemany("INSERT INTO product_categories VALUES (" + ",".join("?" * 16) + ")", rows)
    conn.executemany("INSERT INTO sku_performance VALUES (" + ",".join("?" * 14) + ")", skus)


def _customers(conn, rng) -> None:
    n = 2000
    rows, ids = [], _ids("cs", n)
    for i in range(n):
        seg = _SEGMENTS[int(rng.integers(0, 5))]
        orders = int(rng.integers(1, 40))
        rev = round(orders * float(rng.uniform(150, 380)), 2)
        conf = 1.3 if i == 17 else round(float(rng.uniform(0.55, 0.99)), 2)
        rows.append((ids[i], 700000 + i, seg, conf, orders, rev, round(rev / orders, 2),
                     int(rng.integers(30, 1500)), int(rng.integers(0, 400)), _L1[i % 8], None, i % 2, (i + 1) % 2,
                     int(rng.integers(1955, 1975)), _MAKES[i % 6], _MODELS[i % 8], int(rng.integers(0, 6)),
                     int(rng.integers(0, 10)), round(float(rng.uniform(3.0, 5.0)), 1),
                     ("new", "active", "at_risk", "churned", "reactivated")[i % 5], None, None))
    conn.executemany("INSERT INTO customer_segments VALUES (" + ",".join("?" * 22) + ")", rows)


def _sales(conn, rng, d0, d_end) -> None:
    rows = []
    for k, d in enumerate(range(d0, d_end + 1)):
        if d == d_end - MISSING_SALES_DAY:
            continue
        growth = 1 + 0.9 * k / (d_end - d0)
        season = 1 + 0.15 * np.sin(2 * np.pi * (r.to_date(d).timetuple().tm_yday / 365.0))
        orders = int(rng.poisson(60 * growth * season))
        rev = round(orders * float(rng.normal(245, 12)), 2)
        slow = d > d_end - SLOW_DAYS
        fulfilled = int(orders * (0.62 if slow else rng.uniform(0.93, 0.99)))
        aov = round(rev / orders, 2) if orders else 0
        if d == d_end - 40:
            aov = round(aov * 1.2, 2)  # planted: stored AOV off
        iso = r.iso(d)
        rows.append((f"sm-{d}", iso, rev, orders, aov, None, None, fulfilled,
                     round(100.0 * fulfilled / orders, 1) if orders else None, iso + "T06:00:00Z", iso + "T06:00:00Z"))
    conn.executemany("INSERT INTO sales_metrics_daily VALUES (" + ",".join("?" * 11) + ")", rows)


def _stock(conn, rng, d0, d_end) -> None:
    rows = []
    base = rng.integers(20, 300, 200)
    cover_base = rng.integers(4, 90, 200)
    idx = np.arange(200)
    skus = [f"HR-{i + 1:04d}" for i in range(200)]
    tiers = ["fast" if i == 6 else ("medium", "slow")[i % 2] for i in range(200)]
    for d in range(d0, d_end + 1):
        iso = r.iso(d)
        noise = rng.integers(-15, 16, 200)  # one draw per day, as ever (same numbers for a seed)
        qty = np.maximum(0, base + noise)
        cover = np.maximum(0, cover_base + noise // 3)
        if d > d_end - 5:
            qty[6], cover[6] = 0, 0
        status = np.where(qty == 0, "out_of_stock", np.where(cover < 14, "low_stock",
                                                             np.where(cover > 80, "overstock", "in_stock")))
        qty[(idx == 3) & (d == d_end - 100) | (idx == 4) & (d == d_end - 101)] = -3  # planted: negative stock
        q = qty.tolist()
        rows.extend(zip([f"is-{d}-{i}" for i in range(200)], range(1000, 1200), range(5000, 5200), skus, [iso] * 200,
                        q, [int(x > 10) * 2 for x in q], [0] * 200, [None] * 200, [None] * 200, [None] * 200,
                        cover.tolist(), [15] * 200, status.tolist(), tiers, [iso] * 200))
    rows.append(("is-dup", 1010, 5010, "HR-0011", r.iso(d_end - 30), 50, 0, 0, None, None, None, 30, 15,
                 "in_stock", "slow", r.iso(d_end - 30)))  # planted: duplicate stock count
    conn.executemany("INSERT INTO inventory_snapshots VALUES (" + ",".join("?" * 16) + ")", rows)


def _orders(conn, rng, d0, d_end, n, report) -> None:
    days = np.sort(rng.integers(d0, d_end + 1, n))
    created = days * 86400 + rng.integers(0, 86400, n)
    slow = days > d_end - SLOW_DAYS
    dtf = np.where(slow, rng.integers(4, 7, n), rng.choice([0, 1, 1, 1, 2, 2, 3], n))
    age = d_end - days
    status = np.where(rng.random(n) < 0.02, "cancelled",
                      np.where(age < dtf, np.where(rng.random(n) < 0.3, "partial", "unfulfilled"), "fulfilled"))
    breach = dtf > 2
    issue = (rng.random(n) < np.where(slow, 0.25, 0.03)) & (status != "cancelled")
    itype = np.where(slow & (rng.random(n) < 0.7), "delayed_shipping", np.array(_ISSUES)[rng.integers(0, 5, n)])
    isev = np.array(("low", "medium", "high", "critical"))[rng.choice([0, 0, 1, 1, 1, 2, 3], n)]
    fulfilled_at = created + dtf * 86400 + rng.integers(0, 3600, n)
    seg = np.array(_SEGMENTS)[rng.integers(0, 5, n)]
    done = status == "fulfilled"
    sql = "INSERT INTO fulfillment_tracking VALUES (" + ",".join("?" * 17) + ")"
    for k in range(0, n, CHUNK):  # whole columns as Python lists (not one numpy scalar per value), a chunk at a time
        j = slice(k, min(n, k + CHUNK))
        c_iso, dn, has = _iso(created[j]), done[j].tolist(), issue[j].tolist()
        f_at = _iso_where(fulfilled_at[j], done[j])
        for i in (1001, 2002, 3003, 4004, 5005):
            if k <= i < j.stop and done[i]:  # planted: fulfilled without a time, or before it was ordered
                f_at[i - k] = None if i < 4000 else _iso(created[i - 1000:i - 999])[0]
        ids = range(j.start, j.stop)
        conn.executemany(sql, zip(
            [f"ft-{i}" for i in ids], [10_000_000 + i for i in ids], [f"#{100000 + i}" for i in ids],
            status[j].tolist(), [x if f else None for x, f in zip(dtf[j].tolist(), dn)],
            breach[j].astype(np.int64).tolist(), [2] * len(ids), seg[j].tolist(), [int(i % 11 == 0) for i in ids],
            issue[j].astype(np.int64).tolist(), [t if h else None for t, h in zip(itype[j].tolist(), has)],
            [s if h else None for s, h in zip(isev[j].tolist(), has)], c_iso, f_at, _iso(created[j] + 2 * 86400),
            c_iso, c_iso))
        report(0.25 + 0.45 * j.stop / n, "orders")


def _conversations(conn, rng, d0, d_end, n) -> None:
    days = np.sort(rng.integers(d0, d_end + 1, n))
    created = days * 86400 + rng.integers(0, 86400, n)
    spike = days > d_end - SPIKE_DAYS
    frt = np.maximum(1, rng.lognormal(np.log(18), 0.7, n)).astype(int)
    frt = np.where(spike, frt * 2, frt)
    esc = rng.random(n) < np.where(spike, 0.2, 0.02)
    age = d_end - days
    res_h = rng.uniform(1, 72, n)
    closed = (age * 24 > res_h) & ~(spike & esc & (rng.random(n) < 0.85))
    status = np.where(closed, np.where(rng.random(n) < 0.5, "resolved", "closed"),
                      np.where(rng.random(n) < 0.6, "open", "pending"))
    prio = np.array(("low", "medium", "high", "urgent"))[rng.choice([0, 1, 1, 2, 3], n)]
    sent = np.array(("positive", "neutral", "negative", "very_negative"))[
        rng.choice([0, 0, 1, 1, 1, 2, 3], n)]
    reason = np.array(_REASONS)[rng.integers(0, len(_REASONS), n)]
    sql = "INSERT INTO cx_conversations VALUES (" + ",".join("?" * 19) + ")"
    for k in range(0, n, CHUNK):
        j = slice(k, min(n, k + CHUNK))
        ids = range(j.start, j.stop)
        c_iso, fr_iso, frt_col = _iso(created[j]), _iso(created[j] + frt[j] * 60), frt[j].tolist()
        for i in (777, 888, 999):
            if k <= i < j.stop:
                if i == 999:
                    frt_col[i - k] = -4  # planted: a negative response time
                else:
                    fr_iso[i - k] = _iso(created[i:i + 1] - 300)[0]  # planted: the reply before the question
        cl, es = closed[j].tolist(), esc[j].tolist()
        conn.executemany(sql, zip(
            [f"cx-{i}" for i in ids], [50_000_000 + i for i in ids], [10_000_000 + i * 3 for i in ids], [None] * len(ids),
            frt_col, [round(h, 1) if c else None for h, c in zip(res_h[j].tolist(), cl)], [120] * len(ids),
            (frt[j] > 120).astype(np.int64).tolist(), prio[j].tolist(), sent[j].tolist(), esc[j].astype(np.int64).tolist(),
            [x if e else None for x, e in zip(reason[j].tolist(), es)],
            _iso_where(created[j] + frt[j] * 60 + 600, esc[j]), status[j].tolist(), c_iso, fr_iso,
            _iso_where(created[j] + (res_h[j] * 3600).astype(int), closed[j]), c_iso, c_iso))


def _operations(conn, rng, d0, d_end) -> None:
    act, ops, saved = [], [], []
    for k, d in enumerate(range(d0, d_end + 1)):
        iso = r.iso(d)
        shops = 400 + k
        activated = int(shops * (0.55 + 0.2 * k / (d_end - d0)) + rng.integers(-5, 6))
        act.append((f"sa-{d}", iso, shops, activated, round(100.0 * activated / shops, 2), None, iso, iso))
        for op in range(8):
            det = int(rng.integers(0, 12))
            res = int(det * (0.95 - 0.08 * op) + 0.5)
            med = round(float(rng.uniform(10, 30)) + 4 * op, 1)
            ops.append((f"os-{d}-{op}", 9000 + op, iso, det, min(det, res), med, round(med * 2.2, 1),
                        round(med * 2.8, 1), iso, iso))
        saved.append((f"ts-{d}", iso, *(int(x) for x in rng.integers(10, 90, 5)), int(rng.integers(50, 200)),
                      int(rng.integers(20, 120)), iso, iso))
    conn.executemany("INSERT INTO shop_activation_metrics VALUES (?,?,?,?,?,?,?,?)", act)
    conn.executemany("INSERT INTO operator_sla_resolution VALUES (?,?,?,?,?,?,?,?,?,?)", ops)
    conn.executemany("INSERT INTO ceo_time_savings VALUES (?,?,?,?,?,?,?,?,?,?,?)", saved)
