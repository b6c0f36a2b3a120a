"""TEST-ONLY harness: run product code against a real workbook file through
xlwings' *remote* engine (``xw.Book(json=payload)``) without Excel.

* ``payload_from_workbook`` reads an .xlsx/.xlsm with openpyxl and builds the
  JSON payload an Excel client would send to xlwings.
* ``open_remote_book`` wraps it in ``xw.Book(json=...)``.
* ``apply_actions`` replays ``book.json()["actions"]`` (what Excel would be
  told to do) onto an openpyxl copy of the file.
* ``run_macro`` / ``caller_book_for`` glue these together for tests.

Licensing: the remote engine lives in xlwings' ``pro`` package (PolyForm
Noncommercial).  Only this test harness uses it; it sets
``XLWINGS_LICENSE_KEY=noncommercial`` for the test process itself.  Product
code must only import the BSD parts of xlwings.

Schema references (xlwings 0.37.8): ``xlwings/pro/_xlremote.py`` (engine,
action encoding) and ``xlwings/js/xlwings.ts`` (payload built by the Office
Scripts client and how each action is applied by Excel).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import openpyxl  # noqa: E402
import xlwings as xw  # noqa: E402
from openpyxl.comments import Comment  # noqa: E402
from openpyxl.styles import PatternFill  # noqa: E402
from openpyxl.utils import get_column_letter, range_boundaries  # noqa: E402
from openpyxl.workbook.defined_name import DefinedName  # noqa: E402
from openpyxl.worksheet.formula import ArrayFormula  # noqa: E402
from openpyxl.worksheet.hyperlink import Hyperlink  # noqa: E402
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo  # noqa: E402

__all__ = [
    "UnsupportedActionError",
    "RemoteRun",
    "ensure_remote_engine",
    "payload_from_workbook",
    "open_remote_book",
    "apply_actions",
    "run_macro",
    "caller_book_for",
]

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384


class UnsupportedActionError(Exception):
    """An action emitted by the remote engine that apply_actions can't replay."""


def ensure_remote_engine() -> None:
    """Make sure xlwings' 'remote' engine is registered.

    xlwings registers it at import time only if the license check passes, so if
    xlwings was imported before XLWINGS_LICENSE_KEY was set, register it now.
    """
    if "remote" in [e.name for e in xw.engines]:
        return
    os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
    from xlwings.main import Engine
    from xlwings.pro import _xlremote

    xw.engines.add(Engine(impl=_xlremote.engine))


ensure_remote_engine()


# --------------------------------------------------------------------------
# Payload
# --------------------------------------------------------------------------
def _iso_z(value: dt.datetime) -> str:
    # Same form as the JS clients' Date.toISOString(): the engine's reader
    # strips the trailing "Z" before datetime.fromisoformat().
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _to_payload_value(value: Any, numbers_as_float: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return _iso_z(value)
    if isinstance(value, dt.date):
        return _iso_z(dt.datetime(value.year, value.month, value.day))
    if isinstance(value, dt.time):
        return _iso_z(dt.datetime.combine(EXCEL_EPOCH.date(), value))
    if isinstance(value, dt.timedelta):
        return _iso_z(EXCEL_EPOCH + value)
    if isinstance(value, (int, float)):
        return float(value) if numbers_as_float else value
    return str(value)


def _sheet_values(ws, numbers_as_float: bool) -> list[list[Any]]:
    # Clients send the block from A1 to the used range's last cell. openpyxl's
    # max_row/max_column include formatted-but-empty cells, like Excel's
    # UsedRange does.
    nrows, ncols = ws.max_row, ws.max_column
    values = [[""] * ncols for _ in range(nrows)]
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=nrows, max_col=ncols, values_only=True)):
        out = values[r]
        for c, v in enumerate(row):
            if v is not None:
                out[c] = _to_payload_value(v, numbers_as_float)
    return values


def _abs_address(ref: str) -> str:
    """'A1:C6' -> '$A$1:$C$6' (what Office returns from getAddress())."""
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    a = f"${get_column_letter(min_col)}${min_row}"
    b = f"${get_column_letter(max_col)}${max_row}"
    return a if a == b else f"{a}:{b}"


def _table_payload(table: Table) -> dict:
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    header_rows = table.headerRowCount if table.headerRowCount is not None else 1
    total_rows = table.totalsRowCount or 0
    show_headers = header_rows > 0
    show_totals = total_rows > 0
    body_first = min_row + (1 if show_headers else 0)
    body_last = max_row - (1 if show_totals else 0)

    def addr(r1, r2):
        return _abs_address(
            f"{get_column_letter(min_col)}{r1}:{get_column_letter(max_col)}{r2}"
        )

    style = table.tableStyleInfo
    return {
        "name": table.displayName or table.name,
        "range_address": _abs_address(table.ref),
        "header_row_range_address": addr(min_row, min_row) if show_headers else None,
        # Excel: an empty table still has one (blank) body row.
        "data_body_range_address": addr(body_first, max(body_first, body_last)),
        "total_row_range_address": addr(max_row, max_row) if show_totals else None,
        "show_headers": show_headers,
        "show_totals": show_totals,
        "table_style": (style.name if style is not None and style.name else ""),
        "show_autofilter": table.autoFilter is not None,
        # Office.js-only extras, used by Table.columns / Table.rows:
        "columns": [col.name for col in table.tableColumns],
        "row_count": max_row - min_row + 1,
        "column_count": max_col - min_col + 1,
        "show_table_style_first_column": bool(style and style.showFirstColumn),
        "show_table_style_last_column": bool(style and style.showLastColumn),
        "show_table_style_row_stripes": bool(style and style.showRowStripes),
        "show_table_style_column_stripes": bool(style and style.showColumnStripes),
    }


def _used_range_address(ws) -> str | None:
    if ws.max_row == 1 and ws.max_column == 1 and ws.cell(1, 1).value is None:
        return None
    return _abs_address(ws.calculate_dimension())


_SIMPLE_REF = re.compile(
    r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)$"
)


def _names_payload(wb) -> list[dict]:
    sheet_index = {ws.title: ix for ix, ws in enumerate(wb.worksheets)}

    def entry(defined_name, scope_ws):
        refers_to = "=" + defined_name.attr_text.lstrip("=")
        match = _SIMPLE_REF.match(refers_to)
        sheet_ix = address = None
        if match:
            target_sheet = (match[1] or match[2]).replace("''", "'")
            if target_sheet in sheet_index:
                sheet_ix = sheet_index[target_sheet]
                address = match[3].replace("$", "").upper()
        return {
            "name": defined_name.name,
            "sheet_index": sheet_ix,
            "address": address,
            "refers_to": refers_to,
            "scope_sheet_name": scope_ws.title if scope_ws is not None else None,
            "scope_sheet_index": sheet_index[scope_ws.title] if scope_ws is not None else None,
            "book_scope": scope_ws is None,
        }

    names = []
    for defined_name in wb.defined_names.values():
        if defined_name.name.startswith("_xlnm."):
            continue  # print areas, filter databases: not sent by Excel either
        names.append(entry(defined_name, None))
    for ws in wb.worksheets:
        for defined_name in ws.defined_names.values():
            if defined_name.name.startswith("_xlnm."):
                continue
            names.append(entry(defined_name, ws))
    return names


def payload_from_workbook(
    path: str | os.PathLike,
    active_sheet: str | int | None = None,
    *,
    values_override: dict[str, list[list[Any]]] | None = None,
    selection: str | None = None,
    client: str = "Office.js",
    numbers_as_float: bool = True,
) -> dict:
    """Build the JSON payload an Excel client sends to xlwings' remote engine.

    * Values are read with openpyxl ``data_only=True`` (cached values; formula
      cells written by a library that doesn't cache results read as empty).
      ``values_override={sheet_name: 2D list}`` replaces a sheet's values, e.g.
      with values recalculated by LibreOffice (Python values; converted here).
    * Empty cells are ``""``; dates/times are ISO strings ending in "Z" (which
      the engine turns back into ``datetime``); numbers become floats by
      default, like COM/Excel returns them (``numbers_as_float=False`` keeps
      ints, like the JSON clients do for whole numbers).
    * ``client``: "Office.js" (default, unlocks most APIs and skips the version
      check) or "Microsoft Office Scripts" / "VBA" (the older clients).
    """
    path = Path(path)
    wb = openpyxl.load_workbook(path, data_only=True, keep_vba=False)
    try:
        # Tables and defined names are not affected by data_only.
        if active_sheet is None:
            active_ix = wb.worksheets.index(wb.active) if wb.active in wb.worksheets else 0
        elif isinstance(active_sheet, int):
            active_ix = active_sheet
        else:
            active_ix = wb.sheetnames.index(active_sheet)
        active_ws = wb.worksheets[active_ix]
        if selection is None:
            sel = active_ws.sheet_view.selection
            selection = sel[0].sqref if sel and sel[0].sqref else "A1"
            selection = str(selection).split()[0]
        sheets = []
        for ws in wb.worksheets:
            if values_override and ws.title in values_override:
                values = [
                    [_to_payload_value(v, numbers_as_float) for v in row]
                    for row in values_override[ws.title]
                ] or [[]]
            else:
                values = _sheet_values(ws, numbers_as_float)
            notes = [
                {"address": _abs_address(cell.coordinate)}
                for row in ws.iter_rows()
                for cell in row
                if cell.comment is not None
            ]
            sheets.append(
                {
                    "name": ws.title,
                    "values": values,
                    "pictures": [],
                    "shapes": [],
                    "charts": [],
                    "notes": notes,
                    "tables": [_table_payload(t) for t in ws.tables.values()],
                    "visibility": {"visible": "Visible", "hidden": "Hidden"}.get(
                        ws.sheet_state, "VeryHidden"
                    ),
                    "show_gridlines": bool(ws.sheet_view.showGridLines in (None, True)),
                    "used_range_address": _used_range_address(ws),
                    "print_area": (
                        ws.print_area.replace("$", "").split("!")[-1]
                        if ws.print_area
                        else None
                    ),
                }
            )
        return {
            "client": client,
            "version": xw.__version__,
            "book": {
                "name": path.name,
                "active_sheet_index": active_ix,
                "selection": _abs_address(selection.split("!")[-1]),
                "calculation": "Automatic",
            },
            "names": _names_payload(wb),
            "sheets": sheets,
        }
    finally:
        wb.close()


def open_remote_book(path: str | os.PathLike, **kw) -> xw.Book:
    """``xw.Book(json=payload_from_workbook(path, **kw))``."""
    ensure_remote_engine()
    return xw.Book(json=payload_from_workbook(path, **kw))


# --------------------------------------------------------------------------
# Applying actions
# --------------------------------------------------------------------------
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$")


def _excel_value(v: Any) -> tuple[Any, str | None]:
    """Value written by setValues -> (openpyxl value, number format to apply).

    The engine sends None as "" and dates as ISO strings (Excel parses those
    into dates and gives the cell a date format).
    """
    if v is None or v == "":
        return None, None
    if isinstance(v, str):
        if _DATE_RE.match(v):
            return dt.datetime.fromisoformat(v), "yyyy-mm-dd"
        if _DATETIME_RE.match(v):
            return dt.datetime.fromisoformat(v), "yyyy-mm-dd hh:mm:ss"
    return v, None


def _hex_to_argb(value: str) -> str:
    return "FF" + value.lstrip("#").upper()


@dataclass
class _Ctx:
    wb: Any
    messages: list = field(default_factory=list)
    ignored: list = field(default_factory=list)


def _ws(ctx: _Ctx, action: dict):
    pos = action.get("sheet_position")
    if pos is None:
        raise UnsupportedActionError(f"action {action['func']!r} has no sheet_position")
    return ctx.wb.worksheets[pos]


def _cells(ctx: _Ctx, action: dict, clip: bool = True):
    """The action's target range as a 2D list of openpyxl cells (zero-based
    start_row/start_column, row_count/column_count). Whole-row/column ranges are
    clipped to the sheet's used area."""
    ws = _ws(ctx, action)
    r0, c0 = action["start_row"] + 1, action["start_column"] + 1
    nrows, ncols = action["row_count"], action["column_count"]
    r1, c1 = r0 + nrows - 1, c0 + ncols - 1
    if clip:
        r1 = min(r1, max(ws.max_row, r0))
        c1 = min(c1, max(ws.max_column, c0))
    return [[ws.cell(r, c) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]


def _iter_cells(ctx, action):
    for row in _cells(ctx, action):
        yield from row


def _set_values(ctx, action, formulas=False):
    ws = _ws(ctx, action)
    r0, c0 = action["start_row"] + 1, action["start_column"] + 1
    values = action["values"]
    if not isinstance(values, list):  # scalar formula for a whole range
        values = [[values] * action["column_count"]] * action["row_count"]
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            cell = ws.cell(r0 + i, c0 + j)
            if isinstance(v, str) and v.startswith("'") and not formulas:
                cell.value = v[1:]          # Excel: a leading apostrophe makes the rest literal text
                cell.data_type = "s"
                continue
            value, fmt = _excel_value(v)
            cell.value = value
            if fmt and cell.number_format == "General":
                cell.number_format = fmt


def _clear_values(ctx, action):
    for cell in _iter_cells(ctx, action):
        cell.value = None


def _clear_formats(ctx, action):
    for cell in _iter_cells(ctx, action):
        if cell.has_style:
            cell.style = "Normal"


def _clear_all(ctx, action):
    for cell in _iter_cells(ctx, action):
        cell.value = None
        cell.hyperlink = None
        if cell.has_style:
            cell.style = "Normal"


def _sheet_wide(action):
    return {**action, "start_row": 0, "start_column": 0, "row_count": MAX_ROWS,
            "column_count": MAX_COLUMNS}


def _add_sheet(ctx, action):
    ix, name = action["args"][0], action["args"][1]
    ws = ctx.wb.create_sheet(title=name, index=ix)
    _activate(ctx, ctx.wb.worksheets.index(ws))


def _activate(ctx, ix):
    for ws in ctx.wb.worksheets:
        ws.sheet_view.tabSelected = False
    ctx.wb.active = ix
    ctx.wb.worksheets[ix].sheet_view.tabSelected = True


def _set_color(ctx, action):
    color = action["args"][0]
    fill = PatternFill(fill_type=None) if color is None else PatternFill(
        "solid", fgColor=_hex_to_argb(color)
    )
    for cell in _iter_cells(ctx, action):
        cell.fill = fill


def _set_colors(ctx, action):
    for row, colors in zip(_cells(ctx, action, clip=False), action["args"][0]):
        for cell, color in zip(row, colors):
            if color == "keep":
                continue
            cell.fill = PatternFill(fill_type=None) if color is None else PatternFill(
                "solid", fgColor=_hex_to_argb(color))


def _set_font(ctx, action):
    prop, value = action["args"]
    key = {"bold": "b", "italic": "i", "size": "sz", "name": "name", "color": "color"}[prop]
    if prop == "color" and value is not None:
        value = _hex_to_argb(value)
    for cell in _iter_cells(ctx, action):
        font = copy.copy(cell.font)
        setattr(font, key, value)
        cell.font = font


def _add_hyperlink(ctx, action):
    address, text, tip = action["args"]
    for cell in _iter_cells(ctx, action):
        if address.startswith("#"):
            link = Hyperlink(ref=cell.coordinate, location=address[1:], display=text,
                             tooltip=tip)
        else:
            link = Hyperlink(ref=cell.coordinate, target=address, display=text,
                             tooltip=tip)
        cell.hyperlink = link
        if text is not None:
            cell.value = text
        cell.style = "Hyperlink"


def _set_number_format(ctx, action):
    for cell in _iter_cells(ctx, action):
        cell.number_format = action["args"][0]


def _set_alignment(attr, mapping=None):
    def apply(ctx, action):
        value = action["args"][0]
        if mapping is not None:
            value = mapping.get(value, value[:1].lower() + value[1:])
        for cell in _iter_cells(ctx, action):
            al = copy.copy(cell.alignment)
            setattr(al, attr, value)
            cell.alignment = al
    return apply


_H_ALIGN = {"CenterAcrossSelection": "centerContinuous"}


def _set_column_width(ctx, action):
    ws = _ws(ctx, action)
    points = action["args"][0]
    chars = max(0.0, (points * 4 / 3 - 5) / 7)  # points -> pixels -> characters
    c0 = action["start_column"] + 1
    for c in range(c0, c0 + action["column_count"]):
        ws.column_dimensions[get_column_letter(c)].width = chars


def _set_row_height(ctx, action):
    ws = _ws(ctx, action)
    r0 = action["start_row"] + 1
    for r in range(r0, r0 + action["row_count"]):
        ws.row_dimensions[r].height = action["args"][0]


def _set_hidden(axis):
    def apply(ctx, action):
        ws = _ws(ctx, action)
        hidden = bool(action["args"][0])
        if axis == "row":
            r0 = action["start_row"] + 1
            for r in range(r0, r0 + action["row_count"]):
                ws.row_dimensions[r].hidden = hidden
        else:
            c0 = action["start_column"] + 1
            for c in range(c0, c0 + action["column_count"]):
                ws.column_dimensions[get_column_letter(c)].hidden = hidden
    return apply


def _range_ref(action) -> str:
    r0, c0 = action["start_row"] + 1, action["start_column"] + 1
    r1, c1 = r0 + action["row_count"] - 1, c0 + action["column_count"] - 1
    return f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"


def _range_insert(ctx, action):
    ws = _ws(ctx, action)
    shift = action["args"][0]
    r0, c0 = action["start_row"] + 1, action["start_column"] + 1
    nrows, ncols = action["row_count"], action["column_count"]
    if shift == "down":
        if ncols >= MAX_COLUMNS:
            ws.insert_rows(r0, nrows)
        elif ws.max_row >= r0:
            c1 = c0 + ncols - 1
            ws.move_range(f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{ws.max_row}",
                          rows=nrows, translate=True)
    else:
        if nrows >= MAX_ROWS:
            ws.insert_cols(c0, ncols)
        elif ws.max_column >= c0:
            r1 = r0 + nrows - 1
            ws.move_range(f"{get_column_letter(c0)}{r0}:{get_column_letter(ws.max_column)}{r1}",
                          cols=ncols, translate=True)


def _range_delete(ctx, action):
    ws = _ws(ctx, action)
    shift = action["args"][0]
    r0, c0 = action["start_row"] + 1, action["start_column"] + 1
    nrows, ncols = action["row_count"], action["column_count"]
    if shift == "up":
        if ncols >= MAX_COLUMNS:
            ws.delete_rows(r0, nrows)
            return
        _clear_values(ctx, action)
        _clear_formats(ctx, action)
        if ws.max_row >= r0 + nrows:
            c1 = c0 + ncols - 1
            ws.move_range(
                f"{get_column_letter(c0)}{r0 + nrows}:{get_column_letter(c1)}{ws.max_row}",
                rows=-nrows, translate=True)
    else:
        if nrows >= MAX_ROWS:
            ws.delete_cols(c0, ncols)
            return
        _clear_values(ctx, action)
        _clear_formats(ctx, action)
        if ws.max_column >= c0 + ncols:
            r1 = r0 + nrows - 1
            ws.move_range(
                f"{get_column_letter(c0 + ncols)}{r0}:{get_column_letter(ws.max_column)}{r1}",
                cols=-ncols, translate=True)


def _merge(ctx, action):
    ws = _ws(ctx, action)
    if action["args"][0]:  # across: one merge per row
        c0, c1 = action["start_column"] + 1, action["start_column"] + action["column_count"]
        for r in range(action["start_row"] + 1, action["start_row"] + action["row_count"] + 1):
            ws.merge_cells(start_row=r, start_column=c0, end_row=r, end_column=c1)
    else:
        ws.merge_cells(_range_ref(action))


def _unmerge(ctx, action):
    ws = _ws(ctx, action)
    r0, c0 = action["start_row"] + 1, action["start_column"] + 1
    r1, c1 = r0 + action["row_count"] - 1, c0 + action["column_count"] - 1
    for merged in list(ws.merged_cells.ranges):
        if not (merged.max_row < r0 or merged.min_row > r1 or merged.max_col < c0
                or merged.min_col > c1):
            ws.unmerge_cells(str(merged))


def _freeze_at(ctx, action):
    ws = _ws(ctx, action)
    ref = action["args"][0].replace("$", "").split("!")[-1]
    if re.fullmatch(r"\d+(:\d+)?", ref):  # rows "1:1"
        ws.freeze_panes = f"A{int(ref.split(':')[-1]) + 1}"
    elif re.fullmatch(r"[A-Za-z]+(:[A-Za-z]+)?", ref):  # columns "A:B"
        _, _, max_col, _ = range_boundaries(ref.split(":")[-1] + "1")
        ws.freeze_panes = f"{get_column_letter(max_col + 1)}1"
    else:
        _, _, max_col, max_row = range_boundaries(ref)
        ws.freeze_panes = f"{get_column_letter(max_col + 1)}{max_row + 1}"


def _unfreeze(ctx, action):
    _ws(ctx, action).freeze_panes = None


def _table(ctx, action) -> tuple[Any, Table]:
    ws = _ws(ctx, action)
    tables = list(ws.tables.values())
    return ws, tables[int(action["args"][0])]


def _sync_table_columns(ws, table: Table):
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    if (table.headerRowCount if table.headerRowCount is not None else 1):
        names = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
    else:
        names = [None] * (max_col - min_col + 1)
    old = {col.name: col for col in table.tableColumns}
    cols = []
    for i, name in enumerate(names, start=1):
        name = str(name) if name not in (None, "") else f"Column{i}"
        col = old.get(name) or TableColumn(id=i, name=name)
        col.id = i
        cols.append(col)
    table.tableColumns = cols
    if table.autoFilter is not None:
        last = max_row - (table.totalsRowCount or 0)
        table.autoFilter.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{last}"


def _add_table(ctx, action):
    ws = _ws(ctx, action)
    address, has_headers, style, name = action["args"]
    if not has_headers:
        raise UnsupportedActionError(
            "addTable with has_headers=False (Excel inserts a header row) is not "
            "supported by tests/xlremote.py")
    ref = address.replace("$", "")
    if name is None:
        name = f"Table{sum(len(w.tables) for w in ctx.wb.worksheets) + 1}"
    table = Table(displayName=name, name=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name=style or "TableStyleMedium2",
                                          showRowStripes=True)
    ws.add_table(table)
    _sync_table_columns(ws, table)


def _set_table_name(ctx, action):
    ws, table = _table(ctx, action)
    old = table.displayName
    new = action["args"][1]
    table.displayName = table.name = new
    del ws.tables[old]
    ws.tables[new] = table


def _resize_table(ctx, action):
    ws, table = _table(ctx, action)
    table.ref = action["args"][1].replace("$", "").split("!")[-1]
    _sync_table_columns(ws, table)


def _table_style(ctx, action):
    _, table = _table(ctx, action)
    info = table.tableStyleInfo or TableStyleInfo()
    info.name = action["args"][1]
    table.tableStyleInfo = info


def _table_style_flag(attr):
    def apply(ctx, action):
        _, table = _table(ctx, action)
        info = table.tableStyleInfo or TableStyleInfo(name="TableStyleMedium2")
        setattr(info, attr, bool(action["args"][1]))
        table.tableStyleInfo = info
    return apply


def _show_autofilter(ctx, action):
    ws, table = _table(ctx, action)
    if action["args"][1]:
        from openpyxl.worksheet.filters import AutoFilter
        table.autoFilter = AutoFilter(ref=table.ref)
        _sync_table_columns(ws, table)
    else:
        table.autoFilter = None


def _show_totals(ctx, action):
    ws, table = _table(ctx, action)
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    on = bool(action["args"][1])
    if on and not table.totalsRowCount:
        table.totalsRowCount = 1
        table.totalsRowShown = True
        max_row += 1
    elif not on and table.totalsRowCount:
        for c in range(min_col, max_col + 1):
            ws.cell(max_row, c).value = None
        table.totalsRowCount = None
        max_row -= 1
    table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
    _sync_table_columns(ws, table)


def _add_table_row(ctx, action):
    ws, table = _table(ctx, action)
    position, values = int(action["args"][1]), action["args"][2]
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    header = 1 if (table.headerRowCount if table.headerRowCount is not None else 1) else 0
    target = min_row + header + position
    last = ws.max_row
    if last >= target:  # shift table columns down from the target row
        ws.move_range(f"{get_column_letter(min_col)}{target}:{get_column_letter(max_col)}{last}",
                      rows=1, translate=True)
    if values is not None:
        for j, v in enumerate(values):
            value, fmt = _excel_value(v)
            cell = ws.cell(target, min_col + j)
            cell.value = value
            if fmt:
                cell.number_format = fmt
    table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row + 1}"
    _sync_table_columns(ws, table)


def _delete_table_row(ctx, action):
    ws, table = _table(ctx, action)
    position = int(action["args"][1])
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    header = 1 if (table.headerRowCount if table.headerRowCount is not None else 1) else 0
    target = min_row + header + position
    for c in range(min_col, max_col + 1):
        ws.cell(target, c).value = None
    if ws.max_row > target:
        ws.move_range(
            f"{get_column_letter(min_col)}{target + 1}:{get_column_letter(max_col)}{ws.max_row}",
            rows=-1, translate=True)
    table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row - 1}"
    _sync_table_columns(ws, table)


def _names_add(ctx, action):
    name, refers_to = action["args"][0], action["args"][1]
    dn = DefinedName(name, attr_text=str(refers_to).lstrip("="))
    if action.get("sheet_position") is None:
        ctx.wb.defined_names[name] = dn
    else:
        _ws(ctx, action).defined_names[name] = dn


def _set_range_name(ctx, action):
    ws = _ws(ctx, action)
    sheet = ws.title if re.fullmatch(r"\w+", ws.title) else "'" + ws.title.replace("'", "''") + "'"
    r0, c0 = action["start_row"] + 1, action["start_column"] + 1
    r1, c1 = r0 + action["row_count"] - 1, c0 + action["column_count"] - 1
    ref = f"${get_column_letter(c0)}${r0}"
    if (r0, c0) != (r1, c1):
        ref += f":${get_column_letter(c1)}${r1}"
    ctx.wb.defined_names[action["args"][0]] = DefinedName(action["args"][0],
                                                          attr_text=f"{sheet}!{ref}")


def _name_container(ctx, book_scope, scope_sheet_index):
    return ctx.wb.defined_names if book_scope else ctx.wb.worksheets[scope_sheet_index].defined_names


def _name_delete(ctx, action):
    _, _, bare, _, book_scope, scope_ix = action["args"]
    del _name_container(ctx, book_scope, scope_ix)[bare]


def _set_name_refers_to(ctx, action):
    bare, book_scope, scope_ix, refers_to = action["args"]
    _name_container(ctx, book_scope, scope_ix)[bare] = DefinedName(
        bare, attr_text=str(refers_to).lstrip("="))


def _add_note(ctx, action):
    address, text = action["args"][0], action["args"][1]
    ws = _ws(ctx, action)
    ws[address.replace("$", "")].comment = Comment(text, "xlwings")


def _delete_note(ctx, action):
    _ws(ctx, action)[action["args"][0].replace("$", "")].comment = None


def _set_formula_array(ctx, action):
    ws = _ws(ctx, action)
    ref = _range_ref(action)
    first = ref.split(":")[0]
    ws[first] = ArrayFormula(ref, action["args"][0])


def _copy_range(ctx, action):
    src = _cells(ctx, action, clip=False)
    dest_ws = ctx.wb.worksheets[int(action["args"][0])]
    c0, r0, _, _ = range_boundaries(action["args"][1].replace("$", "").split("!")[-1])
    for i, row in enumerate(src):
        for j, cell in enumerate(row):
            target = dest_ws.cell(r0 + i, c0 + j)
            target.value = cell.value
            if cell.has_style:
                target._style = copy.copy(cell._style)


def _sheet_delete(ctx, action):
    ctx.wb.remove(_ws(ctx, action))


def _copy_sheet(ctx, action):
    position, target_ix, name = action["args"]
    new = ctx.wb.copy_worksheet(_ws(ctx, action))
    new.title = name
    new_ix = target_ix if position == "Before" else target_ix + 1
    ctx.wb.move_sheet(new, offset=new_ix - ctx.wb.worksheets.index(new))


def _set_sheet_position(ctx, action):
    ws = _ws(ctx, action)
    new_ix = int(action["args"][0])
    ctx.wb.move_sheet(ws, offset=new_ix - ctx.wb.worksheets.index(ws))


def _alert(ctx, action):
    prompt, title, buttons, mode, callback = (list(action["args"]) + [""] * 5)[:5]
    ctx.messages.append({"prompt": prompt, "title": title, "buttons": buttons,
                         "mode": mode, "callback": callback})


def _noop(ctx, action):
    ctx.ignored.append(action["func"])


_HANDLERS: dict[str, Callable[[_Ctx, dict], None]] = {
    # values / formulas
    "setValues": _set_values,
    "setFormula": lambda ctx, a: _set_values(ctx, a, formulas=True),
    "setFormulaArray": _set_formula_array,
    "rangeClearContents": _clear_values,
    "rangeClear": _clear_all,
    "rangeClearFormats": _clear_formats,
    "sheetClear": lambda ctx, a: _clear_all(ctx, _sheet_wide(a)),
    "sheetClearContents": lambda ctx, a: _clear_values(ctx, _sheet_wide(a)),
    "sheetClearFormats": lambda ctx, a: _clear_formats(ctx, _sheet_wide(a)),
    # sheets
    "addSheet": _add_sheet,
    "setSheetName": lambda ctx, a: setattr(_ws(ctx, a), "title", a["args"][0]),
    "activateSheet": lambda ctx, a: _activate(ctx, int(a["args"][0])),
    "setSheetVisibility": lambda ctx, a: setattr(
        _ws(ctx, a), "sheet_state", {"Visible": "visible", "Hidden": "hidden"}.get(
            a["args"][0], "veryHidden")),
    "setShowGridlines": lambda ctx, a: setattr(_ws(ctx, a).sheet_view, "showGridLines",
                                               bool(a["args"][0])),
    "sheetDelete": _sheet_delete,
    "copySheet": _copy_sheet,
    "setSheetPosition": _set_sheet_position,
    "freezePaneAtRange": _freeze_at,
    "freezePaneUnfreeze": _unfreeze,
    "setPrintArea": lambda ctx, a: setattr(_ws(ctx, a), "print_area", a["args"][0]),
    # formatting
    "setRangeColor": _set_color,
    "setRangeColors": _set_colors,
    "setFontProperty": _set_font,
    "setNumberFormat": _set_number_format,
    "setWrapText": _set_alignment("wrap_text"),
    "setHorizontalAlignment": _set_alignment("horizontal", _H_ALIGN),
    "setVerticalAlignment": _set_alignment("vertical", {}),
    "setColumnWidth": _set_column_width,
    "setRowHeight": _set_row_height,
    "setRowHidden": _set_hidden("row"),
    "setColumnHidden": _set_hidden("column"),
    "rangeMerge": _merge,
    "rangeUnmerge": _unmerge,
    # structure
    "rangeInsert": _range_insert,
    "rangeDelete": _range_delete,
    "copyRange": _copy_range,
    "addHyperlink": _add_hyperlink,
    "addNote": _add_note,
    "setNoteText": _add_note,
    "deleteNote": _delete_note,
    # tables
    "addTable": _add_table,
    "setTableName": _set_table_name,
    "resizeTable": _resize_table,
    "setTableStyle": _table_style,
    "showAutofilterTable": _show_autofilter,
    "showTotalsTable": _show_totals,
    "showTableStyleFirstColumn": _table_style_flag("showFirstColumn"),
    "showTableStyleLastColumn": _table_style_flag("showLastColumn"),
    "showTableStyleRowStripes": _table_style_flag("showRowStripes"),
    "showTableStyleColumnStripes": _table_style_flag("showColumnStripes"),
    "addTableRow": _add_table_row,
    "deleteTableRow": _delete_table_row,
    # names
    "namesAdd": _names_add,
    "setRangeName": _set_range_name,
    "nameDelete": _name_delete,
    "setNameRefersTo": _set_name_refers_to,
    # UI / application: nothing to persist in the file
    "alert": _alert,
    "setAutofit": _noop,
    "setSheetAutofit": _noop,
    "rangeSelect": _noop,
    "setScreenUpdating": _noop,
    "setCalculation": _noop,
    "calculate": _noop,
    "save": _noop,
}

SUPPORTED_ACTIONS = frozenset(_HANDLERS)


def _actions_of(book_or_actions) -> list[dict]:
    if isinstance(book_or_actions, xw.Book):
        return book_or_actions.json()["actions"]
    if isinstance(book_or_actions, dict):
        return book_or_actions["actions"]
    return list(book_or_actions)


def apply_actions(book_or_actions, path_in, path_out) -> list[dict]:
    """Replay the remote engine's actions onto an openpyxl copy of ``path_in``.

    ``book_or_actions``: an ``xw.Book`` (remote), its ``json()`` dict, or the
    actions list. Saves to ``path_out`` (``path_in`` is never modified; .xlsm
    keeps its VBA project) and returns the alerts as
    ``[{"prompt", "title", "buttons", "mode", "callback"}]``.
    Raises UnsupportedActionError for actions it doesn't know.
    """
    actions = _actions_of(book_or_actions)
    unknown = sorted({a["func"] for a in actions} - SUPPORTED_ACTIONS)
    if unknown:
        raise UnsupportedActionError(
            f"tests/xlremote.apply_actions can't replay action(s) {unknown}; "
            "extend _HANDLERS or avoid the API that emits them"
        )
    path_in, path_out = Path(path_in), Path(path_out)
    keep_vba = path_in.suffix.lower() == ".xlsm"
    wb = openpyxl.load_workbook(path_in, keep_vba=keep_vba)
    ctx = _Ctx(wb=wb)
    for ix, action in enumerate(actions):
        try:
            _HANDLERS[action["func"]](ctx, action)
        except UnsupportedActionError:
            raise
        except Exception as exc:
            raise UnsupportedActionError(
                f"applying action #{ix} {action['func']!r} failed: {exc!r} "
                f"(action={ {k: v for k, v in action.items() if k != 'values'} })"
            ) from exc
    if path_out.resolve() == path_in.resolve():
        raise ValueError("path_out must differ from path_in")
    wb.save(path_out)
    wb.close()
    return ctx.messages


# --------------------------------------------------------------------------
# Convenience
# --------------------------------------------------------------------------
@dataclass
class RemoteRun:
    book: xw.Book
    actions: list[dict]
    alerts: list[dict]
    out_path: Path
    result: Any = None


def run_macro(
    path,
    fn: Callable[[xw.Book], Any],
    *,
    out_path,
    values_override: dict[str, list[list[Any]]] | None = None,
    formulas: bool = False,
    **payload_kw,
) -> RemoteRun:
    """Open ``path`` as a remote book, call ``fn(book)``, replay its actions
    onto ``out_path``. ``fn`` may also take no argument and use
    ``xw.Book.caller()`` (RunPython style): the book is installed as caller
    while it runs. ``formulas``: ``Range.formula`` reads as in desktop Excel
    (``desktop_formulas``)."""
    import inspect

    book = open_remote_book(path, values_override=values_override, **payload_kw)
    try:
        takes_book = bool(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        takes_book = True
    try:
        with _as_caller(book), (desktop_formulas(path) if formulas else contextlib.nullcontext()):
            result = fn(book) if takes_book else fn()
    finally:
        _clear_engine_cache()
    actions = list(book.json()["actions"])
    alerts = apply_actions(actions, path, out_path)
    return RemoteRun(book=book, actions=actions, alerts=alerts, out_path=Path(out_path),
                     result=result)


_MISSING = object()


@contextlib.contextmanager
def desktop_formulas(path):
    """Reading ``Range.formula`` as Excel on Windows and macOS answers it
    (``Range.Formula``): a formula cell's formula text, a constant as it is,
    an empty cell as ''; a 2D list for a range, a scalar for one cell. The
    remote engine cannot read formulas synchronously (its getter raises
    NotImplementedError); here the getter reads them from ``path`` with
    openpyxl, and everything else, writing formulas included, stays the
    engine's own."""
    from xlwings.pro import _xlremote

    wb = openpyxl.load_workbook(path)
    original = _xlremote.Range.formula

    def read(self):
        ws = wb[self.sheet.name]
        r0, c0 = self.row, self.column
        n, m = self.shape
        grid = [["" if ws.cell(r0 + i, c0 + j).value is None else ws.cell(r0 + i, c0 + j).value
                 for j in range(m)] for i in range(n)]
        return grid[0][0] if (n, m) == (1, 1) else grid

    _xlremote.Range.formula = property(read, original.fset)
    try:
        yield
    finally:
        _xlremote.Range.formula = original
        wb.close()


def _clear_engine_cache() -> None:
    # The engine memoises range reads with an unbounded lru_cache keyed by the
    # whole sheet's values; clear it so big test books don't pile up in memory.
    from xlwings.pro import _xlremote

    _xlremote.get_range_api.cache_clear()


@contextlib.contextmanager
def _as_caller(book: xw.Book):
    # xlwings' official hook: Book.caller() returns Book._mock_caller if set
    # (see Book.set_mock_caller). Restore the previous state afterwards.
    previous = xw.Book.__dict__.get("_mock_caller", _MISSING)
    book.set_mock_caller()
    try:
        yield book
    finally:
        if previous is _MISSING:
            with contextlib.suppress(AttributeError):
                del xw.Book._mock_caller
        else:
            xw.Book._mock_caller = previous


@contextlib.contextmanager
def caller_book_for(path, **payload_kw):
    """``with caller_book_for("x.xlsm") as book: macro()`` -- inside the block,
    ``xw.Book.caller()`` returns (a new wrapper of) the remote ``book``; read
    its actions afterwards with ``book.json()["actions"]``."""
    book = open_remote_book(path, **payload_kw)
    try:
        with _as_caller(book):
            yield book
    finally:
        _clear_engine_cache()
