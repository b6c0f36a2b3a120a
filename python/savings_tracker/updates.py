"""What a button changes in the workbook, as data: one ``UpdatePlan`` applied by two adapters.

``savings_tracker.xl`` applies a plan to an open workbook through xlwings (Excel, or the remote engine);
the headless writer applies the same plan to a closed .xlsm by patching its XML. Pure Python: no xlwings.

Plan semantics (what an adapter must do, in this order):

0. ``insert_rows``: ``(sheet, row, count)``: insert ``count`` whole rows above 1-based ``row`` (Summary only,
   when there are more committees than rows before the chart data; the chart's references move with them),
   formatted like the row above, as Excel's Insert does (headless: ``xlsx_rows``, on the closed package).
   Every other address in the plan is AFTER the insertion.
1. ``blocks``: write ``values`` (a rectangular 2D list) with its top-left cell at ``top_left`` on ``sheet``,
   in one write. A value of type ``Formula`` is a formula (``=HYPERLINK(...)`` in Checks); any other string is text. ``None`` empties
   the cell. When ``clear_to_row`` is set and below the block, the values of the block's columns from the
   row after the block down to ``clear_to_row`` (inclusive) are cleared (contents only, never formats).
2. ``restored_formulas``: ``(sheet, cell, formula)``; write the formula into the cell. All cells of one
   computed column get the same structured-reference formula, so an adapter may write a column span at once.
3. ``clear_marks``: ``(sheet, "J12")`` cells the previous run marked (read back from Checks) and this run does
   not: remove their fill. Only these: a fill the user gave any other cell is never touched.
4. ``marks``: fill ``cell`` with ``MARK_COLOURS[severity]``.
5. ``resize_tables``: ``(sheet, table, "A1:I40")``: the table's new full range (header to last row).
   (History only; the cells written below the old last row become table rows.)
6. ``messages``: what to tell the user (the first one is the summary alert).

Links in Checks: each finding row carries its link as a formula in the last column ("Go to"):
``=HYPERLINK("#'Tracker'!J12","Tracker!J12")``. Sheet and Cell are plain text, so the next run can read
where the previous marks were whatever engine computed (or did not compute) the formula.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from . import formulas, calc, history, schema
from .money import fmt, same
from .register import ERROR, WARNING, Finding, Register, col_letter, parse_cell

# ---- the plan ----------------------------------------------------------------------------------------------


@dataclass
class Block:
    sheet: str
    top_left: str
    values: list[list]
    clear_to_row: int | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.values), max((len(r) for r in self.values), default=0)

    def address(self) -> str:
        """The A1 range the block covers."""
        col, row = split_cell(self.top_left)
        n, m = self.shape
        return f"{self.top_left}:{col_letter(col + max(m, 1) - 1)}{row + max(n, 1) - 1}"


@dataclass
class Mark:
    sheet: str
    cell: str
    severity: str


@dataclass
class UpdatePlan:
    blocks: list[Block] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    clear_marks: list[tuple[str, str]] = field(default_factory=list)
    restored_formulas: list[tuple[str, str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    resize_tables: list[tuple[str, str, str]] = field(default_factory=list)
    insert_rows: list[tuple[str, int, int]] = field(default_factory=list)   # (sheet, before row, count)
    refused: bool = False          # the plan changes nothing because the request was refused (messages say why)


MARK_COLOURS = {ERROR: "#FFC7CE", WARNING: "#FFEB9C"}
CHECKS_HEADERS = ("Severity", "Sheet", "Cell", "Reference", "Code", "Message", "Go to")
CHECKS_TOP_LEFT = "A1"
SUMMARY_TOP_LEFT = "A4"
HISTORY_TABLE = "History"
RESTORED_CODE = "formula-restored"
COMPUTED_FORMULA_KEYS = ("plan_total", "forecast_total", "variance")
def split_cell(cell: str) -> tuple[int, int]:
    """'J12' -> (9, 12): 0-based column, 1-based row."""
    parsed = parse_cell(cell)
    if parsed is None:
        raise ValueError(f"not a cell address: {cell!r}")
    return parsed[1], parsed[0]


def is_cell(text) -> bool:
    return parse_cell(text) is not None


def _pad(rows: list[list], width: int) -> list[list]:
    return [list(r) + [None] * (width - len(r)) for r in rows]


def _quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class Formula(str):
    """A plan value that is a formula. Every other string in a plan is text and is written as text, even
    when it starts with '=', '+', '-' or '@' (a title typed as '=HYPERLINK(...)' must stay a title)."""
    __slots__ = ()


FORMULA_PREFIXES = ("=", "+", "-", "@")


def excel_input(value):
    """A plan value as Excel should receive it through ``Range.value``: formulas as they are, text that
    Excel would read as a formula quoted with a leading apostrophe (Excel keeps it as text and hides it)."""
    if isinstance(value, Formula):
        return str(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def hyperlink(sheet: str, cell: str) -> str | None:
    if not sheet or not is_cell(cell):
        return None
    label = f"{sheet}!{cell}".replace('"', '""')
    return Formula(f'=HYPERLINK("#{_quote_sheet(sheet).replace(chr(34), chr(34) * 2)}!{cell}","{label}")')


def counts_message(findings, extra: str = "") -> str:
    e = sum(1 for f in findings if f.severity == ERROR)
    w = sum(1 for f in findings if f.severity == WARNING)
    if not e and not w:
        return "No errors or warnings" + (f"; {extra}" if extra else "")
    text = f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)} – see Checks"
    return text + (f"; {extra}" if extra else "")


# ---- body geometry ---------------------------------------------------------------------------------------


def body_rows(reg: Register) -> tuple[int, int] | None:
    """First and last sheet row (1-based) of the register's lines, or None when it has none."""
    if not len(reg) or "_row" not in reg.lines:
        return None
    first = reg.source.header_row + 1
    return first, max(int(r) for r in reg.lines["_row"])


def body_range(reg: Register) -> str | None:
    rows = body_rows(reg)
    cols = [c for c in reg.source.columns.values() if c >= 0]
    if rows is None or not cols:
        return None
    return f"{col_letter(min(cols))}{rows[0]}:{col_letter(max(cols))}{rows[1]}"


# ---- validate ------------------------------------------------------------------------------------------


def checks_rows(findings) -> list[list]:
    rows = [list(CHECKS_HEADERS)]
    for f in findings:
        rows.append([f.severity, f.sheet or None, f.cell or None, f.reference or None, f.code, f.message,
                     hyperlink(f.sheet, f.cell)])
    return rows


def marks_for(reg: Register, findings) -> list[Mark]:
    """One mark per offending cell inside the register's lines (the worst severity wins)."""
    rows = body_rows(reg)
    if rows is None:
        return []
    out: dict[str, Mark] = {}
    for f in findings:
        if f.sheet != reg.source.sheet or not is_cell(f.cell) or f.severity not in MARK_COLOURS:
            continue
        _, r = split_cell(f.cell)
        if not rows[0] <= r <= rows[1]:
            continue
        have = out.get(f.cell)
        if have is None or (have.severity == WARNING and f.severity == ERROR):
            out[f.cell] = Mark(f.sheet, f.cell, f.severity)
    return list(out.values())


def marked_before(reg: Register, checks_values) -> list[str]:
    """The cells the previous run marked, as its Checks rows list them (Severity, Sheet, Cell), inside the
    register's lines. Clearing only these keeps every fill a user gave a cell themselves."""
    rows = body_rows(reg)
    if rows is None or not checks_values:
        return []
    at = [CHECKS_HEADERS.index(h) for h in ("Severity", "Sheet", "Cell")]
    out = []
    for row in list(checks_values)[1:]:
        if not isinstance(row, (list, tuple)) or len(row) <= max(at):
            continue
        severity, sheet, cell = (str(row[k]).strip() if row[k] is not None else "" for k in at)
        if severity in MARK_COLOURS and sheet == reg.source.sheet and is_cell(cell) and \
                rows[0] <= split_cell(cell)[1] <= rows[1]:
            out.append(cell.replace("$", "").upper())
    return list(dict.fromkeys(out))


def validate_plan(reg: Register, findings, *, checks_used_rows: int = 0, checks_values=None,
                  extra_messages=()) -> UpdatePlan:
    """Rewrite Checks (header row at ``CHECKS_TOP_LEFT``, one row per finding with its link), clear the marks
    of the previous run (``checks_values``: the Checks sheet as read, from A1) and mark each offending cell.
    ``checks_used_rows``: the last row Checks used before, so rows of older findings are cleared."""
    findings = list(findings)
    rows = checks_rows(findings)
    _, top = split_cell(CHECKS_TOP_LEFT)
    last = top + len(rows) - 1
    plan = UpdatePlan()
    plan.blocks.append(Block(schema.SHEET_NAMES["checks"], CHECKS_TOP_LEFT, _pad(rows, len(CHECKS_HEADERS)),
                             checks_used_rows if checks_used_rows > last else None))
    plan.marks = marks_for(reg, findings)
    marked_now = {m.cell for m in plan.marks}
    plan.clear_marks = [(reg.source.sheet, c) for c in marked_before(reg, checks_values) if c not in marked_now]
    plan.messages.append(counts_message(findings, "; ".join(extra_messages)))
    return plan


# ---- refresh: typed-over formulas, suggested RAG, Summary ------------------------------------------------


@dataclass
class TypedOver:
    sheet: str
    cell: str
    key: str
    index: object        # the line's index in reg.lines
    value: object        # what the cell holds (Decimal, or None for text)
    expected: Decimal    # what the formula gives from the cells it reads
    formula: str


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
    """Computed-column cells whose VALUE differs (at the published precision) from what their formula gives
    from the cells it reads: a user typed over the formula (or cleared it). Cells whose inputs cannot be read
    are left alone (the reader reports them)."""
    out: list[TypedOver] = []
    if reg.layout != "tracker" or not len(reg):
        return out
    dp = reg.settings.precision
    lines = reg.lines
    money_invalid = {(f.cell) for f in reg.read_findings if f.code == "money-invalid"}
    rows = [int(r) for r in lines["_row"]] if "_row" in lines else [None] * len(lines)
    for key in COMPUTED_FORMULA_KEYS:
        if not reg.has(key):
            continue
        formula = computed_formula(reg, key, headers)
        if formula is None:
            continue
        inputs = schema.phasing_keys(key, reg.keys) if key != "variance" else ["forecast_total", "plan_total"]
        if not inputs or any(not reg.has(k) for k in inputs):
            continue
        columns = [lines[k].tolist() for k in inputs]      # plain lists: pandas access per cell is slow
        for i, row, value, *vals in zip(lines.index, rows, lines[key].tolist(), *columns):
            if any(v is None for v in vals):
                continue
            expected = sum(vals, Decimal(0)) if key != "variance" else vals[0] - vals[1]
            cell = reg.source.cell(key, row)
            if value is None:
                if cell not in money_invalid:
                    continue
            elif same(value, expected, dp):
                continue
            out.append(TypedOver(reg.source.sheet, cell, key, i, value, expected, formula))
    return out


def without_typed_over(reg: Register, over: list[TypedOver]) -> Register:
    """A copy of the register as it will be once the formulas are back: typed-over cells read as their
    formula's value (and their money-invalid findings dropped)."""
    import copy

    if not over:
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
    return out


def restored_findings(reg: Register, over: list[TypedOver]) -> list[Finding]:
    dp = reg.settings.precision
    out = []
    for t in over:
        header = schema.BY_KEY[t.key].header_for(reg.settings, reg.layout)
        shown = fmt(t.value, dp) if isinstance(t.value, Decimal) else "text or an error"
        out.append(Finding(WARNING, RESTORED_CODE,
                           f"{header} held a typed value ({shown}) instead of its formula; the formula is restored "
                           f"and gives {fmt(t.expected, dp)}. Change the phasing, not the total",
                           t.sheet, t.cell, reg.label(t.index), t.key))
    return out


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
    return SummaryGeometry(top + 1, chart + 1 if chart is not None else None)


def summary_group_rows(reg: Register, summary: calc.Summary) -> list[list]:
    """By committee (groups, then Settings committees with no lines), then Total: name, lines, Red, Amber,
    Green, No RAG line counts, Original Saving, Forecast Saving, Variance (register's unit and sign)."""
    def row(name, count, counts, totals):
        plan, fc = totals.get("plan_total"), totals.get("forecast_total")
        var = totals.get("variance")
        if var is None and plan is not None and fc is not None:
            var = fc - plan
        return [name, count, *(counts.get(r, 0) for r in RAG_COLUMNS), _f(plan) or 0.0, _f(fc) or 0.0,
                _f(var) or 0.0]

    out = [row(g.name, g.lines, g.rag_counts, g.totals) for g in summary.groups]
    have = {g.name for g in summary.groups}
    for c in reg.settings.committees:
        if c not in have:
            out.append(row(c, 0, {}, {}))
    out.append(row("Total", summary.lines, summary.rag_counts, summary.totals))
    return out


def summary_chart_rows(reg: Register) -> list[list]:
    """Planned and forecast saving (a saving as a positive amount) of the Red, Amber, Green and no-RAG lines:
    the Summary chart's data."""
    s = reg.settings
    eff = calc.effective(reg) if len(reg) else None
    out = []
    for rag in RAG_COLUMNS:
        plan = fc = Decimal(0)
        if eff is not None:
            rags = eff["rag"] if "rag" in eff else [None] * len(eff)
            for r, p, f in zip(rags, eff.get("plan_total", [None] * len(eff)),
                               eff.get("forecast_total", [None] * len(eff))):
                if (r if r in calc.RAG_ORDER else calc.NO_RAG) == rag:
                    plan += calc._num(p)
                    fc += calc._num(f)
        out.append([rag, float(calc.saving(plan, s)), float(calc.saving(fc, s))])
    return out


def summary_plan(reg: Register, summary: calc.Summary, stamp: str, summary_values=None) -> UpdatePlan:
    """The Summary sheet's blocks: the refreshed stamp (A3), the by-committee table and the chart data, in
    place. When there are more committees than rows before the chart data, rows are inserted above it
    (``insert_rows``) so the chart keeps pointing at its data."""
    sheet = schema.SHEET_NAMES["summary"]
    plan = UpdatePlan()
    n = summary.lines
    plan.blocks.append(Block(sheet, SUMMARY_STAMP_CELL, [[f"Last refreshed {stamp} from {n} line{'s' * (n != 1)}"]]))
    geo = summary_geometry(summary_values)
    if geo is None:
        geo = SummaryGeometry(SUMMARY_TABLE_ROW, None)
        heads = [schema.BY_KEY["committee"].header_for(reg.settings), "Lines", *RAG_COLUMNS,
                 *(schema.BY_KEY[k].header_for(reg.settings) for k in ("plan_total", "forecast_total", "variance"))]
        plan.blocks.append(Block(sheet, f"A{geo.table_header}", [heads]))
        plan.messages.append("the Summary sheet's layout was not recognised: its tables were written again from "
                             f"row {geo.table_header}")
    groups = summary_formula_rows(reg, summary, geo.table_header)
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
    chart = summary_chart_rows(reg)
    if chart_header is None:
        chart_header = geo.table_header + len(groups) + 3
        plan.blocks.append(Block(sheet, f"A{chart_header}", [[schema.BY_KEY["rag"].header_for(reg.settings),
                                                             *(schema.BY_KEY[k].header_for(reg.settings)
                                                               for k in ("plan_total", "forecast_total"))]]))
    plan.blocks.append(Block(sheet, f"A{chart_header + 1}", [
        [rag, *map(Formula, formulas.summary_chart_row(reg.settings, chart_header + 1 + k, chart_header, rag))]
        for k, (rag, *_values) in enumerate(chart)]))
    return plan


def summary_formula_rows(reg: Register, summary: calc.Summary, header_row: int) -> list[list]:
    """The by-committee rows and the Total row as live formulas (the same text the builder writes), so the
    Summary keeps working after a refresh when Python is absent."""
    names = [row[0] for row in summary_group_rows(reg, summary)][:-1]
    first = header_row + 1
    rows = [[name, *map(Formula, formulas.summary_group_row(reg.settings, first + i, header_row, name))]
            for i, name in enumerate(names)]
    total = first + len(names)
    rows.append(["Total", *map(Formula, formulas.summary_total_row(reg.settings, total, header_row, first, total - 1))])
    return rows


def column_block(reg: Register, key: str, values_by_index: dict) -> Block | None:
    """A block over one column of the register's body, one value per sheet row (None for rows that are not
    lines)."""
    rows = body_rows(reg)
    if rows is None or key not in reg.source.columns or reg.source.columns[key] < 0:
        return None
    first, last = rows
    col = reg.source.columns[key]
    out: list[list] = [[None] for _ in range(last - first + 1)]
    for i, v in values_by_index.items():
        r = int(reg.lines.at[i, "_row"])
        out[r - first] = [v]
    return Block(reg.source.sheet, f"{col_letter(col)}{first}", out)


def refresh_plan(reg: Register, findings, summary: calc.Summary, typed_over: list[TypedOver], *,
                 stamp: str | None = None, checks_used_rows: int = 0, checks_values=None,
                 summary_values=None) -> UpdatePlan:
    """Validate's plan with the restored formulas listed in Checks, plus the formulas to restore, the
    Suggested RAG column and the Summary block. ``reg``/``findings``/``summary`` should describe the register
    as it will be once the formulas are back (``without_typed_over``)."""
    restored = restored_findings(reg, typed_over)
    restored_cells = {t.cell for t in typed_over}
    kept = [f for f in findings if not (f.cell in restored_cells and f.code.endswith("-mismatch"))]
    plan = validate_plan(reg, [*restored, *kept], checks_used_rows=checks_used_rows, checks_values=checks_values)
    plan.restored_formulas = [(t.sheet, t.cell, t.formula) for t in typed_over]
    if reg.layout == "tracker" and reg.has("suggested_rag") and len(reg):
        rags = calc.suggested_rags(reg)
        block = column_block(reg, "suggested_rag", dict(rags.items()))
        if block:
            plan.blocks.append(block)
    stamp = stamp or dt.datetime.now().strftime("%d %b %Y %H:%M")
    sp = summary_plan(reg, summary, stamp, summary_values)
    plan.blocks.extend(sp.blocks)
    plan.insert_rows.extend(sp.insert_rows)
    extra = f"{len(typed_over)} formula{'s' * (len(typed_over) != 1)} restored" if typed_over else ""
    plan.messages[0] = f"Summary refreshed from {len(reg)} lines. " + counts_message([*restored, *kept], extra)
    plan.messages.extend(sp.messages)
    return plan


# ---- snapshot ------------------------------------------------------------------------------------------


def snapshot_plan(reg: Register, history_rows, period, taken_at, replace: bool = False, *,
                  history_top_left: str = "A1", history_sheet: str | None = None,
                  history_used_rows: int = 0) -> UpdatePlan:
    """Append this period's rows to the History table (header at ``history_top_left``; ``history_rows``: its
    body as read, blank rows allowed), set Direction (History and the register's Direction column) against
    the previous snapshot; refuse when ``period`` is already recorded, unless ``replace``."""
    sheet = history_sheet or schema.SHEET_NAMES["history"]
    plan = UpdatePlan()
    period = history._period(period)
    if not period:
        plan.refused = True
        plan.messages.append("No period to record: fill in 'period' on the Settings sheet (e.g. October 2017) "
                             "and take the snapshot again")
        return plan
    if not len(reg):
        plan.refused = True
        plan.messages.append("The register has no lines: nothing to record in History")
        return plan
    old = history.clean_rows(history_rows)
    exists = history.has_period(old, period)
    if exists and not replace:
        plan.refused = True
        plan.messages.append(f"History already holds a snapshot for {period}; nothing was recorded. To record "
                             f"it again, use 'Replace snapshot' (snapshot(replace=True)), or change 'period' on "
                             f"the Settings sheet")
        return plan
    rows = history.snapshot_rows(reg, period, taken_at)
    arrows = history.directions(reg, old, period)
    for row, arrow in zip(rows, arrows):
        row[history.COL["Direction"]] = arrow
    col, top = split_cell(history_top_left)
    first_body = top + 1
    width = len(history.HISTORY_HEADERS)
    if exists:
        want = period.casefold()
        kept = [r for r in old if history._period(r[history.COL["Period"]]).casefold() != want]
        # keep the snapshot in chronological place: where the replaced rows were
        pos = next(i for i, r in enumerate(old) if history._period(r[history.COL["Period"]]).casefold() == want)
        before = sum(1 for r in old[:pos] if history._period(r[history.COL["Period"]]).casefold() != want)
        body = [*kept[:before], *rows, *kept[before:]]
        body = [[_cell_value(v) for v in r] for r in body]
        plan.blocks.append(Block(sheet, f"{col_letter(col)}{first_body}", body,
                                 max(history_used_rows, first_body + len(old) - 1) or None))
        last = first_body + len(body) - 1
    else:
        start = first_body + len(old)
        plan.blocks.append(Block(sheet, f"{col_letter(col)}{start}", [[_cell_value(v) for v in r] for r in rows]))
        last = start + len(rows) - 1
    plan.resize_tables.append((sheet, HISTORY_TABLE,
                               f"{col_letter(col)}{top}:{col_letter(col + width - 1)}{last}"))
    block = column_block(reg, "direction", dict(zip(reg.lines.index, arrows)))
    if block:
        plan.blocks.append(block)
    ups, downs = arrows.count(history.UP), arrows.count(history.DOWN)
    prev = history.previous_period(old, period)
    versus = f" against {prev}" if prev else " (no earlier snapshot: every line ↔)"
    plan.messages.append(f"{'Replaced' if exists else 'Recorded'} the {period} snapshot of {len(rows)} lines in "
                         f"History{versus}: {ups} improving, {downs} worsening, "
                         f"{len(arrows) - ups - downs} unchanged")
    return plan


def _cell_value(v):
    if isinstance(v, Decimal):
        return float(v)
    return v
