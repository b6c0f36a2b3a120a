"""Edits written into a worksheet as text (xlsx.stream) give the workbook the lxml path gives: the same
commands on the sample workbook (typed-over formulas restored, marks set and cleared, Summary rows
inserted, snapshot), on a workbook re-saved by LibreOffice, and hand-made cells of every kind."""
import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from savings_tracker import cli
from savings_tracker.xlsx import stream
from savings_tracker.xlsx.apply import patch_workbook
from savings_tracker.xlsx.package import read_parts
from savings_tracker.xlsx.sheet import CellFormula, CellResult, patch_sheet
from savings_tracker.xlsx.styles import Styles, mark_sheet
from savings_tracker.readers import read_register

from test_headless import built  # noqa: F401  (the sample workbook with a user's sheet)
from test_xlsx_slices import canonical

M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def commands(path):
    reg = read_register(path)
    typed = path.with_name("typed.xlsm")
    # a typed-over total, a broken RAG and new committees: formulas restored, marks, Summary rows inserted
    patch_workbook(path, typed, {reg.source.sheet: {"J9": 12345, "O12": -999, "R20": "Purple",
                                                    "D30": "Public Health", "D31": "Economy"}})
    typed.replace(path)
    codes = [cli.main([*args, "--backups", "0"]) for args in
             (["refresh", str(path)], ["snapshot", str(path), "--period", "October 2017"], ["refresh", str(path)])]
    return codes, read_parts(path)


def assert_same_parts(a: dict, b: dict):
    assert list(a) == list(b)
    for name in a:
        if name.startswith("xl/worksheets/sheet"):
            assert canonical(a[name]) == canonical(b[name]), name
        elif name not in ("docProps/core.xml",):
            assert a[name] == b[name], name


def test_text_edits_give_the_workbook_the_lxml_path_gives(built, tmp_path, monkeypatch):
    used = []
    real = stream.patch_rows
    monkeypatch.setattr(stream, "patch_rows", lambda *a: used.append(1) or real(*a))
    out = {}
    for enabled in (False, True):
        p = tmp_path / f"{enabled}.xlsm"
        p.write_bytes(built)
        monkeypatch.setattr(stream, "ENABLED", enabled)
        out[enabled] = commands(p)
    assert used and out[True][0] == out[False][0]
    assert_same_parts(out[False][1], out[True][1])


def sheet(rows: str, dim: str = "A1:D4") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{M}">'
            f'<dimension ref="{dim}"/><sheetData>{rows}</sheetData></worksheet>').encode()


ROWS = ('<row r="1" spans="1:4"><c r="A1" s="2" t="inlineStr"><is><t>Ref</t></is></c><c r="B1"><v>1</v></c>'
        '<c r="C1" s="3"><f>SUM(B1:B3)</f><v>6</v></c><c r="D1" s="1" t="str"><f>A1&amp;"x"</f><v>Refx</v></c></row>'
        '<row r="2"><c r="A2" s="4"/><c r="B2" t="b"><v>1</v></c><c r="C2"><f>B2*2</f></c>'
        '<c r="D2"><v>3</v><extLst><ext uri="x"/></extLst></c></row>'
        '<row r="4"><c r="B4" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>')

EDITS = {
    (1, 1): "  leading & <trailing>\r\n", (1, 2): Decimal("-12.50"), (1, 3): CellResult(Decimal("7")),
    (1, 4): CellResult("text result"), (2, 1): None, (2, 2): True, (2, 3): CellFormula("=B2*3", 9),
    (2, 4): "kept extLst", (3, 2): dt.date(2017, 10, 31), (3, 3): CellFormula("B3&\"<\"", "a<"),
    (4, 2): 2.5, (4, 3): None, (4, 4): CellResult(1), (1, 6): 1e17, (2, 5): None, (2, 6): CellResult(3),
}


SAME = {(1, 1): "Ref", (1, 2): 1, (1, 3): 6, (1, 4): CellFormula('A1&"x"', "Refx"), (4, 2): "#DIV/0!"}


@pytest.mark.parametrize("edits", [EDITS, SAME, {(2, 1): None}, {(1, 3): 5}, {(5, 1): "new row"}, {}])
def test_each_kind_of_cell_is_written_as_the_lxml_path_writes_it(monkeypatch, edits):
    xml = sheet(ROWS)
    assert stream.patch_rows(xml, dict(edits), [], "Data") is not None     # the text path takes it
    text = patch_sheet(xml, dict(edits), [], "Data")
    monkeypatch.setattr(stream, "ENABLED", False)
    tree = patch_sheet(xml, dict(edits), [], "Data")
    assert text[1] == tree[1]
    assert canonical(text[0]) == canonical(tree[0])


def test_rows_the_text_path_does_not_take_apart_go_the_lxml_way():
    shared = ROWS.replace('<c r="C2"><f>B2*2</f></c>', '<c r="C2"><f t="shared" ref="C2:C4" si="0">B2*2</f></c>')
    assert stream.patch_rows(sheet(shared), {(2, 3): 5}, [], "Data") is None      # a shared formula
    assert stream.patch_rows(sheet(ROWS.replace('<row r="4">', '<row r="0">')), {(1, 1): 1}, [], "Data") is None
    odd = ROWS.replace('<c r="B1"><v>1</v></c>', '<c r="B1"><v>1</v></c><!-- a comment -->')
    assert stream.patch_rows(sheet(odd), {(1, 5): 2}, [], "Data") is None       # a cell inserted beside it


def test_marks_are_written_as_the_lxml_path_writes_them(monkeypatch):
    styles_xml = (f'<styleSheet xmlns="{M}"><fills count="2"><fill><patternFill patternType="none"/></fill>'
                  '<fill><patternFill patternType="gray125"/></fill></fills><cellXfs count="5">'
                  + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * 5 + '</cellXfs></styleSheet>').encode()
    xml = sheet(ROWS)
    out = {}
    for enabled in (True, False):
        monkeypatch.setattr(stream, "ENABLED", enabled)
        styles = Styles(styles_xml, ["#FFC7CE", "#FFEB9C"])
        first, n1 = mark_sheet(xml, styles, [], {"A1": "#FFC7CE", "C2": "#FFEB9C", "A5": "#FFC7CE", "E1": "#FFEB9C"})
        second, n2 = mark_sheet(first, styles, ["A1", "B1:D2"], {"B2": "#FFC7CE"})
        out[enabled] = (canonical(first), n1, canonical(second), n2, styles.to_bytes())
    assert out[True] == out[False]
    assert out[True][1] == 4


def test_unchanged_rows_are_kept_byte_for_byte():
    xml = sheet(ROWS)
    same = {(1, 1): "Ref", (1, 2): 1, (1, 4): CellFormula('A1&"x"', "Refx")}
    assert stream.patch_rows(xml, same, [], "Data")[0] == xml.replace(b' spans="1:4"', b"")   # nothing rewritten
    new, _ = stream.patch_rows(xml, {(4, 2): CellResult("#DIV/0!")}, [], "Data")
    assert new.split(b'<row r="4"')[0] == xml.split(b'<row r="4"')[0]
    root = etree.fromstring(new)
    assert root.find(f"{{{M}}}sheetData")[2][0].get("t") == "str"


def test_a_workbook_saved_by_libreoffice_gets_the_same_edits_on_both_paths(built, tmp_path, monkeypatch):
    """LibreOffice (like Excel) saves text as shared strings: a text cell written again with the same text is
    left as it is on both paths, and every other edit is the same."""
    from savings_tracker import libreoffice

    plain = tmp_path / "plain.xlsm"
    plain.write_bytes(built)
    saved = libreoffice.resave(plain, tmp_path / "lo.xlsm")
    assert b't="s"' in read_parts(saved)["xl/worksheets/sheet2.xml"]
    out = {}
    for enabled in (False, True):
        p = tmp_path / f"lo-{enabled}.xlsm"
        p.write_bytes(saved.read_bytes())
        monkeypatch.setattr(stream, "ENABLED", enabled)
        out[enabled] = commands(p)
    assert out[True][0] == out[False][0]
    assert_same_parts(out[False][1], out[True][1])


def test_a_shared_string_with_the_same_text_is_left_as_it_is(monkeypatch):
    from savings_tracker.xlsx.values import SharedStrings

    shared = SharedStrings(lambda: f'<sst xmlns="{M}"><si><t>Green</t></si><si><r><t>Am</t></r><r><t>ber</t></r>'
                                   f'<rPh><t>x</t></rPh></si></sst>'.encode())
    rows = '<row r="1"><c r="A1" s="3" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    xml = sheet(rows, "A1:B1")
    out = {}
    for enabled in (True, False):
        monkeypatch.setattr(stream, "ENABLED", enabled)
        out[enabled] = patch_sheet(xml, {(1, 1): "Green", (1, 2): "Red"}, [], "Data", shared=shared)[0]
    assert canonical(out[True]) == canonical(out[False])
    assert b'<c r="A1" s="3" t="s"><v>0</v></c>' in out[True] and b"<t>Red</t>" in out[True]
    assert shared.text(1) == "Amber" and shared.holds("1", "Amber") and not shared.holds("9", "Amber")
