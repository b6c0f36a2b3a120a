"""UpdatePlan builders (pure Python) and the UDFs called directly."""
from __future__ import annotations

import datetime as dt

import pytest

from savings_tracker.core import calc
from savings_tracker import samples
from savings_tracker.excel import udfs
from savings_tracker import plans
from savings_tracker.readers import read_register
from savings_tracker.core.validate import validate


@pytest.fixture(scope="module")
def reg():
    return read_register(samples.path(samples.ALL["tracker"]))


def test_validate_plan(reg):
    findings = validate(reg)
    plan = plans.validate_plan(reg, findings, checks_used_rows=500)
    (block,) = plan.blocks
    assert block.sheet == "Checks" and block.top_left == "A1" and block.clear_to_row == 500
    assert block.values[0] == list(plans.CHECKS_HEADERS)
    assert len(block.values) == len(findings) + 1 and {len(r) for r in block.values} == {7}
    first = next(f for f in findings if f.cell)
    row = block.values[1 + findings.index(first)]
    assert row[6] == f'=HYPERLINK("#\'{first.sheet}\'!{first.cell}","{first.sheet}!{first.cell}")'
    assert plan.clear_marks == []                       # nothing was marked before
    assert {m.cell for m in plan.marks} <= {f.cell for f in findings}
    # the next run clears what the previous one marked (as its Checks rows say) and is not marked again;
    # cells outside the register's lines and rows of other sheets are never cleared
    marked = plan.marks[0].cell
    previous = [list(plans.CHECKS_HEADERS), ["error", reg.source.sheet, "B5", "", "x", "", None],
                ["warning", reg.source.sheet, "$C$7", "", "x", "", None], ["error", "Summary", "B6", "", "x", "", None],
                ["warning", reg.source.sheet, "B999", "", "x", "", None], ["error", reg.source.sheet, marked, "", "x", "", None],
                ["info", reg.source.sheet, "D9", "", "x", "", None]]
    again = plans.validate_plan(reg, findings, checks_values=previous)
    assert again.clear_marks == [(reg.source.sheet, "B5"), (reg.source.sheet, "C7")]
    assert plan.messages[0].endswith("see Checks")


def test_typed_over_and_refresh_plan(reg):
    import copy
    r = copy.copy(reg)
    r.lines = reg.lines.copy()
    i = r.lines.index[3]
    from decimal import Decimal
    r.lines.at[i, "forecast_total"] = Decimal(-999)
    r.lines.at[i, "variance"] = Decimal(-999) - r.lines.at[i, "plan_total"]
    over = plans.find_typed_over(r)
    assert [(t.key, t.cell) for t in over] == [("forecast_total", r.cell(i, "forecast_total"))]
    assert over[0].formula == ("=SUM(Savings[[#This Row],[Current Forecast Phasing - Q1]:"
                               "[Current Forecast Phasing - Q4]])")
    fixed = plans.without_typed_over(r, over)
    plan = plans.refresh_plan(fixed, validate(fixed), calc.summarise(fixed), over, stamp="1 Jan 2018 09:00")
    assert plan.restored_formulas == [(r.source.sheet, over[0].cell, over[0].formula)]
    checks = plan.blocks[0].values
    assert any(row[4] == plans.RESTORED_CODE and row[2] == over[0].cell for row in checks)
    summary = [b for b in plan.blocks if b.sheet == "Summary"]
    assert summary[0].values == [["Last refreshed 1 Jan 2018 09:00 from 67 lines"]]


def test_summary_geometry():
    vals = [["t"], [], ["stamp"], [], ["Committee", "Lines", "Red", "Amber", "Green", "No RAG", "P", "F", "V"],
            ["A", 1], ["Total", 1], [], ["chart title"], ["RAG", "P", "F"], ["Red", 1, 1]]
    g = plans.summary_geometry(vals)
    assert (g.table_header, g.chart_header, g.capacity) == (5, 10, 2)


def test_summary_plan_inserts_rows_for_new_committees(reg):
    vals = [["t"], [], ["stamp"], [], ["Committee", "Lines", "Red", "Amber", "Green", "No RAG", "P", "F", "V"],
            ["A", 1], ["Total", 1], [], ["chart title"], ["RAG", "P", "F"], ["Red", 1, 1]]
    s = calc.summarise(reg)
    plan = plans.summary_plan(reg, s, "now", vals)
    extra = len(plans.summary_group_rows(reg, s)) - 2
    assert plan.insert_rows == [("Summary", 7, extra)]   # above the Total row: new rows look like committee rows
    assert plan.blocks[-1].top_left == f"A{11 + extra}"


def test_snapshot_plan(reg):
    p = plans.snapshot_plan(reg, [], "October 2017", dt.datetime(2017, 10, 31))
    assert not p.refused and p.blocks[0].top_left == "A2" and p.resize_tables == [("History", "History", "A1:I68")]
    rows = p.blocks[0].values
    again = plans.snapshot_plan(reg, rows, "october 2017", dt.datetime(2017, 11, 1))
    assert again.refused and not again.blocks and "already holds" in again.messages[0]
    rep = plans.snapshot_plan(reg, rows, "October 2017", dt.datetime(2017, 11, 1), replace=True)
    assert rep.blocks[0].top_left == "A2" and len(rep.blocks[0].values) == len(rows)
    assert plans.snapshot_plan(reg, [], "", None).refused


def test_udfs():
    assert udfs.SAVINGS_VARIANCE([[-10.0], [-5.0]], [[-8.0], [-5.0]]) == [[2.0], [0.0]]
    assert udfs.SAVINGS_RAG([[-100.0, -100.0, -100.0]], [[-100.0, -80.0, -10.0]]) == [["Green", "Amber", "Red"]]
    assert udfs.SAVINGS_VARIANCE([[1.0]], [[1.0, 2.0]])[0][0].startswith("#VALUE!")
    header = ["Reference", "Title", "Committee", "Original Phasing - Q1", "Original Phasing - Q2",
              "Original Phasing - Q3", "Original Phasing - Q4", "Original Saving", "RAG"]
    table = [header, ["A/1", "One", "Adults", -10.0, 0, 0, 0, -10.0, "Green"],
             ["A/1", "Two", "Adults", -10.0, 0, 0, 0, -99.0, "Pink"]]
    checks = udfs.SAVINGS_CHECK(table)
    assert checks[0] == [""] or "error" not in checks[0][0]
    assert "reference" in checks[1][0] and "Pink" in checks[1][0]
    summ = udfs.SAVINGS_SUMMARY(table)
    assert summ[0][0] == "Committee" and summ[-1][0] == "Total" and summ[-1][1] == 2
