"""Where the app keeps its own files (platformdirs), overridable for tests.

`EXECDASH_DATA_DIR` / `EXECDASH_CACHE_DIR` replace the per-user folders; the
user's data file itself is never placed or changed here.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from . import APP_NAME, ORG_NAME


def _dir(env: str, kind: str) -> Path:
    p = _folder(os.environ.get(env) or None, kind)
    p.mkdir(parents=True, exist_ok=True)  # every time: a folder removed meanwhile comes back
    return p


@functools.lru_cache(maxsize=16)
def _folder(override: str | None, kind: str) -> Path:
    # cached: each metrics write asks for it three times (platformdirs is ~0.1 ms)
    if override:
        return Path(override)
    import platformdirs

    return Path(getattr(platformdirs, kind)(APP_NAME, ORG_NAME))


def user_data_dir() -> Path:
    return _dir("EXECDASH_DATA_DIR", "user_data_dir")


def user_cache_dir() -> Path:
    return _dir("EXECDASH_CACHE_DIR", "user_cache_dir")


def file_key(path: str | os.PathLike) -> str:
    """A short stable name for side files that belong to one data file."""
    text = os.fspath(path)
    if os.path.isabs(text):
        return _abs_file_key(text)
    return _key_of(str(Path(text).resolve()))


@functools.lru_cache(maxsize=64)
def _abs_file_key(text: str) -> str:
    # cached per absolute path: resolving costs ~0.1 ms and runs on every metrics write
    # (a symlink re-pointed while the app runs keeps the key it had, as an open file would)
    return _key_of(str(Path(text).resolve()))


def _key_of(resolved: str) -> str:
    return hashlib.sha256(resolved.encode()).hexdigest()[:20]


def demo_file() -> Path:
    return user_data_dir() / "demo-executive.sqlite"
