"""Refresh: the whole plan of the Refresh button (formulas restored, Suggested RAG, Checks, marks, Summary)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .. import cells
from ..core import calc, results
from ..core.register import Register
from .checks import body_rows, validate_plan
from .model import DERIVED_CODE, Block, UpdatePlan, counts_message
from .summary import summary_plan
from .typed_over import TypedOver, restored_findings


def column_block(reg: Register, key: str, values_by_index: dict) -> Block | None:
    """A block over one column of the register's body, one value per sheet row (None for rows that are not
    lines)."""
    rows = body_rows(reg)
    if rows is None or key not in reg.source.columns or reg.source.columns[key] < 0:
        return None
    first, last = rows
    col = reg.source.columns[key]
    out: list[list] = [[None] for _ in range(last - first + 1)]
    row_of = dict(zip(reg.lines.index, reg.lines["_row"].tolist()))    # one column read, not a lookup a line
    for i, v in values_by_index.items():
        out[int(row_of[i]) - first] = [v]
    return Block(reg.source.sheet, cells.address(first, col + 1), out)


def saved_results(original: Register, fixed: Register, typed_over: list[TypedOver]) -> list[tuple[str, str, object]]:
    """(sheet, cell, value): the computed formula cells (lines and the totals row) whose saved result is not
    the value the core computes once the typed-over formulas are back: the restored cells themselves, the
    cells that read them (a line's variance, the totals row), and cells saved without a result. Only where the
    reader knows which cells are formulas (``Source.formulas``)."""
    known = original.source.formulas
    if known is None:
        return []
    sheet, saved = original.source.sheet, original.source.saved
    out: dict[str, object] = {t.cell: t.expected for t in typed_over}
    keys = results.computed_keys(fixed)
    if len(fixed):
        rows = [int(r) for r in fixed.lines["_row"]]
        for k in keys:
            formula_rows = known.get(k, set())
            before = original.lines[k].tolist()
            for row, old, new in zip(rows, before, fixed.lines[k].tolist()):
                if row not in formula_rows:
                    continue
                old = saved.get((row, k), old)
                if (row, k) in saved or old != new:
                    out[fixed.source.cell(k, row)] = new
    for pub_old, pub in zip(original.published, fixed.published):
        for k, new in pub.values.items():
            if not pub.row or pub.row not in known.get(k, ()) or not isinstance(new, Decimal):
                continue
            old = saved.get((pub.row, k), pub_old.values.get(k))
            if (pub.row, k) in saved or old != new:
                out[fixed.source.cell(k, pub.row)] = new
    return [(sheet, cell, value) for cell, value in out.items() if value is not None]


def refresh_plan(reg: Register, findings, summary: calc.Summary, typed_over: list[TypedOver], *,
                 stamp: str | None = None, checks_used_rows: int = 0, checks_values=None,
                 summary_values=None, original: Register | None = None) -> UpdatePlan:
    """Validate's plan with the restored formulas listed in Checks, plus the formulas to restore, the
    Suggested RAG column and the Summary block. ``reg``/``findings``/``summary`` should describe the register
    as it will be once the formulas are back (``without_typed_over``); ``original`` is the register as read:
    given, the plan also rewrites the saved results that are not the core's (``saved_results``)."""
    restored = restored_findings(reg, typed_over)
    restored_cells = {t.cell for t in typed_over}
    kept = [f for f in findings if not (f.cell in restored_cells and f.code.endswith("-mismatch"))
            and f.code != DERIVED_CODE]     # this refresh writes the results: the note is no longer true
    plan = validate_plan(reg, [*restored, *kept], checks_used_rows=checks_used_rows, checks_values=checks_values)
    plan.restored_formulas = [(t.sheet, t.cell, t.formula) for t in typed_over]
    if original is not None:
        plan.results = saved_results(original, reg, typed_over)
    if reg.layout == "tracker" and reg.has("suggested_rag") and len(reg):
        rags = calc.suggested_rags(reg)
        block = column_block(reg, "suggested_rag", dict(rags.items()))
        if block:
            plan.blocks.append(block)
    stamp = stamp or dt.datetime.now().strftime("%d %b %Y %H:%M")
    sp = summary_plan(reg, summary, stamp, summary_values)
    plan.blocks.extend(sp.blocks)
    plan.insert_rows.extend(sp.insert_rows)
    plan.formats.extend(sp.formats)
    extra = f"{len(typed_over)} formula{'s' * (len(typed_over) != 1)} restored" if typed_over else ""
    plan.messages[0] = f"Summary refreshed from {len(reg)} lines. " + counts_message([*restored, *kept], extra)
    plan.messages.extend(sp.messages)
    return plan
