"""A small typed wrapper over QSettings: what the window remembers.

Kept in an INI file in the user data folder (`paths.user_data_dir()`), so
tests and benchmarks that point `EXECDASH_DATA_DIR` elsewhere never see the
user's settings. KPI definitions and thresholds are core configuration, not
settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from execdash_desktop import months as mo
from execdash_desktop.paths import file_key, user_data_dir

MAX_RECENT = 8
DEFAULT_RANGE = "12m"
DEFAULT_GRANULARITY = "month"


# the unusual-months sensitivity levels (anomalies.SENSITIVITY) and their menu words
UNUSUAL_MONTHS = {"off": "Off", "normal": "Normal", "sensitive": "Sensitive"}


@dataclass(frozen=True)
class ViewState:
    """The dashboard's controls for one file."""

    range: str = DEFAULT_RANGE
    granularity: str = DEFAULT_GRANULARITY
    as_of: str | None = None  # None: the latest month of the file

    def with_(self, **changes) -> "ViewState":
        return ViewState(**{**self.__dict__, **changes})


class Settings:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else user_data_dir() / "settings.ini"
        self._s = QSettings(str(self.path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self._s.sync()

    # -- files --------------------------------------------------------------------------
    @property
    def last_file(self) -> str | None:
        v = self._s.value("files/last", None)
        return str(v) if v else None

    @last_file.setter
    def last_file(self, path: str | None) -> None:
        self._s.setValue("files/last", path or "")

    @property
    def recent_files(self) -> list[str]:
        v = self._s.value("files/recent", [])
        if isinstance(v, str):
            v = [v] if v else []
        return [str(p) for p in (v or []) if p]

    def add_recent(self, path: str) -> None:
        path = str(path)
        items = [path] + [p for p in self.recent_files if p != path]
        self._s.setValue("files/recent", items[:MAX_RECENT])
        self.last_file = path

    def clear_recent(self) -> None:
        self._s.setValue("files/recent", [])

    # -- per-file (and per-dashboard) view state ---------------------------------------------
    @staticmethod
    def _group(path: str, dashboard: str = "executive") -> str:
        # the Executive dashboard keeps the group it always had (settings of older versions)
        base = f"file-{file_key(path)}"
        return base if dashboard == "executive" else f"{base}-{dashboard}"

    def view_state(self, path: str, dashboard: str = "executive") -> ViewState:
        group = self._group(path, dashboard)
        rng = str(self._s.value(f"{group}/range", DEFAULT_RANGE))
        gran = str(self._s.value(f"{group}/granularity", DEFAULT_GRANULARITY))
        as_of = self._s.value(f"{group}/as_of", "") or None
        if rng not in mo.RANGES:
            rng = DEFAULT_RANGE
        if gran not in mo.GRANULARITIES:
            gran = DEFAULT_GRANULARITY
        if as_of is not None and dashboard == "executive" and mo.parse_month(str(as_of)) is None:
            as_of = None
        return ViewState(rng, gran, str(as_of) if as_of else None)

    def set_view_state(self, path: str, state: ViewState, dashboard: str = "executive") -> None:
        group = self._group(path, dashboard)
        self._s.setValue(f"{group}/path", str(path))
        self._s.setValue(f"{group}/range", state.range)
        self._s.setValue(f"{group}/granularity", state.granularity)
        self._s.setValue(f"{group}/as_of", state.as_of or "")

    def open_drilldowns(self, path: str, dashboard: str = "executive") -> list[str]:
        """The drill-down tabs that were open on this file and dashboard, in tab order."""
        v = str(self._s.value(f"{self._group(path, dashboard)}/drilldowns", "") or "")
        return [k for k in v.split(",") if k]

    def set_open_drilldowns(self, path: str, keys: list[str], dashboard: str = "executive") -> None:
        self._s.setValue(f"{self._group(path, dashboard)}/drilldowns", ",".join(keys))

    def current_dashboard(self, path: str) -> str | None:
        """The dashboard that was in view when this file was last shown."""
        v = self._s.value(f"{self._group(path)}/dashboard", "")
        return str(v) if v else None

    def set_current_dashboard(self, path: str, name: str) -> None:
        self._s.setValue(f"{self._group(path)}/dashboard", name)

    # -- app preferences ------------------------------------------------------------------
    def _bool(self, key: str, default: bool) -> bool:
        v = self._s.value(key, default)
        if isinstance(v, str):
            return v.lower() in ("1", "true", "yes", "on")
        return bool(v)

    @property
    def full_refresh(self) -> bool:
        """Re-query everything every 60 s (seed 001: optional full refresh)."""
        return self._bool("refresh/full_every_60s", False)

    @full_refresh.setter
    def full_refresh(self, on: bool) -> None:
        self._s.setValue("refresh/full_every_60s", bool(on))

    @property
    def unusual_months(self) -> str:
        """How readily months are ringed as unusual: off | normal | sensitive."""
        v = str(self._s.value("view/unusual_months", "normal"))
        return v if v in UNUSUAL_MONTHS else "normal"

    @unusual_months.setter
    def unusual_months(self, level: str) -> None:
        self._s.setValue("view/unusual_months", level if level in UNUSUAL_MONTHS else "normal")

    @property
    def theme(self) -> str:
        v = str(self._s.value("view/theme", "system"))
        return v if v in ("system", "light", "dark") else "system"

    @theme.setter
    def theme(self, mode: str) -> None:
        self._s.setValue("view/theme", mode)

    # -- presentation ---------------------------------------------------------------------
    @property
    def playlist_interval_s(self) -> int:
        """Seconds per page of the presentation playlist (5-600; default 30)."""
        try:
            v = int(self._s.value("presentation/interval_s", 30))
        except (TypeError, ValueError):
            return 30
        return min(max(v, 5), 600)

    @playlist_interval_s.setter
    def playlist_interval_s(self, seconds: int) -> None:
        self._s.setValue("presentation/interval_s", int(seconds))

    @property
    def playlist(self) -> list[str] | None:
        """Drill-down keys the playlist shows after the dashboard; None: the open tabs."""
        v = self._s.value("presentation/playlist", None)
        if v is None:
            return None
        if isinstance(v, str):
            v = [k for k in v.split(",") if k]
        return [str(k) for k in v]

    @playlist.setter
    def playlist(self, keys: list[str] | None) -> None:
        if keys is None:
            self._s.remove("presentation/playlist")
        else:
            self._s.setValue("presentation/playlist", ",".join(keys))

    @property
    def geometry(self) -> QByteArray | None:
        v = self._s.value("window/geometry", None)
        return v if isinstance(v, QByteArray) and not v.isEmpty() else None

    @geometry.setter
    def geometry(self, data: QByteArray) -> None:
        self._s.setValue("window/geometry", QByteArray(data))
