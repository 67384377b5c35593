"""Where the app keeps its own files (platformdirs), overridable for tests.

`EXECDASH_DATA_DIR` / `EXECDASH_CACHE_DIR` replace the per-user folders; the
user's data file itself is never placed or changed here.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from . import APP_NAME, ORG_NAME


def _dir(env: str, kind: str) -> Path:
    override = os.environ.get(env)
    if override:
        p = Path(override)
    else:
        import platformdirs

        p = Path(getattr(platformdirs, kind)(APP_NAME, ORG_NAME))
    p.mkdir(parents=True, exist_ok=True)
    return p


def user_data_dir() -> Path:
    return _dir("EXECDASH_DATA_DIR", "user_data_dir")


def user_cache_dir() -> Path:
    return _dir("EXECDASH_CACHE_DIR", "user_cache_dir")


def file_key(path: str | os.PathLike) -> str:
    """A short stable name for side files that belong to one data file."""
    return hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:20]


def demo_file() -> Path:
    return user_data_dir() / "demo-executive.sqlite"
