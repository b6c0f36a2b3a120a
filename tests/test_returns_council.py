"""Returns inside a council: returns made by committee from the sample workbook, filled in as budget holders
fill them (openpyxl), one late second copy, collected into the workbook: exactly the filled cells change, and
Checks, Summary and History stay true."""
import hashlib
import json
import os
import shutil
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from savings_tracker.core import calc
from savings_tracker.cli import main
from savings_tracker.readers import read_book, read_register

DUE = "2017-11-14"


def cli(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("council")
    wb = tmp / "Savings_Tracker.xlsm"
    assert main(["build-workbook", "--out", str(wb)]) == 0
    out = tmp / "made"
    assert main(["returns", "make", str(wb), "--by", "committee", "--out", str(out), "--due", DUE]) == 0
    return {"workbook": wb.read_bytes(), "made": out}


@pytest.fixture
def workbook(tmp_path, made):
    p = tmp_path / "Savings_Tracker.xlsm"
    p.write_bytes(made["workbook"])
    return p


def headers(ws, row):
    return {c.value: c.column for c in ws[row] if c.value}


def fill(src: Path, dest: Path, edits: dict, returned_by: str = "", when: float | None = None, raw=None):
    """A budget holder's answer: ``edits`` {reference: {header: value}} typed into the white cells."""
    wb = openpyxl.load_workbook(src)
    ws = wb["Return"]
    head = headers(ws, 9)
    rows = {ws.cell(r, 1).value: r for r in range(10, ws.max_row + 1)}
    for ref, values in edits.items():
        for header, value in values.items():
            cell = ws.cell(rows[ref], head[header])
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"        # typed as '=... in Excel: text, not a formula
    if returned_by:
        ws["B7"] = returned_by
    if raw:
        raw(ws, head, rows)
    wb.save(dest)
    if when is not None:
        os.utime(dest, (when, when))
    return dest


def tracker_cells(path: Path) -> dict:
    ws = openpyxl.load_workbook(path)["Tracker"]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def where(path: Path) -> tuple[dict, dict]:
    """reference -> sheet row, header -> column letter, from the table's header (no pinned letters)."""
    ws = openpyxl.load_workbook(path)["Tracker"]
    head_row = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Reference")
    cols = {c.value: c.column_letter for c in ws[head_row] if c.value}
    rows = {ws.cell(r, 1).value: r for r in range(head_row + 1, ws.max_row + 1) if ws.cell(r, 1).value}
    return rows, cols


FQ = "Current Forecast Phasing - Q{}".format


def test_make_by_committee_sends_each_committee_only_its_lines(made, tmp_path):
    wb = tmp_path / "w.xlsm"
    wb.write_bytes(made["workbook"])
    reg = read_register(wb)
    files = sorted(p.name for p in made["made"].iterdir())
    assert files == ["Return - Adults, C&YP.xlsx", "Return - Adults.xlsx", "Return - C&YP.xlsx"]
    for committee in ("Adults", "C&YP", "Adults, C&YP"):
        ws = openpyxl.load_workbook(made["made"] / f"Return - {committee}.xlsx")["Return"]
        refs = [ws.cell(r, 1).value for r in range(10, ws.max_row + 1) if ws.cell(r, 1).value]
        assert refs == [reg.label(i) for i in reg.lines.index if reg.lines.at[i, "committee"] == committee]
        assert ws.protection.sheet is True
        assert "14 November 2017" in ws["A3"].value and committee in ws["A1"].value
        head = headers(ws, 9)
        entered = {FQ(1), FQ(2), FQ(3), FQ(4), "Saving complete?", "RAG", "Forecast Commentary"}
        for name, col in head.items():
            assert ws.cell(10, col).protection.locked is (name not in entered), name
        assert ws["B7"].protection.locked is False          # Returned by
        lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation
                 if dv.type == "list"}
        letter = openpyxl.utils.get_column_letter
        assert lists[f"{letter(head['RAG'])}10"] == '"Red,Amber,Green"'
        assert lists[f"{letter(head['Saving complete?'])}10"] == '"Yes,No"'
        decimals = [dv for dv in ws.data_validations.dataValidation if dv.type == "decimal"]
        assert {str(dv.sqref).split(":")[0] for dv in decimals} >= {f"{letter(head[FQ(q)])}10" for q in range(1, 5)}


def test_round_trip_changes_exactly_the_filled_cells(made, workbook, tmp_path, capsys):
    m = made["made"]
    inbox = tmp_path / "returns"
    inbox.mkdir()
    base = time.time() - 3600
    fill(m / "Return - Adults.xlsx", inbox / "Adults forecasts.xlsx",
         {"A/R.6.101": {FQ(2): -40}}, "Jo Smith", base)
    late = fill(m / "Return - Adults.xlsx", inbox / "Adults forecasts (revised).xlsx",
                {"A/R.6.101": {FQ(2): -45, FQ(3): -50}, "A/R.6.102": {"RAG": "amber",
                                                                       "Forecast Commentary": "Now expected in Q3"}},
                "Jo Smith", base + 600)
    fill(m / "Return - C&YP.xlsx", inbox / "CYP.xlsx",
         {"A/R.6.201": {FQ(4): -12, "Forecast Commentary": "=not a formula, a budget holder's note"}},
         "Sam Lee", base + 300)
    fill(m / "Return - Adults, C&YP.xlsx", inbox / "joint.xlsx", {"A/R.6.001": {"RAG": "R", "Saving complete?": "n"}},
         "", base + 400)
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()}
    before = tracker_cells(workbook)
    before_book = openpyxl.load_workbook(workbook)
    code, out, err = cli(capsys, "returns", "collect", inbox, "--into", workbook, "--format", "json")
    data = json.loads(out)
    assert code == 0, data["findings"]
    assert data["received"] == ["Adults, C&YP", "Adults", "C&YP"] and data["missing"] == []
    rows, cols = where(workbook)
    expected = {
        f"{cols[FQ(2)]}{rows['A/R.6.101']}": -45, f"{cols[FQ(3)]}{rows['A/R.6.101']}": -50,
        f"{cols['RAG']}{rows['A/R.6.102']}": "Amber", f"{cols['Forecast Commentary']}{rows['A/R.6.102']}":
            "Now expected in Q3",
        f"{cols[FQ(4)]}{rows['A/R.6.201']}": -12,
        f"{cols['Forecast Commentary']}{rows['A/R.6.201']}": "=not a formula, a budget holder's note",
        f"{cols['RAG']}{rows['A/R.6.001']}": "Red", f"{cols['Saving complete?']}{rows['A/R.6.001']}": "No",
    }
    after = tracker_cells(workbook)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    # the Suggested RAG column is the tool's own, refreshed from the new forecasts like the Refresh button does
    suggested = cols["Suggested RAG"]
    assert {k for k in changed if not k.startswith(suggested)} == set(expected)
    for cell, value in expected.items():
        assert after[cell] == value, cell
    reg = read_register(workbook)
    rags = calc.suggested_rags(reg).to_dict()
    for i in reg.lines.index:
        cell = reg.cell(i, "suggested_rag")
        assert after.get(cell) == rags.get(i), cell
    # the earlier Adults copy is replaced by the later one, and the output says so
    codes = [f["code"] for f in data["findings"]]
    assert codes == ["return-replaced"]
    assert data["findings"][0]["file"] == late.name and data["findings"][0]["value"] == "Adults forecasts.xlsx"
    assert {c["file"] for c in data["changes"]} == {late.name, "CYP.xlsx", "joint.xlsx"}
    # the formulas that read the returned cells are kept, with their values brought up to date
    line = reg.lines.row([i for i in reg.lines.index if reg.label(i) == "A/R.6.101"][0])
    assert after[f"{cols['Forecast Saving']}{rows['A/R.6.101']}"] == \
        before[f"{cols['Forecast Saving']}{rows['A/R.6.101']}"]
    assert line["forecast_total"] == sum(line[f"forecast_q{q}"] for q in range(1, 5)) == Decimal(-95)
    assert line["variance"] == line["forecast_total"] - line["plan_total"]
    # History untouched; every return file unchanged; a backup kept
    after_book = openpyxl.load_workbook(workbook)
    for name in ("History", "Options", "Settings"):
        assert [[c.value for c in r] for r in after_book[name].iter_rows()] == \
            [[c.value for c in r] for r in before_book[name].iter_rows()], name
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()} == hashes
    assert data["backup"] and Path(data["backup"]).exists()
    # the Returns sheet: who, when, status
    sheet = [[c.value for c in r] for r in after_book["Returns"].iter_rows()]
    assert sheet[0][:5] == ["Received", "From", "Returned by", "File", "Status"]
    status = {r[3]: r[4] for r in sheet[1:5]}
    assert status["Adults forecasts.xlsx"] == "replaced by Adults forecasts (revised).xlsx"
    assert status["Adults forecasts (revised).xlsx"] == "applied: 4 cells changed"
    # Checks and Summary are true: a refresh now finds nothing to change in them
    again = tmp_path / "again.xlsm"
    shutil.copy(workbook, again)
    assert main(["refresh", str(again)]) in (0, 1)
    capsys.readouterr()
    b1, b2 = openpyxl.load_workbook(workbook), openpyxl.load_workbook(again)
    for name in ("Checks", "Summary", "Tracker"):
        v1 = [[c.value for c in r] for r in b1[name].iter_rows()]
        v2 = [[c.value for c in r] for r in b2[name].iter_rows()]
        if name == "Summary":
            v1[2][0] = v2[2][0] = None        # the 'Last refreshed' stamp
        assert v1 == v2, name


@pytest.mark.slow
def test_libreoffice_recalculates_the_collected_workbook_to_the_core_figures(made, workbook, tmp_path, capsys):
    from savings_tracker import libreoffice as lo

    inbox = tmp_path / "returns"
    inbox.mkdir()
    fill(made["made"] / "Return - C&YP.xlsx", inbox / "CYP.xlsx",
         {"A/R.6.201": {FQ(1): -100, FQ(2): -200, FQ(3): -300, FQ(4): -19}}, "Sam Lee")
    assert cli(capsys, "returns", "collect", inbox, "--into", workbook)[0] == 0
    reg = read_register(workbook)
    summary = calc.summarise(reg, "committee")
    got = lo.recalculate(workbook, ["Tracker", "Summary"])
    rows, cols = where(workbook)
    col = openpyxl.utils.column_index_from_string(cols["Forecast Saving"]) - 1
    assert got["Tracker"][rows["A/R.6.201"] - 1][col] == -619
    total = next(r for r in got["Summary"] if r and r[0] == "Total")
    assert Decimal(str(total[7])) == summary.totals["forecast_total"]


def test_make_by_owner_sends_each_budget_holder_only_their_lines(tmp_path, capsys):
    """A register with a 'Savings owner' column (a council's own CSV): one return per owner, with the column."""
    import csv

    from savings_tracker import samples

    src = samples.path(samples.ALL["tracker"])
    rows = list(csv.reader(open(src, encoding="utf-8-sig")))
    owners = ["Jo Smith", "Sam Lee", "Ali Khan"]
    rows[0].insert(4, "Savings owner")
    for n, r in enumerate(rows[1:]):
        r.insert(4, owners[n % 3])
    reg_path = tmp_path / "register.csv"
    with open(reg_path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    shutil.copy(str(src).replace(".csv", ".settings.json"), tmp_path / "register.settings.json")
    code, out, _ = cli(capsys, "returns", "make", reg_path, "--by", "owner", "--out", tmp_path / "made")
    assert code == 0
    for n, owner in enumerate(owners):
        ws = openpyxl.load_workbook(tmp_path / "made" / f"Return - {owner}.xlsx")["Return"]
        head = headers(ws, 9)
        assert "Savings owner" in head and ws.cell(10, head["Savings owner"]).protection.locked
        refs = [ws.cell(r, 1).value for r in range(10, ws.max_row + 1) if ws.cell(r, 1).value]
        assert refs == [r[0] for r in rows[1:]][n::3]
        assert {ws.cell(r, head["Savings owner"]).value for r in range(10, 10 + len(refs))} == {owner}
    code, _, err = cli(capsys, "returns", "make", tmp_path / "made" / "Return - Jo Smith.xlsx", "--by", "owner",
                       "--out", tmp_path / "x")
    assert code == 2 and "Traceback" not in err


def test_an_owner_cannot_return_another_owners_line():
    from savings_tracker.returns import council
    from savings_tracker.returns.read import ReturnFile

    reg = read_register(__import__("savings_tracker").samples.path("tracker"))
    refs = [reg.label(i) for i in reg.lines.index][:2]
    owners = {refs[0]: "Jo Smith", refs[1]: "Sam Lee"}
    ret = council.CouncilReturn(ReturnFile(Path("jo.xlsx")), "owner", "jo smith", "", [
        council.LineReturn(refs[0], 10, {"rag": "Red"}, {"reference": "A10", "rag": "O10"}),
        council.LineReturn(refs[1], 11, {"rag": "Red"}, {"reference": "A11", "rag": "O11"})], [])
    got = council.collect(reg, [ret], owners)
    assert reg.lines["rag"][0] != "Red"
    assert [(c.reference, c.key, c.new) for c in got.changes] == [(refs[0], "rag", "Red")]
    assert [(f.code, f.cell, f.value) for f in got.findings] == [("line-not-owned", "A11", refs[1])]
