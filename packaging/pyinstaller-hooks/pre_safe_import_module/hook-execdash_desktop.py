"""Map execdash_desktop.ui / .data / .resources to the repository root for the analysis.

In a source checkout ui/, data/ and resources/ sit at the root and
execdash_desktop/__init__.py appends the root to the package's __path__ at run
time (pyproject's package-dir does the same mapping in a wheel). PyInstaller's
module graph does not run that code, so tell it about the extra package path.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def pre_safe_import_module(api):
    api.append_package_path(str(ROOT))
