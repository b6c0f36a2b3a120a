"""Refresh, part two: the Summary sheet's tables, as the builder lays them out."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..core import calc, lifecycle, schema
from ..core.register import Register
from . import formulas
from .model import Block, Formula, UpdatePlan


def _f(v) -> float | None:
    return float(v) if isinstance(v, Decimal) else None


RAG_COLUMNS = formulas.RAG_COLUMNS
SUMMARY_STAMP_CELL = "A3"          # the workbook's defined name LastRefreshed
SUMMARY_TABLE_ROW = 5              # header row of the by-committee table, when the sheet gives no other clue


@dataclass
class SummaryGeometry:
    """Where the builder's Summary sheet keeps its tables (1-based rows)."""
    table_header: int               # 'Committee | Lines | Red | Amber | Green | No RAG | plan | forecast | variance'
    chart_header: int | None        # 'RAG | plan | forecast' with Red, Amber, Green, No RAG below (the chart's data)
    blue: bool = False              # BRAG: a Blue column after Green (and a Blue row in the chart's data)

    @property
    def capacity(self) -> int:
        """Rows for the groups and the Total row, leaving the blank row and the chart title above the chart
        data as they are."""
        if self.chart_header is None:
            return 10 ** 6
        return self.chart_header - 3 - self.table_header


def _cell_text(v) -> str:
    return str(v).strip() if v is not None else ""


def summary_geometry(values) -> SummaryGeometry | None:
    """Find the by-committee table and the chart data in the Summary sheet's values (as read, from A1)."""
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in (values or [])]
    top = None
    for i, r in enumerate(rows):
        if len(r) > 5 and _cell_text(r[1]) == "Lines" and _cell_text(r[2]) == "Red":
            top = i
            break
    if top is None:
        return None
    rows = [r + [None] * (3 - len(r)) for r in rows]
    chart = None
    for i in range(top + 2, len(rows) - 1):
        if _cell_text(rows[i + 1][0]) == "Red" and _cell_text(rows[i][0]) and \
                _cell_text(rows[i][0]).lower() != "total" and _cell_text(rows[i][1]) and _cell_text(rows[i][2]):
            chart = i
            break
    blue = len(rows[top]) > 5 and _cell_text(rows[top][5]) == schema.BLUE
    return SummaryGeometry(top + 1, chart + 1 if chart is not None else None, blue)


def summary_group_rows(reg: Register, summary: calc.Summary, blue: bool | None = None) -> list[list]:
    """By committee (groups, then Settings committees with no lines), then Total: name, lines, Red, Amber,
    Green, (Blue,) No RAG line counts, Original Saving, Forecast Saving, Variance (register's unit and sign).
    ``blue``: with a Blue column (default: where the register uses BRAG); without one Blue lines count as No RAG,
    as the sheet's formulas count them."""
    cats = formulas.rag_columns(calc.uses_blue(reg) if blue is None else blue)

    def row(name, count, counts, totals):
        plan, fc = totals.get("plan_total"), totals.get("forecast_total")
        var = totals.get("variance")
        if var is None and plan is not None and fc is not None:
            var = fc - plan
        shown = reg.settings.display
        counts = {**counts, calc.NO_RAG: counts.get(calc.NO_RAG, 0) + (0 if schema.BLUE in cats else
                                                                      counts.get(schema.BLUE, 0))}
        return [name, count, *(counts.get(r, 0) for r in cats), _f(shown(plan)) or 0.0,
                _f(shown(fc)) or 0.0, _f(shown(var)) or 0.0]

    out = [row(g.name, g.lines, g.rag_counts, g.totals) for g in summary.groups]
    have = {g.name for g in summary.groups}
    for c in reg.settings.committees:
        if c not in have:
            out.append(row(c, 0, {}, {}))
    out.append(row("Total", summary.lines, summary.rag_counts, summary.totals))
    return out


def summary_chart_rows(reg: Register, blue: bool | None = None) -> list[list]:
    """Planned and forecast saving of the Red, Amber, Green, (Blue,) and no-RAG lines, signs as ``display_sign``
    says: the Summary chart's data ("Planned and forecast saving by the line's RAG", ``calc.by_line_rag``).
    Without a Blue row (``blue`` False) Blue lines are in No RAG, as the sheet's formulas count them."""
    s = reg.settings
    by = calc.by_line_rag(reg)
    cats = formulas.rag_columns(calc.uses_blue(reg) if blue is None else blue)
    if schema.BLUE in by and schema.BLUE not in cats:
        (p, f), (bp, bf) = by[calc.NO_RAG], by.pop(schema.BLUE)
        by[calc.NO_RAG] = (p + bp, f + bf)
    return [[rag, float(s.display(by[rag][0])), float(s.display(by[rag][1]))] for rag in cats]


def lifecycle_rows(reg: Register, present=None) -> list[list]:
    """The Summary's lifecycle table (title, header, one row per figure, the sign note) with live formulas, or
    [] for a register without lifecycle columns: the same figures and names as ``summary`` and the tracker
    appendix (``core.lifecycle``), signs as ``display_sign`` says. ``present``: the Savings table's columns,
    where they are not the register's (the builder's table of a register without the lifecycle filled in)."""
    present = list(reg.keys if present is None else present)
    figures = lifecycle.figures(reg, columns=present)
    if figures is None:
        return []
    s = reg.settings
    live = formulas.lifecycle_formulas(s, present, reg.layout)
    return [[f"{lifecycle.TITLE}, {s.unit}", None], ["Figure", s.unit],
            *([lifecycle.LABELS[k], Formula(live[k], _f(s.display(v)) or 0.0)] for k, v in figures.items()),
            [s.sign_note(), None]]


def lifecycle_row(chart_header: int, chart_rows: int) -> int:
    """The lifecycle table's first row (its title): two rows under the chart data's sign note."""
    return chart_header + chart_rows + 3


def summary_plan(reg: Register, summary: calc.Summary, stamp: str, summary_values=None) -> UpdatePlan:
    """The Summary sheet's blocks: the refreshed stamp (A3), the by-committee table, the chart data and the
    lifecycle figures, in place. When there are more committees than rows before the chart data, rows are
    inserted above it (``insert_rows``) so the chart keeps pointing at its data. A Blue column (BRAG) where the
    sheet has one; a register that rates lines Blue on a sheet without one is told where they are counted."""
    sheet = schema.SHEET_NAMES["summary"]
    plan = UpdatePlan()
    n = summary.lines
    plan.blocks.append(Block(sheet, SUMMARY_STAMP_CELL, [[f"Last refreshed {stamp} from {n} line{'s' * (n != 1)}"]]))
    geo = summary_geometry(summary_values)
    if geo is None:
        geo = SummaryGeometry(SUMMARY_TABLE_ROW, None, calc.uses_blue(reg))
        heads = [schema.BY_KEY["committee"].header_for(reg.settings), "Lines", *formulas.rag_columns(geo.blue),
                 *(schema.BY_KEY[k].header_for(reg.settings) for k in ("plan_total", "forecast_total", "variance"))]
        plan.blocks.append(Block(sheet, f"A{geo.table_header}", [heads]))
        plan.messages.append("the Summary sheet's layout was not recognised: its tables were written again from "
                             f"row {geo.table_header}")
    elif not geo.blue and calc.uses_blue(reg):
        plan.messages.append(f"{summary.rag_counts.get(schema.BLUE, 0)} Blue (delivered) lines are counted under "
                             f"{calc.NO_RAG} on the Summary sheet, which has no Blue column")
    groups = summary_formula_rows(reg, summary, geo.table_header, geo.blue)
    chart_header = geo.chart_header
    extra = len(groups) - geo.capacity
    if chart_header is not None and extra > 0:
        # a full table ends with its Total row at chart_header - 3: insert above it, so the new rows take a
        # committee row's format (Excel formats inserted rows like the row above) and Total keeps its own
        at = chart_header - 3 if geo.capacity >= 2 else chart_header - 2
        plan.insert_rows.append((sheet, at, extra))
        chart_header += extra
    if chart_header is not None:
        room = chart_header - 3 - geo.table_header
        body = groups + [[None] * len(groups[0])] * (room - len(groups))
    else:
        body = groups
    plan.blocks.append(Block(sheet, f"A{geo.table_header + 1}", body))
    if chart_header is None:
        chart_header = geo.table_header + len(groups) + 3
        plan.blocks.append(Block(sheet, f"A{chart_header}", [[schema.BY_KEY["rag"].header_for(reg.settings),
                                                             *(schema.BY_KEY[k].header_for(reg.settings)
                                                               for k in ("plan_total", "forecast_total"))]]))
    plan.blocks.extend(chart_blocks(reg, chart_header, geo.blue))
    if geo.chart_header is not None:
        plan.formats.extend(lifecycle_formats(reg, summary_values, geo.chart_header, chart_header, geo.blue))
    return plan


def lifecycle_formats(reg: Register, summary_values, was: int, chart_header: int, blue: bool) -> list:
    """A Summary without the lifecycle table (built before it, or deleted) gets it formatted as the builder
    formats it, from the chart data's table above it: title, header, the No RAG row's label and amount, the
    sign note. None where the table is there (its formats, the user's included, stay). ``was``: the chart
    data's header row in ``summary_values`` (before any rows are inserted), ``chart_header``: after."""
    life = lifecycle_rows(reg)
    n = len(formulas.rag_columns(blue))
    if not life:
        return []
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in (summary_values or [])]
    at = lifecycle_row(was, n) - 1
    if at < len(rows) and rows[at] and _cell_text(rows[at][0]).startswith(lifecycle.TITLE):
        return []
    sheet, top = schema.SHEET_NAMES["summary"], lifecycle_row(chart_header, n)
    like = {0: chart_header - 1, 1: chart_header, len(life) - 1: chart_header + n + 1}   # title, header, note
    return [(sheet, f"A{like.get(k, chart_header + n)}:B{like.get(k, chart_header + n)}", f"A{top + k}:B{top + k}")
            for k in range(len(life))]


def chart_blocks(reg: Register, chart_header: int, blue: bool) -> list[Block]:
    """The chart's data under its header row (1-based), and the lifecycle table under it where the register
    has lifecycle columns."""
    sheet = schema.SHEET_NAMES["summary"]
    chart = summary_chart_rows(reg, blue)
    rows = [[rag, *map(Formula, formulas.summary_chart_row(reg.settings, chart_header + 1 + k, chart_header, rag,
                                                           reg.keys, blue), values)]
            for k, (rag, *values) in enumerate(chart)]
    life = lifecycle_rows(reg)
    if life:    # one block with the chart data (its sign note and the blank row between): one write in Excel
        gap = lifecycle_row(chart_header, len(chart)) - (chart_header + 1 + len(rows))
        rows += [[reg.settings.sign_note(), None, None], *([[None] * 3] * (gap - 1)),
                 *(r + [None] * (3 - len(r)) for r in life)]
    return [Block(sheet, f"A{chart_header + 1}", rows)]


def summary_formula_rows(reg: Register, summary: calc.Summary, header_row: int, blue: bool | None = None
                         ) -> list[list]:
    """The by-committee rows and the Total row as live formulas (the same text the builder writes), so the
    Summary keeps working after a refresh when Python is absent. ``blue``: with a Blue column (default: where
    the register uses BRAG)."""
    blue = calc.uses_blue(reg) if blue is None else blue
    values = summary_group_rows(reg, summary, blue)      # each formula carries the result the core computes
    group = calc.default_group(reg)
    if group not in reg.keys:       # grouped by something the table has no column for (a reference's prefix):
        values = values[-1:]        # the formulas cannot split it, so the Total row alone, as the builder writes
    names = [row[0] for row in values][:-1]
    first = header_row + 1
    rows = [[name, *map(Formula, formulas.summary_group_row(reg.settings, first + i, header_row, name, reg.keys,
                                                             group, blue), values[i][1:])]
            for i, name in enumerate(names)]
    total = first + len(names)
    rows.append(["Total", *map(Formula, formulas.summary_total_row(reg.settings, total, header_row, first, total - 1,
                                                                   reg.keys, group, blue), values[-1][1:])])
    return rows
