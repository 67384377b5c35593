"""The monthly series: revenue trend, operations, supply, telemetry, pipeline, retention.

Revenue trend is derived from the order totals (recognized = the month's
orders exactly); the backlog spike (2 months before `end`) and the uptime dip
(the month before `end`) are placed here and returned for the alerts.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .orders import MonthTotals
from .timeline import (S_OPS, S_PIPELINE, S_RETENTION, S_REVENUE, S_SUPPLY, S_TELEMETRY,
                       SEASON, Calendar, rng)


def revenue_trend(conn, seed: int, cal: Calendar, tot: MonthTotals) -> dict:
    """Recognized = the orders; booked by book-to-bill; backlog = running stock."""
    r = rng(seed, S_REVENUE)
    m = cal.months
    recognized = np.round(tot.amount, 2)
    btb = r.uniform(0.95, 1.15, m)
    spike = m - 3 if m >= 3 else None      # 2 months before end
    if spike is not None:
        btb[spike] = r.uniform(1.95, 2.15)
        if spike + 1 < m:
            btb[spike + 1] = r.uniform(0.78, 0.86)   # partly works off again
        if spike + 2 < m:
            btb[spike + 2] = r.uniform(0.90, 0.96)
    booked = np.round(recognized * btb, 2)
    start_backlog = round(float(recognized[0]) * r.uniform(1.9, 2.1), 2)
    backlog = np.empty(m)
    prev = start_backlog
    for k in range(m):
        prev = round(prev + float(booked[k]) - float(recognized[k]), 2)
        backlog[k] = prev
    conn.executemany(
        "INSERT INTO revenue_trend(period, recognized, booked, backlog) VALUES (?,?,?,?)",
        zip(cal.periods, recognized.tolist(), booked.tolist(), backlog.tolist()))
    info = {"recognized": recognized, "booked": booked, "backlog": backlog, "spike": spike}
    if spike is not None:
        before = start_backlog if spike == 0 else float(backlog[spike - 1])
        info["spike_before"] = before
        info["spike_pct"] = float(backlog[spike]) / before - 1.0
    return info


def ops(conn, seed: int, cal: Calendar) -> dict:
    r = rng(seed, S_OPS)
    m = cal.months
    uptime = np.round(r.uniform(0.993, 0.999, m), 4)
    dip = m - 2 if m >= 2 else None        # the month before end
    if dip is not None:
        uptime[dip] = round(r.uniform(0.973, 0.977), 4)
    mtbf = r.uniform(620, 880, m)
    mttr = r.uniform(2.0, 4.5, m)
    doa = r.uniform(0.005, 0.012, m)
    defect = r.uniform(0.010, 0.025, m)
    warranty = r.uniform(0.020, 0.040, m)
    if dip is not None:
        mtbf[dip] = r.uniform(260, 320)
        mttr[dip] = r.uniform(9.0, 12.0)
        defect[dip] = r.uniform(0.030, 0.036)
    cost = 21.0 * 0.995 ** np.arange(m)[::-1] * (1 + r.normal(0, 0.03, m))
    if dip is not None:
        cost[dip] *= 1.18
    p = cal.periods
    conn.executemany("INSERT INTO ops_uptime(period, uptime) VALUES (?,?)",
                     zip(p, uptime.tolist()))
    conn.executemany("INSERT INTO ops_reliability(period, mtbf_hours, mttr_hours) VALUES (?,?,?)",
                     zip(p, np.round(mtbf, 1).tolist(), np.round(mttr, 2).tolist()))
    conn.executemany("INSERT INTO ops_quality(period, doa_pct, defect_pct, warranty_pct) "
                     "VALUES (?,?,?,?)", zip(p, np.round(doa, 4).tolist(),
                                            np.round(defect, 4).tolist(),
                                            np.round(warranty, 4).tolist()))
    conn.executemany("INSERT INTO ops_service_cost(period, cost_per_device) VALUES (?,?)",
                     zip(p, np.round(cost, 2).tolist()))
    return {"uptime": uptime, "dip": dip, "mttr": mttr, "doa": doa}


def supply(conn, seed: int, cal: Calendar, tot: MonthTotals) -> dict:
    r = rng(seed, S_SUPPLY)
    m = cal.months
    components = ["Brewing unit", "Grinder assembly", "Electronics & PCB", "Housing & panels",
                  "Water system", "Packaging", "Freight & logistics", "Assembly labour"]
    n = int(r.integers(6, 9))
    components = components[:n]
    shares = r.dirichlet(np.linspace(4.0, 1.5, n))
    cogs_end = float(tot.amount[-1] - tot.profit[-1])
    conn.executemany("INSERT INTO supply_cogs_breakdown(id, component, cost) VALUES (?,?,?)",
                     [(i + 1, c, round(cogs_end * float(s), 2))
                      for i, (c, s) in enumerate(zip(components, shares))])
    variance = np.round(np.abs(r.normal(0.02, 0.01, m)) + 0.002, 4)
    lead = 24 + np.cumsum(r.normal(0, 0.8, m)) * 0.5 + r.normal(0, 1.2, m)
    lead = np.clip(lead, 18, 34)
    # the last month: supplier trouble (an alert names it)
    lead[-1] = max(float(lead[-1]), 0.0) + r.uniform(9, 13)
    variance[-1] = round(float(r.uniform(0.055, 0.075)), 4)
    turns = np.clip(6.5 + r.normal(0, 0.35, m), 5.2, 7.8)
    turns[-1] = r.uniform(4.6, 5.0)
    p = cal.periods
    conn.executemany("INSERT INTO supply_cogs_variance(period, variance_pct) VALUES (?,?)",
                     zip(p, variance.tolist()))
    conn.executemany("INSERT INTO supply_lead_time(period, lead_time_days) VALUES (?,?)",
                     zip(p, np.round(lead, 1).tolist()))
    conn.executemany("INSERT INTO supply_inventory_turns(period, turns_per_year) VALUES (?,?)",
                     zip(p, np.round(turns, 2).tolist()))
    return {"lead": np.round(lead, 1), "variance": variance, "turns": np.round(turns, 2)}


def telemetry(conn, seed: int, cal: Calendar) -> None:
    r = rng(seed, S_TELEMETRY)
    m = cal.months
    season = np.array([SEASON[ym % 12] for ym in cal.yms])
    hours = 6.2 * season ** 0.5 + r.normal(0, 0.15, m)
    grams = 17.5 + r.normal(0, 0.35, m)
    devices = np.round(9_000 * 1.025 ** np.arange(m) * (1 + r.normal(0, 0.004, m)))
    devices = np.maximum.accumulate(devices).astype(np.int64)   # growing
    p = cal.periods
    conn.executemany("INSERT INTO telemetry_utilization(period, avg_hours_per_device) "
                     "VALUES (?,?)", zip(p, np.round(hours, 2).tolist()))
    conn.executemany("INSERT INTO telemetry_consumption(period, grams_per_cycle) VALUES (?,?)",
                     zip(p, np.round(grams, 2).tolist()))
    conn.executemany("INSERT INTO telemetry_active_devices(period, active_devices) VALUES (?,?)",
                     zip(p, devices.tolist()))


def pipeline(conn, seed: int, cal: Calendar, curve: np.ndarray) -> None:
    r = rng(seed, S_PIPELINE)
    m = cal.months
    wr = np.empty(m)
    x = r.uniform(0.22, 0.28)
    for k in range(m):
        x = float(np.clip(x + r.normal(0, 0.015), 0.18, 0.32))
        wr[k] = round(x, 4)
    cycle = np.clip(np.round(52 + np.cumsum(r.normal(0, 2.0, m)) * 0.6 + r.normal(0, 3, m)),
                    35, 70).astype(np.int64)
    conn.executemany("INSERT INTO pipeline_winrate(period, win_rate_pct, sales_cycle_days) "
                     "VALUES (?,?,?)", zip(cal.periods, wr.tolist(), cycle.tolist()))
    # Stage values are pipeline value (currency) at each stage, a daily snapshot:
    # SQL x win rate is about a month's revenue (the forecast KPI).
    mk = cal.month_of_day
    t = np.arange(cal.total_days)
    wave = 1.0 + 0.04 * np.sin(2 * np.pi * t / 91.0) + r.normal(0, 0.015, cal.total_days)
    sql_v = curve[mk] / wr[mk] * 1.02 * wave
    leads = sql_v * r.uniform(3.6, 4.4, cal.total_days)
    mql = sql_v * r.uniform(1.8, 2.2, cal.total_days)
    won = sql_v * wr[mk] * r.uniform(0.9, 1.1, cal.total_days)
    stages = ("Leads", "MQL", "SQL", "Won")
    vals = np.round(np.stack([leads, mql, sql_v, won], axis=1)).astype(np.int64).tolist()
    conn.executemany("INSERT INTO pipeline_stages_daily(period, stage_name, value) VALUES (?,?,?)",
                     ((cal.dates[d], stages[i], v)
                      for d, row in enumerate(vals) for i, v in enumerate(row)))
    conn.executemany("INSERT INTO pipeline_stages(stage_name, value) VALUES (?,?)",
                     zip(stages, vals[-1]))


def retention(conn, seed: int, cal: Calendar, customer_names: Sequence[str]) -> None:
    r = rng(seed, S_RETENTION)
    m = cal.months
    churn = np.round(np.clip(0.018 + r.normal(0, 0.004, m), 0.01, 0.03), 4)
    expansion = np.round(np.clip(0.075 + np.cumsum(r.normal(0, 0.004, m)) + r.normal(0, 0.008, m),
                                 0.04, 0.12), 4)
    nrr = np.round(1.0 - churn + expansion, 4)
    conn.executemany("INSERT INTO retention_nrr(period, nrr, gross_churn, expansion) "
                     "VALUES (?,?,?,?)", zip(cal.periods, nrr.tolist(), churn.tolist(),
                                             expansion.tolist()))
    reasons = ("Usage down 40% in 60 days", "Champion left the company",
               "Open P1 support tickets", "Evaluating a competitor", "Budget freeze announced",
               "Late payments (60+ days)", "Price increase pushback", "Low NPS (<= 5)",
               "Contract renewal in 30 days, no QBR", "Devices idle at 3 sites")
    n = 25
    picks = r.choice(len(customer_names), n, replace=False)
    risk = np.round(r.uniform(0.25, 0.95, n), 2)
    mrr = np.round(r.lognormal(np.log(6_000), 0.7, n), 2)
    order = np.argsort(-risk * mrr, kind="stable")
    rows = [(customer_names[int(picks[i])], float(mrr[i]), float(risk[i]),
             reasons[int(r.integers(0, len(reasons)))]) for i in order.tolist()]
    conn.executemany("INSERT INTO retention_at_risk(customer, mrr, risk, reason) VALUES (?,?,?,?)",
                     rows)
