"""Strip debug information from the Linux bundle's ELF files that carry it.

A pyenv- or source-built Python ships libpython with 17 MB of DWARF data (and
its lib-dynload modules with more). PyInstaller's own `strip=True` strips every
binary, which breaks the auditwheel-patched libraries of wheels (numpy's
OpenBLAS: "ELF load command address/offset not page-aligned"); this strips
only files that have .debug_* sections, and only those (`strip --strip-debug`
keeps the symbol tables). Standard library + binutils' readelf and strip.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def has_debug_info(path: str | Path) -> bool:
    out = subprocess.run(["readelf", "-SW", str(path)], capture_output=True, text=True).stdout
    return ".debug_info" in out


def strip_debug(toc, out_dir: Path):
    """The TOC with every ELF file carrying debug info replaced by a stripped copy."""
    strip = shutil.which("strip")
    if strip is None or shutil.which("readelf") is None:
        return list(toc)
    result = []
    for dest, src, kind in toc:
        if kind in ("BINARY", "EXTENSION") and has_debug_info(src):
            target = out_dir / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([strip, "--strip-debug", "-o", str(target), src], check=True)
            src = str(target)
        result.append((dest, src, kind))
    return result
