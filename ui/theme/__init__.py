"""Light and dark themes: one QSS template filled from a palette, a type scale.

`resources/theme.qss` holds `${name}` placeholders; `install(app, mode)` fills
it from the light or the dark `Palette`, sets a matching QPalette (item views,
tooltips, native dialogs) and follows the OS colour scheme while the mode is
"system". Custom-painted widgets (sparklines, alert rows, the chart) read the
active palette with `palette()` and repaint on `ThemeManager.themeChanged`.

No module-level mutable state: what changes at run time (the projector's
larger sizes, a print override) lives in a `ThemeState` object on the
application; `TYPE` and `LINE` are read-only views that read it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import resources
from types import MappingProxyType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette

MODES = ("system", "light", "dark")

# Type scale (px, device independent: crisp on HiDPI) and spacing steps.
BASE_TYPE = MappingProxyType({"caption": 11, "small": 12, "body": 13, "title": 15, "heading": 18,
                              "value_sm": 22, "value": 28})
BASE_LINE = MappingProxyType({"chart": 2.2, "spark": 1.6, "symbol": 6})  # stroke widths (px)
PROJECTOR_TYPE_SCALE = 1.25  # legible from the back of a room at 1024x768
PROJECTOR_LINE_SCALE = 2.0
SPACE = MappingProxyType({"xs": 4, "sm": 8, "md": 12, "lg": 16, "xl": 24})
RADIUS = MappingProxyType({"sm": 6, "md": 10, "lg": 12})


class ThemeState(QObject):
    """What the theme changes at run time, kept on the application (one per app)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.type_factor = 1.0  # the projector theme enlarges type and lines
        self.line_factor = 1.0
        self.overrides: list["Palette"] = []  # `override` blocks, innermost last


def _state() -> ThemeState:
    app = QGuiApplication.instance()
    if app is None:
        return ThemeState()  # no application: the base sizes, nothing to remember
    state = app.findChild(ThemeState, "execdashThemeState")
    if state is None:
        state = ThemeState(app)
        state.setObjectName("execdashThemeState")
    return state


class _Scale(Mapping):
    """A read-only view of a base scale at the current factor (screen, projector or print)."""

    def __init__(self, base: Mapping, factor: str, whole: bool):
        self._base, self._factor, self._whole = base, factor, whole

    def __getitem__(self, key: str):
        state = _state()
        f = 1.0 if state.overrides else getattr(state, self._factor)
        v = self._base[key] * f
        return round(v) if self._whole else v

    def __iter__(self):
        return iter(self._base)

    def __len__(self) -> int:
        return len(self._base)


TYPE = _Scale(BASE_TYPE, "type_factor", whole=True)  # the type scale in use (px)
LINE = _Scale(BASE_LINE, "line_factor", whole=False)  # stroke widths in use (px)
FONT_FAMILIES = ["Inter", "Segoe UI", "SF Pro Text", "Helvetica Neue", "Noto Sans",
                 "Cantarell", "DejaVu Sans", "Arial"]


@dataclass(frozen=True)
class Palette:
    name: str
    window: str        # page background
    surface: str       # cards and panels
    surface_alt: str   # hover, alternating rows, inputs
    border: str
    border_strong: str
    text: str
    muted: str
    faint: str
    accent: str
    accent_text: str   # text on the accent colour
    accent_soft: str   # selection, checked segment
    good: str
    good_soft: str
    bad: str
    bad_soft: str
    neutral: str
    neutral_soft: str
    high: str
    high_soft: str
    medium: str
    medium_soft: str
    low: str
    low_soft: str
    series_recognized: str
    series_booked: str
    series_backlog: str
    grid: str
    tooltip_bg: str
    tooltip_text: str

    def tone(self, tone: str) -> str:
        """Colour of a delta tone: good | bad | neutral."""
        return {"good": self.good, "bad": self.bad}.get(tone, self.neutral)

    def severity(self, severity: str | None) -> tuple[str, str]:
        """(strong, soft) colours of an alert severity: high | medium | low."""
        s = (severity or "low").lower()
        if s == "high":
            return self.high, self.high_soft
        if s == "medium":
            return self.medium, self.medium_soft
        return self.low, self.low_soft


LIGHT = Palette(
    name="light", window="#F4F6FA", surface="#FFFFFF", surface_alt="#F1F4F9",
    border="#E2E7EF", border_strong="#CBD3DF", text="#0F172A", muted="#5B6B82", faint="#94A3B8",
    accent="#2563EB", accent_text="#FFFFFF", accent_soft="#E3ECFD",
    good="#15803D", good_soft="#E3F5E9", bad="#C62828", bad_soft="#FBE7E7",
    neutral="#5B6B82", neutral_soft="#EEF1F5",
    high="#D92D20", high_soft="#FDECEA", medium="#C77700", medium_soft="#FEF3DC",
    low="#2F6FD0", low_soft="#E6EEFB",
    series_recognized="#2563EB", series_booked="#0E9F6E", series_backlog="#E08A00",
    grid="#E9EDF3", tooltip_bg="#0F172A", tooltip_text="#F8FAFC",
)

DARK = Palette(
    name="dark", window="#0B1120", surface="#131C2E", surface_alt="#1A2438",
    border="#243049", border_strong="#33415C", text="#E6EBF3", muted="#9AA8BD", faint="#64748B",
    accent="#5B9BFF", accent_text="#0B1120", accent_soft="#1D3357",
    good="#3DD68C", good_soft="#133325", bad="#FF7B72", bad_soft="#3A1D1F",
    neutral="#9AA8BD", neutral_soft="#1E2739",
    high="#FF6B5E", high_soft="#3A1C1C", medium="#F5B544", medium_soft="#3A2C12",
    low="#6EA8FF", low_soft="#172A48",
    series_recognized="#5B9BFF", series_booked="#3DD68C", series_backlog="#F5B544",
    grid="#1E293B", tooltip_bg="#E6EBF3", tooltip_text="#0B1120",
)


# Presentation mode: high contrast on white (projectors wash out dark themes and
# thin greys), Okabe-Ito hues that stay apart for colour-blind viewers, and no
# faint text. Good/bad also show as a check or a cross on the cards (kpi_card.py).
PROJECTOR = Palette(
    name="projector", window="#FFFFFF", surface="#FFFFFF", surface_alt="#EEF1F5",
    border="#6B7280", border_strong="#111827", text="#000000", muted="#1F2937", faint="#374151",
    accent="#0057B8", accent_text="#FFFFFF", accent_soft="#D6E6FA",
    good="#0057B8", good_soft="#D6E6FA", bad="#B83A00", bad_soft="#FBE1D3",
    neutral="#1F2937", neutral_soft="#E5E7EB",
    high="#B83A00", high_soft="#FBE1D3", medium="#8A5A00", medium_soft="#FCEFC7",
    low="#0057B8", low_soft="#D6E6FA",
    series_recognized="#0072B2", series_booked="#009E73", series_backlog="#D55E00",
    grid="#D1D5DB", tooltip_bg="#000000", tooltip_text="#FFFFFF",
)


def _scale(type_factor: float, line_factor: float) -> None:
    state = _state()
    state.type_factor, state.line_factor = type_factor, line_factor


def _template() -> string.Template:
    text = resources.files("execdash_desktop.resources").joinpath("theme.qss").read_text("utf-8")
    return string.Template(text)


def icon_dir() -> str:
    """The folder of the SVG icons, as QSS `url()` wants it (forward slashes)."""
    return str(resources.files("execdash_desktop.resources").joinpath("icons")).replace("\\", "/")


def icon(name: str):
    """A QIcon from resources/icons/<name>.svg."""
    from PySide6.QtGui import QIcon

    return QIcon(f"{icon_dir()}/{name}.svg")


def app_icon():
    """The app's icon (resources/app-icon.svg, shared with the packaging)."""
    from PySide6.QtGui import QIcon

    base = resources.files("execdash_desktop.resources")
    for name in ("app-icon.svg", "app-icon.png"):
        f = base.joinpath(name)
        if f.is_file():
            return QIcon(str(f))
    return QIcon()


def stylesheet(pal: Palette) -> str:
    """The QSS for a palette (the template filled with colours, sizes, spacing)."""
    values = dict(asdict(pal))
    values.update({f"fs_{k}": str(v) for k, v in TYPE.items()})
    values.update({f"sp_{k}": str(v) for k, v in SPACE.items()})
    values.update({f"r_{k}": str(v) for k, v in RADIUS.items()})
    values["icons"] = icon_dir()
    return _template().substitute(values)


def qpalette(pal: Palette) -> QPalette:
    p = QPalette()
    c = QColor
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Window, c(pal.window))
        p.setColor(group, QPalette.ColorRole.WindowText, c(pal.text))
        p.setColor(group, QPalette.ColorRole.Base, c(pal.surface))
        p.setColor(group, QPalette.ColorRole.AlternateBase, c(pal.surface_alt))
        p.setColor(group, QPalette.ColorRole.Text, c(pal.text))
        p.setColor(group, QPalette.ColorRole.Button, c(pal.surface))
        p.setColor(group, QPalette.ColorRole.ButtonText, c(pal.text))
        p.setColor(group, QPalette.ColorRole.Highlight, c(pal.accent))
        p.setColor(group, QPalette.ColorRole.HighlightedText, c(pal.accent_text))
        p.setColor(group, QPalette.ColorRole.ToolTipBase, c(pal.tooltip_bg))
        p.setColor(group, QPalette.ColorRole.ToolTipText, c(pal.tooltip_text))
        p.setColor(group, QPalette.ColorRole.PlaceholderText, c(pal.faint))
        p.setColor(group, QPalette.ColorRole.Link, c(pal.accent))
        p.setColor(group, QPalette.ColorRole.Mid, c(pal.border))
        p.setColor(group, QPalette.ColorRole.Midlight, c(pal.border))
        p.setColor(group, QPalette.ColorRole.Dark, c(pal.border_strong))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, c(pal.faint))
    return p


def app_font() -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPixelSize(TYPE["body"])
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def font(size: str = "body", weight: QFont.Weight = QFont.Weight.Normal) -> QFont:
    """A font of the type scale, for custom painting."""
    f = app_font()
    f.setPixelSize(TYPE[size])
    f.setWeight(weight)
    return f


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


class ThemeManager(QObject):
    """Holds the active palette; re-applies when the mode or the OS scheme changes."""

    themeChanged = Signal(object)  # Palette

    def __init__(self, app, mode: str = "system"):
        super().__init__(app)
        self._app = app
        self._mode = mode if mode in MODES else "system"
        self._presenting = False
        self._scope: list = []
        self._styled: Palette | None = None  # the screen palette the application is styled with
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_hints_color_scheme_changed)
        self.apply()

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def palette(self) -> Palette:
        if self._presenting:
            return PROJECTOR
        return self._styled or LIGHT

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"invalid theme {mode!r}: expected one of {', '.join(MODES)}")
        self._mode = mode
        self.apply()

    @property
    def presenting(self) -> bool:
        return self._presenting

    def set_presenting(self, on: bool, scope=()) -> None:
        """The projector theme (large type, thick lines, high contrast) while presenting.

        Only the widgets in `scope` (what is on the projector) get its style sheet,
        font and palette: changing the application's style sheet re-polishes every
        widget of every open tab (about 50 ms a tab). Custom-painted widgets follow
        `palette()` through `themeChanged` as always."""
        if on == self._presenting:
            return
        self._presenting = on
        if on:
            _scale(PROJECTOR_TYPE_SCALE, PROJECTOR_LINE_SCALE)
            self._dressing = (stylesheet(PROJECTOR), app_font(), qpalette(PROJECTOR))  # once, not per widget
            self._scope = []
            for w in scope:
                self.dress(w)
        else:
            _scale(1.0, 1.0)
            for w in self._scope:
                try:
                    w.setStyleSheet("")
                    w.setFont(QFont())  # an empty font/palette inherits again
                    w.setPalette(QPalette())
                except RuntimeError:  # deleted while presenting
                    pass
            self._scope = []
            if self.resolve() is not self._styled:  # the OS scheme changed while presenting
                self._style_app(self.resolve())
        self.themeChanged.emit(self.palette)

    def dress(self, widget) -> None:
        """Give `widget` the projector look too (a page opened while presenting)."""
        if self._presenting and widget not in self._scope:
            sheet, font, pal = self._dressing
            widget.setStyleSheet(sheet)
            widget.setFont(font)
            widget.setPalette(pal)
            self._scope.append(widget)

    def resolve(self) -> Palette:
        """The screen theme: the mode's palette, or the OS's for "system"."""
        if self._mode == "dark" or (self._mode == "system" and system_is_dark()):
            return DARK
        return LIGHT

    def apply(self) -> None:
        if self._presenting:  # the projector look stands until set_presenting(False) re-applies
            return
        pal = self.resolve()
        if pal is not self._styled:
            self._style_app(pal)
            self.themeChanged.emit(pal)

    def _style_app(self, pal: Palette) -> None:
        self._app.setPalette(qpalette(pal))
        self._app.setStyleSheet(stylesheet(pal))
        self._styled = pal

    def _on_hints_color_scheme_changed(self, _scheme) -> None:
        if self._mode == "system":
            self.apply()


def install(app, mode: str = "system") -> ThemeManager:
    """Style the application once (Fusion + palette + QSS); returns the manager."""
    existing = manager()
    if existing is not None:
        existing.set_mode(mode)
        return existing
    app.setStyle("Fusion")
    app.setFont(app_font())
    mgr = ThemeManager(app, mode)
    mgr.setObjectName("execdashThemeManager")
    return mgr


def manager() -> ThemeManager | None:
    app = QGuiApplication.instance()
    if app is None:
        return None
    return app.findChild(ThemeManager, "execdashThemeManager")


@contextmanager
def override(pal: Palette):
    """Custom-painted widgets paint with `pal`, at the base type and line sizes, inside the
    block (print: always light and screen-sized, even while presenting)."""
    state = _state()
    state.overrides.append(pal)
    try:
        yield pal
    finally:
        state.overrides.pop()


def printing() -> bool:
    """Inside `override` (a board pack being drawn)."""
    return bool(_state().overrides)


def palette() -> Palette:
    """The active palette (light before any theme is installed; an override wins)."""
    overrides = _state().overrides
    if overrides:
        return overrides[-1]
    mgr = manager()
    return mgr.palette if mgr is not None else LIGHT
