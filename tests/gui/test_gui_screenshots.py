"""Screenshots under a real X server (Xvfb): the window at 1920x1080, 1024x768 and 1093x614
(a 1366x768 laptop at 125%), every presentation slide at 1024x768, 1280x720, 1366x768
and 1920x1080, each slide checked to fit its screen (ui/present/fit.py), and a file with
two dashboards (the sidebar, the Engineering page)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "artifacts" / "screenshots"


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")
def test_screenshots_at_both_sizes():
    from PySide6.QtGui import QImage

    out = subprocess.run([sys.executable, str(ROOT / "tools" / "screenshots.py"), "--out", str(OUT),
                          "--themes", "light,dark"], capture_output=True, text=True, timeout=480)
    assert out.returncode == 0, out.stdout + out.stderr
    for name, size in (("dashboard-1920x1080-light", (1920, 1080)), ("dashboard-1024x768-light", (1024, 768)),
                       ("dashboard-1920x1080-dark", (1920, 1080)), ("dashboard-1024x768-dark", (1024, 768)),
                       ("drilldown-finance-revenue-1920x1080-light", (1920, 1080)),
                       # presentation mode fills a projector's whole screen
                       ("presentation-1024x768-dashboard", (1024, 768)),
                       ("presentation-1024x768-finance-nrr", (1024, 768)),
                       ("presentation-1024x768-bar", (1024, 768)),
                       ("presentation-1920x1080-dashboard", (1920, 1080)),
                       ("dashboard-1093x614-light", (1093, 614)),
                       ("presentation-1280x720-sales-pipeline", (1280, 720)),
                       ("presentation-1366x768-dashboard", (1366, 768)),
                       # a file with two dashboards: the sidebar, and the Engineering page top and bottom
                       ("two-dashboards-1920x1080-executive", (1920, 1080)),
                       ("two-dashboards-1024x768-executive", (1024, 768)),
                       ("engineering-1920x1080-light", (1920, 1080)),
                       ("engineering-1920x1080-light-lower", (1920, 1080)),
                       ("engineering-1024x768-light", (1024, 768)),
                       ("engineering-1024x768-light-lower", (1024, 768)),
                       ("commerce-1920x1080-light", (1920, 1080)),
                       ("commerce-1920x1080-light-lower", (1920, 1080)),
                       ("commerce-1024x768-light", (1024, 768)),
                       ("commerce-1024x768-light-lower", (1024, 768))):
        img = QImage(str(OUT / f"{name}.png"))
        assert not img.isNull(), name
        assert (img.width(), img.height()) == size, name
        # not a blank frame: the dashboard has many distinct colours
        colours = {img.pixel(x, y) for x in range(0, img.width(), 37) for y in range(0, img.height(), 29)}
        assert len(colours) > 20, name

    # every slide at every projector size fits: nothing cut, scrolled or clickable
    from execdash_desktop.packs.executive.drilldowns import DRILLDOWNS

    for size in ("1024x768", "1280x720", "1366x768", "1920x1080"):
        fit = json.loads((OUT / f"fit-{size}.json").read_text())
        assert set(fit) == {"dashboard", *DRILLDOWNS}, size
        assert {k: v for k, v in fit.items() if v} == {}, size
