"""Tagged PDF appendices: the speed-ups in appendix/pdf.py change nothing in the document.

pydyf's page references are cached (WeasyPrint's PDF/UA tagging read them once per tagged cell, rebuilding the
list of every page each time) and the garbage collector is paused while WeasyPrint works."""
from __future__ import annotations

import gc
import re

import pydyf
import pytest
from pypdf import PdfReader

from savings_tracker.documents import SAMPLES, render_appendix
from savings_tracker.documents.demo import SAMPLES_DIR
from savings_tracker.documents.pdf import _cached_page_references, _collector_paused, html_to_pdf
from savings_tracker.readers import read_register


def _page(pdf: pydyf.PDF) -> None:
    page = pydyf.Dictionary({"Type": "/Page", "Parent": pdf.pages.reference})
    pdf.add_page(page)


def test_cached_page_references_follow_added_pages():
    pdf = pydyf.PDF()
    for count in (1, 2, 7):
        while pdf.pages["Count"] < count:
            _page(pdf)
        expected = tuple(f"{n} 0 R".encode("ascii") for n in pdf.pages["Kids"][::3])
        assert len(expected) == count
        assert _cached_page_references(pdf) == expected
        assert _cached_page_references(pdf) is _cached_page_references(pdf)  # built once per page count


def test_collector_is_resumed_even_when_rendering_fails(tmp_path):
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with _collector_paused():
            assert not gc.isenabled()
            raise RuntimeError("boom")
    assert gc.isenabled()
    html_to_pdf("<html lang='en'><title>t</title><p>x</p></html>", tmp_path / "x.pdf", str(tmp_path))
    assert gc.isenabled()


def _struct_elems(node, found):
    node = node.get_object()
    if isinstance(node, list) or type(node).__name__ == "ArrayObject":
        for kid in node:
            _struct_elems(kid, found)
        return
    if not hasattr(node, "get") or node.get("/Type") not in (None, "/StructElem"):
        return
    if "/S" in node:
        found.append(node)
    if "/K" in node:
        _struct_elems(node["/K"], found)


def test_tracker_pdf_tags_point_at_their_own_pages(tmp_path):
    reg = read_register(SAMPLES_DIR / SAMPLES["tracker"])
    reader = PdfReader(str(render_appendix(reg, "tracker", "pdf", tmp_path / "t.pdf")))
    pages = {p.indirect_reference.idnum: n for n, p in enumerate(reader.pages)}
    elems: list = []
    _struct_elems(reader.trailer["/Root"]["/StructTreeRoot"]["/K"], elems)
    kinds = [str(e["/S"]) for e in elems]
    assert kinds.count("/TR") >= len(reg) and "/TH" in kinds and "/TD" in kinds
    refs = [e.raw_get("/Pg").idnum for e in elems if "/Pg" in e]
    assert refs and set(refs) <= set(pages)
    assert len(set(refs)) == len(pages)  # every page carries tagged content
    # each piece of tagged text is marked on the page its tag names
    marked = {idnum: set(map(int, re.findall(rb"/MCID (\d+)", reader.pages[n].get_contents().get_data())))
              for idnum, n in pages.items()}
    tagged: dict[int, set[int]] = {idnum: set() for idnum in pages}
    for elem in elems:
        if "/Pg" in elem:
            tagged[elem.raw_get("/Pg").idnum].update(k for k in elem.get("/K", []) if isinstance(k, int))
    for idnum in pages:  # all but the page's two footer texts (margin boxes, not in the tree)
        assert tagged[idnum] <= marked[idnum] and len(marked[idnum] - tagged[idnum]) <= 2
    assert sum(map(len, tagged.values())) >= 10 * len(reg)
