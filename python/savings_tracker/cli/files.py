"""Headless ``refresh`` and ``snapshot``: what the workbook's buttons do, done to a closed workbook.

Each command reads the workbook with the core reader, builds the same plan (``plans``) the buttons apply,
and writes it with the closed-file writer, ``xlsx.apply.ClosedFileWriter`` (only the changed cells' sheets,
tables and workbook.xml are rewritten;
the VBA project, buttons, charts, validations, formats, names and user sheets are copied untouched). When
the Summary needs more rows for new committees, they are inserted as the button's Excel Insert would
(``xlsx.rows``): the chart data, the chart, the RAG definitions and every reference to them move down, and
only the parts holding such references are rewritten. The result goes through
``xlsx.atomic.atomic_write`` (refuses when Excel has the file open or it is read-only; temporary file, fsync,
timestamped backup, rename).

Both take one workbook or several (a month-end batch run): each is done in turn, a workbook that cannot be
done is reported and left untouched, and the others still go ahead.

Exit status: 0 written; 1 written, and a register has errors (listed on its Checks sheet); 2 a workbook was not
written (it cannot be used, is open in Excel or read-only, or the snapshot was refused). With several
workbooks, the worst of their statuses.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import typer

from ..errors import SavingsTrackerError, UnreadableFile


class Refused(Exception):
    """Nothing was written to this workbook; the message says why (exit status 2 for it)."""


def _each(files: list[Path], one) -> None:
    """Run ``one(file)`` for each workbook in turn (a month-end batch), whatever happens to the others: a
    refused or unreadable workbook is reported and skipped. Exit status: the worst of the workbooks'."""
    worst = 0
    for file in files:
        if len(files) > 1:
            typer.echo(f"== {file}")
        try:
            code = one(file)
        except SavingsTrackerError as exc:
            typer.echo(f"savings-tracker: {exc}", err=True)
            code = exc.exit_code
        except Refused as exc:
            typer.echo(f"savings-tracker: {exc}", err=True)
            code = 2
        worst = max(worst, code)
    if len(files) > 1:
        typer.echo(f"{len(files)} workbooks: " + ("all written" if worst == 0 else
                                                   "some have errors or were not written (see above)"))
    if worst:
        raise typer.Exit(worst)


class Loaded:
    """A workbook read once: the register, its grids (for the service sheets) and its tables."""

    def __init__(self, path: Path):
        from ..core import schema
        from ..readers import read_book

        if path.suffix.lower() not in (".xlsm", ".xlsx"):
            raise UnreadableFile(f"{path.name}: refresh and snapshot work on the Savings Tracker workbook "
                                 f"(.xlsm or .xlsx), not a {path.suffix or 'file without extension'}; build one "
                                 f"with 'savings-tracker build-workbook --data {path.name} --out Savings_Tracker.xlsm'")
        self.path = path
        self.book, self.reg = read_book(path)
        missing = [s for s in (schema.SHEET_NAMES["summary"], schema.SHEET_NAMES["checks"],
                               schema.SHEET_NAMES["history"]) if s not in self.book.grids]
        if not self.reg.source.table or missing:
            raise UnreadableFile(
                f"{path.name}: not a Savings Tracker workbook ({'no sheet ' + ', '.join(missing) if missing else 'the register is not in an Excel Table named ' + schema.TABLE_NAMES['tracker']}); "
                f"build one with 'savings-tracker build-workbook --data {path.name} --out Savings_Tracker.xlsm'")

    def used_rows(self, sheet: str) -> int:
        rows = self.book.grids[sheet].rows if sheet in self.book.grids else []
        last = 0
        for i, row in enumerate(rows, start=1):
            if any(v not in (None, "") for v in row):
                last = i
        return last

    def headers(self) -> dict:
        rows = self.book.grids[self.reg.source.sheet].rows
        head = rows[self.reg.source.header_row - 1] if len(rows) >= self.reg.source.header_row else []
        return {k: head[c] for k, c in self.reg.source.columns.items() if 0 <= c < len(head) and head[c]}


def _finish(path: Path, plan, result, report, findings=None) -> int:
    from ..core.register import ERROR

    for m in plan.messages:
        typer.echo(m)
    for n in report.notes:
        typer.echo(f"note: {n}")
    for w in result.warnings:
        typer.echo(f"warning: {w}", err=True)
    typer.echo(f"Wrote {path}" + (f" (backup: {result.backup.name})" if result.backup else ""))
    return 1 if findings is not None and any(f.severity == ERROR for f in findings) else 0


def refresh_command(
        files: list[Path] = typer.Argument(..., help="Savings Tracker workbooks (.xlsm), closed; one or more."),
        backups: Optional[int] = typer.Option(None, "--backups", min=0,
                                              help="Backups to keep (default: backups_kept on the Settings sheet)."),
):
    """Refresh RAG summary, headless: restore typed-over formulas, Suggested RAG, Checks, highlights, Summary.

    Exit 0 written; 1 written and a register has errors (see Checks); 2 a workbook was not written. With several
    workbooks each is done in turn, and the exit status is the worst of them."""
    _each(files, lambda file: _refresh(file, backups))


def _refresh(file: Path, backups: Optional[int]) -> int:
    from ..xlsx.apply import ClosedFileWriter
    from .. import plans
    from ..core.validate import validate_and_summarise

    wb = Loaded(file)
    reg = wb.reg
    over = plans.find_typed_over(reg, wb.headers())
    fixed = plans.without_typed_over(reg, over)
    findings, summary = validate_and_summarise(fixed)
    plan = plans.refresh_plan(fixed, findings, summary, over,
                                checks_used_rows=wb.used_rows("Checks"),
                                checks_values=wb.book.grids["Checks"].rows,
                                summary_values=wb.book.grids["Summary"].rows, original=reg)
    result, report = ClosedFileWriter(file, backups_kept=reg.settings.backups_kept if backups is None else backups).apply(plan)
    return _finish(file, plan, result, report, [*plans.restored_findings(fixed, over), *findings])


def snapshot_command(
        files: list[Path] = typer.Argument(..., help="Savings Tracker workbooks (.xlsm), closed; one or more."),
        period: str = typer.Option(..., "--period", help="Label of the snapshot, e.g. 'October 2017'."),
        replace: bool = typer.Option(False, "--replace", help="Record the period again, replacing its rows."),
        backups: Optional[int] = typer.Option(None, "--backups", min=0,
                                              help="Backups to keep (default: backups_kept on the Settings sheet)."),
):
    """Take snapshot, headless: append this period's lines to History and set the Direction of travel.

    Exit 0 written; 2 a workbook was not written (e.g. the period is already in History: use --replace). With
    several workbooks each is done in turn, and the exit status is the worst of them."""
    _each(files, lambda file: _snapshot(file, period, replace, backups))


def _snapshot(file: Path, period: str, replace: bool, backups: Optional[int]) -> int:
    from .. import plans
    from ..readers.grids import TableRef
    from ..xlsx.apply import ClosedFileWriter

    wb = Loaded(file)
    table: TableRef | None = wb.book.table(plans.HISTORY_TABLE)
    if table is None:
        raise UnreadableFile(f"{file.name}: no Excel Table named {plans.HISTORY_TABLE} (on the History "
                             "sheet); rename it back (Table Design > Table Name) or rebuild the workbook")
    r1, c1, r2, c2 = table.bounds()
    rows = wb.book.grids[table.sheet].rows
    body = [(list(r[c1:c2 + 1]) if len(r) > c1 else []) for r in rows[r1 + 1: r2 + 1]]
    taken = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    plan = plans.snapshot_plan(wb.reg, body, period, taken, replace,
                                 history_top_left=f"{_col(c1)}{r1 + 1}", history_sheet=table.sheet,
                                 history_used_rows=max(r2 + 1, wb.used_rows(table.sheet)))
    if plan.refused:
        raise Refused(f"{file.name}: " + " ".join(plan.messages) + ". The file was not changed")
    result, report = ClosedFileWriter(file, backups_kept=wb.reg.settings.backups_kept if backups is None else backups).apply(plan)
    return _finish(file, plan, result, report)


def _col(index: int) -> str:
    from .. import cells
    return cells.letters(index + 1)


def register(app: typer.Typer) -> None:
    app.command("refresh")(refresh_command)
    app.command("snapshot")(snapshot_command)
