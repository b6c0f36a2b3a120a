"""Build ``Savings_Tracker.xlsm`` from a register, with XlsxWriter, reproducibly.

Everything the workbook shows about a register's columns comes from ``schema``: headers
(``Column.header_for``), kinds, allowed values, input messages, widths, money formats and the parts of each
computed column. Sheet and table names come from ``schema.SHEET_NAMES`` / ``schema.TABLE_NAMES``.

Formulas are written in the fully qualified structured-reference form that both Excel and LibreOffice
evaluate (``SUM(Savings[[#This Row],[A]:[B]])``, ``SUBTOTAL(109,Savings[A])``), each with the value the Python
core computes cached, so readers that do not recalculate (calamine, openpyxl ``data_only``) see the right
numbers.

Reproducible: a fixed creation date, no timestamps, no random ids; the same inputs give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from .. import cells
from ..core import calc, schema
from ..core.money import total as money_total
from ..core.register import Finding, Register, Source, empty_lines
from ..core.settings import Settings
from ..core.table import Table
from .cellformats import label_format, number_format, text_lines
from ..plans.formulas import (column_formula, rag_columns, sref, summary_chart_row, summary_group_row,
                              summary_total_row)

S = schema.SHEET_NAMES
TRACKER, OPTIONS = "tracker", "options"
HISTORY_TABLE = "History"
HISTORY_MONEY = ("Plan total", "Forecast total", "Variance")
#: Checks sheet columns: the fields of ``Finding.as_dict`` in order.
CHECK_KEYS = tuple(Finding("", "", "").as_dict())
#: (VBA Sub in SavingsTracker.bas, button caption); the buttons on Tracker and Summary.
BUTTONS = (
    ("ValidateEntries", "Validate"),
    ("RefreshSummary", "Refresh RAG summary"),
    ("TakeSnapshot", "Take snapshot"),
    ("GenerateAppendix", "Generate appendix"),
    ("CollectReturns", "Collect returns"),
)
#: VBA code names of the sheets, in sheet order (the VBA project's document modules).
CODE_NAMES = {
    "tracker": "wsTracker", "summary": "wsSummary", "checks": "wsChecks", "history": "wsHistory",
    "options": "wsOptions", "settings": "wsSettings", "conf": "wsXlwingsConf", "start": "wsStart",
}
SHEET_ORDER = ("start", "tracker", "summary", "checks", "history", "options", "settings", "conf")
BUILT_STAMP = "when the workbook was built"     # Summary A3 says "Last refreshed when the workbook was built ..."
#: The Summary's by-RAG table and chart: a figure of its own, named as such (README: "One definition per figure").
RAG_TABLE_TITLE = "Planned and forecast saving by the line's RAG"
#: Defined names other code (savings_tracker.excel.buttons) can rely on.
NAME_COMMITTEES = "CommitteeList"
NAME_LAST_REFRESHED = "LastRefreshed"
NOT_REFRESHED = "Not yet refreshed: click Refresh RAG summary."
DEFAULT_CREATED = dt.datetime(2000, 1, 1)

# RAG fills with dark text of the same hue: the word stays readable (WCAG contrast >= 4.5:1, tested).
RAG_COLOURS = {
    "Red": ("#FFC7CE", "#8B0000"),
    "Amber": ("#FFEB9C", "#6B3E00"),
    "Green": ("#C6EFCE", "#005A00"),
    "Blue": ("#DDEBF7", "#1F3864"),      # BRAG: delivered
}
HEADER_COLOURS = ("#1F4E79", "#FFFFFF")
TITLE_ROWS = 4          # organisation, title, as at, unit
HEADER_ROW = 5          # 0-based row of the Tracker table's header (Excel row 6)
COMMITTEE_COLUMN = 4    # Settings!E: the committee dropdown list
COMMITTEE_ROWS = 200    # rows of Settings!E the dropdown looks at


# ---- small helpers ---------------------------------------------------------------------------------------
def _num(value):
    """A Decimal as the int or float XlsxWriter writes (ints stay ints so the XML has no '.0')."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")    # not allowed in XML (a dropdown's prompt)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def wcag_contrast(fg: str, bg: str) -> float:
    def lum(hexcolour: str) -> float:
        rgb = [int(hexcolour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    a, b = sorted((lum(fg), lum(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def blank_register(layout: str = TRACKER, settings: Settings | None = None, years: int = 0) -> Register:
    settings = replace(settings) if settings is not None else Settings(layout=layout)
    settings.layout = layout
    settings.published_totals = {}
    settings.source = ""
    return Register(layout, empty_lines(layout, years), settings, Source())


class _Formats:
    def __init__(self, wb, settings: Settings, options_settings: Settings):
        base = {"font_name": "Arial", "font_size": 10, "valign": "top"}
        self.wb = wb
        self.base = base
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.subtitle = wb.add_format({**base, "bold": True, "font_size": 12})
        self.note = wb.add_format({**base, "italic": True, "font_color": "#404040"})
        self.text = wb.add_format({**base, "text_wrap": True})
        # a register's text cells, indented: text never abuts the right-aligned figures of the column before it
        self.cell_text = wb.add_format({**base, "text_wrap": True, "align": "left", "indent": 1})
        self.plain = wb.add_format(base)
        self.bold = wb.add_format({**base, "bold": True})
        self.centre = wb.add_format({**base, "align": "center"})
        self.header = wb.add_format({**base, "bold": True, "text_wrap": True, "bg_color": HEADER_COLOURS[0],
                                     "font_color": HEADER_COLOURS[1], "border": 1, "border_color": "#FFFFFF"})
        # a register table's header, indented as its text cells are
        self.table_header = wb.add_format({**base, "bold": True, "text_wrap": True, "bg_color": HEADER_COLOURS[0],
                                           "font_color": HEADER_COLOURS[1], "border": 1, "border_color": "#FFFFFF",
                                           "align": "left", "indent": 1})
        self.total_label = wb.add_format({**base, "bold": True, "top": 1, "bottom": 6})
        self._money = {}
        self.units = {"tracker": settings, "options": options_settings}
        self.count = wb.add_format({**base, "num_format": "#,##0"})
        self.count_total = wb.add_format({**base, "num_format": "#,##0", "bold": True, "top": 1, "bottom": 6})
        self.rag = {r: wb.add_format({**base, "bold": True, "bg_color": bg, "font_color": fg, "align": "center"})
                    for r, (bg, fg) in RAG_COLOURS.items()}
        self.rag_cf = {r: wb.add_format({"bg_color": bg, "font_color": fg, "bold": True})
                       for r, (bg, fg) in RAG_COLOURS.items()}

    def money(self, settings: Settings, kind=schema.MONEY, total=False):
        fmt = number_format(settings, kind)
        key = (fmt, total)
        if key not in self._money:
            extra = {"bold": True, "top": 1, "bottom": 6} if total else {}
            self._money[key] = self.wb.add_format({**self.base, "num_format": fmt, **extra})
        return self._money[key]


# ---- the register tables (Tracker, Options) ----------------------------------------------------------------
_column_formula = column_formula
QUARTERS = {k: "plan" for k in ("plan_q1", "plan_q2", "plan_q3", "plan_q4")} | \
    {k: "forecast" for k in ("forecast_q1", "forecast_q2", "forecast_q3", "forecast_q4")}


def table_columns(reg: Register) -> list[schema.Column]:
    """The Savings table's columns for a register: every schema column it has (a column of another layout
    included, in schema order), the product's tracker columns it can fill (a computed column only where its
    parts exist, so a total with no phasing stays the figure the council entered) and nothing it lacks: no
    blank quarters under a typed total, no optional column the council does not keep."""
    have = set(reg.keys)
    out = []
    for c in schema.COLUMNS:
        if c.key in have:
            out.append(c)
        elif TRACKER not in c.layouts or c.optional or c.year:
            continue
        elif c.key in QUARTERS:
            if any(k in have for k, fam in QUARTERS.items() if fam == QUARTERS[c.key]):
                out.append(c)       # a quarter left blank beside quarters the council fills
        elif c.role == schema.COMPUTED:
            keys = [x.key for x in out]
            if c.key == "suggested_rag":
                if {"plan_total", "forecast_total"} <= set(keys):
                    out.append(c)
            elif c.key == "variance":
                continue            # only where the council keeps one: its figures are the register's
            elif schema.phasing_keys(c.key, have):
                out.append(c)
    if have & schema.IN_YEAR_KEYS:    # an in-year tracker: its MTFS years after the in-year figures
        years = [c for c in out if c.year and c.key.startswith("plan_y")]
        rest = [c for c in out if c not in years]
        at = max((j for j, c in enumerate(rest) if c.key in ("plan_total", "forecast_total", "variance")),
                 default=len(rest) - 1) + 1
        out = rest[:at] + years + rest[at:]
    return out


def _unique(header: str, taken: set[str]) -> str:
    """An Excel Table needs unique headers: a council's extra column that repeats one gets ' (2)'."""
    name, n = header or "Column", 2
    while name.lower() in taken:
        name = f"{header} ({n})"
        n += 1
    taken.add(name.lower())
    return name


def _register_table(ws, fm: _Formats, reg: Register, layout: str, first_row: int, *, with_suggested=True,
                    imported: bool = False):
    """Write ``reg`` as an Excel Table with a totals row at ``first_row`` (header). Returns table geometry."""
    settings = reg.settings
    years = reg.years if layout != TRACKER else 0
    if layout == OPTIONS and not years:
        years = len(settings.years) or 3
    # the product's own tracker has the lifecycle columns for a council to fill in (an import: where it keeps them)
    cols = table_columns(reg) if imported else schema.columns_for(layout, years, extras=layout == TRACKER)
    if not with_suggested:
        cols = [c for c in cols if c.key != "suggested_rag"]
    table = schema.TABLE_NAMES[layout]
    headers = {c.key: c.header_for(settings, layout) for c in cols}
    taken = {h.lower() for h in headers.values()}
    extras = {k: _unique(h, taken) for k, h in reg.extras.items()} if layout == TRACKER else {}
    order = [c.key for c in cols]
    calc_frame = calc.derived(reg) if len(reg) else Table()
    eff = calc.effective(reg, calc_frame) if len(reg) else reg.lines
    suggested = calc.suggested_rags(reg, eff) if (len(reg) and layout == TRACKER) else None
    n = max(len(reg), 1)                       # an Excel Table needs a data row; a blank register gets an empty one
    last_row = first_row + n + 1               # totals row
    totals = calc.column_totals(eff, [c.key for c in cols if c.kind in (schema.MONEY, schema.NUMBER)]) if len(reg) else {}
    formulas = {c.key: _column_formula(c, table, headers, order) for c in cols}
    columns = []
    for i, c in enumerate(cols):
        spec = {"header": headers[c.key], "header_format": fm.table_header}
        if c.kind in (schema.MONEY, schema.NUMBER):
            spec["format"] = fm.money(settings, c.kind)
            spec["total_function"] = f"SUBTOTAL(109,{sref(table, headers[c.key])})"
            spec["total_value"] = _num(totals.get(c.key, Decimal(0)))
        elif i == 0:
            spec["total_string"] = "Total"
        if formulas[c.key]:
            spec["formula"] = formulas[c.key]
        columns.append(spec)
    for key, header in extras.items():             # the council's own columns, carried as they are
        columns.append({"header": header, "header_format": fm.table_header})
    ws.add_table(first_row, 0, last_row, len(cols) + len(extras) - 1, {
        "name": table, "columns": columns, "total_row": True, "style": "Table Style Light 1",
        "banded_rows": False})
    # the cells: the table wrote header, formulas (value 0) and totals; now data with cached values. Columns
    # are taken out of the tables once: a lookup per cell costs more than writing it.
    def column(frame, key):
        return frame[key].tolist() if len(reg) and key in frame else None

    effs = {c.key: column(eff, c.key) for c in cols}
    calcs = {c.key: column(calc_frame, c.key) for c in cols}
    typeds = {c.key: column(reg.lines, c.key) for c in cols} if imported else {}
    extra_values = {key: column(eff, key) for key in extras}
    sheet_rows = column(reg.lines, "_row") or []
    suggested_list = suggested.tolist() if suggested is not None else None
    for r in range(n):
        row = first_row + 1 + r
        for ci, c in enumerate(cols):
            key = c.key
            if c.kind in (schema.MONEY, schema.NUMBER):
                fmt = fm.money(settings, c.kind)
                formula = formulas[key]
                typed = typeds[key][r] if formula and typeds.get(key) is not None else None
                derived = calcs[key][r] if calcs[key] is not None else None
                if formula and isinstance(typed, Decimal) and calcs[key] is not None and typed != derived:
                    ws.write_number(row, ci, _num(typed), fmt)   # the council's figure, not its phasing's sum:
                    #                                              kept as entered, and Checks says they differ
                elif formula:
                    value = _num(derived) if calcs[key] is not None else \
                        (_num(effs[key][r]) if effs[key] is not None else "")
                    ws.write_formula(row, ci, formula, fmt, "" if value is None else value)
                else:
                    value = _num(effs[key][r]) if effs[key] is not None else None
                    shown = reg.raw.get((sheet_rows[r], key)) if value is None and sheet_rows else None
                    if value == 0 and sheet_rows and (sheet_rows[r], key) in reg.blanks:
                        value = None                                 # left blank by the council: stays blank
                    if value is None and shown:
                        ws.write_string(row, ci, shown, fm.text)    # 'TBC' stays as typed (Checks flags it)
                    elif value is None:
                        ws.write_blank(row, ci, None, fmt)
                    else:
                        ws.write_number(row, ci, value, fmt)
            else:
                if key == "suggested_rag":
                    value = suggested_list[r] if suggested_list is not None else ""
                else:
                    value = _text(effs[key][r]) if effs[key] is not None else ""
                fmt = fm.centre if c.kind == schema.CHOICE else fm.cell_text
                if value:
                    ws.write_string(row, ci, value, fmt)
                else:
                    ws.write_blank(row, ci, None, fmt)
        for ej, key in enumerate(extras):
            _write_extra(ws, row, len(cols) + ej, extra_values[key][r] if extra_values[key] is not None else None, fm)
    ws.write_string(last_row, 0, "Total", fm.total_label)
    for ci, c in enumerate(cols):          # the totals row again, in bold with a rule above
        spec = columns[ci]
        if "total_function" in spec:
            ws.write_formula(last_row, ci, "=" + spec["total_function"], fm.money(settings, c.kind, total=True),
                             spec["total_value"])
        elif ci:
            ws.write_blank(last_row, ci, None, fm.total_label)
    for ci, c in enumerate(cols):   # the lifecycle columns grouped: one click folds them away to read or print
        ws.set_column(ci, ci, c.width, None, {"level": 1} if c.extra else {})
    for ej, key in enumerate(extras):
        ws.write_blank(last_row, len(cols) + ej, None, fm.total_label)
        ws.set_column(len(cols) + ej, len(cols) + ej, 16, None)
    return {"cols": cols, "headers": headers, "first_data": first_row + 1, "last_data": first_row + n,
            "totals_row": last_row, "table": table, "eff": eff, "suggested": suggested, "extras": extras}


def _own_header_notes(ws, geo: dict, settings: Settings) -> None:
    """A council's own header (an imported tracker) says, in a note on its cell, which of the product's columns
    it is read as, and how to rename it without the product misreading it."""
    if not settings.column_map:
        return
    for ci, c in enumerate(geo["cols"]):
        own, product = geo["headers"][c.key], c.header_for(settings, TRACKER, own=False)
        if own != product:
            ws.write_comment(HEADER_ROW, ci, f"Savings Tracker reads this column as {product} ({c.key}). "
                             f"To rename it, change its header here and in column_map on the Settings sheet.",
                             {"x_scale": 2, "y_scale": 1.2, "author": "Savings Tracker"})


def _write_extra(ws, row: int, col: int, value, fm) -> None:
    """A value of a column the product does not know, as the council's file held it."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        ws.write_blank(row, col, None, fm.cell_text)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fm.plain)
    elif isinstance(value, (int, float, Decimal)):
        ws.write_number(row, col, _num(Decimal(str(value))) if isinstance(value, Decimal) else value, fm.plain)
    elif isinstance(value, (dt.datetime, dt.date)):
        ws.write_string(row, col, value.isoformat(), fm.cell_text)
    else:
        ws.write_string(row, col, str(value), fm.cell_text)


LINE_POINTS = 12.75     # one line of 10pt Arial
MAX_ROW_POINTS = 409    # Excel's tallest row


def _fit_rows(ws, geo: dict):
    """Set each data row to the height its wrapped text needs: neither Excel nor LibreOffice refits rows of a
    file it opens, and a fixed height would hide text."""
    eff, cols = geo["eff"], geo["cols"]
    texts = [(eff[c.key].tolist(), c.width) for c in cols if c.kind == schema.TEXT and c.key in eff]
    for r in range(len(eff)):
        lines = 1
        for values, width in texts:
            value = values[r]
            if isinstance(value, str) and value:
                lines = max(lines, text_lines(value, width - 1.5))     # less the indent
        ws.set_row(geo["first_data"] + r, min(MAX_ROW_POINTS, lines * LINE_POINTS + 3))


def _validations(ws, fm: _Formats, geo: dict, settings: Settings, layout: str):
    r1, r2 = geo["first_data"], geo["last_data"]
    for ci, c in enumerate(geo["cols"]):
        header = geo["headers"][c.key]
        common = {"input_title": header[:32], "input_message": (c.help or header)[:255],
                  "ignore_blank": True, "show_error": True}
        if c.role == schema.COMPUTED:
            continue                      # a formula, or set by Python: nothing to type
        if c.kind == schema.MONEY:
            ws.data_validation(r1, ci, r2, ci, {
                **common, "validate": "decimal", "criteria": "between", "minimum": -999_999_999_999,
                "maximum": 999_999_999_999, "error_type": "stop", "error_title": "Not an amount",
                "error_message": (f"{header}: enter a number in {settings.unit}, e.g. -120 for a saving of 120 "
                                  f"(savings are stored {settings.sign}); leave blank for nil.")[:255]})
        elif c.kind == schema.NUMBER:
            ws.data_validation(r1, ci, r2, ci, {
                **common, "validate": "decimal", "criteria": "between", "minimum": -999_999_999,
                "maximum": 999_999_999, "error_title": "Not a number",
                "error_message": f"{header}: enter a number such as -2.5; leave blank for none."[:255]})
        elif c.kind == schema.CHOICE and c.allowed:
            allowed = list(c.choices.values if c.choices is schema.RAG and _uses_blue(geo) else c.allowed)
            ws.data_validation(r1, ci, r2, ci, {
                **common, "validate": "list", "source": allowed, "error_title": "Choose from the list",
                "error_message": f"{header}: choose one of {', '.join(allowed)}."[:255]})
        elif c.key == "committee":
            ws.data_validation(r1, ci, r2, ci, {
                **common, "validate": "list", "source": f"={NAME_COMMITTEES}", "error_type": "warning",
                "error_title": "Committee not in the list",
                "error_message": (f"{header}: choose a committee from the list on the {S['settings']} sheet "
                                  f"(column {cells.letters(COMMITTEE_COLUMN + 1)}); an administrator can add names "
                                  f"there.")[:255]})


def _uses_blue(geo: dict) -> bool:
    eff = geo["eff"]
    return "rag" in eff and any(v == schema.BLUE for v in eff["rag"].tolist())


def _rag_formats(ws, fm: _Formats, geo: dict):
    r1, r2 = geo["first_data"], geo["last_data"]
    for ci, c in enumerate(geo["cols"]):
        if c.choices not in (schema.RAG, schema.ORIGINAL_RAG):   # the RAG now and at budget setting, alike
            continue
        blue = c.choices is schema.RAG and _uses_blue(geo)
        for rag in (*schema.RAG_VALUES, *([schema.BLUE] if blue else [])):
            ws.conditional_format(r1, ci, r2, ci, {"type": "cell", "criteria": "==", "value": f'"{rag}"',
                                                   "format": fm.rag_cf[rag]})


def _buttons(ws, row: int, col: int, x0: int = 0):
    x = x0
    for macro, caption in BUTTONS:
        width = 62 + 7 * len(caption)
        ws.insert_button(row, col, {"macro": macro, "caption": caption, "width": width, "height": 28,
                                    "x_offset": x, "y_offset": 4, "object_position": 3})
        x += width + 8


def _lite_buttons(wb, ws, fm) -> list:
    """Where xlwings Lite's sheet buttons go, under the VBA ones (``workbook.lite`` draws them after the build:
    XlsxWriter cannot name a shape), each two columns wide over the cell it links to; and the cell for Lite's
    messages (defined name ``LiteMessage``)."""
    from .. import cells
    from ..excel.names import LITE_BUTTON_CELLS, LITE_BUTTONS, LITE_MESSAGE_CELL, LITE_MESSAGE_NAME
    from .lite import LiteButton

    out = []
    for script, shape, caption in LITE_BUTTONS:
        row, col = cells.cell(LITE_BUTTON_CELLS[script])      # from 1; XlsxWriter counts from 0
        width = ws._size_col(col - 1) + ws._size_col(col) - 8   # pixels of the two columns it covers
        out.append(LiteButton(shape, caption, LITE_BUTTON_CELLS[script], row - 1, col - 1, width, 26))
    row, col = cells.cell(LITE_MESSAGE_CELL)
    ws.write_string(row - 1, col - 1, LITE_START, fm.note)
    wb.define_name(LITE_MESSAGE_NAME, f"='{S['tracker']}'!${LITE_MESSAGE_CELL[0]}${LITE_MESSAGE_CELL[1:]}")
    return out


# ---- sheets --------------------------------------------------------------------------------------------
def _tracker(wb, fm, reg: Register, imported: bool = False):
    s = reg.settings
    ws = wb.add_worksheet(S["tracker"])
    ws.set_vba_name(CODE_NAMES["tracker"])
    ws.write_string(0, 0, s.organisation, fm.title)
    ws.write_string(1, 0, s.title, fm.subtitle)
    ws.write_string(2, 0, f"as at {s.period}" if s.period else "", fm.bold)
    sign = "savings shown as negative amounts" if s.sign == "negative" else "savings shown as positive amounts"
    ws.write_string(3, 0, f"All amounts in {s.unit}; {sign}.", fm.note)
    for r in range(TITLE_ROWS):
        ws.set_row(r, 20)
    geo = _register_table(ws, fm, reg, TRACKER, HEADER_ROW, imported=imported)
    _own_header_notes(ws, geo, s)
    ws.set_row(HEADER_ROW, 54)
    _fit_rows(ws, geo)
    _validations(ws, fm, geo, s, TRACKER)
    _rag_formats(ws, fm, geo)
    ws.freeze_panes(HEADER_ROW + 1, 2)
    ws.set_landscape()
    ws.set_paper(8)                        # A3
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER_ROW)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&L&8&A&C&8Page &P of &N&R&8&F")
    # buttons in the title band, right of the title text: never over the table
    _buttons(ws, 0, 3, 0)
    geo["lite_buttons"] = _lite_buttons(wb, ws, fm)
    return geo


def _summary(wb, fm, reg: Register, geo: dict):
    s = reg.settings
    ws = wb.add_worksheet(S["summary"])
    ws.set_vba_name(CODE_NAMES["summary"])
    ws.write_string(0, 0, f"{s.title} - RAG summary" if s.title else "RAG summary", fm.title)
    ws.write_string(1, 0, " ".join(p for p in (s.organisation, s.period_label) if p), fm.bold)
    ws.write_string(2, 0, NOT_REFRESHED, fm.note)
    wb.define_name(NAME_LAST_REFRESHED, f"='{S['summary']}'!$A$3")
    blue = calc.uses_blue(reg)
    top = 4
    names, tr = _summary_groups(ws, fm, reg, geo, top, blue)
    # one sign rule for every table and the chart, stated under each (column A of this row stays blank: the
    # committee table ends at the first blank name)
    ws.write_string(tr + 1, 1, s.sign_note(), fm.note)
    rt = tr + 3
    cats = _summary_chart(wb, ws, fm, reg, geo, rt, blue)
    _summary_lifecycle(ws, fm, reg, geo, rt + len(cats) + 3)
    # RAG legend
    lg = rt + len(cats) + 3 + 14
    ws.write_string(lg, 0, "RAG definitions", fm.subtitle)
    for k, rag in enumerate(schema.RAG_VALUES):
        ws.write_string(lg + 1 + k, 0, rag, fm.rag[rag])
        ws.write_string(lg + 1 + k, 1, s.rag_definitions.get(rag, ""), fm.plain)
    if blue:
        ws.write_string(lg + 4, 0, schema.BLUE, fm.rag[schema.BLUE])
        ws.write_string(lg + 4, 1, "Delivered: the saving has been made (BRAG).", fm.plain)
    ws.write_string(lg + 5 + blue, 0, f"Suggested RAG: Green when the forecast delivers at least "
                                      f"{s.green_at * 100:.0f}% of the plan, Amber from {s.amber_at * 100:.0f}%, Red "
                                      f"below (thresholds on the {S['settings']} sheet).", fm.note)
    widths = [26, 8, 8, 8, 8, *([8] if blue else []), 8, 13, 13, 13]
    for ci, w in enumerate(widths):
        ws.set_column(ci, ci, w)
    ws.freeze_panes(top + 1, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    _buttons(ws, 0, len(widths), 10)
    _appendix_choice(wb, ws, fm, names, len(widths) + 1)
    return {"top": top, "total_row": tr, "rag_table": rt}


def _summary_groups(ws, fm, reg: Register, geo: dict, top: int, blue: bool) -> tuple[list[str], int]:
    """The by-committee (or other grouping) table with its Total row, live formulas with their values.
    Returns the group names and the Total row (0-based)."""
    from ..plans.summary import summary_group_rows

    s = reg.settings
    present = [c.key for c in geo["cols"]]
    group = calc.default_group(reg) if len(reg) else "committee"
    H = {k: schema.BY_KEY[k].header_for(s, TRACKER) for k in ("committee", "plan_total", "forecast_total",
                                                              "variance")}
    if group in present:
        H["committee"] = schema.BY_KEY[group].header_for(s, TRACKER)
    cats = rag_columns(blue)
    heads = [H["committee"], "Lines", *cats, H["plan_total"], H["forecast_total"], H["variance"]]
    for ci, h in enumerate(heads):
        ws.write_string(top, ci, h, fm.header)
    ws.set_row(top, 42)
    summary = calc.summarise(reg) if len(reg) else calc.summarise(reg, group)
    if group not in present:
        summary.groups = []
    values = summary_group_rows(reg, summary, blue)      # name, lines, counts..., plan, forecast, variance
    names = [row[0] for row in values[:-1]]
    counted = 1 + len(cats)                              # lines and the RAG counts
    for ri, row in enumerate(values[:-1]):
        r = top + 1 + ri
        ws.write_string(r, 0, row[0], fm.plain)
        for k, (formula, value) in enumerate(zip(summary_group_row(s, r + 1, top + 1, row[0], present, group, blue),
                                                 row[1:])):
            ws.write_formula(r, 1 + k, formula, fm.count if k < counted else fm.money(s), value)
    tr = top + 1 + len(names)
    ws.write_string(tr, 0, "Total", fm.total_label)
    first, last = top + 2, tr
    for k, (formula, value) in enumerate(zip(summary_total_row(s, tr + 1, top + 1, first, last, present, group, blue),
                                             values[-1][1:])):
        ws.write_formula(tr, 1 + k, formula, fm.count_total if k < counted else fm.money(s, total=True), value)
    return names, tr


def _summary_chart(wb, ws, fm, reg: Register, geo: dict, rt: int, blue: bool) -> list[str]:
    """Planned and forecast saving by the line's RAG (signs as display_sign says): its table at row ``rt``
    (0-based header) and the column chart beside it. Returns the categories."""
    from ..plans.summary import summary_chart_rows

    s = reg.settings
    present = [c.key for c in geo["cols"]]
    H = {k: schema.BY_KEY[k].header_for(s, TRACKER) for k in ("rag", "plan_total", "forecast_total")}
    rows = summary_chart_rows(reg, blue)
    cats = [row[0] for row in rows]
    ws.write_string(rt - 1, 0, f"{RAG_TABLE_TITLE}, {s.unit}", fm.subtitle)
    ws.write_string(rt + len(cats) + 1, 0, s.sign_note(), fm.note)
    for ci, h in enumerate((H["rag"], H["plan_total"], H["forecast_total"])):
        ws.write_string(rt, ci, h, fm.header)
    ws.set_row(rt, 30)
    for k, (rag, *values) in enumerate(rows):
        r = rt + 1 + k
        ws.write_string(r, 0, rag, fm.rag.get(rag, fm.plain))
        for j, formula in enumerate(summary_chart_row(s, r + 1, rt + 1, rag, present, blue)):
            ws.write_formula(r, 1 + j, formula, fm.money(s), _num(Decimal(str(values[j]))))
    chart = wb.add_chart({"type": "column"})
    for j, key in enumerate(("plan_total", "forecast_total")):
        chart.add_series({
            "name": [S["summary"], rt, 1 + j],
            "categories": [S["summary"], rt + 1, 0, rt + len(cats), 0],
            "values": [S["summary"], rt + 1, 1 + j, rt + len(cats), 1 + j],
            "fill": {"color": "#7F7F7F" if j == 0 else HEADER_COLOURS[0]},
            # nil bars get no label (the zero section is empty): a "-" on a nil bar sat above the plot, away
            # from any bar; each label at the end of its bar, small enough not to run into its neighbour's
            "data_labels": {"value": True, "num_format": label_format(s), "position": "outside_end",
                            "font": {"size": 8}},
            "gap": 60,
        })
    title = f"{RAG_TABLE_TITLE} ({s.unit})"
    chart.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
    negative = s.display_factor * s.saving_sign < 0
    chart.set_y_axis({"name": f"Saving {s.unit}" + (" (savings negative)" if negative else ""),
                      "num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"name": H["rag"], "label_position": "low"})   # below the bars when savings are negative
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 620, "height": 330})
    named = ", ".join(cats[:-1]) + f" and no-RAG lines"
    ws.insert_chart(rt - 1, 4, chart, {
        "x_offset": 20, "y_offset": 0, "object_position": 1,
        "description": (f"{title}: column chart comparing the planned and forecast saving of the {named}; the "
                        f"figures are in the table to its left.")})
    return cats


def _summary_lifecycle(ws, fm, reg: Register, geo: dict, row: int) -> None:
    """Where the savings stand (delivered, at risk, slipped, written off, replaced) from row ``row`` (0-based),
    as ``plans.summary.lifecycle_rows`` gives it, where the register has lifecycle columns."""
    from ..plans.summary import lifecycle_rows

    rows = lifecycle_rows(reg, [c.key for c in geo["cols"]])
    for k, cells_ in enumerate(rows):
        r = row + k
        label, value = cells_
        if k == 0:
            ws.write_string(r, 0, label, fm.subtitle)
        elif k == 1:
            ws.write_string(r, 0, label, fm.header)
            ws.write_string(r, 1, value, fm.header)
            ws.set_row(r, 18)
        elif k == len(rows) - 1:
            ws.write_string(r, 0, label, fm.note)
        else:
            ws.write_string(r, 0, label, fm.plain)
            ws.write_formula(r, 1, str(value), fm.money(reg.settings), _num(Decimal(str(value.result))))


APPENDIX_CHOICES = (  # (defined name read by xl.appendix, label, default, allowed values)
    ("AppendixTemplate", "Appendix", "tracker", ("tracker", "rag-analysis", "options")),
    ("AppendixFormat", "Format", "pdf", ("pdf", "docx", "html")),
    ("AppendixCommittee", "Committee", "(all)", None),
)


def _appendix_choice(wb, ws, fm, committees: list[str], col: int = 10):
    """What the Generate appendix button writes: three cells under the buttons, each a dropdown (from column
    ``col``, 0-based: one empty column after the summary table)."""
    row = 2
    ws.write_string(row - 1, col, "Generate appendix:", fm.bold)
    for k, (name, label, default, allowed) in enumerate(APPENDIX_CHOICES):
        r = row + k
        ws.write_string(r, col, label, fm.plain)
        ws.write_string(r, col + 1, default, fm.plain)
        source = list(allowed) if allowed else ["(all)", *(_CONTROL.sub("", c) for c in committees)][:40]
        if sum(len(v) + 1 for v in source) < 250:  # Excel's limit for an inline list
            ws.data_validation(r, col + 1, r, col + 1, {
                "validate": "list", "source": source, "input_title": label[:32],
                "input_message": f"Choose what the Generate appendix button writes: {', '.join(source)}"[:255]})
        wb.define_name(name, f"='{S['summary']}'!${cells.letters(col + 2)}${r + 1}")
    ws.set_column(col + 1, col + 1, 16)


def _checks(wb, fm, findings: list[Finding], links: bool = False):
    """The Checks sheet; ``links``: a 'Go to' column with a link to each finding's cell in this workbook (the
    column Refresh writes)."""
    from ..plans.model import CHECKS_HEADERS, CHECKS_TABLE, hyperlink

    ws = wb.add_worksheet(S["checks"])
    ws.set_vba_name(CODE_NAMES["checks"])
    # Severity .. Message, then "Go to" (the link; refresh_built rewrites the rows with the workbook's own cells).
    # A table, so its filter follows the findings on every path: xlwings resizes a table in Excel and Lite
    # but cannot move a sheet's AutoFilter. No table style: the sheet looks as the cells' own formats say.
    ws.add_table(0, 0, max(len(findings), 1), len(CHECKS_HEADERS) - 1, {
        "name": CHECKS_TABLE, "style": None, "columns": [{"header": h, "header_format": fm.header}
                                                          for h in CHECKS_HEADERS]})
    own = set(S.values())
    for ri, f in enumerate(findings, start=1):
        for ci, key in enumerate(CHECK_KEYS):
            ws.write_string(ri, ci, _text(f.as_dict()[key]), fm.plain)
        link = hyperlink(f.sheet, f.cell) if links and f.sheet in own else None
        if link:
            ws.write_formula(ri, len(CHECK_KEYS), str(link), fm.plain, f"{f.sheet}!{f.cell}")
        else:
            ws.write_blank(ri, len(CHECK_KEYS), None, fm.plain)
    for ci, w in enumerate((10, 12, 8, 14, 18, 120, 14)):
        ws.set_column(ci, ci, w, fm.plain)
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def _history(wb, fm, settings: Settings, history):
    """The History table (columns ``history.HISTORY_HEADERS``); ``history`` is rows in that order (as
    ``history.snapshot_rows`` makes them) or mappings keyed by header."""
    from ..core.history import HISTORY_HEADERS, clean_rows

    ws = wb.add_worksheet(S["history"])
    ws.set_vba_name(CODE_NAMES["history"])
    rows = clean_rows([[r.get(h) for h in HISTORY_HEADERS] if isinstance(r, dict) else r for r in
                       (history.records() if isinstance(history, Table) else history or [])])
    n = max(len(rows), 1)
    money = fm.money(settings)
    when = wb.add_format({**fm.base, "num_format": "yyyy-mm-dd hh:mm"})
    cols = [{"header": h, "header_format": fm.header, **({"format": money} if h in HISTORY_MONEY else {})}
            for h in HISTORY_HEADERS]
    ws.add_table(0, 0, n, len(HISTORY_HEADERS) - 1, {"name": HISTORY_TABLE, "columns": cols,
                                                     "style": "Table Style Light 1"})
    for ri, row in enumerate(rows, start=1):
        for ci, (h, v) in enumerate(zip(HISTORY_HEADERS, row)):
            if v is None or v == "":
                continue
            if h in HISTORY_MONEY and isinstance(v, (int, float, Decimal)):
                ws.write_number(ri, ci, _num(Decimal(str(v))), money)
            elif isinstance(v, (dt.datetime, dt.date)):
                ws.write_datetime(ri, ci, v, when)
            else:
                ws.write_string(ri, ci, _text(v), fm.plain)
    for ci, w in enumerate((16, 18, 12, 40, 12, 12, 12, 8, 10)):
        ws.set_column(ci, ci, w)
    ws.set_row(0, 30)
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def _options(wb, fm, options: Register):
    ws = wb.add_worksheet(S["options"])
    ws.set_vba_name(CODE_NAMES["options"])
    s = options.settings
    ws.write_string(0, 0, " - ".join(p for p in (s.organisation, s.title) if p), fm.subtitle)
    ws.write_string(1, 0, f"All amounts in {s.unit}" + (f"; {s.period}" if s.period else ""), fm.note)
    geo = _register_table(ws, fm, options, OPTIONS, 3)
    ws.set_row(3, 42)
    _fit_rows(ws, geo)
    _validations(ws, fm, geo, s, OPTIONS)
    ws.freeze_panes(4, 2)
    ws.set_landscape()
    ws.set_paper(8)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(3)
    return geo


OWN_SETTINGS = ("organisation", "title", "financial_year", "period", "unit", "sign", "decimals", "years", "source")


def with_options_settings(settings: Settings, options: Settings) -> Settings:
    """The shared Settings plus 'options.*' rows wherever the options register differs (unit, sign, years...)."""
    mine, theirs = settings.to_mapping(), options.to_mapping()
    over = {k: theirs[k] for k in OWN_SETTINGS if theirs[k] != mine[k]}
    return replace(settings, per_layout={**settings.per_layout, OPTIONS: over} if over else settings.per_layout)


def _settings(wb, fm, settings: Settings, committees: list[str]):
    ws = wb.add_worksheet(S["settings"])
    ws.set_vba_name(CODE_NAMES["settings"])
    for ci, h in enumerate(("Setting", "Value", "What it means")):
        ws.write_string(0, ci, h, fm.header)
    for ri, (key, value, meaning) in enumerate(settings.to_rows(), start=1):
        ws.write_string(ri, 0, key, fm.bold)
        ws.write_string(ri, 1, _text(value), fm.text)
        ws.write_string(ri, 2, meaning, fm.text)
        lines = max(text_lines(_text(value), 40), text_lines(meaning, 60))
        if lines > 1:           # a long value (JSON) shown whole: neither Excel nor LibreOffice refits rows
            ws.set_row(ri, min(MAX_ROW_POINTS, lines * LINE_POINTS + 3))
    header = schema.BY_KEY["committee"].header_for(settings)
    ws.write_string(0, COMMITTEE_COLUMN, f"{header} list (dropdown)", fm.header)
    for ri, name in enumerate(committees, start=1):
        ws.write_string(ri, COMMITTEE_COLUMN, name, fm.plain)
    letter = cells.letters(COMMITTEE_COLUMN + 1)
    note_row = max(len(committees), len(settings.to_rows())) + 2
    ws.write_string(note_row, COMMITTEE_COLUMN,
                    f"Add a {header.lower()} below the last name in column {letter} (no gaps): the {header} dropdown "
                    f"on the {S['tracker']} sheet offers every name in this column.", fm.note)
    wb.define_name(NAME_COMMITTEES, f"=OFFSET('{S['settings']}'!${letter}$2,0,0,"
                                    f"MAX(1,COUNTA('{S['settings']}'!${letter}$2:${letter}${COMMITTEE_ROWS + 1})),1)")
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 60)
    ws.set_column(3, 3, 3)
    ws.set_column(COMMITTEE_COLUMN, COMMITTEE_COLUMN, 30)
    ws.freeze_panes(1, 0)


#: (key, value) rows of the xlwings.conf sheet, as xlwings' VBA reads them (A1 downwards, no gaps).
def conf_rows() -> list[tuple[str, object]]:
    return [
        ("Interpreter_Win", ""),
        ("Interpreter_Mac", ""),
        ("PYTHONPATH", ""),
        ("Conda Path", ""),
        ("Conda Env", ""),
        ("UDF Modules", "savings_tracker.excel.udfs"),
        ("Debug UDFs", False),
        ("Use UDF Server", False),
        ("Show Console", False),
        ("ADD_WORKBOOK_TO_PYTHONPATH", True),
    ]


#: The Lite message cell before any Lite run: which buttons are which.
LITE_START = ("Top row: buttons for Excel with Python installed. Second row (Lite): the same buttons in the "
              "free xlwings Lite add-in, no Python needed; see the xlwings.conf sheet.")
CONF_NOTE = (
    "For the administrator: the buttons run Python through xlwings, using the settings above (column A is the "
    "setting, column B its value; keep them in one block from A1 with no blank rows).",
    "Interpreter_Win: full path of python.exe (or pythonw.exe) in the environment where savings-tracker is "
    "installed, e.g. C:\\savings-tracker\\.venv\\Scripts\\pythonw.exe. Interpreter_Mac: the same on a Mac, e.g. "
    "/Users/me/savings-tracker/.venv/bin/python.",
    "Conda Path / Conda Env: only if Python comes from Anaconda/Miniconda (then leave Interpreter_* blank).",
    "PYTHONPATH: only if savings_tracker is not installed in that environment: the folder that holds the "
    "savings_tracker package (the workbook's own folder is always added).",
    "UDF Modules: savings_tracker.excel.udfs (worksheet functions; Windows Excel only). Nothing runs when the workbook "
    "opens: Python starts only when a button is clicked.",
    "A blank value falls back to an xlwings.conf file beside the workbook or in the user's .xlwings folder.",
    "Without Python on the desktop (or in Excel on the web): the second row of buttons on the Tracker sheet runs "
    "the same code in the xlwings Lite add-in (Office store id WA200008175; free for personal and commercial use). "
    "A Microsoft 365 administrator can deploy it to everyone from the admin center (Settings > Integrated apps); "
    "otherwise Home > Add-ins, search for xlwings Lite, Add. Open the add-in once, trust the workbook, and the "
    "Lite buttons work; messages appear in Tracker!D5 and in the add-in's output.",
    "Under Lite, Python (Pyodide) and the packages in the add-in's requirements.txt are downloaded from public "
    "servers (jsDelivr, PyPI); the workbook's data is not sent anywhere: the code runs inside Excel on this "
    "computer. Appendices from Lite are HTML or Word, saved in the add-in's Files (menu > Files > export); PDF "
    "needs the Python buttons or the command line. The worksheet functions (SAVINGS_CHECK ...) work in Lite on "
    "every platform.",
)


def _start(wb, fm):
    """The first sheet: what the workbook is for, the monthly routine, the Settings that matter, macros and
    setting up Python (``workbook.start``, the same text as the README's "Using it in Excel")."""
    from .start import start_rows

    ws = wb.add_worksheet(S["start"])
    ws.set_vba_name(CODE_NAMES["start"])
    heading = wb.add_format({**fm.base, "bold": True, "font_size": 12, "bottom": 1})
    styles = {"title": fm.title, "heading": heading, "text": fm.text}
    for ri, (kind, text) in enumerate(start_rows()):
        if kind == "blank":
            continue
        ws.write_string(ri, 0, text, styles[kind])
        if kind == "text":
            ws.set_row(ri, 15 * max(1, -(-len(text) // 100)))     # wrapped: about 100 characters a line
    ws.set_column(0, 0, 75)     # fits an A4 page in portrait
    ws.hide_gridlines(2)
    ws.set_portrait()
    ws.set_paper(9)           # A4
    ws.fit_to_pages(1, 0)
    ws.activate()


def _conf(wb, fm):
    ws = wb.add_worksheet(S["conf"])
    ws.set_vba_name(CODE_NAMES["conf"])
    ws.hide()             # xlwings' VBA reads it by name (wb.Sheets("xlwings.conf")), hidden or not
    rows = conf_rows()
    for ri, (key, value) in enumerate(rows):
        ws.write_string(ri, 0, key, fm.bold)
        if isinstance(value, bool):
            ws.write_boolean(ri, 1, value, fm.plain)
        elif value:
            ws.write_string(ri, 1, value, fm.plain)
    for k, line in enumerate(CONF_NOTE):
        ws.write_string(len(rows) + 2 + k, 0, line, fm.note if k else fm.bold)
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 50)


# ---- the workbook --------------------------------------------------------------------------------------------
def workbook_view(reg: Register, out: Path) -> Register:
    """The register as it lies in the built workbook: the Tracker sheet's Savings table, its rows and columns,
    so that Checks and highlights point at the workbook's own cells. The reader's findings move with their
    cells; a finding on a row the workbook does not hold (a published subtotal) names the council's file."""
    import copy

    cols = table_columns(reg)
    at = {c.key: j for j, c in enumerate(cols)}
    for n, key in enumerate(reg.extras):
        at[key] = len(cols) + n
    first = HEADER_ROW + 2                                   # 1-based Excel row of the first line
    rows = {int(r): first + k for k, r in enumerate(reg.lines["_row"].tolist())} if "_row" in reg.lines else {}
    by_col = {ci: k for k, ci in reg.source.columns.items() if ci >= 0}
    by_col.update({ci: k for k, ci in reg.extra_columns.items()})
    view = copy.copy(reg)
    view.lines = reg.lines.copy()
    if "_row" in view.lines:
        view.lines["_row"] = [rows[int(r)] for r in reg.lines["_row"].tolist()]
    view.raw = {(rows.get(r, r), k): v for (r, k), v in reg.raw.items()}
    view.blanks = {(rows.get(r, r), k) for r, k in reg.blanks}
    view.source = Source(path=str(out), sheet=S["tracker"], columns={k: at[k] for k in reg.source.columns if k in at},
                         header_row=HEADER_ROW + 1, table=schema.TABLE_NAMES["tracker"], kind="workbook")
    origin = f"{Path(reg.source.path).name}: {reg.source.sheet}" if reg.source.path else reg.source.sheet
    findings = []
    for f in reg.read_findings:
        if f.sheet == reg.source.sheet and f.cell:
            try:
                r, c = cells.cell(f.cell)
            except Exception:
                r = c = None
            if r in rows and (c - 1) in by_col and by_col[c - 1] in at:
                f = replace(f, sheet=S["tracker"], cell=cells.address(rows[r], at[by_col[c - 1]] + 1))
            else:
                f = replace(f, sheet=origin)
        findings.append(f)
    view.read_findings = findings
    view.published = list(reg.published)
    return view


def _with_published_rows(reg: Register) -> Register:
    """The register with its published subtotal and total rows kept on Settings (``published_rows``): the
    workbook holds the lines, and the rows as the council published them stay checks on them."""
    import copy

    name = Path(reg.source.path).name
    rows = [{"kind": p.kind, "label": p.label, "group": p.group, "layout": reg.layout,
             "origin": f"{name}: {reg.source.sheet} row {p.row}", "values": dict(p.raw)}
            for p in reg.published if p.row]
    out = copy.copy(reg)
    out.settings = replace(reg.settings, published_rows=[*reg.settings.published_rows, *rows])
    return out


def _workbook_findings(reg: Register, out: Path) -> list[Finding]:
    """Checks of a built workbook: the lines' findings at the workbook's cells; a published subtotal or total
    row is not in the workbook, so its findings name the row in the council's file."""
    from ..core import validate as v

    findings = [f for f in _findings(workbook_view(reg, out))
                if not (f.code in ("subtotal-mismatch", "total-mismatch") and f.cell)]
    if any(p.row for p in reg.published):
        origin = f"{Path(reg.source.path).name}: {reg.source.sheet}"
        findings += [replace(f, sheet=origin) for f in v.published_totals(reg, v.Context(reg)) if f.cell]
    return findings


def _findings(reg: Register) -> list[Finding]:
    try:
        from ..core.validate import validate
    except ImportError:
        return list(reg.read_findings)
    return list(validate(reg))


def committee_list(reg: Register) -> list[str]:
    names = list(reg.settings.committees)
    if "committee" in reg.lines:
        for v in reg.lines["committee"]:
            if isinstance(v, str) and v.strip() and v.strip() not in names:
                names.append(v.strip())
    return names


def build_workbook(out_path, register: Register | None = None, *, options: Register | None = None,
                   blank: bool = False, history=None, created: dt.datetime | None = None,
                   imported: bool = False) -> Path:
    """Write the Savings Tracker workbook (.xlsm, with the VBA project) and return its path. ``imported``: the
    register is a council's own tracker (``savings-tracker import``): a register of any layout, the Savings
    table holds its own columns, Checks point at the workbook's cells, and no sample data comes with it."""
    import xlsxwriter

    from .vba import build_vba_project, savings_tracker_source, vba_sub_names

    out = Path(out_path)
    if out.suffix.lower() != ".xlsm":
        raise ValueError(f"{out.name}: the workbook must be saved as .xlsm (it carries macros)")
    if register is None or blank:
        register = blank_register(TRACKER, register.settings if register is not None else None)
    imported = imported and not blank and len(register) > 0
    if imported and any(p.row for p in register.published):
        register = _with_published_rows(register)
    if register.layout != TRACKER and not imported:      # an imported register of any layout is welcome
        raise ValueError(f"build_workbook needs a tracker register, not a {register.layout} register")
    if options is None and imported:                  # the council's own settings, no sample data
        # (the council's own headers are its register's, not the blank Options table's)
        options = blank_register(OPTIONS, replace(register.settings, layout=OPTIONS, column_map={}), 3)
    elif options is None:
        options = blank_register(OPTIONS, Settings(layout=OPTIONS, title="Budget options", unit=register.settings.unit,
                                                   years=[]), 3)
    subs = vba_sub_names(savings_tracker_source(), public_only=True)
    missing = [m for m, _ in BUTTONS if m not in subs]
    if missing:
        raise RuntimeError(f"SavingsTracker.bas has no Sub {', '.join(missing)} for the buttons")

    out.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    s = register.settings
    wb.set_properties({"title": s.title or "Savings Tracker", "subject": "Savings Tracker",
                       "author": s.organisation or "Savings Tracker", "company": s.organisation,
                       "comments": "Built by savings-tracker build-workbook",
                       "created": created or DEFAULT_CREATED})
    wb.set_calc_mode("auto")
    wb.set_vba_name("ThisWorkbook")
    fm = _Formats(wb, s, options.settings)
    _start(wb, fm)
    geo = _tracker(wb, fm, register, imported)
    _summary(wb, fm, register, geo)
    _checks(wb, fm, (_workbook_findings(register, out) if imported else _findings(register)) if len(register) else [],
            links=imported)
    _history(wb, fm, s, history)
    _options(wb, fm, options)
    _settings(wb, fm, with_options_settings(s, options.settings), committee_list(register))
    _conf(wb, fm)
    wb.add_vba_project(io.BytesIO(build_vba_project([CODE_NAMES[k] for k in SHEET_ORDER])), is_stream=True)
    wb.close()
    from .lite import add_lite_parts

    add_lite_parts(out, S["tracker"], geo["lite_buttons"])
    if len(register):
        refresh_built(out)
    return out


def refresh_built(path: Path) -> None:
    """What Refresh RAG summary would do to the workbook just built, done as it is built: Checks names the
    workbook's own cells with links, the offending cells are highlighted and the Summary is current."""
    import os

    from .. import plans
    from ..core.validate import validate_and_summarise
    from ..readers import read_book
    from ..xlsx.apply import patch_workbook

    book, reg = read_book(path)
    over = plans.find_typed_over(reg)
    fixed = plans.without_typed_over(reg, over)
    findings, summary = validate_and_summarise(fixed)
    checks = book.grids[S["checks"]].rows
    used = max((i for i, r in enumerate(checks, start=1) if any(v not in (None, "") for v in r)), default=0)
    plan = plans.refresh_plan(fixed, findings, summary, over, stamp=BUILT_STAMP, checks_used_rows=used,
                              checks_values=None, summary_values=book.grids[S["summary"]].rows, original=reg)
    tmp = path.with_name(path.name + ".tmp")
    try:
        patch_workbook(path, tmp, plan)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
