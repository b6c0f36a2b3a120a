"""BRAG (Blue = delivered) is counted as Blue in every output, not as No RAG: the CLI's per-group counts and the
tracker appendix's chart, the same as the register's totals and the workbook's Summary."""
from __future__ import annotations

from decimal import Decimal

from typer.testing import CliRunner

import councils as C
from savings_tracker.cli import app
from savings_tracker.documents.context import tracker_context
from savings_tracker.readers import read_register


def test_cli_group_counts_include_blue(tmp_path):
    src = C.brag_lifecycle(tmp_path / "brag.xlsx")
    res = CliRunner().invoke(app, ["summary", str(src)])
    assert res.exit_code == 0, res.output
    adults = next(line for line in res.output.splitlines() if line.strip().startswith("Adults"))
    assert adults.rstrip().endswith("R/A/G/B 0/1/0/1"), adults      # H-01 Blue, H-02 Amber


def test_cli_group_counts_without_blue_unchanged(tmp_path):
    src = C.newcomer(tmp_path / "new.xlsx")
    res = CliRunner().invoke(app, ["summary", str(src)])
    assert res.exit_code == 0, res.output
    assert "R/A/G/B" not in res.output and "R/A/G " in res.output


def test_tracker_chart_has_blue(tmp_path):
    reg = read_register(C.brag_lifecycle(tmp_path / "brag.xlsx"))
    cats = {c["label"]: c["values"] for c in tracker_context(reg)["chart"]["categories"]}
    assert list(cats) == ["Red", "Amber", "Green", "Blue"]          # no empty No RAG bar
    assert cats["Blue"] == [Decimal(500), Decimal(500)]
    assert cats["Green"] == [Decimal(220), Decimal(230)]             # R-01, rated "G"
