"""Frame stamping for the window benchmarks: how long the GUI thread's event loop turns take.

`FrameClock` runs a 10 ms precise timer on the GUI thread that stamps (wall,
GUI-thread CPU) on each turn: a "frame" is the time between two stamps. Qt
paints what changed in between, as in use; with `repaint=True` the clock also
repaints the whole window on every tick (7-15 ms of GUI-thread CPU each on a
dashboard page: a harsher measure than use, which never repaints it all that way). With `where=True` a sampling thread also notes every
millisecond where the GUI thread is in Python (file:line function of the
innermost frames in the app), so a long frame can be blamed on its code;
the sampler takes the interpreter lock itself, so use it to find causes,
not for the figures.
"""

from __future__ import annotations

import collections
import statistics
import sys
import threading
import time

LIMIT_MS = 50.0


def _where(frame) -> str:
    """The innermost app frames of a stack, outermost last: 'page.py:120 _build < view.py:40 __init__'."""
    out = []
    f = frame
    while f is not None and len(out) < 3:
        name = f.f_code.co_filename
        if "execdash_desktop" in name or "/ui/" in name or "pyqtgraph" in name:
            out.append(f"{name.rsplit('/', 1)[-1]}:{f.f_lineno} {f.f_code.co_name}")
        f = f.f_back
    if not out:
        out.append(f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_lineno} {frame.f_code.co_name}")
    return " < ".join(out)


class FrameClock:
    def __init__(self, window, where: bool = False, repaint: bool = False):
        from PySide6.QtCore import Qt, QTimer

        self.window = window
        self.stamps: list[tuple[float, float]] = []
        self.samples: list[tuple[float, str]] = []
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)
        self._where = where
        self._repaint = repaint
        self._stop = threading.Event()
        self._main = threading.main_thread().ident

    def _tick(self) -> None:
        if self._repaint:
            self.window.repaint()
        self.stamps.append((time.perf_counter(), time.thread_time()))

    def _sample(self) -> None:
        me = threading.get_ident()
        while not self._stop.is_set():
            frames = sys._current_frames()
            now = time.perf_counter()
            for ident, frame in frames.items():
                if ident == self._main:
                    self.samples.append((now, _where(frame)))
                elif ident != me:
                    self.samples.append((now, "worker: " + _where(frame)))
            del frames
            time.sleep(0.001)

    def start(self) -> None:
        # the first frame runs from the start (the click), not from the first tick: what the
        # click's own handlers and the events queued before that tick cost counts as a frame
        self.stamps.append((time.perf_counter(), time.thread_time()))
        self._timer.start()
        if self._where:
            threading.Thread(target=self._sample, daemon=True).start()

    def stop(self) -> None:
        self._timer.stop()
        self._stop.set()

    def summary(self, t0: float, list_ms: float = LIMIT_MS) -> dict:
        """The frames' figures; `long_frames` lists those over `list_ms`."""
        s = self.stamps
        frames = [((b[0] - a[0]) * 1000, (b[1] - a[1]) * 1000) for a, b in zip(s, s[1:])]
        long = []
        for a, b in zip(s, s[1:]):
            if (b[0] - a[0]) * 1000 <= list_ms:
                continue
            row = [round((a[0] - t0) * 1000), round((b[0] - a[0]) * 1000), round((b[1] - a[1]) * 1000)]
            if self._where:
                seen = collections.Counter(w for t, w in self.samples if a[0] <= t <= b[0])
                row.append([f"{n}x {w}" for w, n in seen.most_common(6)])
            long.append(row)
        worst = max(frames, default=(0.0, 0.0))
        walls = sorted(f[0] for f in frames) or [0.0]
        return {"frames": len(frames), "median_ms": statistics.median(walls),
                "p99_ms": walls[min(len(walls) - 1, int(len(walls) * 0.99))], "max_ms": worst[0],
                "max_frame_gui_cpu_ms": worst[1], "over_50": sum(1 for w in walls if w > LIMIT_MS),
                "long_frames": long}  # (ms after t0, frame ms, GUI-thread CPU ms[, where])


def print_long_frames(results: list[dict]) -> None:
    """Each run's long frames: when (ms after the start), how long, the GUI thread's own CPU."""
    for i, r in enumerate(results, 1):
        for row in r.get("long_frames", []):
            print(f"  run {i}: at {row[0]:>6} ms  frame {row[1]:>4} ms  GUI CPU {row[2]:>4} ms")
            for w in (row[3] if len(row) > 3 else []):
                print(f"        {w}")
