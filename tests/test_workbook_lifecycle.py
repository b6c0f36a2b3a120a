"""The savings lifecycle and BRAG in the built workbook: a council's BRAG tracker that follows each saving through
its life, imported. The Tracker carries the lifecycle columns with their types, dropdown and formats; the Summary
has a Blue column and the lifecycle figures (delivered, at risk, slipped, written off, replaced) as live formulas
whose saved values, and LibreOffice's recalculation, equal `summary --format json`; Checks lists the lifecycle
checks with links to their cells; a figure typed over on the Summary is restored by Refresh."""
from __future__ import annotations

import json
from decimal import Decimal

import openpyxl
import pytest

import councils as C
from savings_tracker import libreoffice as lo
from savings_tracker.cli import main
from savings_tracker.core import lifecycle, schema
from savings_tracker.readers import read_register
from savings_tracker.workbook import builder as B

CATS = ["Red", "Amber", "Green", "Blue", "No RAG"]


def summary_json(capsys, path) -> dict:
    capsys.readouterr()
    assert main(["summary", str(path), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def west(tmp_path_factory):
    """(source, built workbook, LibreOffice's recalculated values of the built workbook)."""
    d = tmp_path_factory.mktemp("westford")
    src = C.brag_lifecycle(d / "westford.xlsx")
    built = d / "Savings_Tracker.xlsm"
    assert main(["import", str(src), "--out", str(built)]) == 0
    return src, built, lo.recalculate(built)


def saved_values(path, sheet: str) -> list[list]:
    """A sheet's values as saved (each formula's cached result), as a reader that does not recalculate sees them."""
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return [[c.value for c in row] for row in ws.iter_rows()]


def summary_tables(rows: list[list]) -> dict:
    """The Summary's by-group table (header, group rows, Total), chart data and lifecycle figures, from its values."""
    rows = [list(r) + [None] * (12 - len(r)) for r in rows]
    top = next(i for i, r in enumerate(rows) if r[1] == "Lines")
    total = next(i for i in range(top + 1, len(rows)) if rows[i][0] == "Total")
    chart = next(i for i in range(total + 1, len(rows)) if rows[i + 1][0] == "Red")   # its header: the RAG's
    labels = {v: k for k, v in lifecycle.LABELS.items()}
    return {"header": rows[top][:11], "groups": {r[0]: r for r in rows[top + 1:total]}, "total": rows[total],
            "chart": {r[0]: r[1:3] for r in rows[chart + 1:chart + 6]},
            "lifecycle": {labels[r[0]]: r[1] for r in rows if r[0] in labels}}


def same(a, b) -> bool:
    return Decimal(str(a)).quantize(Decimal("0.001")) == Decimal(str(b)).quantize(Decimal("0.001"))


def check_summary(tables: dict, data: dict) -> None:
    """The Summary's figures against `summary --format json` of the same tracker."""
    assert tables["header"][2:7] == CATS
    assert tables["total"][1] == data["register"]["lines"]
    assert tables["total"][2:7] == [data["rag_counts"][k] for k in CATS]
    for g in data["groups"]:
        assert tables["groups"][g["name"]][1:7] == [g["lines"], *(g["rag_counts"].get(k, 0) for k in CATS)], g["name"]
    for j, key in enumerate(("plan_total", "forecast_total", "variance")):
        assert same(tables["total"][7 + j], data["totals"][key]), key
    want = {k: v for k, v in data["lifecycle"].items() if k in lifecycle.FIGURES}
    assert set(tables["lifecycle"]) == set(want)
    for k, v in want.items():
        assert same(tables["lifecycle"][k], v), (k, tables["lifecycle"][k], v)


def test_the_summary_shows_blue_and_the_lifecycle_figures_of_the_cli(west, capsys):
    src, built, recalculated = west
    data = summary_json(capsys, src)
    assert data["rag_counts"]["Blue"] == 1 and data["lifecycle"]["delivered"] == 730
    assert summary_json(capsys, built)["lifecycle"] == data["lifecycle"]
    check_summary(summary_tables(saved_values(built, "Summary")), data)         # the saved results
    check_summary(summary_tables(recalculated["Summary"]), data)                # LibreOffice's recalculation
    chart = summary_tables(recalculated["Summary"])["chart"]
    assert chart["Blue"] == [500, 500] and chart["No RAG"] == [0, 0]            # Blue is not "No RAG"


def test_the_lifecycle_figures_are_live_formulas(west):
    _, built, _ = west
    formulas = lo.formulas(built, "Summary")
    rows = saved_values(built, "Summary")
    at = {r[0]: i + 1 for i, r in enumerate(rows) if r and r[0] in lifecycle.LABELS.values()}
    assert formulas[f"B{at[lifecycle.LABELS['delivered']]}"] == "=SUM(Savings[Achieved to date £000])"
    assert "SUMIFS" in formulas[f"B{at[lifecycle.LABELS['at_risk']]}"]
    assert formulas[f"B{at[lifecycle.LABELS['written_off']]}"] == "=SUM(Savings[Write-off £000])"


def test_tracker_lifecycle_columns_types_dropdown_and_formats(west):
    _, built, _ = west
    ws = openpyxl.load_workbook(built)["Tracker"]
    back = read_register(built)
    assert set(lifecycle.KEYS) <= set(back.keys)             # every lifecycle column the council keeps
    col = {k: c + 1 for k, c in back.source.columns.items()}   # under the council's own headers
    plan_format = ws.cell(B.HEADER_ROW + 2, col["plan_total"]).number_format
    first = B.HEADER_ROW + 2
    for key in ("achieved", "to_deliver", "slippage", "write_off", "replacement_saving"):
        assert ws.cell(first, col[key]).number_format == plan_format, key
    assert ws.cell(first, col["achieved"]).value == 500
    assert ws.cell(first + 2, col["replacement_ref"]).value == "C-07"
    letter = openpyxl.utils.get_column_letter(col["original_rag"])
    [dv] = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(letter + str(first))]
    assert dv.type == "list" and dv.formula1 == '"Red,Amber,Green"'         # Blue is no budget-setting RAG
    [brag] = [dv for dv in ws.data_validations.dataValidation
              if str(dv.sqref).startswith(openpyxl.utils.get_column_letter(col["rag"]) + str(first))]
    assert "Blue" in brag.formula1


def test_checks_list_the_lifecycle_checks_with_links_to_their_cells(west):
    _, built, _ = west
    book = openpyxl.load_workbook(built)
    checks = {r[4]: r for r in ([c.value for c in row] for row in book["Checks"].iter_rows(min_row=2)) if r[4]}
    ws = book["Tracker"]
    header = {c.value: c.column_letter for c in ws[B.HEADER_ROW + 1]}
    for code, severity, column in (("lifecycle-mismatch", "error", "Still to deliver £000"),
                                   ("write-off-unexplained", "warning", "Write-off £000")):
        row = checks[code]
        assert row[0] == severity and row[1] == "Tracker" and row[3] == "C-02", row
        assert row[2].rstrip("0123456789") == header[column]                    # the cell of that column
        assert ws[f"A{row[2][len(header[column]):]}"].value == "C-02"          # on C-02's row
        assert row[6] == f'=HYPERLINK("#\'Tracker\'!{row[2]}","Tracker!{row[2]}")'


def test_a_lifecycle_figure_typed_over_is_restored_by_refresh(west, tmp_path, capsys):
    _, built, _ = west
    rows = saved_values(built, "Summary")
    row = next(i + 1 for i, r in enumerate(rows) if r and r[0] == lifecycle.LABELS["delivered"])
    tracker = openpyxl.load_workbook(built)["Tracker"]
    achieved = next(c.column_letter for c in tracker[B.HEADER_ROW + 1] if c.value == "Achieved to date £000")
    typed = lo.resave(built, tmp_path / "typed.xlsm", [
        {"do": "set", "sheet": "Summary", "cell": f"B{row}", "value": 999},           # typed over the formula
        {"do": "set", "sheet": "Tracker", "cell": f"{achieved}{B.HEADER_ROW + 3}", "value": 200}])  # H-02: 120 -> 200
    assert f"B{row}" not in lo.formulas(typed, "Summary") and saved_values(typed, "Summary")[row - 1][1] == 999
    assert main(["refresh", str(typed)]) in (0, 1)
    assert lo.formulas(typed, "Summary")[f"B{row}"] == "=SUM(Savings[Achieved to date £000])"
    data = summary_json(capsys, typed)
    assert data["lifecycle"]["delivered"] == 810
    check_summary(summary_tables(saved_values(typed, "Summary")), data)
    check_summary(summary_tables(lo.recalculate(typed)["Summary"]), data)


LIFECYCLE_CSV = ("Reference,Title,Committee,Original Phasing - Q1,Original Saving,Current Forecast Phasing - Q1,"
                 "Forecast Saving,Variance from Plan,RAG,Original RAG,Achieved to date,Still to deliver,"
                 "Slippage to next year,Write-off,Write-off explanation,Replacement saving,Replacement reference\n"
                 "L1,Libraries,People,-100,-100,-100,-100,0,Blue,Green,-100,0,,,,,\n"
                 "L2,Day centres,People,-200,-200,-150,-150,50,Amber,Green,-50,-100,-50,,,,\n"
                 "L3,Parking,Place,-80,-80,0,0,80,Red,Amber,,,,-80,,-80,P9\n")


def test_the_open_workbook_refresh_restores_and_recalculates_the_same_figures(tmp_path, capsys):
    """The Refresh button in Excel (xlwings' remote engine, tests/xlremote.py) on a BRAG tracker with the
    product's columns and the lifecycle's: the Summary as the closed-file refresh writes it, Blue column and
    lifecycle figures, a figure typed over restored, live formulas LibreOffice recalculates to the core's."""
    import xlremote
    from savings_tracker.excel import buttons as xl

    src = tmp_path / "brag.csv"
    src.write_text(LIFECYCLE_CSV, encoding="utf-8")
    (tmp_path / "brag.settings.json").write_text(json.dumps({"unit": "£000", "sign": "negative", "layout": "tracker"}),
                                                 encoding="utf-8")
    built = tmp_path / "brag.xlsm"
    assert main(["import", str(src), "--out", str(built)]) == 0
    rows = saved_values(built, "Summary")
    row = next(i + 1 for i, r in enumerate(rows) if r and r[0] == lifecycle.LABELS["written_off"])
    typed = lo.resave(built, tmp_path / "typed.xlsm", [{"do": "set", "sheet": "Summary", "cell": f"B{row}",
                                                        "value": 1}])
    values = {name: saved_values(typed, name) for name in openpyxl.load_workbook(typed).sheetnames}
    r = xlremote.run_macro(typed, xl.refresh, out_path=tmp_path / "out.xlsm", values_override=values)
    assert "Summary refreshed" in r.alerts[-1]["prompt"], r.alerts
    out = openpyxl.load_workbook(r.out_path)["Summary"]
    assert out[f"B{row}"].value == "=SUM(Savings[Write-off])"      # the council's own header
    assert [c.value for c in out[5]][2:7] == CATS
    data = summary_json(capsys, src)
    assert data["rag_counts"]["Blue"] == 1 and data["lifecycle"]["written_off"] == -80
    check_summary(summary_tables(lo.recalculate(r.out_path)["Summary"]), data)


def test_the_product_workbook_has_the_lifecycle_columns_to_fill_in(tmp_path, capsys):
    """The sample workbook carries the lifecycle columns, blank and grouped (one click folds them away), with
    the sample's figures unchanged; the Summary shows where the savings stand, and a finance team's achieved
    figure, once entered and refreshed, is delivered on the Summary as in the CLI."""
    from savings_tracker import samples

    built = tmp_path / "Savings_Tracker.xlsm"
    assert main(["build-workbook", "--out", str(built)]) == 0
    ws = openpyxl.load_workbook(built)["Tracker"]
    header = {c.value: c.column_letter for c in ws[B.HEADER_ROW + 1]}
    lines = summary_json(capsys, samples.path("tracker"))
    for key in lifecycle.KEYS:
        letter = header[schema.BY_KEY[key].header_for(None)]
        index = openpyxl.utils.column_index_from_string(letter)
        assert any(d.min <= index <= d.max and d.outline_level == 1 for d in ws.column_dimensions.values()), key
        assert all(ws[f"{letter}{B.HEADER_ROW + 2 + k}"].value is None for k in range(lines["register"]["lines"]))
    data = summary_json(capsys, built)
    assert {k: data[k] for k in ("totals", "rag_counts", "rag_amounts")} == \
        {k: lines[k] for k in ("totals", "rag_counts", "rag_amounts")}          # the sample's figures unchanged
    assert "lifecycle" not in data            # blank columns are not figures: nothing entered yet
    tables = summary_tables(saved_values(built, "Summary"))    # the Summary's live table is there all the same
    assert tables["lifecycle"]["delivered"] == 0
    assert tables["lifecycle"]["at_risk"] == lines["rag_amounts"]["Red"] + lines["rag_amounts"]["Amber"]
    assert "Blue" not in tables["header"]
    cell = f"{header['Achieved to date £000']}{B.HEADER_ROW + 2}"
    typed = lo.resave(built, tmp_path / "achieved.xlsm", [{"do": "set", "sheet": "Tracker", "cell": cell,
                                                           "value": -60}])
    assert main(["refresh", str(typed)]) in (0, 1)
    assert summary_json(capsys, typed)["lifecycle"]["delivered"] == -60
    assert summary_tables(lo.recalculate(typed)["Summary"])["lifecycle"]["delivered"] == -60
    assert summary_tables(saved_values(typed, "Summary"))["lifecycle"]["delivered"] == -60


def test_the_buttons_work_on_an_imported_tracker_without_the_products_phasing(west, tmp_path, capsys):
    """A council's own tracker imported with its own columns (no quarters, no committee) is not refused by the
    buttons as a product workbook with deleted columns would be: Validate, Refresh and Take snapshot run, the
    Summary gets the Blue column and the lifecycle figures, and the snapshot records the Blue line as Blue."""
    import xlremote
    from savings_tracker.excel import buttons as xl

    src, built, _ = west
    values = {name: saved_values(built, name) for name in openpyxl.load_workbook(built).sheetnames}
    for name in ("validate", "refresh", "snapshot"):
        r = xlremote.run_macro(built, getattr(xl, name), out_path=tmp_path / f"{name}.xlsm", values_override=values)
        assert "Nothing was changed" not in r.alerts[-1]["prompt"], (name, r.alerts)
    assert "lifecycle-mismatch" in [c.value for c in openpyxl.load_workbook(tmp_path / "validate.xlsm")["Checks"]["E"]]
    check_summary(summary_tables(lo.recalculate(tmp_path / "refresh.xlsm")["Summary"]), summary_json(capsys, src))
    history = openpyxl.load_workbook(tmp_path / "snapshot.xlsm")["History"]
    assert [row[7] for row in history.iter_rows(min_row=2, values_only=True)][:1] == ["Blue"]


@pytest.mark.parametrize("sign", ["negative", "positive"])
def test_at_risk_stays_a_figure_when_a_typed_total_holds_text(tmp_path, capsys, sign):
    """A council's own tracker (totals entered, no phasing) with 'TBC' typed as a forecast: the Summary's
    at risk figure, recalculated by LibreOffice, is the core's (the TBC line counts as nothing forecast, the
    others as they are), not #VALUE!."""
    src = tmp_path / "own.csv"
    rows = [("OWN/1", "Libraries", "Place", "-100", "-60", "Red", "-20"),
            ("OWN/2", "Parks", "Place", "-80", "TBC", "Amber", ""), ("OWN/3", "Waste", "Place", "-50", "-50", "Green", ""),
            ("OWN/4", "Fleet", "Corporate", "TBC", "-30", "Amber", ""), ("OWN/5", "Print", "Corporate", "-40", "-10",
                                                                         "Green", "-5")]
    if sign == "positive":                        # the same register with savings stored as positive amounts
        rows = [tuple(v[1:] if v.startswith("-") else v for v in r) for r in rows]
    src.write_text("Reference,Title,Committee,Original Saving,Forecast Saving,RAG,Achieved to date\n"
                   + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    src.with_name("own.settings.json").write_text(json.dumps({"organisation": "Test Council", "unit": "£000",
                                                              "sign": sign, "period": "October 2017",
                                                              "financial_year": "2017-18"}), encoding="utf-8")
    built = tmp_path / "Savings_Tracker.xlsm"
    assert main(["build-workbook", "--data", str(src), "--out", str(built)]) == 0
    reg = read_register(built)
    want = lifecycle.figures(reg)["at_risk"]
    # forecast of Red and Amber (-60, -30) plus the shortfalls (-40 Libraries, -80 Parks, -30 Print)
    assert Decimal(str(want)) == Decimal(-240 if sign == "negative" else 240)
    got = summary_tables(lo.recalculate(built)[schema.SHEET_NAMES["summary"]])["lifecycle"]
    assert isinstance(got["at_risk"], (int, float)) and same(got["at_risk"], want), got
    assert same(summary_tables(saved_values(built, schema.SHEET_NAMES["summary"]))["lifecycle"]["at_risk"], want)


def lifecycle_cells(ws) -> list[str]:
    """The cells (A and B) of the Summary's lifecycle table: its title row to its sign note."""
    top = next(c.row for c in ws["A"] if isinstance(c.value, str) and c.value.startswith(lifecycle.TITLE))
    last = next(c.row for c in ws["A"] if c.value == lifecycle.LABELS["replaced"]) + 1
    return [f"{col}{r}" for r in range(top, last + 1) for col in "AB"]


def looks(cell) -> tuple:
    f, b, a = cell.font, cell.border, cell.alignment
    return (cell.number_format, f.b, f.i, f.sz, f.color.rgb if f.color is not None else None, cell.fill.fill_type,
            cell.fill.fgColor.rgb, b.bottom.style, b.top.style, a.horizontal, a.wrap_text)


@pytest.fixture
def without_lifecycle_table(tmp_path):
    """A workbook whose Summary has no lifecycle table (built before it, or deleted): a fresh build with the
    table's cells emptied, values and formats. Returns (fresh build, that workbook, the table's cells)."""
    from openpyxl.styles.cell_style import StyleArray
    from savings_tracker import samples
    from savings_tracker.workbook import build_workbook
    fresh = build_workbook(tmp_path / "fresh.xlsm", read_register(samples.path("tracker")))
    wb = openpyxl.load_workbook(fresh, keep_vba=True)
    ws = wb["Summary"]
    where = lifecycle_cells(ws)
    for ref in where:
        ws[ref].value = None
        ws[ref]._style = StyleArray()
    old = tmp_path / "old.xlsm"
    wb.save(old)
    return fresh, old, where


def test_refresh_writes_a_missing_lifecycle_table_formatted_as_a_fresh_build(without_lifecycle_table, capsys):
    fresh, old, where = without_lifecycle_table
    assert main(["refresh", str(old), "--backups", "0"]) in (0, 1)
    want, got = openpyxl.load_workbook(fresh)["Summary"], openpyxl.load_workbook(old)["Summary"]
    assert lifecycle_cells(got) == where
    assert [(r, got[r].value) for r in where if not str(got[r].value).startswith("=")] == \
        [(r, want[r].value) for r in where if not str(want[r].value).startswith("=")]
    assert [(r, looks(got[r])) for r in where] == [(r, looks(want[r])) for r in where]
    # a second refresh leaves the table's formats as they are (a user's own change to them is kept)
    assert main(["refresh", str(old), "--backups", "0"]) in (0, 1)
    again = openpyxl.load_workbook(old)["Summary"]
    assert [looks(again[r]) for r in where] == [looks(want[r]) for r in where]


def test_the_refresh_button_writes_a_missing_lifecycle_table_formatted_as_a_fresh_build(without_lifecycle_table,
                                                                                         tmp_path):
    import xlremote
    from savings_tracker.excel import buttons as xl
    fresh, old, where = without_lifecycle_table
    shown = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
             for ws in openpyxl.load_workbook(fresh, data_only=True).worksheets}
    for ref in where:                                 # what Excel shows of the workbook without the table
        r, c = openpyxl.utils.cell.coordinate_to_tuple(ref)
        shown["Summary"][r - 1][c - 1] = None
    run = xlremote.run_macro(old, xl.refresh, out_path=tmp_path / "out.xlsm", values_override=shown)
    assert "copyRange" in {a["func"] for a in run.actions}
    want, got = openpyxl.load_workbook(fresh)["Summary"], openpyxl.load_workbook(run.out_path)["Summary"]
    assert [(r, looks(got[r])) for r in where] == [(r, looks(want[r])) for r in where]
    assert [got[r].value for r in where if not str(got[r].value).startswith("=")] == \
        [want[r].value for r in where if not str(want[r].value).startswith("=")]
