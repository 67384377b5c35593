"""Shared helpers for the benchmarks: cached demo files and a table printer."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

# built demo files, kept between runs (EXECDASH_BENCH_CACHE: another folder, e.g. on a bigger disk)
CACHE = Path(os.environ.get("EXECDASH_BENCH_CACHE") or Path(__file__).resolve().parent / ".cache")
SIZES = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}


def demo_file(label: str) -> Path:
    """A demo file with `label` orders (100k, 1m, 10m), built once and kept."""
    from execdash_desktop.packs.executive.demo import generate

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"demo-{label}.sqlite"
    if not path.exists():
        t = time.perf_counter()
        generate(path, end="2026-10", months=24, orders=SIZES[label], seed=7)
        print(f"built {path.name} in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def compile_bytecode(root: Path | None = None) -> None:
    """Compile the app's modules to bytecode first, as pip and PyInstaller do when they install it: a
    checkout run with PYTHONDONTWRITEBYTECODE=1 (this sandbox sets it) would otherwise compile every
    changed module again in each measured process (about 200 ms of `execdash kpis`)."""
    import compileall

    root = root or Path(__file__).resolve().parent.parent
    for folder in ("execdash_desktop", "ui"):
        compileall.compile_dir(str(root / folder), quiet=1, workers=1)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def print_table(headers: list[str], rows: list[list]) -> None:
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line)
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
