"""Rows inserted into a closed package (xlsx_rows) and the reference arithmetic behind it (xlsx_refs)."""
import re
import zipfile

import pytest
import xlsxwriter
from lxml import etree

from savings_tracker import plans
from savings_tracker.xlsx.anchors import shift_vml
from savings_tracker.xlsx.apply import patch_workbook
from savings_tracker.xlsx.package import PatchError, read_parts
from savings_tracker.xlsx.refs import RefError, RowShift, shift_formula, shift_sqref

S = RowShift("Summary", 10, 3)          # 3 rows inserted above row 10 of Summary


# ---- formulas and ranges --------------------------------------------------------------------------------------
@pytest.mark.parametrize("formula, home, expected", [
    ("SUM(A1:B9)+A9", "Summary", "SUM(A1:B9)+A9"),                       # above: unchanged
    ("A10+$B$12+C$10+$D11", "Summary", "A13+$B$15+C$13+$D14"),            # at and below, $ too
    ("SUM(A5:A20)+SUM(B9:B10)", "Summary", "SUM(A5:A23)+SUM(B9:B13)"),     # straddling ranges grow
    ("SUM(A10:A12)", "Summary", "SUM(A13:A15)"),                          # starting at the insertion: moves
    ("Summary!B14+'Summary'!$A$1:$B$12+Other!A20+A20", "Notes",
     "Summary!B17+'Summary'!$A$1:$B$15+Other!A20+A20"),                   # other sheets: only refs to Summary
    ("summary!A10", "Notes", "summary!A13"),                              # sheet names ignore case
    ('IF(A1="A10","Summary!A10",A10)', "Summary", 'IF(A1="A10","Summary!A10",A13)'),   # strings untouched
    ("SUM(Savings[[#This Row],[A10]:[B10]])+COUNTIFS(Savings[Committee],$A10)", "Summary",
     "SUM(Savings[[#This Row],[A10]:[B10]])+COUNTIFS(Savings[Committee],$A13)"),       # structured refs untouched
    ("SUM(5:7)+SUM(9:12)+SUM($10:$11)+SUM(A:C)", "Summary", "SUM(5:7)+SUM(9:15)+SUM($13:$14)+SUM(A:C)"),
    ("Summary!A1:Summary!B12", "Notes", "Summary!A1:Summary!B15"),
    ("SUM(A10:INDEX(A:A,12))", "Summary", "SUM(A13:INDEX(A:A,12))"),
    ("LastRefreshed&XYZ10&XFD10", "Summary", "LastRefreshed&XYZ10&XFD13"),  # a name; beyond column XFD: a name
    ("[1]Summary!A10+SUM(Tracker:Summary!A10)", "Notes", "[1]Summary!A10+SUM(Tracker:Summary!A10)"),
    ("A10", "Notes", "A10"),                                              # unqualified on another sheet
    ("{1,2;3,4}", "Summary", "{1,2;3,4}"),
])
def test_formulas(formula, home, expected):
    assert shift_formula(formula, S, home) == expected
    if formula == expected:
        assert shift_formula(formula, S, home) is formula                  # unchanged text is not rebuilt


def test_quoted_sheet_names_and_the_edge_of_the_sheet():
    quoted = RowShift("It's mine", 2, 1)
    assert shift_formula("'It''s mine'!A2+'It''s mine'!A1", quoted, None) == "'It''s mine'!A3+'It''s mine'!A1"
    edge = RowShift("S", 1_048_570, 10)
    assert shift_formula("S!A1048575+SUM(S!A1:A1048576)", edge, None) == "S!#REF!+SUM(S!A1:A1048576)"


def test_sqref_and_damaged_formulas():
    assert shift_sqref("A1:B9 A10 C5:C12", S) == "A1:B9 A13 C5:C15"
    assert shift_sqref("A1:B9", S) == "A1:B9"
    with pytest.raises(RefError, match="cannot be read"):
        shift_formula("SUM(A10))", S, "Summary")


def test_vml_anchors_and_comment_rows():
    def shape(anchor, flags=b"", row=b""):
        return (b'<v:shape><x:ClientData ObjectType="Button">' + flags + b"<x:Anchor>\n    " + anchor +
                b"</x:Anchor>" + row + b"</x:ClientData></v:shape>")
    above = b"<xml>" + shape(b"9, 10, 0, 4, 11, 0, 1, 12") + b"<br></xml>"     # not well-formed, as VML often is
    assert shift_vml(above, S) is None                                    # nothing moves: no new bytes
    below = b"<xml>" + shape(b"9, 10, 0, 4, 11, 0, 1, 12") + shape(b"1, 15, 11, 2, 3, 15, 14, 4") + \
        shape(b"1, 15, 5, 2, 3, 15, 12, 0") + shape(b"1, 0, 8, 0, 3, 0, 9, 0") + \
        shape(b"1, 15, 11, 2, 3, 15, 14, 4", b"<x:MoveWithCells/><x:SizeWithCells/>", b"<x:Row>10</x:Row>") + \
        shape(b"1, 15, 11, 2, 3, 15, 14, 4", b"<x:SizeWithCells/>") + b"</xml>"
    out = shift_vml(below, S).decode()
    anchors = re.findall(r"<x:Anchor>\n    ([^<]*)</x:Anchor>", out)
    assert anchors == [
        "9, 10, 0, 4, 11, 0, 1, 12",             # above the insertion
        "1, 15, 14, 2, 3, 15, 17, 4",            # below: moved (rows are 0-based: 11 is row 12)
        "1, 15, 5, 2, 3, 15, 15, 0",             # straddling: taller
        "1, 0, 8, 0, 3, 0, 9, 0",                # ends exactly at the top of row 10: stays
        "1, 15, 11, 2, 3, 15, 14, 4",            # don't move or size with cells
        "1, 15, 14, 2, 3, 15, 17, 4",            # move but don't size
    ]
    assert "<x:Row>13</x:Row>" in out                                         # the comment's own cell moved


# ---- a crafted workbook with everything Excel moves ---------------------------------------------------------
@pytest.fixture(scope="module")
def crafted(tmp_path_factory):
    """Sheet S with formulas, a merge, formats, validations, a link, a break, a filter, a table, a chart, a
    comment and buttons; T refers to S; U refers to nothing."""
    p = tmp_path_factory.mktemp("rows") / "crafted.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    s, t, u = wb.add_worksheet("S"), wb.add_worksheet("T"), wb.add_worksheet("U")
    red = wb.add_format({"bg_color": "#FFC7CE"})
    for r in range(1, 21):
        s.write_number(f"A{r}", r * 10)
    s.write_formula("C1", "=SUM(A1:A20)", None, 2100)
    s.write_formula("C2", "=A15*2", None, 300)
    s.write_formula("C3", "=$A$5+A9", None, 140)
    s.write_formula("C4", '="A10"&A10', None, "A10100")
    s.merge_range("D12:E12", "merged", None)
    s.merge_range("D3:E3", "above", None)
    s.conditional_format("A8:A12", {"type": "formula", "criteria": "=A8>$A$15", "format": red})
    s.data_validation("B12:B14", {"validate": "list", "source": "=$A$1:$A$3"})
    s.write_url("B18", "internal:S!A19", string="go")
    s.set_h_pagebreaks([15])
    s.autofilter("A1:B20")
    s.set_row(11, 30)                                     # row 12 is taller: the height moves with the row
    s.add_table("F25:G28", {"name": "Below", "columns": [{"header": "K"}, {"header": "V"}]})
    s.write_comment("A12", "a note on row 12")
    s.insert_button("H2", {"macro": "Up", "caption": "Up"})
    s.insert_button("H16", {"macro": "Down", "caption": "Down"})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "=S!$A$9", "categories": "=S!$A$11:$A$12", "values": "=S!$A$8:$A$12"})
    s.insert_chart("J12", chart)
    s.freeze_panes(2, 0)
    t.write_formula("A1", "=S!A15", None, 150)
    t.write_formula("A2", "=S!A5", None, 50)
    t.write_formula("A3", "=A15", None, 0)
    t.write_formula("A4", "=SUM('S'!A1:A20)", None, 2100)
    t.write_formula("A5", '="S!A15"', None, "S!A15")
    t.data_validation("B1", {"validate": "list", "source": "=S!$A$10:$A$12"})
    t.conditional_format("C1", {"type": "formula", "criteria": "=S!$A$12>0", "format": red})
    u.write("A1", "nothing here refers to S")
    wb.define_name("Mid", "=S!$A$9:$A$11")
    wb.define_name("Top", "=S!$A$1")
    wb.define_name("Elsewhere", "=T!$A$12")
    wb.close()
    return p


def parts_after(crafted, tmp_path, insert=(("S", 10, 3),)):
    out = tmp_path / "out.xlsx"
    report = patch_workbook(crafted, out, plans.UpdatePlan(insert_rows=list(insert)))
    return read_parts(crafted), read_parts(out), out, report


def test_everything_on_the_sheet_moves(crafted, tmp_path):
    before, after, _, report = parts_after(crafted, tmp_path)
    s = after["xl/worksheets/sheet1.xml"].decode()
    assert re.search(r'<row r="15"[^>]*ht="30"', s) and '<c r="A23"><v>200</v>' in s
    assert "<f>SUM(A1:A23)</f>" in s and "<f>A18*2</f>" in s and "<f>$A$5+A9</f>" in s
    assert '<f>"A10"&amp;A13</f>' in s
    assert '<mergeCell ref="D15:E15"/>' in s and '<mergeCell ref="D3:E3"/>' in s
    assert 'sqref="A8:A15"' in s and "<formula>A8&gt;$A$18</formula>" in s
    assert 'sqref="B15:B17"' in s and "<formula1>$A$1:$A$3</formula1>" in s
    assert re.search(r'<hyperlink ref="B21" location="S!A22"', s)
    assert '<brk id="18"' in s and '<autoFilter ref="A1:B23"/>' in s and '<dimension ref="A1:G28"/>' in s
    assert 'ySplit="2"' in s                                                 # frozen rows above: unchanged
    assert 'ref="F28:G31"' in after["xl/tables/table1.xml"].decode()
    assert '<comment ref="A15"' in after["xl/comments1.xml"].decode()
    vml = after["xl/drawings/vmlDrawing1.vml"].decode()
    assert "<x:Row>14</x:Row>" in vml                                         # the comment's cell: A12 -> A15
    assert re.findall(r"<x:Anchor>([^<]*)</x:Anchor>", vml)[:2] == ["7, 0, 1, 0, 8, 0, 2, 0",      # button on row 2
                                                                    "7, 0, 18, 0, 8, 0, 19, 0"]   # on row 16 -> 19
    rows = [re.findall(r"<xdr:row>(\d+)</xdr:row>", p["xl/drawings/drawing1.xml"].decode()) for p in (before, after)]
    assert rows[0][0] == "11" and [int(r) + 3 for r in rows[0]] == list(map(int, rows[1]))   # the chart moved by 3
    chart = after["xl/charts/chart1.xml"].decode()
    assert re.findall(r"<c:f>([^<]*)</c:f>", chart) == ["S!$A$9", "S!$A$14:$A$15", "S!$A$8:$A$15"]
    names = after["xl/workbook.xml"].decode()
    assert ">S!$A$9:$A$14<" in names and ">S!$A$1<" in names and ">T!$A$12<" in names
    assert any("3 rows inserted above row 10" in n for n in report.notes)


def test_other_sheets_follow_and_untouched_parts_stay_byte_identical(crafted, tmp_path):
    before, after, _, report = parts_after(crafted, tmp_path)
    t = after["xl/worksheets/sheet2.xml"].decode()
    assert "<f>S!A18</f>" in t and "<f>S!A5</f>" in t and "<f>A15</f>" in t and "<f>SUM('S'!A1:A23)</f>" in t
    assert '<f>"S!A15"</f>' in t
    assert "<formula1>S!$A$13:$A$15</formula1>" in t and "<formula>S!$A$15&gt;0</formula>" in t
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/workbook.xml",
                       "xl/tables/table1.xml", "xl/comments1.xml", "xl/drawings/vmlDrawing1.vml",
                       "xl/drawings/drawing1.xml", "xl/charts/chart1.xml"} == set(report.parts_rewritten)
    assert list(before) == list(after)


def test_inserting_below_everything_that_moves_leaves_the_objects_alone(crafted, tmp_path):
    before, after, _, _ = parts_after(crafted, tmp_path, [("S", 40, 2)])
    for name in ("xl/drawings/vmlDrawing1.vml", "xl/drawings/drawing1.xml", "xl/charts/chart1.xml",
                 "xl/comments1.xml", "xl/tables/table1.xml", "xl/worksheets/sheet2.xml"):
        assert before[name] == after[name], name


def test_libreoffice_reads_the_moved_values(crafted, tmp_path):
    from savings_tracker import libreoffice as lo
    *_, out, _ = parts_after(crafted, tmp_path)
    got = lo.recalculate(out, ["S", "T"])
    s, t = got["S"], got["T"]
    assert [row[0] for row in s[:9]] == [r * 10 for r in range(1, 10)]
    assert all(s[r][0] is None for r in (9, 10, 11)) and s[12][0] == 100      # rows 10-12 are new and empty
    assert s[0][2] == 2100 and s[1][2] == 300 and s[3][2] == "A10100"
    assert t[0][0] == 150 and t[1][0] == 50 and t[3][0] == 2100


SHARED = ('<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B12" si="0">A1*2</f>'
          "</c><c r=\"C1\"><f t=\"shared\" ref=\"C1:C2\" si=\"1\">S!A20+1</f></c></row>"
          '<row r="2"><c r="C2"><f t="shared" si="1"/></c></row>{rows}'
          '<row r="20"><c r="D20"><f t="shared" ref="D20:D21" si="2">A20</f></c></row>'
          '<row r="21"><c r="D21"><f t="shared" si="2"/></c></row></sheetData>')


def test_shared_formulas(crafted, tmp_path):
    """Shared on S: a group split by the insertion is written out; one below it moves and stays shared. On T:
    a group whose references all move stays shared."""
    parts = read_parts(crafted)
    rows = "".join(f'<row r="{r}"><c r="B{r}"><f t="shared" si="0"/></c></row>' for r in range(2, 13))
    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
        parts[name] = re.sub(rb"<sheetData>.*</sheetData>", SHARED.format(rows=rows).encode(), parts[name])
    parts["xl/calcChain.xml"] = (b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                 b'<c r="B12" i="1"/></calcChain>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId90" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    src = tmp_path / "shared.xlsx"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    _, after, _, report = parts_after(src, tmp_path)
    assert report.parts_dropped == ["xl/calcChain.xml"] and b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    s = etree.fromstring(after["xl/worksheets/sheet1.xml"])
    t = etree.fromstring(after["xl/worksheets/sheet2.xml"])
    M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

    def f(root, ref):
        el = next(c for c in root.iter(f"{M}c") if c.get("r") == ref).find(f"{M}f")
        return el.text, dict(el.attrib)
    assert f(s, "B1") == ("A1*2", {}) and f(s, "B9") == ("A9*2", {}) and f(s, "B13") == ("A13*2", {})
    assert f(s, "B15") == ("A15*2", {})                                       # was B12: the group is written out
    assert f(s, "D23") == ("A23", {"t": "shared", "ref": "D23:D24", "si": "2"})
    assert f(s, "D24") == (None, {"t": "shared", "si": "2"})
    assert f(t, "C1") == ("S!A23+1", {"t": "shared", "ref": "C1:C2", "si": "1"})   # T's group: refs all move
    assert f(t, "D20") == ("A20", {"t": "shared", "ref": "D20:D21", "si": "2"})   # T's own rows never move


def test_clear_errors(crafted, tmp_path):
    with pytest.raises(PatchError, match="no sheet named 'Nope' to insert rows into"):
        parts_after(crafted, tmp_path, [("Nope", 3, 1)])
    with pytest.raises(PatchError, match="cannot insert 0 row"):
        parts_after(crafted, tmp_path, [("S", 3, 0)])
    parts = read_parts(crafted)
    parts["xl/drawings/drawing1.xml"] = b"<xdr:wsDr><broken"
    src = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(src, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    with pytest.raises(PatchError, match="drawing1.xml is damaged"):
        parts_after(src, tmp_path)
    parts = read_parts(crafted)
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b'<row r="20"', b'<row r="2O"')
    with zipfile.ZipFile(src, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    with pytest.raises(PatchError, match="sheet1.xml is damaged"):
        parts_after(src, tmp_path)
