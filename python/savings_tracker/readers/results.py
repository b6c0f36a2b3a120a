"""Saved formula results the readers do not take on trust. A formula cell saved without its result, or any
formula cell of a file the product wrote and no spreadsheet application has recalculated since
(``Book.stale``), is read as the value its parts give (``core.results``), and a note says so."""
from __future__ import annotations

from ..core import results
from ..core.register import WARNING, Finding, Register
from .grids import Book


def confirm(book: Book, reg: Register) -> Register:
    """Record which cells of the register are formulas (``Source.formulas``) and which are blank, and derive
    the computed columns and the totals row where the saved results cannot be trusted."""
    grid = book.grids.get(reg.source.sheet)
    if book.kind != "xlsx" or grid is None or grid.formulas is None:
        return reg
    by_col: dict[int, set[int]] = {}
    for r, c in grid.formulas:
        by_col.setdefault(c, set()).add(r + 1)
    empty: dict[int, set[int]] = {}
    for r, c in grid.no_result:
        empty.setdefault(c, set()).add(r + 1)
    cols = {k: c for k, c in reg.source.columns.items() if c >= 0}
    reg.source.formulas = {k: by_col.get(c, set()) for k, c in cols.items()}
    computed = results.computed_keys(reg)
    if len(reg):
        rows = [int(r) for r in reg.lines["_row"]]
        for k in computed:
            c = cols[k]
            formula = reg.source.formulas[k]
            reg.source.blank[k] = {r for r in rows if r not in formula and _empty(grid.rows, r - 1, c)}
    untrusted = {k: (reg.source.formulas[k] if book.stale else empty.get(cols[k], set())) for k in cols}
    changed = results.derive(reg, {k: untrusted[k] for k in computed}, totals_untrusted=untrusted)
    for k in cols:                      # a cell with no saved result gets one on the next write, whatever it is
        for r in empty.get(cols[k], ()):
            changed.setdefault((r, k), None)
    reg.source.saved = changed
    missing = sum(1 for k in cols for _ in empty.get(cols[k], ()))
    changed = {k: v for k, v in changed.items() if v is not None or k[1] in computed}
    if changed or missing:
        first = min(changed or [(0, "")])
        cell = reg.source.cell(first[1], first[0]) if first[0] else ""
        why = (f"{missing} formula cell{'s' * (missing != 1)} of the register had no saved result"
               if missing else "the file was written by Savings Tracker and not recalculated since")
        reg.read_findings.append(Finding(
            WARNING, "results-derived",
            f"{why}: {len(changed)} computed figure{'s' * (len(changed) != 1)} (totals, variance, the totals row) "
            f"are read as the values their parts give, not as saved; open and save the workbook in Excel to "
            f"store the results", reg.source.sheet, cell))
    return reg


def _empty(rows, r: int, c: int) -> bool:
    row = rows[r] if r < len(rows) else ()
    return c >= len(row) or row[c] in (None, "")
