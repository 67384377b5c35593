"""The repository layout holds: a Qt-free core, and nothing generic in site-packages."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QT_IMPORT = re.compile(r"^\s*(from|import)\s+(PySide6|shiboken6|pyqtgraph|superqt|qtpy|qtawesome)\b"
                       r"|^\s*from\s+\.+ui\b|^\s*(from|import)\s+execdash_desktop\.ui\b", re.M)


def test_core_files_import_no_qt_and_no_ui():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "execdash_desktop").rglob("*.py")
                 if QT_IMPORT.search(p.read_text("utf-8"))]
    assert offenders == []


def test_every_package_directory_is_listed_in_pyproject():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    listed = set(cfg["packages"])
    mapping = {v: k for k, v in cfg["package-dir"].items()}
    found = set()
    for init in ROOT.glob("*/**/__init__.py"):
        rel = init.parent.relative_to(ROOT)
        top = rel.parts[0]
        if top not in mapping:
            continue
        found.add(".".join([mapping[top], *rel.parts[1:]]))
    assert found - listed == set(), "add these to [tool.setuptools] packages"


def test_wheel_puts_ui_and_data_under_the_package(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops <= {"execdash_desktop", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    assert "execdash_desktop/ui/__init__.py" in names
    assert "execdash_desktop/data/init_schema.sql" in names
