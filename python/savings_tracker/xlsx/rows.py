"""Insert whole rows into a sheet of a closed .xlsx/.xlsm, moving everything Excel's Insert moves.

``insert_rows(zf, [(sheet, at, count)], notes)`` inserts ``count`` rows above 1-based row ``at`` of ``sheet``
(in order, when there are several) and returns the package as it reads afterwards together with the parts it
rewrote; ``xlsx.apply`` then writes the plan's cells into that. What moves (the arithmetic is in ``xlsx.refs``):

* the sheet itself: rows and cells at or below ``at``, the dimension, merges, conditional formats and data
  validations (ranges and formulas), hyperlinks, page breaks, the auto-filter, frozen panes and selections;
  the new rows take the format of the row above them, as Excel's Insert does by default;
* formulas on every sheet that refer to the moved rows (shared formulas stay shared while that stays exact,
  otherwise they are written out cell by cell), and other sheets' validations, formats and hyperlinks;
* defined names, table ranges and table column formulas, chart series (``c:f``; cached values stay), pivot
  sources and locations, the sheet's comments, its drawing anchors (charts, pictures) and its legacy VML
  (buttons, comment boxes: ``<x:Anchor>``, ``<x:Row>``; a VML part nothing in which moves stays byte-identical).

Parts nothing refers to are not rewritten, so they stay byte-identical.
"""
from __future__ import annotations

import zipfile

from lxml import etree

from .. import cells
from .anchors import XDR, move_anchor, shift_drawing, shift_vml
from .package import M, PARSER, PatchError, rels, serialise, sheet_parts
from .sheet import ensure_refs
from .refs import MAX_ROW, RefError, RowShift, mentions, shift_formula, shift_sqref

XM = "http://schemas.microsoft.com/office/excel/2006/main"
_ROW_FORMAT = ("s", "customFormat", "ht", "customHeight", "outlineLevel")
_REF_ATTRS = ("ref", "sqref", "topLeftCell", "activeCell", "sourceRef")


class Package:
    """The source package as it reads after the insertion: rewritten parts from memory, the rest from the zip."""

    def __init__(self, zf: zipfile.ZipFile):
        self._zf = zf
        self.parts: dict[str, bytes] = {}

    def read(self, name: str) -> bytes:
        return self.parts[name] if name in self.parts else self._zf.read(name)

    def __getattr__(self, name):            # NameToInfo, infolist, close, ... of the zip
        return getattr(self._zf, name)


def insert_rows(zf: zipfile.ZipFile, insertions, notes: list[str]) -> tuple[Package, dict[str, bytes]]:
    """Apply each ``(sheet, at, count)`` in order; returns (the package as it now reads, the rewritten parts)."""
    pkg = Package(zf)
    sheets = sheet_parts(pkg)
    for item in insertions:
        shift = _checked(item, sheets)
        try:
            _insert(pkg, sheets, shift, notes)
        except etree.XMLSyntaxError as exc:          # a relationships part
            raise PatchError(f"the workbook's structure is damaged ({exc}); no rows were inserted") from None
        notes.append(f"{shift.sheet}: {shift.count} row{'s' * (shift.count != 1)} inserted above row {shift.at}, "
                     "as Excel's Insert does; the formulas, names, chart and objects below moved down with them")
    return pkg, dict(pkg.parts)


def _checked(item, sheets: dict[str, str]) -> RowShift:
    try:
        sheet, at, count = item
    except (TypeError, ValueError):
        raise PatchError(f"an insertion must be (sheet, row, count), not {item!r}") from None
    name = next((s for s in sheets if isinstance(sheet, str) and s.casefold() == sheet.casefold()), None)
    if name is None:
        raise PatchError(f"no sheet named '{sheet}' to insert rows into; sheets: {', '.join(sheets)}")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (at, count)) or at < 1 or count < 1 \
            or at + count - 1 > MAX_ROW:
        raise PatchError(f"sheet {name}: cannot insert {count!r} row(s) above row {at!r}")
    return RowShift(name, at, count)


def _insert(pkg: Package, sheets: dict[str, str], shift: RowShift, notes: list[str]) -> None:
    for name, part in sheets.items():
        _rewrite(pkg, part, lambda xml, home=name: _worksheet(xml, shift, home), f"sheet {name}")
        for typ, target in rels(pkg, part).values():
            kind = typ.rsplit("/", 1)[-1]
            if kind == "table":
                _rewrite(pkg, target, lambda xml, home=name: _table(xml, shift, home, notes), f"table {target}")
            elif shift.is_sheet(name) and kind in ("drawing", "vmlDrawing", "comments", "threadedComment",
                                                   "pivotTable"):
                _rewrite(pkg, target, _OBJECTS[kind], shift=shift)
    _rewrite(pkg, "xl/workbook.xml", _names, shift=shift)
    for part in pkg.NameToInfo:
        if part.startswith("xl/charts/") and part.endswith(".xml"):
            _rewrite(pkg, part, _chart, shift=shift)
        elif part.startswith("xl/pivotCache/pivotCacheDefinition") and part.endswith(".xml"):
            before = pkg.parts.get(part)
            _rewrite(pkg, part, _pivot_source, shift=shift)
            if pkg.parts.get(part) is not before:
                notes.append(f"a pivot table reads from {shift.sheet}: its source range moved; refresh it in Excel "
                             "(its cached records are as they were)")


def _rewrite(pkg: Package, part: str, fn, what: str | None = None, *, shift: RowShift | None = None) -> None:
    """Replace ``part`` by ``fn(its bytes)`` when that is not None (None: nothing in it moves)."""
    if part not in pkg.NameToInfo:
        return
    try:
        new = fn(pkg.read(part)) if shift is None else fn(pkg.read(part), shift)
    except etree.XMLSyntaxError as exc:
        raise PatchError(f"{part} is damaged ({exc}); no rows were inserted") from None
    except RefError as exc:
        raise PatchError(f"{what or part}: {exc}; no rows were inserted") from None
    except ValueError as exc:                        # a number that is not one (a row, an anchor)
        raise PatchError(f"{part} is damaged ({exc}); no rows were inserted") from None
    if new is not None:
        pkg.parts[part] = new


def _set(el, attr: str, value: str) -> bool:
    if el.get(attr) == value:
        return False
    el.set(attr, value)
    return True


def _formula_text(el, shift: RowShift, home: str | None) -> bool:
    if not el.text:
        return False
    new = shift_formula(el.text, shift, home)
    if new == el.text:
        return False
    el.text = new
    return True


# ---- worksheets ----------------------------------------------------------------------------------------
def _worksheet(xml: bytes, shift: RowShift, home: str) -> bytes | None:
    root = etree.fromstring(xml, PARSER)
    sd = root.find(f"{{{M}}}sheetData")
    on_sheet = shift.is_sheet(home)
    if sd is None:
        if on_sheet:
            raise PatchError(f"sheet {home}: the worksheet has no cell data part; no rows were inserted")
        return None
    ensure_refs(sd)
    try:
        changed = _cell_formulas(sd, shift, home)    # first: shared formulas need the cells' old addresses
    except RefError as exc:
        raise PatchError(f"sheet {home}: {exc}; no rows were inserted") from None
    if on_sheet:
        changed |= _move_rows(sd, shift)
        changed |= _sheet_refs(root, sd, shift)
    changed |= _rule_formulas(root, shift, home)
    return serialise(root) if changed else None


def _cell_formulas(sd, shift: RowShift, home: str) -> bool:
    changed = False
    groups: dict[str, list] = {}
    for c in sd.iter(f"{{{M}}}c"):
        f = c.find(f"{{{M}}}f")
        if f is None:
            continue
        if f.get("t") == "shared" and f.get("si") is not None:
            groups.setdefault(f.get("si"), []).append(c)
            continue
        try:
            changed |= _formula_text(f, shift, home)
        except RefError as exc:
            raise RefError(f"cell {c.get('r')}: {exc}") from None
        if shift.is_sheet(home):
            for attr in ("ref", "r1", "r2"):         # array formula range; data table inputs
                if f.get(attr):
                    changed |= _set(f, attr, shift_sqref(f.get(attr), shift))
    for members in groups.values():
        changed |= _shared_group(members, shift, home)
    return changed


def _translate(text: str, origin: str, dest: str) -> str:
    from openpyxl.formula.translate import Translator
    return Translator("=" + text, origin=origin).translate_formula(dest)[1:]


def _shared_group(members: list, shift: RowShift, home: str) -> bool:
    """Shift a shared formula group: kept shared when the master's moved formula still gives every member's
    moved formula; otherwise each member gets its own formula (a group split by the insertion, or whose
    references are only partly moved)."""
    tag = f"{{{M}}}f"
    master = next((c for c in members if (c.find(tag).text or "").strip()), None)
    if master is None:
        return False
    on_sheet = shift.is_sheet(home)
    text = master.find(tag).text
    if not on_sheet and not mentions(text, shift.sheet):
        return False                                 # cannot refer to the moved rows
    origin = master.get("r")

    def moved(ref):
        r, c = cells.cell(ref)
        return cells.address(shift.row(r), c) if on_sheet else ref

    try:
        after = {id(c): (moved(c.get("r")), shift_formula(text if c is master else _translate(text, origin, c.get("r")),
                                                          shift, home)) for c in members}
    except RefError as exc:
        raise RefError(f"shared formula at {origin}: {exc}") from None
    new_origin, new_text = after[id(master)]
    rows_moved = {cells.cell(c.get("r"))[0] >= shift.at for c in members} if on_sheet else {False}
    exact = len(rows_moved) == 1 and all(_translate(new_text, new_origin, pos) == f
                                         for c in members if c is not master for pos, f in [after[id(c)]])
    if exact:
        changed = _formula_text(master.find(tag), shift, home)
        f = master.find(tag)
        if on_sheet and f.get("ref"):
            changed |= _set(f, "ref", shift_sqref(f.get("ref"), shift))
        return changed
    for c in members:
        f = c.find(tag)
        f.text = after[id(c)][1]
        for attr in ("t", "si", "ref"):
            f.attrib.pop(attr, None)
    return True


def _move_rows(sd, shift: RowShift) -> bool:
    changed = False
    above = None
    for row in sd.findall(f"{{{M}}}row"):
        r = int(row.get("r"))
        if r == shift.at - 1:
            above = row
        if r < shift.at:
            continue
        if r + shift.count > MAX_ROW:
            raise PatchError(f"sheet {shift.sheet}: inserting {shift.count} row(s) would push row {r} off the "
                             "sheet; no rows were inserted")
        row.set("r", str(r + shift.count))
        for c in row.findall(f"{{{M}}}c"):
            c.set("r", cells.address(r + shift.count, cells.cell(c.get("r"))[1]))
        changed = True
    if above is not None:
        changed |= _format_from_above(above, shift)
    return changed


def _format_from_above(above, shift: RowShift) -> bool:
    """Excel's Insert gives the new rows the format of the row above (xlFormatFromLeftOrAbove): row height and
    style, and each styled cell's style."""
    attrs = {k: above.get(k) for k in _ROW_FORMAT if above.get(k) is not None}
    styled = [(cells.cell(c.get("r"))[1], c.get("s")) for c in above.findall(f"{{{M}}}c") if c.get("s") not in (None, "0")]
    if not attrs and not styled:
        return False
    anchor = above
    for r in range(shift.at, shift.at + shift.count):
        row = etree.Element(f"{{{M}}}row", r=str(r), **attrs)
        for col, s in styled:
            etree.SubElement(row, f"{{{M}}}c", r=cells.address(r, col), s=s)
        anchor.addnext(row)
        anchor = row
    return True


def _sheet_refs(root, sd, shift: RowShift) -> bool:
    """Ranges on the moved sheet outside its cells: dimension, merges, validations, formats, hyperlinks,
    filter, selections, page breaks, frozen panes, form-control anchors."""
    changed = False
    for child in root:
        if child is sd or not isinstance(child.tag, str):
            continue
        for el in child.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in _REF_ATTRS:
                if el.get(attr):
                    changed |= _set(el, attr, shift_sqref(el.get(attr), shift))
            local = etree.QName(el).localname
            if local == "brk" and etree.QName(el.getparent()).localname == "rowBreaks" and el.get("id", "").isdigit():
                changed |= _set(el, "id", str(shift.index(int(el.get("id")))))
            elif local in ("inputCells", "cellWatch") and el.get("r"):
                changed |= _set(el, "r", shift_sqref(el.get("r"), shift))
            elif local == "sqref" and el.tag == f"{{{XM}}}sqref" and el.text:
                new = shift_sqref(el.text, shift)
                changed |= new != el.text
                el.text = new
            elif local == "anchor":                  # form controls / OLE objects: defaults do not move
                changed |= move_anchor(el.find(f"{{{XDR}}}from"), el.find(f"{{{XDR}}}to"), shift,
                                       move=el.get("moveWithCells") in ("1", "true"),
                                       size=el.get("sizeWithCells") in ("1", "true"))
    for view in root.iter(f"{{{M}}}sheetView"):
        top = cells.cell(view.get("topLeftCell"))[0] if view.get("topLeftCell") else 1
        for pane in view.iter(f"{{{M}}}pane"):
            split = pane.get("ySplit")
            if pane.get("state") in ("frozen", "frozenSplit") and split and float(split).is_integer() \
                    and top <= shift.at < top + int(float(split)):   # inserted inside the frozen rows
                changed |= _set(pane, "ySplit", str(int(float(split)) + shift.count))
    return changed


def _rule_formulas(root, shift: RowShift, home: str) -> bool:
    """Formulas outside cells: conditional formats (and their value thresholds), validations, hyperlink
    targets, and the x14 extensions of both."""
    changed = False
    try:
        for el in root.iter(f"{{{M}}}formula", f"{{{M}}}formula1", f"{{{M}}}formula2", f"{{{XM}}}f"):
            changed |= _formula_text(el, shift, home)
        for el in root.iter(f"{{{M}}}cfvo", f"{{{M}}}hyperlink"):
            attr = "val" if el.tag.endswith("cfvo") else "location"
            if el.get(attr):
                changed |= _set(el, attr, shift_formula(el.get(attr), shift, home))
    except RefError as exc:
        raise PatchError(f"sheet {home}: {exc}; no rows were inserted") from None
    return changed


# ---- comments, pivot tables -----------------------------------------------------------------------------
def _refs_of(xml: bytes, shift: RowShift) -> bytes | None:
    """Parts whose elements carry ``ref`` ranges on the moved sheet: comments, threaded comments, pivot
    table locations."""
    root = etree.fromstring(xml, PARSER)
    changed = False
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("ref"):
            changed |= _set(el, "ref", shift_sqref(el.get("ref"), shift))
    return serialise(root) if changed else None


_OBJECTS = {"drawing": shift_drawing, "vmlDrawing": shift_vml, "comments": _refs_of, "threadedComment": _refs_of,
            "pivotTable": lambda xml, shift: _only(xml, shift, "location")}


def _only(xml: bytes, shift: RowShift, local: str) -> bytes | None:
    root = etree.fromstring(xml, PARSER)
    changed = False
    for el in root.iter(f"{{{M}}}{local}"):
        if el.get("ref"):
            changed |= _set(el, "ref", shift_sqref(el.get("ref"), shift))
    return serialise(root) if changed else None


# ---- workbook-wide parts ---------------------------------------------------------------------------------
def _may_name(xml: bytes, shift: RowShift) -> bool:
    """Cheap test before parsing: can the part mention the sheet at all?"""
    if any(ch in shift.sheet for ch in "&<>\"'"):
        return True
    return shift.sheet.casefold() in xml.decode("utf-8", "ignore").casefold()


def _edit_naming_part(xml: bytes, shift: RowShift, edit) -> bytes | None:
    """A workbook-wide part that may name the sheet: parsed, ``edit(root) -> changed`` applied, and written
    again only when something moved."""
    if not _may_name(xml, shift):
        return None
    root = etree.fromstring(xml, PARSER)
    return serialise(root) if edit(root) else None


def _names(xml: bytes, shift: RowShift) -> bytes | None:
    def edit(root):
        changed = False
        for dn in root.iter(f"{{{M}}}definedName"):
            try:
                changed |= _formula_text(dn, shift, None)
            except RefError as exc:
                raise RefError(f"defined name {dn.get('name')}: {exc}") from None
        return changed
    return _edit_naming_part(xml, shift, edit)


def _chart(xml: bytes, shift: RowShift) -> bytes | None:
    """Series names, categories and values (``c:f``, and the ``f`` of chart extensions)."""
    def edit(root):
        changed = False
        for el in root.iter():
            if isinstance(el.tag, str) and etree.QName(el).localname == "f":
                changed |= _formula_text(el, shift, None)
        return changed
    return _edit_naming_part(xml, shift, edit)


def _table(xml: bytes, shift: RowShift, home: str, notes: list[str]) -> bytes | None:
    root = etree.fromstring(xml, PARSER)
    changed = False
    if shift.is_sheet(home):
        ref = root.get("ref") or ""
        first, _, last = ref.partition(":")
        if last and cells.cell(first)[0] < shift.at <= cells.cell(last)[0]:
            notes.append(f"table {root.get('displayName')} grew by the inserted rows; they are empty (Excel would "
                         "fill its calculated columns)")
        for el in root.iter():
            if isinstance(el.tag, str) and el.get("ref"):
                changed |= _set(el, "ref", shift_sqref(el.get("ref"), shift))
    for el in root.iter(f"{{{M}}}calculatedColumnFormula", f"{{{M}}}totalsRowFormula"):
        changed |= _formula_text(el, shift, home)
    return serialise(root) if changed else None


def _pivot_source(xml: bytes, shift: RowShift) -> bytes | None:
    def edit(root):
        changed = False
        for src in root.iter(f"{{{M}}}worksheetSource"):
            if shift.is_sheet(src.get("sheet")) and src.get("ref"):
                changed |= _set(src, "ref", shift_sqref(src.get("ref"), shift))
        return changed
    return _edit_naming_part(xml, shift, edit)
