"""Tests for the test-only harness tests/xlremote.py (xlwings remote engine, no Excel)."""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import Table, TableStyleInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import xlremote  # noqa: E402
from xlremote import (  # noqa: E402
    UnsupportedActionError,
    apply_actions,
    caller_book_for,
    open_remote_book,
    payload_from_workbook,
    run_macro,
)

import xlwings as xw  # noqa: E402  (after xlremote: it sets the licence key)


def build_workbook(path: Path, nrows: int = 5) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tracker"
    ws.append(["Scheme", "Plan", "Start"])
    for i in range(nrows):
        ws.append([f"Scheme {i + 1}", 1000 * (i + 1), dt.date(2024, 4, 1) + dt.timedelta(days=i)])
    table = Table(displayName="Savings", ref=f"A1:C{nrows + 1}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    report = wb.create_sheet("Report")
    report["A20"] = "keep me"
    wb.save(path)
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(ws) -> dict:
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            fill = cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None
            link = cell.hyperlink.location if cell.hyperlink is not None else None
            if cell.value is not None or fill or link:
                out[cell.coordinate] = (cell.value, fill, link)
    return out


def tracker_macro(book: xw.Book) -> None:
    tracker = book.sheets["Tracker"]
    body = tracker.tables["Savings"].data_body_range.value  # one read
    total = sum(row[1] for row in body)
    report = book.sheets["Report"]
    report["A1"].value = [["Schemes", "Total plan"], [len(body), total]]  # one write
    report["A1"].color = (255, 0, 0)
    report["A5"].add_hyperlink("#Tracker!B3", "Go to tracker")
    book.sheets.add("Log", after=book.sheets["Report"])


def test_payload_schema(tmp_path):
    path = build_workbook(tmp_path / "in.xlsx")
    p = payload_from_workbook(path)
    assert p["version"] == xw.__version__
    assert p["book"] == {"name": "in.xlsx", "active_sheet_index": 0, "selection": "$A$1",
                         "calculation": "Automatic"}
    tracker, report = p["sheets"]
    assert tracker["values"][0] == ["Scheme", "Plan", "Start"]
    # numbers as floats (like Excel/COM), dates as ISO strings with "Z"
    assert tracker["values"][1] == ["Scheme 1", 1000.0, "2024-04-01T00:00:00.000Z"]
    assert report["values"][0] == [""]  # empty cells are ""
    (table,) = tracker["tables"]
    assert table["name"] == "Savings"
    assert table["range_address"] == "$A$1:$C$6"
    assert table["header_row_range_address"] == "$A$1:$C$1"
    assert table["data_body_range_address"] == "$A$2:$C$6"
    assert table["total_row_range_address"] is None
    assert (table["show_headers"], table["show_totals"], table["show_autofilter"]) == (
        True, False, True)

    book = xw.Book(json=p)
    start = book.sheets["Tracker"].tables["Savings"].data_body_range.value[0][2]
    assert start == dt.datetime(2024, 4, 1)
    assert book.sheets["Report"]["B1"].value is None


def test_names_in_payload(tmp_path):
    path = build_workbook(tmp_path / "in.xlsx")
    wb = openpyxl.load_workbook(path)
    from openpyxl.workbook.defined_name import DefinedName

    wb.defined_names["FirstPlan"] = DefinedName("FirstPlan", attr_text="Tracker!$B$2")
    wb.save(path)
    book = open_remote_book(path)
    assert book.names["FirstPlan"].refers_to_range.value == 1000.0
    assert book.sheets["Tracker"]["FirstPlan"].value == 1000.0


def test_run_macro_applies_exactly_the_effects(tmp_path):
    path = build_workbook(tmp_path / "in.xlsx")
    before = sha(path)
    wb_in = openpyxl.load_workbook(path)
    run = run_macro(path, tracker_macro, out_path=tmp_path / "out.xlsx")

    assert sha(path) == before  # input untouched
    assert [a["func"] for a in run.actions] == [
        "setValues", "setRangeColor", "addHyperlink", "addSheet"]
    assert run.alerts == []

    wb = openpyxl.load_workbook(run.out_path)
    assert wb.sheetnames == ["Tracker", "Report", "Log"]
    assert snapshot(wb["Tracker"]) == snapshot(wb_in["Tracker"])
    assert "Savings" in wb["Tracker"].tables
    assert snapshot(wb["Report"]) == {
        "A1": ("Schemes", "FFFF0000", None),
        "B1": ("Total plan", None, None),
        "A2": (5, None, None),
        "B2": (15000, None, None),
        "A5": ("Go to tracker", None, "Tracker!B3"),
        "A20": ("keep me", None, None),
    }
    assert snapshot(wb["Log"]) == {}


def test_action_count_independent_of_table_rows(tmp_path):
    runs = {}
    for n in (10, 10_000):
        path = build_workbook(tmp_path / f"in{n}.xlsx", nrows=n)
        runs[n] = run_macro(path, tracker_macro, out_path=tmp_path / f"out{n}.xlsx")
    assert [a["func"] for a in runs[10].actions] == [a["func"] for a in runs[10_000].actions]
    assert len(runs[10].actions) == len(runs[10_000].actions) == 4
    out = openpyxl.load_workbook(runs[10_000].out_path)
    assert out["Report"]["A2"].value == 10_000


def test_caller_book_for(tmp_path):
    path = build_workbook(tmp_path / "in.xlsx")

    def button_macro():  # RunPython style
        book = xw.Book.caller()
        book.sheets["Report"]["B2"].value = book.sheets["Tracker"]["A2"].value
        book.app.alert("Done")

    with caller_book_for(path) as book:
        button_macro()
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["setValues", "alert"]
    assert actions[0]["sheet_position"] == 1
    assert (actions[0]["start_row"], actions[0]["start_column"]) == (1, 1)  # zero-based
    assert "_mock_caller" not in vars(xw.Book)  # mock caller removed again
    with pytest.raises(Exception):
        xw.Book.caller()

    alerts = apply_actions(book, path, tmp_path / "out.xlsx")
    assert alerts[0]["prompt"] == "Done"
    assert openpyxl.load_workbook(tmp_path / "out.xlsx")["Report"]["B2"].value == "Scheme 1"

    run = run_macro(path, button_macro, out_path=tmp_path / "out2.xlsx")
    assert [a["prompt"] for a in run.alerts] == ["Done"]


def test_formatting_formulas_and_structure_actions(tmp_path):
    path = build_workbook(tmp_path / "in.xlsx")

    def macro(book):
        sheet = book.sheets["Report"]
        sheet["A1"].value = [["=SUM(Tracker!B2:B6)", dt.date(2024, 5, 1), None]]
        sheet["A1"].font.bold = True
        sheet["A1"].font.color = "#0000FF"
        sheet["B1"].number_format = "dd/mm/yyyy"
        sheet["A3"].add_hyperlink("https://example.org", "site")
        sheet.freeze_panes.freeze_at("1:1")
        sheet.name = "Summary"
        book.sheets["Tracker"].activate()
        book.sheets["Tracker"]["A3:C3"].delete("up")

    run = run_macro(path, macro, out_path=tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(run.out_path)
    ws = wb["Summary"]
    assert ws["A1"].value == "=SUM(Tracker!B2:B6)"
    assert ws["B1"].value == dt.datetime(2024, 5, 1)
    assert ws["B1"].number_format == "dd/mm/yyyy"
    assert ws["C1"].value is None
    assert ws["A1"].font.b and ws["A1"].font.color.rgb == "FF0000FF"
    assert ws["A3"].hyperlink.target == "https://example.org"
    assert ws.freeze_panes == "A2"
    assert wb.active.title == "Tracker"
    assert wb["Tracker"]["A3"].value == "Scheme 3"


def test_unknown_action_raises(tmp_path):
    path = build_workbook(tmp_path / "in.xlsx")
    with pytest.raises(UnsupportedActionError, match="rangeSort"):
        apply_actions([{"func": "rangeSort", "args": [], "sheet_position": 0}], path,
                      tmp_path / "out.xlsx")


def test_values_override(tmp_path):
    import xlsxwriter

    path = tmp_path / "xw.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Tracker")
    ws.write_row(0, 0, [1, 2])
    ws.write_formula(0, 2, "=A1+B1")  # XlsxWriter caches 0
    wb.close()
    assert payload_from_workbook(path)["sheets"][0]["values"] == [[1.0, 2.0, 0.0]]
    book = open_remote_book(path, values_override={"Tracker": [[1, 2, 3]]})
    assert book.sheets["Tracker"]["A1:C1"].value == [1.0, 2.0, 3.0]
    assert xlremote.SUPPORTED_ACTIONS >= {"setValues", "setRangeColor", "addHyperlink",
                                          "addSheet", "alert"}


def test_xlsm_keeps_vba_project(tmp_path):
    import zipfile

    import pyopenvba  # a product dependency: its absence is a failure
    path = tmp_path / "in.xlsm"
    pyopenvba.ExcelFile.create_new(str(path))

    def macro(book):
        book.sheets[0]["A1"].value = [[1, 2]]

    run = run_macro(path, macro, out_path=tmp_path / "out.xlsm")
    with zipfile.ZipFile(run.out_path) as z:
        assert "xl/vbaProject.bin" in z.namelist()
        assert "macroEnabled.main+xml" in z.read("[Content_Types].xml").decode()
    assert openpyxl.load_workbook(run.out_path).worksheets[0]["B1"].value == 2
