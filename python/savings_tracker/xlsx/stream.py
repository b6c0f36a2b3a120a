"""Cell edits and highlights written into a worksheet's XML as text, row by row.

Parsing the rows a refresh touches into lxml trees (``sheet``, ``styles``) was most of a refresh of 10,000
lines: the Suggested RAG column and the Checks rows touch every row. Here the sheet is split into rows once
(``slices.split``), only the rows an edit touches are taken apart into their cells (as bytes), each edited
cell is written anew from its own start tag and children, and every other row and cell is kept byte for
byte. The values follow the same rules as the lxml path (``values``); tests compare the two workbooks.

``patch_rows`` and ``mark_rows`` return None where the lxml path must do the work: a table that grows (its
formulas are filled down), a shared formula in a row being edited, a sheet with rows that are not in order,
or anything inside a row that is not a plain cell.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from .. import cells
from .slices import split
from .values import CellFormula, CellResult, SharedStrings, clean_text, excel_serial, number_text

ENABLED = True                   # tests switch it off to compare with the lxml path

_CELL = re.compile(rb'<c\b[^>]*?/>|<c\b[^>]*>.*?</c>', re.S)
_START = re.compile(rb'<c\b([^>]*?)(/?)>')
_ATTR = re.compile(rb'\s*([\w:.-]+)="([^"]*)"')
_CHILD = re.compile(rb'<(\w+)\b[^>]*?/>|<(\w+)\b[^>]*>.*?</\2>', re.S)
_ROW_START = re.compile(rb'<row\b[^>]*?(/?)>')
_SPANS = re.compile(rb'\sspans="[^"]*"')
_R = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_S = re.compile(rb'\ss="(\d*)"')
_DIMENSION = re.compile(rb'(<dimension\b[^>]*?\bref=")([^"]*)(")')
_DROPPED = (b"t", b"cm", b"vm")          # type and metadata: they describe the old value
_DROP = re.compile(rb'\s(?:t|cm|vm)="[^"]*"')


class Unusual(Exception):
    """Something in a row this writer does not take apart: the lxml path edits the sheet instead."""


def _escape(text: str) -> bytes:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
            .encode("utf-8"))


# ---- one cell ------------------------------------------------------------------------------------------
class Cell:
    """A cell as its attributes (name -> raw value, in order) and children ((name, bytes), in order)."""

    def __init__(self, raw: bytes | None = None, ref: bytes = b""):
        self.attrs: dict[bytes, bytes] = {b"r": ref}
        self.children: list[tuple[bytes, bytes]] = []
        if raw is None:
            return
        m = _START.match(raw)
        if m is None or b"'" in m.group(1):
            raise Unusual
        self.attrs = dict(_ATTR.findall(m.group(1)))
        if not m.group(2):
            inner, pos = raw[m.end():-4], 0
            for cm in _CHILD.finditer(inner):
                if inner[pos:cm.start()].strip():
                    raise Unusual
                self.children.append((cm.group(1) or cm.group(2), cm.group(0)))
                pos = cm.end()
            if inner[pos:].strip():
                raise Unusual

    def has(self, name: bytes) -> bool:
        return any(n == name for n, _ in self.children)

    def to_bytes(self) -> bytes:
        attrs = b"".join(b' %s="%s"' % kv for kv in self.attrs.items())
        if not self.children:
            return b"<c" + attrs + b"/>"
        return b"<c" + attrs + b">" + b"".join(raw for _, raw in self.children) + b"</c>"


_TEXT: dict[str, bytes] = {}            # text -> its inline string: Checks and RAG texts repeat


def _where(where) -> str:
    """'sheet Checks cell B7', for a message (``where``: that text or (sheet, address))."""
    return where if isinstance(where, str) else f"sheet {where[0]} cell {where[1].decode()}"


def _scalar(value, where, formula_result: bool = False) -> tuple[bytes | None, bytes]:
    """(the cell's t attribute or None, its value element) as ``sheet`` writes them."""
    if type(value) is str and not formula_result:
        body = _TEXT.get(value)
        if body is None:
            text = clean_text(value)
            space = b' xml:space="preserve"' if text != text.strip() or "\n" in text else b""
            body = b"<is><t" + space + b">" + _escape(text) + b"</t></is>"
            if len(_TEXT) < 10_000:
                _TEXT[value] = body
        return b"inlineStr", body
    if isinstance(value, bool):
        return b"b", b"<v>1</v>" if value else b"<v>0</v>"
    if isinstance(value, (int, float, Decimal)):
        return None, b"<v>" + number_text(value, _where(where)).encode() + b"</v>"
    if isinstance(value, (dt.date, dt.datetime)) and not formula_result:
        return None, b"<v>" + repr(round(excel_serial(value), 10)).encode() + b"</v>"
    text = clean_text(value)
    if formula_result:
        return b"str", b"<v>" + _escape(text) + b"</v>"
    space = b' xml:space="preserve"' if text != text.strip() or "\n" in text else b""
    return b"inlineStr", b"<is><t" + space + b">" + _escape(text) + b"</t></is>"


def write(cell: Cell, value, where: str) -> bool:
    """Give ``cell`` the value (its style and other attributes kept); False when it is left unchanged (a
    result for a cell that holds no formula)."""
    if isinstance(value, CellResult):
        if not cell.has(b"f"):
            return False
        kept = [ch for ch in cell.children if ch[0] not in (b"v", b"is")]
        for a in _DROPPED:
            cell.attrs.pop(a, None)
        if value.value is not None:
            t, v = _scalar(value.value, where, formula_result=True)
            if t:
                cell.attrs[b"t"] = t
            at = next(i for i, ch in enumerate(kept) if ch[0] == b"f") + 1
            kept.insert(at, (b"v", v))
        cell.children = kept
        return True
    kept = [ch for ch in cell.children if ch[0] not in (b"f", b"v", b"is")]
    for a in _DROPPED:
        cell.attrs.pop(a, None)
    new: list[tuple[bytes, bytes]] = []
    if isinstance(value, CellFormula):
        text = value.text[1:] if value.text.startswith("=") else value.text
        new.append((b"f", b"<f>" + _escape(clean_text(text)) + b"</f>"))
        if value.cached is not None:
            t, v = _scalar(value.cached, where, formula_result=True)
            new.append((b"v", v))
            if t:
                cell.attrs[b"t"] = t
    elif value is not None:
        t, v = _scalar(value, where)
        new.append((b"is" if t == b"inlineStr" else b"v", v))
        if t:
            cell.attrs[b"t"] = t
    at = next((i for i, ch in enumerate(kept) if ch[0] == b"extLst"), len(kept))
    cell.children = kept[:at] + new + kept[at:]
    return True


def _plain(value, where: str) -> tuple[bytes | None, bytes]:
    """(t attribute, children) of a cell given ``value`` (a formula with its saved result, a value, None)."""
    if isinstance(value, CellFormula):
        text = value.text[1:] if value.text.startswith("=") else value.text
        f = b"<f>" + _escape(clean_text(text)) + b"</f>"
        if value.cached is None:
            return None, f
        t, v = _scalar(value.cached, where, formula_result=True)
        return t, f + v
    if value is None:
        return None, b""
    return _scalar(value, where)


def new_cell(old: bytes | None, ref: bytes, value, where: str, style: bytes | None = None) -> bytes | None:
    """The cell's bytes once it holds ``value`` (None: the cell goes); from its old bytes, whose attributes
    but the type and metadata are kept. A new cell gets ``style``."""
    if old is None:
        t, body = _plain(value, where)
        attrs = b' r="' + ref + b'"' + (b' s="' + style + b'"' if style else b"")
        return _assemble(attrs, t, body)
    m = _START.match(old)
    if m is None or b"'" in m.group(1):
        raise Unusual
    inner = b"" if m.group(2) else old[m.end():-4]
    if isinstance(value, CellResult) or b"<extLst" in inner:
        cell = Cell(old)                     # children to keep: take the cell apart
        if not write(cell, value, where):
            return old
        return None if value is None and not cell.attrs.get(b"s") and not cell.children else cell.to_bytes()
    attrs = _DROP.sub(b"", m.group(1))
    t, body = _plain(value, where)
    if not body and not _S.search(attrs):
        return None
    return _assemble(attrs, t, body)


def _assemble(attrs: bytes, t: bytes | None, body: bytes) -> bytes:
    if t:
        attrs += b' t="' + t + b'"'
    return b"<c" + attrs + (b">" + body + b"</c>" if body else b"/>")


_SHARED_CELL = re.compile(rb'<c\b([^>]*?)\st="s"([^>]*)><v>(\d+)</v></c>')


def _unchanged(old: bytes, value, where, shared: SharedStrings) -> bool:
    """Whether ``old`` already holds ``value`` as ``new_cell`` would write it (most cells of a refresh:
    the same Checks rows and Suggested RAG again), found without taking the cell apart; a shared string
    (Excel's and LibreOffice's text cells) counts when its text is the value's."""
    if isinstance(value, CellResult) or value is None:
        return False
    if type(value) is str and b't="s"' in old:
        m = _SHARED_CELL.fullmatch(old)
        return bool(m) and b" cm=" not in old and b" vm=" not in old and shared.holds(m.group(3), value)
    t, body = _plain(value, where)
    if not body or not old.endswith(b"</c>"):
        return False
    tail = (b' t="' + t + b'">' if t else b">") + body + b"</c>"
    if not old.endswith(tail):
        return False
    start = old[:len(old) - len(tail)]          # the rest of the start tag, and nothing else
    return b">" not in start and b" cm=" not in start and b" vm=" not in start and b' t="' not in start


def formula_of(cell: bytes) -> bytes | None:
    """The start tag of the cell's formula, None when it holds none (a formula is a cell's first child)."""
    gt = cell.find(b">")
    if cell[gt - 1:gt] == b"/":
        return None
    inner = cell[gt + 1:].lstrip()
    if not inner.startswith((b"<f>", b"<f ", b"<f/")):
        return None
    return inner[:inner.find(b">") + 1]


def with_style(cell: bytes, s: bytes) -> bytes:
    m = _START.match(cell)
    found = _S.search(cell, 0, m.end())
    if found:
        return cell[:found.start(1)] + s + cell[found.end(1):]
    at = m.end() - (2 if m.group(2) else 1)
    return cell[:at] + b' s="' + s + b'"' + cell[at:]


def style_of(cell: bytes) -> bytes | None:
    found = _S.search(cell, 0, cell.find(b">"))
    return found.group(1) if found else None


# ---- one row -------------------------------------------------------------------------------------------
class Row:
    """One row. Until a cell has to be inserted it stays as its bytes: the cells edited in it are found by
    their address and written back in place. Inserting takes the row apart into its cells in column order
    ([column, address, bytes])."""

    def __init__(self, number: int, raw: bytes | None = None):
        self.raw = raw
        self.attrs = b' r="%d"' % number
        self.cells: list[list] | None = None if raw is not None else []
        self.spans: dict[bytes, tuple[int, int]] = {}      # address -> where the cell is in ``raw``
        self.edited: dict[bytes, bytes] = {}                # address -> new bytes (b"": removed), while unparsed
        self.drop_spans = False
        self.reshaped = raw is None                         # a cell inserted or removed (the used range)

    def get(self, col: int, ref: bytes) -> bytes | None:
        """The cell's bytes as they are now; None when the row has no such cell."""
        if self.cells is None:
            if ref in self.edited:
                return self.edited[ref] or None
            span = self.spans.get(ref) or self._locate(ref)
            if span is not None:
                self.spans[ref] = span
                return self.raw[span[0]:span[1]]
            self._parse()           # not found by its usual spelling: look at every cell before saying none
        i = self.index(col)
        return None if i is None else self.cells[i][2]

    def set(self, col: int, ref: bytes, cell: bytes | None) -> None:
        """Replace, remove (None) or insert the cell."""
        if self.cells is None and (ref in self.spans or self.get(col, ref) is not None):
            self.edited[ref] = cell or b""
            self.reshaped |= cell is None
            return
        self.reshaped = True
        if self.cells is None:
            self._parse()
        i = self.index(col)
        if i is not None:
            if cell is None:
                self.cells.pop(i)
            else:
                self.cells[i][2] = cell
        elif cell is not None:
            at = next((k for k, c in enumerate(self.cells) if c[0] > col), len(self.cells))
            self.cells.insert(at, [col, ref, cell])

    def _locate(self, ref: bytes) -> tuple[int, int] | None:
        """Where the cell with address ``ref`` is in the row's bytes (written as writers write it)."""
        raw, needle = self.raw, b' r="' + ref + b'"'
        pos = raw.find(needle)
        while pos >= 0:
            lt = raw.rfind(b"<", 0, pos)
            if raw.startswith(b"<c ", lt) and b">" not in raw[lt:pos]:    # the c tag's own attribute
                gt = raw.find(b">", pos)
                return (lt, gt + 1) if raw[gt - 1:gt] == b"/" else (lt, raw.find(b"</c>", gt) + 4)
            pos = raw.find(needle, pos + 1)
        return None

    def _written(self) -> bytes:
        """The row's bytes with the cells edited in place (kept as the row's bytes from then on)."""
        if self.edited:
            raw, pieces, end = self.raw, [], len(self.raw)
            for a, b, cell in sorted(((*self.spans[ref], cell) for ref, cell in self.edited.items()), reverse=True):
                pieces += [raw[b:end], cell]
                end = a
            pieces.append(raw[:end])
            self.raw, self.edited, self.spans = b"".join(reversed(pieces)), {}, {}
        return self.raw

    def _parse(self) -> None:
        raw = self._written()
        m = _ROW_START.match(raw)
        if m is None or (not m.group(1) and not raw.endswith(b"</row>")):
            raise Unusual
        self.attrs = raw[4:m.end() - (2 if m.group(1) else 1)]
        inner, pos = (b"" if m.group(1) else raw[m.end():-6]), 0
        self.cells = []
        for cm in _CELL.finditer(inner):
            start = _START.match(cm.group(0))
            ref = _R.search(start.group(1)) if start else None
            if ref is None or inner[pos:cm.start()].strip():
                raise Unusual                # a cell without an address, or something else in the row
            self.cells.append([cells.number(ref.group(1).decode()), ref.group(1) + ref.group(2), cm.group(0)])
            pos = cm.end()
        if inner[pos:].strip():
            raise Unusual

    def apart(self) -> None:
        if self.cells is None:
            self._parse()

    def index(self, col: int) -> int | None:
        return next((i for i, c in enumerate(self.cells) if c[0] == col), None)

    def columns(self) -> tuple[int, int] | None:
        """The first and last column holding a cell."""
        if self.cells is None:
            raw = self._written()
            if b"<c" not in raw:
                return None
            first, last = raw.find(b"<c "), raw.rfind(b"<c ")
            ends = [_R.search(raw, at, raw.find(b">", at)) for at in (first, last)] if first >= 0 else []
            if len(ends) == 2 and all(ends) and b"<c>" not in raw:
                return cells.number(ends[0].group(1).decode()), cells.number(ends[1].group(1).decode())
            self._parse()
        return (self.cells[0][0], self.cells[-1][0]) if self.cells else None

    def to_bytes(self) -> bytes:
        if self.cells is None:
            raw = self._written()
            if self.drop_spans:
                m = _ROW_START.match(raw)
                raw = _SPANS.sub(b"", raw[:m.end()]) + raw[m.end():]
            return raw
        attrs = _SPANS.sub(b"", self.attrs) if self.drop_spans else self.attrs
        if not self.cells:
            return b"<row" + attrs + b"/>"
        return b"<row" + attrs + b">" + b"".join(c[2] for c in self.cells) + b"</row>"


class Rows:
    """A worksheet split into rows once; rows are taken apart only when something changes in them."""

    def __init__(self, xml: bytes):
        parts = split(xml)
        if parts is None:
            raise Unusual
        self.head, rows, self.tail = parts
        numbers = [r for r, _ in rows]
        if any(a >= b for a, b in zip(numbers, numbers[1:])):
            raise Unusual                    # rows out of order: the lxml path keeps what it finds
        self.raw = dict(rows)
        self.opened: dict[int, Row] = {}

    def __contains__(self, r: int) -> bool:
        return r in self.raw or r in self.opened

    def row(self, r: int, create: bool) -> Row | None:
        if r not in self.opened:
            if r in self.raw:
                self.opened[r] = Row(r, self.raw[r])
            elif create:
                self.opened[r] = Row(r)
        return self.opened.get(r)

    def chunks(self) -> list[tuple[int, bytes]]:
        return [(r, self.opened[r].to_bytes() if r in self.opened else self.raw[r])
                for r in sorted({*self.raw, *self.opened})]

    def to_bytes(self, chunks: list[tuple[int, bytes]]) -> bytes:
        return self.head + b"".join(chunk for _, chunk in chunks) + self.tail


# ---- the sheet -----------------------------------------------------------------------------------------
def patch_rows(xml: bytes, edits: dict[tuple[int, int], object], tables, sheet: str,
               shared: SharedStrings | None = None) -> tuple[bytes, bool] | None:
    """``sheet.patch_sheet``'s edit as text: (new XML, whether a formula cell lost its formula), or None
    where the lxml path must do it (a table grows, a shared formula in an edited row, an unusual row)."""
    if not ENABLED or any(t.new_r2 != t.r2 for t in tables):
        return None
    try:
        rows = Rows(xml)
        body = {col: (t.body_first, t.new_r2) for t in tables for col in range(t.c1, t.c2 + 1)}
        lost = False
        shared = shared or SharedStrings()
        for (r, col), value in sorted(edits.items(), key=lambda kv: kv[0]):
            lost |= _edit(rows, r, col, value, body, sheet, shared)
    except Unusual:
        return None
    chunks = rows.chunks()
    return _dimension(rows.to_bytes(chunks), chunks, rows), lost


_LETTERS: dict[int, bytes] = {}


def _ref(r: int, col: int) -> bytes:
    letters = _LETTERS.get(col)
    if letters is None:
        letters = _LETTERS[col] = cells.letters(col).encode()
    return letters + b"%d" % r


def _edit(rows: Rows, r: int, col: int, value, body: dict, sheet: str, shared: SharedStrings) -> bool:
    """One cell edit, as ``sheet._patch_whole_sheet`` does it; True when a formula gave way to a value."""
    writes = value is not None and not isinstance(value, CellResult)
    row = rows.opened.get(r) or rows.row(r, create=writes)
    if row is None:
        return False
    ref = _ref(r, col)
    old = row.get(col, ref)
    style = formula = None
    if old is None:
        if not writes:
            return False
        span = body.get(col)
        if span and span[0] < r <= span[1] and (r - 1) in rows:   # a new table cell looks like the one above
            above = rows.row(r - 1, create=False).get(col, _ref(r - 1, col))
            style = style_of(above) if above is not None else None
    elif b"<f" in old:
        formula = formula_of(old)
        if formula is not None and b'"shared"' in formula:
            raise Unusual                     # the lxml path expands the shared group first
    if old is None or not _unchanged(old, value, (sheet, ref), shared):
        new = new_cell(old, ref, value, (sheet, ref), style)
        if new != old:
            row.set(col, ref, new)
    row.drop_spans = True
    return formula is not None and not isinstance(value, (CellFormula, CellResult))


def _dimension(xml: bytes, chunks: list[tuple[int, bytes]], rows: Rows) -> bytes:
    """The used range: rows from those that still hold cells, columns widened to the cells of the rows that
    gained or lost one (the other rows' cells are where they were, inside the original range)."""
    m = _DIMENSION.search(xml, 0, len(rows.head))
    old = cells.parse_range(m.group(2).decode()) if m else None
    used = [r for r, chunk in chunks if b"<c " in chunk or b"<c>" in chunk]
    if old is None or not used:
        return xml
    c1, c2 = old[1], old[3]
    for row in rows.opened.values():
        extent = row.columns() if row.reshaped else None
        if extent:
            c1, c2 = min(c1, extent[0]), max(c2, extent[1])
    r1, r2 = used[0], used[-1]
    ref = cells.address(r1, c1) if (r1, c1) == (r2, c2) else f"{cells.address(r1, c1)}:{cells.address(r2, c2)}"
    return xml[:m.start(2)] + ref.encode() + xml[m.end(2):]


def mark_rows(xml: bytes, styles, cleared: set[str], boxes: list, want: dict[str, str]) -> tuple[bytes, int] | None:
    """``styles.mark_sheet``'s edit as text: (new XML, cells whose style changed), or None for the lxml path."""
    if not ENABLED:
        return None
    try:
        rows = Rows(xml)
    except Unusual:
        return None
    want = dict(want)
    named: dict[int, list[tuple[int, str]]] = {}
    for key in dict.fromkeys((*want, *cleared)):
        r, col = cells.parse(key)
        named.setdefault(r, []).append((col, key))
    changed = 0
    try:
        for r in sorted(rows.raw):
            in_rows = [b for b in boxes if b[0] <= r <= b[2]]
            if in_rows or r in named:
                changed += _mark_row(rows.row(r, create=False), styles, cleared, in_rows, want, named.get(r, []))
        for (r, col), colour in sorted((cells.parse(k), v) for k, v in want.items()):   # no cell there yet
            row = rows.row(r, create=True)
            ref = cells.address(r, col).encode()
            row.set(col, ref, b'<c r="' + ref + b'" s="' + str(styles.marked(0, colour)).encode() + b'"/>')
            row.drop_spans = True
            changed += 1
    except Unusual:
        return None
    if not changed:
        return xml, 0
    return rows.to_bytes(rows.chunks()), changed


def _mark_row(row: Row, styles, cleared: set[str], boxes: list, want: dict[str, str],
              named: list[tuple[int, str]]) -> int:
    """One row's highlights (``styles._mark_whole_sheet``): marks cleared in ``cleared`` cells and ``boxes``
    ranges, then the ``want`` cells filled; the cells found are taken out of ``want``. ``named``: (column,
    address) of this row's cells in ``want`` and ``cleared``."""
    found = named
    if boxes:
        row.apart()                          # every cell of a range is looked at
        found = [(col, ref.decode()) for col, ref, _ in row.cells]
    changed = 0
    for col, key in found:
        clear = key in cleared or any(b[1] <= col <= b[3] for b in boxes)
        if not clear and key not in want:
            continue
        cell = row.get(col, key.encode())
        if cell is None:
            continue
        colour = want.pop(key, None)
        s = int(style_of(cell) or b"0")
        new = styles.unmarked(s) if clear else s
        if colour:
            new = styles.marked(new, colour)
        if new != s:
            row.set(col, key.encode(), with_style(cell, str(new).encode()))
            changed += 1
    return changed
