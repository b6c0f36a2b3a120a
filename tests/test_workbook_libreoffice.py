"""LibreOffice (headless) recalculates the workbook: every formula cell equals what the Python core computes.

A missing LibreOffice is a FAILURE here, not a skip (engines.libreoffice raises LibreOfficeMissing)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from savings_tracker.core import calc, schema
from savings_tracker import samples
from savings_tracker import libreoffice as lo
from savings_tracker.readers import read_register
from savings_tracker.workbook import builder as B
from savings_tracker.workbook.preview import render_previews

from test_workbook import COMMITTED, build_fresh

pytestmark = pytest.mark.slow
SEED_003_TOTALS = {  # the header totals published in seed 003
    "investment": 4023, "plan_q1": -11603, "plan_q2": -3109, "plan_q3": -3201, "plan_q4": -2625,
    "plan_total": -20538, "forecast_q1": -7168, "forecast_q2": -2832, "forecast_q3": -4483, "forecast_q4": -2173,
    "forecast_total": -16656, "variance": 3882,
}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    return build_fresh(tmp_path_factory.mktemp("wblo") / "Savings_Tracker.xlsm")


@pytest.fixture(scope="module", params=["committed", "fresh"])
def recalculated(request, fresh):
    path = COMMITTED if request.param == "committed" else fresh
    return path, lo.recalculate(path)


def _formula_cells(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    wb = openpyxl.load_workbook(path, keep_vba=True)
    return {ws.title: {(c.row, c.column): c.value for row in ws.iter_rows() for c in row
                       if isinstance(c.value, str) and c.value.startswith("=") and c.data_type == "f"}
            for ws in wb.worksheets}


def _d(v) -> Decimal:
    return Decimal(str(v)).quantize(Decimal("0.000001"))


def _expected(path: Path) -> dict[str, dict[tuple[int, int], Decimal]]:
    """(row, col) (1-based) -> the value the Python core computes, for every formula cell of the workbook."""
    reg = read_register(samples.path("tracker"))
    opts = read_register(samples.path("options"))
    out: dict[str, dict] = {}
    for layout, r, header_row in (("tracker", reg, B.HEADER_ROW + 1), ("options", opts, 4)):
        eff = calc.effective(r)
        summary = calc.summarise(r)
        cols = schema.columns_for(layout, r.years, extras=layout == "tracker")   # the lifecycle's blank columns too
        cells = {}
        for ci, c in enumerate(cols, start=1):
            if c.kind not in (schema.MONEY, schema.NUMBER):
                continue
            if c.role == schema.COMPUTED:
                for k, i in enumerate(r.lines.index):
                    cells[(header_row + 1 + k, ci)] = _d(eff.at[i, c.key])
            cells[(header_row + len(r) + 1, ci)] = _d(summary.totals.get(c.key, Decimal(0)))
        out[schema.SHEET_NAMES[layout]] = cells
    # Summary: the committee table, its total row and the by-RAG table
    s = calc.summarise(reg)
    eff = calc.effective(reg)
    cells = {}
    top = 5  # Excel row of the committee table's header
    for k, g in enumerate(s.groups):
        row = top + 1 + k
        vals = [g.lines, *(g.rag_counts[x] for x in schema.RAG_VALUES), g.rag_counts[calc.NO_RAG],
                g.totals["plan_total"], g.totals["forecast_total"], g.totals["variance"]]
        for j, v in enumerate(vals):
            cells[(row, 2 + j)] = _d(v)
    row = top + 1 + len(s.groups)
    vals = [len(reg), *(s.rag_counts[x] for x in schema.RAG_VALUES), s.rag_counts[calc.NO_RAG],
            s.totals["plan_total"], s.totals["forecast_total"], s.totals["variance"]]
    for j, v in enumerate(vals):
        cells[(row, 2 + j)] = _d(v)
    rag_header = row + 3
    for k, rag in enumerate((*schema.RAG_VALUES, calc.NO_RAG)):
        lines = eff.where((v if v in calc.RAG_ORDER else calc.NO_RAG) == rag for v in eff["rag"])
        for j, key in enumerate(("plan_total", "forecast_total")):
            cells[(rag_header + 1 + k, 2 + j)] = _d(reg.settings.display(sum(lines[key], Decimal(0))))
    # where the savings stand (the lifecycle columns are blank): nothing delivered, slipped or written off; at
    # risk is the RAG analysis's Red and Amber
    split = calc.rag_split(reg, eff)
    at_risk = sum(split["Red"], Decimal(0)) + sum(split["Amber"], Decimal(0))
    for k, v in enumerate((0, at_risk, 0, 0, 0)):
        cells[(rag_header + 9 + k, 2)] = _d(reg.settings.display(Decimal(v)))
    out[schema.SHEET_NAMES["summary"]] = cells
    return out


def test_every_formula_cell_equals_the_python_core(recalculated):
    path, values = recalculated
    formulas = _formula_cells(path)
    expected = _expected(path)
    checked = 0
    links = formulas.pop(schema.SHEET_NAMES["checks"])     # refreshed as built: each finding links to its cell
    assert links and all(f.startswith('=HYPERLINK("#') for f in links.values())
    for (r, c), formula in links.items():
        assert values[schema.SHEET_NAMES["checks"]][r - 1][c - 1] == f"Tracker!{values['Checks'][r - 1][2]}"
    for sheet, cells in formulas.items():
        assert set(cells) == set(expected.get(sheet, {})), f"{sheet}: formula cells not all checked"
        for (r, c), formula in cells.items():
            got = values[sheet][r - 1][c - 1]
            assert isinstance(got, float), f"{sheet}!{openpyxl.utils.get_column_letter(c)}{r} {formula} -> {got!r}"
            assert _d(got) == expected[sheet][(r, c)], f"{sheet}!{openpyxl.utils.get_column_letter(c)}{r} {formula}"
            checked += 1
    assert checked > 67 * 3


def test_totals_row_reproduces_seed_003_header_totals(recalculated):
    path, values = recalculated
    reg = read_register(samples.path("tracker"))
    row = values[schema.SHEET_NAMES["tracker"]][B.HEADER_ROW + len(reg) + 1]
    cols = schema.columns_for("tracker")
    assert row[0] == "Total"
    got = {c.key: row[i] for i, c in enumerate(cols) if c.key in SEED_003_TOTALS}
    assert got == {k: float(v) for k, v in SEED_003_TOTALS.items()}


def test_no_cell_is_an_error(recalculated):
    _, values = recalculated
    for sheet, rows in values.items():
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                assert not (isinstance(v, str) and (v.startswith("#") and v.endswith(("!", "?", "A")) or
                                                    v.startswith("Err:"))), f"{sheet} R{r}C{c}: {v}"


def test_libreoffice_reads_structured_references_as_written():
    got = lo.formulas(COMMITTED, schema.SHEET_NAMES["tracker"])
    r = B.HEADER_ROW + 2
    assert "SUM(" in got[f"J{r}"] and "Original Phasing - Q1" in got[f"J{r}"], got[f"J{r}"]


def test_libreoffice_lists_the_vba_modules():
    names = lo.vba_modules(COMMITTED)
    assert {"SavingsTracker", "xlwings", "ThisWorkbook", *B.CODE_NAMES.values()} <= set(names), names


def test_previews(tmp_path):
    pngs = render_previews(COMMITTED, tmp_path)
    assert [p.name for p in pngs] == ["Tracker.png", "Summary.png"]
    for p in pngs:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000
    assert pngs[0].read_bytes() != pngs[1].read_bytes()
