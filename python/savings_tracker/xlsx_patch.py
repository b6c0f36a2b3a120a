"""Write changed cells into a closed .xlsx/.xlsm without a library round trip.

openpyxl drops form buttons (VML), charts and other parts it does not model, and can mangle the VBA
project. Here the package is treated as what it is, a zip of XML parts:

* only the ``xl/worksheets/sheetN.xml`` parts that receive cells, the ``xl/tables/tableN.xml`` parts whose
  ``ref`` grows or shrinks with the rows written, and ``xl/workbook.xml`` (``calcPr fullCalcOnLoad="1"`` so
  Excel recalculates every formula on open) are rewritten;
* every other part is copied *raw*: the same compressed bytes, CRC, order, compression method and timestamps
  (a small zip writer below copies the stored data without inflating it). The one exception is
  ``xl/calcChain.xml`` (Excel's formula-order cache): when a formula cell is overwritten by a value it would
  point at a cell without a formula, which Excel reports as damage, so it is dropped (with its
  relationship and content-type entry) and Excel rebuilds it.
* when the plan inserts rows (``insert_rows``: the Summary needs room for more committees), ``xlsx_rows`` does
  that first, as Excel's Insert does: the parts that refer to the moved rows (formulas on any sheet, names,
  charts, drawings, VML, comments, tables) are rewritten, the rest stay raw, and calcChain.xml is dropped.

Cells: numbers as ``<v>``, text as inline strings (``t="inlineStr"``, so text beginning with ``=`` stays
text), booleans, dates (Excel serial numbers), formulas (``Formula("=SUM(A1:A3)")``, optionally with a
cached value) and clearing (``None``: the value goes, the cell's formatting stays). A cell keeps its style
(``s``); a new cell inside an Excel Table's body takes the style of the cell above. Shared formulas that an
edit touches are expanded into ordinary formulas first, so no other cell loses its formula.

Marks (the Validate button's cell highlights) are styles: ``xlsx_styles`` clones a marked cell's style with
the mark fill, and ``xl/styles.xml`` is rewritten when it gains one.

Plans: ``patch_workbook(path_in, path_out, plan)`` takes an ``updates.UpdatePlan`` or a plain mapping
``{sheet_name: {"A1": value_or_Formula_or_None}}``.
"""
from __future__ import annotations

import datetime as dt
import math
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from lxml import etree

from .errors import SavingsTrackerError
from .register import col_letter, col_number, parse_area, parse_cell
from .xlsx_slices import edit_in_batches, reduce

M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_NS = "http://www.w3.org/XML/1998/namespace"
EXCEL_TEXT_LIMIT = 32_767
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


class PatchError(SavingsTrackerError):
    """The workbook cannot be patched as asked (a sheet is missing, a value cannot be stored, ...)."""


@dataclass(frozen=True)
class Formula:
    """A formula for a cell (``text`` with or without the leading '='), optionally with a cached value."""
    text: str
    cached: object = None


@dataclass
class PatchReport:
    parts_rewritten: list[str] = field(default_factory=list)
    parts_dropped: list[str] = field(default_factory=list)
    tables_resized: dict[str, str] = field(default_factory=dict)   # table name -> new ref
    cells_written: int = 0
    cells_marked: int = 0             # cells whose highlight was set or cleared
    notes: list[str] = field(default_factory=list)


# ---- A1 helpers ------------------------------------------------------------------------------------
def col_index(letters: str) -> int:
    """'A' -> 1."""
    return col_number(letters) + 1


def col_letters(index: int) -> str:
    """1 -> 'A'."""
    return col_letter(index - 1)


def parse_a1(ref: str) -> tuple[int, int]:
    """'B7' -> (7, 2) (1-based row, column)."""
    cell = parse_cell(ref)
    if cell is None:
        raise PatchError(f"'{ref}' is not a cell reference such as B7")
    return cell[0], cell[1] + 1


def a1(row: int, col: int) -> str:
    return f"{col_letters(col)}{row}"


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'A2:C9' -> (2, 1, 9, 3) (1-based rows and columns)."""
    area = parse_area(ref)
    if area is None:
        raise PatchError(f"'{ref}' is not a range such as A2:C9")
    return area[0], area[1] + 1, area[2], area[3] + 1


# ---- the edit model --------------------------------------------------------------------------------
@dataclass
class Region:
    """Cells a block of the plan owns: rows r1..r2 (r2 = last row holding a value), columns c1..c2."""
    r1: int
    c1: int
    r2: int
    c2: int
    replaces_body: bool = True      # the block rewrites everything from r1 down (tables follow its length)


@dataclass
class Edits:
    cells: dict[str, dict[tuple[int, int], object]] = field(default_factory=dict)
    regions: dict[str, list[Region]] = field(default_factory=dict)
    resizes: dict[str, dict[str, str]] = field(default_factory=dict)   # sheet -> table name -> new full ref
    marks: dict[str, dict[str, str]] = field(default_factory=dict)     # sheet -> cell -> fill colour
    clear_marks: dict[str, list[str]] = field(default_factory=dict)    # sheet -> ranges whose mark fills go
    notes: list[str] = field(default_factory=list)
    insert_rows: list[tuple[str, int, int]] = field(default_factory=list)   # (sheet, above row, count)

    def put(self, sheet: str, row: int, col: int, value) -> None:
        self.cells.setdefault(sheet, {})[(row, col)] = value


def edits_from_plan(plan) -> Edits:
    """An ``updates.UpdatePlan`` (duck-typed) or ``{sheet: {"A1": value}}`` to cell edits.

    In an UpdatePlan only ``updates.Formula`` values are formulas (the Checks links, the Summary); every other
    string is text, so a title typed as '=HYPERLINK(...)' copied into History stays text."""
    e = Edits()
    if isinstance(plan, Edits):
        return plan
    if isinstance(plan, dict):
        for sheet, cells in plan.items():
            for ref, value in cells.items():
                r, c = parse_a1(ref)
                e.put(sheet, r, c, value)
        return e
    for block in getattr(plan, "blocks", ()) or ():
        r0, c0 = parse_a1(block.top_left)
        values = [list(row) if isinstance(row, (list, tuple)) else [row] for row in (block.values or [])]
        width = max((len(row) for row in values), default=0)
        for dr, row in enumerate(values):
            for dc, v in enumerate(row):
                e.put(block.sheet, r0 + dr, c0 + dc, _plan_value(v))
        last = r0 + len(values) - 1
        clear_to = getattr(block, "clear_to_row", None)
        if clear_to and width:
            for r in range(last + 1, int(clear_to) + 1):
                for dc in range(width):
                    e.put(block.sheet, r, c0 + dc, None)
    e.insert_rows = list(getattr(plan, "insert_rows", None) or ())   # done first, by xlsx_rows
    for sheet, table, ref in getattr(plan, "resize_tables", ()) or ():
        e.resizes.setdefault(sheet, {})[table] = ref
        e.cells.setdefault(sheet, {})
    for item in getattr(plan, "restored_formulas", ()) or ():
        sheet, ref, text = _restored(item)
        r, c = parse_a1(ref)
        e.put(sheet, r, c, Formula(text))
    for sheet, rng in getattr(plan, "clear_marks", ()) or ():
        e.clear_marks.setdefault(sheet, []).append(rng)
        e.cells.setdefault(sheet, {})
    if getattr(plan, "marks", None):
        from .updates import MARK_COLOURS
        for m in plan.marks:
            e.marks.setdefault(m.sheet, {})[m.cell] = MARK_COLOURS[m.severity]
            e.cells.setdefault(m.sheet, {})
    return e


_HYPERLINK = re.compile(r'=HYPERLINK\("(?:[^"]|"")*",\s*"((?:[^"]|"")*)"\)', re.I)


def _plan_value(v):
    """Values from an UpdatePlan: ``updates.Formula`` values (and objects with a ``formula`` attribute)
    become formulas; every other string is text, whatever it starts with."""
    from .updates import Formula as PlanFormula

    if isinstance(v, Formula) or v is None:
        return v
    if isinstance(v, PlanFormula):
        link = _HYPERLINK.fullmatch(v)      # cache the label, so readers that do not recalculate see it
        return Formula(str(v), link.group(1).replace('""', '"') if link else None)
    if isinstance(v, str):
        return v
    text = getattr(v, "formula", None)
    if isinstance(text, str):
        return Formula(text, getattr(v, "cached", getattr(v, "value", None)))
    return v


def _restored(item):
    """(sheet, cell, formula) from a tuple or an object with sheet/cell/formula attributes."""
    if isinstance(item, (tuple, list)) and len(item) == 3:
        return item[0], item[1], item[2]
    return item.sheet, getattr(item, "cell", None) or item.ref, getattr(item, "formula", None) or item.text


# ---- package structure -------------------------------------------------------------------------------
def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """rId -> (type, target part) of a part's relationships."""
    rp = _rels_part(part)
    if rp not in zf.NameToInfo:
        return {}
    root = etree.fromstring(zf.read(rp), _PARSER)
    folder = posixpath.dirname(part)
    out = {}
    for r in root.iter(f"{{{PR}}}Relationship"):
        if r.get("TargetMode") == "External":
            continue
        target = r.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[r.get("Id")] = (r.get("Type", ""), target)
    return out


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part name."""
    wb = etree.fromstring(zf.read("xl/workbook.xml"), _PARSER)
    rels = _rels(zf, "xl/workbook.xml")
    out = {}
    for s in wb.iter(f"{{{M}}}sheet"):
        rid = s.get(f"{{{R}}}id")
        if rid in rels:
            out[s.get("name")] = rels[rid][1]
    return out


def table_parts(zf: zipfile.ZipFile, sheet_part: str) -> list[str]:
    return [t for typ, t in _rels(zf, sheet_part).values() if typ.endswith("/table") and t in zf.NameToInfo]


# ---- cell writing ------------------------------------------------------------------------------------
_EPOCH = dt.datetime(1899, 12, 30)


def excel_serial(value) -> float:
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - _EPOCH
    else:
        delta = dt.datetime(value.year, value.month, value.day) - _EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6


def _number_text(value, where: str) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise PatchError(f"{where}: {value} is not a number Excel can store")
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise PatchError(f"{where}: {value!r} is not a number Excel can store")
        return repr(value) if not value.is_integer() or abs(value) >= 1e16 else str(int(value))
    return str(int(value))


def _clean_text(text: str) -> str:
    text = _ILLEGAL_XML.sub("", str(text))
    return text[:EXCEL_TEXT_LIMIT]


def _set_cell(c, value, where: str) -> None:
    """Give cell element ``c`` the value; its style attribute is kept."""
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

    if isinstance(value, Formula):
        f = add("f")
        f.text = _clean_text(value.text[1:] if value.text.startswith("=") else value.text)
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
        add("v").text = _number_text(value, where)
    elif isinstance(value, (dt.date, dt.datetime)) and not formula_result:
        add("v").text = repr(round(excel_serial(value), 10))
    elif formula_result:
        c.set("t", "str")
        add("v").text = _clean_text(value)
    else:
        text = _clean_text(value)
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


def _load_table(zf: zipfile.ZipFile, part: str) -> TableInfo:
    root = etree.fromstring(zf.read(part), _PARSER)
    r1, c1, r2, c2 = parse_range(root.get("ref"))
    calculated = {}
    cols = root.find(f"{{{M}}}tableColumns")
    if cols is not None:
        for i, tc in enumerate(cols.findall(f"{{{M}}}tableColumn")):
            f = tc.find(f"{{{M}}}calculatedColumnFormula")
            if f is not None and f.text and f.get("array") != "1":
                calculated[c1 + i] = f.text
    return TableInfo(part, root, root.get("displayName") or root.get("name") or part, r1, c1, r2, c2,
                     int(root.get("headerRowCount", "1")), int(root.get("totalsRowCount", "0")), calculated, r2)


def _plan_tables(tables: list[TableInfo], cells: dict, regions: list[Region], notes: list[str],
                 resizes: dict[str, str] | None = None) -> None:
    """Decide each table's new last row: as the plan says (``resizes``), else from what the plan writes."""
    resizes = {k.lower(): v for k, v in (resizes or {}).items()}
    for t in tables:
        if t.name.lower() in resizes:
            r1, c1, r2, c2 = parse_range(resizes.pop(t.name.lower()))
            if (r1, c1, c2) != (t.r1, t.c1, t.c2):
                raise PatchError(f"table {t.name}: cannot move it from {a1(t.r1, t.c1)}:{a1(t.r2, t.c2)} to "
                                 f"{a1(r1, c1)}:{a1(r2, c2)}; only its last row can change")
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
        filled = {r for (r, c), v in cells.items() if v is not None and t.c1 <= c <= t.c2}
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
    from openpyxl.formula.translate import Translator

    groups: dict[str, list] = {}
    for f in sheet_data.xpath("m:row/m:c/m:f[@t='shared' and @si]", namespaces={"m": M}):   # no Python loop
        groups.setdefault(f.get("si"), []).append(f.getparent())                             # over every cell
    for si, members in groups.items():
        if not any(parse_a1(c.get("r")) in touched for c in members):
            continue
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


def _ensure_refs(sheet_data) -> None:
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
                _, next_col = parse_a1(c.get("r"))
            else:
                c.set("r", a1(r, next_col))
            next_col += 1


def _sqref_extend(sqref: str, tables: list[TableInfo]) -> str:
    """Ranges covering a table column's body down to its old last row follow the table when it grows."""
    out = []
    for token in sqref.split():
        try:
            r1, c1, r2, c2 = parse_range(token)
        except PatchError:
            out.append(token)
            continue
        for t in tables:
            if t.new_r2 > t.r2 and r2 == t.r2 and t.body_first <= r1 <= t.r2 and t.c1 <= c1 and c2 <= t.c2:
                token = f"{a1(r1, c1)}:{a1(t.new_r2, c2)}"
                break
        out.append(token)
    return " ".join(out)


def patch_sheet(xml: bytes, cells: dict[tuple[int, int], object], tables: list[TableInfo], sheet: str,
                *, slice_above: int | None = None) -> tuple[bytes, bool]:
    """Apply cell edits to one worksheet part. Returns (new xml, whether a formula cell lost its formula).
    A large sheet is cut down to the rows the edits need (``xlsx_slices``): the rows written, the rows above
    them (a new table cell takes the style of the one above) and the tables' last rows (filled down)."""
    if any(t.new_r2 != t.r2 for t in tables):         # a table grows: its fill-down is done once, whole
        needed = {r for r, _ in cells} | {r - 1 for r, _ in cells} | {t.r2 for t in tables}
        small = reduce(xml, needed, above=slice_above)
        out, lost = _patch_whole_sheet(small.xml if small else xml, cells, tables, sheet)
        return (small.join(out) if small else out), lost

    def edit(small: bytes, batch: set[int]):
        return _patch_whole_sheet(small, {k: v for k, v in cells.items() if k[0] in batch}, tables, sheet)
    out, lost = edit_in_batches(xml, {r for r, _ in cells}, edit, context=lambda b: {r - 1 for r in b},
                                above=slice_above)
    return out, any(lost)


def _patch_whole_sheet(xml: bytes, cells: dict[tuple[int, int], object], tables: list[TableInfo], sheet: str
                       ) -> tuple[bytes, bool]:
    root = etree.fromstring(xml, _PARSER)
    sd = root.find(f"{{{M}}}sheetData")
    if sd is None:
        raise PatchError(f"sheet {sheet}: the worksheet has no cell data part")
    _ensure_refs(sd)
    cells = dict(cells)
    # new rows of a table with calculated columns get the column's formula: the last body row's, moved down
    # (as Excel fills it), else the table's calculatedColumnFormula
    above_cells = {(t.r2, col) for t in tables if t.new_r2 > t.r2 for col in t.calculated}
    _unshare(sd, set(cells) | above_cells)
    if above_cells:
        from openpyxl.formula.translate import Translator
        formulas = {}
        for c in sd.iter(f"{{{M}}}c"):
            if c.get("r") and parse_a1(c.get("r")) in above_cells:
                f = c.find(f"{{{M}}}f")
                if f is not None and f.text:
                    formulas[parse_a1(c.get("r"))] = (c.get("r"), f.text)
        for t in tables:
            for r in range(t.r2 + 1, t.new_r2 + 1):
                for col, text in t.calculated.items():
                    if (t.r2, col) in formulas:
                        origin, ftext = formulas[(t.r2, col)]
                        text = Translator("=" + ftext, origin=origin).translate_formula(a1(r, col))
                    cells.setdefault((r, col), Formula(text))
    rows = {int(r.get("r")): r for r in sd.findall(f"{{{M}}}row")}
    row_cells: dict[int, list] = {}
    lost_formula = False
    body = {}  # column -> first body row, for style inheritance
    for t in tables:
        for col in range(t.c1, t.c2 + 1):
            body[col] = (t.body_first, t.new_r2)
    for (r, col), value in sorted(cells.items()):
        where = f"sheet {sheet} cell {a1(r, col)}"
        row = rows.get(r)
        if row is None:
            if value is None:
                continue
            row = etree.Element(f"{{{M}}}row", r=str(r))
            later = [k for k in rows if k > r]
            if later:
                rows[min(later)].addprevious(row)
            else:
                sd.append(row)
            rows[r] = row
        ref = a1(r, col)
        by_ref = row_cells.get(r)
        if by_ref is None:           # the row's cells by address, looked up once however many cells it gets
            by_ref = row_cells[r] = {x.get("r"): x for x in row.iterfind(f"{{{M}}}c")}
        c = by_ref.get(ref)
        if c is None:
            if value is None:
                continue
            c = etree.Element(f"{{{M}}}c", r=ref)
            after = next((x for x in row.iterfind(f"{{{M}}}c") if parse_a1(x.get("r"))[1] > col), None)
            if after is not None:
                after.addprevious(c)
            else:
                row.append(c)
            by_ref[ref] = c
            span = body.get(col)
            if span and span[0] < r <= span[1] and (r - 1) in rows:
                above = next((x for x in rows[r - 1].findall(f"{{{M}}}c") if x.get("r") == a1(r - 1, col)), None)
                if above is not None and above.get("s"):
                    c.set("s", above.get("s"))
        elif c.find(f"{{{M}}}f") is not None and not isinstance(value, Formula):
            lost_formula = True
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
            used += [(int(rw.get("r")), parse_a1(cs[0].get("r"))[1]), (int(rw.get("r")), parse_a1(cs[-1].get("r"))[1])]
    if dim is not None and used:
        rmin, rmax = min(u[0] for u in used), max(u[0] for u in used)
        cmin, cmax = min(u[1] for u in used), max(u[1] for u in used)
        dim.set("ref", a1(rmin, cmin) if (rmin, cmin) == (rmax, cmax) else f"{a1(rmin, cmin)}:{a1(rmax, cmax)}")
    # validations and conditional formats that cover a growing table's columns follow it
    if any(t.new_r2 > t.r2 for t in tables):
        for el in root.iter(f"{{{M}}}dataValidation", f"{{{M}}}conditionalFormatting"):
            if el.get("sqref"):
                el.set("sqref", _sqref_extend(el.get("sqref"), tables))
        for el in root.iter("{http://schemas.microsoft.com/office/excel/2006/main}sqref"):
            if el.text:
                el.text = _sqref_extend(el.text, tables)
    return _serialise(root), lost_formula


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _resize_table(t: TableInfo) -> bytes:
    ref = f"{a1(t.r1, t.c1)}:{a1(t.new_r2, t.c2)}"
    t.root.set("ref", ref)
    af = t.root.find(f"{{{M}}}autoFilter")
    if af is not None:
        af.set("ref", f"{a1(t.r1, t.c1)}:{a1(t.new_r2 - t.totals_rows, t.c2)}")
    return _serialise(t.root)


_CALCPR_BEFORE = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                  "functionGroups", "externalReferences", "definedNames")


def _full_calc(xml: bytes) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    calc = root.find(f"{{{M}}}calcPr")
    if calc is None:
        calc = etree.Element(f"{{{M}}}calcPr")
        prev = [el for el in root if isinstance(el.tag, str) and etree.QName(el).localname in _CALCPR_BEFORE]
        if prev:
            prev[-1].addnext(calc)
        else:
            root.insert(0, calc)
    calc.set("fullCalcOnLoad", "1")
    return _serialise(root)


def _drop_rel(xml: bytes, target_suffix: str) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    for r in list(root):
        if str(r.get("Target", "")).endswith(target_suffix):
            root.remove(r)
    return _serialise(root)


def _drop_override(xml: bytes, part: str) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    for o in list(root):
        if o.get("PartName") == "/" + part:
            root.remove(o)
    return _serialise(root)


# ---- the zip writer: raw copy of unchanged parts ------------------------------------------------------
def _raw_data(fh, info: zipfile.ZipInfo) -> bytes:
    fh.seek(info.header_offset)
    head = fh.read(30)
    if head[:4] != b"PK\x03\x04":
        raise PatchError(f"{info.filename}: damaged zip entry")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    return fh.read(info.compress_size)


def _dos_time(date_time) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((max(y, 1980) - 1980) << 9) | (mo << 5) | d


def _write_zip(out, entries) -> None:
    """entries: (ZipInfo of the source, raw compressed data, crc, file_size, compress_type) in order."""
    central = []
    offset = 0
    for info, data, crc, size, method in entries:
        name = info.filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
        flags = info.flag_bits & ~0x08          # sizes are in the local header: no data descriptor
        t, d = _dos_time(info.date_time)
        version = max(info.extract_version, 20)
        if size >= 0xFFFFFFFF or len(data) >= 0xFFFFFFFF or offset >= 0xFFFFFFFF:
            raise PatchError("the workbook is too large to patch (over 4 GB)")
        local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", version, flags, method, t, d, crc, len(data), size,
                            len(name), 0) + name
        out.write(local)
        out.write(data)
        central.append(struct.pack("<4sBBHHHHHIIIHHHHHII", b"PK\x01\x02", info.create_version, info.create_system,
                                   version, flags, method, t, d, crc, len(data), size, len(name), 0,
                                   len(info.comment), 0, info.internal_attr, info.external_attr, offset)
                       + name + info.comment)
        offset += len(local) + len(data)
    cd = b"".join(central)
    out.write(cd)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), len(cd), offset, 0))


def _compress(data: bytes, method: int) -> bytes:
    if method == zipfile.ZIP_STORED:
        return data
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _apply_marks(zf, sheets: dict[str, str], edits: Edits, new: dict[str, bytes], report: PatchReport) -> None:
    """Clear old marks and fill the new ones (after the cells are written: the sheets' XML is in ``new``)."""
    from .updates import MARK_COLOURS
    from .xlsx_styles import STYLES_PART, Styles, mark_sheet

    todo = set(edits.marks) | set(edits.clear_marks)
    if not todo or STYLES_PART not in zf.NameToInfo:
        if todo:
            report.notes.append("the workbook has no styles part; cells were not highlighted (see Checks)")
        return
    styles = Styles(zf.read(STYLES_PART), MARK_COLOURS.values())
    for sheet in sorted(todo):
        part = sheets[sheet]
        xml, n = mark_sheet(new.get(part) or zf.read(part), styles, edits.clear_marks.get(sheet, []),
                            edits.marks.get(sheet, {}))
        if n:
            new[part] = xml
            report.cells_marked += n
    if styles.changed:
        new[STYLES_PART] = styles.to_bytes()


# ---- the entry point ----------------------------------------------------------------------------------
def patch_workbook(path_in, path_out, plan) -> PatchReport:
    """Copy ``path_in`` to ``path_out`` with the plan's cells written; see the module docstring."""
    from .readers.grids import check_package

    path_in, path_out = Path(path_in), Path(path_out)
    edits = edits_from_plan(plan)
    report = PatchReport(notes=list(edits.notes))
    zf = check_package(path_in)          # refuses encrypted, damaged and oversized packages
    try:
        try:
            sheets = sheet_parts(zf)
        except etree.XMLSyntaxError as exc:
            raise PatchError(f"{path_in.name}: the workbook's structure is damaged ({exc})") from None
        new: dict[str, bytes] = {}
        if edits.insert_rows:       # before the cells: the plan's addresses are those after the insertion
            from .xlsx_rows import insert_rows
            zf, new = insert_rows(zf, edits.insert_rows, report.notes)
        lost_formula = bool(edits.insert_rows)      # calcChain lists cells by address: moved rows make it stale
        for sheet, cells in edits.cells.items():
            part = sheets.get(sheet)
            if part is None or part not in zf.NameToInfo:
                raise PatchError(f"{path_in.name}: no sheet named '{sheet}' to write to; sheets: "
                                 f"{', '.join(sheets)}")
            tables = [_load_table(zf, t) for t in table_parts(zf, part)]
            _plan_tables(tables, cells, edits.regions.get(sheet, []), report.notes, edits.resizes.get(sheet))
            try:
                new[part], lost = patch_sheet(zf.read(part), cells, tables, sheet)
            except etree.XMLSyntaxError as exc:
                raise PatchError(f"{path_in.name}: sheet {sheet} is damaged ({exc})") from None
            lost_formula |= lost
            report.cells_written += len(cells)
            for t in tables:
                if t.new_r2 != t.r2:
                    new[t.part] = _resize_table(t)
                    report.tables_resized[t.name] = f"{a1(t.r1, t.c1)}:{a1(t.new_r2, t.c2)}"
        _apply_marks(zf, sheets, edits, new, report)
        drop = set()
        if new:
            new["xl/workbook.xml"] = _full_calc(zf.read("xl/workbook.xml"))
        if lost_formula and "xl/calcChain.xml" in zf.NameToInfo:
            drop.add("xl/calcChain.xml")
            new["xl/_rels/workbook.xml.rels"] = _drop_rel(zf.read("xl/_rels/workbook.xml.rels"), "calcChain.xml")
            new["[Content_Types].xml"] = _drop_override(zf.read("[Content_Types].xml"), "xl/calcChain.xml")
        entries = []
        with open(path_in, "rb") as fh:
            for info in zf.infolist():
                if info.filename in drop:
                    report.parts_dropped.append(info.filename)
                    continue
                if info.filename in new:
                    data = new[info.filename]
                    method = info.compress_type if info.compress_type in (zipfile.ZIP_STORED,
                                                                          zipfile.ZIP_DEFLATED) else 8
                    entries.append((info, _compress(data, method), zlib.crc32(data), len(data), method))
                    report.parts_rewritten.append(info.filename)
                else:
                    entries.append((info, _raw_data(fh, info), info.CRC, info.file_size, info.compress_type))
    finally:
        zf.close()
    with open(path_out, "wb") as out:
        _write_zip(out, entries)
    return report


def read_parts(path) -> dict[str, bytes]:
    """Every part of a package, uncompressed (for tests and checks)."""
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}
