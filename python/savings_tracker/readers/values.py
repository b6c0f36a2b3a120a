"""A register from the values of an open workbook's Savings table, as the buttons and functions read them
(through xlwings, or xlwings Lite): the same interpretation as a file, with the real sheet cells."""
from __future__ import annotations

from pathlib import Path

from .. import cells
from ..core import schema
from ..core.register import Register
from ..core.settings import Settings
from .grids import Book, Grid, TableRef
from .header import Header, usable_mapping
from .interpret import choose


def register_from_values(values, *, sheet: str, top: int, left: int, settings: Settings, table: str = schema.TABLE_NAMES["tracker"],
                         path: str = "") -> tuple[Register, dict]:
    """A Register from the Savings table's values (header row first, no totals row) read at 1-based sheet row
    ``top`` and column ``left``: cell addresses in findings are the real sheet cells. Rows whose entered cells
    are all blank (an empty table row holding only formulas) are not lines. Returns (register, headers)."""
    values = [list(r) if isinstance(r, (list, tuple)) else [r] for r in (values or [])]
    if values and not isinstance(values[0], list):
        values = [values]
    header = values[0] if values else []
    width = len(header)
    hdr = Header(0, header, [], mapping=usable_mapping(settings)[0])
    computed = {ci for k, ci in hdr.columns.items() if schema.BY_KEY[k].role == schema.COMPUTED}
    pad = [None] * (left - 1)
    rows: list[list] = [[] for _ in range(top - 1)]
    rows.append(pad + header)
    for r in values[1:]:
        r = (list(r) + [None] * width)[:width]
        entered = [v for ci, v in enumerate(r) if ci not in computed]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in entered):
            r = [None] * width
        rows.append(pad + r)
    last_row = top + len(values) - 1
    ref = f"{cells.address(top, left)}:{cells.address(max(last_row, top + 1), left + max(width, 1) - 1)}"
    tref = TableRef(table, sheet, ref, 1, 0)
    gb = Book(Path(path or "workbook.xlsm"), "xlsx", {sheet: Grid(sheet, rows, [tref])})
    reg = choose(gb, settings, "tracker", sheet)
    headers = {k: header[ci] for k, ci in hdr.columns.items()}
    return reg, headers


def take_formulas(reg: Register, matrix, *, top: int, left: int, keys, columns: int) -> None:
    """Record which cells of the computed columns ``keys`` hold a formula (``Source.formulas``) and which are
    empty (``Source.blank``), from ``Range.formula`` of the rows from 1-based sheet row ``top`` and the columns
    from ``left``: as on the closed-file path, a constant where the column's formula belongs is typed over
    whatever its value. Excel gives a formula as text starting with '=', a constant as itself, an empty cell
    as ''. ``columns``: the range's width (one row or one column may come as a flat list)."""
    if not isinstance(matrix, (list, tuple)):
        matrix = [[matrix]]
    elif matrix and not isinstance(matrix[0], (list, tuple)):
        matrix = [list(matrix)] if columns > 1 else [[v] for v in matrix]
    rows = [list(r) for r in matrix]
    formulas: dict[str, set[int]] = {}
    blank: dict[str, set[int]] = {}
    for key in keys:
        ci = reg.source.columns[key] + 1 - left
        formulas[key], blank[key] = set(), set()
        for i, row in enumerate(rows):
            value = row[ci] if 0 <= ci < len(row) else None
            if isinstance(value, str) and value.startswith("="):
                formulas[key].add(top + i)
            elif value is None or (isinstance(value, str) and not value.strip()):
                blank[key].add(top + i)
    reg.source.formulas = formulas
    reg.source.blank = blank
