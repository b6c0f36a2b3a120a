"""The "Collect returns" button's work, without Excel: the returns in the folder named on the Settings sheet
(``returns_folder``, relative to the workbook) turned into the same plan as ``returns collect --into``
(``collect.merge_plan``). ``excel.buttons.collect_returns`` reads the open workbook and applies the plan through the
buttons' adapter; Excel recalculates the formulas itself, so the plan carries no cached values."""
from __future__ import annotations

from pathlib import Path

from . import collect, council
from .findings import ERROR
from .make import is_owner_header


def returns_folder(workbook_path: str, settings) -> Path:
    full = Path(workbook_path)
    base = full.parent if full.is_absolute() else Path.cwd()
    folder = Path(settings.returns_folder or "returns")
    return folder if folder.is_absolute() else base / folder


def button_plan(reg, headers: dict, table_values: list[list], folder: Path, *, checks_values, summary_values,
                returns_values) -> tuple[object, str, bool]:
    """-> (plan, the alert's text, whether it is about errors). ``table_values``: the Savings table as read
    (header row first), for an owner column the schema does not know."""
    returns, _orgs, findings = collect.read_folder(collect.return_files(folder), reg.settings.precision)
    owners = None
    if any(r.by == "owner" for r in returns):
        head = table_values[0] if table_values else []
        ci = next((i for i, h in enumerate(head) if is_owner_header(h)), None)
        owners = {} if ci is None else {str(row[0]).strip(): str(row[ci] or "").strip()
                                        for row in table_values[1:] if row and row[0]}
    result = council.collect(reg, returns, owners)
    findings = [*findings, *result.findings]
    plan = collect.merge_plan(reg, result, headers, checks_values=checks_values, summary_values=summary_values,
                              checks_used_rows=len(checks_values or []),
                              returns_rows=collect.returns_rows(returns, result, findings), findings=findings,
                              returns_used_rows=len(returns_values or []), cache_formulas=False)
    errors = [f for f in findings if f.severity == ERROR]
    n = len(result.changes)
    lines = [f"Returns in {folder}: {len(returns)} read. Received from: {'; '.join(result.received) or 'none'}. "
             f"Not received from: {'; '.join(result.missing) or 'none'}.",
             f"{n} cell{'s' * (n != 1)} changed. "
             + (f"{len(errors)} problem{'s' * (len(errors) != 1)} not applied – see the Returns sheet."
                if errors else "No problems."),
             *plan.messages[:1]]
    text = "\n".join(lines) + "".join(f"\n• {f.where()}: {f.message}" for f in errors[:3])
    return plan, text, bool(errors)
