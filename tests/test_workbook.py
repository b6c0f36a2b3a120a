"""The built workbook (workbook/Savings_Tracker.xlsm and a fresh build): structure, macros, validations,
formulas, reproducibility and the round trip through the reader. LibreOffice checks: test_workbook_libreoffice."""
from __future__ import annotations

import configparser
import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from dataclasses import replace

import openpyxl
from lxml import etree
import pytest
import xlwings
from typer.testing import CliRunner

from savings_tracker.core import calc, schema
from savings_tracker import samples
from savings_tracker.readers import read_register
from savings_tracker.core.register import Register
from savings_tracker.core.settings import Settings
from savings_tracker.workbook import build_workbook
from savings_tracker.workbook import builder as B
from savings_tracker.workbook.vba import read_modules, vba_sub_names, xlwings_vba_version

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbook" / "Savings_Tracker.xlsm"
MACRO_WORKBOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA_PROJECT = "application/vnd.ms-office.vbaProject"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def build_fresh(path: Path) -> Path:
    """What `savings-tracker build-workbook` writes by default: the seed-003 sample plus the options sample."""
    reg = read_register(samples.path("tracker"))
    opts = read_register(samples.path("options"))
    return build_workbook(path, reg, options=opts)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    return build_fresh(tmp_path_factory.mktemp("wb") / "Savings_Tracker.xlsm")


@pytest.fixture(scope="module", params=["committed", "fresh"])
def book(request, fresh) -> Path:
    if request.param == "committed":
        assert COMMITTED.is_file(), f"{COMMITTED} is missing: run savings-tracker build-workbook --out {COMMITTED}"
        return COMMITTED
    return fresh


@pytest.fixture(scope="module")
def sample() -> Register:
    return read_register(samples.path("tracker"))


def fingerprint(path: Path) -> dict:
    """Everything a user or Excel would see: cell values and formulas, formats, validations, conditional formats,
    tables, defined names, drawings (buttons, chart) and the VBA source."""
    wb = openpyxl.load_workbook(path, keep_vba=True)
    out = {"sheets": wb.sheetnames, "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items())}
    for ws in wb.worksheets:
        out[ws.title] = {
            "cells": [(c.coordinate, c.value, c.number_format) for row in ws.iter_rows() for c in row
                      if c.value is not None],
            "validations": sorted((str(v.sqref), v.type, v.formula1, v.formula2, v.promptTitle, v.prompt, v.error)
                                  for v in ws.data_validations.dataValidation),
            "cf": sorted((str(rng.sqref), [r.formula for r in rng.rules].__repr__())
                         for rng in ws.conditional_formatting),
            "tables": sorted((t.name, t.ref) for t in ws.tables.values()),
            "freeze": ws.freeze_panes,
        }
    with zipfile.ZipFile(path) as z:
        out["parts"] = {n: z.read(n) for n in z.namelist() if re.match(r"xl/(tables|drawings|charts)/.*\.(xml|vml)$", n)}
    out["vba"] = read_modules(path)
    return out


def _xml(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def _sheet_part(path: Path, sheet: str) -> str:
    wb = openpyxl.load_workbook(path, keep_vba=True)
    return f"xl/worksheets/sheet{wb.sheetnames.index(sheet) + 1}.xml"


# ---- package, VBA, buttons ------------------------------------------------------------------------------
def test_opens_with_vba_kept(book):
    wb = openpyxl.load_workbook(book, keep_vba=True)
    assert wb.sheetnames == [schema.SHEET_NAMES[k] for k in B.SHEET_ORDER]
    assert wb.vba_archive is not None and "xl/vbaProject.bin" in wb.vba_archive.namelist()


def test_content_types_macro_enabled(book):
    ct = _xml(book, "[Content_Types].xml")
    assert re.search(r'PartName="/xl/workbook.xml" ContentType="' + re.escape(MACRO_WORKBOOK) + '"', ct)
    assert VBA_PROJECT in ct
    assert "spreadsheetml.sheet.main+xml" not in ct


def test_every_module_readable_and_code_names_match(book):
    modules = read_modules(book)
    expected = {"ThisWorkbook", *B.CODE_NAMES.values(), "xlwings", "SavingsTracker"}
    assert expected <= set(modules), sorted(modules)
    assert all(src.strip() for name, src in modules.items() if name in ("xlwings", "SavingsTracker"))
    wbxml = _xml(book, "xl/workbook.xml")
    assert 'codeName="ThisWorkbook"' in wbxml
    for key, code in B.CODE_NAMES.items():
        assert f'codeName="{code}"' in _xml(book, _sheet_part(book, schema.SHEET_NAMES[key]))


def test_no_macro_runs_on_open(book):
    for name, src in read_modules(book).items():
        assert not re.search(r"Sub\s+(Workbook_Open|Auto_Open|Workbook_Activate)\b", src, re.I), name


def _buttons(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Sheet -> [(macro, caption)] from the sheets' VML drawings."""
    out = {}
    wb = openpyxl.load_workbook(path, keep_vba=True)
    with zipfile.ZipFile(path) as z:
        for i, sheet in enumerate(wb.sheetnames, start=1):
            rels = f"xl/worksheets/_rels/sheet{i}.xml.rels"
            if rels not in z.namelist():
                continue
            for target in re.findall(r'Target="\.\./drawings/(vmlDrawing\d+\.vml)"', z.read(rels).decode()):
                vml = z.read(f"xl/drawings/{target}").decode()
                for shape in re.findall(r"<v:shape .*?</v:shape>", vml, re.S):
                    macro = re.search(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", shape)
                    caption = re.search(r"<font[^>]*>([^<]+)</font>", shape)
                    if macro:
                        out.setdefault(sheet, []).append((macro.group(1), caption.group(1) if caption else ""))
    return out


def test_buttons_resolve_to_subs_calling_runpython(book):
    buttons = _buttons(book)
    source = read_modules(book)["SavingsTracker"]
    subs = vba_sub_names(source, public_only=True)
    for key in ("tracker", "summary"):
        got = buttons.get(schema.SHEET_NAMES[key], [])
        assert [m for m, _ in got] == [m for m, _ in B.BUTTONS], got
        assert [c for _, c in got] == [c for _, c in B.BUTTONS]
    for macro, _ in B.BUTTONS:
        assert macro in subs
        body = re.search(rf"Sub\s+{macro}\b(.*?)End Sub", source, re.S | re.I).group(1)
        assert re.search(r"^\s*RunPython\s+\"import savings_tracker\.excel\.buttons", body, re.M), body


def test_buttons_do_not_cover_the_table(book):
    """Buttons sit in the title rows, above the table's header row."""
    with zipfile.ZipFile(book) as z:
        for name in z.namelist():
            if name.endswith(".vml"):
                for anchor in re.findall(r"<x:Anchor>([^<]+)</x:Anchor>", z.read(name).decode()):
                    left, _, top, _, right, _, bottom, _ = (int(v) for v in anchor.split(","))
                    if "FmlaMacro" in z.read(name).decode():
                        assert bottom < B.HEADER_ROW, anchor


def test_xlwings_module_version_matches_pin(book):
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    pin = re.search(r"xlwings==([\w.]+)", cfg["options"]["install_requires"]).group(1)
    assert xlwings_vba_version(book) == xlwings.__version__ == pin


# ---- the Tracker table --------------------------------------------------------------------------------
def _table(wb, sheet, name):
    return wb[sheet].tables[name]


def test_tracker_table_columns_from_schema(book, sample):
    wb = openpyxl.load_workbook(book, keep_vba=True)
    ws = wb[schema.SHEET_NAMES["tracker"]]
    t = _table(wb, schema.SHEET_NAMES["tracker"], schema.TABLE_NAMES["tracker"])
    # every tracker column, the lifecycle's too (blank in the sample, for a council to fill in)
    expected = [c.header_for(sample.settings, "tracker") for c in schema.columns_for("tracker", extras=True)]
    assert [c.name for c in t.tableColumns] == expected
    assert t.totalsRowCount == 1
    first, last = t.ref.split(":")
    assert first == f"A{B.HEADER_ROW + 1}"
    assert int(re.sub(r"\D", "", last)) == B.HEADER_ROW + 1 + len(sample) + 1
    assert ws.freeze_panes == f"C{B.HEADER_ROW + 2}"
    # title rows
    s = sample.settings
    assert [ws.cell(r, 1).value for r in (1, 2)] == [s.organisation, s.title]
    assert s.period in ws["A3"].value and s.unit in ws["A4"].value


def test_computed_columns_are_fully_qualified_structured_references(book):
    wb = openpyxl.load_workbook(book, keep_vba=True)
    ws = wb[schema.SHEET_NAMES["tracker"]]
    row = B.HEADER_ROW + 2
    headers = {c.value: c.column_letter for c in ws[B.HEADER_ROW + 1]}
    assert ws[f"{headers['Original Saving']}{row}"].value == \
        "=SUM(Savings[[#This Row],[Original Phasing - Q1]:[Original Phasing - Q4]])"
    assert ws[f"{headers['Forecast Saving']}{row}"].value == \
        "=SUM(Savings[[#This Row],[Current Forecast Phasing - Q1]:[Current Forecast Phasing - Q4]])"
    assert ws[f"{headers['Variance from Plan £000']}{row}"].value == \
        "=Savings[[#This Row],[Forecast Saving]]-Savings[[#This Row],[Original Saving]]"
    # nowhere the table-relative shorthand LibreOffice cannot evaluate
    with zipfile.ZipFile(book) as z:
        for name in z.namelist():
            if re.match(r"xl/(worksheets/sheet\d+|tables/table\d+)\.xml$", name):
                text = z.read(name).decode()
                assert "[@" not in text
                for f in re.findall(r"<(?:f|calculatedColumnFormula|totalsRowFormula)>([^<]*)<", text):
                    assert not re.search(r"(?<![A-Za-z_\]])\[\[?#This Row\]", f.replace("[[#This Row]", "X")), f
                    assert not re.search(r"SUBTOTAL\(\d+,\[", f), f


def test_totals_row_formulas_and_cached_values(book, sample):
    wb = openpyxl.load_workbook(book, keep_vba=True)
    ws = wb[schema.SHEET_NAMES["tracker"]]
    total_row = B.HEADER_ROW + 1 + len(sample) + 1
    assert ws.cell(total_row, 1).value == "Total"
    cols = schema.columns_for("tracker")
    for ci, c in enumerate(cols, start=1):
        if c.kind == schema.MONEY:
            assert ws.cell(total_row, ci).value == f"=SUBTOTAL(109,Savings[{c.header_for(sample.settings)}])"
    cached = openpyxl.load_workbook(book, data_only=True, keep_vba=True)[schema.SHEET_NAMES["tracker"]]
    published = {k: Decimal(v.replace(",", "")) for k, v in sample.settings.published_totals.items()}
    for ci, c in enumerate(cols, start=1):
        if c.key in published:
            assert Decimal(str(cached.cell(total_row, ci).value)) == published[c.key], c.key


def test_text_cells_stay_text(tmp_path, write_tracker):
    from conftest import tracker_line
    path = write_tracker([tracker_line(reference="=1+1", title="+44 line", description="@SUM(A1)",
                                       commentary="-1 plus", partners='=HYPERLINK("x")')])
    out = build_workbook(tmp_path / "t.xlsm", read_register(path))
    ws = openpyxl.load_workbook(out, keep_vba=True)[schema.SHEET_NAMES["tracker"]]
    row = B.HEADER_ROW + 2
    cells = {ws.cell(B.HEADER_ROW + 1, c).value: ws.cell(row, c) for c in range(1, ws.max_column + 1)}
    for header, text in (("Reference", "=1+1"), ("Title", "+44 line"), ("Description", "@SUM(A1)"),
                         ("Forecast Commentary", "-1 plus"), ("Links with partner organisations", '=HYPERLINK("x")')):
        assert cells[header].data_type == "s" and cells[header].value == text, header
    sheet_data = _xml(out, _sheet_part(out, schema.SHEET_NAMES["tracker"])).split("<sheetData>")[1]
    assert "<f>1+1</f>" not in sheet_data and "<f>HYPERLINK" not in sheet_data
    back = read_register(out)
    assert back.lines.at[0, "reference"] == "=1+1" and back.lines.at[0, "partners"] == '=HYPERLINK("x")'


def test_data_validations(book, sample):
    wb = openpyxl.load_workbook(book, keep_vba=True)
    ws = wb[schema.SHEET_NAMES["tracker"]]
    first, last = B.HEADER_ROW + 2, B.HEADER_ROW + 1 + len(sample)
    by_range = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    cols = schema.columns_for("tracker")
    letters = {c.key: openpyxl.utils.get_column_letter(i) for i, c in enumerate(cols, start=1)}

    def dv(key):
        rng = f"{letters[key]}{first}:{letters[key]}{last}"
        assert rng in by_range, (key, sorted(by_range))
        return by_range[rng]

    assert dv("rag").type == "list" and dv("rag").formula1 == '"Red,Amber,Green"'
    assert dv("complete").formula1 == '"Yes,No"'
    assert dv("direction").formula1 == '"↑,↔,↓"'
    assert dv("committee").type == "list" and dv("committee").formula1 == B.NAME_COMMITTEES
    for c in cols:
        if c.kind == schema.MONEY and c.role == schema.ENTERED:
            v = dv(c.key)
            assert v.type == "decimal" and v.showErrorMessage and sample.settings.unit in v.error
        if c.help and c.role == schema.ENTERED and c.key in letters and (c.kind == schema.MONEY or c.allowed
                                                                         or c.key == "committee"):
            assert dv(c.key).prompt == c.help[:255]
    for key in ("plan_total", "forecast_total", "variance", "suggested_rag"):
        assert not any(letters[key] in r.split(":")[0][:len(letters[key])] and
                       re.fullmatch(rf"{letters[key]}\d+", r.split(":")[0]) for r in by_range), key
    # the committee list: every committee the register uses, on the Settings sheet
    names = dict(wb.defined_names.items())
    assert "OFFSET" in names[B.NAME_COMMITTEES].attr_text
    st = wb[schema.SHEET_NAMES["settings"]]
    listed = [st.cell(r, B.COMMITTEE_COLUMN + 1).value for r in range(2, 2 + len(B.committee_list(sample)))]
    assert listed == B.committee_list(sample)
    assert set(sample.lines["committee"]) <= set(listed)


def test_number_formats_in_the_unit(book, sample):
    ws = openpyxl.load_workbook(book, keep_vba=True)[schema.SHEET_NAMES["tracker"]]
    cols = schema.columns_for("tracker")
    row = B.HEADER_ROW + 2
    for ci, c in enumerate(cols, start=1):
        if c.money:
            assert ws.cell(row, ci).number_format == '#,##0;-#,##0;"-"'
    opts = openpyxl.load_workbook(book, keep_vba=True)[schema.SHEET_NAMES["options"]]
    headers = {c.value: c for c in opts[4]}
    assert opts.cell(5, headers["Gross Budget £m"].column).number_format == '#,##0.000;-#,##0.000;"-"'


def test_rag_conditional_formats_keep_the_word_readable(book, sample):
    wb = openpyxl.load_workbook(book, keep_vba=True)
    ws = wb[schema.SHEET_NAMES["tracker"]]
    cols = schema.columns_for("tracker")
    letters = {c.key: openpyxl.utils.get_column_letter(i) for i, c in enumerate(cols, start=1)}
    rules = {str(r.sqref): [x.formula[0] for x in r.rules] for r in ws.conditional_formatting}
    for key in ("rag", "suggested_rag"):
        rng = f"{letters[key]}{B.HEADER_ROW + 2}:{letters[key]}{B.HEADER_ROW + 1 + len(sample)}"
        assert sorted(rules[rng]) == sorted(f'"{r}"' for r in schema.RAG_VALUES)
    for rag, (bg, fg) in B.RAG_COLOURS.items():
        assert B.wcag_contrast(fg, bg) >= 4.5, rag
    assert B.wcag_contrast(*B.HEADER_COLOURS) >= 4.5
    # the words are in the cells, the colour only adds to them
    sug = calc.suggested_rags(sample)
    col = cols.index(schema.BY_KEY["suggested_rag"]) + 1
    assert [ws.cell(B.HEADER_ROW + 2 + i, col).value for i in range(len(sample))] == list(sug)


def test_print_setup(book):
    wb = openpyxl.load_workbook(book, keep_vba=True)
    ws = wb[schema.SHEET_NAMES["tracker"]]
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize in (8, 9)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1 is the default
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows.replace("$", "") == f"{B.HEADER_ROW + 1}:{B.HEADER_ROW + 1}"
    widths = {}
    for lo, hi, w in re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"',
                                _xml(book, _sheet_part(book, schema.SHEET_NAMES["tracker"]))):
        for i in range(int(lo), int(hi) + 1):
            widths[i] = float(w)
    for i, c in enumerate(schema.columns_for("tracker"), start=1):
        assert widths[i] == pytest.approx(c.width, abs=1), c.key


# ---- other sheets ---------------------------------------------------------------------------------------
def test_summary_sheet(book, sample):
    wb = openpyxl.load_workbook(book, keep_vba=True)
    ws = wb[schema.SHEET_NAMES["summary"]]
    assert ws["A3"].value == f"Last refreshed {B.BUILT_STAMP} from {len(sample)} lines"    # refreshed as built
    assert dict(wb.defined_names.items())[B.NAME_LAST_REFRESHED].attr_text == "'Summary'!$A$3"
    summary = calc.summarise(sample)
    first = 6
    for k, g in enumerate(summary.groups):
        r = first + k
        assert ws.cell(r, 1).value == g.name
        assert ws.cell(r, 3).value == f"=COUNTIFS(Savings[RAG],C$5,Savings[Committee],$A{r})"
        assert ws.cell(r, 7).value == f"=SUMIFS(Savings[Original Saving],Savings[Committee],$A{r})"
    chart = _xml(book, "xl/charts/chart1.xml")
    assert "<c:barChart>" in chart and 'barDir val="col"' in chart
    assert "Planned and forecast saving by the line&apos;s RAG" in chart or "line's RAG" in chart
    drawing = _xml(book, "xl/drawings/drawing1.xml")
    assert re.search(r"descr=\"Planned and forecast saving by the line(?:&apos;|')s RAG[^\"]+\"", drawing)
    legend = [ws.cell(r, 2).value for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value in schema.RAG_VALUES]
    for rag in schema.RAG_VALUES:
        assert sample.settings.rag_definitions[rag] in legend


def test_summary_chart_labels_nil_bars_with_nothing_and_sits_its_labels_on_the_bars(fresh):
    """The sample has no line without a RAG: its No RAG bars are nil. A label on a nil bar ("-") sat above the
    plot, away from any bar; nil bars carry no label, and each label sits just past the end of its bar.
    (Rendered through LibreOffice and looked at: the labels no longer run into their neighbour's.)"""
    chart = etree.fromstring(_xml(fresh, "xl/charts/chart1.xml").encode())
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    series = chart.findall(".//c:ser", ns)
    assert len(series) == 2
    for ser in series:
        labels = ser.find("c:dLbls", ns)
        fmt = labels.find("c:numFmt", ns).get("formatCode")
        assert fmt.split(";")[2] == "" and labels.find("c:numFmt", ns).get("sourceLinked") == "0", fmt
        pos = labels.find("c:dLblPos", ns)          # none written: a clustered column's default, outside end
        assert pos is None or pos.get("val") == "outEnd"
        assert labels.find("c:showVal", ns).get("val") == "1"


def test_checks_sheet_lists_validation_findings(book, sample):
    from savings_tracker.core.validate import validate
    from savings_tracker.readers import read_register as read
    wb = openpyxl.load_workbook(book, keep_vba=True)
    ws = wb[schema.SHEET_NAMES["checks"]]
    assert [c.value for c in ws[1]] == ["Severity", "Sheet", "Cell", "Reference", "Code", "Message", "Go to"]
    got = [tuple(c.value or "" for c in row) for row in ws.iter_rows(min_row=2)]
    # the workbook's own findings (Tracker cells, not the CSV's), each with its link: refreshed as built
    want = [(*(f.as_dict()[k] for k in B.CHECK_KEYS), f'=HYPERLINK("#\'Tracker\'!{f.cell}","Tracker!{f.cell}")')
            for f in validate(read(book))]
    assert got == want and len(want) == len(validate(sample))
    assert all(f.sheet == "Tracker" for f in validate(read(book)))
    # a table (no style of its own: the cells' formats), so its filter follows the findings on every path
    table = ws.tables["Checks"]
    assert table.ref == table.autoFilter.ref == f"A1:G{len(want) + 1}" and ws.auto_filter.ref is None
    assert table.tableStyleInfo.name is None and [c.name for c in table.tableColumns] == [c.value for c in ws[1]]
    tracker = wb[schema.SHEET_NAMES["tracker"]]
    fills = {f.cell: tracker[f.cell].fill.fgColor.rgb for f in validate(read(book))}
    assert all(str(v).upper().endswith(("FFC7CE", "FFEB9C")) for v in fills.values()), fills    # highlighted


def test_start_here_first_and_conf_hidden(book):
    from savings_tracker.workbook.start import START_HERE
    wb = openpyxl.load_workbook(book, keep_vba=True)
    assert wb.sheetnames[0] == "Start here" and wb.active.title == "Start here"
    text = [c.value for row in wb["Start here"].iter_rows() for c in row if c.value]
    for heading, lines in START_HERE:
        assert heading in text and all(line in text for line in lines)
    assert wb[schema.SHEET_NAMES["conf"]].sheet_state == "hidden"
    # xlwings' VBA finds its settings by the sheet's name, hidden or not (xlwings.bas GetConfigFromSheet)
    bas = (Path(xlwings.__file__).parent / "xlwings.bas").read_text(errors="replace")
    body = bas[bas.index("Function GetConfigFromSheet"):bas.index("End Function", bas.index("Function GetConfigFromSheet"))]
    assert 'wb.Sheets(PROJECT_NAME & ".conf")' in body and "Visible" not in body


def test_readme_using_it_in_excel_has_the_start_here_steps():
    from savings_tracker.workbook.start import START_HERE
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme[readme.index("## Using it in Excel"):]
    section = section[:section.index("\n## ", 5)].replace("`", "")
    for heading, lines in START_HERE:
        assert heading in section, heading
        for line in lines:
            assert " ".join(line.split()) in " ".join(section.split()), line
    assert "savings-tracker doctor" in section


def test_history_options_settings_conf(book, sample):
    from savings_tracker.core.history import HISTORY_HEADERS
    wb = openpyxl.load_workbook(book, keep_vba=True)
    h = wb[schema.SHEET_NAMES["history"]].tables["History"]
    assert [c.name for c in h.tableColumns] == list(HISTORY_HEADERS)
    opts = read_register(samples.path("options"))
    t = wb[schema.SHEET_NAMES["options"]].tables[schema.TABLE_NAMES["options"]]
    assert [c.name for c in t.tableColumns] == [c.header_for(opts.settings, "options")
                                                for c in schema.columns_for("options", opts.years)]
    st = wb[schema.SHEET_NAMES["settings"]]
    rows = [[c.value for c in r] for r in st.iter_rows(max_col=3)]
    back = Settings.from_rows(rows)
    assert replace(back, per_layout={}) == sample.settings
    # the options register keeps its own unit, sign, years and organisation in 'options.*' rows
    mine = back.for_layout("options")
    assert (mine.unit, mine.sign, mine.years, mine.organisation) == (
        opts.settings.unit, opts.settings.sign, opts.settings.years, opts.settings.organisation)
    conf = wb[schema.SHEET_NAMES["conf"]]
    keys = {}
    for r in range(1, conf.max_row + 1):
        if conf.cell(r, 1).value is None:
            break
        keys[conf.cell(r, 1).value] = conf.cell(r, 2).value
    assert {"Interpreter_Win", "Interpreter_Mac", "PYTHONPATH", "UDF Modules", "Use UDF Server"} <= set(keys)
    assert keys["UDF Modules"] == "savings_tracker.excel.udfs" and keys["Use UDF Server"] is False
    notes = " ".join(str(conf.cell(r, 1).value) for r in range(len(keys) + 2, conf.max_row + 1))
    assert "Interpreter_Win" in notes and "administrator" in notes.lower()


# ---- round trip, reproducibility ---------------------------------------------------------------------------
def test_reader_reads_the_workbook_back(book, sample):
    back = read_register(book)
    assert back.layout == "tracker" and back.source.table == "Savings" and len(back) == len(sample)
    assert replace(back.settings, per_layout={}) == sample.settings
    for k in sample.keys:
        assert list(back.lines[k]) == list(sample.lines[k]), k
    opts = read_register(samples.path("options"))
    ob = read_register(book, layout="options")
    for k in opts.keys:
        assert list(ob.lines[k]) == list(opts.lines[k]), k
    assert not [f for f in back.read_findings if f.severity == "error"]


def test_rebuild_is_identical(tmp_path, fresh):
    again = build_fresh(tmp_path / "again.xlsm")
    assert again.read_bytes() == fresh.read_bytes()


def test_committed_workbook_equals_a_fresh_build(fresh):
    """Nobody hand-edits the committed workbook: regenerate it with
    `savings-tracker build-workbook --out workbook/Savings_Tracker.xlsm`."""
    assert fingerprint(COMMITTED) == fingerprint(fresh)


def test_no_timestamps(fresh):
    core = _xml(fresh, "docProps/core.xml")
    assert "2000-01-01T00:00:00Z" in core
    assert str(dt.date.today().year) not in core


def test_blank_workbook(tmp_path):
    out = build_workbook(tmp_path / "blank.xlsm", blank=True)
    back = read_register(out)
    assert len(back) == 0 and back.layout == "tracker"
    wb = openpyxl.load_workbook(out, keep_vba=True)
    assert wb[schema.SHEET_NAMES["tracker"]].tables["Savings"].totalsRowCount == 1
    assert build_workbook(tmp_path / "blank2.xlsm", blank=True).read_bytes() == out.read_bytes()


def test_cli_build_workbook(tmp_path):
    from savings_tracker.cli import app
    runner = CliRunner()
    out = tmp_path / "cli.xlsm"
    res = runner.invoke(app, ["build-workbook", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert fingerprint(out) == fingerprint(COMMITTED)
    res = runner.invoke(app, ["build-workbook", "--data", str(tmp_path / "missing.csv"), "--out", str(out)])
    assert res.exit_code == 2 and "no such file" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["build-workbook", "--out", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 2 and ".xlsm" in res.output
    res = runner.invoke(app, ["build-workbook", "--blank", "--out", str(tmp_path / "b.xlsm")])
    assert res.exit_code == 0 and len(read_register(tmp_path / "b.xlsm")) == 0


def test_appendix_choice_cells_are_named_dropdowns(book):
    wb = openpyxl.load_workbook(book, keep_vba=True)
    summary = wb[schema.SHEET_NAMES["summary"]]
    for name, default in (("AppendixTemplate", "tracker"), ("AppendixFormat", "pdf"), ("AppendixCommittee", "(all)")):
        dn = wb.defined_names[name]
        [(sheet, ref)] = list(dn.destinations)
        assert sheet == schema.SHEET_NAMES["summary"] and summary[ref.replace("$", "")].value == default
    lists = [dv.formula1 for dv in summary.data_validations.dataValidation]
    assert '"tracker,rag-analysis,options"' in lists and '"pdf,docx,html"' in lists
