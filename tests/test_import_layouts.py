"""Councils' trackers tried as a new user would (issue 11): odd but realistic layouts each read with every figure
kept, and the built Tracker laid out so a reader can tell figures from text."""
from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import councils as C
from clirun import run, summary_json
from savings_tracker.core import schema
from savings_tracker.core.validate import validate
from savings_tracker.readers import read_register
from savings_tracker.workbook import builder as B

TRACKER = schema.SHEET_NAMES["tracker"]


def imported(src: Path, *extra) -> Path:
    out = src.with_suffix(".xlsm")
    code, text = run("import", src, "--out", out, *extra)
    assert code == 0, text
    return out


def header_of(ws) -> list:
    return [c.value for c in ws[B.HEADER_ROW + 1]]


def test_seed_000_figures_are_separated_from_the_comments_beside_them(tmp_path):
    """Seed 000 as kept: the Green £m figures (right-aligned) sat against the comments' text (left-aligned)."""
    built = imported(C.seed_000(tmp_path / "psr.xlsx"))
    ws = openpyxl.load_workbook(built)[TRACKER]
    heads = header_of(ws)
    money = {i for i, h in enumerate(heads) if h and ("£" in h)}
    checked = 0
    for i, h in enumerate(heads):
        if i - 1 in money and i not in money and h:
            for r in range(B.HEADER_ROW + 2, B.HEADER_ROW + 12):
                cell = ws.cell(r, i + 1)
                if isinstance(cell.value, str) and cell.value:
                    assert cell.alignment.horizontal == "left" and cell.alignment.indent >= 1, (h, cell.coordinate)
                    checked += 1
    assert checked >= 5


# ---- heading rows: the group they name is called what the file calls it -----------------------------------

def _headings(path: Path, *, title: str = "Savings monitoring 2025-26", lead: str | None = None,
              subtotal: str | None = None) -> Path:
    """Headings in a first column over the lines (as ``councils.headerless_headings``), with the title row,
    the header over that column and the subtotal labels given."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Southvale District Council"])
    ws.append([title])
    # a header over the first column: it holds the headings, the lines' titles are in a column of their own
    own = [lead, "Saving"] if lead else [None]
    ws.append([*own, "Ref", "Target 2025-26 £", "Forecast 2025-26 £", "Status"])
    for name, lines in {"Corporate": [("C1", "Insurance retender", 1200, 1200, "Green")],
                        "Operations": [("O1", "Depot sale", 4500, 0, "Red"), ("O2", "Routes", 2200, 2400, "Green")]
                        }.items():
        ws.append([name])
        for ref, t, plan, fc, rag in lines:
            ws.append([*([None, t] if lead else [t]), ref, plan, fc, rag])
        ws.append([subtotal.format(name) if subtotal else None, *([None] if lead else []), None,
                   sum(x[2] for x in lines), sum(x[3] for x in lines), None])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


@pytest.mark.parametrize("kw, key", [
    ({}, "group"),                                                        # nothing says what they are
    ({"title": "Savings monitoring by directorate 2025-26"}, "directorate"),
    ({"subtotal": "Total {} Service"}, "service_area"),
    ({"lead": "Portfolio"}, "portfolio"),
])
def test_heading_rows_fill_the_group_the_file_names(tmp_path, kw, key):
    src = _headings(tmp_path / "own.xlsx", **kw)
    reg = read_register(src)
    assert reg.has(key) and not (key != "programme" and reg.has("programme")), reg.keys
    assert reg.lines[key].tolist() == ["Corporate", "Operations", "Operations"]
    assert not [f for f in reg.read_findings if f.severity == "error"]
    # the published subtotals are checked against their group's lines
    assert not [f for f in validate(reg) if f.code == "subtotal-mismatch"]
    built = imported(src)
    ws = openpyxl.load_workbook(built)[TRACKER]
    assert schema.BY_KEY[key].header in header_of(ws)
    assert summary_json(built) == summary_json(src)


def test_the_neutral_group_can_be_named_with_map(tmp_path):
    src = _headings(tmp_path / "own.xlsx")
    reg = read_register(src, mapping={"Group": "service_area"})
    assert reg.lines["service_area"].tolist() == ["Corporate", "Operations", "Operations"] and not reg.has("group")
    built = imported(src, "--map", "Group=service_area")
    assert "Service Area" in header_of(openpyxl.load_workbook(built)[TRACKER])
    code, out = run("summary", built)
    assert code == 0 and "By service_area:" in out and "Corporate" in out, out


def test_a_tracker_without_a_variance_column_gets_forecast_less_plan(tmp_path):
    """Tried as a new user: plan and forecast but no variance column printed 'Variance 0.00' (a false figure)."""
    src = _headings(tmp_path / "own.xlsx")
    totals = summary_json(src)["totals"]
    assert Decimal(str(totals["variance"])) == Decimal(str(totals["forecast_total"])) - Decimal(str(totals["plan_total"]))
    assert Decimal(str(totals["variance"])) == Decimal(3600 - 7900)
    code, out = run("summary", src)
    assert "-4,300.00" in out


# ---- odd but realistic trackers, as a new user brings them --------------------------------------------------

def test_pounds_signs_separators_and_brackets_are_read_exactly(tmp_path):
    reg = read_register(C.pounds_csv(tmp_path / "lowtown.csv"))
    assert reg.settings.unit == "£" and reg.settings.organisation == "Lowtown Borough Council"
    assert reg.lines["plan_total"].tolist() == [Decimal("-450000"), Decimal("-1250.50"), Decimal("-12000"),
                                                Decimal("-2500")]
    assert reg.lines["forecast_total"].tolist() == [Decimal("-300000"), Decimal("-1250.50"), Decimal("-6000"),
                                                    Decimal("0")]
    assert reg.lines["rag"].tolist() == ["Amber", "Green", "Red", "Red"]
    assert not [f for f in validate(reg) if f.severity == "error"], [f.message for f in validate(reg)]


def test_a_notes_row_under_the_header_is_not_a_line(tmp_path):
    from savings_tracker import libreoffice as lo
    src = lo.convert(C.notes_under_header(tmp_path / "notes.xlsx"), "ods", tmp_path / "ods")
    reg = read_register(src)
    assert reg.lines["reference"].tolist() == ["N1", "N2", "N3"]
    assert reg.lines["rag"].tolist() == ["Amber", "Green", "Amber"]
    [note] = [f for f in reg.read_findings if f.code == "row-notes"]
    assert note.severity == "warning" and note.cell == "A2" and "One line per saving" in note.message
    assert not [f for f in validate(reg) if f.severity == "error"]


def test_hidden_column_frozen_pane_and_merged_title(tmp_path):
    src = C.hidden_frozen_merged(tmp_path / "upton.xlsx")
    reg = read_register(src)
    assert reg.settings.organisation == "Upton City Council" and reg.settings.period == "Period 6"
    assert reg.extras == {"_x0": "Old code"} and reg.lines["_x0"].tolist() == ["X99", "X98", 7]
    built = imported(src)
    ws = openpyxl.load_workbook(built)[TRACKER]
    heads = header_of(ws)
    assert [ws.cell(B.HEADER_ROW + 2 + k, heads.index("Old code") + 1).value for k in range(3)] == ["X99", "X98", 7]


def test_line_breaks_in_headers_and_rag_in_words(tmp_path):
    src = C.line_breaks_and_words(tmp_path / "midshire.xlsx")
    reg = read_register(src)
    assert reg.has("title") and reg.has("plan_total") and reg.has("forecast_total")
    assert reg.lines["service_area"].tolist() == ["Adults", "Place", "Place", "Place"]   # a tracker's grouping
    assert reg.lines["rag"].tolist() == ["Amber", "Green", "Red", "Blue"]
    assert not reg.extras
    built = imported(src)
    heads = header_of(openpyxl.load_workbook(built)[TRACKER])
    assert "Target £000" in heads and "Delivery status" in heads
    assert summary_json(built) == summary_json(src)
    # the header as the council wrote it, with its line break, maps too
    again = read_register(src, mapping={"Delivery\nstatus": "rag"})
    assert again.lines["rag"].tolist() == reg.lines["rag"].tolist()


def test_the_neutral_group_is_remembered_and_renamed_like_any_header(tmp_path):
    src = _headings(tmp_path / "own.xlsx")
    built = imported(src)
    wb = openpyxl.load_workbook(built, keep_vba=True)
    settings = {r[0].value: r[1] for r in wb["Settings"].iter_rows(min_row=2) if r[0].value}
    assert json.loads(settings["column_map"].value)["Group"] == "group"
    ws = wb[TRACKER]
    heads = header_of(ws)
    ws.cell(B.HEADER_ROW + 1, heads.index("Group") + 1).value = "Area"
    table = ws.tables[schema.TABLE_NAMES["tracker"]]
    next(c for c in table.tableColumns if c.name == "Group").name = "Area"
    wb.save(built)
    code, out = run("validate", built)
    assert code == 1 and "'Group' as group, but the table has no such header" in out and "'Area'" in out
    wb = openpyxl.load_workbook(built, keep_vba=True)
    cell = next(r[1] for r in wb["Settings"].iter_rows(min_row=2) if r[0].value == "column_map")
    cell.value = cell.value.replace('"Group"', '"Area"')
    wb.save(built)
    reg = read_register(built)
    assert reg.lines["group"].tolist() == ["Corporate", "Operations", "Operations"]
    assert not [f for f in reg.read_findings if f.code.startswith("column-")]


def test_lines_on_another_sheet_are_never_dropped_in_silence(tmp_path):
    """Tried as a new user: a sheet per directorate read the first sheet only, and import wrote 1 line of 3."""
    src = C.sheet_per_directorate(tmp_path / "kingsbury.xlsx")
    code, out = run("validate", src)
    assert code == 1 and "sheets-several" in out and "sheet 'Place' also holds a tracker register" in out, out
    assert "--sheet" in out
    code, out = run("summary", src)
    assert code == 2 and "could not be understood" in out and "Place" in out
    code, out = run("import", src, "--out", tmp_path / "k.xlsm")
    assert code == 2 and "Place" in out and not (tmp_path / "k.xlsm").exists()
    # one sheet chosen on purpose reads that sheet, with no complaint
    for sheet, lines in C.SHEETS.items():
        reg = read_register(src, sheet=sheet)
        assert reg.lines["reference"].tolist() == [x[0] for x in lines]
        assert not [f for f in reg.read_findings if f.code == "sheets-several"]


@pytest.mark.parametrize("header, key", [
    ("Forecast (£000s)", "forecast_total"),
    ("Latest Forecast £000", "forecast_total"),
    ("Month 6 Forecast", "forecast_total"),
    ("Forecast at P6 £000", "forecast_total"),
    ("Projected Delivery", "forecast_total"),
    ("Current RAG", "rag"),
    ("Saving Ref No.", "reference"),
    ("Description of Proposal", "description"),
    ("Recurrent / Non-recurrent", "recurrence"),
    ("Over / (Under) Delivery £000", "variance"),
])
def test_more_council_spellings_of_the_usual_headers(header, key):
    """Headers seen in councils' trackers, tried as a new user: each was left unread (an extra column)."""
    assert schema.match_header(header) == (key, "")


def test_a_semicolon_csv_with_decimal_commas_keeps_its_figures(tmp_path):
    """Tried as a new user: a CSV saved with a continental list separator read '-100,5' as -1005 and
    '-1.050,25' as -1.05025, in silence."""
    src = tmp_path / "semi.csv"
    src.write_bytes("\ufeffRef;Saving;Target £000;Forecast £000;RAG\r\nW1;Café lease;-100,5;-80;Amber\r\n"
                    "W2;Parking;-1.050,25;(1.000);Green\r\nW3;Fees;0,75;1;Green\r\n".encode("utf-8"))
    reg = read_register(src)
    assert reg.lines["plan_total"].tolist() == [Decimal("-100.5"), Decimal("-1050.25"), Decimal("0.75")]
    assert reg.lines["forecast_total"].tolist() == [Decimal("-80"), Decimal("-1000"), Decimal("1")]
    assert any("decimal commas" in f.message for f in reg.read_findings)


def test_a_repeated_header_keeps_its_column(tmp_path):
    """Tried as a new user: a second 'Comments' column was reported and then left out of the import."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Ref", "Saving", "Target £000", "Forecast £000", "RAG", "Comments", "Comments"])
    ws.append(["D1", "Care", -100, -80, "Amber", "first", "second note"])
    ws.append(["D2", "Roads", -50, -50, "Green", None, "other"])
    src = tmp_path / "dup.xlsx"
    wb.save(src)
    reg = read_register(src)
    [dup] = [f for f in reg.read_findings if f.code == "column-duplicate"]
    assert "kept as an extra column" in dup.message
    built = imported(src)
    ws = openpyxl.load_workbook(built)[TRACKER]
    heads = header_of(ws)
    col = heads.index("Comments (2)") + 1
    assert [ws.cell(B.HEADER_ROW + 2 + k, col).value for k in range(2)] == ["second note", "other"]
    assert [ws.cell(B.HEADER_ROW + 2 + k, heads.index("Comments") + 1).value for k in range(2)] == ["first", None]


def test_rag_shown_by_colour_alone_is_read_and_said(tmp_path):
    """Tried as a new user: RAG cells coloured but holding no word read as no RAG at all (the judgement lost)."""
    src = C.rag_by_colour(tmp_path / "colours.xlsx")
    reg = read_register(src)
    assert reg.lines["rag"].tolist() == [x[4] or "" for x in C.COLOUR_LINES]
    said = [f for f in reg.read_findings if f.code == "rag-from-colour"]
    assert [f.cell for f in said] == ["E3", "E4", "E5"]
    assert "type 'Amber'" in said[0].message and "not shown by colour alone" in said[0].message
    built = imported(src)
    ws = openpyxl.load_workbook(built)[TRACKER]
    heads = header_of(ws)
    assert [ws.cell(B.HEADER_ROW + 2 + k, heads.index("RAG") + 1).value for k in range(4)] == \
        ["Amber", "Green", "Red", None]          # the words, in the council's RAG column
    assert summary_json(built) == summary_json(src)


def test_rag_shown_by_a_theme_colour_alone_is_read_from_the_workbooks_theme(tmp_path):
    """Excel writes a fill picked from its palette's theme colours as <fgColor theme="5" tint="..."/>: the
    colour is the workbook's theme's, lightened or darkened by the tint. Such RAG cells read as their RAG."""
    src = C.rag_by_theme_colour(tmp_path / "theme.xlsx")
    with zipfile.ZipFile(src) as z:
        assert b'theme="9" tint="0.39' in z.read("xl/styles.xml")
    reg = read_register(src)
    assert reg.lines["rag"].tolist() == [x[4] or "" for x in C.COLOUR_LINES]
    said = [f for f in reg.read_findings if f.code == "rag-from-colour"]
    assert [f.cell for f in said] == ["E3", "E4", "E5"] and "#" in said[0].message
    # a council's own theme: accent2 (theme 5) green instead of red, so the Red line's cell reads Green
    own = C.rag_by_theme_colour(tmp_path / "own-theme.xlsx", accent2="00B050")
    assert read_register(own).lines["rag"].tolist() == ["Amber", "Green", "Green", ""]
