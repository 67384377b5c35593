"""The dashboard declarations and the registry (execdash_desktop.dashboards)."""

from __future__ import annotations

import sqlite3

import pytest

from execdash_desktop import dashboards as dsh
from execdash_desktop.dashboards.spec import KpiCard


def test_every_dashboard_declares_a_consistent_spec():
    seen = set()
    for d in dsh.all_dashboards():
        assert d.name not in seen
        seen.add(d.name)
        assert d.api_route == f"/api/{d.name}-dashboard"
        keys = [k.key for k in d.kpis]
        assert len(keys) == len(set(keys))
        assert set(d.card_drilldown.values()) <= set(d.drilldown_titles)
        assert set(d.board_pack.drilldowns) <= set(d.drilldown_titles)
        assert {p.name for p in d.panels}, d.name


def test_executive_cards_agree_with_its_kpi_functions():
    from execdash_desktop.packs.executive.kpis import KPIS

    d = dsh.get("executive")
    assert [(k.key, k.label, k.polarity) for k in d.kpis] == [(s.key, s.label, s.better) for s in KPIS]
    assert [k.key for k in d.tier("card")] == [s.key for s in KPIS[:6]]


def test_a_bad_declaration_is_refused():
    with pytest.raises(ValueError, match="format"):
        KpiCard("x", "X", "money", "up")
    with pytest.raises(ValueError, match="polarity"):
        KpiCard("x", "X", "count", "sideways")


def test_unknown_dashboard_names_the_known_ones():
    with pytest.raises(KeyError, match="executive"):
        dsh.get("nope")


def test_dashboards_in_a_file_and_its_tables(tmp_path):
    from execdash_desktop.store import create_schema, table_names

    f = tmp_path / "x.db"
    conn = sqlite3.connect(f)
    create_schema(conn)
    conn.commit()
    tables = table_names(conn)
    conn.close()
    assert [d.name for d in dsh.dashboards_in(f)] == ["executive"]
    assert [d.name for d in dsh.dashboards_in(tables)] == ["executive"]
    assert dsh.dashboards_in({"orders"}) == []
    assert dsh.default_for({"orders"}).name == "executive"
    held = {h.dashboard.name: h for h in dsh.holdings(f)}
    assert held["executive"].present and not held["executive"].missing


def test_import_contracts_hold():
    """The core never imports a pack (only the registry names them); packs never import each other."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.skip("import-linter is not installed in this environment")
    r = subprocess.run([str(exe)], cwd=root, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(root)})
    assert r.returncode == 0, r.stdout[-2000:]
    assert "A dashboard pack never imports another KEPT" in r.stdout
    assert "only through the registry" in r.stdout


def test_registry_lists_both_dashboards_and_tells_a_file_apart():
    assert dsh.names() == ("executive", "engineering", "commerce")
    assert [d.name for d in dsh.dashboards_in({"bugs"})] == ["engineering"]
    assert dsh.default_for({"bugs"}).name == "engineering"
    assert dsh.default_for({"bugs", "revenue_trend"}).name == "executive"


def test_engineering_source_names_map_prisma_to_the_schema():
    d = dsh.get("engineering")
    assert d.source_name("Bug") == "bugs" and d.source_name("BugHistory") == "bug_history"
    assert d.source_name("Bug", "assignedToId") == "assigned_to"
    assert d.source_name("Bug", "revenueImpact") == "revenue_impact_daily"
    assert d.source_name("Bug", "bugNumber") == "bug_number" and d.source_name("Bug", "isBlocker") == "is_blocker"
    assert d.source_name("BugHistory", "changedById") == "changed_by"
    assert d.source_name("Project", "somYear3") == "som_year3" and d.source_name("Project", "id") == "id"
    # every mapped name is a real column of the schema
    import sqlite3

    from execdash_desktop.packs.engineering.demo import create_schema

    conn = sqlite3.connect(":memory:")
    create_schema(conn)
    for table, cols in d.source_columns.items():
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        assert set(cols.values()) <= have, table
