"""Render the one app icon (resources/app-icon.svg) to the formats each platform wants.

    python packaging/make_icons.py                 # resources/app-icon.png, .ico, .icns
    python packaging/make_icons.py --hicolor DIR   # DIR/<N>x<N>/apps/execdash.png + scalable svg

Uses only Qt (QtSvg from PySide6, already a dependency) and the standard
library: .ico and .icns are written by hand as containers of PNG images, which
Windows (Vista and later) and macOS (10.7 and later) both read.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "app-icon.svg"
ICON_NAME = "execdash"  # the freedesktop icon name (desktop entry Icon=)

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# (type, pixel size): PNG payloads; ic11..ic14 are the @2x variants
ICNS_TYPES = (("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256),
              ("ic09", 512), ("ic10", 1024), ("ic11", 32), ("ic12", 64), ("ic13", 256),
              ("ic14", 512))
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def _app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication(sys.argv[:1])


def render_png(size: int, svg: Path = SVG) -> bytes:
    """The icon as PNG bytes, `size` x `size` pixels, transparent background."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app()
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = [], []
    for s in sizes:
        blob = pngs[s]
        dim = 0 if s >= 256 else s  # 0 means 256 in an ICONDIRENTRY
        entries.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return header + b"".join(entries) + b"".join(blobs)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    body = b"".join(kind.encode("ascii") + struct.pack(">I", 8 + len(pngs[s])) + pngs[s]
                    for kind, s in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_resources(out: Path = ROOT / "resources") -> list[Path]:
    sizes = sorted(set(ICO_SIZES) | {s for _, s in ICNS_TYPES})
    pngs = {s: render_png(s) for s in sizes}
    written = []
    for name, blob in (("app-icon.png", pngs[256]),
                       ("app-icon.ico", ico_bytes({s: pngs[s] for s in ICO_SIZES})),
                       ("app-icon.icns", icns_bytes(pngs))):
        path = out / name
        path.write_bytes(blob)
        written.append(path)
    return written


def write_hicolor(root: Path) -> list[Path]:
    """`root` is .../share/icons/hicolor."""
    written = []
    for s in HICOLOR_SIZES:
        path = root / f"{s}x{s}" / "apps" / f"{ICON_NAME}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render_png(s))
        written.append(path)
    svg = root / "scalable" / "apps" / f"{ICON_NAME}.svg"
    svg.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, svg)
    written.append(svg)
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hicolor", type=Path, help="write a freedesktop hicolor icon tree here")
    args = p.parse_args(argv)
    written = write_hicolor(args.hicolor) if args.hicolor else write_resources()
    for path in written:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
