"""The plan: what a button changes in the workbook, as data.

``excel.writer`` applies a plan to an open workbook through xlwings (Excel, or the remote engine);
the headless writer applies the same plan to a closed .xlsm by patching its XML. Pure Python: no xlwings.

Plan semantics (what an adapter must do, in this order):

0. ``insert_rows``: ``(sheet, row, count)``: insert ``count`` whole rows above 1-based ``row`` (Summary only,
   when there are more committees than rows before the chart data; the chart's references move with them),
   formatted like the row above, as Excel's Insert does (headless: ``xlsx.rows``, on the closed package).
   Every other address in the plan is AFTER the insertion.
0a. ``formats``: ``(sheet, "A18:B18", "A22:B22")``: the second range's cells take the first's formats (number
   format, font, fill, borders, alignment; the two ranges of one shape), before the blocks are written into
   them (Summary only: a table a workbook built before it had, laid out as the table above it). An adapter may
   copy the cells whole (Excel's ``Range.Copy``): the blocks then write every value.
1. ``blocks``: write ``values`` (a rectangular 2D list) with its top-left cell at ``top_left`` on ``sheet``,
   in one write. A value of type ``Formula`` is a formula (``=HYPERLINK(...)`` in Checks); any other string is text. ``None`` empties
   the cell. When ``clear_to_row`` is set and below the block, the values of the block's columns from the
   row after the block down to ``clear_to_row`` (inclusive) are cleared (contents only, never formats).
2. ``restored_formulas``: ``(sheet, cell, formula)``; write the formula into the cell. All cells of one
   computed column get the same structured-reference formula, so an adapter may write a column span at once.
2a. ``results``: ``(sheet, cell, value)``: the cell keeps its formula (or gets the restored one) and its saved
   result becomes ``value``, the figure the core computes (a closed file is read before any spreadsheet
   application recalculates it). An open workbook recalculates: an adapter there may ignore them.
3. ``clear_marks``: ``(sheet, "J12")`` cells the previous run marked (read back from Checks) and this run does
   not: remove their fill. Only these: a fill the user gave any other cell is never touched.
4. ``marks``: fill ``cell`` with ``MARK_COLOURS[severity]``.
5. ``resize_tables``: ``(sheet, table, "A1:I40")``: the table's new full range (header to last row).
   (History only; the cells written below the old last row become table rows.)
5a. ``filters``: ``(sheet, "A1:G33")``: what filters the sheet covers the range (the Checks rows as written),
   so filtering Checks sees every finding: the sheet's table whose header starts at the range's top-left
   cell is resized to it (header to last row); on a sheet without one (a workbook built before Checks was
   a table) its AutoFilter is moved, where the writer can (the closed-file writer can; xlwings cannot).
6. ``messages``: what to tell the user (the first one is the summary alert).

Links in Checks: each finding row carries its link as a formula in the last column ("Go to"):
``=HYPERLINK("#'Tracker'!J12","Tracker!J12")``. Sheet and Cell are plain text, so the next run can read
where the previous marks were whatever engine computed (or did not compute) the formula.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import cells
from ..core.register import ERROR, WARNING


# ---- the plan ----------------------------------------------------------------------------------------------


@dataclass
class Block:
    sheet: str
    top_left: str
    values: list[list]
    clear_to_row: int | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.values), max((len(r) for r in self.values), default=0)

    def address(self) -> str:
        """The A1 range the block covers."""
        row, col = cells.cell(self.top_left)
        n, m = self.shape
        return f"{self.top_left}:{cells.address(row + max(n, 1) - 1, col + max(m, 1) - 1)}"


@dataclass
class Mark:
    sheet: str
    cell: str
    severity: str


@dataclass
class UpdatePlan:
    blocks: list[Block] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    clear_marks: list[tuple[str, str]] = field(default_factory=list)
    restored_formulas: list[tuple[str, str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    resize_tables: list[tuple[str, str, str]] = field(default_factory=list)
    insert_rows: list[tuple[str, int, int]] = field(default_factory=list)   # (sheet, before row, count)
    results: list[tuple[str, str, object]] = field(default_factory=list)    # (sheet, cell, value): see 2a
    filters: list[tuple[str, str]] = field(default_factory=list)            # (sheet, range): see 5a
    formats: list[tuple[str, str, str]] = field(default_factory=list)       # (sheet, from, to): see 0a
    refused: bool = False          # the plan changes nothing because the request was refused (messages say why)


MARK_COLOURS = {ERROR: "#FFC7CE", WARNING: "#FFEB9C"}
CHECKS_HEADERS = ("Severity", "Sheet", "Cell", "Reference", "Code", "Message", "Go to")
CHECKS_TOP_LEFT = "A1"
CHECKS_TABLE = "Checks"           # the Checks sheet's table (workbooks built before it have an AutoFilter)
SUMMARY_TOP_LEFT = "A4"
HISTORY_TABLE = "History"
RESTORED_CODE = "formula-restored"
DERIVED_CODE = "results-derived"      # the reader worked computed figures out from their parts (readers.results)
COMPUTED_FORMULA_KEYS = ("plan_total", "forecast_total", "variance")
def pad_rows(rows: list[list], width: int) -> list[list]:
    return [list(r) + [None] * (width - len(r)) for r in rows]


def _quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class Formula(str):
    """A plan value that is a formula, with the result the core computes for it (``result``; None where it
    computes none). Every other string in a plan is text and is written as text, even when it starts with
    '=', '+', '-' or '@' (a title typed as '=HYPERLINK(...)' must stay a title)."""

    def __new__(cls, text: str, result=None):
        self = super().__new__(cls, text)
        self.result = result
        return self


FORMULA_PREFIXES = ("=", "+", "-", "@")


def excel_input(value):
    """A plan value as Excel should receive it through ``Range.value``: formulas as they are, text that
    Excel would read as a formula quoted with a leading apostrophe (Excel keeps it as text and hides it)."""
    if isinstance(value, Formula):
        return str(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def hyperlink(sheet: str, cell: str) -> str | None:
    if not sheet or not cells.is_cell(cell):
        return None
    label = f"{sheet}!{cell}".replace('"', '""')
    return Formula(f'=HYPERLINK("#{_quote_sheet(sheet).replace(chr(34), chr(34) * 2)}!{cell}","{label}")')


def counts_message(findings, extra: str = "") -> str:
    e = sum(1 for f in findings if f.severity == ERROR)
    w = sum(1 for f in findings if f.severity == WARNING)
    if not e and not w:
        return "No errors or warnings" + (f"; {extra}" if extra else "")
    text = f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)} – see Checks"
    return text + (f"; {extra}" if extra else "")
