"""The customers: names, industries, sources and when each one arrived.

Written before the orders, which may only name a customer that exists by the
order's day.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from .timeline import S_CUSTOMERS, Calendar, rng

N_CUSTOMERS = 3_000


def insert(conn, seed: int, cal: Calendar) -> np.ndarray:
    """Insert the customers; return, per day of history, how many exist by then."""
    r = rng(seed, S_CUSTOMERS)
    prefixes = ("Apex", "Northwind", "Bluebird", "Cedar", "Summit", "Harbour", "Meridian",
                "Oakridge", "Pinnacle", "Riverside", "Sterling", "Thistle", "Vanguard",
                "Willow", "Beacon", "Copper", "Driftwood", "Evergreen", "Falcon", "Granite",
                "Hawthorn", "Ironbridge", "Juniper", "Kestrel", "Lakeside", "Marlow",
                "Nimbus", "Orchard", "Parkside", "Quayside", "Redwood", "Saffron", "Tamar",
                "Upland", "Valley", "Westbrook", "Yarrow", "Zenith", "Aldgate", "Brookfield")
    cores = ("Logistics", "Foods", "Retail", "Health", "Systems", "Hospitality", "Coffee",
             "Labs", "Hotels", "Offices", "Studios", "Fitness", "Motors", "Education",
             "Clinics", "Partners", "Kitchens", "Markets", "Energy", "Media", "Leisure",
             "Care", "Estates", "Dining", "Workspace", "Travel", "Bakeries", "Pharmacy",
             "Engineering", "Consulting")
    forms = ("Ltd", "plc", "Group", "& Co", "LLP")
    combos = len(prefixes) * len(cores) * len(forms)
    picks = r.permutation(combos)[:N_CUSTOMERS]
    names = []
    for c in picks.tolist():
        p, rest = divmod(c, len(cores) * len(forms))
        co, f = divmod(rest, len(forms))
        names.append(f"{prefixes[p]} {cores[co]} {forms[f]}")
    industries = ("Hospitality", "Retail", "Healthcare", "Education", "Corporate offices",
                  "Fitness", "Transport", "Public sector")
    ind_p = np.array([0.24, 0.18, 0.12, 0.10, 0.20, 0.06, 0.05, 0.05])
    sources = ("referral", "web", "partner", "outbound", "event", "paid search")
    src_p = np.array([0.22, 0.28, 0.16, 0.14, 0.08, 0.12])
    # 35% were customers before the history starts (over the year before);
    # the rest arrive over the history, more of them later (growth).
    pre = int(N_CUSTOMERS * 0.35)
    pre_days = r.integers(-365, 0, pre)
    u = r.random(N_CUSTOMERS - pre)
    new_days = np.floor(cal.total_days * u ** 0.8).astype(np.int64)
    created = np.sort(np.concatenate([pre_days, new_days]))
    ind = r.choice(len(industries), N_CUSTOMERS, p=ind_p)
    src = r.choice(len(sources), N_CUSTOMERS, p=src_p)
    rows = []
    for i in range(N_CUSTOMERS):
        d = cal.day0 + _dt.timedelta(days=int(created[i]))
        rows.append((i + 1, names[i], industries[ind[i]], sources[src[i]], d.isoformat()))
    conn.executemany("INSERT INTO customers(id, name, industry, source, created_at) "
                     "VALUES (?,?,?,?,?)", rows)
    # customers existing at the end of each day of the history
    return np.searchsorted(created, np.arange(cal.total_days), side="right").astype(np.int64)
