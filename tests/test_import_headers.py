"""An imported workbook is the council's tracker: its Tracker shows the council's own headers, Settings
remembers the full mapping (header -> key), every reader and command reads it back exactly, and a header
renamed on the sheet or in Settings gets a clear message rather than a misread (issue 11)."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import councils as C
from clirun import run
from savings_tracker.core import schema
from savings_tracker.readers import read_register
from savings_tracker.readers.values import register_from_values
from savings_tracker.core.settings import Settings
from savings_tracker.workbook import builder as B

TRACKER = schema.SHEET_NAMES["tracker"]


@pytest.fixture
def built(tmp_path) -> Path:
    out = tmp_path / "anytown.xlsm"
    code, text = run("import", C.newcomer(tmp_path / "anytown.xlsx"), "--out", out)
    assert code == 0, text
    return out


def header_row(ws) -> list:
    return [c.value for c in ws[B.HEADER_ROW + 1]]


def settings_rows(wb) -> dict:
    return {r[0].value: r[1].value for r in wb[schema.SHEET_NAMES["settings"]].iter_rows(min_row=2) if r[0].value}


def test_the_tracker_shows_the_councils_own_headers_and_settings_remember_them(built):
    wb = openpyxl.load_workbook(built)
    heads = header_row(wb[TRACKER])
    for own in C.NEWCOMER_HEADERS:
        assert own in heads, (own, heads)
    assert "Original Saving" not in heads and "Title" not in heads
    column_map = json.loads(settings_rows(wb)["column_map"])
    assert column_map == {"Ref": "reference", "Saving Description": "title", "Directorate": "directorate",
                          "2025/26 Target £000": "plan_total", "Forecast £000": "forecast_total",
                          "Variance": "variance", "RAG Status": "rag", "Comments": "commentary"}
    # each council header says what the product reads it as, in a note on the header cell
    ws = openpyxl.load_workbook(built)[TRACKER]
    plan = heads.index("2025/26 Target £000") + 1
    note = ws.cell(B.HEADER_ROW + 1, plan).comment
    assert note is not None and "Original Saving" in note.text and "column_map" in note.text
    back = read_register(built)
    assert back.lines["plan_total"].tolist() == [Decimal(x[3]) for x in C.NEWCOMER_LINES]
    assert back.lines["title"].tolist() == [x[1] for x in C.NEWCOMER_LINES]
    assert not [f for f in back.read_findings if f.code.startswith("column-")]


def test_validate_refresh_snapshot_and_appendix_read_the_own_headers(built, tmp_path):
    code, out = run("validate", built)
    assert code == 0 and "0 error(s)" in out, out
    code, out = run("refresh", built)
    assert code == 0, out
    code, out = run("snapshot", built, "--period", "Month 6")
    assert code == 0, out
    html = tmp_path / "a.html"
    code, out = run("appendix", built, "--template", "tracker", "--format", "html", "--out", html)
    assert code == 0, out
    assert "Garden waste charge" in html.read_text(encoding="utf-8")
    # after refresh and snapshot the headers are still the council's and the figures the same
    wb = openpyxl.load_workbook(built)
    assert "2025/26 Target £000" in header_row(wb[TRACKER])
    assert read_register(built).lines["forecast_total"].tolist() == [Decimal(x[4]) for x in C.NEWCOMER_LINES]


def test_the_buttons_reader_reads_the_own_headers(built):
    wb = openpyxl.load_workbook(built, data_only=False)
    ws = wb[TRACKER]
    settings = Settings.from_rows([[c.value for c in r] for r in wb["Settings"].iter_rows()])
    top = B.HEADER_ROW + 1
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=top, max_row=top + len(C.NEWCOMER_LINES))]
    reg, headers = register_from_values(values, sheet=TRACKER, top=top, left=1, settings=settings)
    assert headers["plan_total"] == "2025/26 Target £000" and headers["rag"] == "RAG Status"
    assert reg.lines["plan_total"].tolist() == [Decimal(x[3]) for x in C.NEWCOMER_LINES]


def _rename_header(path: Path, old: str, new: str) -> None:
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb[TRACKER]
    for cell in ws[B.HEADER_ROW + 1]:
        if cell.value == old:
            cell.value = new
    table = ws.tables[schema.TABLE_NAMES["tracker"]]
    for col in table.tableColumns:
        if col.name == old:
            col.name = new
    wb.save(path)


def test_a_header_renamed_on_the_sheet_is_said_not_misread(built):
    _rename_header(built, "Forecast £000", "Latest position")       # a header nothing recognises
    code, out = run("validate", built)
    assert code == 1 and "column-renamed" in out
    assert "'Forecast £000' as forecast_total, but the table has no such header" in out
    assert "'Latest position'" in out and "column_map on the Settings sheet" in out
    code, out = run("summary", built)
    assert code == 2 and "could not be understood" in out and "Forecast £000" in out


def test_a_header_renamed_to_one_recognised_still_reads_and_warns(built):
    _rename_header(built, "2025/26 Target £000", "Target")
    reg = read_register(built)
    assert reg.lines["plan_total"].tolist() == [Decimal(x[3]) for x in C.NEWCOMER_LINES]
    [w] = [f for f in reg.read_findings if f.code == "column-renamed"]
    assert w.severity == "warning" and "column D 'Target' was read as plan_total instead" in w.message


def _edit_column_map(path: Path, change) -> None:
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb[schema.SHEET_NAMES["settings"]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "column_map":
            row[1].value = change(row[1].value)
    wb.save(path)


def test_a_header_renamed_in_settings_only_is_said(built):
    _edit_column_map(built, lambda v: v.replace('"RAG Status"', '"Delivery RAG"'))
    code, out = run("validate", built)
    # 'RAG Status' is still recognised as the RAG: read, and the stale entry is said
    assert code == 0 and "WARNING Tracker!G6 column-renamed" in out, out
    assert "'Delivery RAG' as rag, but the table has no such header; column G 'RAG Status' was read" in out


def test_a_key_mistyped_in_settings_is_said(built):
    _edit_column_map(built, lambda v: v.replace('"forecast_total"', '"forecast_totl"'))
    code, out = run("validate", built)
    assert code == 1 and "column-map-invalid" in out
    assert "'Forecast £000' as 'forecast_totl', which is not a column key" in out
    code, out = run("summary", built)
    assert code == 2 and "forecast_totl" in out


def test_settings_and_sheet_renamed_together_read_exactly(built):
    _rename_header(built, "Forecast £000", "Latest position")
    _edit_column_map(built, lambda v: v.replace('"Forecast £000"', '"Latest position"'))
    reg = read_register(built)
    assert not [f for f in reg.read_findings if f.code.startswith("column-")]
    assert reg.lines["forecast_total"].tolist() == [Decimal(x[4]) for x in C.NEWCOMER_LINES]


def test_the_buttons_work_on_the_own_headers(built, tmp_path):
    """Validate and Refresh RAG summary, the real button code through xlwings' remote engine."""
    import xlremote
    from savings_tracker.excel import buttons as xl

    wb = openpyxl.load_workbook(built, data_only=True)
    values = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    heads = header_row(wb[TRACKER])
    rag = openpyxl.utils.get_column_letter(heads.index("RAG Status") + 1)
    for name, button in (("validate", xl.validate), ("refresh", xl.refresh)):
        r = xlremote.run_macro(built, lambda: button(), out_path=tmp_path / f"{name}.xlsm", values_override=values)
        out = openpyxl.load_workbook(r.out_path)
        checks = [[c.value for c in row][:5] for row in out["Checks"].iter_rows(min_row=2) if row[0].value]
        assert checks == [["warning", TRACKER, f"{rag}{B.HEADER_ROW + 3}", "S02", "rag-disagrees"]], (name, checks)
        assert "2025/26 Target £000" in header_row(out[TRACKER])


def test_the_options_table_keeps_the_products_headers(built):
    """The council's headers are its register's: the blank Options table beside it is not renamed, and
    reading it reports no renamed column."""
    ws = openpyxl.load_workbook(built)[schema.SHEET_NAMES["options"]]
    heads = [c.value for c in next(r for r in ws.iter_rows() if r[0].value in ("Reference", "Ref"))]
    assert heads[:2] == ["Reference", "Title"]
    opts = read_register(built, layout="options")
    assert len(opts) == 0 and not [f for f in opts.read_findings if f.code.startswith("column-")]


def test_returns_from_an_imported_workbook_are_read_back(tmp_path):
    """Returns are read by the product's headers: an imported tracker's own headers (here --map'd ones the
    return reader could not know) do not go into the return files, and a return merges into the council's
    own columns."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Ref", "Saving Title", "Savings Owner", "Agreed Saving £000", "Latest view £000", "Delivery view"])
    ws.append(["A1", "One", "J Smith", -10, -5, "Red"])
    ws.append(["A2", "Two", "A Khan", -20, -20, "Green"])
    src = tmp_path / "own.xlsx"
    wb.save(src)
    built = tmp_path / "own.xlsm"
    code, out = run("import", src, "--out", built, "--map", "Agreed Saving £000=plan_total",
                    "--map", "Latest view £000=forecast_total", "--map", "Delivery view=rag")
    assert code == 0, out
    code, out = run("returns", "make", built, "--by", "owner", "--out", tmp_path / "returns")
    assert code == 0, out
    ret = tmp_path / "returns" / "Return - J Smith.xlsx"
    book = openpyxl.load_workbook(ret)
    ws = book["Return"]
    head_row = next(r for r in ws.iter_rows() if r[0].value == "Reference")
    heads = [c.value for c in head_row]
    assert "RAG" in heads and "Delivery view" not in heads and "Agreed Saving £000" not in heads
    ws.cell(head_row[0].row + 1, heads.index("RAG") + 1).value = "Amber"    # J Smith's new judgement
    book.save(ret)
    code, out = run("returns", "collect", tmp_path / "returns", "--into", built)
    assert code in (0, 1), out
    back = read_register(built)
    assert back.lines["rag"].tolist() == ["Amber", "Green"], out
    assert "Delivery view" in header_row(openpyxl.load_workbook(built)[TRACKER])
