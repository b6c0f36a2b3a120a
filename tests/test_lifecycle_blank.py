"""The workbook has its lifecycle columns from the start, blank until a council fills them in. Blank columns are
not figures: the CLI and the appendices report the lifecycle only once something is entered, while the workbook's
Summary keeps its live 'Where the savings stand' table (formulas ready for the figures to come)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

import councils as C
from savings_tracker.cli import app
from savings_tracker.core import lifecycle
from savings_tracker.documents.context import tracker_context
from savings_tracker.readers import read_register

COMMITTED = Path(__file__).resolve().parents[1] / "workbook" / "Savings_Tracker.xlsm"


def _summary(path) -> dict:
    res = CliRunner().invoke(app, ["summary", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_blank_lifecycle_columns_are_not_reported(tmp_path):
    wb = shutil.copy(COMMITTED, tmp_path / "wb.xlsm")
    reg = read_register(wb)
    assert lifecycle.has_lifecycle(reg) and not lifecycle.is_recorded(reg)
    assert "lifecycle" not in _summary(wb)
    assert tracker_context(reg)["lifecycle"] == []


def test_entered_lifecycle_figures_are_reported(tmp_path):
    src = C.brag_lifecycle(tmp_path / "brag.xlsx")
    assert _summary(src)["lifecycle"]["delivered"] == 730
    labels = [f["label"] for f in tracker_context(read_register(src))["lifecycle"]]
    assert labels[0] == "Delivered (achieved to date)"
