"""pyqtgraph axes that keep the drawings of their last few states.

An axis redraws itself (pyqtgraph: tick values, labels and their sizes, in Python)
whenever its range or ticks change. The trend chart's axes go back and forth between
two states on a month <-> quarter switch, so they keep a few finished drawings
(QPictures) keyed by everything the drawing depends on, and replay one instead of
drawing it again (the axes were ~3.5 ms of a ~14 ms switch).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFont, QPicture

KEEP = 4  # drawings kept per axis: month and quarter, at the current and one other size


def _plain(v):
    return v.toString() if isinstance(v, QFont) else v


class QtCachedAxis(pg.AxisItem):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pictures: dict[str, QPicture] = {}

    def _drawing_key(self) -> str:
        """Everything the drawing depends on, as text (some of it lists, which a dict key cannot be)."""
        view = self.linkedView()
        grid_span = view.geometry().getRect() if view is not None else None  # the grid lines cross the view
        pen, text = self.pen(), self.textPen()
        return repr((tuple(self.range), self.logMode, self.boundingRect().getRect(), grid_span, self._tickLevels,
                self._tickSpacing,
                self._tickDensity, self.scale, self.grid, getattr(self, "unit", None),
                self.labelText, self.labelUnits, self.autoSIPrefixScale,
                pen.color().rgba(), pen.widthF(), pen.style(), text.color().rgba(),
                sorted((k, _plain(v)) for k, v in self.style.items())))

    def paint(self, p, opt, widget):
        if self.picture is None:
            key = self._drawing_key()
            kept = self._pictures.get(key)
            if kept is None:
                super().paint(p, opt, widget)  # draws self.picture and plays it
                self._pictures[key] = self.picture
                while len(self._pictures) > KEEP:
                    del self._pictures[next(iter(self._pictures))]
                return
            self.picture = kept
        self.picture.play(p)
