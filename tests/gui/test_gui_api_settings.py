"""The embedded API reads the theme the window's own settings class writes."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from execdash_desktop.api.app import create_app
from execdash_desktop.packs.executive.demo import generate
from execdash_desktop.ui.services.settings import Settings

pytestmark = [pytest.mark.gui, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.mark.parametrize("theme", ["dark", "light", "system"])
def test_settings_route_reports_the_theme_the_window_saved(tmp_path, theme):
    db = tmp_path / "demo.sqlite"
    generate(db, end="2026-10", months=13, orders=500, seed=3)
    s = Settings()  # the user data folder the API reads too (EXECDASH_DATA_DIR, per test)
    s.theme = theme
    s.sync()
    with TestClient(create_app(db)) as c:
        r = c.get("/api/users/me/settings")
    assert r.status_code == 200 and r.json()["theme"] == theme
