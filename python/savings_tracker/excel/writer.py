"""The open-workbook plan writer: a plan applied through xlwings, in as few calls into Excel as its shape allows
(one write per block, one formula write per restored column span, one ``set_colors`` per marked column span).

``lite=True`` (xlwings Lite) keeps to the actions xlwings' Office.js client applies: a restored formula is
written as a value (Office.js enters ``=...`` as a formula; ``setValues``) and marks as one ``Range.color``
per run of adjacent cells of one colour (``setRangeColor``), never a colour matrix (``setRangeColors``)."""
from __future__ import annotations

from .. import cells, plans
from ..errors import SavingsTrackerError
from ..plans.writer import PlanWriter

MAX_COLOUR_CELLS = 10_000


def sheet_by_name(book, name: str):
    for sh in book.sheets:
        if sh.name == name:
            return sh
    raise SavingsTrackerError(f"There is no sheet named '{name}'; rename it back or rebuild the workbook")


class OpenBookWriter(PlanWriter):
    """Applies plans to a workbook open in Excel (or xlwings' remote engine) through xlwings' ``Book`` API."""

    def __init__(self, book, status=None, lite: bool = False):
        self.book = book
        self.status = status or (lambda text: None)
        self.lite = lite

    def apply(self, plan: plans.UpdatePlan) -> int:
        """Apply ``plan``; returns the number of write calls made into Excel."""
        return _apply(self.book, plan, self.status, self.lite)


def _apply(book, plan: plans.UpdatePlan, status, lite: bool = False) -> int:
    calls = 0
    for sheet, row, count in plan.insert_rows:
        sh = sheet_by_name(book, sheet)
        sh.range(f"{row}:{row + count - 1}").insert("down")
        calls += 1
    for sheet, source, target in plan.formats:   # cells copied whole (Range.Copy: Excel, Lite); blocks follow
        sh = sheet_by_name(book, sheet)
        sh.range(source).copy(sh.range(target))
        calls += 1
    for i, block in enumerate(plan.blocks):
        status(f"Savings Tracker: writing {block.sheet} ({i + 1} of {len(plan.blocks)}) ...")
        sh = sheet_by_name(book, block.sheet)
        n, m = block.shape
        if n and m:
            sh.range(block.top_left).resize(n, m).value = [[plans.excel_input(v) for v in row]
                                                            for row in block.values]
            calls += 1
        row, col = cells.cell(block.top_left)
        if block.clear_to_row and block.clear_to_row >= row + n:
            sh.range((row + n, col), (block.clear_to_row, col + max(m, 1) - 1)).clear_contents()
            calls += 1
    by_column: dict[tuple[str, int], list[tuple[int, str]]] = {}
    for sheet, cell, formula in plan.restored_formulas:
        row, col = cells.cell(cell)
        by_column.setdefault((sheet, col), []).append((row, formula))
    for (sheet, col), restored in by_column.items():
        sh = sheet_by_name(book, sheet)
        formulas = {f for _, f in restored}
        rows = sorted(r for r, _ in restored)
        if lite:                 # Office.js enters "=..." written as a value as a formula (setValues)
            for r, f in restored:
                sh.range((r, col)).value = f
                calls += 1
            continue
        if len(formulas) == 1:   # one calculated-column formula: write the span at once
            f = formulas.pop()
            sh.range((rows[0], col), (rows[-1], col)).formula = [[f] for _ in range(rows[-1] - rows[0] + 1)]
            calls += 1
        else:
            for r, f in restored:
                sh.range((r, col)).formula = f
                calls += 1
    calls += _apply_marks(book, plan.marks, plan.clear_marks, lite)
    for sheet, name, rng in plan.resize_tables:
        sh = sheet_by_name(book, sheet)
        sh.tables[name].resize(sh.range(rng))
        calls += 1
    for sheet, rng in plan.filters:
        calls += _follow_filter(sheet_by_name(book, sheet), rng)
    return calls


def _follow_filter(sh, rng: str) -> int:
    """The sheet's table that starts at ``rng``'s top-left cell (Checks) resized to ``rng``, so its filter
    covers every row written (``Table.resize``: Excel on Windows and macOS, Lite, the remote engine). A sheet
    AutoFilter without a table (a workbook built before Checks was a table) stays where it is: xlwings cannot
    move one to another range."""
    top_left = cells.cell(rng.split(":")[0])
    for table in sh.tables:
        at = table.range
        if (at.row, at.column) != top_left:
            continue
        if at.address.replace("$", "") == rng:
            return 0
        table.resize(sh.range(rng))
        return 1
    return 0


def _apply_marks(book, marks, clear=(), lite: bool = False) -> int:
    """Colour each marked cell and remove the fill of each cleared one: one ``set_colors`` call per column
    span (``...`` keeps the cells in between, and with them any fill a user chose), in chunks of at most
    10,000 cells."""
    calls = 0
    cols: dict[tuple[str, int], dict[int, str | None]] = {}
    for sheet, cell in clear:
        row, col = cells.cell(cell)
        cols.setdefault((sheet, col), {})[row] = None
    for m in marks:
        row, col = cells.cell(m.cell)
        cols.setdefault((m.sheet, col), {})[row] = plans.MARK_COLOURS[m.severity]
    for (sheet, col), rows in cols.items():
        sh = sheet_by_name(book, sheet)
        ordered = sorted(rows)
        if lite:
            calls += _colour_runs(sh, col, rows)
            continue
        start = 0
        while start < len(ordered):
            first = ordered[start]
            end = start
            while end + 1 < len(ordered) and ordered[end + 1] - first < MAX_COLOUR_CELLS:
                end += 1
            last = ordered[end]
            matrix = [[rows.get(r, ...)] for r in range(first, last + 1)]
            sh.range((first, col), (last, col)).set_colors(matrix)
            calls += 1
            start = end + 1
    return calls


def _colour_runs(sh, col: int, rows: dict[int, str | None]) -> int:
    """Lite: one ``Range.color`` (a ``setRangeColor`` action) per run of adjacent cells of one colour."""
    calls = 0
    ordered = sorted(rows)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1 and rows[ordered[j + 1]] == rows[ordered[i]]:
            j += 1
        sh.range((ordered[i], col), (ordered[j], col)).color = rows[ordered[i]]
        calls += 1
        i = j + 1
    return calls
