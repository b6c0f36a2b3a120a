"""Generate the Word templates in templates/ (tracker.docx, rag-analysis.docx, options.docx, partnership.docx,
programme-summary.docx, business-cases.docx) for docxtpl.

Run from the repository:  python scripts/make_docx_templates.py [--out templates]

The output is committed so finance teams can edit it in Word (wording, logo, columns) without Python. Rules the
templates follow: table rows loop with ``{%tr for %}``, year columns loop with ``{%tc for %}`` (one column per year
of the register, as the HTML templates do), the header rows are marked "Repeat as header row" (w:tblHeader), no
row may break across a page (w:cantSplit), each section is landscape (A3 for the tracker, A4 otherwise), the
document language is en-GB, figures are right aligned, RAG cells are shaded with ``{% cellbg %}`` and always carry
the RAG word, the chart picture carries alt text (set at render time), tables carry a title and description
(Word's table alt text). tests/test_appendix_docx.py checks the committed files match this script.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
from savings_tracker.core import schema  # noqa: E402
from savings_tracker.documents.context import print_weight  # noqa: E402  (same print widths as the HTML)

FONT = "Arial"  # has ↑ ↔ ↓; LibreOffice substitutes Liberation Sans, which has them too
HEADER_FILL = "DCE3EA"
TOTAL_FILL = "F0F0F0"


# ---- helpers -------------------------------------------------------------------------------------------------------
def new_document(paper: str) -> Document:
    doc = Document()
    sec = doc.sections[0]
    w, h = (Mm(420), Mm(297)) if paper == "A3" else (Mm(297), Mm(210))
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = w, h
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Mm(12))
    sec.top_margin, sec.bottom_margin = Mm(12), Mm(14)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(9)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-GB")
    lang.set(qn("w:eastAsia"), "en-GB")
    lang.set(qn("w:bidi"), "en-GB")
    rpr.append(lang)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        st = doc.styles[name]
        st.font.name = FONT
        st.font.color.rgb = RGBColor(0, 0, 0)
    doc.styles["Heading 1"].font.size = Pt(15)
    doc.styles["Heading 2"].font.size = Pt(12)
    doc.styles["Heading 3"].font.size = Pt(10)
    header(doc)
    footer(doc)
    return doc


def field(paragraph, code: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    fld.append(run)
    paragraph._p.append(fld)


def header(doc: Document) -> None:
    """Page furniture on every page: the heading, period and units, and the DRAFT banner while errors remain."""
    sec = doc.sections[0]
    p = sec.header.paragraphs[0]
    run = p.add_run("{{ doc.heading }}{% if doc.header_period %} · {{ doc.header_period }}{% endif %} · Figures in {{ doc.unit }}")
    run.font.size = Pt(8)
    d = sec.header.add_paragraph()
    run = d.add_run("{{ doc.draft }}")
    run.font.size = Pt(10)
    run.bold = True


def footer(doc: Document) -> None:
    sec = doc.sections[0]
    p = sec.footer.paragraphs[0]
    p.style.font.size = Pt(8)
    run = p.add_run("{{ doc.footer }} · Produced {{ doc.generated }}")
    run.font.size = Pt(8)
    # the page number right-aligned on a line of its own: a long footer ran into a right tab stop ("2026Page")
    p = sec.footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    r = p.add_run("Page ")
    r.font.size = Pt(8)
    field(p, "PAGE")
    r = p.add_run(" of ")
    r.font.size = Pt(8)
    field(p, "NUMPAGES")


def para(doc_or_cell, text: str = "", *, style: str | None = None, size: float | None = None, bold=False,
         align=None, keep=False):
    p = doc_or_cell.add_paragraph(style=style) if style else doc_or_cell.add_paragraph()
    if text:
        r = p.add_run(text)
        r.bold = bold or None
        if size:
            r.font.size = Pt(size)
    if align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if keep:
        p.paragraph_format.keep_with_next = True
    return p


def put(cell, text: str, *, size: float, bold=False, right=False, fill: str | None = None):
    _write(cell.paragraphs[0], text, size=size, bold=bold, right=right)
    if fill:
        shade(cell, fill)
    return cell


def shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _row_flag(row, tag: str) -> None:
    trpr = row._tr.get_or_add_trPr()
    if trpr.find(qn(tag)) is None:
        el = OxmlElement(tag)
        el.set(qn("w:val"), "true")
        trpr.append(el)


def repeat_header(row) -> None:
    _row_flag(row, "w:tblHeader")


def rows_unbroken(table) -> None:
    """No row breaks across a page (w:cantSplit); call once the table has all its rows."""
    for row in table.rows:
        _row_flag(row, "w:cantSplit")


def table_alt_text(table, title: str, description: str) -> None:
    tblpr = table._tbl.tblPr
    for tag, value in (("w:tblCaption", title), ("w:tblDescription", description)):
        el = OxmlElement(tag)
        el.set(qn("w:val"), value)
        tblpr.append(el)


def new_table(doc, rows: int, widths_mm: list[float]):
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)
    for col, w in zip(table.columns, widths_mm):
        col.width = Mm(w)
    return table


def loop_row(table, index: int, tag: str) -> None:
    """A row holding only a docxtpl {%tr ... %} tag (docxtpl removes the row and keeps the tag)."""
    row = table.rows[index]
    merged = row.cells[0].merge(row.cells[-1])
    merged.paragraphs[0].add_run(tag)


def column_loop(row, at: int, loop: str, text: str, *, size: float, bold=False, right=False,
                fill: str | None = None) -> None:
    """Cells ``at`` to ``at + 2`` as a docxtpl column loop: ``{%tc for ... %}``, the cell repeated once per item
    (``text``), ``{%tc endfor %}``. docxtpl removes the two tag cells when it renders."""
    put(row.cells[at], loop, size=size, fill=fill)
    put(row.cells[at + 1], text, size=size, bold=bold, right=right, fill=fill)
    put(row.cells[at + 2], "{%tc endfor %}", size=size, fill=fill)


def branches(cells, loop: str, choices: list[tuple[str, str, bool, bool]], *, size: float,
             fill: str | None = None, cellbg: str = "") -> None:
    """A column loop (``loop`` in the first cell, ``{%tc endfor %}`` in the third) whose repeated cell holds one
    paragraph per choice, ``(condition, text, bold, right)``, chosen with ``{%p if %}`` ... ``{%p endif %}``
    (docxtpl drops the tag paragraphs): figures right aligned. (Few branches: each costs every cell of a
    10,000-line tracker a test.)
    ``cellbg``: the repeated cell's shading, an expression (the RAG cell's colour)."""
    put(cells[0], loop, size=size, fill=fill)
    put(cells[2], "{%tc endfor %}", size=size, fill=fill)
    cell = cells[1]
    if fill:
        shade(cell, fill)
    first = True
    for condition, text, bold, right in choices:
        tag = ("{%p if " if first else "{%p elif ") + condition + " %}" if condition else "{%p else %}"
        put_paragraph(cell, ("{%% cellbg %s %%}" % cellbg if first and cellbg else "") + tag, size=size, first=first)
        put_paragraph(cell, text, size=size, bold=bold, right=right)
        first = False
    put_paragraph(cell, "{%p endif %}", size=size)


def put_paragraph(cell, text: str, *, size: float, bold=False, right=False, first=False):
    return _write(cell.paragraphs[0] if first else cell.add_paragraph(), text, size=size, bold=bold, right=right)


def _write(p, text: str, *, size: float, bold=False, right=False):
    """A table cell's paragraph: its text as one run (none when empty), no space after."""
    if text:
        r = p.add_run(text)
        r.font.size = Pt(size)
        r.bold = bold or None
    if right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.paragraph_format.space_after = Pt(0)
    return p


def widths(keys: list[str], total_mm: float) -> list[float]:
    cols = [schema.BY_KEY[k] for k in keys]
    total = sum(print_weight(c) for c in cols)
    return [total_mm * print_weight(c) / total for c in cols]


def chart_and_legend(doc, *, directions: bool) -> None:
    chart(doc)
    legend(doc, directions=directions)


def chart(doc) -> None:
    para(doc, "{{ chart.image }}")
    para(doc, "{{ chart.alt }}", size=7)


def legend(doc, *, directions: bool) -> None:
    """The RAG key: before the first table, so a reader knows the words and colours before meeting them."""
    para(doc, "RAG key", style="Heading 2", keep=True)
    legend = new_table(doc, 3, [25, 150])
    table_alt_text(legend, "RAG key", "What Red, Amber and Green mean")
    loop_row(legend, 0, "{%tr for r in rag_legend %}")
    put(legend.rows[1].cells[0], "{% cellbg r.fill %}{{ r.rag }}", size=9, bold=True)
    put(legend.rows[1].cells[1], "{{ r.definition }}", size=9)
    loop_row(legend, 2, "{%tr endfor %}")
    rows_unbroken(legend)
    if directions:
        para(doc, "Direction of travel: ↑ Improving, ↔ No change, ↓ Worsening since the last report.", size=9)
    para(doc)  # a space between the key and the table after it


# ---- appendix 1 ----------------------------------------------------------------------------------------------------
def tracker(out: Path) -> Path:
    doc = new_document("A3")
    usable = 420 - 24
    doc.core_properties.title = "{{ doc.plain_heading }}"
    doc.core_properties.language = "en-GB"
    para(doc, "{{ doc.heading }}", style="Heading 1")
    para(doc, "{{ doc.footer }}", size=9)

    plan = ["investment", "plan_q1", "plan_q2", "plan_q3", "plan_q4", "plan_total"]
    fc = ["forecast_q1", "forecast_q2", "forecast_q3", "forecast_q4", "forecast_total", "variance"]
    para(doc, "Planned and forecast totals ({{ doc.unit }})", bold=True, keep=True)
    head = new_table(doc, 3, [16] + [(usable - 16) / 12] * 12)
    table_alt_text(head, "Planned and forecast totals", "Totals of the planned and forecast phasing")
    put(head.rows[0].cells[0], "", size=8, fill=HEADER_FILL)
    a = head.rows[0].cells[1].merge(head.rows[0].cells[6])
    put(a, "{{ headline.planned_label }}", size=8, bold=True, fill=HEADER_FILL)
    b = head.rows[0].cells[7].merge(head.rows[0].cells[12])
    put(b, "{{ headline.forecast_label }}", size=8, bold=True, fill=HEADER_FILL)
    put(head.rows[1].cells[0], "", size=8, fill=HEADER_FILL)
    put(head.rows[2].cells[0], "Total", size=8, bold=True, fill=TOTAL_FILL)
    for i, k in enumerate(plan + fc, start=1):
        put(head.rows[1].cells[i], "{{ headers.%s }}" % k, size=8, bold=True, right=True, fill=HEADER_FILL)
        put(head.rows[2].cells[i], "{{ totals.%s }}" % k, size=8, bold=True, right=True, fill=TOTAL_FILL)
    repeat_header(head.rows[0])
    repeat_header(head.rows[1])
    rows_unbroken(head)
    para(doc)
    # where the savings stand (the lifecycle figures), for registers that have the lifecycle columns
    para(doc, "{%p if lifecycle %}")
    para(doc, "Where the savings stand ({{ doc.unit }})", bold=True, keep=True)
    life = new_table(doc, 2, [LOOP_TAG_MM, 200, LOOP_TAG_MM])
    table_alt_text(life, "Where the savings stand", "Delivered, at risk, slipped, written off and replaced")
    column_loop(life.rows[0], 0, "{%tc for f in lifecycle %}", "{{ f.label }}", size=8, bold=True, right=True,
                fill=HEADER_FILL)
    column_loop(life.rows[1], 0, "{%tc for f in lifecycle %}", "{{ f.text }}", size=8, right=True)
    repeat_header(life.rows[0])
    rows_unbroken(life)
    para(doc)
    para(doc, "{%p endif %}")
    chart_and_legend(doc, directions=True)

    # the printed columns come from `columns` (Settings appendix_columns and column_widths, as in HTML and PDF):
    # one column loop per row; documents/docx.py widens each column by its weight once the loop has run
    para(doc, "{%p for group in groups %}")
    para(doc, "{{ group.name }}", style="Heading 2", keep=True)
    para(doc, "{{ group.caption }}", bold=True, size=9, keep=True)
    t = new_table(doc, 5, [LOOP_TAG_MM, usable - 2 * LOOP_TAG_MM, LOOP_TAG_MM])
    table_alt_text(t, "Savings lines", "One row per saving line with its phasing, forecast, RAG, direction of "
                                       "travel and commentary")
    size = 6.5
    branches(t.rows[0].cells, "{%tc for c in columns %}", [("c.numeric", "{{ c.header }}", True, True),
                                                           ("", "{{ c.header }}", True, False)], size=6,
             fill=HEADER_FILL)
    branches(t.rows[2].cells, "{%tc for cell in line.cells %}", cellbg="cell.fill or 'auto'",
             choices=
             [("cell.numeric", "{{ cell.text }}", False, True), ("", "{{ cell.text }}", False, False)], size=size)
    branches(t.rows[4].cells, "{%tc for c in columns %}",
             [("c.numeric", "{{ group.totals.get(c.key, '') }}", True, True),
              ("", "{% if loop.first %}Total {{ group.name }}{% endif %}", True, False)], size=size, fill=TOTAL_FILL)
    repeat_header(t.rows[0])
    loop_row(t, 1, "{%tr for line in group.lines %}")
    loop_row(t, 3, "{%tr endfor %}")
    rows_unbroken(t)
    para(doc, "{%p endfor %}")
    para(doc, "{%p if annex %}")
    para(doc, "Annex: text in full", style="Heading 2", keep=True)
    a = new_table(doc, 4, [14, 30, 40, usable - 84])
    table_alt_text(a, "Annex", "Text shortened in the tables above, in full")
    for i, h in enumerate(("Note", "Reference", "Column", "Text")):
        put(a.rows[0].cells[i], h, size=8, bold=True, fill=HEADER_FILL)
    loop_row(a, 1, "{%tr for n in annex %}")
    for i, f in enumerate(("{{ n.number }}", "{{ n.reference }}", "{{ n.column }}", "{{ n.text }}")):
        put(a.rows[2].cells[i], f, size=8)
    loop_row(a, 3, "{%tr endfor %}")
    repeat_header(a.rows[0])
    rows_unbroken(a)
    para(doc, "{%p endif %}")
    para(doc, "Produced {{ doc.generated }}. Figures in {{ doc.unit }}. {{ doc.sign_note }}", size=8)
    doc.save(out)
    return out


# ---- appendix 2 ----------------------------------------------------------------------------------------------------
LOOP_TAG_MM = 9  # width of a {%tc %} tag cell in the template; it is gone once rendered


def rag_analysis(out: Path) -> Path:
    doc = new_document("A4")
    usable = 297 - 24
    doc.core_properties.title = "{{ doc.plain_heading }}"
    doc.core_properties.language = "en-GB"
    para(doc, "{{ doc.heading }}", style="Heading 1")
    para(doc, "{{ doc.footer }}", size=9)
    legend(doc, directions=False)
    # Template columns: title, {%tc for c in phase_columns %}, one phasing year, {%tc endfor %}, total, R, A, G,
    # comments. Rendered, the loop gives one column per year of the register (and quarter, where it has them).
    keys = ["title", "plan_y1", "plan_total", "red", "amber", "green", "commentary"]
    w = widths(keys, usable - 2 * LOOP_TAG_MM)
    t = new_table(doc, 10, [w[0], LOOP_TAG_MM, w[1], LOOP_TAG_MM, *w[2:]])
    table_alt_text(t, "{{ doc.title }}", "Saving lines grouped by programme with subtotals computed from the lines, "
                                          "phasing by year, total saving and the in-year saving by RAG")
    size = 8
    phases = "{%tc for c in phase_columns %}"
    after = ["plan_total", "red", "amber", "green", "commentary"]  # template columns 4 to 8

    def figure(source):  # a figure as published, with its footnote mark where the paper differed
        return "{{ %s[c.key].text }}{{ %s[c.key].mark }}" % (source, source)

    r0 = t.rows[0].cells
    put(r0[0], "", size=size, fill=HEADER_FILL)
    column_loop(t.rows[0], 1, phases, "{% hm %}Project Phasing", size=size, bold=True, fill=HEADER_FILL)
    put(r0[4], "", size=size, fill=HEADER_FILL)
    put(r0[5].merge(r0[7]), "{{ in_year_label }}", size=size, bold=True, fill=HEADER_FILL)
    put(r0[8], "", size=size, fill=HEADER_FILL)
    put(t.rows[1].cells[0], "{{ headers.title }}", size=size, bold=True, fill=HEADER_FILL)
    column_loop(t.rows[1], 1, phases, "{{ c.header }}", size=size, bold=True, right=True, fill=HEADER_FILL)
    for i, k in enumerate(after, start=4):
        put(t.rows[1].cells[i], "{{ headers.%s }}" % k, size=size, bold=True, right=k != "commentary",
            fill=HEADER_FILL)
    repeat_header(t.rows[0])
    repeat_header(t.rows[1])
    loop_row(t, 2, "{%tr for group in groups %}")
    g = t.rows[3].cells  # the programme's name across every column: a loop over all columns, merged
    put(g[0].merge(g[1]), "{%tc for c in columns %}", size=size, fill="EEF2F6")
    put(g[2], "{% hm %}{{ group.name }}", size=size, bold=True, fill="EEF2F6")
    put(g[3].merge(g[-1]), "{%tc endfor %}", size=size, fill="EEF2F6")
    loop_row(t, 4, "{%tr for line in group.lines %}")
    loop_row(t, 6, "{%tr endfor %}")
    loop_row(t, 8, "{%tr endfor %}")
    rows = [(5, "{{ line.title }}", "line.cells", "{{ line.commentary }}", False, None),
            (7, "Subtotal {{ group.name }}", "group.subtotal", "", True, TOTAL_FILL),
            (9, "{{ grand_label }}", "grand_total", "", True, TOTAL_FILL)]
    for r, first, source, last, bold, fill in rows:
        cells = t.rows[r].cells
        put(cells[0], first, size=size, bold=bold, fill=fill)
        column_loop(t.rows[r], 1, phases, figure(source), size=size, bold=bold, right=True, fill=fill)
        for i, k in enumerate(after[:-1], start=4):
            put(cells[i], "{{ %s.%s.text }}{{ %s.%s.mark }}" % (source, k, source, k), size=size, bold=bold,
                right=True, fill=fill)
        put(cells[8], last, size=size, bold=bold, fill=fill)
    rows_unbroken(t)
    para(doc, "{%p if footnotes %}")
    para(doc, "Notes on the figures", style="Heading 2", keep=True)
    para(doc, "Subtotals and totals above are computed from the lines. Where the published paper showed a different "
              "figure it is marked:", size=8)
    para(doc, "{%p for f in footnotes %}")
    para(doc, "{{ f.mark }} {{ f.text }}", size=8)
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")
    chart(doc)
    para(doc, "Produced {{ doc.generated }}. Figures in {{ doc.unit }}. {{ doc.sign_note }}", size=8)
    doc.save(out)
    return out


# ---- appendix 3 ----------------------------------------------------------------------------------------------------
def options_summary(doc) -> None:
    """Every option with its savings by year, total and FTE, and the programme totals, before the proformas."""
    para(doc, "{{ summary.caption }}", style="Heading 2", keep=True)
    usable = 297 - 24
    t = new_table(doc, 5, [30, 110, LOOP_TAG_MM, usable - 140 - 2 * LOOP_TAG_MM, LOOP_TAG_MM])
    for row in t.rows:  # one figure column's width: the rendered table shares the page width out in proportion
        row.cells[3].width = Mm(26)
    table_alt_text(t, "Summary of options", "Every option with its savings by year, total and FTE, and the totals")
    size = 8
    put(t.rows[0].cells[0], "{{ summary.columns[0].header }}", size=size, bold=True, fill=HEADER_FILL)
    put(t.rows[0].cells[1], "{{ summary.columns[1].header }}", size=size, bold=True, fill=HEADER_FILL)
    column_loop(t.rows[0], 2, "{%tc for c in summary.columns[2:] %}", "{{ c.header }}", size=size, bold=True,
                right=True, fill=HEADER_FILL)
    loop_row(t, 1, "{%tr for r in summary.rows %}")
    put(t.rows[2].cells[0], "{{ r.reference }}", size=size)
    put(t.rows[2].cells[1], "{{ r.title }}", size=size)
    column_loop(t.rows[2], 2, "{%tc for c in summary.columns[2:] %}", "{{ r[c.key] }}", size=size, right=True)
    loop_row(t, 3, "{%tr endfor %}")
    put(t.rows[4].cells[0], "{{ summary.total_label }}", size=size, bold=True, fill=TOTAL_FILL)
    put(t.rows[4].cells[1], "", size=size, fill=TOTAL_FILL)
    column_loop(t.rows[4], 2, "{%tc for c in summary.columns[2:] %}", "{{ summary.totals[c.key] }}", size=size,
                bold=True, right=True, fill=TOTAL_FILL)
    repeat_header(t.rows[0])
    rows_unbroken(t)
    para(doc, "{{ doc.sign_note }}", size=8)
    brk = doc.add_paragraph()
    brk.add_run().add_break(WD_BREAK.PAGE)


def options(out: Path) -> Path:
    doc = new_document("A4")
    doc.core_properties.title = "{{ doc.plain_heading }}"
    doc.core_properties.language = "en-GB"
    para(doc, "{{ doc.heading }}", style="Heading 1")
    para(doc, "{{ doc.footer }}", size=9)
    options_summary(doc)
    para(doc, "{%p for opt in options %}")
    para(doc, "{{ opt.heading }}", style="Heading 2", keep=True)
    fields = [("{{ labels.service }}", "{{ opt.service }}", False),
              ("Which 'start year' does this option relate to ({{ year_labels|join(', ') }})",
               "{{ opt.start_year }}", False),
              ("{{ labels.gross_budget }}", "{{ opt.gross_budget }}", True),
              ("{{ labels.income }}", "{{ opt.income }}", True),
              ("{{ labels.net_budget }}", "{{ opt.net_budget }}", True)]
    t = new_table(doc, len(fields), [90, 60])
    table_alt_text(t, "Service and budget", "Service name, start year and 2017/18 budget of the option")
    for row, (label, value, right) in zip(t.rows, fields):
        put(row.cells[0], label, size=9, bold=True, fill=HEADER_FILL)
        put(row.cells[1], value, size=9, right=right)
    rows_unbroken(t)
    # One column per year of the register, then the total: the columns loop over opt.savings / opt.fte and
    # share the table's 150 mm between them.
    for title, items in (("Savings Target and Profiling (discrete year, {{ doc.unit }})", "opt.savings"),
                         ("FTE implications", "opt.fte")):
        para(doc, title, bold=True, keep=True)
        p = new_table(doc, 2, [LOOP_TAG_MM, 150 - 2 * LOOP_TAG_MM, LOOP_TAG_MM])
        table_alt_text(p, title.split(" (")[0], "Amounts by year and in total")
        column_loop(p.rows[0], 0, "{%%tc for s in %s %%}" % items, "{{ s.header }}", size=9, bold=True, right=True,
                    fill=HEADER_FILL)
        column_loop(p.rows[1], 0, "{%%tc for s in %s %%}" % items, "{{ s.text }}", size=9, right=True)
        repeat_header(p.rows[0])
        rows_unbroken(p)
    para(doc, "{%p for t in opt.texts %}")
    para(doc, "{{ t.label }}", style="Heading 3", keep=True)
    para(doc, "{{ t.text }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p if not loop.last %}")
    brk = doc.add_paragraph()
    brk.add_run().add_break(WD_BREAK.PAGE)
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")
    doc.save(out)
    return out


# ---- partnership efficiency returns (returns/document.py) ---------------------------------------------------------
def partnership(out: Path) -> Path:
    doc = new_document("A4")
    doc.core_properties.title = "{{ doc.title }}"
    doc.core_properties.language = "en-GB"
    para(doc, "{{ doc.title }}", style="Heading 1")
    para(doc, "{{ doc.footer }}", size=9)
    para(doc, "Returns", style="Heading 2", keep=True)
    para(doc, "{{ received_text }}", size=9)
    para(doc, "{{ missing_text }}", size=9)
    para(doc, "Forecast achievement of the target by RAG, number of organisations", bold=True, keep=True)
    rag = new_table(doc, 4, [30, 25, 25, 25, 30])
    table_alt_text(rag, "Forecast RAG by year", "Number of organisations forecasting Green, Amber or Red each year")
    for c, h in enumerate(("Year", "Green", "Amber", "Red", "No forecast")):
        put(rag.rows[0].cells[c], h, size=9, bold=True, right=c > 0, fill=HEADER_FILL)
    repeat_header(rag.rows[0])
    loop_row(rag, 1, "{%tr for r in rag_rows %}")
    for c, v in enumerate(("{{ r.year }}", "{{ r.counts[0] }}", "{{ r.counts[1] }}", "{{ r.counts[2] }}",
                           "{{ r.not_given }}")):
        put(rag.rows[2].cells[c], v, size=9, right=c > 0)
    loop_row(rag, 3, "{%tr endfor %}")
    rows_unbroken(rag)
    para(doc, "Target against planned efficiencies", style="Heading 2", keep=True)
    para(doc, "Each organisation's target (baseline × target %) and planned cashable efficiencies, £", bold=True,
         keep=True)
    heads = ("Organisation", "Year", "Baseline", "Target %", "Target", "Planned", "Planned as % of target",
             "Forecast RAG")
    t = new_table(doc, 7, [40, 17, 30, 16, 27, 27, 20, 22])
    table_alt_text(t, "Target against planned", "Per organisation and year: baseline, target, planned, RAG")
    for c, h in enumerate(heads):
        put(t.rows[0].cells[c], h, size=8, bold=True, right=1 < c < 7, fill=HEADER_FILL)
    repeat_header(t.rows[0])
    loop_row(t, 1, "{%tr for o in org_rows %}")
    for c, v in enumerate(("{{ o.name }}", "{{ o.year }}", "{{ o.baseline }}", "{{ o.target_pct }}", "{{ o.target }}",
                           "{{ o.planned }}", "{{ o.achieved }}")):
        put(t.rows[2].cells[c], v, size=8, right=1 < c < 7)
    put(t.rows[2].cells[7], "{% cellbg o.rag_fill %}{{ o.rag }}", size=8, bold=True)
    loop_row(t, 3, "{%tr endfor %}")
    loop_row(t, 4, "{%tr for o in total_rows %}")
    for c, v in enumerate(("{{ o.name }}", "{{ o.year }}", "{{ o.baseline }}", "{{ o.target_pct }}", "{{ o.target }}",
                           "{{ o.planned }}", "{{ o.achieved }}", "")):
        put(t.rows[5].cells[c], v, size=8, bold=True, right=1 < c < 7, fill=TOTAL_FILL)
    loop_row(t, 6, "{%tr endfor %}")
    rows_unbroken(t)
    para(doc, "{{ overall_text }}", size=9)
    para(doc, "RAG definitions", style="Heading 2", keep=True)
    legend = new_table(doc, 3, [25, 150])
    table_alt_text(legend, "RAG definitions", "What Green, Amber and Red mean")
    loop_row(legend, 0, "{%tr for r in rag_legend %}")
    put(legend.rows[1].cells[0], "{% cellbg r.fill %}{{ r.rag }}", size=9, bold=True)
    put(legend.rows[1].cells[1], "{{ r.definition }}", size=9)
    loop_row(legend, 2, "{%tr endfor %}")
    rows_unbroken(legend)
    doc.save(out)
    return out


# ---- business cases (seed 001) -------------------------------------------------------------------------------------
CASE_FIGURES = ("budget_planning_assumption", "forecast_saving", "total")


def programme_summary(out: Path) -> Path:
    doc = new_document("A4")
    usable = 297 - 24
    doc.core_properties.title = "{{ doc.title }}: programme summary"
    doc.core_properties.language = "en-GB"
    para(doc, "{{ doc.title }}: programme summary", style="Heading 1")
    para(doc, "{{ doc.footer }}", size=9)
    para(doc, "Savings by section ({{ workstreams }} workstreams, {{ doc.unit }})", bold=True, keep=True)
    t = new_table(doc, 5, [20, usable - 20 - 3 * 45, 45, 45, 45])
    table_alt_text(t, "Savings by section", "Each section's budget planning assumption, forecast saving and total, "
                                            "and the programme total")
    put(t.rows[0].cells[0], "{{ labels.section }}", size=9, bold=True, fill=HEADER_FILL)
    put(t.rows[0].cells[1], "{{ labels.section_name }}", size=9, bold=True, fill=HEADER_FILL)
    for i, k in enumerate(CASE_FIGURES, start=2):
        put(t.rows[0].cells[i], "{{ labels.%s }}" % k, size=9, bold=True, right=True, fill=HEADER_FILL)
        put(t.rows[2].cells[i], "{{ sec.totals.%s }}" % k, size=9, right=True)
        put(t.rows[4].cells[i], "{{ totals.%s }}" % k, size=9, bold=True, right=True, fill=TOTAL_FILL)
    put(t.rows[2].cells[0], "{{ sec.letter }}", size=9)
    put(t.rows[2].cells[1], "{{ sec.name }}", size=9)
    put(t.rows[4].cells[0], "Total", size=9, bold=True, fill=TOTAL_FILL)
    put(t.rows[4].cells[1], "", size=9, fill=TOTAL_FILL)
    repeat_header(t.rows[0])
    loop_row(t, 1, "{%tr for sec in sections %}")
    loop_row(t, 3, "{%tr endfor %}")
    rows_unbroken(t)
    para(doc, "{%p for sec in sections %}")
    para(doc, "{{ sec.heading }}", style="Heading 2", keep=True)
    para(doc, "{{ sec.label }}: budget planning assumptions and savings by workstream ({{ doc.unit }})", bold=True,
         size=9, keep=True)
    w = new_table(doc, 4, [60, usable - 60 - 3 * 35, 35, 35, 35])
    table_alt_text(w, "Workstreams", "One row per workstream with its project, then project subtotals and the "
                                     "section total")
    put(w.rows[0].cells[0], "{{ labels.project }}", size=9, bold=True, fill=HEADER_FILL)
    put(w.rows[0].cells[1], "{{ labels.workstream }}", size=9, bold=True, fill=HEADER_FILL)
    put(w.rows[2].cells[0], "{% cellbg r.fill %}{{ r.project }}", size=9)
    put(w.rows[2].cells[1], "{% cellbg r.fill %}{{ r.workstream }}", size=9)
    for i, k in enumerate(CASE_FIGURES, start=2):
        put(w.rows[0].cells[i], "{{ labels.%s }}" % k, size=9, bold=True, right=True, fill=HEADER_FILL)
        put(w.rows[2].cells[i], "{%% cellbg r.fill %%}{{ r.amounts.%s }}" % k, size=9, right=True)
    repeat_header(w.rows[0])
    loop_row(w, 1, "{%tr for r in sec.rows %}")
    loop_row(w, 3, "{%tr endfor %}")
    rows_unbroken(w)
    para(doc, "{%p endfor %}")
    para(doc, "{%p if notes %}")
    para(doc, "Notes on the figures", style="Heading 2", keep=True)
    para(doc, "{%p for n in notes %}")
    para(doc, "{{ n.mark }} {{ n.text }}", size=8)
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")
    para(doc, "Produced {{ doc.generated }}. Figures in {{ doc.unit }}.", size=8)
    doc.save(out)
    return out


def business_cases(out: Path) -> Path:
    doc = new_document("A4")
    doc.core_properties.title = "{{ doc.title }}: business cases"
    doc.core_properties.language = "en-GB"
    para(doc, "{{ doc.title }}: business cases", style="Heading 1")
    para(doc, "{{ doc.footer }}", size=9)
    para(doc, "{{ workstreams }} workstreams. A field the paper does not state is shown as \"{{ not_stated }}\".",
         size=9)
    para(doc, "{%p for case in cases %}")
    para(doc, "{{ case.heading }}", style="Heading 2", keep=True)
    for title, items, description in (
            ("Saving ({{ doc.unit }})", "case.figures", "Budget planning assumption, forecast saving and total"),
            ("Consultation, equality and staffing", "case.facts",
             "Programme number, section, consultation type, equality impact assessment and staffing")):
        para(doc, title, bold=True, keep=True)
        t = new_table(doc, 3, [90, 90])
        table_alt_text(t, title.split(" (")[0], description)
        put(t.rows[1].cells[0], "{{ f.label }}", size=9, bold=True, fill=HEADER_FILL)
        put(t.rows[1].cells[1], "{{ f.text }}", size=9, right=items == "case.figures")
        loop_row(t, 0, "{%%tr for f in %s %%}" % items)
        loop_row(t, 2, "{%tr endfor %}")
        rows_unbroken(t)
        para(doc, size=4)
    para(doc, "{%p if case.note %}")
    para(doc, "{{ case.note }}", size=8)
    para(doc, "{%p endif %}")
    para(doc, "{%p for t in case.texts %}")
    para(doc, "{{ t.heading }}", style="Heading 3", keep=True)
    para(doc, "{%p for p in t.parts %}")
    para(doc, "{% if p.who %}{{ p.who }}: {% endif %}{{ p.text }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p if not loop.last %}")
    brk = doc.add_paragraph()
    brk.add_run().add_break(WD_BREAK.PAGE)
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")
    doc.save(out)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "templates")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for fn, name in ((tracker, "tracker"), (rag_analysis, "rag-analysis"), (options, "options"),
                     (partnership, "partnership"),
                     (programme_summary, "programme-summary"), (business_cases, "business-cases")):
        print(fn(args.out / f"{name}.docx"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
