"""Tagged PDF appendices through Typst (issue 13): PDF/UA-1, title, language, table header cells with a scope,
a font that prints ↑ ↔ ↓ and £, register text as data (never Typst markup), drafts on every page."""
from __future__ import annotations

import dataclasses
import re
import subprocess

import pytest
from pypdf import PdfReader

from savings_tracker.documents import SAMPLES, render_appendix
from savings_tracker.documents.demo import SAMPLES_DIR
from savings_tracker.errors import TemplateProblem
from savings_tracker.readers import read_register

TYPST_HOSTILE = {  # register text that is Typst markup: it must print as typed and change nothing
    "title": "#set page(paper: \"a6\") #set text(red) ] [ $x^2$ \\ <label> @ref // not a comment",
    "description": "#include \"/etc/passwd\" #read(\"data.json\") #pagebreak() #let x = 1 *bold* _em_ `raw`",
    "commentary": "= Heading? - list? + enum? / term: #(1 + 1) \\u{41} ]]] )))",
}


@pytest.fixture(scope="module")
def tracker():
    return read_register(SAMPLES_DIR / SAMPLES["tracker"])


def _struct_elems(node, found, pg=None):
    """Every structure element with the page its marked content is on (/Pg, inherited from the nearest
    ancestor that has one, as ISO 32000 says)."""
    node = node.get_object()
    if isinstance(node, list) or type(node).__name__ == "ArrayObject":
        for kid in node:
            _struct_elems(kid, found, pg)
        return
    if hasattr(node, "get") and node.get("/Type") == "/MCR":  # marked content on a page of its own
        found.append((node, node.raw_get("/Pg").idnum if "/Pg" in node else pg))
        return
    if not hasattr(node, "get") or node.get("/Type") not in (None, "/StructElem"):
        return
    if "/Pg" in node:
        pg = node.raw_get("/Pg").idnum
    if "/S" in node:
        found.append((node, pg))
    if "/K" in node:
        _struct_elems(node["/K"], found, pg)


def _text(path) -> str:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


@pytest.mark.parametrize("name", ["tracker", "rag-analysis", "options"])
def test_pdf_ua_title_language_and_table_headers_with_scope(name, tmp_path):
    reg = read_register(SAMPLES_DIR / SAMPLES[name])
    reader = PdfReader(str(render_appendix(reg, name, "pdf", tmp_path / f"{name}.pdf")))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and root["/Lang"] == "en-GB"
    assert reader.metadata.title and reg.settings.organisation in reader.metadata.title
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    xmp = reader.xmp_metadata
    assert xmp is not None and b"pdfuaid" in xmp.stream.get_data()  # declares PDF/UA-1
    elems: list = []
    _struct_elems(root["/StructTreeRoot"]["/K"], elems)
    ths = [e for e, _ in elems if e.get("/S") == "/TH"]
    assert ths, "tables have header cells"
    for th in ths:
        attrs = th["/A"] if isinstance(th["/A"], list) or type(th["/A"]).__name__ == "ArrayObject" else [th["/A"]]
        scopes = {str(a.get_object().get("/Scope")) for a in attrs} - {"None"}
        assert scopes <= {"/Column", "/Row", "/Both"} and scopes, th


def test_tracker_pdf_tags_point_at_their_own_pages(tracker, tmp_path):
    reader = PdfReader(str(render_appendix(tracker, "tracker", "pdf", tmp_path / "t.pdf")))
    pages = {p.indirect_reference.idnum: n for n, p in enumerate(reader.pages)}
    elems: list = []
    _struct_elems(reader.trailer["/Root"]["/StructTreeRoot"]["/K"], elems)
    kinds = [str(e["/S"]) for e, _ in elems if "/S" in e]
    assert kinds.count("/TR") >= len(tracker) and "/TH" in kinds and "/TD" in kinds
    marked = {idnum: set(map(int, re.findall(rb"/MCID (\d+)", reader.pages[n].get_contents().get_data())))
              for idnum, n in pages.items()}
    tagged: dict[int, set[int]] = {idnum: set() for idnum in pages}
    for elem, pg in elems:
        if elem.get("/Type") == "/MCR":
            tagged[pg].add(int(elem["/MCID"]))
            continue
        kids = elem.get("/K", [])
        kids = kids if isinstance(kids, list) or type(kids).__name__ == "ArrayObject" else [kids]
        if pg is not None:
            tagged[pg].update(k for k in kids if isinstance(k, int))
    for idnum in pages:  # every piece of marked content is in the tree (page furniture is an artifact)
        assert tagged[idnum] == marked[idnum] and marked[idnum]
    assert sum(map(len, tagged.values())) >= 10 * len(tracker)


def test_fonts_print_arrows_and_pound(tracker, tmp_path):
    """DejaVu Sans (a sans-serif) embedded; ↑ ↔ ↓ and £ are real glyphs, not .notdef boxes."""
    path = render_appendix(tracker, "tracker", "pdf", tmp_path / "t.pdf")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSans" in fonts and "Libertinus" not in fonts and "NewCM" not in fonts
    text = _text(path)
    for ch in "↑↔↓£":
        assert ch in text


def test_register_text_that_is_typst_markup_prints_as_typed(tracker, tmp_path):
    lines = tracker.lines.copy()
    for k, v in TYPST_HOSTILE.items():
        lines.at[lines.index[0], k] = v
    reg = dataclasses.replace(tracker, lines=lines)
    path = render_appendix(reg, "tracker", "pdf", tmp_path / "h.pdf")
    reader = PdfReader(str(path))
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 1191  # still A3: `#set page(paper: "a6")` did nothing
    import pdfplumber

    from test_appendix_safety import _cell_text

    with pdfplumber.open(str(path)) as pdf:
        page = next(p for p in pdf.pages if "#set" in (p.extract_text() or ""))
        for k, v in TYPST_HOSTILE.items():  # each cell holds exactly the text as typed
            assert re.sub(r"\s+", "", _cell_text(page, v.split()[0])) == re.sub(r"\s+", "", v), k
    assert "root:" not in _text(path)  # nothing was included or read


def test_draft_on_every_page_and_no_dangling_as_at(tracker, tmp_path):
    s = dataclasses.replace(tracker.settings, organisation="", period="")
    reg = dataclasses.replace(tracker, settings=s)
    path = render_appendix(reg, "tracker", "pdf", tmp_path / "d.pdf")
    reader = PdfReader(str(path))
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert "DRAFT - 1 error" in page.extract_text()
    title = reader.metadata.title
    assert "as at" not in title and not title.rstrip().endswith("-") and "  " not in title
    text = _text(path)
    assert "as at\n" not in text and not re.search(r"as at\s*$", text, re.M)
    final = render_appendix(reg, "tracker", "pdf", tmp_path / "f.pdf", draft="")
    assert all("DRAFT" not in p.extract_text() for p in PdfReader(str(final)).pages)


def test_a_broken_typst_template_is_named_and_leaves_an_earlier_file(tracker, tmp_path):
    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "tracker.typ").write_text('#import "base.typ": *\n#let ctx = json("data.json")\n'
                                        "#ctx.doc.no_such_field\n", encoding="utf-8")
    earlier = tmp_path / "a.pdf"
    earlier.write_bytes(b"earlier")
    with pytest.raises(TemplateProblem, match=r"tracker\.typ.*no_such_field"):
        render_appendix(tracker, "tracker", "pdf", earlier, templates_dir=custom)
    assert earlier.read_bytes() == b"earlier"


def test_page_furniture_on_every_page(tracker, tmp_path):
    reader = PdfReader(str(render_appendix(tracker, "tracker", "pdf", tmp_path / "t.pdf")))
    n = len(reader.pages)
    for i, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {i} of {n}" in text
        assert "Cambridgeshire County Council" in text and "October 2017" in text and "£000" in text
        assert "Produced " in text and "Savings Tracker 2017-18" in text


def test_long_words_wrap_inside_the_page(tracker, tmp_path):
    lines = tracker.lines.copy()
    lines.at[lines.index[0], "commentary"] = "ж" * 3000
    reg = dataclasses.replace(tracker, lines=lines)
    import pdfplumber

    with pdfplumber.open(str(render_appendix(reg, "tracker", "pdf", tmp_path / "w.pdf"))) as pdf:
        for page in pdf.pages:
            assert all(ch["x1"] <= page.width and ch["bottom"] <= page.height for ch in page.chars)
        assert sum(1 for p in pdf.pages for ch in p.chars if ch["text"] == "ж") == 3000


def test_weasyprint_is_gone():
    """PDF needs no Pango/WeasyPrint any more: not a dependency, not imported by the package."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    assert "weasyprint" not in (root / "setup.cfg").read_text(encoding="utf-8").lower()
    assert "typst==" in (root / "setup.cfg").read_text(encoding="utf-8")
    for src in (root / "python" / "savings_tracker").rglob("*.py"):
        assert "import weasyprint" not in src.read_text(encoding="utf-8") and \
            "from weasyprint" not in src.read_text(encoding="utf-8"), src
    assert "libpango" not in (root / "scripts" / "bootstrap").read_text(encoding="utf-8")


def test_committee_headings_stay_with_their_first_rows(tracker, tmp_path):
    """A committee's heading never stands alone at the foot of a page: its first line is on the same page."""
    groups = {}
    for ref, committee in zip(tracker.lines["reference"], tracker.lines["committee"]):
        groups.setdefault(committee, ref)
    reader = PdfReader(str(render_appendix(tracker, "tracker", "pdf", tmp_path / "t.pdf")))
    texts = [re.sub(r"\s+", "", p.extract_text()) for p in reader.pages]
    for committee, first_ref in groups.items():
        n = tracker.lines["committee"].tolist().count(committee)
        caption = re.sub(r"\s+", "", f"{committee}: {n} saving line{'s' if n != 1 else ''}")
        page = next(i for i, t in enumerate(texts) if caption in t)
        assert first_ref.replace(" ", "") in texts[page].split(caption, 1)[1], committee


def test_each_body_row_starts_with_its_row_header(tracker, tmp_path):
    """The first cell of each body row (the reference, the committee's total) is a TH with /Scope /Row, and the
    text marked under it is that reference (Typst's wheel tags it TD: documents/pdf_merge.py re-tags it)."""
    import pdfplumber
    import pikepdf

    path = render_appendix(tracker, "tracker", "pdf", tmp_path / "t.pdf")
    with pikepdf.open(path) as pdf, pdfplumber.open(str(path)) as plumb:
        page_of = {p.obj.objgen: n for n, p in enumerate(pdf.pages)}
        chars = {}
        for n, page in enumerate(plumb.pages):
            for ch in page.chars:
                if ch.get("mcid") is not None:
                    chars.setdefault((n, ch["mcid"]), []).append(ch["text"])

        def text(elem, pg=None):
            pg = elem.Pg.objgen if "/Pg" in elem else pg
            out = ""
            k = elem.get("/K")
            for kid in (k if isinstance(k, pikepdf.Array) else [k]):
                if isinstance(kid, int):
                    out += "".join(chars.get((page_of[pg], int(kid)), []))
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    out += text(kid, pg)
            return out

        headers, todo = [], [pdf.Root.StructTreeRoot.K[0]]
        while todo:
            e = todo.pop(0)
            kids = [k for k in (e.K if isinstance(e.get("/K"), pikepdf.Array) else [e.get("/K")])
                    if isinstance(k, pikepdf.Dictionary) and "/S" in k]
            if e.S == "/TBody":
                for row in kids:
                    cells = [c for c in row.K if isinstance(c, pikepdf.Dictionary)]
                    scope = [a.get("/Scope") for a in cells[0].A if a.get("/O") == "/Table"]
                    assert cells[0].S == "/TH" and scope == ["/Row"], cells[0]
                    assert all(c.S == "/TD" for c in cells[1:])
                    headers.append(text(cells[0], None))
            else:
                todo[:0] = kids
    refs = [str(r) for r in tracker.lines["reference"]]
    assert [h for h in headers if h in refs] == refs  # every line, in order, named by its reference
    assert sum(h.startswith("Total ") for h in headers) == len(set(tracker.lines["committee"]))  # committee totals
    assert {"Total", "Red", "Amber", "Green"} <= set(headers)  # the headline totals' row, the RAG key's rows


def test_rag_analysis_group_rows_stay_with_their_first_lines(tmp_path):
    """A programme's row (PSR10 ...) never stands alone at the foot of a page: its first line is on the same page
    (a Typst subheader, repeated over the group's continuation)."""
    from savings_tracker.documents import build_context

    reg = read_register(SAMPLES_DIR / SAMPLES["rag-analysis"])
    groups = [(g["name"], g["lines"][0]["title"]) for g in build_context(reg, "rag-analysis")["groups"] if g["lines"]]
    reader = PdfReader(str(render_appendix(reg, "rag-analysis", "pdf", tmp_path / "r.pdf")))
    texts = [re.sub(r"\s+", "", p.extract_text()) for p in reader.pages]
    for name, first in groups:
        page = next(i for i, t in enumerate(texts) if re.sub(r"\s+", "", name) in t)
        assert re.sub(r"\s+", "", first)[:20] in texts[page], name


def test_every_proforma_page_names_its_option(tmp_path):
    """A proforma whose text runs onto another page is named there too (page 22 of the sample held five lines of
    an option's text and nothing saying whose): the option's heading repeats over its continuation."""
    from savings_tracker.documents import build_context

    reg = read_register(SAMPLES_DIR / SAMPLES["options"])
    headings = [re.sub(r"\s+", "", o["heading"]) for o in build_context(reg, "options")["options"]]
    reader = PdfReader(str(render_appendix(reg, "options", "pdf", tmp_path / "o.pdf")))
    texts = [re.sub(r"\s+", "", p.extract_text()) for p in reader.pages]
    first = next(i for i, t in enumerate(texts) if headings[0] in t)
    for n, text in enumerate(texts[first:], start=first + 1):
        assert any(h in text for h in headings), f"page {n}"
    import pikepdf

    with pikepdf.open(reader.stream.name if hasattr(reader.stream, "name") else tmp_path / "o.pdf") as pdf, \
            pdf.open_outline() as outline:
        titles = [i.title for top in outline.root for i in top.children]
    assert len([t for t in titles if re.sub(r"\s+", "", t) in headings]) == len(headings)  # one bookmark each
