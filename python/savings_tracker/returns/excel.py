"""The "Collect returns" button: the returns in the folder named on the Settings sheet (``returns_folder``,
relative to the workbook) merged into the open workbook through xlwings, with the same rules and the same plan
as ``returns collect --into`` (``collect.merge_plan``), applied by the buttons' adapter (``xl.apply_plan``).
Excel recalculates the formulas itself, so the plan carries no cached values."""
from __future__ import annotations

from pathlib import Path

from . import collect, council
from .findings import ERROR
from .sheet import SHEET


def _folder(book, settings) -> Path:
    full = Path(book.fullname)
    base = full.parent if full.is_absolute() else Path.cwd()
    folder = Path(settings.returns_folder or "returns")
    return folder if folder.is_absolute() else base / folder


def collect_into_open_book(book, ctx):
    from .. import xl

    folder = _folder(book, ctx.settings)
    if not folder.is_dir():
        raise xl.Problem(f"The returns folder {folder} does not exist. Save the returns sent back there, or "
                         f"change 'returns_folder' on the Settings sheet")
    xl._status(book, f"Savings Tracker: reading the returns in {folder} ...")
    returns, _orgs, findings = collect.read_folder(collect.return_files(folder), ctx.settings.precision)
    owners = None
    if any(r.by == "owner" for r in returns):
        from .make import OWNER_HEADERS
        from .. import schema
        heads = [schema._norm(h) if h is not None else "" for h in ctx.header]
        ci = next((i for i, h in enumerate(heads) if h in OWNER_HEADERS), None)
        values = ctx.table.range.value
        owners = {} if ci is None else {
            str(row[0]).strip(): str(row[ci] or "").strip() for row in values[1:] if row and row[0]}
    result = council.collect(ctx.reg, returns, owners)
    findings = [*findings, *result.findings]
    rows = collect.returns_rows(returns, result, findings)
    if SHEET not in [s.name for s in book.sheets]:
        book.sheets.add(SHEET, after=book.sheets[len(book.sheets) - 1])
    checks = xl._values(xl._sheet(book, "checks"))
    summary = xl._sheet(book, "summary").used_range.value
    plan = collect.merge_plan(ctx.reg, result, ctx.headers, checks_values=checks,
                              summary_values=summary if isinstance(summary, list) else None,
                              checks_used_rows=len(checks), returns_rows=rows, findings=findings,
                              returns_used_rows=len(xl._values(xl._sheet_by_name(book, SHEET))),
                              cache_formulas=False)
    xl.apply_plan(book, plan)
    errors = [f for f in findings if f.severity == ERROR]
    lines = [f"Returns in {folder}: {len(returns)} read. Received from: {'; '.join(result.received) or 'none'}. "
             f"Not received from: {'; '.join(result.missing) or 'none'}.",
             f"{len(result.changes)} cell{'s' * (len(result.changes) != 1)} changed. "
             + (f"{len(errors)} problem{'s' * (len(errors) != 1)} not applied – see the Returns sheet."
                if errors else "No problems."),
             *(plan.messages[:1])]
    xl._alert(book, "\n".join(lines) + "".join(f"\n• {f.where()}: {f.message}" for f in errors[:3]),
              "critical" if errors else "info")
    return plan
