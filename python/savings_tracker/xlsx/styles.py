"""Cell highlights (marks) on a closed workbook: the fills the Validate button paints, written as styles.

A cell's look is an index (``s``) into ``xl/styles.xml``'s ``cellXfs``. To mark a cell, its style is cloned
with a solid fill of the mark colour (the clone is made once per style and colour, and an existing identical
style is reused, so a re-run does not grow the file); to clear a mark, the cell goes to the same style with
no fill. Only fills whose colour is a mark colour are cleared, so a fill the user chose stays.
Nothing else in the style (number format, font, border, alignment, protection) changes.
"""
from __future__ import annotations

import copy

from lxml import etree

from .. import cells
from .elements import new_cell, row_at
from .slices import edit_in_batches
from . import stream

M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STYLES_PART = "xl/styles.xml"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _argb(colour: str) -> str:
    """'#FFC7CE' -> 'FFFFC7CE' (how Excel stores an RGB fill)."""
    return "FF" + colour.lstrip("#").upper()


def _q(tag: str) -> str:
    return f"{{{M}}}{tag}"


class Styles:
    """``xl/styles.xml`` with the operations marks need."""

    def __init__(self, xml: bytes, mark_colours):
        self.root = etree.fromstring(xml, PARSER)
        self.fills = self._section("fills")
        self.xfs = self._section("cellXfs")
        self.mark_rgbs = {_argb(c) for c in mark_colours}
        self.changed = False
        self._memo: dict[tuple, int] = {}      # (style, fill id | colour | None) -> style

    def _section(self, tag: str):
        el = self.root.find(_q(tag))
        if el is None:
            el = etree.SubElement(self.root, _q(tag))   # a package without it is unusual but legal
        return el

    def _fill_rgb(self, fill_id: int) -> str | None:
        fills = self.fills.findall(_q("fill"))
        if not 0 <= fill_id < len(fills):
            return None
        pf = fills[fill_id].find(_q("patternFill"))
        fg = pf.find(_q("fgColor")) if pf is not None else None
        if pf is None or pf.get("patternType") != "solid" or fg is None or not fg.get("rgb"):
            return None
        return fg.get("rgb").upper()

    def _fill_id(self, colour: str) -> int:
        """The index of a solid fill of ``colour``, added if the workbook has none."""
        rgb = _argb(colour)
        fills = self.fills.findall(_q("fill"))
        for i in range(len(fills)):
            if self._fill_rgb(i) == rgb:
                return i
        fill = etree.SubElement(self.fills, _q("fill"))
        pf = etree.SubElement(fill, _q("patternFill"), patternType="solid")
        etree.SubElement(pf, _q("fgColor"), rgb=rgb)
        etree.SubElement(pf, _q("bgColor"), indexed="64")
        self.fills.set("count", str(len(fills) + 1))
        self.changed = True
        return len(fills)

    def _with_fill(self, s: int, fill_id: int) -> int:
        """The cellXfs index of style ``s`` with fill ``fill_id`` (an existing one when identical)."""
        key = (s, fill_id)
        if key in self._memo:
            return self._memo[key]
        xfs = self.xfs.findall(_q("xf"))
        base = xfs[s] if 0 <= s < len(xfs) else xfs[0]
        if int(base.get("fillId", "0")) == fill_id:
            self._memo[key] = s
            return s
        want = copy.deepcopy(base)
        want.set("fillId", str(fill_id))
        want.set("applyFill", "1" if fill_id else "0")
        if not fill_id:
            del want.attrib["applyFill"]
        sig = etree.tostring(want)
        for i, xf in enumerate(xfs):
            if etree.tostring(xf) == sig:
                self._memo[key] = i
                return i
        self.xfs.append(want)
        self.xfs.set("count", str(len(xfs) + 1))
        self.changed = True
        self._memo[key] = len(xfs)
        return len(xfs)

    def marked(self, s: int, colour: str) -> int:
        key = (s, colour)
        if key not in self._memo:
            self._memo[key] = self._with_fill(s, self._fill_id(colour))
        return self._memo[key]

    def unmarked(self, s: int) -> int:
        key = (s, None)
        if key not in self._memo:
            xfs = self.xfs.findall(_q("xf"))
            fill = int(xfs[s].get("fillId", "0")) if 0 <= s < len(xfs) else 0
            self._memo[key] = self._with_fill(s, 0) if self._fill_rgb(fill) in self.mark_rgbs else s
        return self._memo[key]

    def to_bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _norm(ref: str) -> str:
    """'$j$12' -> 'J12': how a worksheet writes a cell's address."""
    return ref.replace("$", "").upper()


def mark_sheet(xml: bytes, styles: Styles, clear: list[str], marks: dict[str, str], *,
               slice_above: int | None = None) -> tuple[bytes, int]:
    """Clear mark fills in the ``clear`` cells or ranges ('J12', 'A2:U68'), then fill each ``marks`` cell
    ('J12' -> colour). Returns the new worksheet XML and how many cells changed style. A large sheet is cut
    down to the rows concerned first (``xlsx.slices``)."""
    cleared = {_norm(r) for r in clear if ":" not in r}                   # most clears are single cells
    boxes = [cells.parse_range(r) for r in clear if ":" in r]
    want = {_norm(ref): colour for ref, colour in marks.items()}        # 'J12' -> colour
    needed = {cells.parse(k)[0] for k in (*want, *cleared)} | {r for b in boxes for r in range(b[0], b[2] + 1)}
    fast = stream.mark_rows(xml, styles, cleared, boxes, want)
    if fast is not None:
        return fast
    row_of = {k: cells.parse(k)[0] for k in (*want, *cleared)}

    def edit(small: bytes, batch: set[int]):
        return _mark_whole_sheet(small, styles, {k for k in cleared if row_of[k] in batch},
                                 [b for b in boxes if any(b[0] <= r <= b[2] for r in batch)],
                                 {k: v for k, v in want.items() if row_of[k] in batch})
    out, counts = edit_in_batches(xml, needed, edit, with_shared_groups=False, above=slice_above)
    return (out, sum(counts)) if sum(counts) else (xml, 0)


def _mark_whole_sheet(xml: bytes, styles: Styles, cleared: set[str], boxes: list, want: dict[str, str]
                      ) -> tuple[bytes, int]:
    root = etree.fromstring(xml, PARSER)
    sd = root.find(_q("sheetData"))
    if sd is None:
        return xml, 0
    touched_rows = {cells.parse(k)[0] for k in (*want, *cleared)}
    changed = 0
    rows = {}
    for row in sd.iterfind(_q("row")):
        r = int(row.get("r"))
        rows[r] = row
        in_rows = [b for b in boxes if b[0] <= r <= b[2]]
        if not in_rows and r not in touched_rows:
            continue
        for c in row.iterfind(_q("c")):
            ref = c.get("r")
            s = int(c.get("s", "0"))
            new = s
            if ref in cleared or in_rows and any(b[1] <= cells.parse(ref)[1] <= b[3] for b in in_rows):
                new = styles.unmarked(new)
            colour = want.pop(ref, None)
            if colour:
                new = styles.marked(new, colour)
            if new != s:
                c.set("s", str(new))
                changed += 1
    for (r, col), colour in sorted((cells.parse(k), v) for k, v in want.items()):   # cells with no element yet
        row = row_at(sd, rows, r)
        new_cell(row, cells.address(r, col), col, s=str(styles.marked(0, colour)))
        row.attrib.pop("spans", None)
        changed += 1
    if not changed:
        return xml, 0
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), changed
