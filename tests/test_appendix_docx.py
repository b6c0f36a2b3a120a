"""Word appendices: streamed table rows give the same document as docxtpl's own render, year columns follow the
register, header rows repeat and rows never split across pages, LibreOffice opens the result, and the committed
.docx templates are what scripts/make_docx_templates.py makes."""
from __future__ import annotations

import csv
import dataclasses
import importlib.util
import json
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from savings_tracker.documents import SAMPLES, build_context, builtin_templates_dir, render_appendix
from savings_tracker.documents.demo import SAMPLES_DIR
from savings_tracker.documents.docx import write as render_docx
from savings_tracker.readers import read_register

ROOT = Path(__file__).resolve().parents[1]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def registers():
    regs = {t: read_register(SAMPLES_DIR / f) for t, f in SAMPLES.items()}
    # text that docxtpl turns into Word markup (line breaks, tabs) and characters XML must escape, in streamed rows
    lines = regs["tracker"].lines.copy()
    lines.at[lines.index[0], "commentary"] = "First line\nSecond line\twith a tab & <angle> \"quotes\" 'too'"
    lines.at[lines.index[1], "title"] = "{{ not a field }} {_{ kept }_}"
    regs["tracker-text"] = dataclasses.replace(regs["tracker"], lines=lines)
    return regs


def _canonical(path: Path) -> dict[str, bytes]:
    """Every part of the package; XML parts parsed and canonicalised (entity spelling does not count)."""
    parts = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            data = z.read(name)
            parts[name] = etree.tostring(etree.fromstring(data), method="c14n") if name.endswith((".xml", ".rels")) \
                else data
    return parts


# ---- streamed rows ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["tracker", "tracker-text", "rag-analysis", "options"])
def test_streamed_rows_give_the_same_document_as_one_render(registers, name, tmp_path):
    template = name.split("-text")[0]
    ctx = build_context(registers[name], template)
    streamed = render_docx(ctx, template, tmp_path / "streamed.docx")
    whole = render_docx(ctx, template, tmp_path / "whole.docx", stream_rows=False)
    a, b = _canonical(streamed), _canonical(whole)
    assert a.keys() == b.keys()
    for part in a:
        assert a[part] == b[part], part


def test_streamed_tracker_reads_back_every_line_and_total(registers, tmp_path):
    reg = registers["tracker-text"]
    doc = Document(str(render_appendix(reg, "tracker", "docx", tmp_path / "t.docx")))
    html = render_appendix(reg, "tracker", "html", tmp_path / "t.html").read_text(encoding="utf-8")
    line_tables = doc.tables[2:]
    rows = [[c.text for c in r.cells] for t in line_tables for r in t.rows[1:]]
    totals = [r for r in rows if r[0].startswith("Total ")]
    assert len(rows) - len(totals) == len(reg) and len(totals) == len(line_tables)
    assert [r[0] for r in rows if not r[0].startswith("Total ")] == list(reg.lines["reference"])
    for total in totals:  # every committee total, as the HTML appendix shows it
        assert all(f">{cell}<" in html for cell in total[4:16] if cell)
    first = next(r for r in rows if r[0] == reg.lines["reference"][0])
    assert "First line\nSecond line\twith a tab & <angle> \"quotes\" 'too'" in first
    second = next(r for r in rows if r[0] == reg.lines["reference"][1])
    assert "{{ not a field }} {{ kept }}" in second  # docxtpl's own {_{ escape, as in the one-render path


def test_libreoffice_opens_the_streamed_tracker(registers, tmp_path):
    import pdfplumber

    from savings_tracker import libreoffice as lo

    docx = render_appendix(registers["tracker"], "tracker", "docx", tmp_path / "tracker.docx")
    pdf = lo.convert(docx, "pdf", tmp_path / "lo")
    with pdfplumber.open(str(pdf)) as doc:
        text = re.sub(r"\s+", "", "\n".join(p.extract_text() or "" for p in doc.pages))
    reg = registers["tracker"]
    assert "-20,538" in text and all(ref in text for ref in reg.lines["reference"])
    totals = [[c.text for c in r.cells] for t in Document(str(docx)).tables[2:] for r in t.rows
              if r.cells[0].text.startswith("Total ")]
    assert len(totals) == 3 and all("".join(row[4:16]) in text for row in totals)  # each committee's figures


# ---- year columns ----------------------------------------------------------------------------------------------------
ALL_YEARS = ["2017/18", "2018/19", "2019/20", "2020/21", "2021/22", "2022/23"]


def _programme(tmp: Path, years: int):
    """The seed 000 programme with ``years`` phasing columns (the fourth year, where asked for, is 0.100)."""
    src = SAMPLES_DIR / SAMPLES["rag-analysis"]
    rows = list(csv.reader(src.open(encoding="utf-8")))
    out = []
    for n, row in enumerate(rows):
        extra = [f"{y} £'m" for y in ALL_YEARS[3:]] if n == 0 else ["0.100" if row[1] or row[4] else ""] * 3
        out.append([row[0], *(row[1:4] + extra)[:years], *row[4:]])
    return _write(tmp / f"programme{years}.csv", out, src, ALL_YEARS[:years])


def _options(tmp: Path, years: int):
    """The seed 002 options with ``years`` saving and FTE columns."""
    src = SAMPLES_DIR / SAMPLES["options"]
    rows = list(csv.reader(src.open(encoding="utf-8")))
    s, f = rows[0].index("Saving 2018/19 £m"), rows[0].index("FTE 2018/19")
    out = []
    for n, row in enumerate(rows):
        save = row[s:s + 3] + ([f"Saving {y} £m" for y in ALL_YEARS[4:]] if n == 0 else ["0.000"] * 2)
        fte = row[f:f + 3] + ([f"FTE {y}" for y in ALL_YEARS[4:]] if n == 0 else ["0.00"] * 2)
        out.append(row[:s] + save[:years] + [row[s + 3]] + fte[:years] + row[f + 3:])
    return _write(tmp / f"options{years}.csv", out, src, ALL_YEARS[1:years + 1])


def _write(path: Path, rows, src: Path, years: list[str]):
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    settings = json.loads(src.with_name(src.stem + ".settings.json").read_text(encoding="utf-8"))
    path.with_name(path.stem + ".settings.json").write_text(json.dumps({**settings, "years": years}), encoding="utf-8")
    reg = read_register(path)
    assert reg.years == len(years)
    return reg


def _grid(table) -> list[int]:
    return [int(c.get(f"{W}w")) for c in table._tbl.find(f"{W}tblGrid")]


def _cell_widths(row) -> list[int]:
    return [int(tc.find(f"{W}tcPr/{W}tcW").get(f"{W}w")) for tc in row._tr.findall(f"{W}tc")]


@pytest.mark.parametrize("years", [2, 4])
def test_rag_analysis_word_columns_follow_the_register_years(tmp_path, years):
    reg = _programme(tmp_path, years)
    doc = Document(str(render_appendix(reg, "rag-analysis", "docx", tmp_path / "r.docx")))
    table = doc.tables[1]  # after the RAG key
    heads = [c.text for c in table.rows[1].cells]
    assert heads == ["Project", *(f"{y} £m" for y in ALL_YEARS[:years]), "Total Saving £m", "Red £m", "Amber £m",
                     "Green £m", "Comments"]
    assert [c.text for c in table.rows[0].cells][1:years + 1] == ["Project Phasing"] * years
    # the Word table has the HTML table's columns
    html = render_appendix(reg, "rag-analysis", "html", tmp_path / "r.html").read_text(encoding="utf-8")
    assert all(f">{h}</th>" in html for h in heads)
    line = next(r for r in table.rows if r.cells[0].text == "Looked After Children Reform Programme")
    assert [c.text for c in line.cells][1:years + 1] == ["-", "-", "0.539", "0.100"][:years]
    # one grid column per column, the template's width shared out, and cells as wide as their columns
    grid = _grid(table)
    assert len(grid) == years + 6 and abs(sum(grid) - sum(_grid(_template_table("rag-analysis", 1)))) <= len(grid)
    for row in (table.rows[1], line):
        assert _cell_widths(row) == grid
    assert len({w for w in grid[1:years + 1]}) == 1  # the years share the width equally


def _template_table(name: str, index: int):
    return Document(str(builtin_templates_dir() / f"{name}.docx")).tables[index]


@pytest.mark.parametrize("years", [2, 4])
def test_options_word_columns_follow_the_register_years(tmp_path, years):
    reg = _options(tmp_path, years)
    doc = Document(str(render_appendix(reg, "options", "docx", tmp_path / "o.docx")))
    saving, fte = doc.tables[2], doc.tables[3]  # after the options summary (issue 13) and the first option's fields
    labels = ALL_YEARS[1:years + 1]
    assert [c.text for c in saving.rows[0].cells] == [*(f"Saving {y} £m" for y in labels), "Saving Total £m"]
    assert [c.text for c in saving.rows[1].cells] == ["-0.040", *["0.000"] * (years - 1), "-0.040"]
    assert [c.text for c in fte.rows[0].cells] == [*(f"FTE {y}" for y in labels), "FTE Total"]
    for table in (saving, fte):
        grid = _grid(table)
        assert len(grid) == years + 1 and len(set(grid)) == 1
        assert abs(sum(grid) - sum(_grid(_template_table("options", 2)))) <= len(grid)


# ---- header rows and rows kept whole ---------------------------------------------------------------------------------
HEADER_ROWS = {  # per template, how many header rows each table starts with, in document order (options: per option)
    "tracker": [2, 0, 1, 1, 1],
    "rag-analysis": [0, 2],  # issue 13: the RAG key before the first table
    "options": [0, 1, 1],
}


@pytest.mark.parametrize("name", ["tracker", "rag-analysis", "options"])
def test_word_header_rows_repeat_and_rows_do_not_split(registers, name, tmp_path):
    doc = Document(str(render_appendix(registers[name], name, "docx", tmp_path / f"{name}.docx")))
    expected = HEADER_ROWS[name]
    if name == "options":
        expected = [1] + expected * len(registers[name])  # issue 13: the options summary first
    assert len(doc.tables) == len(expected)
    for table, heads in zip(doc.tables, expected):
        flags = [(bool(r._tr.xpath("./w:trPr/w:tblHeader")), bool(r._tr.xpath("./w:trPr/w:cantSplit")))
                 for r in table.rows]
        assert [h for h, _ in flags] == [True] * heads + [False] * (len(flags) - heads)
        assert all(keep for _, keep in flags)


def test_word_cell_properties_are_in_schema_order(registers, tmp_path):
    """Word rejects a w:tcPr whose children are out of order (docxtpl's cellbg puts w:shd first)."""
    from savings_tracker.documents.docx_tables import TCPR_ORDER

    for name in ("tracker", "rag-analysis"):
        doc = Document(str(render_appendix(registers[name], name, "docx", tmp_path / f"{name}.docx")))
        for tcpr in doc.element.body.iter(f"{W}tcPr"):
            ranks = [TCPR_ORDER.index(etree.QName(el).localname) for el in tcpr]
            assert ranks == sorted(ranks)


# ---- the committed templates ------------------------------------------------------------------------------------------
def test_committed_word_templates_are_what_the_script_makes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_docx_templates", ROOT / "scripts" / "make_docx_templates.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main(["--out", str(tmp_path)]) == 0
    for name in ("tracker", "rag-analysis", "options", "partnership", "programme-summary", "business-cases"):
        made, committed = _canonical(tmp_path / f"{name}.docx"), _canonical(ROOT / "templates" / f"{name}.docx")
        # what the script writes: the body and footer (styles and properties start from python-docx's own)
        parts = [p for p in made if re.fullmatch(r"word/(document|footer\d*|header\d*)\.xml", p)]
        assert "word/document.xml" in parts
        for part in parts:
            assert made[part] == committed.get(part), f"{name}.docx {part}: run scripts/make_docx_templates.py"


def test_missing_field_in_streamed_rows_is_a_template_problem(registers, tmp_path):
    from savings_tracker.errors import TemplateProblem

    d = tmp_path / "word"
    d.mkdir()
    doc = Document()
    table = doc.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "{%tr for line in groups[0].lines %}"
    table.cell(1, 0).text = "{{ line.reference }}"
    table.cell(1, 1).text = "{{ line.no_such_field }}"
    table.cell(2, 0).merge(table.cell(2, 1)).text = "{%tr endfor %}"
    doc.save(str(d / "tracker.docx"))
    earlier = tmp_path / "x.docx"
    earlier.write_bytes(b"an earlier appendix")
    with pytest.raises(TemplateProblem) as err:
        render_appendix(registers["tracker"], "tracker", "docx", earlier, templates_dir=d)
    assert "tracker.docx" in str(err.value) and "table 1 row 2 cell 2" in str(err.value)
    assert "no_such_field" in str(err.value)
    assert earlier.read_bytes() == b"an earlier appendix"  # written whole or not at all
    assert {p.name for p in tmp_path.iterdir()} == {"word", "x.docx"}  # no scratch files left behind


def test_pictures_in_streamed_rows_belong_to_the_body(registers, tmp_path):
    """A picture rendered inside a row loop: its part is related from the body and each has its own id."""
    d = tmp_path / "word"
    d.mkdir()
    doc = Document()
    doc.add_paragraph("{{ chart.image }}")
    table = doc.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "{%tr for r in rag_legend %}"
    table.cell(1, 0).text = "{{ r.rag }}"
    table.cell(1, 1).text = "{{ chart.image }}"
    table.cell(2, 0).merge(table.cell(2, 1)).text = "{%tr endfor %}"
    doc.sections[0].footer.paragraphs[0].text = "{{ doc.footer }}"
    doc.save(str(d / "tracker.docx"))
    out = Document(str(render_appendix(registers["tracker"], "tracker", "docx", tmp_path / "p.docx", templates_dir=d)))
    body = out.element.body
    ids = [el.get("id") for el in body.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert len(ids) == 1 + 3 and len(set(ids)) == len(ids)
    embeds = [el.get(f"{{{R}}}embed") for el in body.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip")]
    assert len(embeds) == 4 and all(out.part.rels[e].reltype.endswith("/image") for e in embeds)


R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# ---- quick cells (docx_cells) -------------------------------------------------------------------------------------
def test_the_tracker_line_rows_are_filled_in_quickly_and_other_cell_loops_left_to_jinja():
    from jinja2.sandbox import SandboxedEnvironment

    from savings_tracker.documents.docx_cells import QuickRows

    env = SandboxedEnvironment(autoescape=True)
    cell = ('<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="100"/><w:shd w:fill="{{ c.fill }}"/></w:tcPr>%s</w:tc>')
    loop = ('{%% for line in group.lines %%}<w:tr><w:trPr/>{%% for c in line.cells %%}' + cell
            + '{%% endfor %%}</w:tr>{%% endfor %%}')
    quick = QuickRows.of(loop % "<w:p><w:r><w:t>{{ c.text }}</w:t></w:r></w:p>", env)
    assert quick is not None
    group = {"lines": [{"cells": [{"text": "A & <b>", "fill": "FF0000"}, {"text": "2", "fill": ""}]}] * 2}
    rows = "".join(row for batch in quick.rows({"group": group}, [300, 500]) for row in batch)
    assert rows.count("<w:tr>") == 2 and rows.count("A &amp; &lt;b&gt;") == 2
    assert rows.count('w:w="300"') == 2 and rows.count('w:w="500"') == 2 and 'w:fill="FF0000"' in rows
    # a cell whose output depends on its text otherwise, or on another name, is rendered by Jinja
    for other in ("{% if c.text %}<w:p/>{% endif %}", "{{ c.text|upper }}", "{{ line.x }}", "{{ loop.index }}",
                  "{{ c['text'] }}", "{{ c.items() }}"):
        assert QuickRows.of(loop % other, env) is None, other


def test_the_built_in_tracker_takes_the_quick_rows(registers, tmp_path, monkeypatch):
    from savings_tracker.documents import docx_cells

    taken = []
    original = docx_cells.QuickRows.rows
    monkeypatch.setattr(docx_cells.QuickRows, "rows", lambda self, *a: taken.append(1) or original(self, *a))
    render_appendix(registers["tracker"], "tracker", "docx", tmp_path / "t.docx")
    assert len(taken) == 3  # one run of rows per committee


def test_page_number_has_a_line_of_its_own_in_every_word_template(tmp_path):
    """A long footer ran into the right tab stop of "Page X of Y" ("...1 December 2026Page 1 of 65" in the
    business cases): the page number is a right-aligned paragraph of its own, apart from the produced date."""
    import docx as python_docx

    for path in sorted((ROOT / "templates").glob("*.docx")):
        footer = python_docx.Document(str(path)).sections[0].footer
        texts = [p.text for p in footer.paragraphs]
        page = [t for t in texts if t.startswith("Page ")]
        assert page and all("Produced" not in t for t in page), (path.name, texts)
        assert any("Produced" in t for t in texts), (path.name, texts)
