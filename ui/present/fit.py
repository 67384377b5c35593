"""Does a slide fit its screen? The checks the fit test and the screenshots tool run.

A slide fits when nothing needs scrolling (no scroll area can move, no scroll
bar shows), every visible widget lies inside the window and inside its parent
(else part of it is clipped), no label's one-line text is wider than the label
(cut or elided), and nothing on it is a control (a projector is watched, not
clicked) apart from the presenter bar.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QComboBox, QLabel, QScrollBar,
                               QWidget)

CONTROLS = (QAbstractButton, QComboBox)


def _name(w: QWidget) -> str:
    text = w.text() if isinstance(w, (QLabel, QAbstractButton)) else ""
    return f"{type(w).__name__}({w.objectName() or ''}{': ' + repr(text[:30]) if text else ''})"


def _skip(w: QWidget, root: QWidget, excluded: tuple[QWidget, ...]) -> bool:
    p = w
    while p is not None and p is not root:
        if p in excluded:
            return True
        p = p.parentWidget()
    return False


def fit_problems(root: QWidget, excluded: tuple[QWidget, ...] = ()) -> list[str]:
    """What does not fit in `root` (a window or a page), one line each; [] when it all fits.
    Widgets inside `excluded` (the presenter bar) are not checked."""
    problems: list[str] = []
    screen = root.rect()
    for w in root.findChildren(QWidget):
        if not w.isVisible() or not w.isVisibleTo(root) or _skip(w, root, excluded):
            continue
        if w.width() <= 0 or w.height() <= 0:
            continue
        r = QRect(w.mapTo(root, w.rect().topLeft()), w.size())
        if not screen.adjusted(-1, -1, 1, 1).contains(r):
            problems.append(f"{_name(w)} at {r.x()},{r.y()} {r.width()}x{r.height()} is outside the "
                            f"{screen.width()}x{screen.height()} screen")
        parent = w.parentWidget()
        if parent is not None and parent is not root and not isinstance(parent, QAbstractScrollArea) \
                and not parent.rect().adjusted(-1, -1, 1, 1).contains(w.geometry()):
            problems.append(f"{_name(w)} is cut by its parent {_name(parent)}")
        if isinstance(w, QScrollBar):
            problems.append(f"a scroll bar shows in {_name(parent) if parent else 'the window'}")
        elif isinstance(w, QAbstractScrollArea):
            for bar, axis in ((w.verticalScrollBar(), "down"), (w.horizontalScrollBar(), "across")):
                if bar.maximum() > bar.minimum():
                    problems.append(f"{_name(w)} scrolls {axis} ({bar.maximum() - bar.minimum()} px)")
        elif isinstance(w, QLabel) and not w.wordWrap() and w.text() and w.pixmap().isNull():
            need = w.fontMetrics().horizontalAdvance(w.text())
            room = w.contentsRect().width()
            if "<" not in w.text() and need > room + 1:
                problems.append(f"{_name(w)} is cut: needs {need} px, has {room}")
        if isinstance(w, CONTROLS):
            problems.append(f"a control on the slide: {_name(w)}")
    return problems
