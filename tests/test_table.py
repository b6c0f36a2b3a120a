"""The register's column table (core/table.py): what the product asks of it, and exact money kept as it is."""
from __future__ import annotations

from decimal import Decimal

import pytest

from savings_tracker.core.table import Table
from savings_tracker.readers import read_register
from savings_tracker import samples


def _table() -> Table:
    return Table({"reference": ["A", "B", "C"], "plan_total": [Decimal("-1.10"), None, Decimal("0.333")]})


def test_columns_values_and_labels():
    t = _table()
    assert len(t) == 3 and t.columns == ["reference", "plan_total"] and t.index == [0, 1, 2]
    assert "plan_total" in t and "variance" not in t
    assert t["reference"].tolist() == ["A", "B", "C"] and list(t["plan_total"].items())[2] == (2, Decimal("0.333"))
    assert t.at[0, "plan_total"] == Decimal("-1.10") and str(t.at[0, "plan_total"]) == "-1.10"   # exact, as read
    assert t.row(1) == {"reference": "B", "plan_total": None}
    assert t.records()[2] == {"reference": "C", "plan_total": Decimal("0.333")}
    assert t.get("variance") is None and t.get("reference")[1] == "B"


def test_a_subset_keeps_its_lines_labels():
    t = _table()
    sub = t.where([False, True, True])
    assert sub.index == [1, 2] and sub.at[2, "reference"] == "C" and sub["reference"][0] == "B"
    assert sub["reference"].to_dict() == {1: "B", 2: "C"}
    assert t.take([2, 0]).index == [2, 0]
    with pytest.raises(KeyError):
        sub.at[0, "reference"]          # line 0 is not in the subset


def test_writes_go_to_a_copy_only():
    t = _table()
    c = t.copy()
    c.at[1, "plan_total"] = Decimal("5")
    c["variance"] = Decimal("0")                    # one value for every line
    c.at[0, "new"] = "x"                            # a new column: blank elsewhere
    assert t.at[1, "plan_total"] is None and "variance" not in t
    assert c["variance"].tolist() == [Decimal("0")] * 3 and c["new"].tolist() == ["x", None, None]
    col = t["reference"].tolist()
    col[0] = "Z"
    assert t.at[0, "reference"] == "A"              # tolist() is a copy
    with pytest.raises(ValueError):
        c["variance"] = [1, 2]                      # one value per line, or one for all
    c["double"] = (2 * v for v in [1, 2, 3])       # a generator gives the values, it is not one value
    assert c["double"].tolist() == [2, 4, 6]


def test_from_records_and_empty():
    t = Table.from_records([{"a": 1}, {"a": 2, "b": "x"}], ["a", "b", "_row"])
    assert t["b"].tolist() == [None, "x"] and t["_row"].tolist() == [None, None]
    empty = Table.from_records([], ["a", "_row"])
    assert len(empty) == 0 and empty.columns == ["a", "_row"] and empty.records() == []


def test_to_pandas_for_a_users_own_analysis():
    reg = read_register(samples.path("tracker"))
    frame = reg.to_pandas()
    assert list(frame.columns) == reg.lines.columns and len(frame) == len(reg)
    assert frame["plan_total"].tolist() == reg.lines["plan_total"].tolist()        # Decimal, not float
    assert all(isinstance(v, Decimal) for v in frame["plan_total"])


def test_figures_are_worked_out_once_and_again_after_a_write():
    from savings_tracker.core import calc

    reg = read_register(samples.path("tracker"))
    calc_frame, eff = calc.worked(reg)
    assert calc.worked(reg) == (calc_frame, eff) and calc.effective(reg) is eff       # the same tables
    first = reg.lines.index[0]
    q1 = reg.lines.at[first, "forecast_q1"]
    reg.lines.at[first, "forecast_q1"] = q1 + 7                                       # a write to the lines
    again, eff2 = calc.worked(reg)
    assert eff2 is not eff and again.at[first, "forecast_total"] == calc_frame.at[first, "forecast_total"] + 7
    eff2["forecast_total"] = None                                                     # a write to a table
    assert calc.effective(reg).at[first, "forecast_total"] is not None
