"""Matching a spreadsheet's headers and sheet names to a schema's names.

`Order Date`, `orderDate`, `ORDER_DATE` and `order-date` all mean `order_date`:
names are compared case-, space- and camelCase-insensitively.
"""

from __future__ import annotations

import re

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEP = re.compile(r"[^0-9a-z]+")
_COPY = re.compile(r"\s*\(\d+\)$")  # "orders (2)": a continuation sheet of a long table


def snake(name: str) -> str:
    """`Order Date` / `orderDate` / `OrderID` -> `order_date` / `order_date` / `order_id`."""
    s = _CAMEL.sub("_", str(name).strip())
    return _SEP.sub("_", s.lower()).strip("_")


def squash(name: str) -> str:
    return snake(name).replace("_", "")


def match_columns(headers: list[str], columns: list[str], table: str = "") -> dict[str, str | None]:
    """File header -> table column (None: no column of that name); each column used once.

    A header may carry the table's own name: `Order ID` in orders is `id`,
    `Customer Name` in customers is `name`.
    """
    by_snake = {snake(c): c for c in columns}
    by_squash = {squash(c): c for c in columns}
    own = squash(table).rstrip("s")
    out: dict[str, str | None] = {}
    used: set[str] = set()
    for h in headers:
        key = squash(h)
        c = by_snake.get(snake(h)) or by_squash.get(key)
        if c is None and own and key.startswith(own):
            c = by_squash.get(key[len(own):])
        if c in used:
            c = None
        out[h] = c
        if c:
            used.add(c)
    return out


def match_table(name: str, tables: list[str]) -> str | None:
    """A file stem or sheet name -> the table it names (plural-insensitive), else None."""
    key = squash(_COPY.sub("", name))
    if not key:
        return None
    for t in tables:
        if squash(t) == key:
            return t
    for t in tables:  # `Order` for `orders`, `Customers` for `customer`
        if squash(t).rstrip("s") == key.rstrip("s"):
            return t
    if len(name) == 31:  # Excel's sheet-name limit cut a long table name
        hits = [t for t in tables if squash(t).startswith(key)]
        if len(hits) == 1:
            return hits[0]
    return None
