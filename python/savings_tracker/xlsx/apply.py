"""Applying a plan to a closed workbook: ``patch_workbook(path_in, path_out, plan)``.


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
* when the plan inserts rows (``insert_rows``: the Summary needs room for more committees), ``rows`` does
  that first, as Excel's Insert does: the parts that refer to the moved rows (formulas on any sheet, names,
  charts, drawings, VML, comments, tables) are rewritten, the rest stay raw, and calcChain.xml is dropped.

Cells: numbers as ``<v>``, a formula's saved result (``CellResult``: the formula is kept), text as inline strings (``t="inlineStr"``, so text beginning with ``=`` stays
text), booleans, dates (Excel serial numbers), formulas (``CellFormula("=SUM(A1:A3)")``, optionally with a
cached value) and clearing (``None``: the value goes, the cell's formatting stays). A cell keeps its style
(``s``); a new cell inside an Excel Table's body takes the style of the cell above. Shared formulas that an
edit touches are expanded into ordinary formulas first, so no other cell loses its formula.

Marks (the Validate button's cell highlights) are styles: ``styles`` clones a marked cell's style with
the mark fill, and ``xl/styles.xml`` is rewritten when it gains one.

Plans: ``patch_workbook(path_in, path_out, plan)`` takes an ``plans.UpdatePlan`` or a plain mapping
``{sheet_name: {"A1": value_or_CellFormula_or_None}}``.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .. import cells
from ..plans.model import MARK_COLOURS
from ..plans.model import Formula as PlanFormula
from ..plans.writer import PlanWriter
from .package import (PatchError, compress, drop_override, drop_rel, full_calc, raw_data, sheet_parts, table_parts,
                      write_zip)
from .sheet import CellFormula, CellResult, Region, cell_ref, load_table, patch_sheet, plan_tables, resize_table
from .filters import filter_name, sheet_filter
from .formats import copy_formats
from .values import SharedStrings
from .zipguard import check_package

@dataclass
class PatchReport:
    parts_rewritten: list[str] = field(default_factory=list)
    parts_dropped: list[str] = field(default_factory=list)
    tables_resized: dict[str, str] = field(default_factory=dict)   # table name -> new ref
    cells_written: int = 0
    cells_marked: int = 0             # cells whose highlight was set or cleared
    notes: list[str] = field(default_factory=list)


@dataclass
class Edits:
    cells: dict[str, dict[tuple[int, int], object]] = field(default_factory=dict)
    regions: dict[str, list[Region]] = field(default_factory=dict)
    resizes: dict[str, dict[str, str]] = field(default_factory=dict)   # sheet -> table name -> new full ref
    marks: dict[str, dict[str, str]] = field(default_factory=dict)     # sheet -> cell -> fill colour
    clear_marks: dict[str, list[str]] = field(default_factory=dict)    # sheet -> ranges whose mark fills go
    notes: list[str] = field(default_factory=list)
    insert_rows: list[tuple[str, int, int]] = field(default_factory=list)   # (sheet, above row, count)
    filters: dict[str, list[str]] = field(default_factory=dict)        # sheet -> ranges its filter covers (5a)
    formats: dict[str, list[tuple[str, str]]] = field(default_factory=dict)   # sheet -> (from, to) ranges (0a)

    def put(self, sheet: str, row: int, col: int, value) -> None:
        self.cells.setdefault(sheet, {})[(row, col)] = value


def edits_from_plan(plan) -> Edits:
    """An ``plans.UpdatePlan`` (duck-typed) or ``{sheet: {"A1": value}}`` to cell edits.

    In an UpdatePlan only ``plans.Formula`` values are formulas (the Checks links, the Summary); every other
    string is text, so a title typed as '=HYPERLINK(...)' copied into History stays text."""
    e = Edits()
    if isinstance(plan, Edits):
        return plan
    if isinstance(plan, dict):
        for sheet, values in plan.items():
            for ref, value in values.items():
                r, c = cell_ref(ref)
                e.put(sheet, r, c, value)
        return e
    for block in getattr(plan, "blocks", ()) or ():
        r0, c0 = cell_ref(block.top_left)
        values = [list(row) if isinstance(row, (list, tuple)) else [row] for row in (block.values or [])]
        width = max((len(row) for row in values), default=0)
        into = e.cells.setdefault(block.sheet, {})
        for dr, row in enumerate(values):            # the hot loop of a large refresh: plain dict writes
            for dc, v in enumerate(row):
                into[(r0 + dr, c0 + dc)] = v if v is None or type(v) is str else _plan_value(v)
        last = r0 + len(values) - 1
        clear_to = getattr(block, "clear_to_row", None)
        if clear_to and width:
            for r in range(last + 1, int(clear_to) + 1):
                for dc in range(width):
                    e.put(block.sheet, r, c0 + dc, None)
    e.insert_rows = list(getattr(plan, "insert_rows", None) or ())   # done first, by xlsx.rows
    for sheet, table, ref in getattr(plan, "resize_tables", ()) or ():
        e.resizes.setdefault(sheet, {})[table] = ref
        e.cells.setdefault(sheet, {})
    for sheet, ref in getattr(plan, "filters", ()) or ():
        e.filters.setdefault(sheet, []).append(ref)
    for sheet, source, target in getattr(plan, "formats", ()) or ():
        e.formats.setdefault(sheet, []).append((source, target))
        e.cells.setdefault(sheet, {})
    for item in getattr(plan, "restored_formulas", ()) or ():
        sheet, ref, text = _restored(item)
        r, c = cell_ref(ref)
        e.put(sheet, r, c, CellFormula(text))
    for sheet, ref, value in getattr(plan, "results", ()) or ():
        r, c = cell_ref(ref)
        edit = e.cells.get(sheet, {}).get((r, c))
        e.put(sheet, r, c, CellFormula(edit.text, value) if isinstance(edit, CellFormula) else CellResult(value))
    for sheet, rng in getattr(plan, "clear_marks", ()) or ():
        e.clear_marks.setdefault(sheet, []).append(rng)
        e.cells.setdefault(sheet, {})
    if getattr(plan, "marks", None):
        for m in plan.marks:
            e.marks.setdefault(m.sheet, {})[m.cell] = MARK_COLOURS[m.severity]
            e.cells.setdefault(m.sheet, {})
    return e


_HYPERLINK = re.compile(r'=HYPERLINK\("(?:[^"]|"")*",\s*"((?:[^"]|"")*)"\)', re.I)


def _plan_value(v):
    """Values from an UpdatePlan: ``plans.Formula`` values (and objects with a ``formula`` attribute)
    become formulas; every other string is text, whatever it starts with."""

    if isinstance(v, CellFormula) or v is None:
        return v
    if isinstance(v, PlanFormula):
        link = _HYPERLINK.fullmatch(v)      # cache the label, so readers that do not recalculate see it
        return CellFormula(str(v), link.group(1).replace('""', '"') if link else getattr(v, "result", None))
    if isinstance(v, str):
        return v
    text = getattr(v, "formula", None)
    if isinstance(text, str):
        return CellFormula(text, getattr(v, "cached", getattr(v, "value", None)))
    return v


def _restored(item):
    """(sheet, cell, formula) from a tuple or an object with sheet/cell/formula attributes."""
    if isinstance(item, (tuple, list)) and len(item) == 3:
        return item[0], item[1], item[2]
    return item.sheet, getattr(item, "cell", None) or item.ref, getattr(item, "formula", None) or item.text


def _apply_marks(zf, sheets: dict[str, str], edits: Edits, new: dict[str, bytes], report: PatchReport) -> None:
    """Clear old marks and fill the new ones (after the cells are written: the sheets' XML is in ``new``)."""
    from .styles import STYLES_PART, Styles, mark_sheet

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


def _table_filters(tables, refs, resizes) -> tuple[dict[str, str], list[str]]:
    """A sheet's filter ranges (plan 5a) as resizes of the table that starts at a range's top-left cell with
    the same columns (Checks); returns the resizes for ``plan_tables`` and the ranges left for the sheet's
    AutoFilter (a workbook built before Checks was a table)."""
    resizes, left = dict(resizes or {}), []
    for ref in refs:
        r1, c1, _, c2 = cells.area(ref)
        table = next((t for t in tables if (t.r1, t.c1, t.c2) == (r1, c1, c2)), None)
        if table is None:
            left.append(ref)
        else:
            resizes.setdefault(table.name, ref)
    return resizes, left


# ---- the entry point ----------------------------------------------------------------------------------
def patch_workbook(path_in, path_out, plan) -> PatchReport:
    """Copy ``path_in`` to ``path_out`` with the plan's cells written; see the module docstring."""

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
            from .rows import insert_rows
            zf, new = insert_rows(zf, edits.insert_rows, report.notes)
        lost_formula = bool(edits.insert_rows)      # calcChain lists cells by address: moved rows make it stale
        shared = SharedStrings(lambda: zf.read(SharedStrings.PART) if SharedStrings.PART in zf.NameToInfo else None)
        for sheet, sheet_cells in edits.cells.items():
            part = sheets.get(sheet)
            if part is None or part not in zf.NameToInfo:
                raise PatchError(f"{path_in.name}: no sheet named '{sheet}' to write to; sheets: "
                                 f"{', '.join(sheets)}")
            tables = [load_table(zf, t) for t in table_parts(zf, part)]
            resizes, edits.filters[sheet] = _table_filters(tables, edits.filters.get(sheet, ()),
                                                           edits.resizes.get(sheet))
            plan_tables(tables, sheet_cells, edits.regions.get(sheet, []), report.notes, resizes)
            try:
                new[part], lost = patch_sheet(zf.read(part), sheet_cells, tables, sheet, shared=shared)
            except etree.XMLSyntaxError as exc:
                raise PatchError(f"{path_in.name}: sheet {sheet} is damaged ({exc})") from None
            lost_formula |= lost
            if edits.formats.get(sheet):
                new[part] = copy_formats(new[part], edits.formats[sheet])
            report.cells_written += len(sheet_cells)
            for t in tables:
                if t.new_r2 != t.r2:
                    new[t.part] = resize_table(t)
                    report.tables_resized[t.name] = f"{cells.address(t.r1, t.c1)}:{cells.address(t.new_r2, t.c2)}"
        _apply_marks(zf, sheets, edits, new, report)
        drop = set()
        if new:
            new["xl/workbook.xml"] = full_calc(zf.read("xl/workbook.xml"))
        for sheet, ref in ((sheet, ref) for sheet, refs in edits.filters.items() for ref in refs):
            part = sheets.get(sheet)
            if part is None or part not in zf.NameToInfo:
                continue
            xml = sheet_filter(new.get(part) or zf.read(part), ref)
            if xml is not None:
                new[part] = xml
                book = filter_name(new.get("xl/workbook.xml") or zf.read("xl/workbook.xml"), list(sheets).index(sheet),
                                   sheet, ref)
                if book is not None:
                    new["xl/workbook.xml"] = book
        if lost_formula and "xl/calcChain.xml" in zf.NameToInfo:
            drop.add("xl/calcChain.xml")
            new["xl/_rels/workbook.xml.rels"] = drop_rel(zf.read("xl/_rels/workbook.xml.rels"), "calcChain.xml")
            new["[Content_Types].xml"] = drop_override(zf.read("[Content_Types].xml"), "xl/calcChain.xml")
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
                    entries.append((info, compress(data, method), zlib.crc32(data), len(data), method))
                    report.parts_rewritten.append(info.filename)
                else:
                    entries.append((info, raw_data(fh, info), info.CRC, info.file_size, info.compress_type))
    finally:
        zf.close()
    with open(path_out, "wb") as out:
        write_zip(out, entries)
    return report


class ClosedFileWriter(PlanWriter):
    """Applies plans to a closed workbook file: the plan is written into a temporary copy (``patch_workbook``),
    which replaces the file atomically, keeping ``backups_kept`` timestamped backups (``atomic``)."""

    def __init__(self, path, *, backups_kept: int = 5):
        self.path = Path(path)
        self.backups_kept = backups_kept

    def apply(self, plan):
        """Returns (``atomic.WriteResult``, ``PatchReport``)."""
        from .atomic import atomic_write

        reports = []
        result = atomic_write(self.path, lambda tmp: reports.append(patch_workbook(self.path, tmp, plan)),
                              backups_kept=self.backups_kept)
        return result, reports[0]
