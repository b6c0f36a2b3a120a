"""Bad returns: each gives a finding naming the file, sheet, cell and value, and changes nothing else."""
import json
import os
import time

import openpyxl
import pytest

from savings_tracker.cli import main
from test_returns_council import FQ, cli, fill, made, tracker_cells, where, workbook  # noqa: F401 (fixtures)


def add_row(ws, head, values: dict):
    """What a budget holder does after lifting the sheet's protection: a row of their own below the lines."""
    r = ws.max_row + 1
    for header, value in values.items():
        ws.cell(r, head[header]).value = value


def test_each_bad_return_is_a_finding_and_changes_nothing_else(made, workbook, tmp_path, capsys):
    m = made["made"]
    inbox = tmp_path / "returns"
    inbox.mkdir()
    t = time.time() - 3600
    rows_in = {}

    def keep_rows(ws, head, rows):
        rows_in.update(rows)
        rows_in["_max"] = ws.max_row

    # a good change, so there is something that does go in
    fill(m / "Return - Adults, C&YP.xlsx", inbox / "joint.xlsx", {"A/R.6.001": {"RAG": "Amber"}}, "", t)
    # C&YP: another committee's line, a line not in the register, a changed reference, text in a money cell
    fill(m / "Return - C&YP.xlsx", inbox / "CYP.xlsx", {"A/R.6.202": {FQ(2): "TBC"},
                                                       "A/R.6.203": {"Reference": "A/R.6.203b", FQ(1): -1}},
         "Sam Lee", t + 10, raw=lambda ws, head, rows: (keep_rows(ws, head, rows),
                                                        add_row(ws, head, {"Reference": "A/R.6.101", FQ(1): -77}),
                                                        add_row(ws, head, {"Reference": "A/R.9.999", FQ(1): -5})))
    # Adults, forwarded to two budget holders who both change A/R.6.111; one also edits a locked title and
    # types over a total
    fill(m / "Return - Adults.xlsx", inbox / "Adults - Jo.xlsx",
         {"A/R.6.111": {"RAG": "Red"}, "A/R.6.102": {"Title": "Renamed by a budget holder", "RAG": "Red"},
          "A/R.6.112": {FQ(1): -10, "Forecast Saving": -999}}, "Jo Smith", t + 20)
    fill(m / "Return - Adults.xlsx", inbox / "Adults - Ali.xlsx", {"A/R.6.111": {"RAG": "Amber"}}, "Ali Khan", t + 30)
    # a corrupt file
    (inbox / "Adults final.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")
    before = tracker_cells(workbook)
    code, out, _ = cli(capsys, "returns", "collect", inbox, "--into", workbook, "--format", "json")
    data = json.loads(out)
    assert code == 1
    by = {}
    for f in data["findings"]:
        by.setdefault(f["code"], []).append((f["file"], f["sheet"], f["cell"], f["value"]))
    cyp = rows_in
    ws = openpyxl.load_workbook(inbox / "CYP.xlsx")["Return"]
    head = {c.value: c.column_letter for c in ws[9] if c.value}
    added = cyp["_max"] + 1
    assert by["line-not-owned"] == [("CYP.xlsx", "Return", f"A{added}", "A/R.6.101")]
    assert by["line-unknown"] == [("CYP.xlsx", "Return", f"A{added + 1}", "A/R.9.999")]
    assert by["reference-changed"] == [("CYP.xlsx", "Return", f"A{cyp['A/R.6.203']}", "A/R.6.203b")]
    assert by["money-invalid"] == [("CYP.xlsx", "Return", f"{head[FQ(2)]}{cyp['A/R.6.202']}", "TBC")]
    ws = openpyxl.load_workbook(inbox / "Adults - Jo.xlsx")["Return"]
    adults = {ws.cell(r, 1).value: r for r in range(10, ws.max_row + 1)}
    assert by["locked-cell-edited"] == [("Adults - Jo.xlsx", "Return", f"B{adults['A/R.6.102']}",
                                         "Renamed by a budget holder")]
    assert by["total-typed-over"] == [("Adults - Jo.xlsx", "Return",
                                       f"{head['Forecast Saving']}{adults['A/R.6.112']}", -999)]
    assert sorted(by["line-duplicate"]) == [("Adults - Ali.xlsx", "Return", f"A{adults['A/R.6.111']}", "A/R.6.111"),
                                            ("Adults - Jo.xlsx", "Return", f"A{adults['A/R.6.111']}", "A/R.6.111")]
    assert by["return-unreadable"] == [("Adults final.xlsx", "", "", "Adults final.xlsx")]
    messages = {f["code"]: f["message"] for f in data["findings"]}
    assert "belongs to committee Adults, not to C&YP" in messages["line-not-owned"]
    assert "'TBC' is not an amount" in messages["money-invalid"] and "accepted:" in messages["money-invalid"]
    assert "Adults - Ali.xlsx (committee Adults (Ali Khan))" in messages["line-duplicate"]
    # nothing but the good cell changed (and the tool's own Suggested RAG column)
    rows, cols = where(workbook)
    after = tracker_cells(workbook)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)
               and not k.startswith(cols["Suggested RAG"])}
    assert changed == {f"{cols['RAG']}{rows['A/R.6.001']}"}
    # the Returns sheet lists every file, and the findings with their cells
    sheet = [[c.value for c in r] for r in openpyxl.load_workbook(workbook)["Returns"].iter_rows()]
    files = {r[3]: r[4] for r in sheet[1:] if r[3]}
    assert files["Adults final.xlsx"] == "not used: return unreadable"
    assert files["CYP.xlsx"].startswith("applied: 0 cells changed, 4 problems")
    head_at = next(i for i, r in enumerate(sheet) if r[0] == "Severity")
    listed = {(r[1], r[3], r[5]) for r in sheet[head_at + 1:]}
    assert ("CYP.xlsx", f"A{added}", "line-not-owned") in listed


def test_a_return_without_the_workbook_is_checked_and_nothing_is_written(made, tmp_path, capsys):
    inbox = tmp_path / "returns"
    inbox.mkdir()
    fill(made["made"] / "Return - C&YP.xlsx", inbox / "CYP.xlsx", {"A/R.6.202": {FQ(2): "about 50"}}, "Sam Lee")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, out, _ = cli(capsys, "returns", "collect", inbox)
    assert code == 1
    assert "CYP.xlsx [Return]" in out and "'about 50' is not an amount" in out
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_folder_that_is_not_there_is_one_line(tmp_path, capsys):
    code, out, err = cli(capsys, "returns", "collect", tmp_path / "nowhere")
    assert code == 2 and "nowhere: no such folder" in err and len(err.strip().splitlines()) == 1


def test_collecting_again_rewrites_the_returns_sheet_and_keeps_the_macros_and_buttons(made, workbook, tmp_path,
                                                                                      capsys):
    from savings_tracker.xlsx.package import read_parts

    before = read_parts(workbook)
    inbox = tmp_path / "returns"
    inbox.mkdir()
    fill(made["made"] / "Return - C&YP.xlsx", inbox / "CYP.xlsx", {"A/R.6.202": {FQ(2): "TBC"}}, "Sam Lee")
    (inbox / "notes.txt").write_text("not a return")
    assert cli(capsys, "returns", "collect", inbox, "--into", workbook)[0] == 1
    first = [[c.value for c in r] for r in openpyxl.load_workbook(workbook)["Returns"].iter_rows()]
    for p in list(inbox.iterdir()):
        p.unlink()
    assert cli(capsys, "returns", "collect", inbox, "--into", workbook)[0] == 0
    after = read_parts(workbook)
    # the VBA project, the form buttons and the chart are copied as they were
    for part in ("xl/vbaProject.bin", "xl/drawings/vmlDrawing1.vml", "xl/charts/chart1.xml"):
        assert after[part] == before[part], part
    second = [[c.value for c in r] for r in openpyxl.load_workbook(workbook)["Returns"].iter_rows()]
    assert openpyxl.load_workbook(workbook).sheetnames.count("Returns") == 1
    values = [v for row in second for v in row if v is not None]
    assert "CYP.xlsx" not in values and "TBC" not in values           # nothing left of the first collection
    assert [r[1] for r in second[1:4]] == ["Adults, C&YP", "Adults", "C&YP"]
    assert all(r[4] == "not returned" for r in second[1:4])
    assert len([v for row in first for v in row if v == "TBC"]) == 1


def test_a_folder_with_partner_and_council_returns_lists_both(made, workbook, tmp_path, capsys):
    inbox = tmp_path / "returns"
    inbox.mkdir()
    fill(made["made"] / "Return - C&YP.xlsx", inbox / "CYP.xlsx", {"A/R.6.201": {"RAG": "Amber"}}, "Sam Lee")
    (inbox / "Melton.csv").write_text("Year,Baseline £,Target %,Planned efficiencies £,Forecast RAG\n"
                                      "2009/10,7300000,3,219000,Amber\n", encoding="utf-8")
    partners = tmp_path / "partners.txt"
    partners.write_text("Melton\nBlaby\n", encoding="utf-8")
    code, out, _ = cli(capsys, "returns", "collect", inbox, "--into", workbook, "--partners", partners, "--format",
                       "json")
    data = json.loads(out)
    assert code == 0, data["findings"]
    assert data["received"] == ["Melton"] and data["missing"] == ["Blaby"]
    assert data["council"]["received"] == ["C&YP"] and len(data["council"]["changes"]) == 1
    sheet = [[c.value for c in r] for r in openpyxl.load_workbook(workbook)["Returns"].iter_rows()]
    table = sheet[1:sheet.index([None] * len(sheet[0]))]
    assert [(r[1], r[4]) for r in table][:3] == [("Melton", "received"), ("Blaby", "not returned"),
                                                 ("Committee C&YP", "applied: 1 cell changed")]
