"""One worksheet's XML: cells written as Excel stores them (numbers, inline text, booleans, dates, formulas
with their cached results, clearing), shared formulas expanded where an edit touches them, tables that grow
or shrink with the rows a plan writes, the used-range dimension kept true."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

import zipfile

from .. import cells
from .elements import new_cell, row_at
from .package import M, PARSER, XML_NS, PatchError, serialise
from .slices import edit_in_batches, reduce
from . import stream
from .values import CellFormula, CellResult, SharedStrings, clean_text, excel_serial, number_text


def cell_ref(ref: str) -> tuple[int, int]:
    try:
        return cells.cell(ref)
    except cells.NotAnAddress as exc:
        raise PatchError(str(exc)) from None


def area_ref(ref: str) -> tuple[int, int, int, int]:
    try:
        return cells.area(ref)
    except cells.NotAnAddress as exc:
        raise PatchError(str(exc)) from None


@dataclass
class Region:
    """Cells a block of the plan owns: rows r1..r2 (r2 = last row holding a value), columns c1..c2."""
    r1: int
    c1: int
    r2: int
    c2: int
    replaces_body: bool = True      # the block rewrites everything from r1 down (tables follow its length)


# ---- cell writing (the values' rules: xlsx.values) ------------------------------------------------
def _set_result(c, value, where: str) -> None:
    f = c.find(f"{{{M}}}f")
    if f is None:
        return
    for child in list(c):
        if child.tag in (f"{{{M}}}v", f"{{{M}}}is"):
            c.remove(child)
    for attr in ("t", "cm", "vm"):
        c.attrib.pop(attr, None)
    if value is None:
        return

    def add(tag):
        el = etree.Element(f"{{{M}}}{tag}")
        f.addnext(el)
        return el
    _scalar(c, add, value, where, formula_result=True)


def _set_cell(c, value, where: str) -> None:
    """Give cell element ``c`` the value; its style attribute is kept."""
    if isinstance(value, CellResult):
        _set_result(c, value.value, where)
        return
    for child in list(c):
        if child.tag in (f"{{{M}}}f", f"{{{M}}}v", f"{{{M}}}is"):
            c.remove(child)
    for attr in ("t", "cm", "vm"):
        c.attrib.pop(attr, None)
    if value is None:
        return
    extlst = c.find(f"{{{M}}}extLst")

    def add(tag):
        el = etree.Element(f"{{{M}}}{tag}")
        if extlst is not None:
            extlst.addprevious(el)
        else:
            c.append(el)
        return el

    if isinstance(value, CellFormula):
        f = add("f")
        f.text = clean_text(value.text[1:] if value.text.startswith("=") else value.text)
        if value.cached is not None:
            _scalar(c, add, value.cached, where, formula_result=True)
        return
    _scalar(c, add, value, where)


def _scalar(c, add, value, where, *, formula_result: bool = False) -> None:
    """A value (or a formula's cached result) into cell ``c``: booleans, numbers, dates as serials, text as an
    inline string (a formula's text result as t="str")."""
    if isinstance(value, bool):
        c.set("t", "b")
        add("v").text = "1" if value else "0"
    elif isinstance(value, (int, float, Decimal)):
        add("v").text = number_text(value, where)
    elif isinstance(value, (dt.date, dt.datetime)) and not formula_result:
        add("v").text = repr(round(excel_serial(value), 10))
    elif formula_result:
        c.set("t", "str")
        add("v").text = clean_text(value)
    else:
        text = clean_text(value)
        c.set("t", "inlineStr")
        is_ = add("is")
        t = etree.SubElement(is_, f"{{{M}}}t")
        t.text = text
        if text != text.strip() or "\n" in text:
            t.set(f"{{{XML_NS}}}space", "preserve")


# ---- one worksheet -----------------------------------------------------------------------------------
@dataclass
class TableInfo:
    part: str
    root: object
    name: str
    r1: int
    c1: int
    r2: int
    c2: int
    header_rows: int
    totals_rows: int
    calculated: dict[int, str]          # column -> calculatedColumnFormula
    new_r2: int = 0

    @property
    def body_first(self) -> int:
        return self.r1 + self.header_rows


def load_table(zf: zipfile.ZipFile, part: str) -> TableInfo:
    root = etree.fromstring(zf.read(part), PARSER)
    r1, c1, r2, c2 = area_ref(root.get("ref"))
    calculated = {}
    cols = root.find(f"{{{M}}}tableColumns")
    if cols is not None:
        for i, tc in enumerate(cols.findall(f"{{{M}}}tableColumn")):
            f = tc.find(f"{{{M}}}calculatedColumnFormula")
            if f is not None and f.text and f.get("array") != "1":
                calculated[c1 + i] = f.text
    return TableInfo(part, root, root.get("displayName") or root.get("name") or part, r1, c1, r2, c2,
                     int(root.get("headerRowCount", "1")), int(root.get("totalsRowCount", "0")), calculated, r2)


def plan_tables(tables: list[TableInfo], edits: dict, regions: list[Region], notes: list[str],
                 resizes: dict[str, str] | None = None) -> None:
    """Decide each table's new last row: as the plan says (``resizes``), else from what the plan writes."""
    resizes = {k.lower(): v for k, v in (resizes or {}).items()}
    for t in tables:
        if t.name.lower() in resizes:
            r1, c1, r2, c2 = area_ref(resizes.pop(t.name.lower()))
            if (r1, c1, c2) != (t.r1, t.c1, t.c2):
                raise PatchError(f"table {t.name}: cannot move it from {cells.address(t.r1, t.c1)}:{cells.address(t.r2, t.c2)} to "
                                 f"{cells.address(r1, c1)}:{cells.address(r2, c2)}; only its last row can change")
            t.new_r2 = max(r2, t.body_first)
            if t.new_r2 != t.r2 and t.totals_rows:
                raise PatchError(f"table {t.name} has a totals row; it cannot be resized headless")
            continue
        new = t.r2
        for reg in regions:
            if reg.c2 < t.c1 or reg.c1 > t.c2:
                continue
            if reg.r1 <= t.body_first and reg.replaces_body and reg.r1 >= t.r1:
                new = max(reg.r2, t.body_first)          # the block is the table's body: follow its length
            elif t.body_first <= reg.r1 <= t.r2 + 1:
                new = max(new, reg.r2)                   # rows appended below
        # plain cell edits directly below the table extend it (contiguous rows with values in its columns)
        filled = {r for (r, c), v in edits.items() if v is not None and t.c1 <= c <= t.c2}
        while new + 1 in filled:
            new += 1
        if new != t.r2 and t.totals_rows:
            notes.append(f"table {t.name} has a totals row; it was not resized")
            new = t.r2
        t.new_r2 = new
    if resizes:
        raise PatchError(f"no table named {', '.join(resizes)} on the sheet to resize")


def _unshare(sheet_data, touched: set[tuple[int, int]]) -> None:
    """Expand shared formulas whose group contains a touched cell into ordinary formulas."""
    groups: dict[str, list] = {}
    for f in sheet_data.xpath("m:row/m:c/m:f[@t='shared' and @si]", namespaces={"m": M}):   # no Python loop
        groups.setdefault(f.get("si"), []).append(f.getparent())                             # over every cell
    for si, members in groups.items():
        if not any(cell_ref(c.get("r")) in touched for c in members):
            continue
        from openpyxl.formula.translate import Translator    # only here: importing openpyxl costs ~0.3 s
        master = next((c for c in members if (c.find(f"{{{M}}}f").text or "").strip()), None)
        if master is None:
            continue
        text = master.find(f"{{{M}}}f").text
        origin = master.get("r")
        for c in members:
            f = c.find(f"{{{M}}}f")
            if c is not master:
                f.text = Translator("=" + text, origin=origin).translate_formula(c.get("r"))[1:]
            for attr in ("t", "si", "ref"):
                f.attrib.pop(attr, None)


def ensure_refs(sheet_data) -> None:
    """Give every row and cell an explicit r (the format allows omitting it)."""
    if not sheet_data.xpath("boolean(m:row[not(@r)] | m:row/m:c[not(@r)])", namespaces={"m": M}):
        return                       # the usual case (Excel and XlsxWriter write them): nothing to parse
    next_row = 1
    for row in sheet_data.findall(f"{{{M}}}row"):
        r = int(row.get("r") or next_row)
        row.set("r", str(r))
        next_row = r + 1
        next_col = 1
        for c in row.findall(f"{{{M}}}c"):
            if c.get("r"):
                _, next_col = cell_ref(c.get("r"))
            else:
                c.set("r", cells.address(r, next_col))
            next_col += 1


def _sqref_extend(sqref: str, tables: list[TableInfo]) -> str:
    """Ranges covering a table column's body down to its old last row follow the table when it grows."""
    out = []
    for token in sqref.split():
        try:
            r1, c1, r2, c2 = area_ref(token)
        except PatchError:
            out.append(token)
            continue
        for t in tables:
            if t.new_r2 > t.r2 and r2 == t.r2 and t.body_first <= r1 <= t.r2 and t.c1 <= c1 and c2 <= t.c2:
                token = f"{cells.address(r1, c1)}:{cells.address(t.new_r2, c2)}"
                break
        out.append(token)
    return " ".join(out)


def patch_sheet(xml: bytes, edits: dict[tuple[int, int], object], tables: list[TableInfo], sheet: str,
                *, slice_above: int | None = None, shared: SharedStrings | None = None) -> tuple[bytes, bool]:
    """Apply cell edits to one worksheet part. Returns (new xml, whether a formula cell lost its formula).
    A large sheet is cut down to the rows the edits need (``xlsx.slices``): the rows written, the rows above
    them (a new table cell takes the style of the one above) and the tables' last rows (filled down).
    Usually the edit is written as text (``xlsx.stream``), which keeps every untouched row as it is."""
    shared = shared or SharedStrings()
    fast = stream.patch_rows(xml, edits, tables, sheet, shared)
    if fast is not None:
        return fast
    if any(t.new_r2 != t.r2 for t in tables):         # a table grows: its fill-down is done once, whole
        needed = {r for r, _ in edits} | {r - 1 for r, _ in edits} | {t.r2 for t in tables}
        small = reduce(xml, needed, above=slice_above)
        out, lost = _patch_whole_sheet(small.xml if small else xml, edits, tables, sheet, shared)
        return (small.join(out) if small else out), lost

    def edit(small: bytes, batch: set[int]):
        return _patch_whole_sheet(small, {k: v for k, v in edits.items() if k[0] in batch}, tables, sheet, shared)
    out, lost = edit_in_batches(xml, {r for r, _ in edits}, edit, context=lambda b: {r - 1 for r in b},
                                above=slice_above)
    return out, any(lost)


def _patch_whole_sheet(xml: bytes, edits: dict[tuple[int, int], object], tables: list[TableInfo], sheet: str,
                       shared: SharedStrings | None = None) -> tuple[bytes, bool]:
    root = etree.fromstring(xml, PARSER)
    sd = root.find(f"{{{M}}}sheetData")
    if sd is None:
        raise PatchError(f"sheet {sheet}: the worksheet has no cell data part")
    ensure_refs(sd)
    edits = dict(edits)
    # new rows of a table with calculated columns get the column's formula: the last body row's, moved down
    # (as Excel fills it), else the table's calculatedColumnFormula
    above_cells = {(t.r2, col) for t in tables if t.new_r2 > t.r2 for col in t.calculated}
    _unshare(sd, set(edits) | above_cells)
    if above_cells:
        from openpyxl.formula.translate import Translator
        formulas = {}
        for c in sd.iter(f"{{{M}}}c"):
            if c.get("r") and cell_ref(c.get("r")) in above_cells:
                f = c.find(f"{{{M}}}f")
                if f is not None and f.text:
                    formulas[cell_ref(c.get("r"))] = (c.get("r"), f.text)
        for t in tables:
            for r in range(t.r2 + 1, t.new_r2 + 1):
                for col, text in t.calculated.items():
                    if (t.r2, col) in formulas:
                        origin, ftext = formulas[(t.r2, col)]
                        text = Translator("=" + ftext, origin=origin).translate_formula(cells.address(r, col))
                    edits.setdefault((r, col), CellFormula(text))
    rows = {int(r.get("r")): r for r in sd.findall(f"{{{M}}}row")}
    row_cells: dict[int, list] = {}
    lost_formula = False
    body = {}  # column -> first body row, for style inheritance
    for t in tables:
        for col in range(t.c1, t.c2 + 1):
            body[col] = (t.body_first, t.new_r2)
    for (r, col), value in sorted(edits.items()):
        where = f"sheet {sheet} cell {cells.address(r, col)}"
        row = rows.get(r)
        if row is None:
            if value is None or isinstance(value, CellResult):
                continue
            row = row_at(sd, rows, r)
        ref = cells.address(r, col)
        by_ref = row_cells.get(r)
        if by_ref is None:           # the row's cells by address, looked up once however many edits it gets
            by_ref = row_cells[r] = {x.get("r"): x for x in row.iterfind(f"{{{M}}}c")}
        c = by_ref.get(ref)
        if c is None:
            if value is None or isinstance(value, CellResult):
                continue
            c = by_ref[ref] = new_cell(row, ref, col)
            span = body.get(col)
            if span and span[0] < r <= span[1] and (r - 1) in rows:
                above = next((x for x in rows[r - 1].findall(f"{{{M}}}c") if x.get("r") == cells.address(r - 1, col)), None)
                if above is not None and above.get("s"):
                    c.set("s", above.get("s"))
        elif c.find(f"{{{M}}}f") is not None and not isinstance(value, (CellFormula, CellResult)):
            lost_formula = True
        elif c.get("t") == "s" and len(c) == 1 and c[0].tag == f"{{{M}}}v" and not c.get("cm") and \
                not c.get("vm") and shared is not None and shared.holds(c[0].text, value):
            row.attrib.pop("spans", None)
            continue                         # the shared string is that text already
        _set_cell(c, value, where)
        if value is None and not c.get("s") and len(c) == 0:
            row.remove(c)
            del by_ref[ref]
        if "spans" in row.attrib:
            del row.attrib["spans"]
    # dimension
    dim = root.find(f"{{{M}}}dimension")
    used = []                        # cells are in column order: a row's first and last are its extent
    for rw in sd.iterfind(f"{{{M}}}row"):
        cs = rw.findall(f"{{{M}}}c")
        if cs:
            used += [(int(rw.get("r")), cell_ref(cs[0].get("r"))[1]), (int(rw.get("r")), cell_ref(cs[-1].get("r"))[1])]
    if dim is not None and used:
        rmin, rmax = min(u[0] for u in used), max(u[0] for u in used)
        cmin, cmax = min(u[1] for u in used), max(u[1] for u in used)
        dim.set("ref", cells.address(rmin, cmin) if (rmin, cmin) == (rmax, cmax) else f"{cells.address(rmin, cmin)}:{cells.address(rmax, cmax)}")
    # validations and conditional formats that cover a growing table's columns follow it
    if any(t.new_r2 > t.r2 for t in tables):
        for el in root.iter(f"{{{M}}}dataValidation", f"{{{M}}}conditionalFormatting"):
            if el.get("sqref"):
                el.set("sqref", _sqref_extend(el.get("sqref"), tables))
        for el in root.iter("{http://schemas.microsoft.com/office/excel/2006/main}sqref"):
            if el.text:
                el.text = _sqref_extend(el.text, tables)
    return serialise(root), lost_formula


def resize_table(t: TableInfo) -> bytes:
    ref = f"{cells.address(t.r1, t.c1)}:{cells.address(t.new_r2, t.c2)}"
    t.root.set("ref", ref)
    af = t.root.find(f"{{{M}}}autoFilter")
    if af is not None:
        af.set("ref", f"{cells.address(t.r1, t.c1)}:{cells.address(t.new_r2 - t.totals_rows, t.c2)}")
    return serialise(t.root)
