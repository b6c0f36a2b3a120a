"""Layouts a committee clerk would publish (issue 13): printed columns and widths as settings, headers that
wrap between words, the RAG key first, one sign rule per document, labelled chart axes, the options summary."""
from __future__ import annotations

import dataclasses
import re

import pytest

from savings_tracker.documents import SAMPLES, build_context, render_appendix
from savings_tracker.documents.demo import SAMPLES_DIR
from savings_tracker.errors import SettingsError
from savings_tracker.readers import read_register
from savings_tracker.core.settings import Settings


@pytest.fixture(scope="module")
def regs():
    return {t: read_register(SAMPLES_DIR / f) for t, f in SAMPLES.items()}


def _with(reg, **settings):
    return dataclasses.replace(reg, settings=dataclasses.replace(reg.settings, **settings))


def _pdf_text(path) -> str:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def test_tracker_prints_no_internal_columns(regs, tmp_path):
    keys = [c["key"] for c in build_context(regs["tracker"], "tracker")["columns"]]
    assert "suggested_rag" not in keys and "committee" not in keys
    assert keys[:3] == ["reference", "title", "description"] and "rag" in keys and "partners" in keys
    one = [c["key"] for c in build_context(regs["tracker"], "tracker", committee="C&YP")["columns"]]
    assert "partners" not in one  # every C&YP line has "0" there
    for fmt in ("html", "pdf"):
        text = render_appendix(regs["tracker"], "tracker", fmt, tmp_path / f"t.{fmt}")
        body = text.read_text(encoding="utf-8") if fmt == "html" else _pdf_text(text)
        assert "Suggested RAG" not in body
    from docx import Document

    doc = Document(str(render_appendix(regs["tracker"], "tracker", "docx", tmp_path / "t.docx")))
    heads = [c.text for c in doc.tables[-1].rows[0].cells]
    assert "Suggested RAG" not in heads and "Committee" not in heads


def test_columns_and_widths_are_settings(regs, tmp_path):
    reg = _with(regs["tracker"], appendix_columns={"tracker": ["title", "plan_total", "forecast_total", "rag"]},
                column_widths={"title": 50})
    cols = build_context(reg, "tracker")["columns"]
    assert [c["key"] for c in cols] == ["reference", "title", "plan_total", "forecast_total", "rag"]
    assert cols[1]["weight"] == 50
    page = render_appendix(reg, "tracker", "html", tmp_path / "c.html").read_text(encoding="utf-8")
    assert "Description" not in page.split("<h2>", 3)[-1]
    with pytest.raises(SettingsError, match="appendix_columns.*'colour'"):
        build_context(_with(regs["tracker"], appendix_columns={"tracker": ["colour"]}), "tracker")
    # through the Settings sheet / sidecar: JSON text, and only written there when set
    s = Settings.from_mapping({"appendix_columns": '{"tracker": ["title"]}', "display_sign": "savings positive"})
    assert s.appendix_columns == {"tracker": ["title"]}
    assert "appendix_columns" not in {r[0] for r in Settings().to_rows()}
    assert {"appendix_columns", "display_sign"} <= {r[0] for r in s.to_rows()}
    with pytest.raises(SettingsError, match="display_sign"):
        Settings(display_sign="upside down")


def test_pdf_headers_wrap_between_words_never_inside(regs, tmp_path):
    import pdfplumber

    path = render_appendix(regs["tracker"], "tracker", "pdf", tmp_path / "t.pdf")
    cols = build_context(regs["tracker"], "tracker")["columns"]
    with pdfplumber.open(str(path)) as pdf:
        page = next(p for p in pdf.pages if "Reference" in (p.extract_text() or ""))
        words = {w["text"] for w in page.extract_words()}
    for c in cols:
        for word in c["header"].split():
            assert word in words, (c["header"], word)  # "Investment", never "Investme" + "nt"
    assert "Investme" not in words and "Referenc" not in words


def test_rag_key_before_the_first_table(regs, tmp_path):
    for name in ("tracker", "rag-analysis"):
        html = render_appendix(regs[name], name, "html", tmp_path / f"{name}.html").read_text(encoding="utf-8")
        first_lines_table = html.index('<table class="tracker-table">' if name == "tracker" else '<table class="rag-analysis">')
        assert html.index("RAG key") < first_lines_table, name
        text = _pdf_text(render_appendix(regs[name], name, "pdf", tmp_path / f"{name}.pdf"))
        first_table = text.index("Subtotal" if name == "rag-analysis" else "saving line")
        assert text.index("RAG key") < first_table, name


def test_rag_analysis_wording(regs, tmp_path):
    ctx = build_context(regs["rag-analysis"], "rag-analysis")
    notes = [f["text"] for f in ctx["footnotes"]]
    assert not any("published as -" in n or "as -;" in n for n in notes)
    assert any("published as nil (a dash), but its phasing adds up to 0.366" in n for n in notes)
    assert "at this rag" not in ctx["chart"]["alt"].lower() and "by RAG status" in ctx["chart"]["alt"]
    for fmt in ("html", "pdf"):
        out = render_appendix(regs["rag-analysis"], "rag-analysis", fmt, tmp_path / f"r.{fmt}")
        body = out.read_text(encoding="utf-8") if fmt == "html" else _pdf_text(out)
        assert "as -;" not in body and "at this rag" not in body.lower()


def test_one_sign_rule_in_tables_and_chart(regs, tmp_path):
    stored = build_context(regs["tracker"], "tracker")
    assert stored["totals"]["plan_total"] == "-20,538"
    assert "Green: planned saving -13,421" in stored["chart"]["alt"]  # the chart follows the tables
    assert stored["doc"]["sign_note"] == "Savings are shown as negative figures, as in the register."
    positive = build_context(_with(regs["tracker"], display_sign="savings positive"), "tracker")
    assert positive["totals"]["plan_total"] == "20,538"
    assert positive["headline"]["planned"][-1]["text"] == "20,538"
    first = positive["groups"][1]["lines"][0]
    assert first["plan_total"] == "395" and "Green: planned saving 13,421" in positive["chart"]["alt"]
    assert positive["doc"]["sign_note"] == "Savings are shown as positive figures."
    text = _pdf_text(render_appendix(_with(regs["tracker"], display_sign="savings positive"), "tracker", "pdf",
                                     tmp_path / "p.pdf"))
    assert "20,538" in text and "-20,538" not in text and "Savings are shown as positive figures." in text
    opts = build_context(_with(regs["options"], display_sign="savings positive"), "options")
    assert opts["summary"]["totals"]["saving_total"] == "41.708"


def test_chart_has_a_labelled_value_axis_and_text_alternative(regs):
    from savings_tracker.documents import charts

    ctx = build_context(regs["tracker"], "tracker")
    svg = str(charts.svg(ctx["chart"]))
    assert ">£000</text>" in svg and "-15,000" in svg and ">0</text>" in svg  # axis title and ticks
    assert "<desc" in svg and ctx["chart"]["alt"].startswith("Bar chart, Planned and forecast saving by the line's RAG")
    lo, hi, marks = charts.ticks(ctx["chart"])
    assert lo <= -13864 and hi >= 0 and 0.0 in marks


def test_options_summary_first_with_programme_totals_and_no_doubled_units(regs, tmp_path):
    ctx = build_context(regs["options"], "options")
    sm = ctx["summary"]
    assert len(sm["rows"]) == len(regs["options"])
    assert sm["totals"]["saving_total"] == "-41.708"
    assert [c["key"] for c in sm["columns"]][-2:] == ["saving_total", "fte_total"]
    assert ctx["options"][0]["gross_budget"] == "0.083" and "£m" in ctx["labels"]["gross_budget"]
    html = render_appendix(regs["options"], "options", "html", tmp_path / "o.html").read_text(encoding="utf-8")
    assert html.index("Summary of options") < html.index('<section class="option"')
    assert "-41.708" in html and not re.search(r"£m</th><td[^>]*>-?£", html)
    text = _pdf_text(render_appendix(regs["options"], "options", "pdf", tmp_path / "o.pdf"))
    assert text.index("Summary of options") < text.index("CYP002 – FAMILY INFORMATION SERVICE\n")
    assert "-41.708" in text and "£0.083m" not in text


def test_word_documents_have_title_language_and_repeating_headers(regs, tmp_path):
    from docx import Document

    for name, reg in regs.items():
        doc = Document(str(render_appendix(reg, name, "docx", tmp_path / f"{name}.docx")))
        assert doc.core_properties.title and "{{" not in doc.core_properties.title
        assert doc.core_properties.language == "en-GB"
        assert doc.styles["Normal"].element.xpath(".//w:lang/@w:val") == ["en-GB"]
        assert any(t.rows[0]._tr.xpath("./w:trPr/w:tblHeader") for t in doc.tables)


def test_long_text_shortened_with_the_full_text_in_an_annex_when_a_setting_says_so(regs, tmp_path):
    full = build_context(regs["tracker"], "tracker")
    assert full["annex"] == []  # by default text wraps in full
    reg = _with(regs["tracker"], text_limit=120)
    ctx = build_context(reg, "tracker")
    annex = ctx["annex"]
    assert annex and all(len(a["text"]) > 120 for a in annex)
    first = next(ln for g in ctx["groups"] for ln in g["lines"] if ln["reference"] == annex[0]["reference"])
    cell = next(c for c in first["cells"] if c["text"].endswith("(in full: annex note 1)"))
    shown = cell["text"].split(" … ")[0]
    assert len(shown) <= 120 and annex[0]["text"].startswith(shown) and annex[0]["text"][len(shown)] in " ,;:."
    for fmt in ("html", "pdf", "docx"):
        out = render_appendix(reg, "tracker", fmt, tmp_path / f"a.{fmt}")
        if fmt == "html":
            body = out.read_text(encoding="utf-8")
        elif fmt == "pdf":
            body = _pdf_text(out)
        else:
            from docx import Document

            body = "\n".join(c.text for t in Document(str(out)).tables for r in t.rows for c in r.cells)
        assert "Annex: text in full" in body or fmt == "docx"
        assert "annex note 1" in body
    with pytest.raises(SettingsError, match="text_limit"):
        Settings(text_limit="long")


def test_word_tracker_follows_appendix_columns_and_column_widths(regs, tmp_path):
    """The Word tracker prints the columns the Settings choose, in their order, with widths in proportion to
    column_widths (as HTML and PDF): every committee's table, header and every line (streamed rows included)."""
    from docx import Document

    keys = ["title", "investment", "plan_total", "rag", "commentary"]
    reg = _with(regs["tracker"], appendix_columns={"tracker": keys}, column_widths={"commentary": 60, "title": 20,
                                                                                   "investment": 1})
    ctx = build_context(reg, "tracker")
    cols = ctx["columns"]
    rag_of = {line["reference"]: line["rag"] for g in ctx["groups"] for line in g["lines"]}
    doc = Document(str(render_appendix(reg, "tracker", "docx", tmp_path / "c.docx")))
    tables = [t for t in doc.tables if t.rows[0].cells[0].text == "Reference"]
    assert len(tables) == len(set(reg.lines["committee"]))
    lines = 0
    for table in tables:
        assert [c.text for c in table.rows[0].cells] == [c["header"] for c in cols]
        grid = [int(g.get(f"{W}w")) for g in table._tbl.find(f"{W}tblGrid")]
        assert len(grid) == len(cols)
        for width, c in zip(grid, cols):  # room for the longest header word in 6 pt bold (0.6 em a letter) and
            word = max(c["header"].split(), key=len)  # the cell margins: headers wrap between words only
            assert width >= len(word) * 6 * 20 * 0.6 + 216, (c["header"], width)
        # shares by weight: commentary 60, title 20, the figures 10 each (investment 1: its header word's width)
        assert grid[-1] == pytest.approx(3 * grid[1], rel=0.02) and grid[1] == pytest.approx(2 * grid[3], rel=0.02)
        for row in table.rows[1:]:
            widths = [int(tc.tcPr.find(f"{W}tcW").get(f"{W}w")) for tc in row._tr.findall(f"{W}tc")]
            assert widths == grid or len(widths) < len(grid)   # every row as its grid (a merged row aside)
        body = [r for r in table.rows[1:] if not r.cells[0].text.startswith("Total")]
        lines += len(body)
        for row in body:
            assert row.cells[4].text == rag_of[row.cells[0].text]  # the RAG column, where it was chosen
    assert lines == len(reg)


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
