"""ExecDash Desktop: the Qt-free core (store, packs, metrics, command line)."""

import os

APP_NAME = "ExecDash"
ORG_NAME = "ExecDash"
ORG_DOMAIN = "execdash.example"

# numpy's OpenBLAS starts a thread per core when numpy is imported (~50 ms of CPU, and a cold
# `execdash kpis` imports numpy while the Commerce scans use both cores); the app does no linear
# algebra big enough to gain from them. A user's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def __getattr__(name: str) -> str:
    """`__version__`, read on first use: importlib.metadata costs every command a tenth of a second
    at start (`execdash kpis` as a whole process has 400 ms)."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import metadata

    try:
        __version__ = metadata.version("execdash-desktop")
    except metadata.PackageNotFoundError:  # running from a source tree or a frozen bundle
        __version__ = "0.1.0"
    globals()["__version__"] = __version__
    return __version__

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
