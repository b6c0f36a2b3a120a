"""Objects drawn over the grid, moved when rows are inserted: DrawingML anchors and legacy VML shapes.

Rows here are 0-based, as both formats store them. DrawingML anchors follow ``editAs`` (twoCell: move and
size with the cells, oneCell: move, absolute: stay). VML shapes (form buttons, comment boxes) follow
``<x:MoveWithCells/>`` / ``<x:SizeWithCells/>``, which Excel writes when the object does NOT move / size with
its cells; a comment's own cell (``<x:Row>``) always moves with it. VML is often not well-formed XML, so it
is edited as text and a VML part in which nothing moves keeps its bytes.
"""
from __future__ import annotations

import re

from lxml import etree

from .package import PARSER, serialise
from .refs import RowShift

XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"


def _anchor_row(corner):
    row, off = corner.find(f"{{{XDR}}}row"), corner.find(f"{{{XDR}}}rowOff")
    if row is None or not (row.text or "").strip().isdigit():
        return None, 0, 0
    offset = int(off.text) if off is not None and (off.text or "").strip().lstrip("-").isdigit() else 0
    return row, int(row.text), offset


def move_anchor(frm, to, shift: RowShift, *, move: bool, size: bool) -> bool:
    """One anchor's corners (0-based rows): moved with the cells (both by the same amount) when ``move``;
    the bottom corner on its own when ``size`` (rows inserted inside the object make it taller)."""
    if not move or frm is None:
        return False
    el, top, _ = _anchor_row(frm)
    if el is None:
        return False
    delta = shift.index(top) - top
    changed = _set_text(el, top + delta)
    if to is not None:
        el, bottom, off = _anchor_row(to)
        if el is not None:
            changed |= _set_text(el, shift.index(bottom, edge=off == 0) if size else bottom + delta)
    return changed


def _set_text(el, value: int) -> bool:
    if el.text == str(value):
        return False
    el.text = str(value)
    return True


def shift_drawing(xml: bytes, shift: RowShift) -> bytes | None:
    root = etree.fromstring(xml, PARSER)
    changed = False
    for anchor in root.iter(f"{{{XDR}}}twoCellAnchor", f"{{{XDR}}}oneCellAnchor"):
        how = anchor.get("editAs", "twoCell") if anchor.tag.endswith("twoCellAnchor") else "oneCell"
        changed |= move_anchor(anchor.find(f"{{{XDR}}}from"), anchor.find(f"{{{XDR}}}to"), shift,
                               move=how != "absolute", size=how == "twoCell")
    return serialise(root) if changed else None


_CLIENT_DATA = re.compile(rb"<(\w+):ClientData\b.*?</\1:ClientData>", re.S)


def shift_vml(xml: bytes, shift: RowShift) -> bytes | None:
    """Legacy VML is often not well-formed XML: edited as text, only where a number changes."""
    def client(m):
        block, p = m.group(0), re.escape(m.group(1))

        def flag(name: bytes) -> bool:               # <x:Name/> and <x:Name>True</x:Name> are true
            f = re.search(rb"<" + p + rb":" + name + rb"\s*(?:/>|>([^<]*)</" + p + rb":" + name + rb">)", block)
            return f is not None and (f.group(1) or b"").strip().lower() in (b"", b"true", b"t")

        move, size = not flag(b"MoveWithCells"), not flag(b"SizeWithCells")

        def anchor(a):
            nums = [int(v) for v in a.group(2).split(b",")]
            if len(nums) != 8 or not move:
                return a.group(0)
            top, bottom = nums[2], nums[6]
            delta = shift.index(top) - top
            nums[2] = top + delta
            nums[6] = shift.index(bottom, edge=nums[7] == 0) if size else bottom + delta
            if nums[2] == top and nums[6] == bottom:
                return a.group(0)
            return a.group(1) + b", ".join(str(v).encode() for v in nums) + a.group(3)

        def row(r):                                 # a comment's own cell (0-based): always moves with it
            new = shift.index(int(r.group(2)))
            return r.group(0) if new == int(r.group(2)) else r.group(1) + str(new).encode() + r.group(3)

        block = re.sub(rb"(<" + p + rb":Anchor>\s*)([-\d\s,]+?)(\s*</" + p + rb":Anchor>)", anchor, block)
        return re.sub(rb"(<" + p + rb":Row>\s*)(\d+)(\s*</" + p + rb":Row>)", row, block)

    new = _CLIENT_DATA.sub(client, xml)
    return new if new != xml else None
