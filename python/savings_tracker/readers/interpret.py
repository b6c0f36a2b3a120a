"""A grid of cells to a Register: find the header row, map headers to schema columns, and sort rows into
lines, programme headings, subtotal rows and total rows. Format-free: grids come from ``grids``."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pandas as pd

from .. import cells
from ..core import schema
from ..errors import UnreadableFile
from ..core.money import MoneyError, accepted, parse_money, parse_number
from ..core.register import ERROR, WARNING, Finding, PublishedRow, Register, Source
from ..core.settings import Settings
from .grids import Book, Grid, TableRef

HEADER_SCAN_ROWS = 60
KEY_COLUMNS = ("reference", "title")
SERVICE_SHEETS = {"summary", "checks", "history", "settings", "xlwings.conf", "_xlwings.conf", "lists"}


def detect_layout(keys) -> str:
    keys = set(keys)
    if keys & {"plan_q1", "forecast_q1", "plan_q2", "forecast_total", "variance"}:
        return "tracker"
    if keys & {"service", "saving_y1", "fte_y1", "gross_budget", "net_budget"}:
        return "options"
    if keys & {"plan_y1", "red", "amber", "green", "programme"}:
        return "programme"
    return "tracker"


class Header:
    """The header row of a grid and what each of its cells means."""

    def __init__(self, row_index: int, cells: list, year_labels: list[str]):
        self.row_index = row_index
        self.cells = cells
        self.columns: dict[str, int] = {}
        self.unknown: list[tuple[int, str]] = []
        self.repeated: list[tuple[int, str, str]] = []
        self.years: list[str] = []
        families: dict[str, list[tuple[int, str]]] = {}
        for ci, cell in enumerate(cells):
            m = schema.match_header(cell)
            if m is None:
                if cell not in (None, "") and str(cell).strip():
                    self.unknown.append((ci, str(cell).strip()))
                continue
            key, year = m
            if year:
                families.setdefault(key, []).append((ci, year))
                continue
            if key in self.columns:
                self.repeated.append((ci, str(cell).strip(), key))
            else:
                self.columns[key] = ci
        for prefix, cols in families.items():
            for n, (ci, year) in enumerate(cols[: schema.MAX_YEARS], start=1):
                self.columns[f"{prefix}{n}"] = ci
                if year not in self.years:
                    self.years.append(year)
            for ci, year in cols[schema.MAX_YEARS:]:
                self.unknown.append((ci, f"{year} (more than {schema.MAX_YEARS} years)"))

    @property
    def score(self) -> int:
        return len(self.columns)


def find_header(rows: list[list], start: int = 0, stop: int | None = None) -> Header | None:
    stop = min(len(rows), stop if stop is not None else start + HEADER_SCAN_ROWS)
    for ri in range(start, stop):
        row = rows[ri]
        if sum(1 for c in row if c not in (None, "")) < 3:
            continue
        h = Header(ri, row, [])
        if h.score >= 3 and any(k in h.columns for k in KEY_COLUMNS):
            return h
    return None


def infer_unit(header: Header, settings: Settings | None) -> str:
    if settings is not None:
        return settings.unit
    text = " ".join(str(c) for c in header.cells if c not in (None, ""))
    if re.search(r"£\s*'?\s*000|£k\b", text):
        return "£000"
    if re.search(r"£\s*'?\s*m\b|£m\b", text, flags=re.I):
        return "£m"
    return "£000"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


def _choice(key: str, value) -> str:
    """A choice cell as the schema spells its values (the column's own synonyms resolved)."""
    return schema.BY_KEY[key].normalise(_text(value))


def _rows(first: int, last: int) -> str:
    return f"row {first}" if first == last else f"rows {first} to {last}"


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _money_present(values: dict, money_keys) -> bool:
    return any(not _blank(values.get(k)) for k in money_keys)


def interpret(book: Book, grid: Grid, header: Header, settings: Settings | None, *, layout: str | None = None,
              table: TableRef | None = None, end_row: int | None = None) -> Register:
    keys = list(header.columns)
    layout = layout or detect_layout(keys)
    if settings is None:
        settings = Settings(unit=infer_unit(header, None), layout=layout, years=header.years,
                            sign="negative" if layout != "programme" else "positive")
        inferred = True
    else:
        inferred = False
        settings = settings.for_layout(layout)
        if header.years and not settings.years:
            settings.years = list(header.years)
    unit = settings.unit
    sheet = grid.sheet
    source = Source(path=str(book.path), sheet=sheet, columns=dict(header.columns), header_row=header.row_index + 1,
                    table=table.name if table else "", kind=book.kind)
    findings: list[Finding] = [Finding(WARNING, "file-note", n, sheet) for n in book.notes]
    used = set(header.columns.values())
    for r1, c1, r2, c2 in grid.merged:
        if r2 > header.row_index and r1 != r2 and any(c1 <= c <= c2 for c in used) and \
                (end_row is None or r1 < end_row):
            where = f"{cells.letters(c1 + 1)}{r1 + 1}:{cells.letters(c2 + 1)}{r2 + 1}"
            findings.append(Finding(WARNING, "merged-cells",
                                    f"cells {where} are merged inside the register: only {cells.letters(c1 + 1)}{r1 + 1} "
                                    f"holds a value, so {_rows(r1 + 2, r2 + 1)} read{'s' * (r1 + 2 == r2 + 1)} as blank there; unmerge "
                                    f"them (Home > Merge & Center) and fill in each line", sheet,
                                    f"{cells.letters(c1 + 1)}{r1 + 1}"))
    for ci, text in header.unknown:
        findings.append(Finding(WARNING, "column-unknown",
                                f"column {cells.letters(ci + 1)} '{text}' is not a register column; it is left as it is "
                                f"and not read", sheet, f"{cells.letters(ci + 1)}{header.row_index + 1}"))
    for ci, text, key in header.repeated:
        findings.append(Finding(ERROR, "column-duplicate",
                                f"column {cells.letters(ci + 1)} '{text}' repeats column {cells.letters(header.columns[key] + 1)} "
                                f"({schema.BY_KEY[key].header_for(settings)}); only the first is read - delete or "
                                f"rename one of them", sheet, f"{cells.letters(ci + 1)}{header.row_index + 1}"))
    for c in schema.columns_for(layout, len(header.years)):
        if c.required_in(layout) and c.key not in header.columns:
            findings.append(Finding(ERROR, "column-missing",
                                    f"no '{c.header_for(settings)}' column in the header row "
                                    f"(row {header.row_index + 1}); accepted headers: "
                                    f"{', '.join([c.header_for(settings), *c.synonyms[:4]])}", sheet,
                                    f"A{header.row_index + 1}"))
    cols = [schema.BY_KEY.get(k) for k in keys]
    money_keys = [k for k, c in zip(keys, cols) if c and c.kind in (schema.MONEY, schema.NUMBER)]
    header_texts = {str(c).strip() for c in header.cells if c not in (None, "")}
    records, published = [], []
    programme = ""
    stop = len(grid.rows) if end_row is None else min(end_row, len(grid.rows))
    totals_row = (stop - 1) if (table and table.totals_rows) else None
    first = header.row_index + 1
    raw: dict = {}
    for ri in range(first, stop):
        row = grid.rows[ri]
        excel_row = ri + 1
        values = {k: (row[ci] if ci < len(row) else None) for k, ci in header.columns.items()}
        if all(_blank(v) for v in row):
            continue
        texts = {str(c).strip() for c in row if not _blank(c)}
        if len(texts & header_texts) >= 3:      # a page's repeated header row
            continue
        ref, title = _text(values.get("reference")), _text(values.get("title"))
        lead = ref or title or next((_text(c) for c in row if not _blank(c)), "")
        has_money = _money_present(values, money_keys)
        if ri == totals_row or (lead.lower().startswith("total") and has_money) or \
                (not ref and not title and has_money and layout != "programme"):
            published.append(_published("total", lead or "Total", excel_row, values, money_keys, unit))
            continue
        if layout == "programme":
            if title and not has_money and all(_blank(v) for k, v in values.items() if k not in ("title", "programme")):
                programme = title
                continue
            if not title and not ref and has_money:
                published.append(_published("subtotal", programme, excel_row, values, money_keys, unit, programme))
                continue
        if not ref and not title:
            findings.append(Finding(WARNING, "row-ignored",
                                    f"row {excel_row} has no reference or title and no amounts; it is not read as a "
                                    f"line (found '{lead[:40]}')", sheet, f"A{excel_row}"))
            continue
        rec = {"_row": excel_row}
        label = ref or title[:60]
        for k, c in zip(keys, cols):
            v = values[k]
            if c is None:
                continue
            if c.kind in (schema.MONEY, schema.NUMBER):
                try:
                    rec[k] = parse_money(v, unit) if c.kind == schema.MONEY else parse_number(v)
                    if isinstance(v, str) and v.strip() and not _blank(v):
                        raw[(excel_row, k)] = v.strip()
                except MoneyError as exc:
                    rec[k] = None
                    shown = _text(v)
                    if len(shown) > 60:
                        shown = shown[:57] + "..."
                    findings.append(Finding(
                        ERROR, "money-invalid" if c.kind == schema.MONEY else "number-invalid",
                        f"{c.header_for(settings)}: '{shown}' is not {'an amount' if c.kind == schema.MONEY else 'a number'}"
                        f" ({exc}); accepted: {accepted(unit) if c.kind == schema.MONEY else 'a number such as -2.5'}",
                        sheet, f"{cells.letters(header.columns[k] + 1)}{excel_row}", label, k))
            elif c.kind == schema.CHOICE:
                rec[k] = _choice(k, v)
            else:
                rec[k] = _text(v)
        if layout == "programme":
            rec.setdefault("programme", programme)
        records.append(rec)
    present = list(header.columns)
    if layout == "programme" and "programme" not in present:
        present.insert(0, "programme")
        source.columns.setdefault("programme", -1)
    frame = pd.DataFrame.from_records(records, columns=[*present, "_row"]) if records else \
        pd.DataFrame({k: pd.Series(dtype=object) for k in [*present, "_row"]})
    frame = frame.astype(object)
    frame.index = pd.RangeIndex(len(frame))
    if inferred:
        settings.sign = _infer_sign(frame, settings.sign)
    reg = Register(layout, frame, settings, source, published, findings, raw)
    if settings.published_totals:
        reg.published.append(_published_from_settings(settings))
    return reg


def _infer_sign(frame: pd.DataFrame, default: str) -> str:
    for key in ("plan_total", "saving_total", "plan_q1", "plan_y1", "saving_y1"):
        if key in frame:
            total = sum((v for v in frame[key] if isinstance(v, Decimal)), Decimal(0))
            if total:
                return "negative" if total < 0 else "positive"
    return default


def _published(kind, label, row, values, money_keys, unit, group="") -> PublishedRow:
    parsed, texts = {}, {}
    for k in money_keys:
        v = values.get(k)
        texts[k] = _text(v)
        try:
            parsed[k] = parse_money(v, unit)
        except MoneyError:
            parsed[k] = None
    return PublishedRow(kind, label, row, parsed, texts, group)


def _published_from_settings(settings: Settings) -> PublishedRow:
    parsed, texts = {}, {}
    for k, v in settings.published_totals.items():
        texts[k] = str(v)
        try:
            parsed[k] = parse_money(v, settings.unit)
        except MoneyError:
            parsed[k] = None
    return PublishedRow("total", "published totals", 0, parsed, texts)


def grid_settings(book: Book) -> Settings | None:
    for name, grid in book.grids.items():
        if name.lower() == "settings":
            return Settings.from_rows(grid.rows, origin=f"{book.path.name} sheet Settings")
    return None


def choose(book: Book, settings: Settings | None, layout: str | None, sheet: str | None) -> Register:
    """Pick the sheet (and table) holding the register and interpret it."""
    if sheet is not None and sheet not in book.grids:
        raise UnreadableFile(f"{book.path.name}: no sheet named '{sheet}'; sheets: {', '.join(book.grids)}")
    # 1. the product's own workbook: a named Excel Table
    wanted = [schema.TABLE_NAMES[layout]] if layout else [schema.TABLE_NAMES["tracker"]]
    for name in wanted:
        t = book.table(name)
        if t and (sheet is None or t.sheet == sheet):
            grid = book.grids[t.sheet]
            r1, c1, r2, c2 = t.bounds()
            rows = [r[: c2 + 1] + [None] * max(0, c2 + 1 - len(r)) for r in grid.rows[: r2 + 1]]
            rows = [[None] * c1 + r[c1:] for r in rows]
            header = Header(r1, rows[r1], [])
            return interpret(book, Grid(grid.sheet, rows, grid.tables, grid.merged), header, settings, layout=layout,
                             table=t,
                             end_row=r2 + 1)
    # 2. any sheet laid out as a published register
    candidates = [book.grids[sheet]] if sheet else [g for n, g in book.grids.items() if n.lower() not in SERVICE_SHEETS]
    found = []
    for grid in candidates:
        header = find_header(grid.rows)
        if header is None:
            continue
        kind = detect_layout(header.columns)
        if layout and kind != layout:
            found.append(kind)
            continue
        reg = interpret(book, grid, header, settings, layout=layout or kind)
        if book.kind == "xlsx" and book.table(schema.TABLE_NAMES[reg.layout]) is None:
            others = [t.name for t in grid.tables]
            if others:
                reg.read_findings.insert(0, Finding(
                    WARNING, "table-renamed",
                    f"no Excel Table named '{schema.TABLE_NAMES[reg.layout]}'; read the table "
                    f"'{others[0]}' on sheet {grid.sheet} by its headers. Rename it back to "
                    f"'{schema.TABLE_NAMES[reg.layout]}' (Table Design > Table Name) for the buttons to work",
                    grid.sheet))
        return reg
    expected = ", ".join(c.header_for(settings, layout or "tracker") for c in schema.columns_for(layout or "tracker")[:6])
    if found:
        raise UnreadableFile(f"{book.path.name}: no {layout} register found (found a {found[0]} register instead)")
    where = f"sheet '{sheet}'" if sheet else ("the file" if book.kind == "csv" else f"sheets {', '.join(book.grids)}")
    raise UnreadableFile(f"{book.path.name}: no header row found in {where}; expected a row with headers such as "
                         f"{expected}")
