"""Cell formats copied from other cells of the same sheet (plan part ``formats``): a Summary table that a
workbook built before it did not have is formatted as the table above it. A cell's format is its style index
(``s``, into ``xl/styles.xml``'s ``cellXfs``), so copying it copies the number format, font, fill, borders and
alignment together, and adds nothing to the styles part. Done on the lxml tree: the Summary sheet is small."""
from __future__ import annotations

from lxml import etree

from .. import cells
from .package import M, PARSER
from .elements import new_cell, row_at
from .sheet import ensure_refs


def _q(tag: str) -> str:
    return f"{{{M}}}{tag}"


def copy_formats(xml: bytes, pairs: list[tuple[str, str]]) -> bytes:
    """The sheet's XML with the cells of each target range styled as the cells of its source range (same shape:
    'A18:B18' -> 'A22:B22'); a target cell that does not exist yet is created empty with the style."""
    root = etree.fromstring(xml, PARSER)
    sd = root.find(_q("sheetData"))
    ensure_refs(sd)
    rows = {int(r.get("r")): r for r in sd.iterfind(_q("row"))}
    found = {c.get("r"): c for r in rows.values() for c in r.iterfind(_q("c"))}
    for source, target in pairs:
        (r1, c1, r2, c2), (t1, d1, _, _) = cells.area(source), cells.area(target)
        for dr in range(r2 - r1 + 1):
            for dc in range(c2 - c1 + 1):
                src = found.get(cells.address(r1 + dr, c1 + dc))
                style = src.get("s", "0") if src is not None else "0"
                ref = cells.address(t1 + dr, d1 + dc)
                cell = found.get(ref)
                if cell is None:
                    cell = found[ref] = _new_cell(sd, rows, t1 + dr, d1 + dc, ref)
                cell.set("s", style)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _new_cell(sd, rows: dict, r: int, col: int, ref: str):
    row = row_at(sd, rows, r)
    row.attrib.pop("spans", None)
    return new_cell(row, ref, col)
