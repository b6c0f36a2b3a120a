"""Bring your own tracker (issue 11): a council's own spreadsheet is read, its columns mapped, and the product
workbook built from it with nothing lost. Round trips through `import` and `summary`, LibreOffice's
recalculation of the built workbook, the seed-000 layout as a council keeps it, the newcomer's tracker, and
errors rather than guesses."""
from __future__ import annotations

import json
import re
from decimal import Decimal

import openpyxl
import pytest

import councils as C
from clirun import run, summary_json
from savings_tracker import libreoffice as lo
from savings_tracker import samples
from savings_tracker.core import schema
from savings_tracker.core.validate import validate
from savings_tracker.readers import read_register
from savings_tracker.workbook import builder as B


LAYOUTS = {
    "seed-003": lambda d: samples.path("tracker"),
    "seed-000-as-kept": lambda d: C.seed_000(d / "psr_2017-18.xlsx"),
    "seed-002": lambda d: samples.path("options"),
    "newcomer": lambda d: C.newcomer(d / "anytown.xlsx"),
    "quarterly-two-row": lambda d: C.quarterly_two_row(d / "westshire.xlsx"),
    "annual-programme-£k": lambda d: C.programme_annual(d / "northbridge.xlsx"),
    "in-year-future-brag-£m": lambda d: C.in_year_future_brag(d / "eastport.xlsx"),
    "headerless-headings-£": lambda d: C.headerless_headings(d / "southvale.xlsx"),
    "csv-pounds-brackets": lambda d: C.pounds_csv(d / "lowtown.csv"),
    "ods-notes-row": lambda d: lo.convert(C.notes_under_header(d / "notes.xlsx"), "ods", d / "ods"),
    "hidden-frozen-merged": lambda d: C.hidden_frozen_merged(d / "upton.xlsx"),
    "line-breaks-rag-words": lambda d: C.line_breaks_and_words(d / "midshire.xlsx"),
    "brag-lifecycle-£000": lambda d: C.brag_lifecycle(d / "westford.xlsx"),
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Each layout imported once: (source, built workbook, LibreOffice's recalculated values)."""
    out = {}
    for name, make in LAYOUTS.items():
        d = tmp_path_factory.mktemp(re.sub(r"\W", "", name))
        src = make(d)
        built = d / "Savings_Tracker.xlsm"
        code, text = run("import", src, "--out", built)
        assert code == 0, text
        out[name] = (src, built, lo.recalculate(built))
    return out


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_import_then_summary_equals_the_source_figure_by_figure(imported, name):
    src, built, _ = imported[name]
    assert summary_json(built) == summary_json(src)


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_libreoffice_recalculation_gives_the_same_totals(imported, name):
    src, built, values = imported[name]
    reg = read_register(src)
    back = read_register(built)
    expected = summary_json(src)["totals"]
    tracker = values[schema.SHEET_NAMES["tracker"]]
    totals = tracker[B.HEADER_ROW + len(reg) + 1]
    assert totals[0] == "Total"
    dp = reg.settings.precision
    checked = 0
    for key, want in expected.items():
        col = back.source.columns.get(key)
        if col is None:
            continue
        got = Decimal(str(totals[col])).quantize(Decimal(1).scaleb(-dp))
        assert got == Decimal(str(want)).quantize(Decimal(1).scaleb(-dp)), (key, totals[col], want)
        checked += 1
    assert checked >= 1
    # the Summary's Total row after recalculation: the line counts by RAG (with Blue where the register uses
    # BRAG), then planned, forecast, variance
    summary = values[schema.SHEET_NAMES["summary"]]
    header = next(r for r in summary if r and len(r) > 2 and r[1] == "Lines")
    total = next(r for r in summary[4:] if r and r[0] == "Total")
    money = header.index("No RAG") + 1
    for j, key in enumerate(("plan_total", "forecast_total", "variance")):
        want = expected.get(key, 0) if key in back.source.columns else 0
        assert Decimal(str(total[money + j])).quantize(Decimal(1).scaleb(-dp)) == \
            Decimal(str(want)).quantize(Decimal(1).scaleb(-dp)), (key, total)
    assert total[1] == len(reg)
    counts = summary_json(src)["rag_counts"]
    assert ("Blue" in header) == ("Blue" in counts)
    assert {h: total[c] for c, h in enumerate(header) if h in counts} == counts
    for sheet, rows in values.items():
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                assert not (isinstance(v, str) and (v.startswith("Err:") or v in ("#NAME?", "#REF!", "#VALUE!"))), \
                    f"{sheet} R{r}C{c}: {v}"


def test_seed_000_as_kept_reports_the_five_slips_of_the_bundled_sample(tmp_path):
    kept = C.seed_000(tmp_path / "psr.xlsx")
    reg = read_register(kept)
    assert reg.layout == "programme" and len(reg) == 27 and reg.settings.unit == "£m"
    assert reg.settings.title == "Analysis of 2017/18 Public Sector Reform Savings"
    sample = read_register(samples.path("programme"))

    def slips(r):
        return sorted((f.severity, f.code, f.reference, f.message) for f in validate(r))
    assert slips(reg) == slips(sample)
    assert sum(1 for s in slips(reg) if s[0] == "error") == 5
    assert list(reg.lines["title"]) == list(sample.lines["title"])
    assert list(reg.lines["programme"]) == list(sample.lines["programme"])
    code, out = run("validate", kept)
    assert code == 1 and "5 error(s)" in out
    # imported, the workbook holds the lines and keeps the published subtotal and total rows as checks on them
    built = tmp_path / "psr.xlsm"
    assert run("import", kept, "--out", built)[0] == 0
    wb_findings = validate(read_register(built))
    assert sorted((f.severity, f.code, f.reference) for f in wb_findings) == \
        sorted((f.severity, f.code, f.reference) for f in validate(sample))
    [sub] = [f for f in wb_findings if f.code == "subtotal-mismatch"]
    assert sub.sheet == "psr.xlsx: PSR Savings row 29" and "'0.781' but the lines add to 1.147" in sub.message
    # the RAG analysis appendix renders from it
    html = tmp_path / "rag.html"
    code, out = run("appendix", kept, "--template", "rag-analysis", "--format", "html", "--out", html)
    assert code == 1 and "DRAFT - 5 errors" in out, out       # written, marked a draft while the slips stand
    text = html.read_text(encoding="utf-8")
    assert "Locality teams" in text and "PSR2- Locality Teams and Personalisation" in text and "0.389" in text


def test_newcomer_tracker_imports_with_its_figures_intact(tmp_path):
    src = C.newcomer(tmp_path / "anytown.xlsx")
    built = tmp_path / "anytown.xlsm"
    code, out = run("import", src, "--out", built)
    assert code == 0, out
    wb = openpyxl.load_workbook(built)
    ws = wb[schema.SHEET_NAMES["tracker"]]
    header = [c.value for c in ws[B.HEADER_ROW + 1]]
    plan, fc, var = (header.index(h) for h in ("2025/26 Target £000", "Forecast £000", "Variance"))
    assert "Original Phasing - Q1" not in header           # no blank quarters invented under a typed total
    assert "Directorate" in header and "Comments" in header    # the council's own headers
    for k, line in enumerate(C.NEWCOMER_LINES):
        row = [c.value for c in ws[B.HEADER_ROW + 2 + k]]
        assert row[header.index("Ref")] == line[0] and row[header.index("Saving Description")] == line[1]
        assert (row[plan], row[fc]) == (line[3], line[4])   # entered values, not formulas over blank quarters
        assert row[header.index("Directorate")] == line[2] and row[header.index("RAG Status")] == line[6]
        assert isinstance(row[var], str) and row[var].startswith("=")   # variance: its parts exist
    settings = {r[0].value: r[1].value for r in wb[schema.SHEET_NAMES["settings"]].iter_rows(min_row=2) if r[0].value}
    assert settings["organisation"] == "Anytown District Council"
    assert settings["financial_year"] == "2025/26" and settings["period"] == "Month 6 (September 2025)"
    # no sample data from elsewhere: the Options table is empty
    opts = wb[schema.SHEET_NAMES["options"]].tables[schema.TABLE_NAMES["options"]]
    first, last = opts.ref.split(":")
    assert int(re.sub(r"\D", "", last)) - int(re.sub(r"\D", "", first)) == 2   # header, one empty row, totals
    assert len(read_register(built, layout="options")) == 0
    # LibreOffice keeps the typed 450 (no formula to give 0), and the totals are the source's
    values = lo.recalculate(built)[schema.SHEET_NAMES["tracker"]]
    assert values[B.HEADER_ROW + 2][plan] == -450
    assert values[B.HEADER_ROW + 1 + len(C.NEWCOMER_LINES)][plan] == -1405
    # refresh finds nothing typed over: the totals are entered columns
    code, out = run("refresh", built)
    assert code == 0, out
    assert "restored" not in out
    assert read_register(built).lines["plan_total"].tolist() == [Decimal(x[3]) for x in C.NEWCOMER_LINES]


def test_newcomer_tracker_without_its_target_column_is_an_error(tmp_path):
    src = C.newcomer(tmp_path / "no_target.xlsx", target=False)
    code, out = run("validate", src)
    assert code == 1 and "plan-missing" in out and "no plan or target figure" in out
    code, out = run("summary", src)
    assert code == 2 and "could not be understood" in out and "no plan or target figure" in out
    code, out = run("import", src, "--out", tmp_path / "x.xlsm")
    assert code == 2 and "no plan or target figure" in out
    assert not (tmp_path / "x.xlsm").exists()
    code, out = run("appendix", src, "--template", "tracker", "--format", "html", "--out", tmp_path / "a.html")
    assert code == 2 and not (tmp_path / "a.html").exists()


def test_a_header_not_recognised_gets_the_nearest_column_and_map_reads_it(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Ref", "Saving Title", "Agreed Saving £000", "Forecast £000", "RAG"])
    ws.append(["A1", "One", -10, -5, "Red"])
    ws.append(["A2", "Two", -20, -20, "Green"])
    src = tmp_path / "goal.xlsx"
    wb.save(src)
    code, out = run("validate", src)
    assert "'Agreed Saving £000' looks like Original Saving: --map 'Agreed Saving £000=plan_total'" in out
    assert "plan-missing" in out
    code, out = run("summary", src)
    assert code == 2
    code, out = run("inspect", src)
    assert code == 2 and "not read" in out and "Agreed Saving £000" in out
    mapped = ("--map", "Agreed Saving £000=plan_total")
    code, out = run("inspect", src, *mapped)
    assert code == 0 and "plan_total (Original Saving)" in out and "--map" in out
    assert summary_json(src, *mapped)["totals"]["plan_total"] == -30
    built = tmp_path / "goal.xlsm"
    code, out = run("import", src, "--out", built, *mapped)
    assert code == 0, out
    settings = {r[0].value: r[1].value for r in openpyxl.load_workbook(built)["Settings"].iter_rows(min_row=2)
                if r[0].value}
    assert json.loads(settings["column_map"]) == {"Ref": "reference", "Saving Title": "title",
                                                  "Agreed Saving £000": "plan_total", "Forecast £000": "forecast_total",
                                                  "RAG": "rag"}
    assert summary_json(built) == summary_json(src, *mapped)
    code, out = run("validate", src, "--map", "Agreed Saving £000=nonsense")
    assert code == 2 and "'nonsense' is not a column key" in out


def test_extra_columns_brag_and_future_years(tmp_path):
    src = C.in_year_future_brag(tmp_path / "eastport.xlsx")
    reg = read_register(src)
    # the future MTFS years are not the plan: no false variance errors
    assert not [f for f in validate(reg) if f.severity == "error"]
    assert reg.lines["plan_total"].tolist() == [Decimal("-1.25"), Decimal("-0.8"), Decimal("-0.125"), Decimal("-0.333")]
    assert reg.settings.years == ["2026/27", "2027/28"] and reg.settings.financial_year == "2025/26"
    assert reg.lines["recurrence"].tolist() == ["Recurring", "One-off", "Recurring", "Recurring"]
    assert reg.lines["rag"].tolist() == ["Blue", "Amber", "Red", "Green"]
    s = summary_json(src)
    assert s["rag_counts"] == {"Red": 1, "Amber": 1, "Green": 1, "No RAG": 0, "Blue": 1}
    built = tmp_path / "eastport.xlsm"
    code, out = run("import", src, "--out", built)
    assert code == 0 and "1 extra column carried" in out
    ws = openpyxl.load_workbook(built)[schema.SHEET_NAMES["tracker"]]
    header = [c.value for c in ws[B.HEADER_ROW + 1]]
    assert header[-1] == "Delivery Confidence"
    assert [ws.cell(B.HEADER_ROW + 2 + k, len(header)).value for k in range(4)] == ["High", "Medium", 0.4, "High"]
    assert {"Mitigation", "Recurring/One-off", "Savings Owner", "2026/27 £m"} <= set(header)
    plan = header.index("FY2025/26 Target £m") + 1
    assert header.index("2026/27 £m") > header.index("Variance £m")   # MTFS years after the in-year
    assert ws.cell(B.HEADER_ROW + 2, plan).value == -1.25      # entered: the future years are not its parts
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list" and dv.formula1 and "Blue" in dv.formula1]
    assert lists, "the BRAG dropdown offers Blue where the council uses it"
    back = read_register(built)
    assert back.extras == {"_x0": "Delivery Confidence"}


def test_checks_point_at_the_workbook_cells(tmp_path):
    src = C.newcomer(tmp_path / "anytown.xlsx")
    wb = openpyxl.load_workbook(src)
    wb.active["E5"] = "TBC"            # S02's forecast, typed as councils do
    wb.save(src)
    built = tmp_path / "tbc.xlsm"
    code, out = run("import", src, "--out", built)
    assert code == 0, out
    book = openpyxl.load_workbook(built)
    checks = [[c.value for c in r] for r in book["Checks"].iter_rows(min_row=2)]
    [bad] = [r for r in checks if r[4] == "money-invalid"]
    assert bad[1] == "Tracker"
    ws = book["Tracker"]
    assert ws[bad[2]].value == "TBC"                 # the cell it names holds the value, kept as typed
    assert bad[3] == "S02"
    assert bad[6] == f'=HYPERLINK("#\'Tracker\'!{bad[2]}","Tracker!{bad[2]}")'      # with a link to it
    code, out = run("validate", built)
    assert "Tracker!" + bad[2] in out and "'TBC'" in out


@pytest.mark.parametrize("fmt", ["xls", "ods", "csv"])
def test_other_formats_read_the_same(tmp_path, fmt):
    src = C.newcomer(tmp_path / "anytown.xlsx")
    converted = lo.convert(src, fmt, tmp_path / fmt)
    assert converted.suffix == f".{fmt}"
    a, b = summary_json(src), summary_json(converted)
    for d in (a, b):
        d["register"].pop("organisation"), d["register"].pop("period"), d["register"].pop("financial_year")
    assert b["totals"] == a["totals"] and b["rag_counts"] == a["rag_counts"] and b["groups"] == a["groups"]
    if fmt != "csv":
        assert read_register(converted).settings.organisation == "Anytown District Council"


def test_a_blank_amount_stays_blank_in_the_built_workbook(tmp_path):
    """A council leaves a cell blank (no write-off on this line): it reads as nil, and the built workbook
    leaves the cell blank rather than writing a 0 the council never typed."""
    import csv

    import openpyxl

    from savings_tracker.readers import read_register
    from savings_tracker.workbook import build_workbook

    src = tmp_path / "own.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([
            ["Reference", "Title", "Committee", "Original Saving", "Forecast Saving", "RAG", "Write-off"],
            ["X1", "A saving", "Adults", "-100", "-80", "Amber", "-20"],
            ["X2", "Other", "Adults", "-50", "-50", "Green", ""]])
    reg = read_register(src)
    out = build_workbook(tmp_path / "own.xlsm", reg, imported=True)
    ws = openpyxl.load_workbook(out)["Tracker"]
    header_row = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Reference")
    heads = [c.value for c in ws[header_row]]
    col = next(i for i, h in enumerate(heads, start=1) if h and str(h).startswith("Write-off"))
    assert ws.cell(header_row + 1, col).value == -20
    assert ws.cell(header_row + 2, col).value is None            # blank, as the council left it
    back = read_register(out)
    assert back.lines["write_off"].tolist() == reg.lines["write_off"].tolist()
