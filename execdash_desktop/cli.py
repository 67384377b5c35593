"""The `execdash` command: demo | kpis | pack | import | export | open | serve (and the window by default).

Errors the user can fix print one line on stderr and exit with code 2: never a
traceback, never a write to the data file.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import __version__
from . import months as mo
from .errors import DataFileError, InvalidRequestError

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage + message
        self.exit(EXIT_USAGE, f"execdash: error: {message}\n")


def _fail(message: str) -> int:
    print(f"execdash: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="execdash", description="ExecDash Desktop: an offline executive dashboard.")
    p.add_argument("--version", action="version", version=f"ExecDash {__version__}")
    p.add_argument("--self-test", action="store_true",
                   help="open the window offscreen on a fresh demo file, check it and exit")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    d = sub.add_parser("demo", help="write a deterministic demo data file")
    d.add_argument("--db", required=True, help="the file to create")
    d.add_argument("--end", help="last month of data, YYYY-MM (default: last month)")
    d.add_argument("--months", type=int, default=24)
    d.add_argument("--orders", type=int, default=100_000)
    d.add_argument("--seed", type=int, default=7)
    d.add_argument("--force", action="store_true", help="replace the file if it exists")

    k = sub.add_parser("kpis", help="print the executive payload")
    k.add_argument("--db", required=True)
    k.add_argument("--range", default="12m", choices=list(mo.RANGES))
    k.add_argument("--granularity", default="month", choices=list(mo.GRANULARITIES))
    k.add_argument("--as-of", dest="as_of", help="as-of month YYYY-MM (default: latest)")
    k.add_argument("--json", action="store_true", help="print JSON instead of a table")

    b = sub.add_parser("pack", help="write the board pack PDF (headless)")
    b.add_argument("--db", required=True)
    b.add_argument("--range", default="12m", choices=list(mo.RANGES))
    b.add_argument("--granularity", default="month", choices=list(mo.GRANULARITIES))
    b.add_argument("--as-of", dest="as_of", help="as-of month YYYY-MM (default: latest)")
    b.add_argument("--paper", choices=["a4", "letter"], help="paper, landscape (default: by the locale)")
    b.add_argument("--drilldowns", help="drill-down keys, comma-separated (default: five board favourites)")
    b.add_argument("--out", required=True, help="the PDF to write")

    i = sub.add_parser("import", help="import CSV / Excel / ODS files into a data file (validated)")
    i.add_argument("--db", required=True, help="the data file (created with the schema when missing)")
    i.add_argument("sources", nargs="+", metavar="SOURCE", help=".csv .tsv .xlsx .xlsm .ods, a folder or a .zip")
    i.add_argument("--table", help="the table for files or sheets not named after one")
    i.add_argument("--sheet", help="read only this sheet of each workbook")
    i.add_argument("--mode", default="append", choices=["append", "replace", "upsert"],
                   help="append: add rows (a key already there is a problem); replace: empty the tables "
                        "first; upsert: update the rows whose key is there, add the rest")
    i.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    i.add_argument("--report", help="write every problem found to this JSON file")
    i.add_argument("--skip-bad-rows", action="store_true", help="import the good rows, report the rest")

    e = sub.add_parser("export", help="write a dashboard's tables as an .xlsx workbook")
    e.add_argument("--db", required=True)
    e.add_argument("--dashboard", default="executive")
    e.add_argument("--out", required=True, help="the .xlsx to write")

    o = sub.add_parser("open", help="open the window on a data file")
    o.add_argument("path", nargs="?")

    s = sub.add_parser("serve", help="serve the seed 001 API over HTTP (headless)")
    s.add_argument("--db", required=True)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--token", help="bearer token (required off loopback; 'generate' makes one)")
    s.add_argument("--cors", action="append", default=[], help="allowed CORS origin (repeatable)")
    return p


def _progress_to_stderr(fraction: float, message: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{message} ({fraction:.0%})", end="", file=sys.stderr, flush=True)


def cmd_demo(args) -> int:
    from .packs.executive.demo import generate

    summary = generate(args.db, end=args.end, months=args.months, orders=args.orders,
                       seed=args.seed, force=args.force, progress=_progress_to_stderr)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"wrote {summary['path']}: {summary['months']} months to {summary['end']}, "
          f"{summary['orders']:,} orders in {summary['seconds']:.1f} s")
    return 0


def cmd_kpis(args) -> int:
    from .engine import Engine
    from .format import json_text, payload_table

    payload = Engine().payload(args.db, args.range, args.granularity, args.as_of,
                               progress=_progress_to_stderr)
    if args.json:
        sys.stdout.write(json_text(payload) + "\n")
    else:
        print(payload_table(payload))
    return 0


def cmd_pack(args) -> int:
    from . import boardpack
    from .engine import Engine
    from .packs.executive.payload import build_payload, resolve_window
    from .store import open_reader

    try:
        keys = boardpack.parse_keys(args.drilldowns)
    except KeyError as exc:
        return _fail(exc.args[0])
    out = boardpack.check_target(args.out, args.db)  # before any work: a bad target fails at once
    src = Engine().source(args.db, progress=_progress_to_stderr)
    for note in src.notes:  # running uncached, read without its -wal...: said once
        print(f"execdash: note: {note}", file=sys.stderr)
    payload = build_payload(src, args.range, args.granularity, args.as_of)
    conn = open_reader(args.db)
    try:
        data = boardpack.gather(conn, src, payload, resolve_window(src, args.range, args.as_of), keys, args.db)
    finally:
        conn.close()
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # headless: no display needed
    # --paper, else the system locale's paper as Qt reads it (as the window's dialog does)
    done = importlib.import_module("execdash_desktop.ui.export.board_pack").main(data, str(out), args.paper)
    print(f"wrote {done['path']}: {done['pages']} pages ({'A4' if done['paper'] == 'a4' else 'Letter'} landscape)")
    return 0


SHOWN_PROBLEMS = 20


def cmd_import(args) -> int:
    from .dataio import SourceError, run_import, write_json

    try:
        report = run_import(args.db, args.sources, table=args.table, sheet=args.sheet, mode=args.mode,
                            dry_run=args.dry_run, skip_bad_rows=args.skip_bad_rows,
                            progress=_progress_to_stderr)
    except SourceError as exc:
        return _fail(str(exc))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for p in report.problems[:SHOWN_PROBLEMS]:
        print(("warning: " if p.severity == "warning" else "") + p.line())
    more = len(report.problems) - SHOWN_PROBLEMS
    if more > 0:
        print(f"... and {more:,} more" + ("" if args.report else " (--report FILE lists them all)"))
    if args.report:
        write_json(report, args.report)
    print(report.summary())
    return 0 if report.ok else EXIT_USAGE


def cmd_export(args) -> int:
    from .dataio.export import export_dashboard

    try:
        done = export_dashboard(args.db, args.dashboard, args.out, progress=_progress_to_stderr)
    except KeyError as exc:
        return _fail(exc.args[0])
    if sys.stderr.isatty():
        print(file=sys.stderr)
    rows = sum(done["tables"].values())
    print(f"wrote {done['path']}: {len(done['tables'])} sheets, {rows:,} rows ({done['dashboard']})")
    return 0


def _run_module(name: str, *args) -> int:
    # GUI and server live outside the core and load only when asked for, so
    # `execdash kpis` never imports Qt or FastAPI.
    return importlib.import_module(name).main(*args)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.self_test:
            return _run_module("execdash_desktop.ui.selftest")
        if args.command == "demo":
            return cmd_demo(args)
        if args.command == "kpis":
            return cmd_kpis(args)
        if args.command == "pack":
            return cmd_pack(args)
        if args.command == "import":
            return cmd_import(args)
        if args.command == "export":
            return cmd_export(args)
        if args.command == "serve":
            return _run_module("execdash_desktop.api.server", args)
        if args.command == "open" and args.path:
            from .file_check import check_data_file

            check_data_file(args.path)  # not SQLite, empty, no dashboard tables: one line, exit 2
        return _run_module("execdash_desktop.ui.app", getattr(args, "path", None))
    except (DataFileError, InvalidRequestError) as exc:
        return _fail(str(exc))
    except BrokenPipeError:  # `execdash kpis ... | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a folder we cannot write to, a full disk...
        return _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
