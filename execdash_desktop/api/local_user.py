"""The local user and the app's settings, as /api/users/me and /api/users/me/settings tell them.

A desktop app has one user: the OS account running it. No e-mail, avatar or
phone is invented; those are null. Settings are the window's own (its theme
in the settings file the window writes, its fixed date format), read without
Qt: the file is QSettings' INI format.
"""

from __future__ import annotations

import configparser
import getpass
import os
from datetime import datetime
from pathlib import Path

from ..paths import user_data_dir

THEMES = ("system", "light", "dark")
# format.short_date / month_name: '9 Oct 2026', 'Oct 2026'; the app shows no clock times
DATE_FORMAT = "D MMM YYYY"
TIME_FORMAT = "HH:mm"


def _account() -> str:
    try:
        return getpass.getuser() or "local"
    except Exception:  # no LOGNAME/USER and no passwd entry (a bare container)
        return "local"


def _full_name(account: str) -> str:
    try:
        import pwd

        gecos = pwd.getpwnam(account).pw_gecos.split(",")[0].strip()
        return gecos or account
    except Exception:  # Windows, or no passwd entry
        return account


def _timezone() -> str:
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz:
        return tz
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return datetime.now().astimezone().tzname() or "UTC"


def me() -> dict:
    account = _account()
    return {"id": account, "name": _full_name(account), "email": None, "avatar_url": None,
            "role": "local user", "department": None, "phone": None, "timezone": _timezone(),
            "created_at": None, "updated_at": None}


def theme(path: Path | None = None) -> str:
    """The window's theme setting ([view] theme in settings.ini); 'system' if unset or unreadable."""
    cp = configparser.ConfigParser(interpolation=None)
    try:
        cp.read(path or user_data_dir() / "settings.ini", encoding="utf-8")
        value = cp.get("view", "theme", fallback="system").strip().strip('"')
    except (configparser.Error, OSError, UnicodeDecodeError):
        return "system"
    return value if value in THEMES else "system"


def settings() -> dict:
    return {"theme": theme(), "notifications_enabled": False, "email_notifications": False,
            "language": "en", "date_format": DATE_FORMAT, "time_format": TIME_FORMAT}
