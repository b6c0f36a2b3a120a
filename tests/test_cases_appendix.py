"""The business-case appendices (programme summary, a proforma per workstream) from the bundled seed-001 sample,
in HTML, PDF and Word, read back and checked against the paper's figures, with the accessibility checks the
other appendices pass (language, title, captions, header scopes, tagged PDF, repeated Word header rows)."""
from __future__ import annotations

import re

import pytest

from savings_tracker import samples
from savings_tracker.documents import render_appendix
from savings_tracker.readers import read_register
from test_appendix import docx_tables, html_page, pdf_text, row_with

SECTIONS = {"A": ["550", "539", "1,089"], "B": ["9,000", "3,000", "12,000"], "C": ["0", "0", "0"],
            "D": ["1,617", "0", "1,617"], "E": ["637", "0", "637"], "F": ["56", "2,281", "2,337"],
            "G": ["250", "895", "1,145"], "H": ["3,300", "0", "3,300"], "I": ["3,739", "0", "3,739"],
            "J": ["3,258", "0", "3,258"]}
TOTALS = ["22,407", "6,715", "29,122"]


@pytest.fixture(scope="module")
def reg():
    return read_register(samples.path("cases"))


@pytest.fixture(scope="module")
def outputs(reg, tmp_path_factory):
    out = tmp_path_factory.mktemp("cases-appendices")
    return {(t, f): render_appendix(reg, t, f, out / f"{t}.{f}")
            for t in ("programme-summary", "business-cases") for f in ("html", "pdf", "docx")}


def _a11y(page):
    assert page.lang == "en-GB" and page.scripts == 0
    assert len(page.captions) == len(page.tables) and all(page.captions)
    assert all(a.get("scope") in ("col", "row", "colgroup", "rowgroup") for a in page.ths)


def test_programme_summary_html(outputs, reg):
    page = html_page(outputs["programme-summary", "html"])
    _a11y(page)
    assert page.title == "Framework for Change - Public Sector Reform Projects: programme summary - Sefton Council"
    first = page.tables[0]
    for letter, figures in SECTIONS.items():
        assert row_with(first, letter)[2:] == figures
    assert row_with(first, "Total")[1:] == TOTALS
    assert len(page.tables) == 11          # the summary, then one table per section
    f = page.tables[6]
    assert row_with(f, "Total Section F")[1:] == SECTIONS["F"]
    assert "0*" in [c[2] for row in f for c in row]          # the footnote mark on Building Control, kept
    text = outputs["programme-summary", "html"].read_text(encoding="utf-8")
    assert "£183k one off contribution" in text
    d = page.tables[4]
    assert row_with(d, "Subtotal SEND")[1:] == ["887", "0", "887"]
    for w in reg.lines["workstream"]:
        assert w.replace("&", "&amp;") in text


def test_business_cases_html(outputs, reg):
    page = html_page(outputs["business-cases", "html"])
    _a11y(page)
    text = outputs["business-cases", "html"].read_text(encoding="utf-8")
    assert text.count('<section class="option case"') == len(reg) == 29
    assert "Section F – Creating New and Improving Revenue Streams – Catering" in text
    plain = re.sub(r"<[^>]+>", "", text)
    assert "4-5 (read as 4 to 5)" in plain and "18 to 28" in plain
    assert "Generate additional surpluses via non Direct Service Grant" in plain
    assert "Not stated" in plain                      # e.g. the consultation types the paper's text does not carry
    facts = page.tables[1]
    assert [r[0][2] for r in facts] == ["Programme number", "Section name", "Consultation type",
                                        "Equality impact assessment required", "Staff in scope",
                                        "Vacancies deleted", "Redundancies"]


def test_pdfs_tagged_titled_and_complete(outputs, reg):
    from pypdf import PdfReader

    for name in ("programme-summary", "business-cases"):
        r = PdfReader(str(outputs[name, "pdf"]))
        root = r.trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
        assert r.metadata.title.startswith("Framework for Change - Public Sector Reform Projects")
    text = pdf_text(outputs["programme-summary", "pdf"])
    for figure in [*TOTALS, *(v for fs in SECTIONS.values() for v in fs)]:
        assert figure in text
    cases = pdf_text(outputs["business-cases", "pdf"])
    squashed = re.sub(r"\s+", "", cases)
    for w in reg.lines["workstream"]:
        assert re.sub(r"\s+", "", w) in squashed


def test_word_documents(outputs, reg):
    doc, tables = docx_tables(outputs["programme-summary", "docx"])
    assert doc.core_properties.title == "Framework for Change - Public Sector Reform Projects: programme summary"
    for letter, figures in SECTIONS.items():
        assert row_with(tables[0], letter)[2:] == figures
    assert row_with(tables[0], "Total")[2:] == TOTALS
    assert len(tables) == 11
    assert row_with(tables[6], "Total Section F")[2:] == SECTIONS["F"]
    assert [r[1] for r in tables[6]][1:4] == ["Commercial Culture", "Sefton Arc", "Commercial Fleet Management"]
    assert any(r[4] == "0*" for r in tables[6])
    for t in doc.tables:
        assert t.rows[0]._tr.xpath("./w:trPr/w:tblHeader"), "header row must repeat"
        assert t._tbl.tblPr.xpath("./w:tblCaption")
    assert any("£183k one off contribution" in p.text for p in doc.paragraphs)
    doc, tables = docx_tables(outputs["business-cases", "docx"])
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert len(headings) == 29 and headings[0] == "Section A – Most Vulnerable – Looked After Children Reform Programme"
    assert tables[0] == [["Budget Planning Assumption £000", "0"], ["Forecast Saving £000", "539"],
                         ["Total £000", "539"]]
    assert sum(1 for p in doc.paragraphs if 'w:type="page"' in p._p.xml) == 28


def test_the_appendix_needs_a_business_case_register():
    from savings_tracker.documents import build_context
    from savings_tracker.errors import SavingsTrackerError

    with pytest.raises(SavingsTrackerError, match="cases layout"):
        build_context(read_register(samples.path("tracker")), "programme-summary")
