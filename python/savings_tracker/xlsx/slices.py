"""Edit a large worksheet without parsing all of it.

A 10,000-line Tracker sheet is ~11 MB of XML and ~220 MB as an lxml tree, yet a refresh changes one column
and a few styles. ``reduce`` cuts the worksheet down to the rows an edit needs (the rest of ``sheetData`` is
kept as raw bytes), the edit runs on that small document exactly as it would on the whole one, and ``join``
puts the untouched rows back, byte for byte, in row order. Anything outside ``sheetData`` (dimension,
validations, formats ...) is in the small document, so the edit sees and changes it as usual.

``reduce`` returns None when the sheet does not have the plain shape this needs (a prefixed or empty
``sheetData``, rows without an ``r``); the caller then parses the whole sheet.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import cells

SLICE_ABOVE = 1_000_000      # bytes: smaller sheets are simply parsed whole

_SHEET_DATA = re.compile(rb"<sheetData\b[^>]*>")
_ROW = re.compile(rb"<row\b[^>]*?/>|<row\b.*?</row>", re.S)
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_SHARED_SI = re.compile(rb'<f\b[^>]*?\bt="shared"[^>]*?\bsi="(\d+)"|<f\b[^>]*?\bsi="(\d+)"[^>]*?\bt="shared"')
_DIMENSION = re.compile(rb'(<dimension\b[^>]*?\bref=")([^"]*)(")')


@dataclass
class Reduced:
    xml: bytes                       # the worksheet with only the wanted rows in sheetData
    rows: list[tuple[int, bytes]]    # every original row: (number, raw bytes)
    wanted: set[int]
    dimension: bytes | None          # the original dimension ref

    def join(self, edited: bytes) -> bytes:
        """The whole worksheet again: ``edited`` (the reduced document after the edit) with the rows it did
        not hold put back in order."""
        start, end = _bounds(edited)
        if start is None:
            raise ValueError("the edited worksheet lost its sheetData")
        new_rows = {}
        for chunk in _ROW.findall(edited[start:end]):
            m = _ROW_NUMBER.match(chunk)
            new_rows[int(m.group(1))] = chunk
        kept = [(r, chunk) for r, chunk in self.rows if r not in self.wanted]
        merged = sorted([*kept, *new_rows.items()], key=lambda rc: rc[0])
        out = edited[:start] + b"".join(chunk for _, chunk in merged) + edited[end:]
        used = [r for r, chunk in merged if b"<c " in chunk or b"<c>" in chunk]
        return self._dimension(out, (min(used), max(used)) if used else None)

    def _dimension(self, xml: bytes, used_rows: tuple[int, int] | None) -> bytes:
        """The edit computed the dimension from the rows it saw; widen its columns to the original's, and take
        its rows from the rows that still hold cells (a cleared tail shrinks it, as the whole-sheet edit does)."""
        m = _DIMENSION.search(xml)
        if not m or not self.dimension:
            return xml
        a, b = cells.parse_range(self.dimension.decode()), cells.parse_range(m.group(2).decode())
        if a is None or b is None:
            return xml
        r1, c1 = min(a[0], b[0]), min(a[1], b[1])
        r2, c2 = max(a[2], b[2]), max(a[3], b[3])
        if used_rows:
            r1, r2 = used_rows
        ref = cells.address(r1, c1) if (r1, c1) == (r2, c2) else f"{cells.address(r1, c1)}:{cells.address(r2, c2)}"
        return xml[:m.start(2)] + ref.encode() + xml[m.end(2):]


def _bounds(xml: bytes) -> tuple[int | None, int | None]:
    """Start and end offsets of sheetData's content (None when it is absent, empty or prefixed)."""
    m = _SHEET_DATA.search(xml)
    if not m or m.group(0).endswith(b"/>"):
        return None, None
    end = xml.find(b"</sheetData>", m.end())
    return (m.end(), end) if end >= 0 else (None, None)


def split(xml: bytes) -> tuple[bytes, list[tuple[int, bytes]], bytes] | None:
    """The worksheet as (everything before the rows, [(row number, row bytes)], everything after them), the
    rows in file order; None when sheetData is absent, empty or prefixed, or a row has no number."""
    start, end = _bounds(xml)
    if start is None:
        return None
    rows, pos, find, match = [], start, xml.find, _ROW_NUMBER.match
    while True:                       # find() over the bytes: several times quicker than a regex over 11 MB
        lt = find(b"<row", pos, end)
        if lt < 0:
            break
        gt = find(b">", lt, end)
        stop = gt + 1 if xml[gt - 1] == 47 else find(b"</row>", gt, end) + 6      # 47: '/', <row .../>
        m = match(xml, lt, stop)
        if gt < 0 or stop < 6 or xml[lt + 4] not in b" \t\r\n/>" or not m:
            return None
        rows.append((int(m.group(1)), xml[lt:stop]))
        pos = stop
    return xml[:start], rows, xml[end:]


def reduce(xml: bytes, rows_needed: set[int], *, with_shared_groups: bool = True,
           above: int | None = None) -> Reduced | None:
    """The worksheet with only ``rows_needed`` (and, when ``with_shared_groups``, every row of a shared-formula
    group one of them belongs to) parsed later; None when the sheet is small or has an unusual shape."""
    if len(xml) < (SLICE_ABOVE if above is None else above):
        return None
    start, end = _bounds(xml)
    if start is None:
        return None
    rows = []
    for chunk in _ROW.findall(xml[start:end]):
        m = _ROW_NUMBER.match(chunk)
        if not m:
            return None                  # rows numbered by position: only the whole sheet says which is which
        rows.append((int(m.group(1)), chunk))
    wanted = set(rows_needed)
    if with_shared_groups and b't="shared"' in xml:
        groups: dict[bytes, set[int]] = {}
        for r, chunk in rows:
            if b't="shared"' in chunk:
                for m in _SHARED_SI.finditer(chunk):
                    groups.setdefault(m.group(1) or m.group(2), set()).add(r)
        for members in groups.values():
            if members & wanted:
                wanted |= members
    small = xml[:start] + b"".join(chunk for r, chunk in rows if r in wanted) + xml[end:]
    dim = _DIMENSION.search(xml[:start])
    return Reduced(small, rows, wanted, dim.group(2) if dim else None)



BATCH_ROWS = 1_000           # rows parsed at once: ~25 MB of tree instead of ~220 MB for 10,000 lines


def edit_in_batches(xml: bytes, rows: set[int], edit, *, context=lambda batch: set(),
                    with_shared_groups: bool = True, above: int | None = None, batch_rows: int | None = None):
    """Run ``edit(small_xml, batch) -> (new_small_xml, result)`` over ``rows`` in batches of ``batch_rows``
    (each cut down to the batch plus ``context(batch)`` rows), joining each result back before the next, so
    the peak is one batch's tree. A small sheet, or one ``reduce`` cannot cut, is edited whole in one call.
    Returns (the new worksheet XML, the results of the calls)."""
    ordered = sorted(rows)
    batch_rows = batch_rows or BATCH_ROWS
    batches = [set(ordered[i:i + batch_rows]) for i in range(0, len(ordered), batch_rows)] or [set()]
    results = []
    for batch in batches:
        small = reduce(xml, batch | context(batch), with_shared_groups=with_shared_groups, above=above)
        if small is None:
            out, result = edit(xml, set(ordered))        # whole sheet, every row at once
            return out, [result]
        out, result = edit(small.xml, batch)
        xml = small.join(out)
        results.append(result)
    return xml, results
