"""Time the built program (PyInstaller bundle), not the source tree.

    python benchmarks/bench_bundle.py [--bundle dist/ExecDash/ExecDash] [--runs 5]
                                      [--platform offscreen|xcb] [--orders 100k]

Measures, as medians over --runs runs after one warm-up run:
  * start to first paint: `ExecDash open DEMO` with EXECDASH_STARTUP_PROBE=1 (the
    window prints `EXECDASH_STARTUP {json}` once the first payload is painted, then
    closes); time from spawning the process to that paint (wall clock), and the
    in-process part (since_main_ms);
  * `--version` and `--self-test` wall time;
and reports the bundle size on disk and the .deb size. Budgets (issue 5): bundle
<= 200 MB (pandas, numpy and calamine for the import: issue 16), package <= 75 MB, first paint <= 1.5 s. Skips (exit 0) when no bundle
is built: run `./dev package` first. `--strict` exits 1 when over a budget.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import demo_file, print_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUDGET = {"bundle_mb": 200, "deb_mb": 75, "first_paint_s": 1.5}


def dir_mb(path: Path) -> float:
    """Size on disk in MB (MiB, as `du -sm`), symlinks not followed."""
    blocks = 0
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            blocks += st.st_blocks
    return blocks * 512 / 2**20


def clean_env(home: Path, platform: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "EXECDASH_", "QT_"))}
    env.update(HOME=str(home), EXECDASH_DATA_DIR=str(home / "data"),
               EXECDASH_CACHE_DIR=str(home / "cache"), QT_QPA_PLATFORM=platform)
    return env


def first_paint(exe: Path, db: Path, platform: str) -> tuple[float, float, float]:
    """(spawn-to-first-paint s, in-process since_main s, spawn-to-exit s) of one run."""
    with tempfile.TemporaryDirectory(prefix="execdash-bench-") as tmp:
        env = clean_env(Path(tmp), platform)
        env["EXECDASH_STARTUP_PROBE"] = "1"
        t0 = time.time()
        proc = subprocess.Popen([str(exe), "open", str(db)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        paint = since_main = None
        for line in proc.stdout:
            if line.startswith("EXECDASH_STARTUP "):
                doc = json.loads(line.split(" ", 1)[1])
                paint = doc["wall"] - t0
                since_main = doc.get("since_main_ms", float("nan")) / 1000
        rc = proc.wait(timeout=60)
        t_exit = time.time() - t0
        if paint is None:
            raise SystemExit(f"bench_bundle: {exe} open printed no EXECDASH_STARTUP line (exit {rc})")
        return paint, since_main, t_exit


def wall(cmd: list[str], platform: str) -> float:
    with tempfile.TemporaryDirectory(prefix="execdash-bench-") as tmp:
        t0 = time.perf_counter()
        subprocess.run(cmd, env=clean_env(Path(tmp), platform), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="time the built ExecDash program")
    p.add_argument("--bundle", type=Path, default=ROOT / "dist" / "ExecDash" / "ExecDash",
                   help="the built program (default dist/ExecDash/ExecDash; /opt/execdash/ExecDash "
                        "for the installed package)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--platform", default="offscreen", help="Qt platform: offscreen or xcb (needs DISPLAY)")
    p.add_argument("--orders", default="100k", choices=["100k", "1m", "10m"])
    p.add_argument("--strict", action="store_true", help="exit 1 when a budget is exceeded")
    args = p.parse_args(argv)

    exe = args.bundle.resolve()
    if not exe.is_file():
        print(f"bench_bundle: no built program at {exe}: run ./dev package first (skipped)")
        return 0
    db = demo_file(args.orders)
    n = max(1, args.runs)

    first_paint(exe, db, args.platform)  # warm-up: page cache, fontconfig cache
    paints = [first_paint(exe, db, args.platform) for _ in range(n)]
    version = [wall([str(exe), "--version"], args.platform) for _ in range(n)]
    selftest = [wall([str(exe), "--self-test"], args.platform) for _ in range(n)]

    med = statistics.median
    paint_s = med(r[0] for r in paints)
    rows = [
        ["start to first paint (spawn -> painted)", f"{paint_s * 1000:.0f} ms",
         f"{min(r[0] for r in paints) * 1000:.0f}-{max(r[0] for r in paints) * 1000:.0f} ms",
         f"<= {BUDGET['first_paint_s'] * 1000:.0f} ms"],
        ["  of which in-process (main -> painted)", f"{med(r[1] for r in paints) * 1000:.0f} ms", "", ""],
        ["  spawn -> exit after the paint", f"{med(r[2] for r in paints) * 1000:.0f} ms", "", ""],
        ["--version", f"{med(version) * 1000:.0f} ms",
         f"{min(version) * 1000:.0f}-{max(version) * 1000:.0f} ms", ""],
        ["--self-test", f"{med(selftest) * 1000:.0f} ms",
         f"{min(selftest) * 1000:.0f}-{max(selftest) * 1000:.0f} ms", ""],
    ]
    bundle_dir = exe.parent
    bundle_mb = dir_mb(bundle_dir)
    rows.append([f"bundle on disk ({bundle_dir})", f"{bundle_mb:.0f} MB", "", f"<= {BUDGET['bundle_mb']} MB"])
    debs = sorted((ROOT / "dist").glob("*.deb"), key=lambda d: d.stat().st_mtime)
    deb_mb = debs[-1].stat().st_size / 2**20 if debs else None
    if deb_mb is not None:
        rows.append([f"package ({debs[-1].name})", f"{deb_mb:.1f} MB", "", f"<= {BUDGET['deb_mb']} MB"])

    print(f"{exe} on {db.name}, Qt platform {args.platform}, median of {n} runs (after 1 warm-up)")
    print_table(["measure", "median", "range", "budget"], rows)
    over = []
    if paint_s > BUDGET["first_paint_s"]:
        over.append("first paint")
    if bundle_mb > BUDGET["bundle_mb"]:
        over.append("bundle size")
    if deb_mb is not None and deb_mb > BUDGET["deb_mb"]:
        over.append("package size")
    print("over budget: " + ", ".join(over) if over else "all within budget")
    return 1 if (over and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
