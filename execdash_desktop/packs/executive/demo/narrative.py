"""What the executive reads beside the charts: alerts, risks and the fixed rows tied to `end`.

The alerts quote the numbers of the file (the backlog spike, the uptime dip,
supply lead time...), so they take what the monthly series returned.
"""

from __future__ import annotations

import datetime as _dt

from .timeline import (S_ALERTS, S_MISC, S_RISKS, Calendar, clock, days_in, first_day,
                       last_day, rng)


def _money(x: float) -> str:
    return f"£{x / 1e6:.2f}M" if abs(x) >= 1e6 else f"£{x / 1e3:.0f}k"


def executive(conn, seed: int, cal: Calendar, end_ym: int) -> None:
    r = rng(seed, S_MISC)
    value = round(14.2 + float(r.uniform(-0.3, 0.3)), 1)
    delta = round(-0.04 + float(r.uniform(-0.01, 0.01)), 3)
    conn.execute("INSERT INTO executive_kpis(key, label, value, unit, delta, direction) "
                 "VALUES ('payback', 'CAC payback', ?, 'mo', ?, 'down')", (value, delta))
    end_day = last_day(end_ym).isoformat()
    conn.executemany(
        "INSERT INTO timeframe_window(id, range, start_date, end_date, granularity) "
        "VALUES (?,?,?,?,'month')",
        [(1, "6m", first_day(end_ym - 5).isoformat(), end_day),
         (2, "12m", first_day(end_ym - 11).isoformat(), end_day)])


def alerts(conn, seed: int, cal: Calendar, end_ym: int, rev: dict, ops: dict,
           supply: dict) -> None:
    r = rng(seed, S_ALERTS)
    m = cal.months
    alerts: list[tuple[str, str, str, str]] = []   # type, title, description, severity
    if rev["spike"] is not None:
        k = rev["spike"]
        pct = rev["spike_pct"] * 100
        btb = float(rev["booked"][k] / rev["recognized"][k])
        alerts.append(("ops", f"Backlog up {pct:.0f}% in {cal.periods[k]}",
                       f"Period-end backlog rose from {_money(rev['spike_before'])} to "
                       f"{_money(float(rev['backlog'][k]))}: bookings ran at {btb:.2f}x billings "
                       "after two large fleet contracts; assembly capacity is the constraint.",
                       "high"))
    if ops["dip"] is not None:
        k = ops["dip"]
        prev = float(ops["uptime"][k - 1]) if k > 0 else None
        frm = f" from {prev * 100:.1f}%" if prev is not None else ""
        alerts.append(("ops", f"Uptime dipped to {ops['uptime'][k] * 100:.1f}% in {cal.periods[k]}",
                       f"Fleet uptime fell{frm}: the firmware 4.2 rollout caused restart loops "
                       f"on CafeLine 500 units; mean time to repair rose to "
                       f"{ops['mttr'][k]:.1f} h. Rolled back; monitoring.", "high"))
    end_p = cal.periods[-1]
    lead = supply["lead"]
    lead_prev = float(lead[-2]) if m >= 2 else float(lead[-1]) - 10
    alerts.append(("supply", f"Supplier lead time up to {lead[-1]:.0f} days",
                   f"Brewing-unit lead time rose from {lead_prev:.0f} to {lead[-1]:.0f} days in "
                   f"{end_p}; the single-source supplier is capacity-constrained.", "medium"))
    alerts.append(("supply", f"COGS variance {supply['variance'][-1] * 100:.1f}% over plan",
                   f"Component costs ran {supply['variance'][-1] * 100:.1f}% above standard in "
                   f"{end_p}, driven by expedited freight and PCB spot buys.", "medium"))
    cac_up = int(r.integers(14, 24))
    alerts.append(("marketing", f"Paid search CAC up {cac_up}% month on month",
                   f"Cost per acquired customer on paid search rose {cac_up}% in {end_p}; "
                   "competitor bidding on brand terms.", "medium"))
    short = int(r.integers(20, 35))
    alerts.append(("marketing", f"Webinar leads {short}% below target",
                   f"The {end_p} webinar series produced {short}% fewer MQLs than planned.",
                   "low"))
    extras = [
        ("supply", f"Inventory turns slowed to {supply['turns'][-1]:.1f}",
         f"Turns fell to {supply['turns'][-1]:.1f} a year in {end_p} as safety stock was built "
         "ahead of the lead-time increase.", "low"),
        ("ops", f"DOA rate {ops['doa'][-1] * 100:.1f}% on new installs",
         f"Dead-on-arrival units ran at {ops['doa'][-1] * 100:.1f}% in {end_p}; "
         "courier handling under review.", "low"),
        ("marketing", "Referral share of new customers down",
         f"Referrals made up a smaller share of new customers in {end_p}; "
         "the partner incentive ended last quarter.", "low"),
        ("supply", "Freight rates up on Asia lanes",
         "Container rates on inbound components rose for the third month running.", "medium"),
    ]
    want = 6 + int(r.integers(0, 5))            # 6..10
    for i in r.permutation(len(extras)).tolist():
        if len(alerts) >= want:
            break
        alerts.append(extras[i])
    ndays = days_in(end_ym)
    day = r.integers(1, ndays + 1, len(alerts))
    secs = r.integers(7 * 3600, 19 * 3600, len(alerts))
    first = first_day(end_ym)
    rows = []
    for (typ, title, desc, sev), d, s in zip(alerts, day.tolist(), secs.tolist()):
        stamp = f"{first.replace(day=d).isoformat()} {clock(s)}"
        rows.append((typ, title, desc, sev, stamp))
    conn.executemany("INSERT INTO alerts(type, title, description, severity, created_at) "
                     "VALUES (?,?,?,?,?)", rows)


def risks(conn, seed: int, end_ym: int) -> None:
    r = rng(seed, S_RISKS)
    templates = [
        ("Single-source brewing unit supplier", "Head of Supply",
         "Qualify a second supplier; hold 6 weeks of safety stock"),
        ("Firmware 4.2 restart loop recurs", "VP Engineering",
         "Staged rollouts with automatic rollback; soak tests on 50 units"),
        ("Backlog exceeds assembly capacity", "COO",
         "Add a second assembly shift; prioritise contracted deliveries"),
        ("Renewal of the two largest fleet contracts", "CRO",
         "Executive sponsors and quarterly business reviews booked"),
        ("GBP/EUR exposure on component purchases", "CFO",
         "Hedge 60% of the next two quarters' euro spend"),
        ("Field service staffing in the North", "Head of Service",
         "Contractor pool and cross-training of installers"),
        ("Data-protection audit findings", "General Counsel",
         "Close the three open findings; DPIA for telemetry"),
        ("Churn after the price increase", "CMO",
         "Grandfather annual contracts; value messaging to at-risk accounts"),
        ("Warehouse lease renewal", "COO", "Negotiate a 3-year extension; scout alternatives"),
        ("ERP migration slippage", "CIO", "Descoped phase 2; weekly steering committee"),
        ("Paid search CAC inflation", "CMO", "Shift budget to partners and referrals"),
        ("Freight rate volatility", "Head of Supply", "Fixed-rate contract for Q1 volumes"),
    ]
    n = 8 + int(r.integers(0, 5))               # 8..12
    picks = r.permutation(len(templates))[:n].tolist()
    end_first = first_day(end_ym)
    # roles: 1 without due date, 2-3 closed, 2-3 overdue, the rest due later
    n_closed = 2 + int(r.integers(0, 2))
    n_overdue = 2 + int(r.integers(0, 2))
    roles = (["nodue"] + ["closed"] * n_closed + ["overdue"] * n_overdue
             + ["future"] * (n - 1 - n_closed - n_overdue))
    roles = [roles[i] for i in r.permutation(n).tolist()]
    rows = []
    for idx, role in zip(picks, roles):
        title, owner, mitigation = templates[idx]
        if role == "nodue":
            due, status = None, "open"
        elif role == "closed":
            due = (end_first - _dt.timedelta(days=int(r.integers(10, 120)))).isoformat()
            status = "closed"
        elif role == "overdue":
            due = (end_first - _dt.timedelta(days=int(r.integers(3, 45)))).isoformat()
            status = ("open", "in_progress")[int(r.integers(0, 2))]
        else:
            due = (end_first + _dt.timedelta(days=int(r.integers(20, 150)))).isoformat()
            status = ("open", "in_progress")[int(r.integers(0, 2))]
        rows.append((title, owner, due, mitigation, status))
    conn.executemany("INSERT INTO risks(title, owner, due, mitigation, status) VALUES (?,?,?,?,?)",
                     rows)
