"""The buttons (savings_tracker.excel.buttons) against the real workbook, through xlwings' remote engine
(tests/xlremote.py): payload from the file, run, replay the actions onto an openpyxl copy, check the copy."""
from __future__ import annotations


import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import xlremote  # noqa: E402  (sets the licence key for the remote engine: test process only)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from savings_tracker.core import calc, schema
from savings_tracker import plans
from savings_tracker.excel import buttons as xl  # noqa: E402
from savings_tracker.readers import read_register  # noqa: E402
from savings_tracker.readers.values import register_from_values  # noqa: E402
from savings_tracker.core.validate import validate as core_validate  # noqa: E402
from savings_tracker.workbook import build_workbook  # noqa: E402
from savings_tracker import samples  # noqa: E402

TR = schema.SHEET_NAMES["tracker"]


@pytest.fixture(scope="module")
def sample_reg():
    return read_register(samples.path(samples.ALL["tracker"]))


@pytest.fixture(scope="module")
def wb_path(tmp_path_factory, sample_reg):
    path = build_workbook(tmp_path_factory.mktemp("xl") / "Savings_Tracker.xlsm", sample_reg)
    BASE["values"] = cached(path)
    return path


def cached(path) -> dict[str, list[list]]:
    """Every sheet's values as the builder cached them (what Excel would send)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def geometry(path):
    wb = openpyxl.load_workbook(path)
    t = wb[TR].tables["Savings"]
    heads = [c.name for c in t.tableColumns]
    min_col, min_row, max_col, max_row = openpyxl.utils.range_boundaries(t.ref)
    wb.close()
    return heads, min_row, max_row


def col_of(path, key, settings):
    heads, _, _ = geometry(path)
    return heads.index(schema.BY_KEY[key].header_for(settings, "tracker")) + 1


def entered(path) -> dict:
    """Values of every entered (non-computed) cell of the Savings table."""
    heads, top, last = geometry(path)
    computed = {c.header_for(None, "tracker") for c in schema.COLUMNS if c.role == schema.COMPUTED}
    computed |= {h for h in heads if h.startswith(("Original Saving", "Forecast Saving", "Variance", "Suggested"))}
    wb = openpyxl.load_workbook(path)
    ws = wb[TR]
    out = {}
    for ci, h in enumerate(heads, start=1):
        if h in computed:
            continue
        for r in range(top, last + 1):
            out[(r, ci)] = ws.cell(r, ci).value
    wb.close()
    return out


BASE: dict = {}


def merged(path) -> dict[str, list[list]]:
    """The file's values, with formula cells that openpyxl saved without a cached value taken from the
    builder's original (what Excel would show: nothing those cells read was changed)."""
    now, base = cached(path), BASE.get("values") or {}
    for name, rows in now.items():
        old = base.get(name)
        if not old:
            continue
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None and r < len(old) and c < len(old[r]) and old[r][c] is not None:
                    row[c] = old[r][c]
    return now


def run(path, fn, tmp_path, name="out.xlsm", **kw):
    kw.setdefault("values_override", merged(path))
    return xlremote.run_macro(path, fn, out_path=tmp_path / name, **kw)


def fill(cell):
    return cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type == "solid" else None


# ---- validate ------------------------------------------------------------------------------------------------
def test_validate_checks_links_and_marks(wb_path, tmp_path, sample_reg):
    # a stale mark and stale Checks rows from an earlier run
    src = tmp_path / "in.xlsm"
    wb = openpyxl.load_workbook(wb_path, keep_vba=True)
    wb[TR]["B20"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFFFC7CE")
    wb[TR]["B21"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFC6EFCE")   # the user's own highlight
    for r in range(2, 80):
        wb["Checks"].cell(r, 1, "old")
    for col, v in enumerate(("error", TR, "B20"), start=1):                         # the run that marked B20
        wb["Checks"].cell(2, col, v)
    wb.save(src)
    before = entered(src)
    r = run(src, lambda: xl.validate(), tmp_path)     # RunPython style: xw.Book.caller()
    out = openpyxl.load_workbook(r.out_path)
    ws, checks = out[TR], out["Checks"]
    rows = [[c.value for c in row] for row in checks.iter_rows(min_row=2, max_col=7)]
    rows = [x for x in rows if any(v is not None for v in x)]
    reg = _reg_from(wb_path, sample_reg)
    findings = core_validate(reg)
    assert [(x[0], x[2], x[4]) for x in rows] == [(f.severity, f.cell or None, f.code) for f in findings]
    assert not any(x[0] == "old" for x in rows)
    for x, f in zip(rows, findings):
        if f.cell:
            assert x[6] == f'=HYPERLINK("#\'{TR}\'!{f.cell}","{TR}!{f.cell}")'
    err = next(f for f in findings if f.severity == "error" and f.sheet == TR)
    assert fill(ws[err.cell]) == "FFFFC7CE"
    warn = next(f for f in findings if f.severity == "warning" and f.sheet == TR and
                not any(g.cell == f.cell and g.severity == "error" for g in findings))
    assert fill(ws[warn.cell]) == "FFFFEB9C"
    assert fill(ws["B20"]) is None                      # stale mark cleared
    assert fill(ws["B21"]) == "FFC6EFCE"                # a fill the user chose is kept
    assert "error" in r.alerts[-1]["prompt"] and "see Checks" in r.alerts[-1]["prompt"]
    assert entered(r.out_path) == before


def _table_values(path, reg):
    vals = cached(path)[TR]
    heads, top, last = geometry(path)
    body = [row[: len(heads)] for row in vals[top - 1: last - 1]]     # header + lines, no totals row
    return body, {"sheet": TR, "top": top, "left": 1, "settings": reg.settings}


def _reg_from(path, reg):
    body, kw = _table_values(path, reg)
    return register_from_values(body, **kw)[0]


def test_register_cells_are_real_sheet_cells(wb_path, sample_reg):
    body, kw = _table_values(wb_path, sample_reg)
    reg, headers = register_from_values(body, **kw)
    assert len(reg) == len(sample_reg)
    heads, top, _ = geometry(wb_path)
    assert reg.cell(reg.lines.index[0], "reference") == f"A{top + 1}"
    assert headers["forecast_total"] == "Forecast Saving"


# ---- refresh ----------------------------------------------------------------------------------------------------
def test_refresh_restores_typed_over_formula_and_summary(wb_path, tmp_path, sample_reg):
    heads, top, last = geometry(wb_path)
    fc = col_of(wb_path, "forecast_total", sample_reg.settings)
    row = top + 3
    cell = f"{openpyxl.utils.get_column_letter(fc)}{row}"
    src = tmp_path / "typed.xlsm"
    wb = openpyxl.load_workbook(wb_path, keep_vba=True)
    formula = wb[TR][cell].value
    wb[TR][cell] = -999999
    wb.save(src)
    values = cached(wb_path)
    values[TR][row - 1][fc - 1] = -999999.0          # what Excel shows after the user typed over it ...
    pl = col_of(wb_path, "plan_total", sample_reg.settings)
    values[TR][row - 1][fc] = -999999.0 - values[TR][row - 1][pl - 1]   # ... and the variance formula with it
    before = entered(src)
    r = run(src, xl.refresh, tmp_path, values_override=values)
    out = openpyxl.load_workbook(r.out_path)
    assert out[TR][cell].value == formula == ("=SUM(Savings[[#This Row],[Current Forecast Phasing - Q1]:"
                                              "[Current Forecast Phasing - Q4]])")
    checks = [[c.value for c in rr] for rr in out["Checks"].iter_rows(min_row=2, max_col=7)]
    restored = [x for x in checks if x[4] == plans.RESTORED_CODE]
    assert [x[2] for x in restored] == [cell]
    assert not any(x[2] == cell and x[4].endswith("mismatch") for x in checks if x[4])
    assert "1 formula restored" in r.alerts[-1]["prompt"]
    assert entered(r.out_path) == before
    # Summary equals the core's summary of the register as it is (the builder's cached values)
    reg = _reg_from(wb_path, sample_reg)
    s = calc.summarise(reg)
    summ = out["Summary"]
    assert str(summ["A3"].value).startswith("Last refreshed") and f"from {len(reg)} lines" in summ["A3"].value
    # the Summary keeps live formulas (the builder's text), and LibreOffice recalculates them to the core's figures
    from savings_tracker.plans import formulas
    from savings_tracker.libreoffice import recalculate
    names = [rr[0] for rr in summ.iter_rows(min_row=6, max_col=1, values_only=True)]
    names = names[:names.index("Total") + 1]
    for i, name in enumerate(names[:-1]):
        assert [summ.cell(6 + i, 2 + k).value for k in range(8)] == \
            formulas.summary_group_row(reg.settings, 6 + i, 5, name)
    calc_values = recalculate(r.out_path, sheets=["Summary"])["Summary"]
    got = {row[0]: row for row in calc_values[5:5 + len(names)]}
    for g in s.groups:
        assert got[g.name][1] == g.lines
        assert [got[g.name][2 + k] for k in range(4)] == [g.rag_counts[k] for k in plans.RAG_COLUMNS]
        assert Decimal(str(got[g.name][6])) == g.totals["plan_total"]
        assert Decimal(str(got[g.name][7])) == g.totals["forecast_total"]
    assert got["Total"][1] == s.lines and Decimal(str(got["Total"][7])) == s.totals["forecast_total"]
    # chart data stays where the chart points, as formulas LibreOffice evaluates to the core's split
    chart = [row for row in calc_values if row and row[0] in plans.RAG_COLUMNS and isinstance(row[1], float)
             and len([x for x in row if x is not None]) == 3]
    assert [c[0] for c in chart] == list(plans.RAG_COLUMNS)
    assert sum(c[1] for c in chart) == float(reg.settings.display(s.totals["plan_total"]))   # one sign rule
    # Suggested RAG column
    sg = col_of(wb_path, "suggested_rag", sample_reg.settings)
    want = list(calc.suggested_rags(reg))
    assert [out[TR].cell(top + 1 + i, sg).value for i in range(len(want))] == want


def test_refresh_with_libreoffice_values(wb_path, tmp_path, sample_reg):
    from savings_tracker.libreoffice import recalculate

    heads, top, _ = geometry(wb_path)
    pl = col_of(wb_path, "plan_total", sample_reg.settings)
    cell = f"{openpyxl.utils.get_column_letter(pl)}{top + 5}"
    src = tmp_path / "typed_lo.xlsm"
    wb = openpyxl.load_workbook(wb_path, keep_vba=True)
    wb[TR][cell] = 12345
    wb.save(src)
    r = run(src, xl.refresh, tmp_path, values_override=recalculate(src))
    out = openpyxl.load_workbook(r.out_path)
    assert str(out[TR][cell].value).startswith("=SUM(Savings[[#This Row],[Original Phasing - Q1]")
    restored = [rr[2] for rr in out["Checks"].iter_rows(min_row=2, max_col=5, values_only=True)
                if rr[4] == plans.RESTORED_CODE]
    assert restored == [cell]        # the variance (a formula reading the typed value) is not reported


# ---- snapshot --------------------------------------------------------------------------------------------------
def _history(path):
    wb = openpyxl.load_workbook(path)
    ws = wb["History"]
    t = ws.tables["History"]
    rows = [list(r) for r in ws[t.ref]]
    return t.ref, [[c.value for c in r] for r in rows]


def test_snapshot_append_refuse_replace_directions(wb_path, tmp_path, sample_reg):
    values = cached(wb_path)
    r1 = run(wb_path, xl.snapshot, tmp_path, "s1.xlsm", values_override=values)
    ref, rows = _history(r1.out_path)
    period = sample_reg.settings.period
    assert len(rows) == 1 + len(sample_reg) and ref.endswith(str(len(sample_reg) + 1))
    assert {r[0] for r in rows[1:]} == {period} and {r[8] for r in rows[1:]} == {"↔"}
    assert "Recorded" in r1.alerts[-1]["prompt"]
    # same period again: refused, History unchanged
    v2 = cached(wb_path)
    v2["History"] = [[c for c in r] for r in rows]
    r2 = run(r1.out_path, xl.snapshot, tmp_path, "s2.xlsm", values_override=v2)
    assert "already holds a snapshot" in r2.alerts[-1]["prompt"]
    assert _history(r2.out_path)[1] == rows
    assert [a["func"] for a in r2.actions] == ["alert"]
    # replace: same number of rows
    r3 = run(r1.out_path, lambda b: xl.snapshot(b, replace=True), tmp_path, "s3.xlsm", values_override=v2)
    assert len(_history(r3.out_path)[1]) == len(rows) and "Replaced" in r3.alerts[-1]["prompt"]
    # next period: one line better RAG, one with a lower forecast saving -> directions
    heads, top, _ = geometry(wb_path)
    v4 = cached(wb_path)
    v4["History"] = v2["History"]
    st = v4["Settings"]
    for rr in st:
        if rr[0] == "period":
            rr[1] = "November 2017"
    rag_c = col_of(wb_path, "rag", sample_reg.settings) - 1
    fc_c = col_of(wb_path, "forecast_total", sample_reg.settings) - 1
    lines = v4[TR][top: top + len(sample_reg)]
    up = next(i for i, rr in enumerate(lines) if rr[rag_c] == "Red")
    lines[up][rag_c] = "Green"
    down = next(i for i, rr in enumerate(lines) if rr[rag_c] == "Green" and i != up and (rr[fc_c] or 0) < 0)
    lines[down][fc_c] = lines[down][fc_c] / 2          # half the saving: its phasing, and the total Excel shows
    for key in ("forecast_q1", "forecast_q2", "forecast_q3", "forecast_q4"):
        c = col_of(wb_path, key, sample_reg.settings) - 1
        lines[down][c] = (lines[down][c] or 0) / 2
    r4 = run(r1.out_path, xl.snapshot, tmp_path, "s4.xlsm", values_override=v4)
    _, rows4 = _history(r4.out_path)
    new = [rr for rr in rows4[1:] if rr[0] == "November 2017"]
    assert len(new) == len(sample_reg)
    assert new[up][8] == "↑" and new[down][8] == "↓"
    out = openpyxl.load_workbook(r4.out_path)
    dcol = col_of(wb_path, "direction", sample_reg.settings)
    assert out[TR].cell(top + 1 + up, dcol).value == "↑"
    assert "against " + period in r4.alerts[-1]["prompt"]


# ---- appendix ------------------------------------------------------------------------------------------------
def test_appendix_writes_a_file(wb_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)        # the remote book has no folder: the appendix goes beside the cwd
    r = run(wb_path, xl.appendix, tmp_path)
    prompt = r.alerts[-1]["prompt"]
    assert prompt.startswith("Appendix written: "), prompt
    written = Path(prompt.split(": ", 1)[1])
    assert written.is_file() and written.parent == tmp_path / "appendices"


# ---- actions do not grow with the lines ---------------------------------------------------------------------------
def test_action_count_independent_of_lines(tmp_path):
    import xl_bench

    counts = {}
    for n in (10, 10_000):
        path = xl_bench.build(n, tmp_path)
        counts[n] = {}
        for fn in (xl.validate, xl.refresh, xl.snapshot):
            book = xlremote.open_remote_book(path)
            fn(book)
            counts[n][fn.__name__] = [a["func"] for a in book.json()["actions"]]
            xlremote._clear_engine_cache()
    assert counts[10] == counts[10_000]
    assert {k: len(v) for k, v in counts[10].items()} == {"validate": 2, "refresh": 6, "snapshot": 4}


# ---- bad input ----------------------------------------------------------------------------------------------------
def _edit(wb_path, tmp_path, fn, name="bad.xlsm"):
    wb = openpyxl.load_workbook(wb_path, keep_vba=True)
    fn(wb)
    out = tmp_path / name
    wb.save(out)
    return out


@pytest.mark.parametrize("button", ["validate", "refresh", "snapshot", "appendix"])
def test_text_in_money_cell(wb_path, tmp_path, sample_reg, button, monkeypatch):
    monkeypatch.chdir(tmp_path)
    heads, top, _ = geometry(wb_path)
    c = col_of(wb_path, "plan_q1", sample_reg.settings)
    cell = f"{openpyxl.utils.get_column_letter(c)}{top + 2}"
    src = _edit(wb_path, tmp_path, lambda wb: wb[TR].__setitem__(cell, "about 40k?"))
    values = cached(wb_path)
    values[TR][top + 1][c - 1] = "about 40k?"
    before = entered(src)
    r = run(src, getattr(xl, button), tmp_path, values_override=values)
    text = " ".join(a["prompt"] for a in r.alerts)
    assert r.alerts
    if button in ("validate", "snapshot"):
        assert cell in text and "about 40k?" in text
    assert entered(r.out_path) == before


def test_deleted_column(wb_path, tmp_path, sample_reg):
    heads, top, _ = geometry(wb_path)
    c = col_of(wb_path, "forecast_q2", sample_reg.settings)
    values = cached(wb_path)
    values[TR][top - 1][c - 1] = "Column1"          # what Excel leaves when a column's header is lost
    for button in ("validate", "refresh", "snapshot", "appendix"):
        r = run(wb_path, getattr(xl, button), tmp_path, values_override=values)
        assert [a["func"] for a in r.actions] == ["alert"], button
        assert "'Current Forecast Phasing - Q2'" in r.alerts[0]["prompt"]
        assert "Nothing was changed" in r.alerts[0]["prompt"]


def test_renamed_table(wb_path, tmp_path):
    def rename(wb):
        t = wb[TR].tables["Savings"]
        del wb[TR].tables["Savings"]
        t.name = t.displayName = "Table1"
        wb[TR].add_table(t)
    src = _edit(wb_path, tmp_path, rename)
    before = entered_table1(src)
    r = run(src, xl.refresh, tmp_path)
    assert [a["func"] for a in r.actions] == ["alert"]
    assert "no Excel Table named 'Savings'" in r.alerts[0]["prompt"] and "'Table1'" in r.alerts[0]["prompt"]
    assert entered_table1(r.out_path) == before


def entered_table1(path):
    wb = openpyxl.load_workbook(path)
    out = {c.coordinate: c.value for row in wb[TR].iter_rows() for c in row}
    wb.close()
    return out


def test_empty_register(tmp_path):
    path = build_workbook(tmp_path / "blank.xlsm", None, blank=True)
    for button in ("refresh", "snapshot", "appendix"):
        r = run(path, getattr(xl, button), tmp_path, values_override=cached(path))
        assert [a["func"] for a in r.actions] == ["alert"], button
        assert "has no lines" in r.alerts[0]["prompt"]
    r = run(path, xl.validate, tmp_path, values_override=cached(path))
    assert "no lines" in r.alerts[-1]["prompt"]


def test_missing_settings_sheet(wb_path, tmp_path):
    src = _edit(wb_path, tmp_path, lambda wb: wb.remove(wb["Settings"]))
    values = cached(wb_path)
    values.pop("Settings")
    before = entered(src)
    for button in ("validate", "refresh", "snapshot", "appendix"):
        r = run(src, getattr(xl, button), tmp_path, values_override=values)
        assert [a["func"] for a in r.actions] == ["alert"]
        assert "no sheet named 'Settings'" in r.alerts[0]["prompt"]
    assert entered(r.out_path) == before


def test_bad_setting_value(wb_path, tmp_path):
    values = cached(wb_path)
    for rr in values["Settings"]:
        if rr[0] == "amber_at":
            rr[1] = "lots"
    r = run(wb_path, xl.validate, tmp_path, values_override=values)
    assert [a["func"] for a in r.actions] == ["alert"] and "amber_at" in r.alerts[0]["prompt"]


def test_unexpected_error_is_an_alert(wb_path, tmp_path, monkeypatch):
    monkeypatch.setattr(xl, "run_validation", lambda reg: 1 / 0)
    r = run(wb_path, xl.validate, tmp_path)
    assert "ZeroDivisionError" in r.alerts[-1]["prompt"] and "Traceback" not in r.alerts[-1]["prompt"]


def test_no_pro_import_or_licence_in_product():
    for path in (ROOT / "python" / "savings_tracker").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "xlwings.pro" not in text and "XLWINGS_LICENSE_KEY" not in text and "_xlremote" not in text


def test_text_that_looks_like_a_formula_stays_text_through_the_buttons(tmp_path, sample_reg):
    """A title typed as '=HYPERLINK(...)' (or '@', '+', '-') is copied into History and Checks as text,
    never as a live formula."""
    from savings_tracker.cli import main

    hostile = '=HYPERLINK("http://evil.example","click")'
    reg = read_register(samples.path(samples.ALL["tracker"]))
    reg.lines.at[0, "title"] = hostile
    reg.lines.at[1, "title"] = "@sum(1)"
    path = build_workbook(tmp_path / "hostile.xlsm", reg)
    r = run(path, xl.snapshot, tmp_path, name="snap.xlsm")
    out = openpyxl.load_workbook(r.out_path)
    titles = {row[3].value: row[3] for row in out["History"].iter_rows(min_row=2) if row[3].value}
    assert hostile in titles and titles[hostile].data_type == "s"
    assert "@sum(1)" in titles and titles["@sum(1)"].data_type == "s"
    # the headless path writes the same plan to the closed file: still text
    assert main(["snapshot", str(path), "--period", "October 2017"]) == 0
    wb = openpyxl.load_workbook(path)
    cells = [row[3] for row in wb["History"].iter_rows(min_row=2) if row[3].value == hostile]
    assert cells and all(c.data_type == "s" for c in cells)


def test_refresh_with_new_committees_matches_the_headless_refresh(wb_path, tmp_path, sample_reg):
    """More committees than the Summary has rows for: the button inserts rows (Excel's Insert) and writes the
    same Summary as `savings-tracker refresh` does to the closed workbook."""
    import shutil

    from savings_tracker import cli
    from savings_tracker.libreoffice import recalculate
    from savings_tracker import cells
    from savings_tracker.xlsx.apply import patch_workbook

    reg = read_register(wb_path)
    col = cells.letters(reg.source.columns["committee"] + 1)
    rows = [int(r) for r in reg.lines["_row"]][-6:]
    src = tmp_path / "grown.xlsm"
    patch_workbook(wb_path, src, {TR: {f"{col}{r}": ("Public Health", "Economy", "Housing")[i % 3]
                                       for i, r in enumerate(rows)}})
    headless = tmp_path / "headless.xlsm"
    shutil.copy(src, headless)
    r = run(src, xl.refresh, tmp_path, values_override=recalculate(src))
    inserts = [a for a in r.actions if a["func"] == "rangeInsert"]
    assert cli.main(["refresh", str(headless), "--backups", "0"]) in (0, 1)
    button, closed = openpyxl.load_workbook(r.out_path)["Summary"], openpyxl.load_workbook(headless)["Summary"]
    names = [c.value for c in closed["A"]]
    last = names.index("No RAG") + 1                            # the chart data's last row
    assert names.index("Total") > 5 + len(sample_reg.settings.committees)   # rows were inserted
    assert [[c.value for c in row] for row in button.iter_rows(min_row=4, max_row=last, max_col=9)] == \
        [[c.value for c in row] for row in closed.iter_rows(min_row=4, max_row=last, max_col=9)]
    assert len(inserts) == 1                                   # one Insert call, whatever the count


# ---- typed-over detection from the cell itself (Range.formula, as Excel on Windows and macOS reads it) -------
def _typed(wb_path, tmp_path, edits: dict, name: str):
    src = tmp_path / name
    wb = openpyxl.load_workbook(wb_path, keep_vba=True)
    for cell, value in edits.items():
        wb[TR][cell] = value
    wb.save(src)
    return src


def test_refresh_restores_a_typed_number_equal_to_the_formula_result(wb_path, tmp_path, sample_reg):
    """A constant where the column's formula belongs is typed over whatever its value: the button reads the
    computed columns' formulas (one Range.formula call) and restores it, as the headless refresh does."""
    _, top, _ = geometry(wb_path)
    fc = col_of(wb_path, "forecast_total", sample_reg.settings)
    cell = f"{openpyxl.utils.get_column_letter(fc)}{top + 3}"
    shown = cached(wb_path)[TR][top + 2][fc - 1]               # the formula's result, typed over it
    src = _typed(wb_path, tmp_path, {cell: shown}, "equal.xlsm")
    r = run(src, xl.refresh, tmp_path, formulas=True)
    out = openpyxl.load_workbook(r.out_path)
    assert str(out[TR][cell].value).startswith("=SUM(Savings[[#This Row],[Current Forecast Phasing - Q1]")
    restored = [rr[2] for rr in out["Checks"].iter_rows(min_row=2, max_col=5, values_only=True)
                if rr[4] == plans.RESTORED_CODE]
    assert restored == [cell]
    reads = [a for a in r.actions if a["func"] in ("getRangeData",)]
    assert not reads                                             # formulas came with one synchronous read
    # where formulas cannot be read (xlwings Lite, the remote engine) a value equal to the result is left
    r2 = run(src, xl.refresh, tmp_path, name="values.xlsm")
    assert not [rr for rr in openpyxl.load_workbook(r2.out_path)["Checks"].iter_rows(min_row=2, max_col=5,
                                                                                      values_only=True)
                if rr[4] == plans.RESTORED_CODE]


def test_refresh_completes_a_new_line_with_blank_computed_cells_in_one_run(wb_path, tmp_path, sample_reg):
    _, top, _ = geometry(wb_path)
    s = sample_reg.settings
    keys = ("plan_total", "forecast_total", "variance")
    row = top + 4
    cells_ = {k: f"{openpyxl.utils.get_column_letter(col_of(wb_path, k, s))}{row}" for k in keys}
    src = _typed(wb_path, tmp_path, {c: None for c in cells_.values()}, "blank.xlsm")
    values = cached(wb_path)
    for k in keys:
        values[TR][row - 1][col_of(wb_path, k, s) - 1] = None  # what Excel shows for the emptied cells
    r = run(src, xl.refresh, tmp_path, values_override=values, formulas=True)
    out = openpyxl.load_workbook(r.out_path)
    for k, cell in cells_.items():
        assert str(out[TR][cell].value).startswith(("=SUM(Savings[[#This Row]", "=Savings[[#This Row]")), k
    checks = [rr for rr in out["Checks"].iter_rows(min_row=2, max_col=6, values_only=True)
              if rr[4] == plans.RESTORED_CODE]
    assert sorted(rr[2] for rr in checks) == sorted(cells_.values())
    assert all("was blank" in rr[5] and "typed value" not in rr[5] for rr in checks)


def checks_filter(path) -> str:
    """The range filtering Checks covers: the Checks table's AutoFilter where Checks is a table, else the
    sheet's AutoFilter."""
    wb = openpyxl.load_workbook(path)
    try:
        ws = wb["Checks"]
        tables = list(ws.tables.values())
        if tables:
            assert ws.auto_filter.ref is None          # one filter only: the table's
            return tables[0].autoFilter.ref
        return ws.auto_filter.ref
    finally:
        wb.close()


def test_validate_keeps_the_checks_filter_over_the_checks_table_as_it_grows_and_shrinks(wb_path, tmp_path,
                                                                                        sample_reg):
    """Validate in Excel (the buttons) grows Checks: its filter must cover every finding, and shrink back
    when they are corrected (xlwings cannot move a sheet's AutoFilter; Checks is a table it resizes)."""
    _, top, last = geometry(wb_path)
    rag = openpyxl.utils.get_column_letter(col_of(wb_path, "rag", sample_reg.settings))
    bad = {f"{rag}{r}": "Purple" for r in range(top + 1, top + 21)}
    src = _typed(wb_path, tmp_path, bad, "purple.xlsm")
    grown = run(src, xl.validate, tmp_path, "grown.xlsm")
    rows = [rr for rr in openpyxl.load_workbook(grown.out_path)["Checks"].iter_rows(min_row=2, max_col=5,
                                                                                    values_only=True) if rr[0]]
    assert len(rows) > 20
    assert checks_filter(grown.out_path) == f"A1:G{len(rows) + 1}"
    corrected = {**merged(grown.out_path), TR: cached(wb_path)[TR]}        # the lines corrected in Excel
    shrunk = run(grown.out_path, xl.validate, tmp_path, "shrunk.xlsm", values_override=corrected)
    rows2 = [rr for rr in openpyxl.load_workbook(shrunk.out_path)["Checks"].iter_rows(min_row=2, max_col=5,
                                                                                      values_only=True) if rr[0]]
    assert 0 < len(rows2) < len(rows)
    assert checks_filter(shrunk.out_path) == f"A1:G{len(rows2) + 1}"
