"""A long tracker PDF is compiled in parts and merged (documents/pdf_parts.py, pdf_merge.py): the merged file is
one valid tagged PDF/UA-1 document, laid out page for page as one compile lays it out, with "Page X of Y" right,
one structure tree whose every page's marked content is in it, row and column headers, unique element ids.
A small part size makes the sample's 67 lines six parts, so the test is quick; qpdf (through pikepdf) and
pdfplumber read the result independently of the code that wrote it."""
from __future__ import annotations

import re

import pikepdf
import pytest

from savings_tracker.documents import SAMPLES, pdf_parts, render_appendix
from savings_tracker.documents.demo import SAMPLES_DIR
from savings_tracker.readers import read_register


@pytest.fixture(scope="module")
def tracker():
    return read_register(SAMPLES_DIR / SAMPLES["tracker"])


@pytest.fixture(scope="module")
def both(tracker, tmp_path_factory):
    """The tracker as one compile and in parts of 12 lines; how many parts that made."""
    tmp = tmp_path_factory.mktemp("parts")
    mp = pytest.MonkeyPatch()
    try:
        single = render_appendix(tracker, "tracker", "pdf", tmp / "single.pdf")
        mp.setattr(pdf_parts, "PART_LINES", 12)
        mp.setattr(pdf_parts, "SINGLE_MAX", 20)
        planned = []
        lay_out = pdf_parts.lay_out
        mp.setattr(pdf_parts, "lay_out", lambda *a: planned.extend(lay_out(*a)) or planned)
        parted = render_appendix(tracker, "tracker", "pdf", tmp / "parts.pdf")
    finally:
        mp.undo()
    return single, parted, planned


def _kids(e) -> list:
    k = e.get("/K")
    return [x for x in (k if isinstance(k, pikepdf.Array) else [k]) if isinstance(x, pikepdf.Dictionary)]


def _elems(pdf):
    out, todo = [], list(_kids(pdf.Root.StructTreeRoot))
    while todo:
        e = todo.pop(0)
        if "/S" in e:
            out.append(e)
            todo[:0] = _kids(e)
    return out


def _page_texts(path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return [p.extract_text() or "" for p in pdf.pages]


def test_several_parts_laid_out_page_for_page_as_one_compile(both):
    single, parted, planned = both
    assert len(planned) >= 5, [(p.start, p.end) for p in planned]
    one, many = _page_texts(single), _page_texts(parted)
    assert len(many) == len(one) > 5
    for n, (a, b) in enumerate(zip(one, many), start=1):
        assert a == b, f"page {n}"  # the same lines on the same pages: parts end at a page's foot
        assert f"Page {n} of {len(one)}" in b


def test_merged_file_is_valid_and_says_it_is_pdf_ua(both, tracker):
    _, parted, _ = both
    with pikepdf.open(parted) as pdf:
        assert pdf.check_pdf_syntax() == []  # qpdf finds nothing wrong
        root = pdf.Root
        assert root.MarkInfo.Marked is True and str(root.Lang) == "en-GB"
        assert tracker.settings.organisation in str(pdf.docinfo.Title)
        xmp = root.Metadata.read_bytes()
        assert b"<pdfuaid:part>1</pdfuaid:part>" in xmp
        assert f"<xmpTPg:NPages>{len(pdf.pages)}</xmpTPg:NPages>".encode() in xmp
        assert "/PageLabels" not in root  # the reader's page numbers are the printed ones, 1 to n


def test_one_structure_tree_holding_every_page_marked_content(both):
    _, parted, _ = both
    with pikepdf.open(parted) as pdf:
        tree = pdf.Root.StructTreeRoot
        [document] = _kids(tree)
        assert document.S == "/Document"
        keys = [int(p.obj.StructParents) for p in pdf.pages]
        assert len(set(keys)) == len(keys) and int(tree.ParentTreeNextKey) > max(keys)
        nums = dict(zip([int(k) for k in tree.ParentTree.Nums[::2]], tree.ParentTree.Nums[1::2]))
        for page, key in zip(pdf.pages, keys):
            mcids = [int(x) for x in re.findall(rb"/MCID (\d+)", _contents(page))]
            owners = nums[key]
            assert mcids and sorted(mcids) == list(range(len(owners)))  # each piece of content has its element
            for mcid in mcids:
                assert (page.obj.objgen, mcid) in _content(owners[mcid])
        for elem in _elems(pdf):
            assert elem.P.objgen in {document.objgen, tree.objgen} or "/S" in elem.P


def _contents(page) -> bytes:
    """A page's content: its streams (a page in parts also draws its header and footer) one after another."""
    c = page.obj.Contents
    return b"\n".join(s.read_bytes() for s in (c if isinstance(c, pikepdf.Array) else [c]))


def _content(elem) -> set[tuple]:
    """(page, MCID) of an element's own marked content: an MCID on the element's page (/Pg, inherited), or a
    marked-content reference with a page of its own."""
    page = next(e.Pg for e in _ancestors(elem) if "/Pg" in e).objgen if any("/Pg" in e for e in _ancestors(elem)) else None
    k = elem.get("/K")
    out = set()
    for x in (k if isinstance(k, pikepdf.Array) else [k]):
        if isinstance(x, int):
            out.add((page, int(x)))
        elif isinstance(x, pikepdf.Dictionary) and "/MCID" in x:
            out.add((x.Pg.objgen if "/Pg" in x else page, int(x.MCID)))
    return out


def _ancestors(elem):
    while elem is not None and "/S" in elem:
        yield elem
        elem = elem.get("/P")


def test_every_table_has_column_and_row_headers_and_ids_resolve(both, tracker):
    _, parted, _ = both
    with pikepdf.open(parted) as pdf:
        elems = _elems(pdf)
        tree = pdf.Root.StructTreeRoot
        names = [str(s) for s in tree.IDTree.Names[::2]]
        assert len(names) == len(set(names))  # ids unique across the parts
        assert names == sorted(names)
        tables = [e for e in elems if e.S == "/Table"]
        body_rows = 0
        for table in tables:
            groups = {str(g.S): g for g in _kids(table)}
            heads = [c for r in _kids(groups["/THead"]) for c in _kids(r)]
            assert heads and all(c.S == "/TH" and _scope(c) == "/Column" for c in heads)
            for row in _kids(groups["/TBody"]):
                first, *rest = _kids(row)
                assert first.S == "/TH" and _scope(first) == "/Row"
                assert all(c.S == "/TD" for c in rest)
                body_rows += 1
        headers = {str(h) for e in elems for a in _attrs(e) for h in a.get("/Headers", [])}
        assert headers <= set(names)
        # every line's row, in one table per committee (split where a part ended) and a total row each
        assert body_rows >= len(tracker) + len(set(tracker.lines["committee"]))
        headings = [str(e.S) for e in elems if str(e.S).startswith("/H")]
        assert headings.count("/H1") == 1 and headings[0] == "/H1"


def _attrs(e) -> list:
    a = e.get("/A")
    return [a] if isinstance(a, pikepdf.Dictionary) else [x for x in (a or []) if isinstance(x, pikepdf.Dictionary)]


def _scope(cell) -> str | None:
    return next((str(a.Scope) for a in _attrs(cell) if a.get("/O") == "/Table" and "/Scope" in a), None)


def _marks(path) -> list[tuple[int, str, int]]:
    """The bookmarks: (depth, title, page number)."""
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        out = []

        def walk(items, depth):
            for item in items:
                page = next(i for i, p in enumerate(pdf.pages) if p.obj.objgen == item.destination[0].objgen)
                out.append((depth, item.title, page))
                walk(item.children, depth + 1)
        walk(outline.root, 0)
        return out


def test_bookmarks_as_one_compile(both):
    single, parted, _ = both
    marks = _marks
    assert marks(parted) == marks(single)
    assert len(marks(single)) >= 4


def _table_rows(path) -> list[tuple[str, int]]:
    """Every table row of the structure tree: its kind of row group and how many cells it has."""
    with pikepdf.open(path) as pdf:
        return [(str(g.S), len(_kids(r))) for t in _elems(pdf) if t.S == "/Table" for g in _kids(t)
                for r in _kids(g)]


def test_parts_laid_out_once_and_cut_keep_each_row_once(both):
    """A part is laid out past the page where it is cut, and that page's rows start the next part: the merged
    structure tree has each table row once (as one compile has them), and no element names a page that was
    dropped."""
    single, parted, planned = both
    assert any(p.laid_out > p.pages for p in planned), [(p.start, p.end, p.pages, p.laid_out) for p in planned]
    rows = _table_rows(parted)
    assert sorted(r for r in rows if r[0] != "/THead") == sorted(r for r in _table_rows(single) if r[0] != "/THead")
    with pikepdf.open(parted) as pdf:
        pages = {p.obj.objgen for p in pdf.pages}
        for elem in _elems(pdf):
            assert "/Pg" not in elem or elem.Pg.objgen in pages
            for k in elem.get("/K") if isinstance(elem.get("/K"), pikepdf.Array) else []:
                assert not isinstance(k, pikepdf.Dictionary) or "/Pg" not in k or k.Pg.objgen in pages


def test_every_page_draws_its_header_and_footer_as_an_artifact(both):
    """The running header and footer of a document in parts are drawn from one small document afterwards, each
    page's own, marked as an artifact (not content of the structure tree)."""
    _, parted, _ = both
    with pikepdf.open(parted) as pdf:
        forms = set()
        for page in pdf.pages:
            assert _contents(page).rstrip().endswith(b"/Artifact<</Type/Pagination>>BDC q /StFurniture Do Q EMC")
            form = page.obj.Resources.XObject.StFurniture
            assert form.Subtype == "/XObject" or form.get("/Subtype") == "/Form"
            forms.add(form.objgen)
        assert len(forms) == len(pdf.pages)


def test_typst_markup_in_the_page_furniture_prints_as_typed_in_parts(tracker, tmp_path, monkeypatch):
    """The header and footer of a document in parts are laid out from data too (furniture.json): an
    organisation and period that are Typst markup print as typed on every page and change nothing."""
    import dataclasses

    org, period = "#set page(paper: \"a6\") ] [ $x$ <l> @r // c", "#pagebreak() *b* \\u{41}"
    reg = dataclasses.replace(tracker, settings=dataclasses.replace(tracker.settings, organisation=org,
                                                                    period=period))
    monkeypatch.setattr(pdf_parts, "PART_LINES", 12)
    monkeypatch.setattr(pdf_parts, "SINGLE_MAX", 20)
    pages = _page_texts(render_appendix(reg, "tracker", "pdf", tmp_path / "h.pdf"))
    assert len(pages) > 5
    for n, text in enumerate(pages, start=1):
        flat = re.sub(r"\s+", "", text)
        assert re.sub(r"\s+", "", org) in flat and re.sub(r"\s+", "", period) in flat, n
        assert f"Page {n} of {len(pages)}" in text


def test_parts_in_one_run_across_committees_as_one_compile(both, tracker, tmp_path, monkeypatch):
    """When the committees cannot be laid out side by side (one has no lines), parts run one after another and a
    part can hold the start of the next committee past its cut: those pages are dropped with their headings and
    bookmarks, and laid out again in the next part."""
    single, _, _ = both
    monkeypatch.setattr(pdf_parts, "PART_LINES", 40)
    monkeypatch.setattr(pdf_parts, "SINGLE_MAX", 20)
    monkeypatch.setattr(pdf_parts, "_segments", lambda data: [(0, pdf_parts.line_count(data))])
    dropped, cut = [], pdf_parts.cut

    def cut_early(part, rows, group_starts, tall):
        """Cut at the first page that may end a part, not the last: more pages dropped, headings among them."""
        starts = {}
        for s, p in rows:
            starts[p] = min(s, starts.get(p, s))
        for page in sorted(starts):
            s = starts[page]
            if page > 1 and s > part.start and s not in group_starts and s - 1 not in tall:
                dropped.append(part.laid_out - (page - 1))
                return s, page - 1
        return cut(part, rows, group_starts, tall)
    monkeypatch.setattr(pdf_parts, "cut", cut_early)
    parted = render_appendix(tracker, "tracker", "pdf", tmp_path / "one-run.pdf")
    assert max(dropped) >= 2, dropped
    one, many = _page_texts(single), _page_texts(parted)
    assert many == one
    with pikepdf.open(parted) as pdf, pikepdf.open(single) as ref:
        assert pdf.check_pdf_syntax() == []
        heads = [str(e.S) for e in _elems(pdf) if str(e.S).startswith("/H")]
        assert heads == [str(e.S) for e in _elems(ref) if str(e.S).startswith("/H")]
    assert _marks(parted) == _marks(single)
