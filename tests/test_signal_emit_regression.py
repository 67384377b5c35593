"""PySide6 6.12.0 leaks a reference to True on every Signal.emit() and aborts the
process after a few thousand emits; pyproject pins <6.12. This holds the pin."""

import pytest

pytestmark = pytest.mark.gui


def test_fifty_thousand_emits_from_python():
    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        fired = Signal(bool, int)

    seen = []
    e = Emitter()
    e.fired.connect(lambda flag, i: seen.append(i) if i % 10_000 == 0 else None)
    for i in range(50_000):
        e.fired.emit(True, i)
    assert seen == [0, 10_000, 20_000, 30_000, 40_000]
