"""The presentation playlist: the dashboard and chosen drill-downs, in turn.

`QtPlaylist` only keeps time and position; it says which page is due with
`advanced(index, key)` and the window shows that page. Any key pauses it
(presentation.py), arrow keys and presenter clickers step through it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

DASHBOARD = "dashboard"


class QtPlaylist(QObject):
    advanced = Signal(int, str)  # index, page key ("dashboard" or a drill-down key)
    playingChanged = Signal(bool)

    def __init__(self, interval_ms: int = 30_000, parent: QObject | None = None):
        super().__init__(parent)
        self._items: list[str] = [DASHBOARD]
        self._index = 0
        self._playing = False
        self._timer = QTimer(self)
        self._timer.setObjectName("playlistTimer")
        self._timer.timeout.connect(self._on_timer_timeout)
        self.set_interval_ms(interval_ms)

    # -- what and how fast ------------------------------------------------------------------
    @property
    def items(self) -> list[str]:
        return list(self._items)

    @property
    def index(self) -> int:
        return self._index

    @property
    def current(self) -> str:
        return self._items[self._index]

    @property
    def playing(self) -> bool:
        return self._playing

    def interval_ms(self) -> int:
        return self._timer.interval()

    def set_interval_ms(self, ms: int) -> None:
        self._timer.setInterval(max(int(ms), 50))

    def set_items(self, keys: list[str]) -> None:
        """The pages, dashboard first; duplicates dropped; position back to the start."""
        seen: list[str] = [DASHBOARD]
        for k in keys:
            if k not in seen:
                seen.append(k)
        self._items = seen
        self._index = 0

    # -- playing --------------------------------------------------------------------------------
    def play(self) -> None:
        if len(self._items) < 2:  # nothing to cycle through
            self._set_playing(False)
            return
        self._timer.start()
        self._set_playing(True)

    def pause(self) -> None:
        self._timer.stop()
        self._set_playing(False)

    def toggle(self) -> None:
        self.pause() if self._playing else self.play()

    def stop(self) -> None:
        self.pause()
        self._index = 0

    def next(self) -> None:
        self._step(1)

    def previous(self) -> None:
        self._step(-1)

    def _step(self, by: int) -> None:
        self._index = (self._index + by) % len(self._items)
        if self._playing:
            self._timer.start()  # a full interval on the page just reached
        self.advanced.emit(self._index, self.current)

    def _on_timer_timeout(self) -> None:
        self._step(1)

    def _set_playing(self, on: bool) -> None:
        if on != self._playing:
            self._playing = on
            self.playingChanged.emit(on)
