"""The day-by-day tables: top products, expenses, feedback, page visits (and the fleet).

Products and expenses are shares of each day's / month's order revenue; the
rest are event rows stamped within the history. Deals, devices and repurchases
carry no date but draw from the feedback stream, so they live here too.
"""

from __future__ import annotations

import math

import numpy as np

from .orders import MonthTotals
from .timeline import S_EXPENSES, S_FEEDBACK, S_PRODUCTS, S_VISITS, Calendar, clock, rng


def products(conn, seed: int, cal: Calendar, tot: MonthTotals) -> None:
    """Top products: a share (about 85%) of each day's order revenue."""
    r = rng(seed, S_PRODUCTS)
    names = ["Barista Pro 2", "CafeLine 500", "CafeLine 300", "Office Brew XL",
             "Cold Brew Tower", "Barista Mini", "Bean Subscription", "Milk Module",
             "Service Plan Gold", "Filter Pack 12", "Grinder G7", "Descaler Kit"]
    n = 10 + int(r.integers(0, 3))
    names = names[:n]
    base = np.sort(r.dirichlet(np.full(n, 2.0)))[::-1] * 0.85
    trend = r.uniform(-0.01, 0.02, n)                     # per month
    months = cal.month_of_day.astype(float)
    share = base[None, :] * (1 + trend[None, :]) ** months[:, None]
    share *= r.lognormal(0.0, 0.08, (cal.total_days, n))
    share *= r.uniform(0.82, 0.88, (cal.total_days, 1)) / share.sum(axis=1, keepdims=True)
    revenue = np.round(tot.daily[:, None] * share, 2)
    rows = ((cal.dates[d], names[i], v)
            for d, row in enumerate(revenue.tolist()) for i, v in enumerate(row))
    conn.executemany("INSERT INTO top_products_daily(period, name, revenue) VALUES (?,?,?)", rows)
    totals = [(names[i], round(math.fsum(revenue[:, i].tolist()), 2)) for i in range(n)]
    conn.executemany("INSERT INTO top_products(name, revenue) VALUES (?,?)", totals)


def _stamps(r: np.random.Generator, cal: Calendar, per_day: np.ndarray) -> list[str]:
    """Sorted 'YYYY-MM-DD HH:MM:SS' timestamps, `per_day[d]` of them on day d."""
    days = np.repeat(np.arange(cal.total_days), per_day)
    secs = r.integers(6 * 3600, 23 * 3600, len(days))
    order = np.lexsort((secs, days))
    return [f"{cal.dates[d]} {clock(s)}" for d, s in zip(days[order].tolist(),
                                                          secs[order].tolist())]


def expenses(conn, seed: int, cal: Calendar, tot: MonthTotals) -> None:
    r = rng(seed, S_EXPENSES)
    per_day = 1 + r.poisson(0.9, cal.total_days)
    per_day[cal.weekday >= 5] = np.minimum(per_day[cal.weekday >= 5], 1)
    days = np.repeat(np.arange(cal.total_days), per_day)
    weight = r.lognormal(0.0, 0.6, len(days))
    # operating expenses about 22% of each month's revenue
    mk = cal.month_of_day[days]
    month_w = np.bincount(mk, weights=weight, minlength=cal.months)
    cost = np.round(weight * (0.22 * tot.amount[mk]) / month_w[mk], 2)
    dates = [cal.dates[d] for d in days.tolist()]
    for i in np.flatnonzero(r.random(len(days)) < 0.03).tolist():
        dates[i] = f"{dates[i]} {clock(int(r.integers(8 * 3600, 18 * 3600)))}"
    conn.executemany("INSERT INTO expenses(cost, date) VALUES (?,?)", zip(cost.tolist(), dates))


def fleet_and_feedback(conn, seed: int, cal: Calendar, n_customers: int) -> None:
    # One stream for both, in this order: drawing the fleet elsewhere would
    # shift every feedback row (and change the data of a given seed).
    r = rng(seed, S_FEEDBACK)
    _deals_and_fleet(conn, r)
    _feedback(conn, r, cal, n_customers)


def _deals_and_fleet(conn, r: np.random.Generator) -> None:
    # deals
    deal_types = ("new business", "renewal", "expansion", "upsell")
    dt = r.choice(len(deal_types), 2_000, p=[0.40, 0.30, 0.18, 0.12])
    conn.executemany("INSERT INTO deals(type) VALUES (?)", ((deal_types[i],) for i in dt.tolist()))
    # devices and repurchases
    device_types = ("Barista Pro 2", "Barista Mini", "CafeLine 300", "CafeLine 500",
                    "Office Brew XL", "Cold Brew Tower")
    faults = ("pump failure", "heater fault", "sensor drift", "firmware crash", "water leak",
              "grinder jam")
    n_dev = 5_000
    dtp = r.choice(len(device_types), n_dev, p=[0.22, 0.18, 0.2, 0.2, 0.12, 0.08])
    faulty = r.random(n_dev) < 0.12
    fk = r.choice(len(faults), n_dev, p=[0.22, 0.18, 0.2, 0.2, 0.12, 0.08])
    conn.executemany("INSERT INTO devices(type, fault_type) VALUES (?,?)",
                     ((device_types[d], faults[f] if bad else None)
                      for d, f, bad in zip(dtp.tolist(), fk.tolist(), faulty.tolist())))
    conn.executemany("INSERT INTO repurchases(device_type, repurchase_rate) VALUES (?,?)",
                     ((t, round(float(v), 3)) for t, v in
                      zip(device_types, r.uniform(0.22, 0.62, len(device_types)))))


def _feedback(conn, r: np.random.Generator, cal: Calendar, n_customers: int) -> None:
    # product feedback
    cats = ("Hardware", "Software", "Service", "Billing", "Delivery")
    ftypes = ("bug", "feature request", "praise", "complaint")
    per_day = r.poisson(4.0, cal.total_days)
    stamps = _stamps(r, cal, per_day)
    c = r.choice(len(cats), len(stamps), p=[0.3, 0.25, 0.2, 0.1, 0.15])
    t = r.choice(len(ftypes), len(stamps), p=[0.3, 0.25, 0.25, 0.2])
    conn.executemany("INSERT INTO product_feedback(category, type, created_at) VALUES (?,?,?)",
                     ((cats[a], ftypes[b], s) for a, b, s in zip(c.tolist(), t.tolist(), stamps)))
    # feedback scores (1-5)
    aspects = ("Ease of use", "Reliability", "Support", "Value for money", "Coffee quality",
               "Delivery")
    means = np.array([4.2, 3.9, 4.0, 3.6, 4.4, 3.8])
    per_day = r.poisson(3.0, cal.total_days)
    stamps = _stamps(r, cal, per_day)
    a = r.integers(0, len(aspects), len(stamps))
    score = np.clip(np.round(means[a] + r.normal(0, 0.9, len(stamps))), 1, 5)
    conn.executemany("INSERT INTO feedback_scores(aspect, score, created_at) VALUES (?,?,?)",
                     ((aspects[x], float(s), st)
                      for x, s, st in zip(a.tolist(), score.tolist(), stamps)))
    # customer feedback messages
    fb_types = ("complaint", "suggestion", "praise", "question")
    messages = {
        "complaint": ("Machine stopped mid-cycle twice this week.",
                      "Engineer visit was rescheduled without notice.",
                      "Invoice did not match the quote.",
                      "Beans delivery arrived two days late."),
        "suggestion": ("Would like usage reports by site.", "Please add oat milk presets.",
                       "An app notification before descaling would help."),
        "praise": ("Staff love the new CafeLine units.", "Very quick response from support.",
                   "Installation was smooth and on time."),
        "question": ("Can we move a unit to another floor ourselves?",
                     "How do we add a new site to the contract?",
                     "Is there a discount for annual billing?"),
    }
    per_day = r.poisson(2.0, cal.total_days)
    stamps = _stamps(r, cal, per_day)
    n = len(stamps)
    ft = r.choice(len(fb_types), n, p=[0.35, 0.25, 0.25, 0.15])
    cust = 1 + r.integers(0, n_customers, n)
    rows = []
    for i in range(n):
        typ = fb_types[int(ft[i])]
        msgs = messages[typ]
        rows.append((int(cust[i]), typ, msgs[int(r.integers(0, len(msgs)))], stamps[i]))
    conn.executemany("INSERT INTO feedback(customer_id, type, message, created_at) "
                     "VALUES (?,?,?,?)", rows)


def page_visits(conn, seed: int, cal: Calendar) -> None:
    r = rng(seed, S_VISITS)
    pages = ("Executive", "Revenue", "Operations", "Supply Chain", "Telemetry", "Customers",
             "Pipeline", "Settings")
    p = np.array([0.30, 0.18, 0.12, 0.10, 0.08, 0.10, 0.09, 0.03])
    lam = 40 * 1.015 ** cal.month_of_day * np.where(cal.weekday >= 5, 0.3, 1.0)
    per_day = r.poisson(lam)
    days = np.repeat(np.arange(cal.total_days), per_day)
    pg = r.choice(len(pages), len(days), p=p)
    conn.executemany("INSERT INTO page_visits(visit_date, page_name) VALUES (?,?)",
                     ((cal.dates[d], pages[x]) for d, x in zip(days.tolist(), pg.tolist())))
