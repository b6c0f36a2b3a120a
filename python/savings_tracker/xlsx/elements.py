"""Rows and cells added to a sheet's lxml tree in their places: a row in ``sheetData`` in row order, a cell in
its row in column order (Excel refuses a sheet whose rows or cells are out of order)."""
from __future__ import annotations

from lxml import etree

from .. import cells
from .package import M, PatchError


def _q(tag: str) -> str:
    return f"{{{M}}}{tag}"


def row_at(sd, rows: dict, r: int):
    """Row ``r`` of ``sheetData`` ``sd`` (``rows``: row number -> element, kept up to date), added where missing."""
    row = rows.get(r)
    if row is None:
        row = rows[r] = etree.Element(_q("row"), r=str(r))
        later = [k for k in rows if k > r]
        (rows[min(later)].addprevious(row) if later else sd.append(row))
    return row


def new_cell(row, ref: str, col: int, **attrs):
    """A new empty cell ``ref`` (1-based column ``col``) in ``row``, before the first cell to its right."""
    c = etree.Element(_q("c"), r=ref, **attrs)
    after = next((x for x in row.iterfind(_q("c")) if _column(x.get("r")) > col), None)
    (after.addprevious(c) if after is not None else row.append(c))
    return c


def _column(ref: str) -> int:
    try:
        return cells.cell(ref)[1]
    except cells.NotAnAddress as exc:       # a damaged sheet: say which address, never a traceback
        raise PatchError(str(exc)) from None
