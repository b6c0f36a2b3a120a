"""LibreOffice headless engine. Never skipped: without LibreOffice these tests fail
(LibreOfficeMissing names the Debian packages), in CI and locally."""

from __future__ import annotations

import io
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import xlsxwriter

try:
    from savings_tracker import libreoffice as lo
except ImportError:  # running without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
    from savings_tracker import libreoffice as lo

# The structured-reference forms LibreOffice 7.4 and Excel both evaluate.
ROW_TOTAL = "=SUM(Savings[[#This Row],[Plan Q1]:[Plan Q2]])"
TOTALS = {col: f"=SUBTOTAL(109,Savings[{col}])" for col in ("Plan Q1", "Plan Q2", "Plan Total")}
ROWS = [("Finance", 10, 20), ("Health", 1.5, 2.5), ("Finance", 100, 0)]


def build(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    data = book.add_worksheet("Data")
    data.add_table(f"A1:D{len(ROWS) + 2}", {
        "name": "Savings",
        "data": [list(r) + [None] for r in ROWS],
        "total_row": True,
        "columns": [
            {"header": "Committee", "total_string": "Total"},
            # A string total_function that is not a built-in name is written as a custom totals formula
            # (totalsRowFunction="custom"); "sum" would write SUBTOTAL(109,[Plan Q1]), which LO can't evaluate.
            {"header": "Plan Q1", "total_function": TOTALS["Plan Q1"]},
            {"header": "Plan Q2", "total_function": TOTALS["Plan Q2"]},
            {"header": "Plan Total", "formula": ROW_TOTAL, "total_function": TOTALS["Plan Total"]},
        ],
    })
    summary = book.add_worksheet("Summary")
    summary.write_row("A1", ["Committee", "Plan Total", "Rows"])
    for row, committee in enumerate(["Finance", "Health", "Other"], start=2):
        summary.write(f"A{row}", committee)
        summary.write_formula(f"B{row}", f"=SUMIFS(Savings[Plan Total],Savings[Committee],A{row})")
    summary.write_formula("C2", "=ROWS(Savings[[#Data]])")
    summary.write_formula("C3", "=Savings[[#Totals],[Plan Total]]")
    summary.write_formula("C4", "=SUM(Savings[[Plan Q1]:[Plan Q2]])")
    # Known not to work in LibreOffice 7.4 (Excel accepts them): pinned so a change shows up.
    summary.write_formula("D2", "=[@[Plan Q1]]")  # written table-relative, outside a table: error anyway
    summary.write_formula("D3", "=ROWS(Savings[#Data])")
    book.close()
    return path


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("lo") / "savings.xlsx")


@pytest.fixture(scope="module")
def values(book: Path) -> dict[str, list[list]]:
    return lo.recalculate(book)


def test_engine_available() -> None:
    assert Path(lo.find_soffice()).is_file()
    assert lo.uno_python()


def test_table_row_and_totals_formulas(values: dict[str, list[list]]) -> None:
    assert values["Data"] == [
        ["Committee", "Plan Q1", "Plan Q2", "Plan Total"],
        ["Finance", 10.0, 20.0, 30.0],
        ["Health", 1.5, 2.5, 4.0],
        ["Finance", 100.0, 0.0, 100.0],
        ["Total", 111.5, 22.5, 134.0],
    ]


def test_cross_sheet_table_references(values: dict[str, list[list]]) -> None:
    summary = values["Summary"]
    assert [row[1] for row in summary[1:4]] == [130.0, 4.0, 0.0]
    assert summary[1][2] == 3.0  # ROWS(Savings[[#Data]])
    assert summary[2][2] == 134.0  # Savings[[#Totals],[Plan Total]]
    assert summary[3][2] == 134.0  # SUM(Savings[[Plan Q1]:[Plan Q2]])
    assert isinstance(summary[1][3], str) and summary[1][3].startswith(("Err:", "#"))
    assert summary[2][3] == "#NAME?"  # Savings[#Data] (single brackets) is not understood by LO 7.4


def test_sheet_selection_and_empty_cells(book: Path) -> None:
    only = lo.recalculate(book, ["Summary"])
    assert list(only) == ["Summary"]
    assert only["Summary"][0][3] is None
    with pytest.raises(lo.LibreOfficeError, match="No sheet"):
        lo.recalculate(book, ["Nope"])


def test_formulas(book: Path) -> None:
    found = lo.formulas(book, "Data")
    assert found["D2"] == "=SUM(Savings[[#This Row];[Plan Q1]:[Plan Q2]])"
    assert found["B5"] == "=SUBTOTAL(109;Savings[Plan Q1])"
    assert "A2" not in found


def test_vba_modules(tmp_path: Path) -> None:
    from savings_tracker.workbook.vba import build_vba_project

    path = tmp_path / "macro.xlsm"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_vba_project(io.BytesIO(build_vba_project(["Sheet1", "Sheet2"])), is_stream=True)
    wb.set_vba_name("ThisWorkbook")
    for name in ("Sheet1", "Sheet2"):
        wb.add_worksheet().set_vba_name(name)
    wb.close()
    from savings_tracker.workbook.vba import VBA_MODULE_NAMES
    assert sorted(lo.vba_modules(path)) == sorted(["Sheet1", "Sheet2", "ThisWorkbook", *VBA_MODULE_NAMES])


def test_convert_and_png(book: Path, tmp_path: Path) -> None:
    pdf = lo.convert(book, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    png = lo.sheet_to_png(book, "Summary", tmp_path / "summary.png")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_parallel_runs(book: Path) -> None:
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: lo.recalculate(book, ["Data"]), range(3)))
    assert all(r == results[0] for r in results)


def test_timeout_is_an_error_not_a_hang(book: Path) -> None:
    start = time.monotonic()
    with pytest.raises(lo.LibreOfficeError, match="timed out"):
        lo.recalculate(book, timeout=0.5)
    assert time.monotonic() - start < 30


def test_missing_uno_python_is_named(monkeypatch: pytest.MonkeyPatch, book: Path) -> None:
    monkeypatch.setenv("SAVINGS_TRACKER_UNO_PYTHON", "/nonexistent/python3")
    with pytest.raises(lo.LibreOfficeMissing, match="libreoffice-calc python3-uno"):
        lo.recalculate(book)
