"""The import's jobs for the query service: plan (with a preview), check, import, one row, history.

Each runs a core function of execdash_desktop.dataio on a worker thread; nothing
here touches a widget. A cancel is a threading.Event carried in the job's
payload (outside its key), polled by the import between chunks.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

from execdash_desktop.errors import DataFileError

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class SheetPlan:
    """One file or sheet as the dialog shows it before anything is checked."""

    display: str
    sheet: str | None
    table: str | None
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # the first PREVIEW_ROWS rows, as text
    first_row: int  # the spreadsheet row number of rows[0]
    mapping: tuple[tuple[str, str | None], ...]  # header -> column (None: not matched)
    columns: tuple[str, ...]  # the table's columns
    required: tuple[str, ...]  # the columns a row must fill


def _run_plan(ctx, job, progress):
    from execdash_desktop.dataio import plan_import
    from execdash_desktop.dataio.readers import preview
    from execdash_desktop.dataio.schema import importable_tables

    sources, table, sheet = job.args
    progress(0.1, "Reading the files")
    specs = importable_tables()
    out = []
    with ExitStack() as stack:
        for plan in plan_import(list(sources), stack, table, sheet):
            head = preview(plan.sheet, PREVIEW_ROWS)
            rows = tuple(tuple(str(v) for v in r) for r in head.frame.itertuples(index=False)) if head else ()
            first = int(head.frame.index[0]) if head is not None and len(head.frame) else 2
            spec = specs.get(plan.table) if plan.table else None
            out.append(SheetPlan(plan.sheet.display, plan.sheet.sheet, plan.table, tuple(plan.headers), rows, first,
                                 tuple(plan.mapping.items()),
                                 tuple(c.name for c in spec.columns) if spec else (),
                                 tuple(c.name for c in spec.columns if c.required) if spec else ()))
    return tuple(out)


def _import_kwargs(job) -> dict:
    sources, table, sheet, mode, skip, _run = job.args
    overrides, cancel = job.payload
    return dict(table=table, sheet=sheet, mode=mode, skip_bad_rows=skip, overrides=overrides,
                cancelled=cancel.is_set)


def _run_check(ctx, job, progress):
    from execdash_desktop.dataio import run_import

    return run_import(job.path, list(job.args[0]), dry_run=True, progress=progress, **_import_kwargs(job))


def _run_import(ctx, job, progress):
    from execdash_desktop.dataio import run_import

    return run_import(job.path, list(job.args[0]), progress=progress, **_import_kwargs(job))


def _run_row(ctx, job, progress):
    """The cells of one spreadsheet row (the dialog's 'see the row')."""
    from execdash_desktop.dataio.readers import list_sheets, read_row

    sources, display, sheet, row = job.args
    with ExitStack() as stack:
        for s in list_sheets(list(sources), stack):
            if s.display == display and s.sheet == sheet:
                return read_row(s, row)
    raise DataFileError(f"{display}: no longer there")


def _run_history(ctx, job, progress):
    from execdash_desktop.dataio.logs import read_logs

    return read_logs(ctx.reader(job.path))


HANDLERS = {"import_plan": _run_plan, "import_check": _run_check, "import_run": _run_import,
            "import_row": _run_row, "import_history": _run_history}


def register() -> None:
    """Teach the query service these jobs (idempotent)."""
    from ..services import jobs

    jobs.HANDLERS.update(HANDLERS)
