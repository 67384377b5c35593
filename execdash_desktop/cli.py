"""The `execdash` command: demo | kpis | dashboards | pack | import | export | snapshot | open | serve (and
the window by default).

Errors the user can fix print one line on stderr and exit with code 2: never a
traceback, never a write to the data file.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import months as mo
from .errors import DataFileError, InvalidRequestError

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage + message
        self.exit(EXIT_USAGE, f"execdash: error: {message}\n")


def _fail(message: str) -> int:
    print(f"execdash: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _demo_options() -> dict[str, tuple[str, str]]:
    """CLI option -> (dashboard title, demo keyword), from the declarations (dashboards.spec.demo_options)."""
    from .dashboards import registry

    out: dict[str, tuple[str, str]] = {}
    for dash in registry.all_dashboards():
        for option, keyword in dash.demo_options.items():
            out.setdefault(option, (dash.title, keyword))
    return out


class _Version(argparse.Action):
    """--version, read only when asked for (execdash_desktop.__version__ costs every start otherwise)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from . import __version__

        sys.stdout.write(f"ExecDash {__version__}\n")  # where argparse's own version action prints
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="execdash", description="ExecDash Desktop: an offline executive dashboard.")
    p.add_argument("--version", action=_Version, help="show the version and exit")
    p.add_argument("--self-test", action="store_true",
                   help="open the window offscreen on a fresh demo file, check it and exit")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    d = sub.add_parser("demo", help="write a deterministic demo data file (every dashboard's tables)")
    d.add_argument("--db", required=True, help="the file to create")
    d.add_argument("--dashboards", help="dashboards to write, comma-separated (default: all)")
    d.add_argument("--end", help="last month of data, YYYY-MM (default: last month)")
    for option, (title, keyword) in _demo_options().items():  # each dashboard's sizes (--orders, --bugs...)
        d.add_argument(f"--{option}", type=int, help=f"{title} demo: its {keyword} (default: the dashboard's)")
    d.add_argument("--seed", type=int, default=7)
    d.add_argument("--force", action="store_true", help="replace the file if it exists")

    k = sub.add_parser("kpis", help="print a dashboard's payload")
    k.add_argument("--db", required=True)
    k.add_argument("--dashboard", help="which dashboard (default: the only one in the file, else executive)")
    k.add_argument("--range", default="12m", choices=list(mo.RANGES))
    k.add_argument("--granularity", default="month", choices=list(mo.GRANULARITIES))
    k.add_argument("--as-of", dest="as_of",
                   help="as-of month YYYY-MM (Executive) or date/timestamp (Engineering); default: latest")
    k.add_argument("--json", action="store_true", help="print JSON instead of a table")

    h = sub.add_parser("dashboards", help="list the dashboards a data file holds")
    h.add_argument("--db", required=True)
    h.add_argument("--json", action="store_true")

    b = sub.add_parser("pack", help="write the board pack PDF (headless)")
    b.add_argument("--db", required=True)
    b.add_argument("--dashboard", help="the dashboard page and summary (default: the only one, else executive)")
    b.add_argument("--range", default="12m", choices=list(mo.RANGES))
    b.add_argument("--granularity", default="month", choices=list(mo.GRANULARITIES))
    b.add_argument("--as-of", dest="as_of", help="as-of month YYYY-MM (default: latest)")
    b.add_argument("--paper", choices=["a4", "letter"], help="paper, landscape (default: by the locale)")
    b.add_argument("--drilldowns", help="drill-down keys, comma-separated; NAME:KEY for another dashboard's "
                                        "(default: the dashboard's board favourites)")
    b.add_argument("--out", required=True, help="the PDF to write")

    n = sub.add_parser("snapshot", help="copy the dashboards' tables from PostgreSQL into a data file")
    n.add_argument("--from", dest="source", required=True, metavar="postgresql://user@host:port/db",
                   help="the database (password from PGPASSWORD, ~/.pgpass, the keyring or a prompt)")
    n.add_argument("--db", required=True, help="the data file to write (replaced only when complete)")
    n.add_argument("--dashboards", help="dashboards, comma-separated (default: all)")
    n.add_argument("--schema", default="public", help="the PostgreSQL schema (default: public)")
    n.add_argument("--since", action="store_true",
                   help="copy only rows changed since the file's last snapshot of this source")
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
    from .dashboards import registry
    from .demo import parse_names, write_demo

    names = parse_names(args.dashboards)
    options = {}
    for name in names:  # only the sizes given: each dashboard has its own defaults
        dash = registry.get(name)
        options[name] = {kw: getattr(args, opt) for opt, kw in dash.demo_options.items()
                         if getattr(args, opt, None) is not None}
    done = write_demo(args.db, names, seed=args.seed, end=args.end, force=args.force,
                      progress=_progress_to_stderr, options=options)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    parts = [f"{registry.get(n).title}: {facts.get('summary', 'written')}" for n, facts in done["dashboards"].items()]
    print(f"wrote {done['path']}: {'; '.join(parts)} in {done['seconds']:.1f} s")
    return 0


def _dashboard(args):
    from .dashboards import registry

    name = getattr(args, "dashboard", None)
    if name is None:
        return registry.default_for(args.db)
    try:
        return registry.get(name)
    except KeyError as exc:
        raise InvalidRequestError("dashboard", name, "one of " + ", ".join(registry.names())) from exc


def cmd_kpis(args) -> int:
    from .engine import Engine
    from .format import dashboard_text, json_text

    dash = _dashboard(args)
    payload = Engine().payload(args.db, args.range, args.granularity, args.as_of,
                               progress=_progress_to_stderr, dashboard=dash.name)
    if args.json:
        sys.stdout.write(json_text(payload) + "\n")
    else:
        print(dash.text(payload) if dash.text else dashboard_text(dash, payload))
    return 0


def cmd_dashboards(args) -> int:
    from .dashboards import registry

    from .format import json_text

    held = registry.holdings(args.db)
    if args.json:
        sys.stdout.write(json_text([{"name": h.dashboard.name, "title": h.dashboard.title, "present": h.present,
                                     "tables_found": list(h.found), "tables_missing": list(h.missing)}
                                    for h in held]) + "\n")
        return 0
    for h in held:
        state = "present" if h.present else "absent"
        print(f"{h.dashboard.name:<12} {h.dashboard.title:<14} {state:<8} "
              f"{len(h.found)} of {len(h.dashboard.tables)} tables")
        if h.present and h.missing:
            print(f"{'':<12} missing (optional): {', '.join(h.missing)}")
        elif not h.present:
            need = [t for t in h.dashboard.required if t in h.missing]
            print(f"{'':<12} needs: {', '.join(need)}")
    return 0


def cmd_pack(args) -> int:
    from . import boardpack
    from .dashboards import registry
    from .engine import Engine
    from .store import open_reader

    dash = _dashboard(args)
    try:
        keys = boardpack.parse_keys(args.drilldowns, dash.name)
    except KeyError as exc:
        return _fail(exc.args[0])
    out = boardpack.check_target(args.out, args.db)  # before any work: a bad target fails at once
    engine = Engine()
    src = engine.source(args.db, progress=_progress_to_stderr, dashboard=dash.name)
    for note in getattr(src, "notes", ()):  # running uncached, read without its -wal, data quality: said once
        print(f"execdash: note: {note}", file=sys.stderr)
    payload = dash.payload(src, args.range, args.granularity, args.as_of)

    def others(name: str):  # another dashboard's sections: its own latest as-of, same range
        other = registry.get(name)
        osrc = engine.source(args.db, dashboard=name)
        return osrc, other.payload(osrc, args.range, "month", None)

    conn = open_reader(args.db)
    try:
        data = boardpack.gather(conn, src, payload, None, keys, args.db, dashboard=dash.name, others=others)
    finally:
        conn.close()
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # headless: no display needed
    # --paper, else the system locale's paper as Qt reads it (as the window's dialog does)
    done = importlib.import_module("execdash_desktop.ui.export.board_pack").main(data, str(out), args.paper)
    print(f"wrote {done['path']}: {done['pages']} pages ({'A4' if done['paper'] == 'a4' else 'Letter'} landscape)")
    return 0


def cmd_snapshot(args) -> int:
    import getpass

    from .snapshot import snapshot

    def prompt(text: str) -> str | None:
        return getpass.getpass(text) if sys.stdin.isatty() else None

    names = [d.strip() for d in args.dashboards.split(",") if d.strip()] if args.dashboards else None
    done = snapshot(args.source, args.db, dashboards=names, schema=args.schema, since=args.since,
                    prompt=prompt, progress=_progress_to_stderr)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for note in done.notes:
        print(note)
    copied = sum(done.changed.values())
    what = (f"{copied:,} changed rows" if done.mode == "since" else f"{copied:,} rows")
    print(f"wrote {done.path}: snapshot of {done.source} ({', '.join(done.dashboards)}), "
          f"{what} in {done.seconds:.1f} s")
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
        if args.command == "dashboards":
            return cmd_dashboards(args)
        if args.command == "pack":
            return cmd_pack(args)
        if args.command == "snapshot":
            return cmd_snapshot(args)
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
