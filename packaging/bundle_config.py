"""What goes into the ExecDash bundle: metadata and the keep/drop rules.

Shared by build.spec, packaging/build-linux.sh (via `python packaging/bundle_config.py KEY`)
and tests/test_packaging.py, so the rules are written once and tested without
running PyInstaller. Standard library only.

Metadata is set once: APP_NAME / ORG_NAME / ORG_DOMAIN in
execdash_desktop/__init__.py (read here with `ast`, nothing is imported) and the
version in pyproject.toml.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# -- metadata -------------------------------------------------------------------------------------

def metadata(root: Path = ROOT) -> dict[str, str]:
    """name, version, org, domain, description, bundle_id, package (the Debian name)."""
    project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]
    consts: dict[str, str] = {}
    tree = ast.parse((root / "execdash_desktop" / "__init__.py").read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Constant):
            consts[node.targets[0].id] = node.value.value
    name, org, domain = consts["APP_NAME"], consts["ORG_NAME"], consts["ORG_DOMAIN"]
    return {
        "name": name,
        "version": project["version"],
        "org": org,
        "domain": domain,
        "description": project.get("description", name),
        # reverse DNS: execdash.example -> example.execdash.ExecDash
        "bundle_id": ".".join(reversed(domain.split("."))) + "." + name,
        "package": name.lower(),
    }


# -- Python modules the app never imports ---------------------------------------------------------

# Qt bindings: only QtCore, QtGui, QtWidgets, QtSvg (+ QtOpenGL/QtOpenGLWidgets and
# QtDBus, which pyqtgraph and the Linux platform plugins load) are used.
QT_MODULE_EXCLUDES = [
    "PySide6." + m for m in (
        "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
        "QtBluetooth", "QtCharts", "QtConcurrent", "QtDataVisualization", "QtDesigner",
        "QtGraphs", "QtGraphsWidgets", "QtHelp", "QtHttpServer", "QtLocation", "QtMultimedia",
        "QtMultimediaWidgets", "QtNetwork", "QtNetworkAuth", "QtNfc", "QtPdf", "QtPdfWidgets",
        "QtPositioning", "QtPrintSupport", "QtQml", "QtQuick", "QtQuick3D", "QtQuickControls2",
        "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors",
        "QtSerialBus", "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtTest",
        "QtTextToSpeech", "QtUiTools", "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick",
        "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml", "QtCanvasPainter",
    )
] + ["PyQt5", "PyQt6", "PySide2", "PySide6.scripts"]

# Everything else the app does not import, or that optional imports in pyqtgraph, numpy,
# pandas and pydantic would pull in. pandas is bundled for the import (execdash_desktop/
# dataio reads CSV with it); its test suite, plotting, Styler (jinja2), clipboard and the
# optional readers and writers it can use (the import reads workbooks with calamine and
# the export writes them with XlsxWriter) stay out.
PANDAS_EXTRAS_EXCLUDES = [
    "pandas.tests", "pandas.conftest", "pandas.plotting._matplotlib", "pandas.io.formats.style",
    "pandas.io.clipboard", "openpyxl", "xlrd", "odf", "pyxlsb", "sqlalchemy", "pyarrow",
    "fastparquet", "fsspec", "s3fs", "gcsfs", "tables", "bs4", "lxml", "html5lib", "jinja2",
    "numexpr", "bottleneck", "xarray", "tabulate", "zstandard", "pandas_gbq", "pytz",
]
PYTHON_EXCLUDES = [
    "scipy", "matplotlib", "IPython", "ipykernel", "jupyter_rfb", "notebook",
    "tkinter", "_tkinter", "turtle", "turtledemo", "idlelib", "lib2to3", "pydoc_data",
    "pytest", "_pytest", "hypothesis", "schemathesis", "pytestqt", "importlinter", "grimp",
    "cupy", "numba", "h5py", "OpenGL", "colorcet", "pyopengl", "sklearn", "PIL", "cv2",
    "numpy.f2py", "numpy.distutils", "numpy.testing._private.extbuild", "setuptools",
    "pkg_resources", "distutils", "pip", "wheel", "Cython", "sphinx", "docutils", "yaml",
    "pyqtgraph.examples", "pyqtgraph.opengl", "pyqtgraph.jupyter",
    "uvicorn.workers", "gunicorn", "watchfiles", "websockets", "wsproto", "uvloop",
    "httptools", "email_validator", "psutil", "readline",
    # pydantic imports rich only to pretty-print schemas when debugging
    "rich", "markdown_it", "mdurl",
] + PANDAS_EXTRAS_EXCLUDES + QT_MODULE_EXCLUDES


# -- collected binaries and data files ------------------------------------------------------------

# Qt shared libraries (Linux libQt6X.so.6, Windows Qt6X.dll, macOS QtX.framework) that
# are kept; every other Qt library is dropped.
QT_LIBS_KEEP = {"Core", "Gui", "Widgets", "Svg", "SvgWidgets", "DBus", "XcbQpa", "OpenGL",
                "OpenGLWidgets"}

# Qt plugins kept, per plugin folder (file stems without the lib prefix); folders not
# listed are dropped whole.
QT_PLUGINS_KEEP = {
    "platforms": {"qxcb", "qoffscreen", "qwindows", "qcocoa"},
    "platformthemes": {"qxdgdesktopportal"},
    "platforminputcontexts": {"composeplatforminputcontextplugin",
                              "ibusplatforminputcontextplugin"},
    "xcbglintegrations": {"qxcb-glx-integration", "qxcb-egl-integration"},
    "imageformats": {"qsvg", "qico"},
    "iconengines": {"qsvgicon"},
    "styles": {"qmodernwindowsstyle", "qwindowsvistastyle", "qmacstyle"},
}

# Other files never needed: the software OpenGL fallback (20 MB on Windows).
DROP_FILES = {"opengl32sw.dll"}

# Linux: libraries of the desktop stack that PyInstaller would copy from the build
# machine. They must match the user's X server, GL driver and font set-up (a bundled
# libstdc++ older than the system's breaks Mesa's drivers, a bundled fontconfig can
# misread the system's fonts.conf), so they come from the system: the .deb depends on
# them (dpkg-shlibdeps finds the packages) and ./dev installs them. Python's own
# libraries (libssl, libcrypto, libsqlite3, libffi, liblzma, ...) stay bundled.
LINUX_SYSTEM_LIBS = re.compile(
    r"^lib(stdc\+\+|gcc_s|X11|X11-xcb|Xau|Xdmcp|Xext|Xrender|xcb(-[a-z0-9-]+)?|xkbcommon(-x11)?"
    r"|fontconfig|freetype|png16|harfbuzz|glib-2\.0|gthread-2\.0|gobject-2\.0|gio-2\.0"
    r"|gmodule-2\.0|pcre2-8|dbus-1|systemd|gcrypt|gpg-error|lz4|zstd|cap|bsd|md|brotli[a-z]*"
    r"|expat|graphite2|EGL|GL|GLX|GLdispatch|OpenGL|drm|gbm|wayland-[a-z]+)\.so(\.[0-9]+)*$")

_QT_LIB = re.compile(r"^(?:lib)?Qt6?(?P<mod>[A-Za-z0-9]+?)(?:\.so(?:\.\d+)*|\.dll|\.framework)?$")
_SEP = re.compile(r"[\\/]+")


def _parts(dest: str) -> list[str]:
    return [p for p in _SEP.split(dest) if p]


def _plugin_stem(filename: str) -> str:
    stem = filename.split(".")[0]  # libqxcb.so -> libqxcb; qwindows.dll -> qwindows
    return stem[3:] if stem.startswith("lib") else stem


def keep(dest: str, platform: str = sys.platform) -> bool:
    """Whether the collected file at bundle path `dest` stays in the bundle."""
    parts = _parts(dest)
    if not parts:
        return True
    name = parts[-1]
    if name.lower() in DROP_FILES:
        return False
    if platform.startswith("linux") and len(parts) == 1 and LINUX_SYSTEM_LIBS.match(name):
        return False
    if parts[0] not in ("PySide6", "shiboken6"):
        return True
    # PySide6 data folders the app never reads
    if any(p in ("translations", "qml", "resources", "metatypes", "typesystems", "include",
                 "glue", "doc", "examples") for p in parts[1:-1]):
        return False
    # a Qt plugin: PySide6/Qt/plugins/<kind>/<file> (Linux, macOS) or PySide6/plugins/<kind>/<file>
    if "plugins" in parts[:-1]:
        i = len(parts) - 1 - parts[::-1].index("plugins")
        kind = parts[i + 1] if i + 1 < len(parts) - 1 else None
        if kind is None:
            return True
        return _plugin_stem(name) in QT_PLUGINS_KEEP.get(kind, set())
    # a Qt library, or a file inside a macOS framework: the first matching path part decides
    for part in parts[1:]:
        m = _QT_LIB.match(part)
        if m and part not in ("Qt",) and (part.endswith((".dll", ".framework")) or ".so" in part):
            return m.group("mod") in QT_LIBS_KEEP
    # PySide6 tools and binaries for modules not used
    if name.lower().split(".")[0] in ("assistant", "designer", "linguist", "lrelease", "lupdate",
                                      "qmlformat", "qmllint", "qmlls", "svgtoqml", "uic", "rcc",
                                      "qmlimportscanner", "qmltyperegistrar", "qmlcachegen"):
        return False
    return True


def filter_toc(toc, platform: str = sys.platform):
    """A PyInstaller TOC (list of (dest, src, typecode)) without the dropped entries."""
    return [entry for entry in toc if keep(entry[0], platform)]


if __name__ == "__main__":  # `python packaging/bundle_config.py version` for shell scripts
    meta = metadata()
    if len(sys.argv) != 2 or sys.argv[1] not in meta:
        sys.exit(f"usage: bundle_config.py {{{','.join(meta)}}}")
    print(meta[sys.argv[1]])
