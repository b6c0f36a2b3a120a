"""End to end: a tiny XlsxWriter workbook carrying the project from build_vba_project."""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import pytest

try:
    from savings_tracker.workbook import vba
except ImportError:  # running without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
    from savings_tracker.workbook import vba

import openpyxl
import xlsxwriter
import xlwings

CODE_NAMES = [f"Sheet{i}" for i in range(1, 4)]
BUTTONS = {
    "ValidateEntries": "Validate",
    "RefreshSummary": "Refresh",
    "TakeSnapshot": "Snapshot",
    "GenerateAppendix": "Appendix",
}
MACRO_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def write_workbook(path: Path, project: bytes) -> Path:
    book = xlsxwriter.Workbook(str(path))
    book.add_vba_project(io.BytesIO(project), is_stream=True)
    book.set_vba_name("ThisWorkbook")
    for index, code in enumerate(CODE_NAMES, start=1):
        sheet = book.add_worksheet(f"Tab {index}")
        sheet.set_vba_name(code)
        if index == 1:
            for row, (macro, caption) in enumerate(BUTTONS.items()):
                sheet.insert_button(f"B{2 + row * 3}", {"macro": macro, "caption": caption})
    book.close()
    return path


@pytest.fixture(scope="module")
def project() -> bytes:
    return vba.build_vba_project(CODE_NAMES)


@pytest.fixture(scope="module")
def xlsm(project: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workbook(tmp_path_factory.mktemp("vba") / "tiny.xlsm", project)


def test_content_types_are_macro_enabled(xlsm: Path) -> None:
    with zipfile.ZipFile(xlsm) as package:
        types = package.read("[Content_Types].xml").decode()
        names = package.namelist()
        workbook = package.read("xl/workbook.xml").decode()
        rels = package.read("xl/_rels/workbook.xml.rels").decode()
    assert re.search(rf'PartName="/xl/workbook.xml" ContentType="{re.escape(MACRO_CONTENT_TYPE)}"', types)
    assert 'ContentType="application/vnd.ms-office.vbaProject"' in types
    assert "xl/vbaProject.bin" in names
    assert "relationships/vbaProject" in rels
    assert 'codeName="ThisWorkbook"' in workbook


def test_sheet_code_names_match_document_modules(xlsm: Path) -> None:
    with zipfile.ZipFile(xlsm) as package:
        carried = [re.search(r'<sheetPr[^>]*codeName="([^"]+)"', package.read(f"xl/worksheets/sheet{i}.xml").decode())
                   .group(1) for i in range(1, len(CODE_NAMES) + 1)]
    assert carried == CODE_NAMES
    modules = vba.read_modules(xlsm)
    documents = [name for name in modules if name not in vba.VBA_MODULE_NAMES]
    assert documents == ["ThisWorkbook", *CODE_NAMES]


def test_openpyxl_keeps_vba(xlsm: Path, project: bytes) -> None:
    book = openpyxl.load_workbook(xlsm, keep_vba=True)
    assert book.vba_archive is not None
    assert book.vba_archive.read("xl/vbaProject.bin") == project
    assert [ws.sheet_properties.codeName for ws in book.worksheets] == CODE_NAMES


def test_modules_read_back(xlsm: Path) -> None:
    modules = vba.read_modules(xlsm)
    assert set(modules) == {"ThisWorkbook", *CODE_NAMES, *vba.VBA_MODULE_NAMES}
    shipped = vba.xlwings_bas_path().read_bytes().decode("cp1252").replace("\r\n", "\n")
    assert modules["xlwings"] == shipped
    assert vba.xlwings_vba_version(xlsm) == xlwings.__version__
    assert modules["SavingsTracker"] == vba.SAVINGS_TRACKER_BAS.read_text(encoding="utf-8")
    # the class xlwings' module needs on macOS, as a class module (VB_Base set, export preamble gone)
    assert "Dictionary" in vba.VBA_MODULE_NAMES
    assert "Public Function Exists(" in modules["Dictionary"] or "Public Function Exists" in modules["Dictionary"]
    assert not modules["Dictionary"].startswith("VERSION 1.0 CLASS")
    for name in ["ThisWorkbook", *CODE_NAMES]:
        assert "Sub " not in modules[name], "document modules hold no code (nothing runs on open)"
    for source in modules.values():
        assert not re.search(r"^\s*(Public\s+|Private\s+)?Sub\s+(Workbook_Open|Auto_Open)\b", source, re.I | re.M)


def test_buttons_resolve_to_runpython_subs(xlsm: Path) -> None:
    with zipfile.ZipFile(xlsm) as package:
        vml = "".join(package.read(n).decode() for n in package.namelist()
                      if n.startswith("xl/drawings/vmlDrawing"))
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert sorted(macros) == sorted(BUTTONS)
    source = vba.read_modules(xlsm)["SavingsTracker"]
    subs = vba.vba_sub_names(source, public_only=True)
    for macro in macros:
        assert macro in subs
        body = re.search(rf"Sub {macro}\(\)\n(.*?)\nEnd Sub", source, re.S).group(1)
        assert re.fullmatch(r'\s*RunPython "import savings_tracker\.excel\.buttons as st; st\.\w+\(\)"', body)
    # ... and RunPython is the xlwings module's.
    assert "RunPython" in vba.vba_sub_names(vba.read_modules(xlsm)["xlwings"]) | set(
        re.findall(r"^Public Function (\w+)", vba.read_modules(xlsm)["xlwings"], re.M))


def test_reproducible(project: bytes, tmp_path: Path) -> None:
    again = vba.build_vba_project(CODE_NAMES)
    assert vba.read_modules(again) == vba.read_modules(project)
    assert again == project


def test_custom_code_names() -> None:
    names = ["Summary", "Savings", "Lists"]
    assert list(vba.read_modules(vba.build_vba_project(names)))[: 4] == ["ThisWorkbook", *names]
    with pytest.raises(ValueError):
        vba.build_vba_project(["Sheet1", "sheet1"])
