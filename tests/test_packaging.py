"""Fast static checks of the packaging (the real build runs in CI: packaging/build-linux.sh).

build.spec is executed with stand-ins for PyInstaller's Analysis/EXE/COLLECT so
its inputs (name, excludes, hidden imports, data files) are checked without
building; the keep/drop rules, the ICU data filter, the icons, the desktop
entry, the scripts and the workflow are checked directly. No Qt needed.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import re
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))

import bundle_config as bc  # noqa: E402
import icu_slim  # noqa: E402

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
VERSION = PYPROJECT["project"]["version"]

BIG_UNUSED_QT = ["QtWebEngineCore", "QtWebEngineWidgets", "QtWebEngineQuick", "Qt3DCore", "Qt3DRender",
                 "QtMultimedia", "QtMultimediaWidgets", "QtQml", "QtQuick", "QtQuick3D",
                 "QtQuickWidgets", "QtPdf", "QtCharts", "QtDataVisualization", "QtDesigner",
                 "QtNetwork", "QtSql", "QtTest"]


# -- metadata: set once ----------------------------------------------------------------------------

def test_metadata_comes_from_the_package_and_pyproject():
    import execdash_desktop

    meta = bc.metadata()
    assert meta["name"] == execdash_desktop.APP_NAME == "ExecDash"
    assert meta["org"] == execdash_desktop.ORG_NAME
    assert meta["domain"] == execdash_desktop.ORG_DOMAIN
    assert meta["version"] == VERSION
    assert meta["package"] == "execdash"
    assert meta["bundle_id"] == ".".join(reversed(execdash_desktop.ORG_DOMAIN.split("."))) + ".ExecDash"


def test_version_fallback_and_installed_metadata_agree_with_pyproject():
    """A frozen bundle reads the version from the collected metadata; the literal in
    execdash_desktop/__init__.py is the fallback and must not drift."""
    tree = ast.parse((ROOT / "execdash_desktop" / "__init__.py").read_text("utf-8"))
    fallbacks = [n.value.value for n in ast.walk(tree)
                 if isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in n.targets)
                 and isinstance(n.value, ast.Constant)]
    assert fallbacks == [VERSION], "update the __version__ fallback in execdash_desktop/__init__.py"
    from importlib import metadata

    try:
        installed = metadata.version("execdash-desktop")
    except metadata.PackageNotFoundError:
        pytest.skip("the project is not installed")
    assert installed == VERSION, "stale install: re-run `pip install -e .` (./dev does it)"


def test_bundle_config_prints_metadata_for_shell_scripts():
    out = subprocess.run([sys.executable, str(PACKAGING / "bundle_config.py"), "version"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == VERSION


# -- build.spec, run with stand-ins for PyInstaller ------------------------------------------------

class _Recorder:
    calls: list[tuple[str, tuple, dict]] = []

    def __init__(self, kind):
        self.kind = kind

    def __call__(self, *args, **kwargs):
        obj = type("Built", (), {})()
        obj.kind, obj.args, obj.kwargs = self.kind, args, kwargs
        obj.pure, obj.scripts, obj.binaries, obj.datas = [], [], [], []
        _Recorder.calls.append((self.kind, args, kwargs))
        return obj


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    """The keyword arguments build.spec passes to Analysis, EXE, COLLECT (on this platform)."""
    pytest.importorskip("PyInstaller", reason="PyInstaller not installed (pip install -e '.[build]')")
    from PyInstaller.utils.hooks import qt as pyi_qt

    saved = pyi_qt.QtLibraryInfo.collect_plugins
    _Recorder.calls = []
    names = {k: _Recorder(k) for k in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")}
    glb = {"__name__": "__pyinstaller_spec__", "SPECPATH": str(ROOT), "SPEC": str(ROOT / "build.spec"),
           "workpath": str(tmp_path_factory.mktemp("work")), "DISTPATH": str(ROOT / "dist"), **names}
    path = list(sys.path)
    try:
        exec(compile((ROOT / "build.spec").read_text("utf-8"), "build.spec", "exec"), glb)
        patched = pyi_qt.QtLibraryInfo.collect_plugins
    finally:
        pyi_qt.QtLibraryInfo.collect_plugins = saved
        sys.path[:] = path
    by_kind: dict[str, list[dict]] = {}
    for kind, args, kwargs in _Recorder.calls:
        by_kind.setdefault(kind, []).append({"args": args, **kwargs})
    by_kind["_plugins_patched"] = [{"patched": patched is not saved}]
    return by_kind


def test_spec_builds_a_one_folder_bundle_named_execdash(spec):
    (coll,) = spec["COLLECT"]
    assert coll["name"] == "ExecDash"
    exes = [e["name"] for e in spec["EXE"]]
    assert exes[0] == "ExecDash"
    assert all(e["exclude_binaries"] for e in spec["EXE"]), "one-folder: binaries go to COLLECT"
    assert spec["EXE"][0]["contents_directory"] == "_internal"
    icon = spec["EXE"][0]["icon"]
    assert icon is None if sys.platform.startswith("linux") else Path(icon).is_file()


def test_spec_excludes_the_big_unused_qt_modules_and_pandas_extras(spec):
    (analysis,) = spec["Analysis"]
    excludes = set(analysis["excludes"])
    for mod in BIG_UNUSED_QT:
        assert f"PySide6.{mod}" in excludes, mod
    assert {"tkinter", "matplotlib", "scipy", "PyQt5", "PyQt6", "PySide2"} <= excludes
    # pandas is bundled for the import; its test suite and optional engines are not
    assert "pandas" not in excludes
    assert {"pandas.tests", "openpyxl", "pyarrow", "jinja2", "sqlalchemy"} <= excludes
    assert spec["_plugins_patched"][0]["patched"], "Qt plugins are filtered before their libraries are analysed"


def test_spec_collects_the_app_modules_loaded_by_name(spec):
    (analysis,) = spec["Analysis"]
    hidden = set(analysis["hiddenimports"])
    for mod in ["execdash_desktop.cli", "execdash_desktop.api.server", "execdash_desktop.packs.executive.demo",
                "execdash_desktop.ui.theme", "execdash_desktop.ui.dashboard.page", "execdash_desktop.data",
                "execdash_desktop.resources", "uvicorn.loops.auto", "uvicorn.protocols.http.h11_impl",
                "uvicorn.lifespan.on"]:
        assert mod in hidden, mod
    for name in ("app", "selftest"):  # cli.py loads these by name
        if (ROOT / "ui" / f"{name}.py").is_file():
            assert f"execdash_desktop.ui.{name}" in hidden
    assert analysis["hookspath"] == [str(PACKAGING / "pyinstaller-hooks")]


def test_spec_ships_the_schema_theme_and_icons_where_importlib_resources_looks(spec):
    (analysis,) = spec["Analysis"]
    shipped = {(Path(src).name, dest.replace("\\", "/")) for src, dest in analysis["datas"]}
    assert ("init_schema.sql", "execdash_desktop/data") in shipped
    assert ("theme.qss", "execdash_desktop/resources") in shipped
    assert ("app-icon.svg", "execdash_desktop/resources") in shipped
    assert any(dest == "execdash_desktop/resources/icons" for _, dest in shipped)
    assert any(dest.startswith("execdash_desktop") and dest.endswith(".dist-info") for _, dest in shipped), \
        "the dist-info, so --version reads pyproject's version"
    assert not any(name == "__init__.py" for name, _ in shipped)


def test_the_analysis_hook_maps_ui_data_resources_to_the_repo_root():
    hook = PACKAGING / "pyinstaller-hooks" / "pre_safe_import_module" / "hook-execdash_desktop.py"
    spec_ = importlib.util.spec_from_file_location("hook_execdash_desktop", hook)
    mod = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(mod)
    seen = []
    mod.pre_safe_import_module(type("Api", (), {"append_package_path": lambda self, p: seen.append(p)})())
    assert seen == [str(ROOT)]
    for folder in ("ui", "data", "resources"):
        assert (Path(seen[0]) / folder / "__init__.py").is_file()


# -- the keep/drop rules ---------------------------------------------------------------------------

@pytest.mark.parametrize("dest", [
    "PySide6/Qt/lib/libQt6Qml.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Pdf.so.6",
    "PySide6/Qt/lib/libQt6VirtualKeyboard.so.6", "PySide6/Qt/lib/libQt6Network.so.6",
    "PySide6/Qt/lib/libQt6QuickControls2Material.so.6", "PySide6/Qt/lib/libQt6WebEngineCore.so.6",
    "PySide6/Qt6Qml.dll", "PySide6/Qt6Quick.dll", "PySide6/opengl32sw.dll",
    "PySide6/Qt/lib/QtQml.framework/Versions/A/QtQml", "PySide6/Qt/lib/QtQuick.framework/Resources/Info.plist",
    "PySide6/Qt/translations/qtbase_de.qm", "PySide6/translations/qtbase_fr.qm",
    "PySide6/Qt/qml/QtQuick/Controls/qmldir",
    "PySide6/Qt/plugins/platforms/libqwayland.so", "PySide6/Qt/plugins/platforms/libqeglfs.so",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
    "PySide6/Qt/plugins/imageformats/libqpdf.so", "PySide6/Qt/plugins/tls/libqopensslbackend.so",
    "PySide6/Qt/plugins/sqldrivers/libqsqlite.so", "PySide6/plugins/generic/qtuiotouchplugin.dll",
    "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
])
def test_unused_qt_files_are_dropped(dest):
    assert not bc.keep(dest, "linux")
    assert not bc.keep(dest.replace("/", "\\"), "win32")


@pytest.mark.parametrize("dest", [
    "PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Widgets.so.6",
    "PySide6/Qt/lib/libQt6Svg.so.6", "PySide6/Qt/lib/libQt6XcbQpa.so.6", "PySide6/Qt/lib/libQt6DBus.so.6",
    "PySide6/Qt/lib/libQt6OpenGL.so.6", "PySide6/Qt/lib/libicudata.so.73",
    "PySide6/QtCore.abi3.so", "PySide6/QtOpenGL.abi3.so", "PySide6/libpyside6.abi3.so.6.11",
    "PySide6/Qt6Core.dll", "PySide6/QtWidgets.pyd", "PySide6/Qt/lib/QtCore.framework/Versions/A/QtCore",
    "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/plugins/platforms/qwindows.dll", "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
    "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so", "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
    "PySide6/plugins/styles/qmodernwindowsstyle.dll",
    "execdash_desktop/resources/theme.qss", "execdash_desktop/data/init_schema.sql",
    "numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so", "libpython3.11.so.1.0",
    "libssl.so.3", "libsqlite3.so.0",
])
def test_what_the_window_loads_is_kept(dest):
    assert bc.keep(dest, "linux")


def test_linux_desktop_stack_comes_from_the_system():
    for lib in ("libstdc++.so.6", "libxcb-icccm.so.4", "libX11.so.6", "libxkbcommon-x11.so.0",
                "libfontconfig.so.1", "libfreetype.so.6", "libglib-2.0.so.0", "libdbus-1.so.3"):
        assert not bc.keep(lib, "linux"), lib
        assert bc.keep(lib, "darwin"), lib  # the rule is Linux-only
    for lib in ("libssl.so.3", "libcrypto.so.3", "libffi.so.8", "libsqlite3.so.0", "liblzma.so.5"):
        assert bc.keep(lib, "linux"), lib


def _imports(folder: Path) -> set[str]:
    found = set()
    for py in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(py.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def test_nothing_the_app_imports_is_excluded_from_the_bundle():
    """pandas' extras and the unused Qt modules are excluded: the app must not import them."""
    imported = _imports(ROOT / "execdash_desktop") | _imports(ROOT / "ui")
    excluded = set(bc.PYTHON_EXCLUDES)
    clash = sorted(m for m in imported
                   if any(m == x or m.startswith(x + ".") for x in excluded))
    assert not clash, f"imported by the app but excluded in packaging/bundle_config.py: {clash}"
    for mod in imported:
        if mod.startswith("PySide6.Qt"):
            qt = mod.split(".")[1]
            assert qt.startswith(("QtCore", "QtGui", "QtWidgets", "QtSvg", "QtOpenGL", "QtDBus")) \
                or f"PySide6.{qt}" not in excluded, mod


# -- ICU data filter -------------------------------------------------------------------------------

@pytest.mark.parametrize("name,kept", [
    ("icudt73l/root.res", True), ("icudt73l/en.res", True), ("icudt73l/en_GB.res", True),
    ("icudt73l/de.res", False), ("icudt73l/zh_Hant_TW.res", False), ("icudt73l/es_419.res", False),
    ("icudt73l/zoneinfo64.res", True), ("icudt73l/likelySubtags.res", True), ("icudt73l/res_index.res", True),
    ("icudt73l/uprops.icu", True), ("icudt73l/nfkc.nrm", True), ("icudt73l/cnvalias.icu", True),
    ("icudt73l/ibm-943_P15A-2003.cnv", False), ("icudt73l/coll/ucadata.icu", True),
    ("icudt73l/coll/root.res", True), ("icudt73l/coll/de.res", False), ("icudt73l/coll/de_.res", False),
    ("icudt73l/brkitr/line.brk", True), ("icudt73l/brkitr/cjdict.dict", False),
    ("icudt73l/translit/root.res", False), ("icudt73l/lang/fr.res", False), ("icudt73l/lang/en.res", True),
])
def test_icu_keeps_root_english_and_structure(name, kept):
    assert icu_slim.keep_item(name) is kept


def test_icu_package_round_trips():
    info = struct.pack("<HHBBBB4s4s4s", 20, 0, 0, 0, 2, 0, b"CmnD", b"\x01\0\0\0", b"\x03\0\0\0")
    header = struct.pack("<HBB", 32, 0xDA, 0x27) + info
    header += b"\0" * (32 - len(header))
    items = [("icudt73l/a.res", b"A" * 16), ("icudt73l/b.icu", b"B" * 48), ("icudt73l/c.nrm", b"C" * 5)]
    blob = icu_slim.write_package(header, items)
    back_header, back = icu_slim.read_package(blob)
    assert back_header == header
    assert [n for n, _ in back] == [n for n, _ in items]
    assert all(b.startswith(d) for (_, b), (_, d) in zip(back, items))
    toc = len(header)
    for i in range(len(items)):  # every item 16-byte aligned in the blob
        assert (toc + struct.unpack_from("<II", blob, toc + 4 + 8 * i)[1]) % 16 == 0


# -- icons -----------------------------------------------------------------------------------------

def test_app_icon_svg_png_ico_icns():
    svg = ET.parse(ROOT / "resources" / "app-icon.svg").getroot()
    assert svg.tag.endswith("svg") and svg.get("viewBox") == "0 0 256 256"
    png = (ROOT / "resources" / "app-icon.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (256, 256)
    ico = (ROOT / "resources" / "app-icon.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind) == (0, 1) and count >= 5
    sizes = {ico[6 + 16 * i] or 256 for i in range(count)}
    assert {16, 32, 48, 256} <= sizes
    icns = (ROOT / "resources" / "app-icon.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)


def test_icon_containers_round_trip():
    make_icons = pytest.importorskip("make_icons")
    pngs = {s: b"\x89PNG" + bytes([s % 256]) * 10 for s in make_icons.ICO_SIZES}
    ico = make_icons.ico_bytes(pngs)
    assert struct.unpack_from("<HHH", ico) == (0, 1, len(pngs))
    pngs_icns = {s: b"\x89PNG" + bytes([s % 256]) * 10 for _, s in make_icons.ICNS_TYPES}
    icns = make_icons.icns_bytes(pngs_icns)
    assert icns[8:12] == make_icons.ICNS_TYPES[0][0].encode()


# -- Linux package: desktop entry and scripts ------------------------------------------------------

def _desktop_entry() -> str:
    meta = bc.metadata()
    text = (PACKAGING / "linux" / "execdash.desktop.in").read_text("utf-8")
    return (text.replace("@NAME@", meta["name"]).replace("@PACKAGE@", meta["package"])
            .replace("@COMMENT@", meta["description"].split(": ", 1)[-1]))


def test_desktop_entry_is_valid(tmp_path):
    text = _desktop_entry()
    assert "@" not in text, "every placeholder is filled by build-linux.sh"
    cp = configparser.ConfigParser(interpolation=None, strict=True)
    cp.optionxform = str
    cp.read_string(text)
    entry = cp["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "ExecDash"
    assert entry["Icon"] == "execdash" and entry["StartupWMClass"] == "ExecDash"
    assert entry["Exec"].split()[0] == "execdash" and entry["Exec"].endswith("%f")
    assert entry["Terminal"] == "false"
    for key in ("Categories", "Keywords", "MimeType"):
        assert entry[key].endswith(";")
    assert "Office" in entry["Categories"].split(";")
    validate = shutil.which("desktop-file-validate")
    if validate:
        entry_file = tmp_path / "execdash.desktop"
        entry_file.write_text(text, "utf-8")
        out = subprocess.run([validate, str(entry_file)], capture_output=True, text=True)
        assert out.returncode == 0 and "error" not in out.stdout, out.stdout + out.stderr


@pytest.mark.parametrize("script", ["build-linux.sh", "smoke-test-linux.sh", "macos/build-macos.sh",
                                    "macos/smoke-test-macos.sh"])
def test_shell_scripts_parse(script):
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    subprocess.run([bash, "-n", str(PACKAGING / script)], check=True)


def test_dev_package_runs_the_linux_build():
    dev = (ROOT / "dev").read_text("utf-8")
    assert "bash packaging/build-linux.sh" in dev
    script = (PACKAGING / "build-linux.sh").read_text("utf-8")
    assert "build.spec" in script and "dpkg-deb" in script and "-Zxz" in script
    assert "/usr/share/applications" in script and "hicolor" in script


def test_windows_installer_uses_the_shared_metadata():
    iss = (PACKAGING / "windows" / "execdash.iss").read_text("utf-8")
    assert re.search(r"^AppId=\{\{[0-9A-F-]{36}\}$", iss, re.M)
    for define in ("AppName", "AppVersion", "AppPublisher", "SourceDir"):
        assert "{#" + define + "}" in iss
    ps1 = (PACKAGING / "windows" / "build-windows.ps1").read_text("utf-8")
    assert "bundle_config.py" in ps1 and "build.spec" in ps1 and "/DAppVersion=$version" in ps1


def test_ci_workflow_builds_and_self_tests_on_three_platforms():
    path = ROOT / ".github" / "workflows" / "package.yml"
    text = path.read_text("utf-8")
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is not None:
        doc = yaml.safe_load(text)
        assert {"linux", "linux-smoke", "windows", "macos"} <= set(doc["jobs"])
        assert doc["jobs"]["linux-smoke"]["needs"] == "linux"
    for needle in ("./dev package", "packaging/smoke-test-linux.sh", "build-windows.ps1",
                   "smoke-test-windows.ps1", "build-macos.sh", "smoke-test-macos.sh"):
        assert needle in text, needle


def test_built_bundle_if_present_has_no_unused_qt():
    """When dist/ExecDash exists (after ./dev package), check what was really collected."""
    internal = ROOT / "dist" / "ExecDash" / "_internal"
    if not internal.is_dir():
        pytest.skip("no bundle built")
    files = [p.relative_to(internal).as_posix() for p in internal.rglob("*") if p.is_file()]
    bad = [f for f in files if re.search(r"Qt6?(Qml|Quick|Pdf|VirtualKeyboard|WebEngine|Multimedia|3D)", f)
           or "/translations/" in f or "/qml/" in f]
    assert not bad, bad[:10]
    assert any(f.endswith("init_schema.sql") for f in files)
    assert any(f.startswith("pandas/") for f in files)  # the import reads CSV with it
    assert not any(f.startswith(("pandas/tests/", "openpyxl/", "pyarrow/")) for f in files)


def test_exclude_lists_are_clean():
    """No duplicates, and every Qt entry is shaped like a module name."""
    assert len(set(bc.PYTHON_EXCLUDES)) == len(bc.PYTHON_EXCLUDES)
    for mod in bc.QT_MODULE_EXCLUDES:
        assert re.fullmatch(r"(PySide6\.Qt[0-9A-Za-z]+|PyQt[56]|PySide2|PySide6\.scripts)", mod), mod
