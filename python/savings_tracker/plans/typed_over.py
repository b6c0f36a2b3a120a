"""Refresh, part one: computed cells a user typed a number over, found, put right and reported."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..core import results, schema
from ..core.money import fmt, same
from ..core.register import WARNING, Finding, Register
from . import formulas
from .model import COMPUTED_FORMULA_KEYS, RESTORED_CODE




@dataclass
class TypedOver:
    sheet: str
    cell: str
    key: str
    index: object        # the line's index in reg.lines
    value: object        # what the cell holds (Decimal, or None for text)
    expected: Decimal    # what the formula gives from the cells it reads
    formula: str
    blank: bool = False  # the cell was empty (a new line's computed cell), not typed over


def _header(reg: Register, key: str, headers: dict | None) -> str:
    if headers and key in headers:
        return str(headers[key])
    return schema.BY_KEY[key].header_for(reg.settings, reg.layout)


def computed_formula(reg: Register, key: str, headers: dict | None = None) -> str | None:
    """The formula of a computed column, exactly as the builder writes it (``formulas.column_formula``)."""
    table = reg.source.table or schema.TABLE_NAMES.get(reg.layout, "Savings")
    col = schema.BY_KEY[key]
    heads = {k: _header(reg, k, headers) for k in reg.keys}
    return formulas.column_formula(col, table, heads, list(reg.keys))


def find_typed_over(reg: Register, headers: dict | None = None) -> list[TypedOver]:
    """Computed-column cells that do not hold their formula: where the reader knows the cells
    (``Source.formulas``), a constant or a blank where the column's formula belongs, whatever its value (a
    number typed over the formula that equals its result would otherwise stop following the line); elsewhere
    (values from an open workbook) a value that differs at the published precision from what the formula
    gives. The expected value of each is worked out from the line as it will be once the formulas are back
    (a new line's variance from its restored totals), so one run completes a line. Cells whose inputs cannot
    be read are left alone (the reader reports them)."""
    out: list[TypedOver] = []
    if reg.layout != "tracker" or not len(reg):
        return out
    dp = reg.settings.precision
    lines = reg.lines
    known = reg.source.formulas
    money_invalid = {(f.cell) for f in reg.read_findings if f.code == "money-invalid"}
    rows = [int(r) for r in lines["_row"]] if "_row" in lines else [None] * len(lines)
    fixed: dict[str, list] = {}          # key -> the column's values once restored
    for key in COMPUTED_FORMULA_KEYS:
        if not reg.has(key):
            continue
        formula = computed_formula(reg, key, headers)
        if formula is None:
            continue
        inputs = schema.phasing_keys(key, reg.keys) if key != "variance" else ["forecast_total", "plan_total"]
        if not inputs or any(not reg.has(k) for k in inputs):
            continue
        values = lines[key].tolist()
        formula_rows = known.get(key, set()) if known is not None else None
        # column lists, not a lookup per cell. Where formulas are known, a cell without its formula is
        # worked out from the line as restored; elsewhere a value is compared with the cells as read (a variance
        # that follows a typed-over total is a formula that will follow the restored one)
        columns = [(fixed.get(k) if formula_rows is not None else None) or lines[k].tolist() for k in inputs]
        blank_rows = reg.source.blank.get(key, set())
        result = list(values)
        for pos, (i, row, value, *vals) in enumerate(zip(lines.index, rows, values, *columns)):
            if any(v is None for v in vals):
                continue
            if formula_rows is not None and row in formula_rows:
                continue                     # the formula is there (an untrusted result is derived on reading)
            expected = sum(vals, Decimal(0)) if key != "variance" else vals[0] - vals[1]
            cell = reg.source.cell(key, row)
            if formula_rows is None and (cell not in money_invalid if value is None else same(value, expected, dp)):
                continue                     # values only: a blank, or the value the formula gives
            result[pos] = expected
            out.append(TypedOver(reg.source.sheet, cell, key, i, None if row in blank_rows else value, expected,
                                 formula, blank=row in blank_rows))
        fixed[key] = result
    return out


def without_typed_over(reg: Register, over: list[TypedOver]) -> Register:
    """A copy of the register as it will be once the formulas are back: typed-over cells read as their
    formula's value (and their money-invalid findings dropped)."""
    import copy

    if not over and reg.source.formulas is None:
        return reg
    lines = reg.lines.copy()
    cells = set()
    for t in over:
        lines.at[t.index, t.key] = t.expected
        cells.add(t.cell)
    # the variance formula reads the restored totals: recompute it where a total came back
    if "variance" in lines and "forecast_total" in lines and "plan_total" in lines:
        touched = {t.index for t in over if t.key in ("plan_total", "forecast_total")}
        for i in touched:
            f, p = lines.at[i, "forecast_total"], lines.at[i, "plan_total"]
            if isinstance(f, Decimal) and isinstance(p, Decimal):
                lines.at[i, "variance"] = f - p
    out = copy.copy(reg)
    out.lines = lines
    out.read_findings = [f for f in reg.read_findings if not (f.cell in cells and f.code == "money-invalid")]
    out.raw = {k: v for k, v in reg.raw.items()}
    # the totals row's formulas add up the restored lines: published totals are compared after the restoration
    out.published = [copy.deepcopy(p) for p in reg.published]
    if reg.source.formulas is not None:
        results.derive(out, {}, totals_untrusted=reg.source.formulas)
    return out


def restored_findings(reg: Register, over: list[TypedOver]) -> list[Finding]:
    dp = reg.settings.precision
    out = []
    for t in over:
        header = schema.BY_KEY[t.key].header_for(reg.settings, reg.layout)
        if t.blank:
            what, advice = f"{header} was blank (no formula)", "A new line's totals and variance follow its phasing"
        else:
            shown = fmt(t.value, dp) if isinstance(t.value, Decimal) else "text or an error"
            what, advice = f"{header} held a typed value ({shown}) instead of its formula", \
                "Change the phasing, not the total"
        out.append(Finding(WARNING, RESTORED_CODE,
                           f"{what}; the formula is restored and gives {fmt(t.expected, dp)}. {advice}",
                           t.sheet, t.cell, reg.label(t.index), t.key))
    return out
