"""Business-case registers (layout ``cases``, seed 001) as councils keep them.

A programme chapter holds, per section, a "Budget Planning Assumptions & Savings Summary" table
(``Project | Workstream(s) | Budget Planning Assumption £000 | Forecast Saving | Total £000``), several of them
stacked on one sheet, each under a title such as "Section D - Special Educational Needs and Disability". The
project is named on the first row of its group only; "Sub totals" and "Totals" rows are published checks on the
lines (never lines); a figure may carry a footnote mark ("0*") explained by a text row under the table. A
programme summary table (project number, project, £'m, section letter, "Total") may sit on the same or another
sheet: it is read as a check on the section totals. A flat table with a Section column (the bundled sample,
or a council's own list of business cases) is read by the same rules.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..cells import letters
from ..core import schema
from ..errors import UnreadableFile
from ..core.money import MoneyError, accepted, parse_money
from ..core.register import ERROR, WARNING, Finding, PublishedRow, Register, Source
from ..core.settings import Settings
from ..core.table import Table
from .grids import Book, Grid
from .look import header_candidates, may_be_header
from .programme_summary import (TOTAL, ProgrammeSummary, apply_summary, cell_text, name_key, read_summary,
                                summary_header, unit_of)

LAYOUT = "cases"
MONEY_KEYS = [c.key for c in schema.columns_for(LAYOUT) if c.kind == schema.MONEY]
TEXT_KEYS = [c.key for c in schema.columns_for(LAYOUT) if c.kind == schema.TEXT and c.key != "redundancies"]

SECTION_TITLE = re.compile(r"^\s*section\s+([A-Z])(?![A-Za-z])[\s\-–—:.]*(.*?)[\s\-–—:]*$", re.I)
SUBTOTAL = re.compile(r"^\s*sub[\s-]*totals?\b", re.I)
MARK = re.compile(r"^(.*?\d)\s*([*†‡§¶#]+)$")            # "0*", "1,234 †"
FOOTNOTE = re.compile(r"^\s*(?:([*†‡§¶#]+)|[-–•]|notes?\b:?)\s*(.*)$", re.I | re.S)
SUBTITLE = re.compile(r"savings summary|budget planning assumption", re.I)


def _blank(v) -> bool:
    return cell_text(v) == ""


def header_columns(row) -> dict[str, int]:
    cols: dict[str, int] = {}
    for ci, cell in enumerate(row):
        m = schema.match_header(cell, LAYOUT)
        if m and m[0] not in cols:
            cols[m[0]] = ci
    return cols


def is_table_header(cols: dict[str, int]) -> bool:
    # a budget planning assumption or forecast saving column: "Workstream ... Total" alone may be a programme register
    return "workstream" in cols and ("budget_planning_assumption" in cols or "forecast_saving" in cols) \
        and len(cols) >= 3


@dataclass
class _Table:
    header: int                    # 0-based row index
    columns: dict[str, int]
    title: str = ""
    section: str = ""
    section_name: str = ""


def _titles(grid: Grid, header: int, floor: int) -> tuple[str, str, str]:
    """(title, section letter, section name) from the text rows just above a table's header row."""
    title, letter, name = "", "", ""
    for ri in range(header - 1, max(floor, header - 5) - 1, -1):
        cells = [t for t in (cell_text(c) for c in grid.rows[ri]) if t]
        if len(cells) != 1:
            if cells:
                break
            continue
        text = cells[0]
        if FOOTNOTE.match(text) and not SECTION_TITLE.match(text):
            break
        m = SECTION_TITLE.match(text)
        if m:
            return title or m.group(2), m.group(1).upper(), m.group(2)
        if not SUBTITLE.search(text) and not title:
            title = text
    return title, letter, name


def _redundancy_range(text: str) -> tuple[Decimal | None, Decimal | None]:
    """'4-5' -> (4, 5); '4 to 14' -> (4, 14); '25' -> (25, 25); 'None'/'Nil' -> (0, 0); 'up to 25' -> (0, 25);
    'N/A', 'TBC', 'Not known' -> (None, None)."""
    t = str(text or "").strip().lower().lstrip("-–:").strip()
    if not t:
        return None, None
    if re.match(r"^(none|nil|no redundancies|zero)\b", t):
        return Decimal(0), Decimal(0)
    m = re.match(r"^up to\s+(\d+(?:\.\d+)?)", t)
    if m:
        return Decimal(0), Decimal(m.group(1))
    m = re.match(r"^(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)", t)
    if m:
        return Decimal(m.group(1)), Decimal(m.group(2))
    m = re.match(r"^(\d+(?:\.\d+)?)(?![\d/])", t)
    if m:
        return Decimal(m.group(1)), Decimal(m.group(1))
    return None, None


def detect(book: Book, sheet: str | None = None) -> bool:
    """Does the file hold a business-case register (a section table or a programme summary near the top)?"""
    return any(sum(1 for c in row if not _blank(c)) >= 2 and (is_table_header(header_columns(row)) or
                                                               summary_header(row))
               for row in header_candidates(book, sheet))


def read_cases(book: Book, settings: Settings | None, sheet: str | None = None) -> Register:
    findings: list[Finding] = [Finding(WARNING, "file-note", n, "") for n in book.notes]
    summary: ProgrammeSummary | None = None
    tables: list[_Table] = []
    table_sheet: Grid | None = None
    for name, grid in book.grids.items():
        if (sheet and name != sheet) or name.lower() in schema.SERVICE_SHEETS:
            continue
        ri = 0
        while ri < len(grid.rows):
            row = grid.rows[ri]
            if not may_be_header(row) or sum(1 for c in row if not _blank(c)) < 2:
                ri += 1
                continue
            found = summary_header(row)
            if found and summary is None:
                summary, ri = read_summary(grid, ri, *found, findings)
                continue
            cols = header_columns(row)
            if is_table_header(cols):
                if table_sheet is None or table_sheet is grid:
                    table_sheet = grid
                    tables.append(_Table(ri, cols))
                else:
                    findings.append(Finding(WARNING, "table-not-read",
                                            f"a second sheet of workstream tables ({grid.sheet}, row {ri + 1}) is "
                                            f"not read: keep the section tables on one sheet "
                                            f"({table_sheet.sheet})", grid.sheet, f"A{ri + 1}"))
            ri += 1
    if not tables:
        where = f"sheet '{sheet}'" if sheet else "the file"
        raise UnreadableFile(f"{book.path.name}: no business-case table found in {where}; expected a header row "
                             f"such as Project | Workstream(s) | Budget Planning Assumption £000 | Forecast Saving "
                             f"| Total £000")
    grid = table_sheet
    unit = settings.unit if settings is not None else (unit_of(grid.rows[tables[0].header]) or "£000")
    if settings is None:
        settings = Settings(unit=unit, layout=LAYOUT, sign="positive")
    else:
        settings = settings.for_layout(LAYOUT)
    for t in tables:
        if t.columns != tables[0].columns:
            findings.append(Finding(WARNING, "columns-differ",
                                    f"the table at row {t.header + 1} has its columns in other places than the "
                                    f"first table (row {tables[0].header + 1}); it is read by its own headers but "
                                    f"findings name the first table's columns", grid.sheet, f"A{t.header + 1}"))
    reader = _TableReader(book, grid, settings, findings)
    summary_rows = set()
    if summary is not None and summary.sheet == grid.sheet:
        summary_rows = {i.row - 1 for i in summary.items} | ({summary.total.row - 1} if summary.total else set())
    for n, t in enumerate(tables):
        floor = tables[n - 1].header + 1 if n else 0
        t.title, t.section, t.section_name = _titles(grid, t.header, floor)
        end = tables[n + 1].header if n + 1 < len(tables) else len(grid.rows)
        reader.read(t, end, summary_rows)
    reg = reader.register(tables[0])
    if summary is not None:
        apply_summary(reg, summary)
    return reg


class _TableReader:
    def __init__(self, book: Book, grid: Grid, settings: Settings, findings: list[Finding]):
        self.book, self.grid, self.settings, self.findings = book, grid, settings, findings
        self.records: list[dict] = []
        self.published: list[PublishedRow] = []
        self.raw: dict[tuple[int, str], str] = {}

    def read(self, t: _Table, end: int, skip: set[int]) -> None:
        rows, unit, cols = self.grid.rows, self.settings.unit, t.columns
        project = ""
        since_sub: list[int] = []      # lines since the last published row: what a Sub totals row adds up
        since_total: list[int] = []    # lines since the last Totals row
        marked: list[int] = []
        footnotes: list[tuple[int, str]] = []
        seen_line = False
        for ri in range(t.header + 1, end):
            if ri in skip:
                continue
            row = rows[ri]
            get = {k: (row[ci] if ci < len(row) else None) for k, ci in cols.items()}
            cells = [cell_text(c) for c in row]
            if not any(cells):
                continue
            money_present = any(not _blank(get.get(k)) for k in MONEY_KEYS if k in cols)
            ws, proj = cell_text(get.get("workstream")), cell_text(get.get("project"))
            lead = ws or proj or next((c for c in cells if c), "")
            excel_row = ri + 1
            if not money_present:
                texts = [c for c in cells if c]
                if seen_line and len(texts) == 1 and FOOTNOTE.match(texts[0]):
                    footnotes.append((excel_row, texts[0]))
                    continue
                if len(texts) == 1 and SECTION_TITLE.match(texts[0]):
                    continue       # a page's repeated section title
                if proj and not ws:
                    project = proj  # a project named on a row of its own
                    continue
                if not ws:
                    if seen_line:
                        footnotes.append((excel_row, texts[0]))
                    continue
            if SUBTOTAL.match(ws) or (not ws and SUBTOTAL.match(proj)):
                self.published.append(self._published("subtotal", project or t.title, excel_row, get, cols,
                                                      since_sub, t))
                since_sub = []
                continue
            if TOTAL.match(ws) or (not ws and TOTAL.match(proj)):
                self.published.append(self._published("total", f"Totals ({t.title or 'table'})", excel_row, get,
                                                      cols, since_total, t))
                since_sub, since_total = [], []
                continue
            if proj:
                project = proj
            pos = len(self.records)
            rec = self._line(t, project or t.section_name or t.title, excel_row, get, cols, unit)
            if rec.pop("_marked"):
                marked.append(pos)
            self.records.append(rec)
            since_sub.append(pos)
            since_total.append(pos)
            seen_line = True
        self._attach(footnotes, marked, t)

    def _line(self, t: _Table, project: str, excel_row: int, get: dict, cols: dict, unit: str) -> dict:
        rec: dict = {"_row": excel_row, "_marked": False}
        label = cell_text(get.get("workstream")) or project
        notes = []
        for k in cols:
            c = schema.BY_KEY[k]
            v = get.get(k)
            if c.kind == schema.MONEY:
                text = cell_text(v)
                m = MARK.match(text) if isinstance(v, str) else None
                if m:
                    rec["_marked"] = True
                    notes.append(f"{c.header_for(self.settings, LAYOUT)} published as '{text}'")
                    self.raw[(excel_row, k)] = text
                    v = m.group(1)
                try:
                    rec[k] = parse_money(v, unit)
                    if isinstance(v, str) and v.strip() and not m:
                        self.raw[(excel_row, k)] = v.strip()
                except MoneyError as exc:
                    rec[k] = None
                    self.findings.append(Finding(
                        ERROR, "money-invalid", f"{c.header_for(self.settings, LAYOUT)}: {exc}; accepted: "
                        f"{accepted(unit)}", self.grid.sheet,
                        f"{letters(cols[k] + 1)}{excel_row}", label, k))
            elif c.kind == schema.CHOICE:
                text = cell_text(v)
                rec[k] = c.normalise(text) if text else ""   # validation reports what is not allowed
            elif k in ("redundancies_low", "redundancies_high"):
                continue
            else:
                rec[k] = cell_text(v)
        if not rec.get("project"):
            rec["project"] = project   # named on the first row of its group only
        if t.section and not rec.get("section"):
            rec["section"] = t.section
        if t.section_name and not rec.get("section_name"):
            rec["section_name"] = t.section_name
        if not rec["project"]:
            rec["project"] = rec.get("section_name", "")   # a section table that names no project: the section
        if notes:
            rec["notes"] = "; ".join([*notes, *([rec["notes"]] if rec.get("notes") else [])])
        if "redundancies" in rec:
            rec["redundancies_low"], rec["redundancies_high"] = _redundancy_range(rec["redundancies"])
        return rec

    def _published(self, kind, label, excel_row, get, cols, members, t: _Table) -> PublishedRow:
        values, raw, where = {}, {}, {}
        for k in MONEY_KEYS:
            if k not in cols:
                continue
            text = cell_text(get.get(k))
            m = MARK.match(text)
            raw[k] = text
            where[k] = f"{letters(cols[k] + 1)}{excel_row}"
            try:
                values[k] = parse_money(m.group(1) if m else get.get(k), self.settings.unit)
            except MoneyError:
                values[k] = None
        return PublishedRow(kind, label, excel_row, values, raw, label if kind == "subtotal" else "",
                            lines=tuple(members), sheet=self.grid.sheet, cells=where)

    def _attach(self, footnotes, marked, t: _Table) -> None:
        """A footnote explains the marked figures it names (or the only marked one); never dropped."""
        for excel_row, text in footnotes:
            m = FOOTNOTE.match(text)
            body = (m.group(2) if m else text).strip()
            targets = [p for p in marked if name_key(self.records[p].get("workstream") or "") and
                       name_key(self.records[p].get("workstream")) in name_key(body)] or \
                      (marked if len(marked) == 1 else [])
            if not targets:
                self.findings.append(Finding(WARNING, "footnote-unattached",
                                             f"the note '{body[:80]}' under the table names no marked figure; it is "
                                             f"not attached to a line (mark the figure it explains, e.g. '0*')",
                                             self.grid.sheet, f"A{excel_row}"))
                continue
            for p in targets:
                rec = self.records[p]
                rec["notes"] = f"{rec['notes']}: {body}" if rec.get("notes") else body

    def register(self, first: _Table) -> Register:
        present = [k for k in schema.keys_for(LAYOUT)
                   if k in first.columns or any(k in r for r in self.records)]
        source = Source(path=str(self.book.path), sheet=self.grid.sheet, columns=dict(first.columns),
                        header_row=first.header + 1, kind=self.book.kind)
        frame = Table.from_records(self.records, [*present, "_row"])
        for k in present:
            if schema.BY_KEY[k].kind == schema.TEXT:
                frame[k] = [v if isinstance(v, str) else "" for v in frame[k]]
        return Register(LAYOUT, frame, self.settings, source, self.published, self.findings, self.raw)
