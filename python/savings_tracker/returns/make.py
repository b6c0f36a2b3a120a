"""The return workbooks sent out: one per committee or owner (a council's budget holders) or per organisation
(a partnership), written with XlsxWriter.

Each has a ``Return`` sheet: a short instruction block (who it is for, the due date, what to fill in, the RAG
definitions, a "Returned by" cell), then the table: only the sender's lines (or, for a partner, its baseline
and targets), the entered cells unlocked and white, everything else locked and grey, dropdowns for RAG and the
other choices, a decimal check on amounts. The sheet is protected without a password (the protection guards
against slips, not people). A hidden ``Return info`` sheet records what was sent: the kind of return, who for,
from which workbook, when, the due date, and the values as made, so collecting can tell a locked cell that was
edited or a reference that was changed.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..core import schema
from ..errors import SavingsTrackerError, UnreadableFile
from .. import cells
from .partnership import RAG_DEFINITIONS
from .read import INFO_SHEET, RETURN_SHEET

GREY, WHITE, BORDER = "#EDEDED", "#FFFFFF", "#808080"
RAG_FILLS = {"Red": "#FFC7CE", "Amber": "#FFEB9C", "Green": "#C6EFCE"}   # with the word: never colour alone
TABLE_TOP = 8          # 0-based row of the table header on the Return sheet (row 9)

# What a budget holder returns for each line, by register layout; every other column is sent for context, locked.
ENTERED = {
    "tracker": ("forecast_q1", "forecast_q2", "forecast_q3", "forecast_q4", "complete", "rag", "commentary"),
    "programme": ("rag", "red", "amber", "green", "commentary"),
}
CONTEXT = {
    "tracker": ("reference", "title", "committee", "plan_q1", "plan_q2", "plan_q3", "plan_q4", "plan_total"),
    "programme": ("reference", "programme", "title", "plan_total"),
}
OWNER_HEADERS = ("owner", "savings owner", "saving owner", "budget holder", "lead officer", "responsible officer",
                 "service lead", "accountable officer")


class MakeError(SavingsTrackerError):
    """The returns cannot be made as asked."""


def safe_file_name(text: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", text).strip(" .") or "blank"
    return name[:100]


def due_text(due: dt.date | None) -> str:
    return f"{due.day} {due:%B %Y}" if due else "the date in the covering e-mail"


def _formats(wb, unit_format: str):
    base = {"font_name": "Arial", "font_size": 10, "valign": "top", "border": 1, "border_color": BORDER}
    f = {
        "title": wb.add_format({"font_name": "Arial", "bold": True, "font_size": 14}),
        "text": wb.add_format({"font_name": "Arial", "font_size": 10, "text_wrap": True, "valign": "top"}),
        "bold": wb.add_format({"font_name": "Arial", "font_size": 10, "bold": True}),
        "hint": wb.add_format({"font_name": "Arial", "font_size": 9, "italic": True, "font_color": "#404040"}),
        "locked_sum": wb.add_format({**base, "bg_color": GREY, "num_format": '#,##0;-#,##0;""'}),   # blank until known
        "head": wb.add_format({**base, "bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF",
                               "text_wrap": True}),
        "locked": wb.add_format({**base, "bg_color": GREY, "text_wrap": True}),
        "locked_money": wb.add_format({**base, "bg_color": GREY, "num_format": unit_format}),
        "locked_pct": wb.add_format({**base, "bg_color": GREY, "num_format": '0.0"%"'}),
        "entry": wb.add_format({**base, "bg_color": WHITE, "locked": False, "text_wrap": True}),
        "entry_money": wb.add_format({**base, "bg_color": WHITE, "locked": False, "num_format": unit_format}),
        "key_entry": wb.add_format({**base, "bg_color": WHITE, "locked": False}),
    }
    f["rag"] = {r: wb.add_format({"bg_color": c}) for r, c in RAG_FILLS.items()}
    return f


def _info_sheet(wb, info: dict, made_header: list[str], made_rows: list[list]):
    ws = wb.add_worksheet(INFO_SHEET)
    r = 0
    for k, v in info.items():
        ws.write_string(r, 0, k)
        ws.write_string(r, 1, "" if v is None else str(v))
        r += 1
    r += 1
    ws.write_row(r, 0, made_header)
    for row in made_rows:
        r += 1
        for c, v in enumerate(row):
            _write_value(ws, r, c, v)
    ws.protect("")
    ws.very_hidden()


def _write_value(ws, r, c, v, fmt=None):
    if v is None or v == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(v, bool):
        ws.write_string(r, c, str(v), fmt)
    elif isinstance(v, (int, float, Decimal)):
        ws.write_number(r, c, float(v), fmt)
    else:
        ws.write_string(r, c, str(v), fmt)      # text, even when it starts with '='


def _instructions(ws, f, lines: list[str], returned_by_row: int, widths: list[float]):
    """The block above the table: title, then one merged, wrapped row per instruction, sized to its text."""
    chars = sum(widths) * 1.15          # Arial 10 fits about this many characters across the merged columns
    for i, line in enumerate(lines):
        if i:
            ws.merge_range(i, 0, i, len(widths) - 1, line, f["text"])
            ws.set_row(i, 13 * max(1, -(-len(line) // int(chars))) + 1)
        else:
            ws.write_string(0, 0, line, f["title"])
            ws.set_row(0, 20)
    ws.write_string(returned_by_row, 0, "Returned by", f["bold"])
    ws.merge_range(returned_by_row, 1, returned_by_row, 2, "", f["key_entry"])
    ws.write_string(returned_by_row, 3, "your name, so that a second copy you send replaces this one", f["hint"])


# ---- council returns -------------------------------------------------------------------------------------
@dataclass
class Made:
    path: Path
    group: str
    lines: int


def is_owner_header(text) -> bool:
    """'Savings Owner', ' budget  holder ' ... : an owner column's header."""
    return " ".join(re.sub(r"[^a-z ]+", " ", str(text or "").casefold()).split()) in OWNER_HEADERS


def owner_column(book, reg) -> int | None:
    """The 0-based column of an owner / budget holder column in the register's sheet (not a schema column)."""
    rows = book.grids[reg.source.sheet].rows
    head = rows[reg.source.header_row - 1] if len(rows) >= reg.source.header_row else []
    for ci, v in enumerate(head):
        if is_owner_header(v):
            return ci
    return None


@dataclass
class _Layout:
    """What every return of one register holds: its columns, their headers and the owner column, if any."""
    keys: list[str]
    headers: list[str]
    entered: list[str]
    fc_parts: list[str]
    owner_ci: int | None
    by_header: str


def _check_register(workbook: Path, book, reg) -> None:
    if INFO_SHEET in book.grids:
        raise MakeError(f"{workbook.name}: this is a return made by 'returns make', not the tracker; make returns "
                        "from the Savings Tracker workbook, and collect this one with 'returns collect'")
    if reg.layout not in ENTERED:
        raise MakeError(f"{workbook.name}: returns are made from a tracker or programme register, not a "
                        f"{reg.layout} register")
    if not len(reg):
        raise MakeError(f"{workbook.name}: the register has no lines to ask for")


def _groups(workbook: Path, book, reg, by: str) -> tuple[list[str], str, int | None]:
    """Each line's committee or owner (blank where it has none), the grouping column's header, the owner column."""
    if by == "committee":
        if not reg.has("committee"):
            raise MakeError(f"{workbook.name}: the register has no Committee column to make returns by")
        groups = [(str(v).strip() if isinstance(v, str) and v.strip() else "") for v in reg.lines["committee"]]
        return groups, schema.BY_KEY["committee"].header_for(reg.settings, reg.layout, own=False), None
    if by != "owner":
        raise MakeError(f"--by {by}: accepted for a council workbook: committee, owner")
    owner_ci = owner_column(book, reg)
    if owner_ci is None:
        raise MakeError(f"{workbook.name}: sheet {reg.source.sheet} has no owner column to make returns by; "
                        f"accepted headers: {', '.join(h.title() for h in OWNER_HEADERS)}")
    grid = book.grids[reg.source.sheet].rows
    groups = []
    for r in reg.lines["_row"]:
        row = grid[int(r) - 1]
        v = row[owner_ci] if owner_ci < len(row) else None
        groups.append(str(v).strip() if v not in (None, "") else "")
    return groups, str(grid[reg.source.header_row - 1][owner_ci]).strip(), owner_ci


def _layout(reg, by_header: str, owner_ci: int | None) -> _Layout:
    """Context columns (locked) then entered ones; a forecast total after the quarters; the owner after the title.
    Returns carry the product's headers, which their reader knows, not an imported tracker's own."""
    settings, layout = reg.settings, reg.layout
    context = [k for k in CONTEXT[layout] if reg.has(k)]
    entered = [k for k in ENTERED[layout] if reg.has(k)]
    keys = context + entered
    fc_parts = [k for k in ("forecast_q1", "forecast_q2", "forecast_q3", "forecast_q4") if k in entered]
    headers = [schema.BY_KEY[k].header_for(settings, layout, own=False) for k in keys]
    if layout == "tracker" and fc_parts:
        at = keys.index(fc_parts[-1]) + 1
        headers.insert(at, schema.BY_KEY["forecast_total"].header_for(settings, layout, own=False))
        keys.insert(at, "forecast_total")
    if owner_ci is not None:
        keys.insert(context.index("title") + 1 if "title" in context else 1, "_owner")
        headers.insert(keys.index("_owner"), by_header)
    return _Layout(keys, headers, entered, fc_parts, owner_ci, by_header)


def _column_width(k: str) -> float:
    if k == "title":
        return 40
    return min(schema.BY_KEY[k].width, 50) if k in schema.BY_KEY else 16


def _instruction_lines(reg, lay: _Layout, label: str, count: int, due: dt.date | None) -> list[str]:
    settings, layout = reg.settings, reg.layout
    org = settings.organisation or "the council"
    return [
        f"Savings return: {lay.by_header} {label}",
        f"{org} – {settings.title}" + (f", as at {settings.period}" if settings.period else "")
        + f". {count} saving line{'s' * (count != 1)}.",
        f"Please fill in and return this file by {due_text(due)} to the finance business partner.",
        ("Fill in the white cells only: " + ", ".join(schema.BY_KEY[k].header_for(settings, layout, own=False)
                                                      for k in lay.entered)
         + f". Amounts in {settings.unit}, savings as {settings.sign} amounts. Grey cells are locked; do not add, "
         "remove or move lines. Send the file back as it is (any name)."),
        "RAG: " + " ".join(f"{k} – {v}" for k, v in settings.rag_definitions.items()),
    ]


def _write_lines(ws, f, reg, grid, lay: _Layout, idx: list) -> list[list]:
    """The table's rows, one per line; returns the values as made (for the hidden Return info sheet)."""
    from ..workbook.cellformats import text_lines

    keys = lay.keys
    made_rows = []
    for n, i in enumerate(idx):
        r = TABLE_TOP + 1 + n
        row_vals = []
        sheet_row = int(reg.lines.at[i, "_row"])
        for c, k in enumerate(keys):
            if k == "_owner":
                v = grid[sheet_row - 1][lay.owner_ci]
            elif k == "forecast_total":
                refs = [cells.address(r + 1, keys.index(p) + 1) for p in lay.fc_parts]
                cached = sum((reg.lines.at[i, p] or Decimal(0)) for p in lay.fc_parts)
                ws.write_formula(r, c, f"=SUM({refs[0]}:{refs[-1]})", f["locked_money"], float(cached))
                row_vals.append(float(cached))
                continue
            else:
                v = reg.lines.at[i, k]
            col = schema.BY_KEY.get(k)
            is_money = col is not None and col.kind == schema.MONEY
            fmt = (f["entry_money"] if is_money else f["entry"]) if k in lay.entered else \
                  (f["locked_money"] if is_money else f["locked"])
            _write_value(ws, r, c, v, fmt)
            row_vals.append(float(v) if isinstance(v, Decimal) else v)
        made_rows.append(row_vals)
        height = max(text_lines(str(reg.lines.at[i, k] or ""), schema.BY_KEY[k].width)
                     for k in ("title", "commentary") if k in keys and isinstance(reg.lines.at[i, k], str)) \
            if any(k in keys for k in ("title", "commentary")) else 1
        ws.set_row(r, min(409, 12.75 * height + 3))
    return made_rows


def _entry_checks(ws, f, settings, lay: _Layout, last: int) -> None:
    """Column widths, and on the entered columns an input message, a number check or a dropdown (RAG coloured)."""
    for c, k in enumerate(lay.keys):
        col = schema.BY_KEY.get(k)
        ws.set_column(c, c, _column_width(k))
        if k not in lay.entered or col is None:
            continue
        header = lay.headers[c]
        common = {"input_title": header[:32], "input_message": (col.help or header)[:255], "ignore_blank": True}
        if col.kind == schema.MONEY:
            ws.data_validation(TABLE_TOP + 1, c, last, c, {
                **common, "validate": "decimal", "criteria": "between", "minimum": -999_999_999_999,
                "maximum": 999_999_999_999, "error_title": "Not an amount",
                "error_message": f"{header}: a number in {settings.unit} (savings {settings.sign}); "
                                 "blank for nil."[:255]})
        elif col.allowed:
            ws.data_validation(TABLE_TOP + 1, c, last, c, {
                **common, "validate": "list", "source": list(col.allowed), "error_title": "Choose from the list",
                "error_message": f"{header}: choose one of {', '.join(col.allowed)}."[:255]})
            if col.allowed == schema.RAG_VALUES:
                for rag, fill in f["rag"].items():
                    ws.conditional_format(TABLE_TOP + 1, c, last, c, {"type": "cell", "criteria": "==",
                                                                      "value": f'"{rag}"', "format": fill})


def _finish_sheet(ws) -> None:
    ws.freeze_panes(TABLE_TOP + 1, 2)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(TABLE_TOP)
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})


def council_returns(workbook: Path, by: str, out: Path, due: dt.date | None = None,
                    now: dt.datetime | None = None) -> list[Made]:
    """One return per committee (or owner) of the register in ``workbook``, written into ``out``."""
    import xlsxwriter

    from ..readers import read_book
    from ..workbook.cellformats import number_format

    book, reg = read_book(workbook)
    _check_register(workbook, book, reg)
    settings = reg.settings
    grid = book.grids[reg.source.sheet].rows
    groups, by_header, owner_ci = _groups(workbook, book, reg, by)
    lay = _layout(reg, by_header, owner_ci)
    now = now or dt.datetime.now().replace(microsecond=0)
    out.mkdir(parents=True, exist_ok=True)
    money_fmt = number_format(settings)
    made = []
    for group in dict.fromkeys(groups):
        idx = [i for i, g in zip(reg.lines.index, groups) if g == group]
        label = group or f"no {by_header.lower()}"
        path = out / f"Return - {safe_file_name(label)}.xlsx"
        wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
        f = _formats(wb, money_fmt)
        ws = wb.add_worksheet(RETURN_SHEET)
        _instructions(ws, f, _instruction_lines(reg, lay, label, len(idx), due), 6,
                      [_column_width(k) for k in lay.keys][:10])
        for c, h in enumerate(lay.headers):
            ws.write_string(TABLE_TOP, c, h, f["head"])
        ws.set_row(TABLE_TOP, 40)          # headers wrap to three lines in the narrow amount columns
        made_rows = _write_lines(ws, f, reg, grid, lay, idx)
        _entry_checks(ws, f, settings, lay, TABLE_TOP + len(idx))
        _finish_sheet(ws)
        info = {"kind": "council", "by": by, "for": group, "by_header": by_header, "workbook": workbook.name,
                "register_sheet": reg.source.sheet, "layout": reg.layout, "unit": settings.unit,
                "sign": settings.sign, "made": now.isoformat(sep=" "), "due": due.isoformat() if due else "",
                "header_row": TABLE_TOP + 1, "returned_by_cell": "B7", "lines": len(idx)}
        _info_sheet(wb, info, lay.keys, made_rows)
        wb.close()
        made.append(Made(path, label, len(idx)))
    return made


# ---- partnership returns ---------------------------------------------------------------------------------
@dataclass
class Partner:
    name: str
    baseline: Decimal | None = None


def read_plan(path: Path) -> list[Partner]:
    """The partnership's organisations: a text file (one name a line) or a table with an Organisation column and
    optionally a Baseline column (in the unit its header names, else £)."""
    from .names import clean_name, read_partner_list
    from .read import blank, classify, load, money, text, unit_of

    if path.suffix.lower() == ".txt":
        return [Partner(n) for n in read_partner_list(path)]
    rf = load(path)
    findings = []
    for sheet, rows in rf.grids.items():
        for hr, row in enumerate(rows[:40]):
            kinds = {classify(v): ci for ci, v in enumerate(row) if classify(v)}
            if "organisation" not in kinds:
                continue
            out = []
            for ri in range(hr + 1, len(rows)):
                r = rows[ri] + [None] * (len(row) - len(rows[ri]))
                name = clean_name(text(r[kinds["organisation"]]))
                if not name:
                    continue
                base = None
                if "baseline" in kinds and not blank(r[kinds["baseline"]]):
                    base = money(r[kinds["baseline"]], unit_of(row[kinds["baseline"]]),
                                 (path.name, sheet, cells.address(ri + 1, kinds["baseline"] + 1)), findings, "baseline")
                out.append(Partner(name, base))
            if findings:
                raise UnreadableFile(findings[0].text())
            return out
    raise UnreadableFile(f"{path.name}: no Organisation column found; give a table with an 'Organisation' header "
                         "(and 'Baseline £' if known), or a text file with one organisation a line")


def partnership_returns(plan: Path, out: Path, years: list[str], targets: list[Decimal], due: dt.date | None = None,
                        title: str = "Partnership efficiency return", now: dt.datetime | None = None) -> list[Made]:
    import xlsxwriter

    from .partnership import year_label, target as target_of

    labels = [year_label(y) for y in years]
    if not labels or None in labels:
        raise MakeError(f"--years {','.join(years) or '(none)'}: give the financial years, e.g. "
                        "--years 2009/10,2010/11,2011/12")
    if len(targets) != len(labels):
        raise MakeError(f"--targets: give one target % a year ({len(labels)} years), e.g. --targets 3,3,3.4")
    partners = read_plan(plan)
    now = now or dt.datetime.now().replace(microsecond=0)
    out.mkdir(parents=True, exist_ok=True)
    made = []
    headers = ["Year", "Baseline £", "Target %", "Target £", "Planned efficiencies £", "Forecast RAG"]
    for p in partners:
        path = out / f"Return - {safe_file_name(p.name)}.xlsx"
        wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
        f = _formats(wb, "#,##0")
        ws = wb.add_worksheet(RETURN_SHEET)
        total = sum(targets, Decimal(0))
        lines = [
            title,
            f"Target: {', '.join(f'{t:f}%' for t in targets)} of the baseline in {', '.join(labels)} "
            f"({total:f}% over {len(labels)} years).",
            f"Please fill in and return this file by {due_text(due)}.",
            "Fill in the white cells: the planned cashable efficiencies per year (£) and the forecast RAG"
            + ("" if p.baseline is not None else ", and your baseline (£)") + ". Grey cells are locked.",
            "Forecast RAG: " + " ".join(f"{k} – {v}" for k, v in RAG_DEFINITIONS.items()),
        ]
        _instructions(ws, f, lines, 6, [12, 16, 10, 14, 22, 14])
        ws.write_string(5, 0, "Organisation", f["bold"])     # the label readers look for, above the table
        ws.write_string(5, 1, p.name, f["locked"])
        for c, h in enumerate(headers):
            ws.write_string(TABLE_TOP, c, h, f["head"])
        made_rows = []
        for n, (y, t) in enumerate(zip(labels, targets)):
            r = TABLE_TOP + 1 + n
            ws.write_string(r, 0, y, f["locked"])
            if p.baseline is not None:
                ws.write_number(r, 1, float(p.baseline), f["locked_money"])
            elif n == 0:
                ws.write_blank(r, 1, None, f["entry_money"])
            else:
                ws.write_formula(r, 1, f"=B{TABLE_TOP + 2}", f["locked_sum"], 0)
            ws.write_number(r, 2, float(t), f["locked_pct"])
            cached = target_of(p.baseline, t)
            ws.write_formula(r, 3, f"=B{r + 1}*C{r + 1}/100", f["locked_sum"],
                             float(cached) if cached is not None else 0)
            ws.write_blank(r, 4, None, f["entry_money"])
            ws.write_blank(r, 5, None, f["entry"])
            made_rows.append([y, float(p.baseline) if p.baseline is not None else None, float(t)])
        last = TABLE_TOP + len(labels)
        ws.data_validation(TABLE_TOP + 1, 4, last, 4, {
            "validate": "decimal", "criteria": "between", "minimum": -999_999_999_999, "maximum": 999_999_999_999,
            "input_title": "Planned efficiencies £", "input_message": "Planned cashable efficiencies in the year, £.",
            "error_title": "Not an amount", "error_message": "Enter an amount in £; blank if not known."})
        ws.data_validation(TABLE_TOP + 1, 5, last, 5, {
            "validate": "list", "source": list(schema.RAG_VALUES), "input_title": "Forecast RAG",
            "input_message": "Green, Amber or Red (see the definitions above).",
            "error_title": "Choose from the list", "error_message": "Choose Red, Amber or Green."})
        for rag, fill in f["rag"].items():
            ws.conditional_format(TABLE_TOP + 1, 5, last, 5, {"type": "cell", "criteria": "==", "value": f'"{rag}"',
                                                              "format": fill})
        if p.baseline is None:
            ws.data_validation(TABLE_TOP + 1, 1, TABLE_TOP + 1, 1, {
                "validate": "decimal", "criteria": ">=", "value": 0, "error_title": "Not an amount",
                "error_message": "Enter your baseline in £."})
        for c, w in enumerate((12, 16, 10, 14, 22, 14)):
            ws.set_column(c, c, w)
        ws.set_column(6, 6, 30)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                        "select_unlocked_cells": True})
        info = {"kind": "partnership", "for": p.name, "made": now.isoformat(sep=" "),
                "due": due.isoformat() if due else "", "header_row": TABLE_TOP + 1, "returned_by_cell": "B7",
                "years": ", ".join(labels)}
        _info_sheet(wb, info, ["year", "baseline", "target_pct"], made_rows)
        wb.close()
        made.append(Made(path, p.name, len(labels)))
    return made
