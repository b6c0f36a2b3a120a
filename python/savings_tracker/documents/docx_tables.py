"""Table fix-ups for rendered Word appendices: cell properties in schema order, column widths that fit.

Word rejects a part whose ``w:tcPr`` children are out of schema order, and docxtpl's ``{% cellbg %}`` and
``{% hm %}`` add ``w:shd`` / ``w:gridSpan`` out of order: ``order_cell_properties`` puts them back. A column loop
(``{%tc for %}``) makes as many columns as the register has years; docxtpl then pads or trims the grid with
equal widths, so ``fit_grid`` shares the table's width out again in proportion to the template's cell widths.
"""
from __future__ import annotations

import re

from docx.oxml.ns import qn

# CT_TcPr's sequence (ECMA-376 Part 1, 17.4.70)
TCPR_ORDER = ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
              "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel", "cellMerge",
              "tcPrChange")
_RANK = {name: n for n, name in enumerate(TCPR_ORDER)}
_TCPR = re.compile(r"<w:tcPr>(.*?)</w:tcPr>", re.S)
_CHILD = re.compile(r"<w:(\w+)\b[^>]*?/>|<w:(\w+)\b[^>]*>.*?</w:\2>", re.S)
_ROW_START = re.compile(r"(?=<w:tr[ >])")
_CELL_START = re.compile(r"(?=<w:tc[ >])")
_TCW = re.compile(r'(<w:tcW\b[^>]*?\bw:w=")(\d+)(")')
_SPAN = re.compile(r'<w:gridSpan\b[^>]*?\bw:val="(\d+)"')


def _ordered(match: re.Match) -> str:
    inner = match.group(1)
    children = [(m.group(1) or m.group(2), m.group(0)) for m in _CHILD.finditer(inner)]
    if "".join(xml for _, xml in children) != inner or any(name not in _RANK for name, _ in children):
        return match.group(0)  # not plain child elements (e.g. a template tag between them): leave as written
    children.sort(key=lambda c: _RANK[c[0]])
    return "<w:tcPr>" + "".join(xml for _, xml in children) + "</w:tcPr>"


def order_cell_properties(xml: str) -> str:
    """Every ``<w:tcPr>`` in ``xml`` (template text or rendered rows) with its children in schema order."""
    return _TCPR.sub(_ordered, xml) if "<w:tcPr>" in xml else xml


# ---- column widths ------------------------------------------------------------------------------------------
def _span(tc) -> int:
    span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
    return int(span.get(qn("w:val"))) if span is not None else 1


def _width(tc) -> int | None:
    w = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
    value = w.get(qn("w:w")) if w is not None else None
    return int(value) if value and value.isdigit() else None


def fit_grid(tbl) -> list[int] | None:
    """Share the table's width out over its columns in proportion to the cell widths of its fullest row
    without merged cells (after a column loop, one cell per column). Rebuilds the grid and sets every row's
    cell widths; returns the new grid, or None when grid and cells already agree (no column loop)."""
    grid_el = tbl.find(qn("w:tblGrid"))
    grid = [int(float(c.get(qn("w:w")) or 0)) for c in grid_el] if grid_el is not None else []
    rows = [tr.findall(qn("w:tc")) for tr in tbl.iterchildren(qn("w:tr"))]
    unmerged = [cells for cells in rows if cells and all(_span(tc) == 1 for tc in cells)]
    if not grid or not unmerged:
        return None
    natural = [_width(tc) for tc in max(unmerged, key=len)]
    if None in natural or not sum(natural) or len(natural) != max(sum(map(_span, cells)) for cells in rows):
        return None  # no row shows every column on its own: leave the table as designed
    total = sum(grid)
    fitted = [round(w * total / sum(natural)) for w in natural]
    if len(fitted) == len(grid) and all(abs(a - b) <= 2 and abs(a - n) <= 2
                                        for a, b, n in zip(fitted, grid, natural)):
        return None
    for col in list(grid_el):
        grid_el.remove(col)
    for w in fitted:
        grid_el.append(grid_el.makeelement(qn("w:gridCol"), {qn("w:w"): str(w)}))
    for tr in tbl.iterchildren(qn("w:tr")):
        at = 0
        for tc in tr.findall(qn("w:tc")):
            span = _span(tc)
            w = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
            if w is not None:
                w.set(qn("w:w"), str(sum(fitted[at:at + span])))
                w.set(qn("w:type"), "dxa")
            at += span
    return fitted


def fit_row_widths(xml: str, grid: list[int]) -> str:
    """The same cell widths for rows given as XML text (rows streamed into a table that ``fit_grid`` changed)."""
    if "<w:tbl" in xml:  # a table inside a cell: its cells are not this table's columns
        return xml
    if "<w:tc " in xml:  # cells with attributes: the general (slower) way
        return _fit_rows_by_pattern(xml, grid)
    rows = xml.split("</w:tr>")  # whole rows, then cells, by plain splitting (a 10,000-line tracker: 200,000 cells)
    for r, row in enumerate(rows):
        cells = row.split("<w:tc>")
        at = 0
        for c in range(1, len(cells)):
            cell = cells[c]
            m = _SPAN.search(cell, 0, 400) if "gridSpan" in cell else None
            span = int(m.group(1)) if m else 1
            width = sum(grid[at:at + span])
            cells[c] = _TCW.sub(lambda m: f"{m.group(1)}{width}{m.group(3)}", cell, count=1)
            at += span
        rows[r] = "<w:tc>".join(cells)
    return "</w:tr>".join(rows)


def _fit_rows_by_pattern(xml: str, grid: list[int]) -> str:
    rows = []
    for row in _ROW_START.split(xml):
        at, cells = 0, []
        for cell in _CELL_START.split(row):
            if cell.startswith("<w:tc"):
                m = _SPAN.search(cell)
                span = int(m.group(1)) if m else 1
                width = sum(grid[at:at + span])
                cell = _TCW.sub(lambda m: f"{m.group(1)}{width}{m.group(3)}", cell, count=1)
                at += span
            cells.append(cell)
        rows.append("".join(cells))
    return "".join(rows)


# ---- printed columns by weight ----------------------------------------------------------------------------
HEADER_PT = 6            # the tracker's header size (scripts/make_docx_templates.py)
CHAR_EM = 0.72           # a bold Arial character, in ems, with room to spare (LibreOffice broke "Investment" at 0.62)
CELL_MARGINS = 2 * 108   # Word's default left and right cell margins, twips


def _cell_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def _shares(weights: list[float], mins: list[float], total: float) -> list[float]:
    """``total`` shared by weight, no share below its minimum (those fixed at it, the rest shared again)."""
    fixed = [False] * len(weights)
    while True:
        free = total - sum(m for m, f in zip(mins, fixed) if f)
        wsum = sum(w for w, f in zip(weights, fixed) if not f) or 1.0
        out = [m if f else free * w / wsum for w, m, f in zip(weights, mins, fixed)]
        short = [i for i, (o, m) in enumerate(zip(out, mins)) if not fixed[i] and o < m]
        if not short:
            return out
        for i in short:
            fixed[i] = True


def weight_columns(document, columns: list[dict]) -> None:
    """Tables printed from ``columns`` (a header row reading their headers, in order, after the template's
    column loop has run) get each column's width from its weight (Settings ``column_widths``, the same shares
    as HTML and PDF), never narrower than its longest header word; ``fit_grid`` then carries the widths to every
    row, the streamed ones too."""
    headers = [c["header"] for c in columns]
    for tbl in document.element.body.iter(qn("w:tbl")):
        first = tbl.find(qn("w:tr"))
        cells = first.findall(qn("w:tc")) if first is not None else []
        if [_cell_text(tc).strip() for tc in cells] != headers:
            continue
        grid = tbl.find(qn("w:tblGrid"))
        total = sum(int(float(c.get(qn("w:w")) or 0)) for c in grid) if grid is not None else 0
        if not total:
            continue
        mins = [max(map(len, h.split() or [""])) * HEADER_PT * 20 * CHAR_EM + CELL_MARGINS for h in headers]
        for tc, w in zip(cells, _shares([float(c["weight"]) for c in columns], mins, total)):
            el = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
            if el is not None:
                el.set(qn("w:w"), str(round(w)))
                el.set(qn("w:type"), "dxa")
