"""Headless refresh with more committees than the Summary has rows for: rows are inserted as Excel's Insert
would, and the chart data, chart, RAG definitions, names and users' formulas below them move; checked with
LibreOffice recalculating the result."""
import contextlib
import io
import re
import zipfile
from decimal import Decimal

import pytest

from savings_tracker.core import calc
from savings_tracker import cli, samples
from savings_tracker import plans
from savings_tracker import libreoffice as lo  # a missing LibreOffice fails here, never skips
from savings_tracker.core.money import same
from savings_tracker.readers import read_book, read_register
from savings_tracker import cells
from savings_tracker.workbook.builder import build_workbook
from savings_tracker.xlsx.apply import patch_workbook

from test_headless import add_user_sheet, sheet_part

pytestmark = pytest.mark.slow
NEW_COMMITTEES = ("Highways & Transport", "Public Health", "Economy")
CHART = "xl/charts/chart1.xml"
DRAWING = "xl/drawings/drawing1.xml"
USER = "xl/worksheets/sheet99.xml"


def refresh(path):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["refresh", str(path)])
    assert "Traceback" not in out.getvalue() + err.getvalue(), err.getvalue()
    return code, out.getvalue()


def geometry(path):
    return plans.summary_geometry(read_book(path)[0].grids["Summary"].rows)


def row_of(rows, text):
    return next(i for i, r in enumerate(rows, start=1) if r and r[0] == text)


def add_user_parts(path, formulas: dict, names: str):
    """What a user does in Excel: a sheet of their own with formulas reading the Summary, and names."""
    cells = "".join(f'<row r="{r}"><c r="A{r}"><f>{f}</f></c></row>' for r, f in enumerate(formulas, start=1))
    add_user_sheet(path, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
                         'openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + cells + "</sheetData></worksheet>",
                   names)


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """The sample workbook with a user sheet and names pointing below the insertion point, six lines moved to
    three committees the Summary does not list, then refreshed headless (twice)."""
    d = tmp_path_factory.mktemp("grown")
    built, path = d / "built.xlsm", d / "Savings_Tracker.xlsm"
    build_workbook(built, read_register(samples.path("tracker")))
    geo = geometry(built)
    h = geo.chart_header
    rows = read_book(built)[0].grids["Summary"].rows
    legend = row_of(rows, "RAG definitions")
    formulas = {f"Summary!B{h + 2}": "Amber plan", f"SUM(Summary!B{h + 1}:C{h + 4})": "chart total",
                f"Summary!B{legend + 2}": "Amber definition", "INDEX(ChartData,2,1)": "named range",
                "LastRefreshed": "stamp"}
    add_user_parts(built, formulas, f"<definedName name=\"ChartData\">'Summary'!$A${h + 1}:$C${h + 4}</definedName>"
                                    f'<definedName name="_xlnm.Print_Area" localSheetId="1">'
                                    f"'Summary'!$A$1:$I${legend + 5}</definedName>")
    reg = read_register(built)
    col = cells.letters(reg.source.columns["committee"] + 1)      # the reader finds it from the table's header
    lines = [int(r) for r in reg.lines["_row"]][-6:]
    patch_workbook(built, path, {reg.source.sheet: {f"{col}{r}": NEW_COMMITTEES[i % 3]
                                                    for i, r in enumerate(lines)}})
    before = path.read_bytes()
    first = refresh(path)
    after = path.read_bytes()
    second = refresh(path)
    return {"geo": geo, "legend": legend, "formulas": formulas, "before": before, "first": first,
            "after": after, "second": second, "path": path, "again": path.read_bytes()}


def parts_of(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def test_rows_are_inserted_and_only_the_parts_that_must_change_do(grown, tmp_path):
    code, out = grown["first"]
    assert code in (0, 1) and "rows inserted above row" in out
    a, b = parts_of(grown["before"]), parts_of(grown["after"])
    assert list(a) == list(b)
    changed = {k for k in a if a[k] != b[k]}
    must = {sheet_part(b, "Summary"), CHART, DRAWING, USER, "xl/workbook.xml"}
    assert must <= changed <= must | {sheet_part(b, s) for s in ("Tracker", "Checks")} | {"xl/styles.xml"}
    for name in a:
        if name not in changed:
            assert a[name] == b[name], name
    assert a["xl/vbaProject.bin"] == b["xl/vbaProject.bin"]


def test_the_summary_lists_every_committee_with_the_right_figures(grown, tmp_path):
    path = tmp_path / "after.xlsm"
    path.write_bytes(grown["after"])
    reg = read_register(path)
    summary = calc.summarise(reg)
    assert set(NEW_COMMITTEES) <= {g.name for g in summary.groups}
    rows = lo.recalculate(path, ["Summary"])["Summary"]
    top = grown["geo"].table_header
    listed = {}
    for r in rows[top:]:
        if not r or r[0] in (None, ""):
            break
        listed[r[0]] = r[1:9]
    dp = reg.settings.precision

    def check(got, lines, counts, totals):
        assert got[0] == lines and [got[1 + k] for k in range(4)] == [counts.get(c, 0) for c in plans.RAG_COLUMNS]
        for k, key in enumerate(("plan_total", "forecast_total", "variance")):
            assert same(Decimal(str(got[5 + k])), totals[key], dp), (key, got[5 + k], totals[key])
    for g in summary.groups:
        check(listed.pop(g.name), g.lines, g.rag_counts, g.totals)
    check(listed.pop("Total"), summary.lines, summary.rag_counts, summary.totals)
    assert all(v[0] == 0 for v in listed.values())        # Settings committees with no lines


def test_the_chart_its_data_the_legend_and_the_names_moved_together(grown, tmp_path):
    path = tmp_path / "after.xlsm"
    path.write_bytes(grown["after"])
    geo, new = grown["geo"], geometry(path)
    extra = len(plans.summary_group_rows(read_register(path), calc.summarise(read_register(path)))) - geo.capacity
    assert extra > 0 and new.table_header == geo.table_header and new.chart_header == geo.chart_header + extra
    h = new.chart_header
    rows = lo.recalculate(path, ["Summary"])["Summary"]
    assert [rows[h + k][0] for k in range(4)] == list(plans.RAG_COLUMNS)
    assert row_of(rows, "RAG definitions") == grown["legend"] + extra
    a, b = parts_of(grown["before"]), parts_of(grown["after"])
    assert re.findall(r"<c:f>([^<]*)</c:f>", b[CHART].decode()) == [
        f"Summary!$B${h}", f"Summary!$A${h + 1}:$A${h + 4}", f"Summary!$B${h + 1}:$B${h + 4}",
        f"Summary!$C${h}", f"Summary!$A${h + 1}:$A${h + 4}", f"Summary!$C${h + 1}:$C${h + 4}"]
    anchors = [[int(r) for r in re.findall(r"<xdr:row>(\d+)</xdr:row>", p[DRAWING].decode())] for p in (a, b)]
    assert anchors[1] == [r + extra for r in anchors[0]]
    names = re.findall(r'<definedName name="([^"]+)"[^>]*>([^<]*)<', b["xl/workbook.xml"].decode())
    assert ("LastRefreshed", "'Summary'!$A$3") in names and ("AppendixTemplate", "'Summary'!$L$3") in names
    assert ("ChartData", f"'Summary'!$A${h + 1}:$C${h + 4}") in names
    assert ("_xlnm.Print_Area", f"'Summary'!$A$1:$I${grown['legend'] + 5 + extra}") in names


def test_a_users_formulas_still_read_the_same_cells(grown, tmp_path):
    path = tmp_path / "after.xlsm"
    path.write_bytes(grown["after"])
    h = geometry(path).chart_header
    got = lo.recalculate(path, ["My notes", "Summary"])
    notes, summary = [r[0] for r in got["My notes"]], got["Summary"]
    amber_plan = summary[h + 1][1]
    assert notes[0] == amber_plan == plans.summary_chart_rows(read_register(path))[1][1]
    assert notes[1] == sum(summary[h + k][j] for k in range(4) for j in (1, 2))
    assert notes[2] == summary[row_of(summary, "RAG definitions") + 1][1] and notes[2].startswith("Some risk")
    assert notes[3] == "Amber" and str(notes[4]).startswith("Last refreshed")
    user = parts_of(grown["after"])[USER].decode()
    assert f"<f>Summary!B{h + 2}</f>" in user


def test_a_second_refresh_inserts_nothing_more(grown):
    code, out = grown["second"]
    assert code in (0, 1) and "inserted" not in out
    b, c = parts_of(grown["after"]), parts_of(grown["again"])
    for name in (CHART, DRAWING, USER, "xl/vbaProject.bin"):
        assert b[name] == c[name], name
    wb = [re.findall(rb"<definedName.*?</definedName>", p["xl/workbook.xml"]) for p in (b, c)]
    assert wb[0] == wb[1]


def test_a_damaged_drawing_is_reported_and_the_workbook_is_left_as_it_was(grown, tmp_path):
    parts = parts_of(grown["before"])
    parts[DRAWING] = parts[DRAWING][:200]
    path = tmp_path / "Savings_Tracker.xlsm"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    data = path.read_bytes()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["refresh", str(path)])
    assert code == 2 and "drawing1.xml is damaged" in err.getvalue() and "Traceback" not in err.getvalue()
    assert path.read_bytes() == data and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_new_committee_rows_look_like_committee_rows_and_total_keeps_its_format(grown, tmp_path):
    """Rows go in above the Total row, so they take a committee row's format, as Excel's Insert gives them."""
    from test_headless import styles

    before, after = (parts_of(grown[k]) for k in ("before", "after"))
    part = sheet_part(after, "Summary")
    top = grown["geo"].table_header
    old_total = top + grown["geo"].capacity
    s_before, s_after = styles(before[part]), styles(after[part])
    path = tmp_path / "after.xlsm"
    path.write_bytes(grown["after"])
    rows = read_book(path)[0].grids["Summary"].rows
    new_total = row_of(rows, "Total")
    assert new_total > old_total
    for col in "ABCDEFGHI":
        committee, total = s_before[f"{col}{top + 1}"], s_before[f"{col}{old_total}"]
        assert committee != total
        assert [s_after[f"{col}{r}"] for r in range(top + 1, new_total)] == [committee] * (new_total - top - 1), col
        assert s_after[f"{col}{new_total}"] == total, col
