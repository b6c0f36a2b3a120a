"""Workbooks a user saved in a real spreadsheet application (LibreOffice, through UNO: it recalculates and
rewrites the whole package), then refreshed, validated, printed and snapshotted headless: every command sees
the figures the core computes, whoever wrote the file last (issue 12)."""
import json
import re
import shutil
from pathlib import Path

import pytest

from savings_tracker import cli
from savings_tracker import libreoffice as lo
from savings_tracker.readers import grids, read_register

COMMITTED = Path(__file__).resolve().parents[1] / "workbook" / "Savings_Tracker.xlsm"
REF = "A/R.6.113"          # Tracker row 12: plan -72, forecast phasing -6 -6 -7 -7 (= -26), variance 46


def run(capsys, *args):
    code = cli.main(list(map(str, args)))
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


@pytest.fixture(scope="module")
def typed_saved(tmp_path_factory):
    """-999 typed over the Forecast Saving formula of A/R.6.113 (O12), saved by LibreOffice."""
    return lo.resave(COMMITTED, tmp_path_factory.mktemp("lo") / "typed.xlsm",
                     [{"do": "set", "sheet": "Tracker", "cell": "O12", "value": -999}]).read_bytes()


@pytest.fixture
def typed(tmp_path, typed_saved):
    p = tmp_path / "Savings_Tracker.xlsm"
    p.write_bytes(typed_saved)
    return p


def row_of(path, sheet, ref):
    rows = grids.load(path).grids[sheet].rows
    return next(r for r in rows if ref in r), rows


def history_row(path, ref):
    rows = grids.load(path).grids["History"].rows
    head = rows[0]
    row = next(r for r in rows[1:] if ref in r)
    return dict(zip(head, row))


def cell_xml(path, ref, sheet="Tracker"):
    """The XML of one cell of ``sheet`` as stored in the package."""
    from lxml import etree
    from savings_tracker.xlsx.package import read_parts
    parts = read_parts(path)
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    rid = etree.fromstring(parts["xl/workbook.xml"]).xpath(f"//m:sheet[@name='{sheet}']/@r:id", namespaces=ns)[0]
    rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    target = next(r.get("Target") for r in rels if r.get("Id") == rid).lstrip("/")
    part = target if target.startswith("xl/") else "xl/" + target
    m = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)'.encode(), parts[part], re.S)
    return m.group(0).decode() if m else ""


def test_the_saved_file_holds_what_the_user_typed(typed):
    row, _ = row_of(typed, "Tracker", REF)
    assert row[14] == -999 and row[15] == -927            # LibreOffice recalculated the variance


def test_refresh_then_every_command_gives_the_core_figures(typed, tmp_path, capsys):
    code, out, err = run(capsys, "refresh", typed)
    assert "1 formula restored" in out
    # the restored formula carries its result, and the cells that depend on it are rewritten
    o12, p12 = cell_xml(typed, "O12"), cell_xml(typed, "P12")
    assert "<f>" in o12 and "<v>-26</v>" in o12, o12
    assert "<v>46</v>" in p12, p12
    row, rows = row_of(typed, "Tracker", REF)
    assert (row[14], row[15]) == (-26, 46)
    total = next(r for r in rows if r and r[0] == "Total")
    reg = read_register(COMMITTED)
    assert total[14] == float(sum(reg.lines["forecast_total"])) and total[15] == float(sum(reg.lines["variance"]))
    checks = grids.load(typed).grids["Checks"].rows
    codes = {(r[2], r[4]) for r in checks[1:] if r and r[0]}
    assert not {c for c in codes if c[1] and c[1].endswith("-mismatch")}, codes
    assert ("O12", "formula-restored") in codes
    # validate: no false errors
    code, out, _ = run(capsys, "validate", typed, "--format", "json")
    found = json.loads(out)["findings"]
    assert not [f for f in found if f["code"].endswith("-mismatch")], found
    # the appendix prints the right figures
    html = tmp_path / "appendix.html"
    run(capsys, "appendix", typed, "--format", "html", "--out", html)
    text = html.read_text()
    line = text[text.index(REF):text.index("</tr>", text.index(REF))]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", line, re.S)
    assert "-26" in cells and "46" in cells and "-927" not in cells and "-999" not in cells, cells
    # the snapshot records them in History for good
    run(capsys, "snapshot", typed, "--period", "October 2017")
    h = history_row(typed, REF)
    assert (h["Forecast total"], h["Variance"], h["Plan total"]) == (-26, 46, -72), h


def test_a_formula_left_without_its_result_is_derived_from_its_parts(typed, tmp_path, capsys):
    """What today's refresh left behind: the formula back in O12 with no saved result, P12 and the totals row
    with results worked out from the typed -999. Every reader derives the computed columns from their parts."""
    from savings_tracker.xlsx.apply import patch_workbook
    from savings_tracker.xlsx.sheet import CellFormula
    stale = tmp_path / "stale.xlsm"
    patch_workbook(typed, stale, {"Tracker": {"O12": CellFormula("SUM(Savings[[#This Row],[Current Forecast "
                                                                 "Phasing - Q1]:[Current Forecast Phasing - Q4]])")}})
    reg = read_register(stale)
    line = reg.lines.row(reg.lines["reference"].tolist().index(REF))
    assert (line["forecast_total"], line["variance"]) == (-26, 46)
    assert any(f.code == "results-derived" for f in reg.read_findings)
    code, out, _ = run(capsys, "validate", stale, "--format", "json")
    assert not [f for f in json.loads(out)["findings"] if f["code"].endswith("-mismatch")]
    run(capsys, "snapshot", stale, "--period", "October 2017")
    h = history_row(stale, REF)
    assert (h["Forecast total"], h["Variance"]) == (-26, 46), h


def test_a_typed_value_equal_to_the_formula_result_is_restored(tmp_path, capsys):
    """-26 typed over O12's formula (the same value): still a constant where the formula belongs."""
    p = lo.resave(COMMITTED, tmp_path / "same.xlsm", [{"do": "set", "sheet": "Tracker", "cell": "O12", "value": -26}])
    code, out, _ = run(capsys, "refresh", p)
    assert "1 formula restored" in out
    assert "<f>" in cell_xml(p, "O12")


def test_a_new_line_with_blank_computed_cells_is_completed_in_one_run(tmp_path, capsys):
    """A row inserted inside the table in LibreOffice: its formula cells stay blank. One refresh completes
    Original, Forecast and Variance, and says the cells were blank."""
    edits = [{"do": "insert_rows", "sheet": "Tracker", "row": 13, "count": 1}]
    for cell, value in {"A13": "NEW.1", "B13": "A new saving", "D13": "Adults", "F13": -10, "G13": -10,
                        "H13": -10, "I13": -10, "K13": -5, "L13": -5, "M13": -5, "N13": -5, "R13": "Amber"}.items():
        edits.append({"do": "set", "sheet": "Tracker", "cell": cell, "value": value})
    p = lo.resave(COMMITTED, tmp_path / "new.xlsm", edits)
    code, out, _ = run(capsys, "refresh", p)
    assert "3 formulas restored" in out, out
    row, _ = row_of(p, "Tracker", "NEW.1")
    assert (row[9], row[14], row[15]) == (-40, -20, 20)
    for cell in ("J13", "O13", "P13"):
        assert "<f>" in cell_xml(p, cell)
    checks = grids.load(p).grids["Checks"].rows
    msgs = [r[5] for r in checks[1:] if r and r[4] == "formula-restored"]
    assert msgs and all("blank" in m and "typed value (0)" not in m for m in msgs), msgs
    code, out, _ = run(capsys, "refresh", p)
    assert "restored" not in out


def test_snapshot_before_refresh_records_the_figures_the_phasing_gives(typed, capsys):
    """-999 typed over O12 and no refresh yet: History gets the forecast the phasing gives (-26), not -999."""
    code, out, _ = run(capsys, "snapshot", typed, "--period", "October 2017")
    assert code == 0 and "recorded as the phasing gives" in out
    h = history_row(typed, REF)
    assert (h["Forecast total"], h["Variance"]) == (-26, 46), h
