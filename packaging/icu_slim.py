"""A smaller ICU data library for the Linux bundle (32 MB -> about 4 MB).

The PySide6 wheels for Linux ship ICU with all of its data (libicudata.so.NN,
32 MB: 200 character-set converters, collation, dictionaries and display names
for 800 locales). Qt uses ICU for collation, locale case mapping and legacy
codecs; the Qt Widgets app reads UTF-8 and speaks English. This keeps
everything ICU itself needs (properties, normalization, break rules, time
zones, the root and English locales) and drops the rest: non-English locale
data (ICU then falls back to root: a German collator sorts like the root
one), the *.cnv converters (UTF-8/16/32, ASCII and Latin-1 are built into
ICU), dictionaries for Chinese/Japanese/Thai word breaks, transliterators.

    python packaging/icu_slim.py SRC_LIBICUDATA OUT_DIR   # prints the new library's path

The data is ICU's "common data" package (format CmnD), rewritten item by item
(the items are position independent), then assembled into a shared library
exporting the same symbol (icudtNN_dat) with the same soname, with the C
compiler (gcc, from the package registry). Standard library only; Linux only.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

# Kept locales: root, English and the structural files of every tree.
_KEEP_LOCALE = re.compile(r"^(root|en|en_[A-Za-z0-9_]+|pool|res_index)\.res$")
# A locale bundle name (af.res, zh_Hant_TW.res, sr_Latn.res, es_419.res, ...), as opposed
# to ICU's supplemental data (zoneinfo64.res, likelySubtags.res, metaZones.res, ...).
_LOCALE_RES = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]*)*\.res$")
# Trees whose content is per-locale display data or rules.
_LOCALE_TREES = {"coll", "brkitr", "curr", "lang", "region", "unit", "zone", "rbnf"}


def keep_item(name: str) -> bool:
    """`name` as in the package: icudt73l/af.res, icudt73l/coll/de.res, ..."""
    parts = name.split("/")[1:] if "/" in name else [name]
    leaf = parts[-1]
    tree = parts[0] if len(parts) > 1 else ""
    if leaf.endswith(".cnv") or tree == "translit" or leaf.endswith(".dict"):
        return False
    if tree and tree not in _LOCALE_TREES:
        return True
    if _LOCALE_RES.match(leaf) or leaf in ("pool.res", "res_index.res"):
        return bool(_KEEP_LOCALE.match(leaf))
    return True  # rules (*.brk), ucadata.icu, supplemental data, *.nrm, *.icu, *.spp ...


def read_package(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """(header, [(name, item bytes)]) of an ICU common data package."""
    header_size, magic1, magic2 = struct.unpack_from("<HBB", blob, 0)
    if (magic1, magic2) != (0xDA, 0x27) or blob[12:16] != b"CmnD" or blob[8] != 0:
        raise ValueError("not a little-endian ICU common data (CmnD) package")
    toc = header_size
    count = struct.unpack_from("<I", blob, toc)[0]
    entries = [struct.unpack_from("<II", blob, toc + 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_off, data_off) in enumerate(entries):
        start = toc + name_off
        name = blob[start:blob.index(b"\0", start)].decode("ascii")
        end = toc + entries[i + 1][1] if i + 1 < count else len(blob)
        items.append((name, blob[toc + data_off:end]))
    return blob[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    def pad16(n: int) -> int:
        return (n + 15) & ~15

    toc_len = 4 + 8 * len(items)
    names = b"".join(n.encode("ascii") + b"\0" for n, _ in items)
    name_offsets, pos = [], toc_len
    for n, _ in items:
        name_offsets.append(pos)
        pos += len(n) + 1
    # item data 16-byte aligned in the whole blob (the header is a multiple of 16)
    data_start = pad16(len(header) + pos) - len(header)
    data_offsets, pos = [], data_start
    for _, data in items:
        data_offsets.append(pos)
        pos = pad16(len(header) + pos + len(data)) - len(header)
    out = bytearray(header)
    out += struct.pack("<I", len(items))
    for no, do in zip(name_offsets, data_offsets):
        out += struct.pack("<II", no, do)
    out += names
    for (_, data), do in zip(items, data_offsets):
        out += b"\0" * (len(header) + do - len(out))
        out += data
    out += b"\0" * (pad16(len(out)) - len(out))
    return bytes(out)


def _elf_symbol(lib: Path, pattern: str) -> tuple[str, int, int]:
    """(name, file offset, size) of the data symbol matching `pattern` (readelf)."""
    syms = subprocess.run(["readelf", "-sW", "--dyn-syms", str(lib)], check=True,
                          capture_output=True, text=True).stdout
    for line in syms.splitlines():
        f = line.split()
        if len(f) >= 8 and re.fullmatch(pattern, f[7]) and f[6] != "UND":
            name, vaddr, size, shndx = f[7], int(f[1], 16), int(f[2], 0), int(f[6])
            break
    else:
        raise ValueError(f"{lib}: no symbol {pattern}")
    sections = subprocess.run(["readelf", "-SW", str(lib)], check=True, capture_output=True,
                              text=True).stdout
    for line in sections.splitlines():
        m = re.match(r"\s*\[\s*(\d+)\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if m and int(m.group(1)) == shndx:
            return name, vaddr - int(m.group(2), 16) + int(m.group(3), 16), size
    raise ValueError(f"{lib}: no section {shndx}")


def slim(src: Path, out_dir: Path) -> Path:
    """Write out_dir/<same name as src>: the library with the filtered data."""
    soname = src.name  # libicudata.so.73
    symbol, offset, size = _elf_symbol(src, r"icudt\d+_dat")
    blob = src.read_bytes()[offset:offset + size]
    header, items = read_package(blob)
    kept = [(n, d) for n, d in items if keep_item(n)]
    data = write_package(header, kept)
    # sanity: the package reads back with the same names and (padded) items
    back_header, back = read_package(data)
    if back_header != header or [n for n, _ in back] != [n for n, _ in kept] or \
            any(not b.startswith(d) for (_, b), (_, d) in zip(back, kept)):
        raise AssertionError("icu_slim: the rewritten package does not read back")
    out_dir.mkdir(parents=True, exist_ok=True)
    dat = out_dir / f"{symbol[:-4]}l.dat"
    dat.write_bytes(data)
    asm = out_dir / "icudata.S"
    asm.write_text(
        '\t.section .note.GNU-stack,"",@progbits\n'
        "\t.section .rodata\n"
        f"\t.globl {symbol}\n"
        f"\t.type {symbol}, @object\n"
        "\t.balign 16\n"
        f"{symbol}:\n"
        f'\t.incbin "{dat.name}"\n'
        f"\t.size {symbol}, . - {symbol}\n")
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise RuntimeError("icu_slim: no C compiler (install gcc)")
    lib = out_dir / soname
    subprocess.run([cc, "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-Wl,-z,noexecstack",
                    "-o", str(lib), asm.name], cwd=out_dir, check=True)
    dropped = len(items) - len(kept)
    print(f"icu_slim: {soname}: kept {len(kept)} of {len(items)} items "
          f"({len(data) / 1e6:.1f} of {len(blob) / 1e6:.1f} MB; {dropped} dropped)", file=sys.stderr)
    return lib


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[2])
    print(slim(Path(sys.argv[1]), Path(sys.argv[2])))
