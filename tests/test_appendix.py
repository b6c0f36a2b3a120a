"""Committee appendices: each appendix in each format from the bundled samples, read back and checked against
the published figures (seed 003 header totals, seed 000 computed subtotals), plus accessibility and tagging."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from savings_tracker.documents import SAMPLES, render_appendix
from savings_tracker.documents.demo import SAMPLES_DIR
from savings_tracker.readers import read_register

TRACKER_TOTALS = ["4,023", "-11,603", "-3,109", "-3,201", "-2,625", "-20,538",
                  "-7,168", "-2,832", "-4,483", "-2,173", "-16,656", "3,882"]
# seed 000, computed from the lines: years, total saving, Red, Amber, Green
PSR_GRAND = ["4.573", "15.065", "9.850", "29.122", "2.041", "0.079", "2.611"]
PSR_SUBTOTALS = {
    "PSR1- Most Vulnerable": ["0.275", "0.275", "0.539", "1.089", "-", "0.024", "0.299"],
    "PSR2- Locality Teams and Personalisation": ["1.300", "9.000", "1.700", "12.000", "0.389", "-", "0.911"],
    "PSR4- SEND & Home to School Transport": ["-", "0.808", "0.809", "1.617", "-", "0.055", "0.055"],
    "PSR5- Education Excellence Everywhere": ["0.318", "0.319", "-", "0.637", "-", "-", "0.318"],
    # published 0.781 for 2018/19; the lines add up to 1.147 (footnoted)
    "PSR6- Commercialisation, Traded Services & Income": ["0.720", "1.147", "0.836", "2.337", "0.332", "-", "0.388"],
    "PSR7- Environment": ["0.450", "0.695", "-", "1.145", "-", "-", "0.450"],
    "PSR8- Assets & Property Maximisation": ["0.503", "1.538", "1.259", "3.300", "0.503", "-", "-"],
    "PSR9- ICT and Digital": ["-", "0.300", "3.439", "3.739", "-", "-", "-"],
    "PSR10- Commissioning and Shared Services": ["1.007", "0.983", "1.268", "3.258", "0.817", "-", "0.190"],
}
RAG_WORDS = {"Red", "Amber", "Green"}


@pytest.fixture(scope="session")
def registers():
    return {t: read_register(SAMPLES_DIR / f) for t, f in SAMPLES.items()}


@pytest.fixture(scope="session")
def outputs(registers, tmp_path_factory):
    out = tmp_path_factory.mktemp("appendices")
    return {(t, f): render_appendix(reg, t, f, out / f"{t}.{f}") for t, reg in registers.items()
            for f in ("html", "pdf", "docx")}


# ---- reading outputs back -----------------------------------------------------------------------------------------
class Page(HTMLParser):
    """A small HTML reader: tables as rows of (tag, attrs, text) cells, plus lang, title, captions."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.lang = self.title = ""
        self.captions: list[str] = []
        self.tables: list[list[list[tuple[str, dict, str]]]] = []
        self.ths: list[dict] = []
        self.scripts = 0
        self._stack: list[str] = []
        self._cell = None
        self._buf: list[str] = []
        self._in = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "script":
            self.scripts += 1
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = (tag, a)
            self._buf = []
            if tag == "th":
                self.ths.append(a)
        elif tag in ("title", "caption"):
            self._in, self._buf = tag, []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append((self._cell[0], self._cell[1], "".join(self._buf).strip()))
            self._cell = None
        elif tag == self._in:
            text = "".join(self._buf).strip()
            if tag == "title":
                self.title = self.title or text  # the document title, not an SVG <title>
            else:
                self.captions.append(text)
            self._in = None

    def handle_data(self, data):
        self._buf.append(data)


def html_page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def docx_tables(path: Path):
    from docx import Document

    doc = Document(str(path))
    return doc, [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def pdf_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def row_with(rows, first: str):
    for row in rows:
        cells = [c[2] if isinstance(c, tuple) else c for c in row]
        if cells and cells[0].strip() == first:
            return cells
    raise AssertionError(f"no row starting {first!r}")


# ---- appendix 1: tracker ---------------------------------------------------------------------------------------------
def test_tracker_html_totals_groups_lines_and_a11y(outputs, registers):
    page = html_page(outputs["tracker", "html"])
    assert page.lang == "en-GB"
    assert "Savings Tracker 2017-18 as at October 2017" in page.title
    headline = page.tables[0]
    assert row_with(headline, "Total")[1:] == TRACKER_TOTALS
    assert len(page.captions) == len(page.tables) and all(page.captions)
    assert all(a.get("scope") in ("col", "row", "colgroup", "rowgroup") for a in page.ths)
    reg = registers["tracker"]
    committees = list(dict.fromkeys(reg.lines["committee"]))
    assert [c for c in page.captions[1:]] == [
        f"{c}: {reg.lines['committee'].tolist().count(c)} saving line{'s' if reg.lines['committee'].tolist().count(c) != 1 else ''} (£000)"
        for c in committees]
    body_cells = [row for t in page.tables[1:] for row in t]
    refs = {row[0][2] for row in body_cells if row and row[0][0] == "th"}
    assert set(reg.lines["reference"]) <= refs
    text = outputs["tracker", "html"].read_text(encoding="utf-8")
    for title in reg.lines["title"]:
        assert title.replace("&", "&amp;").replace("'", "&#39;") in text
    rag_cells = [c for row in body_cells for c in row if "rag" in c[1].get("class", "").split()]
    assert len(rag_cells) == len(reg)
    assert {c[2] for c in rag_cells} >= RAG_WORDS
    assert "↓ Worsening" in re.sub(r"<[^>]+>", "", text) and "↔ No change" in re.sub(r"<[^>]+>", "", text)
    # commentary HTML from the register becomes text, never markup
    assert "<p>" not in text and "&lt;p&gt;" not in text
    assert 'role="img"' in text and "<desc" in text


def test_tracker_html_group_totals_add_up(outputs):
    page = html_page(outputs["tracker", "html"])
    totals = [row for t in page.tables[1:] for row in t if row and row[0][2].startswith("Total ")]
    assert len(totals) == 3
    # Original Saving (plan_total) is the 9th column (issue 13: no Committee column inside a committee's table);
    # the committee totals add to the published -20,538
    plan = sum(int(r[8][2].replace(",", "")) for r in totals)
    assert plan == -20538


def test_tracker_pdf_tagged_titled_and_complete(outputs, registers):
    from pypdf import PdfReader

    path = outputs["tracker", "pdf"]
    reader = PdfReader(str(path))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert "Savings Tracker 2017-18 as at October 2017" in reader.metadata.title
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 1191 and round(float(box.height)) == 842  # A3 landscape
    text = pdf_text(path)
    for total in TRACKER_TOTALS:
        assert total in text
    squashed = re.sub(r"\s+", "", text)
    for ref in registers["tracker"].lines["reference"]:
        assert ref in squashed
    assert "Page 1 of" in text and "Cambridgeshire County Council" in text
    assert "Worsening" in text and "↓" in text


def test_tracker_docx(outputs, registers):
    from docx.shared import Mm

    doc, tables = docx_tables(outputs["tracker", "docx"])
    assert row_with(tables[0], "Total")[1:] == TRACKER_TOTALS
    sec = doc.sections[0]
    assert sec.page_width > sec.page_height and abs(sec.page_width - Mm(420)) < Mm(1)
    assert doc.core_properties.title == "Savings Tracker 2017-18 as at October 2017"
    line_tables = tables[2:]
    assert len(line_tables) == 3
    refs = {row[0] for t in line_tables for row in t[1:]}
    assert set(registers["tracker"].lines["reference"]) <= refs
    all_text = "\n".join(c for t in line_tables for row in t for c in row)
    for title in registers["tracker"].lines["title"]:
        assert title in all_text
    assert "↓ Worsening" in all_text
    for t in doc.tables[2:]:
        assert t.rows[0]._tr.xpath("./w:trPr/w:tblHeader"), "header row must repeat"
    pics = doc.element.body.xpath(".//wp:docPr")
    assert pics and pics[0].get("descr").startswith("Bar chart")
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings[-3:] == list(dict.fromkeys(registers["tracker"].lines["committee"]))


def test_tracker_groups_hold_each_line_once_in_register_order(registers):
    import dataclasses

    from savings_tracker.documents import build_context

    lines = registers["tracker"].lines.copy()
    lines.at[lines.index[5], "committee"] = ""  # a line with no committee gets a table of its own
    reg = dataclasses.replace(registers["tracker"], lines=lines)
    groups = build_context(reg, "tracker")["groups"]
    named = [c if c else "(none)" for c in lines["committee"]]
    assert sorted(g["name"] for g in groups) == sorted(set(named))
    for g in groups:
        assert [ln["reference"] for ln in g["lines"]] == [r for r, c in zip(lines["reference"], named) if c == g["name"]]
        assert g["count"] == len(g["lines"])


def test_tracker_one_committee(registers, tmp_path):
    out = render_appendix(registers["tracker"], "tracker", "html", tmp_path / "a.html", committee="c&yp")
    page = html_page(out)
    assert len(page.tables) == 2 and page.captions[1].startswith("C&YP: 33")
    assert "C&YP" in page.title


# ---- appendix 2: RAG analysis --------------------------------------------------------------------------------------
def _strip_marks(text: str) -> str:
    return text.rstrip("*†‡§¶#")


def test_rag_analysis_html_subtotals_and_grouping(outputs, registers):
    page = html_page(outputs["rag-analysis", "html"])
    assert page.lang == "en-GB" and page.title.startswith("Analysis of 2017/18 Public Sector Reform Savings")
    rows = page.tables[0]
    groups = [r[0][2] for r in rows if r and r[0][1].get("scope") == "rowgroup"]
    assert groups == list(PSR_SUBTOTALS)
    for name, expected in PSR_SUBTOTALS.items():
        cells = row_with(rows, f"Subtotal {name}")
        assert [_strip_marks(c) for c in cells[1:8]] == expected, name
    grand = row_with(rows, "Total")
    assert [_strip_marks(c) for c in grand[1:8]] == PSR_GRAND
    assert grand[2].endswith(("*", "†", "‡", "§", "¶"))  # published 14.699 differs: footnoted
    titles = {r[0][2] for r in rows if r and r[0][1].get("scope") == "row"}
    assert set(registers["rag-analysis"].lines["title"]) <= titles
    text = outputs["rag-analysis", "html"].read_text(encoding="utf-8")
    assert "published as 14.699" in text and "published as 0.781" in text
    for word, definition in registers["rag-analysis"].settings.rag_definitions.items():
        assert definition in text


def test_rag_analysis_pdf_and_docx(outputs, registers):
    from pypdf import PdfReader

    reader = PdfReader(str(outputs["rag-analysis", "pdf"]))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.metadata.title.startswith("Analysis of 2017/18 Public Sector Reform Savings")
    text = pdf_text(outputs["rag-analysis", "pdf"])
    for v in PSR_GRAND:
        assert v in text
    doc, tables = docx_tables(outputs["rag-analysis", "docx"])
    rows = tables[1]  # issue 13: the RAG key comes first
    for name, expected in PSR_SUBTOTALS.items():
        assert [_strip_marks(c) for c in row_with(rows, f"Subtotal {name}")[1:8]] == expected
    assert [_strip_marks(c) for c in row_with(rows, "Total")[1:8]] == PSR_GRAND
    titles = {r[0] for r in rows}
    assert set(registers["rag-analysis"].lines["title"]) <= titles
    assert doc.tables[1].rows[0]._tr.xpath("./w:trPr/w:tblHeader")


# ---- appendix 3: option proformas ------------------------------------------------------------------------------------
def test_options_all_formats(outputs, registers):
    from pypdf import PdfReader

    reg = registers["options"]
    page = html_page(outputs["options", "html"])
    assert page.lang == "en-GB"
    text = outputs["options", "html"].read_text(encoding="utf-8")
    assert text.count('<section class="option"') == len(reg)
    # issue 13: no doubled units ("Gross Budget £m | £0.083m"): the label carries the unit
    assert "CYP002 – FAMILY INFORMATION SERVICE" in text and ">63.377<" in text and "£63.377m" not in text
    first = page.tables[2]  # issue 13: the options summary comes first
    assert [c[2] for c in first[0]] == ["Saving 2018/19 £m", "Saving 2019/20 £m", "Saving 2020/21 £m", "Saving Total £m"]
    assert [c[2] for c in first[1]] == ["-0.040", "0.000", "0.000", "-0.040"]
    pdf = PdfReader(str(outputs["options", "pdf"]))
    assert len(pdf.pages) >= len(reg)
    starts = [p.extract_text() for p in pdf.pages]
    squashed = re.sub(r"\s+", "", "\n".join(starts))
    for ref in reg.lines["reference"]:
        assert ref in squashed
    doc, tables = docx_tables(outputs["options", "docx"])
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings[0] == "Summary of options (£m)"  # issue 13: the options summary first
    headings = headings[1:]
    assert headings[0] == "CYP002 – FAMILY INFORMATION SERVICE" and len(headings) == len(reg)
    assert sum(1 for p in doc.paragraphs if 'w:type="page"' in p._p.xml) == len(reg)  # and a page after it
    assert tables[0][-1][-2] == "-41.708"
    assert tables[2] == [["Saving 2018/19 £m", "Saving 2019/20 £m", "Saving 2020/21 £m", "Saving Total £m"],
                         ["-0.040", "0.000", "0.000", "-0.040"]]
