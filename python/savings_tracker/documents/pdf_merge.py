"""Typst's PDFs finished as one tagged PDF/UA-1 file: the parts of a long appendix (``pdf_parts``) joined, and
the row headers Typst's PyPI wheel cannot tag yet.

The files are rewritten object by object as they stream past, never loaded as a whole: a 10,000-line tracker has
some 450,000 objects (most of them structure elements, one per table cell), which a PDF library holding them in
memory needs well over a gigabyte for. That relies on what Typst writes (checked on reading, ``PdfLayoutError``
otherwise, and by the tests with qpdf): numbered objects with a cross-reference table, no object streams, the
structure tree's number and name trees written inline.

* The first part gives the document: its catalogue (``/Lang``, ``/MarkInfo``, viewer preferences, XMP metadata
  with the ``pdfuaid`` part, whose page count is updated), its info dictionary, its ``Document`` element.
* Each later part adds its objects, renumbered past those before; its pages join the one page tree, with their
  marked-content keys (``/StructParents``) shifted past those before and the ``ParentTree`` entries with them;
  its top structure elements go under the one ``Document``; its element ids join the ``IDTree``, their table
  numbers (``U<table>x<column>y<row>``, in ``/ID`` and ``/Headers``) shifted past the parts before, since parts
  are laid out side by side; its first heading, tagged H1 for Typst's PDF/UA-1 check (``templates/base.typ``,
  part-heading), is tagged back H2; its bookmarks join the outline.
* A part laid out past the page where it was cut keeps only its first ``keep`` pages (``pdf_cut``: the rest go
  with their rows' structure elements).
* The running header and footer (``furniture``, one page of ``templates/furniture.typ`` for each page) are drawn
  onto each page as a Form XObject of its own, marked as a pagination artifact: its fonts are the furniture
  document's, written once.
* Row headers: the first cell of each body row of every table names the row (the reference, the committee's
  total, the RAG word); Typst 0.15 tags it TD, so it becomes TH with ``/Scope /Row`` (ISO 32000-1, 14.8.5.7) and
  a screen reader announces it with each figure of the row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SavingsTrackerError
from . import pdf_cut

_TOKENS = re.compile(rb"\((?:[^\\()]|\\[\s\S])*\)|<[0-9A-Fa-f\s]*>|(\d+) 0 R")   # strings, hex strings, refs
_STRING = rb"(\((?:[^\\()]|\\[\s\S])*\)|<[0-9A-Fa-f\s]*>)"
_STREAM = re.compile(rb"stream\r?\n")
_ROW_GROUPS = (b"TBody", b"TFoot", b"Table")


class PdfLayoutError(SavingsTrackerError):
    """A PDF that is not laid out as Typst writes them (so it cannot be joined here)."""


def _ref(text: bytes, key: bytes) -> int | None:
    m = re.search(rb"/" + key + rb" (\d+) 0 R", text)
    return int(m.group(1)) if m else None


def _refs(text: bytes) -> list[int]:
    return [int(m.group(1)) for m in _TOKENS.finditer(text) if m.group(1)]


def _array(text: bytes, key: bytes) -> bytes:
    m = re.search(rb"/" + key + rb"\[([^\]]*)\]", text)
    if not m:
        raise PdfLayoutError(f"no /{key.decode()} array where Typst writes one")
    return m.group(1)


@dataclass
class _Part:
    """One of Typst's PDFs, read: where each object is, and what the merge needs to know of them."""
    data: bytes
    offsets: dict[int, int] = field(default_factory=dict)
    trailer: bytes = b""

    @classmethod
    def read(cls, path: Path) -> "_Part":
        part = cls(Path(path).read_bytes())
        m = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", part.data)
        if not m or part.data[int(m.group(1)):int(m.group(1)) + 4] != b"xref":
            raise PdfLayoutError(f"{path}: no cross-reference table (object streams?)")
        pos = int(m.group(1)) + 5
        while True:
            head = re.match(rb"\s*(\d+) (\d+)\s*\n", part.data[pos:pos + 40])
            if not head:
                break
            first, count = int(head.group(1)), int(head.group(2))
            pos += head.end()
            for n in range(count):
                entry = part.data[pos + 20 * n:pos + 20 * n + 18]
                if entry.endswith(b"n"):
                    part.offsets[first + n] = int(entry[:10])
            pos += 20 * count
        part.trailer = part.data[part.data.index(b"trailer", pos):]
        return part

    def body(self, n: int) -> bytes:
        """Object ``n`` without its ``n 0 obj`` / ``endobj`` lines (a stream's data included)."""
        start = self.data.index(b"obj", self.offsets[n]) + 3
        end = self.data.rindex(b"endobj", start, self._next(n))
        return self.data[start:end].strip(b"\r\n")

    def _next(self, n: int) -> int:
        if not hasattr(self, "_ends"):
            order = sorted(self.offsets.values())
            self._ends = dict(zip(order, order[1:] + [self.data.index(b"xref", order[-1])]))
        return self._ends[self.offsets[n]]

    def dict_of(self, n: int) -> bytes:
        body = self.body(n)
        m = _STREAM.search(body)
        return body[:m.start()] if m and body.rstrip().endswith(b"endstream") else body


@dataclass
class _Plan:
    """What one part brings: its special objects, pages, structure, and the numbers it is renumbered by."""
    part: _Part
    base: int                       # added to each object number of the part
    special: dict[int, int]         # objects that become the first part's own (page tree, structure root, ...)
    dropped: set[int]               # objects not written (rewritten for the whole document, or replaced)
    pages: list[int]
    kids: list[int]                 # the Document element's kids
    nums: list[tuple[int, int]]     # ParentTree (key, object)
    next_key: int
    ids: list[tuple[bytes, int]]
    outline: list[tuple[int, bytes, int]]   # (depth, title, destination object)
    row_headers: set[int]           # body rows' first cells, TD to become TH
    h1: set[int]                    # a later part's lead heading, H1 to become H2
    root: int                       # the catalogue; and the part's own objects that the merge rewrites:
    info: int | None
    meta: int | None
    outline_n: int | None
    pages_n: int
    tree_n: int
    doc_n: int
    size: int                       # the part's object numbers are below this
    rewrite: dict[int, bytes] = field(default_factory=dict)   # elements that lost kids where the part was cut
    tables: int = 0                 # the highest table number in the part's element ids (U<table>x<col>y<row>)
    id_shift: int = 0               # added to those table numbers, so that ids are unique across the parts
    overlay: dict[int, tuple[int, int]] = field(default_factory=dict)   # page -> (its resources, furniture stream)
    forms: dict[int, int] = field(default_factory=dict)                  # page -> its furniture's form


def _outline(part: _Part, first: int | None, depth: int = 0) -> tuple[list, set[int]]:
    items, seen, n = [], set(), first
    while n is not None and n not in seen:
        seen.add(n)
        text = part.dict_of(n)
        title = re.search(rb"/Title" + _STRING, text)
        items.append((depth, title.group(1) if title else b"()", _ref(text, b"Dest")))
        kids, kid_seen = _outline(part, _ref(text, b"First"), depth + 1)
        items += kids
        seen |= kid_seen
        n = _ref(text, b"Next")
    return items, seen


def _dest_page(part: _Part, dest: int | None) -> int | None:
    """The page a bookmark's destination (``[page /XYZ x y zoom]``, an object of its own) points to."""
    refs = _refs(part.dict_of(dest)) if dest is not None else []
    return refs[0] if refs else None


_ELEM_HEAD = b" 0 obj\n<</Type/StructElem/S/"


def _structure(part: _Part) -> tuple[set[int], set[int], dict[int, int]]:
    """The body rows' first cells (to be row headers), the H1 elements and every element's parent."""
    kind, parent, rows = {}, {}, []
    pieces = part.data.split(_ELEM_HEAD)  # quicker than a regular expression over the whole file
    for before, elem in zip(pieces, pieces[1:]):
        at = elem.find(b"/P ", 0, 40)
        end = elem.find(b" 0 R", at)
        if at < 0 or end < 0 or not before[before.rfind(b"\n") + 1:].isdigit():
            continue
        n = int(before[before.rfind(b"\n") + 1:])
        kind[n], parent[n] = elem[:at], int(elem[at + 3:end])
        if kind[n] == b"TR":
            rows.append(n)
    cells = set()
    for row in rows:
        if kind.get(parent[row]) in _ROW_GROUPS:
            first = re.search(rb"/K\[(\d+) 0 R", part.dict_of(row))
            if first and kind.get(int(first.group(1))) == b"TD":
                cells.add(int(first.group(1)))
    return cells, {n for n, s in kind.items() if s == b"H1"}, parent


def _plan(path: Path, base: int, first: "_Plan | None", keep: int | None = None) -> _Plan:
    """What a part brings; only its first ``keep`` pages (``pdf_cut``), when it was laid out past its cut."""
    part = _Part.read(path)
    root, info = _ref(part.trailer, b"Root"), _ref(part.trailer, b"Info")
    catalog = part.dict_of(root)
    pages_n, tree_n = _ref(catalog, b"Pages"), _ref(catalog, b"StructTreeRoot")
    if pages_n is None or tree_n is None:
        raise PdfLayoutError(f"{path}: no page tree or structure tree")
    tree = part.dict_of(tree_n)
    doc = _refs(_array(tree, b"K"))
    if len(doc) != 1:
        raise PdfLayoutError(f"{path}: the structure tree has {len(doc)} top elements, not one Document")
    nums_text = re.search(rb"/ParentTree<</Nums\[([^\]]*)\]>>", tree)
    if not nums_text:
        raise PdfLayoutError(f"{path}: no ParentTree number tree written inline")
    nums = [(int(a), int(b)) for a, b in re.findall(rb"(\d+) (\d+) 0 R", nums_text.group(1))]
    key = re.search(rb"/ParentTreeNextKey (\d+)", tree)
    ids_text = re.search(rb"/IDTree<</Names\[(.*?)\]>>", tree, re.S)
    ids = [(s, int(n)) for s, n in re.findall(_STRING + rb"\s*(\d+) 0 R", ids_text.group(1))] if ids_text else []
    outline_n = _ref(catalog, b"Outlines")
    outline, items = _outline(part, _ref(part.dict_of(outline_n), b"First")) if outline_n else ([], set())
    dropped = {pages_n, tree_n, doc[0], _ref(catalog, b"Metadata"), outline_n, *items}
    special = {}
    if first is not None:
        dropped |= {root, info}
        special = {pages_n: first.pages_n, tree_n: first.tree_n, doc[0]: first.doc_n}
    cells, h1, parent = _structure(part)
    pages = _refs(_array(part.dict_of(pages_n), b"Kids"))
    cut = pdf_cut.cut(pages, len(pages) if keep is None else keep, nums, part.dict_of, parent,
                      lambda why: PdfLayoutError(f"{path}: {why}"))
    # a bookmark (its destination: [page /XYZ ...]) to a dropped page: the heading is laid out again in the next part
    outline = [item for item in outline if _dest_page(part, item[2]) not in cut.dropped]
    tables = max((int(m.group(1)) for s, _ in ids for m in [re.match(rb"\(U(\d+)x", s)] if m), default=0)
    return _Plan(part, base, special, (dropped | cut.dropped) - {None}, cut.pages,
                 [k for k in _refs(_array(part.dict_of(doc[0]), b"K")) if k not in cut.dropped], cut.nums,
                 int(key.group(1)) if key else max((k for k, _ in nums), default=-1) + 1,
                 [(s, n) for s, n in ids if n not in cut.dropped], outline, cells - cut.dropped,
                 h1 if first is not None else set(), root, info, _ref(catalog, b"Metadata"), outline_n, pages_n,
                 tree_n, doc[0], int(re.search(rb"/Size (\d+)", part.trailer).group(1)), cut.rewrite, tables)


_RUN_TOKENS = re.compile(rb"\((?:[^\\()]|\\[\s\S])*\)|<[0-9A-Fa-f\s]*>|(\d+) 0 R|(?:^|(?<=endobj\n))(\d+)(?= 0 obj\b)")


def _renumber(text: bytes, plan: _Plan) -> bytes:
    """References (``n 0 R``) and object numbers (``n 0 obj``) renumbered for the merged file; strings untouched."""
    if not plan.base:
        return text
    special, base = plan.special, plan.base

    def sub(m):
        ref, head = m.group(1), m.group(2)
        if ref is not None:
            n = int(ref)
            return b"%d 0 R" % special.get(n, n + base)
        if head is not None:
            return b"%d" % (int(head) + base)
        return m.group(0)  # a string: written as it is, whatever it says
    return _RUN_TOKENS.sub(sub, text)


def _row_header(text: bytes) -> bytes:
    text = text.replace(b"/S/TD", b"/S/TH", 1)
    if b"<</O/Table" in text:
        return text.replace(b"<</O/Table", b"<</O/Table/Scope/Row", 1)
    if b"/A[" in text:
        return text.replace(b"/A[", b"/A[<</O/Table/Scope/Row>>", 1)
    return text.replace(b"/S/TH", b"/S/TH/A<</O/Table/Scope/Row>>", 1)


def _split(body: bytes) -> tuple[bytes, bytes]:
    """An object's dictionary and its stream (``b""`` if none)."""
    m = _STREAM.search(body)
    return (body[:m.start()], body[m.start():]) if m and body.rstrip().endswith(b"endstream") else (body, b"")


def _shift_ids(text: bytes, plan) -> bytes:
    """Element ids (``/ID``, ``/Headers``) of a later part's tables numbered on from the parts before. Only at
    the places an id can stand: a literal string's ``(`` there is never unescaped inside another string."""
    if not plan.id_shift or b"(U" not in text:
        return text
    for table in range(plan.tables, 0, -1):  # the highest first: a number once shifted is never shifted again
        old, new = b"(U%dx" % table, b"(U%dx" % (table + plan.id_shift)
        text = text.replace(b"/ID" + old, b"/ID" + new).replace(b"[" + old, b"[" + new).replace(b")" + old, b")" + new)
    return text


def _object(plan: _Plan, n: int, shift: int) -> bytes:
    """Object ``n`` of a part as the merged file has it."""
    head, data = _split(plan.part.body(n))
    head = _shift_ids(_renumber(plan.rewrite.get(n, head), plan), plan)
    if n in plan.row_headers:
        head = _row_header(head)
    elif n in plan.h1:
        head = head.replace(b"/S/H1", b"/S/H2", 1)
    elif head.startswith(b"<</Type/Page/"):
        if shift:
            head = re.sub(rb"/StructParents (\d+)", lambda m: b"/StructParents %d" % (int(m.group(1)) + shift), head)
        if n in plan.overlay:
            head = _with_furniture(head, *plan.overlay[n])
    elif shift and b"/Type/Annot" in head:
        head = re.sub(rb"/StructParent (\d+)", lambda m: b"/StructParent %d" % (int(m.group(1)) + shift), head)
    return head + data


def _with_furniture(page: bytes, resources: int, stream: int) -> bytes:
    """A page that also draws its running header and footer: its own resources with the furniture's form, and
    the stream that draws it after its own content."""
    page, count = re.subn(rb"/Resources \d+ 0 R", b"/Resources %d 0 R" % resources, page, count=1)
    page, count2 = re.subn(rb"/Contents (\d+) 0 R", lambda m: b"/Contents[%s %d 0 R]" % (m.group(0)[10:], stream),
                           page, count=1)
    if not (count and count2):
        raise PdfLayoutError("a page without its resources or contents as one object, where Typst writes them")
    return page


class _Writer:
    def __init__(self, fh):
        self.fh, self.offsets = fh, {}

    def write(self, n: int, body: bytes) -> None:
        self.offsets[n] = self.fh.tell()
        self.fh.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")

    def write_chunk(self, n: int, chunk: bytes) -> None:
        """A whole object (``n 0 obj`` ... ``endobj``) as it stands in a part, renumbered already."""
        self.offsets[n] = self.fh.tell()
        self.fh.write(chunk if chunk.endswith(b"\n") else chunk + b"\n")

    def finish(self, first: _Plan, size: int) -> None:
        at = self.fh.tell()
        rows = [b"0000000000 65535 f\r\n"] + [b"%010d 00000 n\r\n" % self.offsets[n] if n in self.offsets
                                             else b"0000000000 00000 f\r\n" for n in range(1, size)]
        ident = re.search(rb"/ID\s*\[[^\]]*\]", first.part.trailer)
        info = b"/Info %d 0 R" % first.info if first.info else b""
        self.fh.write(b"xref\n0 %d\n" % size + b"".join(rows) + b"trailer\n<</Size %d/Root %d 0 R%s%s>>\n"
                      % (size, first.root, info, ident.group(0) if ident else b"") + b"startxref\n%d\n%%%%EOF\n" % at)


def _outline_objects(writer: _Writer, first: _Plan, items: list[tuple[int, bytes, int]], start: int) -> None:
    """The bookmarks, one level per heading level, all closed (a reader opens what it needs)."""
    nodes = [{"n": start + i, "level": lv, "title": t, "dest": d, "kids": []} for i, (lv, t, d) in enumerate(items)]
    top, stack = [], []
    for node in nodes:
        while stack and stack[-1]["level"] >= node["level"]:
            stack.pop()
        (stack[-1]["kids"] if stack else top).append(node)
        node["parent"] = stack[-1]["n"] if stack else first.outline_n
        stack.append(node)

    def links(siblings):
        for i, node in enumerate(siblings):
            parts = [b"/Parent %d 0 R" % node["parent"], b"/Title" + node["title"]]
            if node["dest"] is not None:
                parts.append(b"/Dest %d 0 R" % node["dest"])
            if i:
                parts.append(b"/Prev %d 0 R" % siblings[i - 1]["n"])
            if i + 1 < len(siblings):
                parts.append(b"/Next %d 0 R" % siblings[i + 1]["n"])
            if node["kids"]:
                parts.append(b"/First %d 0 R/Last %d 0 R/Count -%d" % (node["kids"][0]["n"], node["kids"][-1]["n"],
                                                                       len(node["kids"])))
                links(node["kids"])
            writer.write(node["n"], b"<<" + b"".join(parts) + b">>")
    links(top)
    if first.outline_n:
        ends = b"/First %d 0 R/Last %d 0 R" % (top[0]["n"], top[-1]["n"]) if top else b""
        writer.write(first.outline_n, b"<</Type/Outlines%s/Count %d>>" % (ends, len(top)))


def _document_objects(writer: _Writer, plans: list[_Plan]) -> None:
    """The page tree, structure tree root, Document element and XMP metadata of the whole document."""
    first = plans[0]
    pages = [p.special.get(n, n + p.base) for p in plans for n in p.pages]
    writer.write(first.pages_n, b"<</Type/Pages/Count %d/Kids[%s]>>" % (len(pages), b" ".join(b"%d 0 R" % n for n in pages)))
    kids = b" ".join(b"%d 0 R" % p.special.get(n, n + p.base) for p in plans for n in p.kids)
    doc = first.part.dict_of(first.doc_n)
    writer.write(first.doc_n, re.sub(rb"/K\[[^\]]*\]", lambda m: b"/K[" + kids + b"]", doc, count=1))
    nums, ids, shift = [], [], 0
    for p in plans:
        nums += [b"%d %d 0 R" % (k + shift, p.special.get(n, n + p.base)) for k, n in p.nums]
        ids += [(_shift_ids(b"/ID" + s, p)[3:], p.special.get(n, n + p.base)) for s, n in p.ids]
        shift += p.next_key
    keys = [s for s, _ in ids]
    if len(set(keys)) != len(keys):
        raise PdfLayoutError("the parts' structure element ids clash (Typst numbered their tables alike)")
    tree = first.part.dict_of(first.tree_n)
    tree = re.sub(rb"/ParentTree<</Nums\[[^\]]*\]>>", lambda m: b"/ParentTree<</Nums[" + b" ".join(nums) + b"]>>", tree)
    tree = re.sub(rb"/ParentTreeNextKey \d+", b"/ParentTreeNextKey %d" % shift, tree)
    named = b" ".join(s + b" %d 0 R" % n for s, n in sorted(ids, key=lambda kv: _string_bytes(kv[0])))
    tree = re.sub(rb"/IDTree<</Names\[.*?\]>>", lambda m: b"/IDTree<</Names[" + named + b"]>>", tree, flags=re.S)
    writer.write(first.tree_n, tree)
    if first.meta:
        body = first.part.body(first.meta)
        m = _STREAM.search(body)
        xmp = body[m.end():body.rindex(b"endstream")].rstrip(b"\r\n")
        xmp = re.sub(rb"<xmpTPg:NPages>\d+</xmpTPg:NPages>", b"<xmpTPg:NPages>%d</xmpTPg:NPages>" % len(pages), xmp)
        head = re.sub(rb"/Length \d+", b"/Length %d" % len(xmp), body[:m.start()])
        writer.write(first.meta, head + b"stream\n" + xmp + b"\nendstream")


def _string_bytes(token: bytes) -> bytes:
    """A PDF string token's bytes, for the name tree's order."""
    if token.startswith(b"<"):
        return bytes.fromhex(token[1:-1].decode("ascii"))
    return re.sub(rb"\\([\\()])", rb"\1", token[1:-1])


_REF_IN_STRING = re.compile(rb"\((?:[^()\\]|\\.)*?\d 0 R")   # a string that reads like a reference
_DIGITS = b"0123456789"


def _refs_shifted(chunk: bytes, plan: _Plan) -> bytes:
    """``n 0 R`` renumbered by splitting at " 0 R" (many times quicker than a regular expression here); only
    for a part none of whose strings reads like a reference."""
    segs = chunk.split(b" 0 R")
    special, base = plan.special, plan.base
    for i in range(len(segs) - 1):
        seg = segs[i]
        head = seg.rstrip(_DIGITS)
        n = int(seg[len(head):])
        segs[i] = head + b"%d" % special.get(n, n + base)
    return b" 0 R".join(segs)


def _write_part(writer: _Writer, plan: _Plan, shift: int) -> None:
    """A part's objects in file order: most (the table cells) renumbered as they stand, streams and the objects
    the merge changes one by one."""
    data, order = plan.part.data, sorted(plan.part.offsets.items(), key=lambda kv: kv[1])
    changed = plan.row_headers | plan.h1 | set(plan.rewrite) | (set(plan.pages) if shift or plan.overlay else set())
    ends = [off for _, off in order[1:]] + [data.index(b"xref", order[-1][1])]
    careful = bool(plan.base) and _REF_IN_STRING.search(data) is not None
    for (n, off), end in zip(order, ends):
        if n in plan.dropped:
            continue
        if n in changed or data.find(b"stream", off, end) >= 0 or (shift and data.find(b"/Type/Annot", off, end) >= 0):
            writer.write(n + plan.base, _object(plan, n, shift))
            continue
        chunk = data[off:end]
        if plan.base:
            head = b"%d" % n
            chunk = _renumber(chunk, plan) if careful else b"%d" % (n + plan.base) + _refs_shifted(chunk[len(head):], plan)
        writer.write_chunk(n + plan.base, _shift_ids(chunk, plan))
    for page, (resources, _) in plan.overlay.items():  # each page's resources, with its furniture's form
        own = _renumber(plan.part.dict_of(_ref(plan.part.dict_of(page), b"Resources")), plan)
        writer.write(resources, _with_form(own, plan.forms[page]))


def _with_form(resources: bytes, form: int) -> bytes:
    entry = b"/StFurniture %d 0 R" % form
    if b"/XObject<<" in resources:
        return resources.replace(b"/XObject<<", b"/XObject<<" + entry, 1)
    if b"/XObject" in resources or not resources.rstrip().endswith(b">>"):
        raise PdfLayoutError("page resources not written as Typst writes them")
    return resources.rstrip()[:-2] + b"/XObject<<" + entry + b">>>>"


_DRAW = b"/Artifact<</Type/Pagination>>BDC q /StFurniture Do Q EMC"


@dataclass
class _Furniture:
    """The running header and footer of every page (``templates/furniture.typ``), one Form XObject per page."""
    part: _Part
    base: int
    forms: list[int]            # each page's content stream, to become its form (numbered in the merged file)
    boxes: list[bytes]          # each page's MediaBox
    resources: list[int]
    skipped: set[int]           # the furniture document's catalogue, pages, outline, metadata: not written
    special: dict = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path, base: int, pages: int) -> "_Furniture":
        part = _Part.read(path)
        root = _ref(part.trailer, b"Root")
        catalog = part.dict_of(root)
        kids = _refs(_array(part.dict_of(_ref(catalog, b"Pages")), b"Kids"))
        if len(kids) != pages:
            raise PdfLayoutError(f"{path}: {len(kids)} pages of header and footer for {pages} pages")
        texts = [part.dict_of(k) for k in kids]
        forms, resources = [_ref(x, b"Contents") for x in texts], [_ref(x, b"Resources") for x in texts]
        if None in forms or None in resources:
            raise PdfLayoutError(f"{path}: a page without its resources or contents as one object")
        skipped = {root, _ref(part.trailer, b"Info"), _ref(catalog, b"Pages"), _ref(catalog, b"Metadata"),
                   _ref(catalog, b"Outlines"), *kids} - {None}
        boxes = [re.search(rb"/MediaBox\[([^\]]*)\]", x).group(1) for x in texts]
        return cls(part, base, forms, boxes, resources, skipped)

    @property
    def size(self) -> int:
        return int(re.search(rb"/Size (\d+)", self.part.trailer).group(1))

    def write(self, writer: _Writer) -> None:
        form_of = {n: i for i, n in enumerate(self.forms)}
        for n in sorted(self.part.offsets, key=self.part.offsets.get):
            if n in self.skipped:
                continue
            head, data = _split(self.part.body(n))
            head = _renumber(head, self)
            if n in form_of:
                i = form_of[n]
                head = b"<</Type/XObject/Subtype/Form/BBox[%s]/Resources %d 0 R" % (
                    self.boxes[i], self.resources[i] + self.base) + head[2:]
            writer.write(n + self.base, head + data)
        self.part.data = b""


def merge(paths: list[Path], out: Path, *, keep: list[int] | None = None, furniture: Path | None = None) -> None:
    """Join Typst's PDFs (one or more parts of one document) into ``out``, one tagged PDF with row headers; of
    each part only its first ``keep`` pages; with each page's header and footer drawn from ``furniture``."""
    plans: list[_Plan] = []
    base = tables = 0
    for n, path in enumerate(paths):
        plans.append(_plan(path, base, plans[0] if plans else None, None if keep is None else keep[n]))
        plans[-1].id_shift, tables = tables, tables + plans[-1].tables
        base += plans[-1].size
    frame = None
    if furniture is not None:
        frame = _Furniture.read(furniture, base, sum(len(p.pages) for p in plans))
        base += frame.size
        draw, base = base, base + 1
        at = 0
        for plan in plans:
            plan.forms = {page: frame.forms[at + i] + frame.base for i, page in enumerate(plan.pages)}
            plan.overlay = {page: (base + at + i, draw) for i, page in enumerate(plan.pages)}
            at += len(plan.pages)
        base += at
    first = plans[0]
    with open(out, "wb") as fh:
        fh.write(first.part.data[:min(first.part.offsets.values())])
        writer = _Writer(fh)
        shift = 0
        for plan in plans:
            _write_part(writer, plan, shift)
            shift += plan.next_key
            if plan is not first:
                plan.part.data = b""  # done with it
        if frame is not None:
            frame.write(writer)
            writer.write(draw, b"<</Length %d>>\nstream\n" % len(_DRAW) + _DRAW + b"\nendstream")
        _document_objects(writer, plans)
        levels = [(d + 1 if p is first else max(2, d + 1), t, None if dest is None else p.special.get(dest, dest + p.base))
                  for p in plans for d, t, dest in p.outline]
        _outline_objects(writer, first, levels, base)
        writer.finish(first, base + len(levels))


def page_counts(paths: list[Path]) -> list[int]:
    """Each PDF's number of pages (as its page tree says)."""
    counts = []
    for path in paths:
        data = Path(path).read_bytes()
        m = re.search(rb"/Type/Pages/Count (\d+)", data)
        counts.append(int(m.group(1)) if m else 0)
    return counts
