"""Headless refresh / snapshot on a closed workbook: every part the buttons do not change is kept."""
import re
import zipfile

import pytest
from lxml import etree

from savings_tracker.core import calc
from savings_tracker import cli, samples
from savings_tracker.xlsx import atomic as safe_write
from savings_tracker.readers import read_register
from savings_tracker.xlsx.atomic import backups_of
from savings_tracker.workbook.builder import build_workbook
from savings_tracker.workbook.vba import read_modules
from savings_tracker.xlsx.apply import patch_workbook
from savings_tracker.xlsx.package import read_parts

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
USER_SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxml'
              'formats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>My notes'
              '</t></is></c><c r="B1"><f>SUM(Tracker!J7:J9)</f><v>1</v></c></row></sheetData></worksheet>')


def add_user_sheet(path, sheet_xml: str = USER_SHEET, names: str = ""):
    """What a user does in Excel: add a sheet of their own, and names (``<definedName>`` elements), done on
    the package as Excel saves it."""
    parts = read_parts(path)
    parts["xl/worksheets/sheet99.xml"] = sheet_xml.encode()
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"</sheets>", b'<sheet name="My notes" sheetId="99" r:id="rId99"/></sheets>').replace(
        b"</definedNames>", names.encode() + b"</definedNames>")
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/worksheet" Target="worksheets/sheet99.xml"/></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/worksheets/sheet99.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.worksheet+xml"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    p = tmp_path_factory.mktemp("wb") / "Savings_Tracker.xlsm"
    build_workbook(p, read_register(samples.path("tracker")))
    add_user_sheet(p)
    return p.read_bytes()


@pytest.fixture
def book(tmp_path, built):
    p = tmp_path / "Savings_Tracker.xlsm"
    p.write_bytes(built)
    return p


def sheet_part(parts, name):
    wb = etree.fromstring(parts["xl/workbook.xml"])
    rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    rid = next(s.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
               for s in wb.iter(f"{M}sheet") if s.get("name") == name)
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return "xl/" + target.lstrip("/").removeprefix("xl/")


def kept_elements(xml: bytes) -> dict:
    """The parts of a sheet a write must keep: validations, conditional formats, drawings, buttons, merges."""
    root = etree.fromstring(xml)
    out = {}
    for tag in ("dataValidations", "conditionalFormatting", "drawing", "legacyDrawing", "mergeCells", "cols",
                "sheetViews", "sheetPr", "pageSetup", "tableParts", "sheetProtection", "extLst"):
        out[tag] = [etree.tostring(e) for e in root.iter(f"{M}{tag}")]
    return out


def styles(xml: bytes) -> dict:
    return {c.get("r"): c.get("s") for c in etree.fromstring(xml).iter(f"{M}c")}


def cell_xfs(xml: bytes) -> list[dict]:
    return [dict(x.attrib) for x in etree.fromstring(xml).find(f"{M}cellXfs")]


def without_fill(xf: dict) -> dict:
    return {k: v for k, v in xf.items() if k not in ("fillId", "applyFill")}


def fills(path, sheet="Tracker") -> dict:
    """Cell -> solid fill colour (ARGB) of the sheet's cells, as openpyxl reads them."""
    import openpyxl
    ws = openpyxl.load_workbook(path)[sheet]
    return {c.coordinate: c.fill.fgColor.rgb for row in ws.iter_rows() for c in row
            if c.fill is not None and c.fill.fill_type == "solid"}


def run(capsys, *args):
    code = cli.main(list(map(str, args)))
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and "internal error" not in out.err
    return code, out.out, out.err


def assert_kept(before: bytes, after_path, allowed: set):
    a, b = {}, read_parts(after_path)
    with zipfile.ZipFile(__import__("io").BytesIO(before)) as zf:
        a = {i.filename: zf.read(i) for i in zf.infolist()}
    assert list(a) == list(b), "parts added, removed or reordered"
    changed = {k for k in a if a[k] != b[k]}
    assert changed <= allowed, f"unexpected parts changed: {changed - allowed}"
    for name in ("xl/vbaProject.bin", "xl/sharedStrings.xml", "xl/worksheets/sheet99.xml"):
        assert a[name] == b[name]
    xfs_a, xfs_b = cell_xfs(a["xl/styles.xml"]), cell_xfs(b["xl/styles.xml"])
    assert xfs_b[:len(xfs_a)] == xfs_a, "existing cell styles changed"   # marks only add styles
    for name in a:
        if re.match(r"xl/(charts|drawings|tables|theme)/|.*vmlDrawing|docProps/", name) and name not in allowed:
            assert a[name] == b[name], name
    for name in changed & {k for k in a if k.startswith("xl/worksheets/sheet")}:
        assert kept_elements(a[name]) == kept_elements(b[name]) or name in {sheet_part(a, "History")}, name
        sa, sb = styles(a[name]), styles(b[name])
        for r, s in sa.items():
            if s is not None and r in sb and sb[r] != s:   # only a mark may change a style: its fill, nothing else
                assert without_fill(xfs_b[int(sb[r])]) == without_fill(xfs_a[int(s)]), f"{name} {r}: style lost"
    wa, wb_ = etree.fromstring(a["xl/workbook.xml"]), etree.fromstring(b["xl/workbook.xml"])
    assert [etree.tostring(e) for e in wa.iter(f"{M}definedName")] == \
        [etree.tostring(e) for e in wb_.iter(f"{M}definedName")]
    assert [s.attrib for s in wa.iter(f"{M}sheet")] == [s.attrib for s in wb_.iter(f"{M}sheet")]
    assert wb_.find(f"{M}calcPr").get("fullCalcOnLoad") == "1"


def test_refresh_keeps_everything_else(book, built, capsys):
    code, out, _ = run(capsys, "refresh", book)
    assert code in (0, 1) and "Summary refreshed from 67 lines" in out
    parts = read_parts(book)
    allowed = {sheet_part(parts, s) for s in ("Tracker", "Summary", "Checks")} | {"xl/workbook.xml", "xl/styles.xml"}
    assert_kept(built, book, allowed)
    assert read_modules(book) == read_modules(__import__("io").BytesIO(built).getvalue())
    reg = read_register(book)
    before = read_register(samples.path("tracker"))
    s1, s2 = calc.summarise(before), calc.summarise(reg)
    assert s1.totals == s2.totals and len(reg) == len(before)
    assert len(backups_of(book)) == 1 and backups_of(book)[0].read_bytes() == built


def line_cell(reg, reference: str, key: str) -> str:
    """The sheet cell of one line's column, found from the register's header (never a pinned letter)."""
    [i] = [i for i, ref in reg.lines["reference"].items() if ref == reference]
    return reg.cell(i, key)


def test_refresh_highlights_the_findings_like_the_validate_button(book, capsys):
    from savings_tracker import plans
    from savings_tracker.core.validate import validate

    reg = read_register(book)
    expected = {m.cell: "FF" + plans.MARK_COLOURS[m.severity][1:] for m in plans.marks_for(reg, validate(reg))}
    rag_cell = line_cell(reg, "A/R.6.221", "rag")
    assert rag_cell in expected and expected[rag_cell] == "FFFFC7CE"    # the RAG '0' of A/R.6.221: an error
    code, _, _ = run(capsys, "refresh", book)
    assert code == 1
    body = {k: v for k, v in fills(book).items() if int(re.sub(r"[A-Z]+", "", k)) > 6}   # below the header
    assert body == expected
    assert read_register(book).lines["rag"].tolist() == reg.lines["rag"].tolist()     # values untouched


def test_refresh_clears_marks_of_fixed_cells_and_keeps_the_users_own_fills(book, tmp_path, capsys):
    from savings_tracker.xlsx.styles import STYLES_PART, Styles, mark_sheet

    run(capsys, "refresh", book)
    rag_cell = line_cell(read_register(book), "A/R.6.221", "rag")     # the RAG '0' of A/R.6.221: an error
    assert fills(book)[rag_cell] == "FFFFC7CE"
    # the user fixes the RAG and paints a cell of their own green (as Excel would save it)
    parts = read_parts(book)
    part = sheet_part(parts, "Tracker")
    st = Styles(parts[STYLES_PART], ["#C6EFCE"])
    parts[part], _ = mark_sheet(parts[part], st, [], {"B10": "#C6EFCE"})
    parts[STYLES_PART] = st.to_bytes()
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    fixed = tmp_path / "fixed.xlsm"
    patch_workbook(book, fixed, {"Tracker": {rag_cell: "Green"}})
    before = read_parts(fixed)
    xfs_before = len(cell_xfs(before[STYLES_PART]))
    run(capsys, "refresh", fixed)
    after = fills(fixed)
    assert rag_cell not in after and after["B10"] == "FFC6EFCE"
    s_before = styles(before[part])[rag_cell]
    s_after = styles(read_parts(fixed)[part])[rag_cell]
    xfs = cell_xfs(read_parts(fixed)[STYLES_PART])
    assert without_fill(xfs[int(s_after)]) == without_fill(xfs[int(s_before)])   # format, font, border kept
    run(capsys, "refresh", fixed)                                                  # a re-run adds no styles
    assert len(cell_xfs(read_parts(fixed)[STYLES_PART])) == len(xfs) <= xfs_before + 1


def test_refresh_restores_a_typed_over_formula(book, tmp_path, capsys):
    reg = read_register(book)
    col = reg.source.columns["plan_total"]
    row = int(reg.lines["_row"][0])
    ref = f"{chr(65 + col)}{row}"
    typed = tmp_path / "typed.xlsm"
    patch_workbook(book, typed, {"Tracker": {ref: 12345}})
    code, out, _ = run(capsys, "refresh", typed)
    assert "formula restored" in out or "formulas restored" in out
    xml = read_parts(typed)[sheet_part(read_parts(typed), "Tracker")].decode()
    assert re.search(rf'<c r="{ref}"[^>]*><f>SUM\(Savings\[\[#This Row\]', xml)


def test_snapshot_appends_to_history_and_extends_its_table(book, built, capsys):
    code, out, _ = run(capsys, "snapshot", book, "--period", "October 2017")
    assert code == 0 and "Recorded the October 2017 snapshot of 67 lines" in out
    parts = read_parts(book)
    table = next(n for n in parts if n.startswith("xl/tables/") and b'displayName="History"' in parts[n])
    assert re.search(rb'ref="A1:I68"', parts[table])
    allowed = {sheet_part(parts, s) for s in ("Tracker", "History")} | {"xl/workbook.xml", table}
    assert_kept(built, book, allowed)
    once = book.read_bytes()
    code, _, err = run(capsys, "snapshot", book, "--period", "october 2017")
    assert code == 2 and "already holds a snapshot for" in err and book.read_bytes() == once
    code, out, _ = run(capsys, "snapshot", book, "--period", "November 2017")
    assert code == 0 and "against October 2017" in out
    assert re.search(rb'ref="A1:I135"', read_parts(book)[table])
    code, out, _ = run(capsys, "snapshot", book, "--period", "October 2017", "--replace")
    assert code == 0 and "Replaced" in out
    assert re.search(rb'ref="A1:I135"', read_parts(book)[table])
    assert read_modules(book).keys() == read_modules(__import__("io").BytesIO(built).getvalue()).keys()


def test_refuses_when_open_in_excel(book, capsys):
    (book.parent / ("~$" + book.name)).write_bytes(b"someone")
    before = book.read_bytes()
    for args in (("refresh", book), ("snapshot", book, "--period", "X")):
        code, _, err = run(capsys, *args)
        assert code == 2 and "open in Excel" in err and "Savings_Tracker.xlsm" in err
        assert book.read_bytes() == before


def test_month_end_batch_goes_on_past_a_workbook_it_cannot_write(tmp_path, built, capsys):
    """Several workbooks at once: each is done in turn; one that is open in Excel is reported and left alone."""
    folders = [tmp_path / n for n in ("adults", "children", "place")]
    books = []
    for f in folders:
        f.mkdir()
        (f / "Savings_Tracker.xlsm").write_bytes(built)
        books.append(f / "Savings_Tracker.xlsm")
    (folders[1] / "~$Savings_Tracker.xlsm").write_bytes(b"someone")   # children's is open in Excel
    code, out, err = run(capsys, "snapshot", *books, "--period", "October 2017", "--backups", "0")
    assert code == 2
    assert out.count("Recorded the October 2017 snapshot of 67 lines") == 2 and "3 workbooks" in out
    assert "open in Excel" in err and err.count("savings-tracker:") == 1
    assert books[1].read_bytes() == built
    assert books[0].read_bytes() != built and books[2].read_bytes() != built
    assert [read_register(b).lines["direction"].tolist() for b in (books[0], books[2])] == \
        [read_register(books[0]).lines["direction"].tolist()] * 2
    code, out, _ = run(capsys, "refresh", books[0], books[2])
    assert code == 1 and out.count("Summary refreshed from 67 lines") == 2     # the sample has one error


def test_refuses_read_only(book, capsys):
    import os
    os.chmod(book, 0o444)
    try:
        code, _, err = run(capsys, "refresh", book)
    finally:
        os.chmod(book, 0o644)
    assert code == 2 and "read-only" in err


@pytest.mark.parametrize("step", ["write_temp", "fsync", "backup", "replace"])
def test_failure_at_each_step_leaves_the_workbook_unchanged(book, built, capsys, monkeypatch, step):
    real = safe_write.atomic_write

    def failing(*a, **kw):
        return real(*a, **kw, _fail_at=step)
    monkeypatch.setattr(safe_write, "atomic_write", failing)
    code, _, err = run(capsys, "snapshot", book, "--period", "October 2017")
    assert code == 2 and "was not changed" in err
    assert book.read_bytes() == built
    assert [p.name for p in book.parent.iterdir()] == [book.name]


def test_patch_failure_inside_the_write_leaves_the_workbook_unchanged(book, built, capsys, monkeypatch):
    from savings_tracker.xlsx import apply as xlsx_apply

    def broken(*a, **kw):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(xlsx_apply, "write_zip", broken)
    code, _, err = run(capsys, "refresh", book)
    assert code == 2 and "No space left on device" in err
    assert book.read_bytes() == built and [p.name for p in book.parent.iterdir()] == [book.name]


def test_not_a_tracker_workbook(tmp_path, capsys):
    csv = tmp_path / "r.csv"
    csv.write_bytes(samples.path("tracker").read_bytes())
    code, _, err = run(capsys, "refresh", csv)
    assert code == 2 and "build-workbook" in err


@pytest.mark.slow
def test_libreoffice_opens_and_recalculates_the_patched_workbook(book, capsys):
    from savings_tracker import libreoffice as lo  # a missing LibreOffice fails here, never skips
    run(capsys, "snapshot", book, "--period", "October 2017")
    run(capsys, "refresh", book)
    sheets = lo.recalculate(book, ["History", "Summary", "Checks"])
    assert sheets["History"][1][0] == "October 2017" and len([r for r in sheets["History"] if r[0]]) == 68
    assert any(str(r[0]).startswith("Last refreshed") for r in sheets["Summary"] if r)
    go_to = [r[6] for r in sheets["Checks"][1:] if len(r) > 6 and r[6]]
    assert go_to and all(str(g).startswith("Tracker!") for g in go_to)


def checks_table_and_filter(path) -> tuple[str | None, str | None, str | None]:
    """(the Checks table's range, its AutoFilter's range, the sheet's own AutoFilter range)."""
    import openpyxl
    ws = openpyxl.load_workbook(path)["Checks"]
    t = ws.tables.get("Checks")
    return (t.ref if t else None, t.autoFilter.ref if t and t.autoFilter else None, ws.auto_filter.ref)


def checks_rows(path) -> int:
    import openpyxl
    ws = openpyxl.load_workbook(path)["Checks"]
    return sum(1 for r in ws.iter_rows(min_row=2, max_col=1, values_only=True) if r[0])


def test_refresh_keeps_the_checks_table_and_its_filter_over_every_finding(book, tmp_path, capsys):
    """Checks is a table (its filter is the table's): a refresh that finds more grows it, one that finds
    fewer shrinks it; as the buttons do in Excel and Lite (tests/test_xl.py, tests/test_lite.py)."""
    reg = read_register(book)
    first = reg.lines.take(range(20))
    bad = {line_cell(reg, ref, "rag"): "Purple" for ref in first["reference"]}
    typed = {line_cell(reg, ref, "rag"): rag for ref, rag in zip(first["reference"], first["rag"])}
    grown = tmp_path / "grown.xlsm"
    patch_workbook(book, grown, {"Tracker": bad})
    run(capsys, "refresh", grown)
    n = checks_rows(grown)
    assert n > 20 and checks_table_and_filter(grown) == (f"A1:G{n + 1}", f"A1:G{n + 1}", None)
    run(capsys, "refresh", book)
    m = checks_rows(book)
    assert m < n and checks_table_and_filter(book) == (f"A1:G{m + 1}", f"A1:G{m + 1}", None)
    back = tmp_path / "back.xlsm"
    patch_workbook(grown, back, {"Tracker": typed})                  # the user corrects the RAGs
    run(capsys, "refresh", back)
    assert checks_rows(back) == m and checks_table_and_filter(back) == (f"A1:G{m + 1}", f"A1:G{m + 1}", None)


def test_refresh_of_a_workbook_built_before_checks_was_a_table_moves_its_autofilter(book, tmp_path, capsys):
    import openpyxl
    old = tmp_path / "old.xlsm"
    wb = openpyxl.load_workbook(book, keep_vba=True)
    ws = wb["Checks"]
    ref = ws.tables["Checks"].ref
    del ws.tables["Checks"]
    ws.auto_filter.ref = ref                      # what the builder wrote before (an AutoFilter over the rows)
    wb.save(old)
    reg = read_register(old)
    patch_workbook(old, book, {"Tracker": {line_cell(reg, r, "rag"): "Purple" for r in reg.lines["reference"][:20]}})
    run(capsys, "refresh", book)
    n = checks_rows(book)
    assert n > 20 and checks_table_and_filter(book) == (None, None, f"A1:G{n + 1}")
