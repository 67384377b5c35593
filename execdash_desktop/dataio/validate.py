"""Validating one sheet against its table's spec, a chunk at a time.

Types, NOT NULL, enums, CHECKs, unique and primary keys (within the file and
against the rows already in the data file) and foreign keys, all from the
TableSpec: nothing here knows any table by name. CHECKs other than enums are
evaluated by SQLite itself on a scratch copy of the chunk, so any expression
the schema can hold is checked exactly as the data file would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from .convert import convert, expected_of, same_key
from .report import Problem, ProblemLog
from .schema import TableSpec, _q


@dataclass(frozen=True)
class Checked:
    columns: tuple[str, ...]  # the table columns written, in order
    values: dict  # column -> list of Python values (None: NULL)
    good: object  # numpy bool mask of rows that passed
    blank: object  # numpy bool mask of empty rows (skipped, not counted)
    rows: object  # numpy array of spreadsheet row numbers


def evaluate_default(default_sql: str):
    conn = sqlite3.connect(":memory:")
    try:
        return conn.execute(f"SELECT {default_sql}").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        conn.close()


class TableValidator:
    """Checks one sheet's rows for one table; keys seen so far are remembered across chunks.

    `existing(cols)` gives the keys already in the data file for a unique key
    (empty when the table is being replaced); `parent_keys(fk)` the keys a
    foreign key may point at (the parent's rows, including those imported in
    this run).
    """

    def __init__(self, spec: TableSpec, mapping: dict[str, str | None], file: str, sheet: str | None,
                 log: ProblemLog, existing: Callable[[tuple[str, ...]], set],
                 parent_keys: Callable, check_existing: bool):
        self.spec, self.file, self.sheet, self.log = spec, file, sheet, log
        self.header_of = {c: h for h, c in mapping.items() if c}
        self.columns = tuple(c.name for c in spec.columns if c.name in self.header_of)
        self.defaults = {c.name: evaluate_default(c.default_sql) for c in spec.columns
                         if c.default_sql is not None}
        self.keys = [k for k in spec.unique_keys if all(c in self.header_of for c in k)]
        self.seen: dict[tuple[str, ...], set] = {k: set() for k in self.keys}
        self._existing, self._parent_keys, self.check_existing = existing, parent_keys, check_existing
        self.fks = [fk for fk in spec.foreign_keys if all(c in self.header_of for c in fk.columns)]
        self.checks = [c for c in spec.checks if c.columns]
        self._scratch = self._check_table() if self.checks else None
        self.fatal = False
        for c in spec.columns:
            if c.required and c.name not in self.header_of:
                self.fatal = True
                self._add("missing_column", None, c.name, None, "a column named " + c.name)
        for h, c in mapping.items():
            if c is None:
                self._add("unknown_column", None, h, None,
                          "one of the columns of " + spec.name, severity="warning")

    def _add(self, kind, row, column, value, expected, severity="error"):
        self.log.add(Problem(kind, self.file, self.sheet, row, column, value, expected,
                             self.spec.name, severity))

    def _check_table(self) -> sqlite3.Connection:
        conn = sqlite3.connect(":memory:")
        cols = ", ".join(f"{_q(c.name)} {c.decl}" for c in self.spec.columns)
        conn.execute(f"CREATE TABLE t (_row INTEGER, {cols})")
        return conn

    def close(self) -> None:
        if self._scratch is not None:
            self._scratch.close()

    # -- one chunk ---------------------------------------------------------------------
    def check(self, frame) -> Checked:
        import numpy as np

        n = len(frame)
        rows = frame.index.to_numpy()
        texts, empties = {}, {}
        blank = np.ones(n, dtype=bool)
        for header in frame.columns:
            arr = np.array([v.strip() for v in frame[header].tolist()], dtype=object)
            texts[header], empties[header] = arr, arr == "" if n else np.zeros(0, dtype=bool)
            blank &= empties[header]
        good = ~blank & (not self.fatal)
        values: dict[str, list] = {}
        for col in self.columns:
            spec = self.spec.column(col)
            header = self.header_of[col]
            s, empty = texts[header], empties[header]
            vals, bad = convert(spec.kind, s, empty)
            bad &= ~blank
            for i in bad.nonzero()[0].tolist():
                self._add("date" if spec.kind in ("date", "timestamp") else "type",
                          int(rows[i]), header, s[i], expected_of(spec.kind))
            if spec.enum:
                vals, bad_enum = self._enum(spec.enum, vals, bad | blank)
                for i in bad_enum:
                    self._add("enum", int(rows[i]), header, s[i], "one of " + ", ".join(spec.enum))
                    bad[i] = True
            e = empty & ~blank
            if col in self.defaults and e.any():
                d = self.defaults[col]
                for i in e.nonzero()[0].tolist():
                    vals[i] = d
            elif spec.not_null and not spec.rowid_alias and e.any():
                for i in e.nonzero()[0].tolist():
                    self._add("empty", int(rows[i]), header, None, "a value (this column cannot be empty)")
                    bad[i] = True
            good &= ~bad
            values[col] = vals
        if self.checks and n:
            good &= ~self._rule_failures(values, rows, good)
        for key in self.keys:
            good &= ~self._key_failures(key, values, rows, good)
        for fk in self.fks:
            good &= ~self._fk_failures(fk, values, rows, good)
        return Checked(self.columns, values, good, blank, rows)

    def _enum(self, accepted, vals, skip):
        """Values matched trimmed and case-insensitively, written as the schema spells them."""
        canon = {a.lower(): a for a in accepted}
        bad = []
        for i, v in enumerate(vals):
            if v is None or skip[i]:
                continue
            c = canon.get(str(v).lower())
            if c is None:
                bad.append(i)
            else:
                vals[i] = c
        return vals, bad

    def _rule_failures(self, values, rows, good):
        import numpy as np

        conn, fail = self._scratch, np.zeros(len(rows), dtype=bool)
        cols = [c.name for c in self.spec.columns]
        data = [values.get(c) or [self.defaults.get(c)] * len(rows) for c in cols]
        conn.execute("DELETE FROM t")
        conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * (len(cols) + 1))})",
                         zip(range(len(rows)), *data))
        for chk in self.checks:
            try:
                hits = conn.execute(f"SELECT _row FROM t WHERE NOT coalesce(({chk.sql}), 1)").fetchall()
            except sqlite3.Error:
                continue  # an expression SQLite cannot evaluate here: the data file will
            col = chk.columns[0]
            header = self.header_of.get(col, col)
            for (i,) in hits:
                if good[i]:
                    v = values.get(col, [None] * len(rows))[i]
                    self._add("check", int(rows[i]), header, None if v is None else str(v),
                              f"a value where {chk.sql}")
                    fail[i] = True
        return fail

    def exact(self, cols: tuple[str, ...]) -> bool:
        """Values of these columns are set members as they are (no 3.0 to make 3 of)."""
        return all(self.spec.column(c).kind in ("integer", "text", "date", "timestamp") for c in cols)

    def _keys_at(self, cols: tuple[str, ...], values, idx) -> list:
        """The key of each row in `idx` (a tuple for a compound key), as set members."""
        lists = [values[c] for c in cols]
        exact = self.exact(cols)
        if len(lists) == 1:
            col = lists[0]
            return [col[i] for i in idx] if exact else [same_key(col[i]) for i in idx]
        if exact:
            return [tuple(c[i] for c in lists) for i in idx]
        return [tuple(same_key(c[i]) for c in lists) for i in idx]

    @staticmethod
    def _has_null(k) -> bool:
        return k is None or (isinstance(k, tuple) and None in k)

    @staticmethod
    def _shown(k) -> str:
        return ", ".join(map(str, k)) if isinstance(k, tuple) else str(k)

    def _key_failures(self, key, values, rows, good):
        import numpy as np

        fail = np.zeros(len(rows), dtype=bool)
        seen = self.seen[key]
        existing = self._existing(key) if self.check_existing else set()
        idx = good.nonzero()[0].tolist()
        ks = self._keys_at(key, values, idx)
        # SQL lets NULLs repeat in a unique key
        present = [k for k in ks if k is not None] if len(key) == 1 else [k for k in ks if None not in k]
        fresh = set(present)
        if len(fresh) == len(present) and fresh.isdisjoint(seen) and fresh.isdisjoint(existing):
            seen |= fresh  # the common case, decided at C speed
            return fail
        label = ", ".join(self.header_of[c] for c in key)
        for i, k in zip(idx, ks):
            if self._has_null(k):
                continue
            if k in seen:
                self._add("duplicate", int(rows[i]), label, self._shown(k), "a value not used by an earlier row")
                fail[i] = True
            elif k in existing:
                self._add("exists", int(rows[i]), label, self._shown(k),
                          "a value not already in the file (to change those rows, import as an update)")
                fail[i] = True
            else:
                seen.add(k)
        return fail

    def _fk_failures(self, fk, values, rows, good):
        import numpy as np

        fail = np.zeros(len(rows), dtype=bool)
        parents = self._parent_keys(fk)
        idx = good.nonzero()[0].tolist()
        ks = self._keys_at(fk.columns, values, idx)
        wanted = set(ks)
        wanted.discard(None)
        if len(fk.columns) > 1:
            wanted = {k for k in wanted if None not in k}
        if wanted <= parents:
            return fail
        label = ", ".join(self.header_of[c] for c in fk.columns)
        target = f"{fk.parent} ({', '.join(fk.parent_columns)})"
        for i, k in zip(idx, ks):
            if not self._has_null(k) and k not in parents:
                self._add("foreign_key", int(rows[i]), label, self._shown(k), f"a value found in {target}")
                fail[i] = True
        return fail
