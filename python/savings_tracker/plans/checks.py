"""Validate: the Checks sheet rows, the cell highlights, and which marks of the previous run to clear."""
from __future__ import annotations

from .. import cells
from ..core import schema
from ..core.register import ERROR, WARNING, Register
from .model import CHECKS_HEADERS, CHECKS_TOP_LEFT, MARK_COLOURS, Block, Mark, UpdatePlan, counts_message, hyperlink, pad_rows


# ---- body geometry ---------------------------------------------------------------------------------------


def body_rows(reg: Register) -> tuple[int, int] | None:
    """First and last sheet row (1-based) of the register's lines, or None when it has none."""
    if not len(reg) or "_row" not in reg.lines:
        return None
    first = reg.source.header_row + 1
    return first, max(int(r) for r in reg.lines["_row"])


def body_range(reg: Register) -> str | None:
    rows = body_rows(reg)
    cols = [c for c in reg.source.columns.values() if c >= 0]
    if rows is None or not cols:
        return None
    return f"{cells.address(rows[0], min(cols) + 1)}:{cells.address(rows[1], max(cols) + 1)}"


# ---- validate ------------------------------------------------------------------------------------------


def checks_rows(findings) -> list[list]:
    rows = [list(CHECKS_HEADERS)]
    for f in findings:
        rows.append([f.severity, f.sheet or None, f.cell or None, f.reference or None, f.code, f.message,
                     hyperlink(f.sheet, f.cell)])
    return rows


def marks_for(reg: Register, findings) -> list[Mark]:
    """One mark per offending cell inside the register's lines (the worst severity wins)."""
    rows = body_rows(reg)
    if rows is None:
        return []
    out: dict[str, Mark] = {}
    for f in findings:
        if f.sheet != reg.source.sheet or not cells.is_cell(f.cell) or f.severity not in MARK_COLOURS:
            continue
        r, _ = cells.cell(f.cell)
        if not rows[0] <= r <= rows[1]:
            continue
        have = out.get(f.cell)
        if have is None or (have.severity == WARNING and f.severity == ERROR):
            out[f.cell] = Mark(f.sheet, f.cell, f.severity)
    return list(out.values())


def marked_before(reg: Register, checks_values) -> list[str]:
    """The cells the previous run marked, as its Checks rows list them (Severity, Sheet, Cell), inside the
    register's lines. Clearing only these keeps every fill a user gave a cell themselves."""
    rows = body_rows(reg)
    if rows is None or not checks_values:
        return []
    at = [CHECKS_HEADERS.index(h) for h in ("Severity", "Sheet", "Cell")]
    out = []
    for row in list(checks_values)[1:]:
        if not isinstance(row, (list, tuple)) or len(row) <= max(at):
            continue
        severity, sheet, cell = (str(row[k]).strip() if row[k] is not None else "" for k in at)
        if severity in MARK_COLOURS and sheet == reg.source.sheet and cells.is_cell(cell) and \
                rows[0] <= cells.cell(cell)[0] <= rows[1]:
            out.append(cell.replace("$", "").upper())
    return list(dict.fromkeys(out))


def validate_plan(reg: Register, findings, *, checks_used_rows: int = 0, checks_values=None,
                  extra_messages=()) -> UpdatePlan:
    """Rewrite Checks (header row at ``CHECKS_TOP_LEFT``, one row per finding with its link), clear the marks
    of the previous run (``checks_values``: the Checks sheet as read, from A1) and mark each offending cell.
    ``checks_used_rows``: the last row Checks used before, so rows of older findings are cleared."""
    findings = list(findings)
    rows = checks_rows(findings)
    top, _ = cells.cell(CHECKS_TOP_LEFT)
    last = top + len(rows) - 1
    plan = UpdatePlan()
    plan.blocks.append(Block(schema.SHEET_NAMES["checks"], CHECKS_TOP_LEFT, pad_rows(rows, len(CHECKS_HEADERS)),
                             checks_used_rows if checks_used_rows > last else None))
    plan.filters.append((schema.SHEET_NAMES["checks"],
                         f"{CHECKS_TOP_LEFT}:{cells.address(max(last, top + 1), len(CHECKS_HEADERS))}"))
    plan.marks = marks_for(reg, findings)
    marked_now = {m.cell for m in plan.marks}
    plan.clear_marks = [(reg.source.sheet, c) for c in marked_before(reg, checks_values) if c not in marked_now]
    plan.messages.append(counts_message(findings, "; ".join(extra_messages)))
    return plan
