"""Take snapshot: the period's rows appended to (or replacing theirs in) the History table."""
from __future__ import annotations

from decimal import Decimal

from .. import cells
from ..core import history, schema
from ..core.register import Register
from .model import HISTORY_TABLE, Block, UpdatePlan
from .refresh import column_block
from .typed_over import find_typed_over, without_typed_over


# ---- snapshot ------------------------------------------------------------------------------------------


def snapshot_plan(reg: Register, history_rows, period, taken_at, replace: bool = False, *,
                  history_top_left: str = "A1", history_sheet: str | None = None,
                  history_used_rows: int = 0) -> UpdatePlan:
    """Append this period's rows to the History table (header at ``history_top_left``; ``history_rows``: its
    body as read, blank rows allowed), set Direction (History and the register's Direction column) against
    the previous snapshot; refuse when ``period`` is already recorded, unless ``replace``."""
    sheet = history_sheet or schema.SHEET_NAMES["history"]
    plan = UpdatePlan()
    period = history.period_label(period)
    if not period:
        plan.refused = True
        plan.messages.append("No period to record: fill in 'period' on the Settings sheet (e.g. October 2017) "
                             "and take the snapshot again")
        return plan
    if not len(reg):
        plan.refused = True
        plan.messages.append("The register has no lines: nothing to record in History")
        return plan
    # History records only figures the core confirms: a total typed over its formula is recorded as the
    # formula gives it from the line's phasing (Refresh restores the formula itself)
    over = find_typed_over(reg)
    reg = without_typed_over(reg, over)
    old = history.clean_rows(history_rows)
    exists = history.has_period(old, period)
    if exists and not replace:
        plan.refused = True
        plan.messages.append(f"History already holds a snapshot for {period}; nothing was recorded. To record "
                             f"it again, use 'Replace snapshot' (snapshot(replace=True)), or change 'period' on "
                             f"the Settings sheet")
        return plan
    rows = history.snapshot_rows(reg, period, taken_at)
    arrows = history.directions(reg, old, period)
    for row, arrow in zip(rows, arrows):
        row[history.COL["Direction"]] = arrow
    top, col = cells.cell(history_top_left)
    first_body = top + 1
    width = len(history.HISTORY_HEADERS)
    if exists:
        want = period.casefold()
        kept = [r for r in old if history.period_label(r[history.COL["Period"]]).casefold() != want]
        # keep the snapshot in chronological place: where the replaced rows were
        pos = next(i for i, r in enumerate(old) if history.period_label(r[history.COL["Period"]]).casefold() == want)
        before = sum(1 for r in old[:pos] if history.period_label(r[history.COL["Period"]]).casefold() != want)
        body = [*kept[:before], *rows, *kept[before:]]
        body = [[_cell_value(v) for v in r] for r in body]
        plan.blocks.append(Block(sheet, cells.address(first_body, col), body,
                                 max(history_used_rows, first_body + len(old) - 1) or None))
        last = first_body + len(body) - 1
    else:
        start = first_body + len(old)
        plan.blocks.append(Block(sheet, cells.address(start, col), [[_cell_value(v) for v in r] for r in rows]))
        last = start + len(rows) - 1
    plan.resize_tables.append((sheet, HISTORY_TABLE,
                               f"{cells.address(top, col)}:{cells.address(last, col + width - 1)}"))
    block = column_block(reg, "direction", dict(zip(reg.lines.index, arrows)))
    if block:
        plan.blocks.append(block)
    ups, downs = arrows.count(history.UP), arrows.count(history.DOWN)
    prev = history.previous_period(old, period)
    versus = f" against {prev}" if prev else " (no earlier snapshot: every line ↔)"
    plan.messages.append(f"{'Replaced' if exists else 'Recorded'} the {period} snapshot of {len(rows)} lines in "
                         f"History{versus}: {ups} improving, {downs} worsening, "
                         f"{len(arrows) - ups - downs} unchanged")
    if over:
        cells_ = ", ".join(t.cell for t in over[:5]) + (" ..." if len(over) > 5 else "")
        plan.messages.append(f"{len(over)} total{'s' * (len(over) != 1)} typed over {'their formulas' if len(over) != 1 else 'its formula'} "
                             f"({cells_}) recorded as the phasing gives; click Refresh RAG summary to restore them")
    return plan


def _cell_value(v):
    if isinstance(v, Decimal):
        return float(v)
    return v
