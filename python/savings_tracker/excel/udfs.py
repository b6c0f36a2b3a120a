"""Worksheet functions (xlwings UDFs, Windows Excel; listed under ``UDF Modules`` in ``xlwings.conf``).

Thin wrappers over the core, vectorised over ranges (``ndim=2`` in, 2D lists out, which spill in Excel 365):

* ``=SAVINGS_VARIANCE(plan, forecast)``: forecast - plan, cell by cell.
* ``=SAVINGS_RAG(plan, forecast, [complete], [green_at], [amber_at], [sign])``: the suggested RAG.
* ``=SAVINGS_CHECK(Savings[#All])``: the findings of each line as text (one cell per line; blank = fine).
* ``=SAVINGS_SUMMARY(Savings[#All])``: the RAG summary by committee and overall, as a spilled table.

Importing this module needs no Excel (the decorators only record metadata); call the functions directly in
tests.
"""
from __future__ import annotations


import xlwings as xw

from ..core import calc, schema
from .. import cells
from .. import plans
from ..core.money import try_parse
from ..core.settings import Settings


def _grid(values) -> list[list]:
    if values is None:
        return [[None]]
    if not isinstance(values, list):
        return [[values]]
    if values and not isinstance(values[0], list):
        return [values]
    return values


_dec = try_parse


def _settings(green_at=None, amber_at=None, sign=None, unit=None) -> Settings:
    kw = {}
    if green_at not in (None, ""):
        kw["green_at"] = green_at
    if amber_at not in (None, ""):
        kw["amber_at"] = amber_at
    if sign not in (None, ""):
        kw["sign"] = str(sign).strip().lower()
    if unit not in (None, ""):
        kw["unit"] = unit
    return Settings(**kw)


def _pairs(a, b):
    a, b = _grid(a), _grid(b)
    if len(a) != len(b) or any(len(x) != len(y) for x, y in zip(a, b)):
        raise ValueError("the ranges must be the same size")
    return a, b


@xw.func
@xw.arg("plan", ndim=2)
@xw.arg("forecast", ndim=2)
def SAVINGS_VARIANCE(plan, forecast):
    """Forecast minus plan for each cell (register's sign; blank counts as nil, text gives #VALUE!)."""
    try:
        p, f = _pairs(plan, forecast)
    except ValueError as exc:
        return [[f"#VALUE! {exc}"]]
    out = []
    for rp, rf in zip(p, f):
        row = []
        for a, b in zip(rp, rf):
            da, db = _dec(a), _dec(b)
            row.append(float(db - da) if da is not None and db is not None else "#VALUE!")
        out.append(row)
    return out


@xw.func
@xw.arg("plan", ndim=2)
@xw.arg("forecast", ndim=2)
@xw.arg("complete", ndim=2)
def SAVINGS_RAG(plan, forecast, complete=None, green_at=None, amber_at=None, sign=None):
    """Suggested RAG for each plan/forecast pair, from the thresholds (defaults: Green at 100%, Amber at 75%,
    savings stored negative)."""
    try:
        s = _settings(green_at, amber_at, sign)
        p, f = _pairs(plan, forecast)
    except Exception as exc:
        return [[f"#VALUE! {exc}"]]
    comp = _grid(complete) if complete is not None else [[None] * len(r) for r in p]
    out = []
    for i, (rp, rf) in enumerate(zip(p, f)):
        row = []
        for j, (a, b) in enumerate(zip(rp, rf)):
            da, db = _dec(a, s.unit), _dec(b, s.unit)
            c = comp[i][j] if i < len(comp) and j < len(comp[i]) else None
            row.append(calc.suggest_rag(da, db, c, s) if da is not None and db is not None else "#VALUE!")
        out.append(row)
    return out


def _register(table, settings: Settings):
    from ..readers.values import register_from_values

    values = _grid(table)
    reg, _ = register_from_values(values, sheet="Tracker", top=1, left=1, settings=settings)
    return reg


@xw.func
@xw.arg("table", ndim=2)
def SAVINGS_CHECK(table, sign=None, unit=None):
    """For a range whose first row is the Savings table's header: one text per line listing its findings
    ('' when the line is fine)."""
    from ..core.validate import validate

    try:
        s = _settings(sign=sign, unit=unit)
        reg = _register(table, s)
    except Exception as exc:
        return [[f"#VALUE! {exc}"]]
    findings = validate(reg)
    rows = len(_grid(table)) - 1
    out = [[""] for _ in range(max(rows, 1))]
    for f in findings:
        if not cells.is_cell(f.cell):
            continue
        r, _ = cells.cell(f.cell)
        if 2 <= r <= rows + 1:
            text = out[r - 2][0]
            out[r - 2][0] = (text + "; " if text else "") + f"{f.severity}: {f.message}"
    return out


@xw.func
@xw.arg("table", ndim=2)
@xw.ret(expand="table")
def SAVINGS_SUMMARY(table, sign=None, unit=None):
    """The RAG summary by committee and overall (lines, RAG counts, plan, forecast, variance) of a range whose
    first row is the Savings table's header."""
    try:
        s = _settings(sign=sign, unit=unit)
        reg = _register(table, s)
    except Exception as exc:
        return [[f"#VALUE! {exc}"]]
    summary = calc.summarise(reg)
    head = [schema.BY_KEY["committee"].header_for(s, "tracker"), "Lines", *plans.RAG_COLUMNS,
            *(schema.BY_KEY[k].header_for(s, "tracker") for k in ("plan_total", "forecast_total", "variance"))]
    return [head, *plans.summary_group_rows(reg, summary)]


__all__ = ["SAVINGS_VARIANCE", "SAVINGS_RAG", "SAVINGS_CHECK", "SAVINGS_SUMMARY"]
