"""The "Collect returns" button: the returns in the Settings sheet's returns folder merged into the open
workbook through xlwings (the remote engine stands in for Excel; tests/xlremote.py)."""
from __future__ import annotations

import openpyxl
import pytest

import xlremote  # noqa: F401  (the remote engine's licence key: test process only)
from savings_tracker import samples
from savings_tracker.excel import buttons as xl
from savings_tracker.readers import read_register
from savings_tracker.returns.make import council_returns
from savings_tracker.workbook import build_workbook
from savings_tracker.workbook.builder import BUTTONS
from test_returns_council import FQ, fill, where
from test_xl import BASE, cached, run


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("button")
    path = build_workbook(tmp / "Savings_Tracker.xlsm", read_register(samples.path(samples.ALL["tracker"])))
    BASE["values"] = cached(path)
    made = council_returns(path, "committee", tmp / "made")
    return path, {m.group: m.path for m in made}


def test_the_workbook_has_the_button_and_its_macro(book):
    path, _ = book
    from savings_tracker.workbook.vba import read_modules
    assert ("CollectReturns", "Collect returns") in BUTTONS
    modules = read_modules(path)
    source = next(v for k, v in modules.items() if k == "SavingsTracker")
    assert 'Public Sub CollectReturns()\n    RunPython "import savings_tracker.excel.buttons as st; st.collect_returns()"' in \
        source.replace("\r\n", "\n")
    ws = openpyxl.load_workbook(path)["Settings"]
    assert ("returns_folder", "returns") in [(r[0], r[1]) for r in ws.iter_rows(values_only=True)]


def test_collect_returns_button_merges_the_folder_named_on_settings(book, tmp_path, monkeypatch):
    path, made = book
    monkeypatch.chdir(tmp_path)            # the remote book has no folder: 'returns' is beside the cwd
    (tmp_path / "returns").mkdir()
    fill(made["C&YP"], tmp_path / "returns" / "CYP.xlsx", {"A/R.6.201": {FQ(4): -12, "RAG": "Amber"}}, "Sam Lee")
    fill(made["Adults"], tmp_path / "returns" / "Adults.xlsx", {"A/R.6.101": {FQ(2): "TBC"}}, "Jo Smith")
    r = run(path, xl.collect_returns, tmp_path)
    prompt = r.alerts[-1]["prompt"]
    assert "Received from: Adults; C&YP" in prompt and "2 cells changed" in prompt
    assert "Adults.xlsx [Return]" in prompt and "'TBC' is not an amount" in prompt
    rows, cols = where(path)
    out = openpyxl.load_workbook(r.out_path)
    ws = out["Tracker"]
    assert ws[f"{cols[FQ(4)]}{rows['A/R.6.201']}"].value == -12
    assert ws[f"{cols['RAG']}{rows['A/R.6.201']}"].value == "Amber"
    assert ws[f"{cols[FQ(2)]}{rows['A/R.6.101']}"].value == 0          # the bad line is held back
    sheet = [[c.value for c in row] for row in out["Returns"].iter_rows()]
    assert sheet[0][:5] == ["Received", "From", "Returned by", "File", "Status"]
    table = sheet[1:sheet.index([None] * len(sheet[0]))]       # the returns, down to the blank row
    assert {row[3]: row[4] for row in table if row[3]} == {
        "Adults.xlsx": "applied: 0 cells changed, 1 problem not applied", "CYP.xlsx": "applied: 2 cells changed"}


def test_a_missing_returns_folder_is_an_alert_and_changes_nothing(book, tmp_path, monkeypatch):
    path, _ = book
    monkeypatch.chdir(tmp_path)
    r = run(path, xl.collect_returns, tmp_path)
    prompt = r.alerts[-1]["prompt"]
    assert "The returns folder" in prompt and "returns_folder" in prompt and "Nothing was changed" in prompt
    assert not [a for a in r.actions if a["func"] not in ("alert",)]
