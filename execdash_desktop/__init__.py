"""ExecDash Desktop: the Qt-free core (store, packs, metrics, command line)."""

from importlib import metadata as _metadata

APP_NAME = "ExecDash"
ORG_NAME = "ExecDash"
ORG_DOMAIN = "execdash.example"

try:
    __version__ = _metadata.version("execdash-desktop")
except _metadata.PackageNotFoundError:  # running from a source tree or a frozen bundle
    __version__ = "0.1.0"

# In a source checkout (editable install, PyInstaller analysis), ui/, data/ and
# resources/ sit beside this package at the repository root; a built wheel maps
# them under it (pyproject's package-dir). setuptools' editable finder only maps
# top-level packages, so let the root stand in as a second package directory.
def _add_source_root() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "ui" / "__init__.py").is_file():
        __path__.append(str(root))  # type: ignore[name-defined]


_add_source_root()
del _add_source_root
