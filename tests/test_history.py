"""Direction of travel and snapshot rows, without Excel."""
from __future__ import annotations

import pytest

from savings_tracker.core import history
from savings_tracker import samples
from savings_tracker.readers import read_register
from savings_tracker.core.settings import Settings

S = Settings(sign="negative", unit="£000")


@pytest.mark.parametrize("prev_rag,rag,prev_fc,fc,want", [
    ("Red", "Amber", -10, -10, "↑"), ("Amber", "Green", -10, -5, "↑"),      # RAG wins over the forecast
    ("Green", "Red", -10, -20, "↓"),
    ("Amber", "Amber", -10, -12, "↑"),        # savings stored negative: -12 saves more
    ("Amber", "Amber", -10, -8, "↓"),
    ("Amber", "Amber", -10.2, -9.8, "↔"),     # equal at the published precision (£000: 0 dp)
    (None, "Red", None, -10, "↔"),            # no previous snapshot
    ("", "Green", "", -1, "↔"),
])
def test_direction(prev_rag, rag, prev_fc, fc, want):
    assert history.direction(prev_rag, rag, prev_fc, fc, S) == want


def test_direction_positive_sign():
    s = Settings(sign="positive")
    assert history.direction("Green", "Green", 10, 12, s) == "↑"


@pytest.fixture(scope="module")
def reg():
    return read_register(samples.path(samples.ALL["tracker"]))


def test_snapshot_rows_and_directions(reg):
    rows = history.snapshot_rows(reg, "October 2017", "2017-10-31")
    assert len(rows) == len(reg) and len(rows[0]) == len(history.HISTORY_HEADERS)
    assert rows[0][0] == "October 2017" and rows[0][2] == reg.lines.at[0, "reference"]
    assert history.directions(reg, [], "October 2017") == ["↔"] * len(reg)
    prev = [list(r) for r in rows]
    prev[0][history.COL["RAG"]] = "Red" if rows[0][history.COL["RAG"]] != "Red" else "Green"
    got = history.directions(reg, prev, "November 2017")
    assert got[0] in ("↑", "↓") and set(got[1:]) == {"↔"}


def test_periods_and_previous(reg):
    rows = [["Sept", None, "A", "t", -1, -1, 0, "Red", "↔"], ["Oct", None, "A", "t", -1, -1, 0, "Red", "↔"],
            [None] * 9]
    assert history.periods(rows) == ["Sept", "Oct"]
    assert history.previous_period(rows, "Nov") == "Oct"
    assert history.previous_period(rows, "oct") == "Sept"
    assert history.previous_period(rows, "Sept") is None
    assert history.has_period(rows, "OCT")


def test_brag_blue_is_recorded_and_delivered_is_better_than_green(tmp_path):
    """BRAG: a snapshot keeps a line's Blue (it was recorded blank), and Green -> Blue is an improvement."""
    p = tmp_path / "brag.csv"
    p.write_text("Reference,Title,Original Saving,Forecast Saving,RAG\nB1,Delivered,-10,-10,Blue\n"
                 "B2,On track,-5,-5,Green\n", encoding="utf-8")
    reg = read_register(p)
    rows = history.snapshot_rows(reg, "May", "2025-05-31")
    assert [r[history.COL["RAG"]] for r in rows] == ["Blue", "Green"]
    assert history.direction("Green", "Blue", -10, -10, S) == "↑"
    assert history.direction("Blue", "Amber", -10, -10, S) == "↓"
