"""The closed-file writer (xlsx.apply): cells written in the XML, everything else copied raw."""
import math
import re
import zipfile

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from savings_tracker.xlsx.apply import patch_workbook
from savings_tracker.xlsx.package import PatchError, read_parts
from savings_tracker.xlsx.sheet import CellFormula


def raw_entries(path):
    """name -> (compress_type, CRC, compressed bytes) exactly as stored."""
    out = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
        for i in zf.infolist():
            fh.seek(i.header_offset + 26)
            n, e = int.from_bytes(fh.read(2), "little"), int.from_bytes(fh.read(2), "little")
            fh.seek(i.header_offset + 30 + n + e)
            out[i.filename] = (i.compress_type, i.CRC, fh.read(i.compress_size), i.date_time)
    return out


@pytest.fixture
def book(tmp_path):
    p = tmp_path / "b.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("Data")
    bold = wb.add_format({"bold": True, "bg_color": "#FFFF00"})
    ws.write_row(0, 0, ["Ref", "Amount", "Twice"], bold)
    for r in range(1, 4):
        ws.write(r, 0, f"R{r}")
        ws.write_number(r, 1, r * 10, bold)
        ws.write_formula(r, 2, f"=B{r + 1}*2", None, r * 20)
    ws.add_table(0, 0, 3, 2, {"name": "Things", "columns": [{"header": "Ref"}, {"header": "Amount"},
                                                             {"header": "Twice", "formula": "=[@Amount]*2"}]})
    ws.data_validation("B2:B4", {"validate": "decimal", "criteria": ">", "value": -1000})
    ws.conditional_format("B2:B4", {"type": "cell", "criteria": "<", "value": 0, "format": bold})
    other = wb.add_worksheet("Mine")
    other.write("A1", "user's own sheet")
    wb.define_name("Amounts", "=Data!$B$2:$B$4")
    wb.close()
    return p


def values(path, sheet):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_only_the_patched_sheet_and_workbook_change_and_the_rest_is_copied_raw(book, tmp_path):
    out = tmp_path / "o.xlsx"
    rep = patch_workbook(book, out, {"Data": {"B2": 11.5}})
    a, b = raw_entries(book), raw_entries(out)
    assert list(a) == list(b)                                   # same parts, same order
    changed = {k for k in a if a[k][:3] != b[k][:3]}
    assert changed == {"xl/worksheets/sheet1.xml", "xl/workbook.xml"} == set(rep.parts_rewritten)
    assert all(a[k][3] == b[k][3] for k in a)                    # timestamps kept
    assert values(out, "Data")[1][1] == 11.5
    assert b'fullCalcOnLoad="1"' in read_parts(out)["xl/workbook.xml"]
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None


def test_cells_keep_their_style_and_types(book, tmp_path):
    out = tmp_path / "o.xlsx"
    patch_workbook(book, out, {"Data": {"B2": None, "B3": "=HYPERLINK(\"x\")", "A4": "  padded  ",
                                        "C2": CellFormula("=B2*3", 0), "E9": True}})
    xml = read_parts(out)["xl/worksheets/sheet1.xml"].decode()
    before = read_parts(book)["xl/worksheets/sheet1.xml"].decode()
    style = re.search(r'<c r="B2" s="(\d+)"', before).group(1)
    assert re.search(rf'<c r="B2" s="{style}"/>', xml)          # cleared, formatting kept
    assert re.search(rf'<c r="B3" s="{style}" t="inlineStr"><is><t>=HYPERLINK\("x"\)</t>', xml)  # text, not formula
    assert '<t xml:space="preserve">  padded  </t>' in xml
    assert '<f>B2*3</f><v>0</v>' in xml
    assert '<c r="E9" t="b"><v>1</v></c>' in xml
    v = values(out, "Data")
    assert v[2][1] == '=HYPERLINK("x")' and v[3][0] == "  padded  "
    # validations and conditional formats untouched
    for tag in ("dataValidations", "conditionalFormatting"):
        assert re.search(f"<{tag}.*?</{tag}>", before).group(0) == re.search(f"<{tag}.*?</{tag}>", xml).group(0)


def test_appending_rows_extends_the_table_with_its_calculated_column(book, tmp_path):
    out = tmp_path / "o.xlsx"
    rep = patch_workbook(book, out, {"Data": {"A5": "R4", "B5": 40, "A6": "R5", "B6": 50}})
    assert rep.tables_resized == {"Things": "A1:C6"}
    parts = read_parts(out)
    table = parts["xl/tables/table1.xml"].decode()
    assert 'ref="A1:C6"' in table and '<autoFilter ref="A1:C6"/>' in table
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    above = re.search(r'<c r="C4"[^>]*><f>(.*?)</f>', sheet).group(1)      # the calculated column's formula
    assert re.search(rf'<c r="C6"[^>]*><f>{re.escape(above)}</f>', sheet)
    assert 'sqref="B2:B6"' in sheet                                # validation follows the table
    assert re.search(r'<c r="B6" s="\d+"', sheet)                  # new body cell takes the style above


def test_shared_formulas_are_expanded_when_touched(tmp_path):
    src = tmp_path / "s.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    wb.add_worksheet("S").write("A1", 1)
    wb.close()
    parts = read_parts(src)
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    shared = ('<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f>'
              '<v>2</v></c></row><row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c>'
              '</row><row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/><v>6</v></c></row></sheetData>')
    sheet = re.sub(r"<sheetData>.*</sheetData>", shared, sheet)
    src2 = tmp_path / "s2.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(src2, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            zout.writestr(i, sheet if i.filename == "xl/worksheets/sheet1.xml" else zin.read(i))
        zout.writestr("xl/calcChain.xml", '<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                      'main"><c r="B1" i="1"/><c r="B2"/><c r="B3"/></calcChain>')
    out = tmp_path / "o.xlsx"
    rep = patch_workbook(src2, out, {"S": {"B1": 99}})             # overwrite the master of the group
    xml = read_parts(out)["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="B1"><v>99</v></c>' in xml
    assert "<f>A2*2</f>" in xml and "<f>A3*2</f>" in xml and 't="shared"' not in xml
    assert rep.parts_dropped == ["xl/calcChain.xml"]                # a formula became a value


def test_errors_are_clear(book, tmp_path):
    with pytest.raises(PatchError, match="no sheet named 'Nope'.*sheets: Data, Mine"):
        patch_workbook(book, tmp_path / "o.xlsx", {"Nope": {"A1": 1}})
    with pytest.raises(PatchError, match="Data cell B2: nan is not a number"):
        patch_workbook(book, tmp_path / "o.xlsx", {"Data": {"B2": math.nan}})
    with pytest.raises(PatchError, match="'ZZZZ1' is not a cell reference"):
        patch_workbook(book, tmp_path / "o.xlsx", {"Data": {"ZZZZ1": 1}})


def test_control_characters_and_overlong_text_are_made_safe(book, tmp_path):
    out = tmp_path / "o.xlsx"
    patch_workbook(book, out, {"Data": {"A2": "bell\x07 and nul\x00", "A3": "x" * 40_000}})
    v = values(out, "Data")
    assert v[1][0] == "bell and nul" and len(v[2][0]) == 32_767
