"""A grid of cells to a Register: find the header row, map headers to schema columns, and sort rows into
lines, programme headings, subtotal rows and total rows. Format-free: grids come from ``grids``."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from .. import cells
from ..core import schema
from ..errors import UnreadableFile
from ..core.money import FLOAT_AMOUNTS, MoneyError, accepted, parse_money, parse_number
from ..core.register import ERROR, WARNING, Finding, PublishedRow, Register, Source
from ..core.settings import Settings
from ..core.table import Table
from .grids import Book, Grid, TableRef
from .fills import fill_colours, rag_of_colour
from .header import Header, blank as _blank, find_header, renamed_columns, usable_mapping
from .titles import infer_unit, is_unit_label, read_titles



def detect_layout(keys) -> str:
    keys = set(keys)
    if keys & {"plan_q1", "forecast_q1", "plan_q2", "forecast_total", "variance"}:
        return "tracker"
    if keys & {"service", "saving_y1", "fte_y1", "gross_budget", "net_budget"}:
        return "options"
    if keys & {"plan_y1", "red", "amber", "green", "programme"}:
        return "programme"
    return "tracker"


def _text(value) -> str:
    if type(value) is str:
        return value.strip() if "\r" not in value else value.replace("\r\n", "\n").strip()
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


def _money_present(values: dict, money_keys) -> bool:
    return any(not _blank(values.get(k)) for k in money_keys)


def interpret(book: Book, grid: Grid, header: Header, settings: Settings | None, *, layout: str | None = None,
              table: TableRef | None = None, end_row: int | None = None) -> Register:
    """The register a grid holds under ``header``: its settings (given, or inferred from the title rows and the
    headers), what the header row says, then each row sorted into lines, headings, subtotal and total rows."""
    layout = layout or detect_layout(list(header.columns))
    _tracker_service(header, layout)
    settings, inferred = _settings_for(book, grid, header, settings, layout, table)
    source = Source(path=str(book.path), sheet=grid.sheet, columns=dict(header.columns), header_row=header.row_index + 1,
                    table=table.name if table else "", kind=book.kind, headers=dict(header.texts),
                    how=dict(header.how))
    # Settings' column_map names the headers of the register's own table (Savings), not the Options table's
    own_table = table is None or table.name == schema.TABLE_NAMES["tracker"]
    findings = _header_findings(book, grid, header, settings, layout, end_row, inferred or not own_table)
    rows = _Rows(grid, header, settings, layout, table, end_row, findings)
    rows.read()
    present, frame = rows.frame()
    if rows.group and rows.group not in header.columns:
        source.columns.setdefault(rows.group, -1)          # filled from the heading rows
    if book.kind == "xlsx" and table is None and "rag" in header.columns and len(frame):
        findings += _rag_from_colour(book, grid, header, frame)
    if inferred:
        settings.sign = _infer_sign(frame, settings.sign)
    _plan_present(layout, present, settings, header, grid.sheet, findings)
    reg = Register(layout, frame, settings, source, rows.published, findings, rows.raw, blanks=rows.blanks,
                   extras={k: text for k, (text, _) in rows.extras.items()},
                   extra_columns={k: ci for k, (_, ci) in rows.extras.items()})
    _kept_published(reg, settings, layout)
    return reg


def _rag_from_colour(book: Book, grid: Grid, header: Header, frame: Table) -> list[Finding]:
    """RAG cells coloured red, amber or green with no word in them: the colour is the officer's judgement, so
    it is read (and said, since a RAG shown by colour alone is lost on anyone who cannot see it)."""
    ci = header.columns["rag"]
    blank = [(i, int(r) - 1) for i, (v, r) in enumerate(zip(frame["rag"], frame["_row"]))
             if _blank(v)]
    if not blank:
        return []
    colours = fill_colours(book.path, grid.sheet, {(r, ci) for _, r in blank})
    out = []
    for i, r in blank:
        rag = rag_of_colour(colours.get((r, ci), ""))
        if not rag:
            continue
        frame.at[i, "rag"] = rag
        cell = f"{cells.letters(ci + 1)}{r + 1}"
        out.append(Finding(WARNING, "rag-from-colour",
                           f"the RAG of this line is shown by the cell's colour alone (#{colours[(r, ci)]}): read "
                           f"as {rag}; type '{rag}' in {cell} so it is not shown by colour alone", grid.sheet, cell,
                           _text(frame.at[i, "reference"]) if "reference" in frame else "", "rag"))
    return out


def _tracker_service(header: Header, layout: str) -> None:
    """'Service' names an option's service in budget proformas; in a tracker it is the service area the
    council groups its lines by."""
    if layout == "tracker" and "service" in header.columns and "service_area" not in header.columns:
        ci = header.columns.pop("service")
        header.columns["service_area"] = ci
        header.how[ci] = header.how.get(ci, "") + " (a tracker's service: its service area)"


def _settings_for(book: Book, grid: Grid, header: Header, settings: Settings | None, layout: str,
                  table: TableRef | None) -> tuple[Settings, bool]:
    """The register's settings and whether they were inferred: a council's file has none, so its unit comes from
    the money headers (or any header, or the title rows), its organisation, year and period from the title
    rows, its sign (later) from the figures."""
    if settings is not None:
        settings = settings.for_layout(layout)
        if header.years and not settings.years:
            settings.years = list(header.years)
        return settings, False
    top = header.row_index - (1 if header.group_cells else 0)
    facts = read_titles(grid.rows, top) if not table else None
    money_heads = [header.texts.get(ci, "") for k, ci in header.columns.items()
                   if schema.BY_KEY[k].kind == schema.MONEY]
    unit, _ = infer_unit(money_heads, "")
    if not unit:
        unit, _ = infer_unit([*header.texts.values(), *(facts.lines if facts else [])])
    settings = Settings(unit=unit, layout=layout, years=header.years,
                        sign="negative" if layout != "programme" else "positive")
    if facts is not None:
        settings.organisation = facts.organisation
        settings.title = facts.title or settings.title
        in_year = next((schema.year_label(header.texts.get(header.columns[k], "")) for k in
                        ("plan_total", "forecast_total") if k in header.columns), "")
        settings.financial_year = facts.financial_year or in_year or (
            header.years[0] if header.years and layout == "programme" else "")
        settings.period = facts.period
        settings.source = book.path.name
    return settings, True


def _header_findings(book: Book, grid: Grid, header: Header, settings: Settings, layout: str,
                     end_row: int | None, no_own_headers: bool) -> list[Finding]:
    """What the file and its header row say before any line is read: notes from the reader, merged cells
    inside the register, columns not known, repeated or renamed (``no_own_headers``: Settings' column_map is
    not this table's), and required columns missing."""
    sheet = grid.sheet
    findings = [Finding(WARNING, "file-note", n, sheet) for n in book.notes]
    findings += _merged_findings(grid, header, end_row)
    for ci, text in header.unknown:
        near = schema.nearest(text, layout=layout)
        hint = (f"; '{text}' looks like {schema.BY_KEY[near[0]].header_for(settings, layout)}: "
                f"--map '{text}={near[0]}'" if near else "")
        findings.append(Finding(WARNING, "column-unknown",
                                f"column {cells.letters(ci + 1)} '{text}' is not a register column: its values are kept "
                                f"as they are (an extra column on import), not checked{hint}", sheet,
                                f"{cells.letters(ci + 1)}{header.row_index + 1}"))
    for ci, text, key in header.repeated:
        findings.append(Finding(ERROR, "column-duplicate",
                                f"column {cells.letters(ci + 1)} '{text}' repeats column {cells.letters(header.columns[key] + 1)} "
                                f"({schema.BY_KEY[key].header_for(settings)}); only the first is read, and this "
                                f"one is kept as an extra column (not checked) - rename or delete one of them",
                                sheet, f"{cells.letters(ci + 1)}{header.row_index + 1}"))
    if not no_own_headers:
        findings += renamed_columns(header, settings, sheet)
    for c in schema.columns_for(layout, len(header.years)):
        if c.required_in(layout) and c.key not in header.columns:
            findings.append(Finding(ERROR, "column-missing",
                                    f"no '{c.header_for(settings)}' column in the header row "
                                    f"(row {header.row_index + 1}); accepted headers: "
                                    f"{', '.join([c.header_for(settings), *c.synonyms[:4]])}", sheet,
                                    f"A{header.row_index + 1}"))
    return findings


def _merged_findings(grid: Grid, header: Header, end_row: int | None) -> list[Finding]:
    """Cells merged down inside the register hold a value in their first row only: say which rows read blank."""
    used = set(header.columns.values())
    out = []
    for r1, c1, r2, c2 in grid.merged:
        if r2 > header.row_index and r1 != r2 and any(c1 <= c <= c2 for c in used) and \
                (end_row is None or r1 < end_row):
            where = f"{cells.letters(c1 + 1)}{r1 + 1}:{cells.letters(c2 + 1)}{r2 + 1}"
            out.append(Finding(WARNING, "merged-cells",
                               f"cells {where} are merged inside the register: only {cells.letters(c1 + 1)}{r1 + 1} "
                               f"holds a value, so {_rows(r1 + 2, r2 + 1)} read{'s' * (r1 + 2 == r2 + 1)} as blank there; unmerge "
                               f"them (Home > Merge & Center) and fill in each line", grid.sheet,
                               f"{cells.letters(c1 + 1)}{r1 + 1}"))
    return out


class _Rows:
    """The rows under a header, sorted one by one: lines (``records``), headings that name the lines below
    them, subtotal and total rows (``published``: checks, never lines); amounts kept as typed where they were
    text (``raw``) and money cells left blank (``blanks``)."""

    def __init__(self, grid: Grid, header: Header, settings: Settings, layout: str, table: TableRef | None,
                 end_row: int | None, findings: list[Finding]):
        self.grid, self.header, self.settings, self.layout, self.table = grid, header, settings, layout, table
        self.unit = settings.unit
        self.findings = findings
        self.keys = list(header.columns)
        self.cols = [schema.BY_KEY.get(k) for k in self.keys]
        self.money_keys = [k for k, c in zip(self.keys, self.cols) if c and c.kind in (schema.MONEY, schema.NUMBER)]
        self.header_texts = {str(c).strip() for c in header.cells if c not in (None, "")}
        self.lead_col = min((ci for k, ci in header.columns.items() if ci >= 0 and ci < len(header.cells) and
                             not _blank(header.cells[ci])), default=0)
        carried = [*header.unknown, *header.extra, *((ci, text) for ci, text, _ in header.repeated)]
        self.extras = {f"_x{n}": (text, ci) for n, (ci, text) in enumerate(sorted(carried))
                       if "(more than" not in text}
        self.records: list[dict] = []
        self.published: list[PublishedRow] = []
        self.raw: dict = {}
        self.blanks: set = set()   # (row, key) of money and number cells left blank: nil, and blank again when written
        self.programme = ""
        self.headings = self.after_total = False
        self.group = ""                           # the column heading rows fill
        self.heading_cols: set[int] = set()       # where heading rows hold their heading
        self.group_texts: list[str] = []          # heading and subtotal labels: what they may say the groups are
        self.stop = len(grid.rows) if end_row is None else min(end_row, len(grid.rows))
        self.totals_row = (self.stop - 1) if (table and table.totals_rows) else None

    def read(self) -> None:
        for ri in range(self.header.row_index + 1, self.stop):
            row = self.grid.rows[ri]
            if all(_blank(v) for v in row) or self._repeated_header(row):
                continue
            values = {k: (row[ci] if ci < len(row) else None) for k, ci in self.header.columns.items()}
            ref, title = _text(values.get("reference")), _text(values.get("title"))
            lead = ref or title or next((_text(c) for c in row if not _blank(c)), "")
            if not self._not_a_line(ri, row, values, ref, title, lead):
                self.records.append(self._record(ri + 1, row, values, ref or title[:60]))

    def _repeated_header(self, row: list) -> bool:
        """A page's header row repeated inside the register (a printed report pasted in)."""
        probe = row[self.lead_col] if self.lead_col < len(row) else None
        return type(probe) is str and probe.strip() in self.header_texts and \
            len({str(c).strip() for c in row if not _blank(c)} & self.header_texts) >= 3

    def _not_a_line(self, ri: int, row: list, values: dict, ref: str, title: str, lead: str) -> bool:
        """Sort a row that is not a line: a subtotal or total row, a note below the grand total, a heading;
        a row with neither reference nor title is reported. True when the row was sorted so."""
        excel_row, layout, table = ri + 1, self.layout, self.table
        has_money = _money_present(values, self.money_keys)
        if has_money and not table and self._notes_row(excel_row, row, values):
            return True
        if has_money and not table and layout != "programme" and (SUBTOTAL.match(lead) or self._group_total(lead)):
            return self._subtotal(excel_row, values, lead)
        if ri == self.totals_row or (TOTAL.match(lead) and has_money) or \
                (not ref and not title and has_money and layout != "programme" and not self.programme):
            self.published.append(_published("total", lead or "Total", excel_row, values, self.money_keys, self.unit))
            self.after_total = not table
            return True
        if self.after_total and not _amounts(values, self.money_keys, self.unit):
            return True     # below the grand total, a row with no amounts is a note or a RAG legend, not a line
        if layout != "programme" and not table and not has_money and lead and \
                sum(1 for c in row if not _blank(c)) == 1 and not (ref and title):
            self.programme, self.headings = lead, True   # a heading row (directorate, programme): names the lines below
            self.heading_cols.add(next(ci for ci, c in enumerate(row) if not _blank(c)))
            self.group_texts.append(lead)
            return True
        if layout != "programme" and self.headings and not ref and not title and has_money:
            return self._subtotal(excel_row, values, lead)
        if layout == "programme":
            if title and not has_money and all(_blank(v) for k, v in values.items() if k not in ("title", "programme")):
                self.programme = title
                return True
            if not title and not ref and has_money:
                return self._subtotal(excel_row, values)
        if not ref and not title:
            self.findings.append(Finding(WARNING, "row-ignored",
                                         f"row {excel_row} has no reference or title and no amounts; it is not read "
                                         f"as a line (found '{lead[:40]}')", self.grid.sheet, f"A{excel_row}"))
            return True
        return False

    def _notes_row(self, excel_row: int, row: list, values: dict) -> bool:
        """A row of notes right under the header, before any line (units under the amount columns, 'R/A/G'
        under the RAG): guidance for whoever fills the sheet in, not a line. It is said, with its text."""
        if self.records or self.published:
            return False
        texts = [_text(values.get(k)) for k in self.money_keys if not _blank(values.get(k))]
        if not texts or not all(is_unit_label(t) for t in texts):
            return False
        shown = "; ".join(_text(c) for c in row if not _blank(c))
        self.findings.append(Finding(WARNING, "row-notes",
                                     f"row {excel_row}, under the header, holds notes for whoever fills the sheet "
                                     f"in ('{shown[:80]}'), not a line: it is not read as one (it has no amounts)",
                                     self.grid.sheet, f"A{excel_row}"))
        return True

    def _group_total(self, lead: str) -> bool:
        """'Total Corporate' under the heading 'Corporate': the heading's subtotal, not the grand total."""
        if not (self.headings and self.programme):
            return False
        m = re.match(r"\s*total\s+(.+)", lead, re.I)
        return bool(m and self.programme.lower() in m.group(1).lower())

    def _subtotal(self, excel_row: int, values: dict, lead: str = "") -> bool:
        if lead:
            self.group_texts.append(lead)
        self.published.append(_published("subtotal", self.programme, excel_row, values, self.money_keys, self.unit,
                                         self.programme))
        return True

    def _record(self, excel_row: int, row: list, values: dict, label: str) -> dict:
        """One line: each cell as its column's kind reads it (amounts exactly, choices as the schema spells
        them), the heading above it, and the council's extra columns as they are."""
        rec: dict = {"_row": excel_row}
        for k, c in zip(self.keys, self.cols):
            v = values[k]
            if c is None:
                continue
            if type(v) is float and c.kind == schema.MONEY:     # the usual cell: a number, converted once
                hit = FLOAT_AMOUNTS.get(v)
                if hit is not None:
                    rec[k] = hit
                    continue
            if c.kind in (schema.MONEY, schema.NUMBER):
                rec[k] = self._amount(excel_row, k, c, v, label)
            elif c.kind == schema.CHOICE:
                rec[k] = _choice(k, v)
            else:
                rec[k] = _text(v)
        if self.layout == "programme":
            rec.setdefault("programme", self.programme)
        elif self.headings:
            rec[HEADING] = self.programme         # the group it is under: named once every heading is seen
        for name, (_, ci) in self.extras.items():
            v = row[ci] if ci < len(row) else None
            rec[name] = v.strip() if isinstance(v, str) else v
        return rec

    def _amount(self, excel_row: int, k: str, c: schema.Column, v, label: str):
        """An amount or number cell: parsed exactly; text that is not one is kept as typed and reported."""
        if v is None or (isinstance(v, str) and not v.strip()):
            self.blanks.add((excel_row, k))
        try:
            out = parse_money(v, self.unit) if c.kind == schema.MONEY else parse_number(v)
            if isinstance(v, str) and v.strip() and not _blank(v):
                self.raw[(excel_row, k)] = v.strip()
            return out
        except MoneyError as exc:
            shown = _text(v)
            self.raw[(excel_row, k)] = shown          # kept: the workbook shows what was typed
            if len(shown) > 60:
                shown = shown[:57] + "..."
            self.findings.append(Finding(
                ERROR, "money-invalid" if c.kind == schema.MONEY else "number-invalid",
                f"{c.header_for(self.settings)}: '{shown}' is not {'an amount' if c.kind == schema.MONEY else 'a number'}"
                f" ({exc}); accepted: {accepted(self.unit) if c.kind == schema.MONEY else 'a number such as -2.5'}",
                self.grid.sheet, f"{cells.letters(self.header.columns[k] + 1)}{excel_row}", label, k))
            return None

    def frame(self) -> tuple[list[str], Table]:
        """The lines as a table: the register's columns, the heading column where
        headings named the lines, the extra columns, and each line's sheet row."""
        present = list(self.header.columns)
        self.group = group = "programme" if self.layout == "programme" else self.heading_key() if self.headings else ""
        if group and self.layout != "programme":
            self._fill_group(group)
        if group and group not in present:
            present.insert(0, group)
        present += list(self.extras)
        return present, Table.from_records(self.records, [*present, "_row"])


    def heading_key(self) -> str:
        """The column heading rows fill, named from what the file says: a grouping column the headings sit in
        (their header over them), else --map 'Group=key', else a grouping word in the headings, subtotal labels
        or title rows ('Adults Directorate', 'Total Place Services', 'Savings by portfolio'); else 'group',
        a neutral name a council can rename."""
        by_col = {ci: k for k, ci in self.header.columns.items()}
        for ci in sorted(self.heading_cols):
            key = by_col.get(ci)
            if key and schema.BY_KEY[key].group:
                return key
        taken = set(self.header.columns)
        mapped = self.header.mapping.get("group")
        if mapped in schema.BY_KEY and schema.BY_KEY[mapped].group and mapped not in taken:
            return mapped
        titles = [_text(c) for r in self.grid.rows[:self.header.row_index] for c in r if isinstance(c, str)]
        for texts in (self.group_texts, titles):
            key = _group_named(texts)
            if key and key not in taken:
                return key
        return "group"

    def _fill_group(self, key: str) -> None:
        """Each line's heading into the group column; a line's own value in a council's column is kept."""
        for rec in self.records:
            heading = rec.pop(HEADING, "")
            if _blank(rec.get(key)):
                rec[key] = heading


HEADING = "_heading"
GROUP_WORDS = (("directorate", "directorate"), ("department", "directorate"), ("portfolio", "portfolio"),
               ("service area", "service_area"), ("service", "service_area"), ("division", "service_area"),
               ("programme", "programme"), ("committee", "committee"))


def _group_named(texts: list[str]) -> str:
    """The grouping most of ``texts`` name ('Adults Directorate' -> directorate), or ''."""
    counts: dict[str, int] = {}
    for text in texts:
        for word, key in GROUP_WORDS:
            if re.search(rf"\b{word}s?\b", text, re.I):
                counts[key] = counts.get(key, 0) + 1
                break
    return max(counts, key=lambda k: counts[k]) if counts else ""


def _kept_published(reg: Register, settings: Settings, layout: str) -> None:
    """Published totals kept on Settings (and an imported register's subtotal and total rows) as checks."""
    if settings.published_totals:
        reg.published.append(_published_from_settings(settings))
    for kept in settings.published_rows:
        if kept.get("layout", layout) == layout:
            pub = _published(kept.get("kind", "total"), kept.get("label", ""), 0, kept.get("values", {}),
                             list(kept.get("values", {})), settings.unit, kept.get("group", ""))
            pub.origin = kept.get("origin", "")
            reg.published.append(pub)


TOTAL = re.compile(r"^\s*(grand\s+|overall\s+|net\s+)?totals?\b", re.I)
SUBTOTAL = re.compile(r"^\s*(sub[\s-]?total|total\s+for\b|total\s+\S.*\bdirectorate\b)", re.I)
PLAN_KEYS = ("plan_total", "saving_total", *(f"plan_q{q}" for q in range(1, 5)),
             *(f"plan_y{n}" for n in range(1, schema.MAX_YEARS + 1)), *(f"saving_y{n}" for n in range(1, 6)))


def _amounts(values: dict, money_keys, unit) -> bool:
    for k in money_keys:
        v = values.get(k)
        if _blank(v):
            continue
        try:
            parse_money(v, unit)
            return True
        except MoneyError:
            pass
    return False


def _plan_present(layout, present, settings, header, sheet, findings) -> None:
    """A register with no plan or target figure cannot be tracked: say so, and what would be read as one."""
    if any(k in present for k in PLAN_KEYS):
        return
    c = schema.BY_KEY["plan_total"]
    findings.append(Finding(
        ERROR, "plan-missing",
        f"no plan or target figure: none of the columns in the header row (row {header.row_index + 1}) is a "
        f"planned saving; accepted headers: {c.header_for(settings)}, Target, Saving Target, 2025/26 Target "
        f"{settings.unit}, Original Phasing - Q1..Q4, or year columns such as 2025/26 {settings.unit} "
        f"(or name it: --map 'HEADER=plan_total')", sheet, f"A{header.row_index + 1}"))


def _infer_sign(frame: Table, default: str) -> str:
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


def _other_registers(candidates: list[Grid], read: Grid, reg: Register, mapping: dict[str, str]) -> list[Finding]:
    """Other sheets laid out as a register of the same kind (a sheet per directorate, last month's copy): only
    one sheet is read, so their lines would be left out in silence. Said as an error: choose with --sheet."""
    out = []
    for grid in candidates:
        if grid is read:
            continue
        header = find_header(grid.rows, merged=grid.merged, mapping=mapping)
        if header is None or detect_layout(header.columns) != reg.layout:
            continue
        body = sum(1 for r in grid.rows[header.row_index + 1:] if any(not _blank(c) for c in r))
        if body:
            out.append(Finding(ERROR, "sheets-several",
                               f"sheet '{grid.sheet}' also holds a {reg.layout} register (header row "
                               f"{header.row_index + 1}, {body} row{'s' * (body != 1)} below it) that was not read: "
                               f"only sheet '{read.sheet}' was. Choose the sheet with --sheet '{grid.sheet}' (or "
                               f"--sheet '{read.sheet}'), or put every line on one sheet", read.sheet))
    return out


def grid_settings(book: Book) -> Settings | None:
    for name, grid in book.grids.items():
        if name.lower() == "settings":
            return Settings.from_rows(grid.rows, origin=f"{book.path.name} sheet Settings")
    return None


def choose(book: Book, settings: Settings | None, layout: str | None, sheet: str | None,
           mapping: dict[str, str] | None = None) -> Register:
    """Pick the sheet (and table) holding the register and interpret it. ``mapping``: header text -> column
    key (``--map``), applied before recognition."""
    mapping, bad = usable_mapping(settings, mapping)
    reg = _choose(book, settings, layout, sheet, mapping)
    reg.read_findings[:0] = bad
    return reg


def _choose(book: Book, settings: Settings | None, layout: str | None, sheet: str | None,
            mapping: dict[str, str]) -> Register:
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
            header = Header(r1, rows[r1], [], mapping=mapping)
            return interpret(book, Grid(grid.sheet, rows, grid.tables, grid.merged), header, settings, layout=layout,
                             table=t,
                             end_row=r2 + 1)
    # 2. any sheet laid out as a published register
    candidates = [book.grids[sheet]] if sheet else [g for n, g in book.grids.items()
                                                    if n.lower() not in schema.SERVICE_SHEETS]
    found = []
    for grid in candidates:
        header = find_header(grid.rows, merged=grid.merged, mapping=mapping)
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
        if sheet is None:
            reg.read_findings[:0] = _other_registers(candidates, grid, reg, mapping)
        return reg
    expected = ", ".join(c.header_for(settings, layout or "tracker") for c in schema.columns_for(layout or "tracker")[:6])
    if found:
        raise UnreadableFile(f"{book.path.name}: no {layout} register found (found a {found[0]} register instead)")
    where = f"sheet '{sheet}'" if sheet else ("the file" if book.kind == "csv" else f"sheets {', '.join(book.grids)}")
    raise UnreadableFile(f"{book.path.name}: no header row found in {where}; expected a row with headers such as "
                         f"{expected}")
