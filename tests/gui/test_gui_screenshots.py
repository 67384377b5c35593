"""Screenshots under a real X server (Xvfb) at 1920x1080 and 1024x768: the Executive
dashboard, presentation mode, and a file with two dashboards (the Engineering page)."""

from __future__ import annotations

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
                       # a file with two dashboards: the sidebar, and the Engineering page top and bottom
                       ("two-dashboards-1920x1080-executive", (1920, 1080)),
                       ("two-dashboards-1024x768-executive", (1024, 768)),
                       ("engineering-1920x1080-light", (1920, 1080)),
                       ("engineering-1920x1080-light-lower", (1920, 1080)),
                       ("engineering-1024x768-light", (1024, 768)),
                       ("engineering-1024x768-light-lower", (1024, 768))):
        img = QImage(str(OUT / f"{name}.png"))
        assert not img.isNull(), name
        assert (img.width(), img.height()) == size, name
        # not a blank frame: the dashboard has many distinct colours
        colours = {img.pixel(x, y) for x in range(0, img.width(), 37) for y in range(0, img.height(), 29)}
        assert len(colours) > 20, name
