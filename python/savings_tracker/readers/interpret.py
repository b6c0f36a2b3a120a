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
from ..core.money import FLOAT_AMOUNTS, MoneyError, accepted, parse_money, parse_number
from ..core.register import ERROR, WARNING, Finding, PublishedRow, Register, Source
from ..core.settings import Settings
from .grids import Book, Grid, TableRef
from .titles import infer_unit, read_titles

HEADER_SCAN_ROWS = 60
KEY_COLUMNS = ("reference", "title")
SERVICE_SHEETS = {"summary", "checks", "history", "settings", "xlwings.conf", "_xlwings.conf", "lists", "start here"}


def detect_layout(keys) -> str:
    keys = set(keys)
    if keys & {"plan_q1", "forecast_q1", "plan_q2", "forecast_total", "variance"}:
        return "tracker"
    if keys & {"service", "saving_y1", "fte_y1", "gross_budget", "net_budget"}:
        return "options"
    if keys & {"plan_y1", "red", "amber", "green", "programme"}:
        return "programme"
    return "tracker"


def _cell_str(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(str(v).replace("\u00a0", " ").split())


def map_key(text) -> str:
    """A header as a mapping looks it up: case, line breaks and repeated spaces do not matter."""
    return " ".join(str(text).replace("\u00a0", " ").split()).lower()


def header_mapping(settings: Settings | None, mapping: dict[str, str] | None = None) -> dict[str, str]:
    """Header (as ``map_key`` spells it) -> column key: Settings' column_map (an imported workbook's own
    headers), then ``--map`` over it."""
    out = {map_key(k): v for k, v in (settings.column_map.items() if settings is not None else ())}
    out.update((map_key(k), v) for k, v in (mapping or {}).items())
    return out


def _key_of(mapping: dict[str, str] | None, *texts: str) -> str | None:
    if not mapping:
        return None
    for t in texts:
        k = mapping.get(map_key(t)) if t else None
        if k:
            return k
    return None


class Header:
    """The header row of a grid and what each of its cells means. ``group``: the cells of the row above (a
    two-row header: a merged group cell such as "2025/26" or "Project Phasing" over its sub-headers), combined
    with each sub-header below it. ``mapping``: header text (lower case) -> column key, from --map."""

    def __init__(self, row_index: int, cells: list, year_labels: list[str] | None = None, *, group: list | None = None,
                 mapping: dict[str, str] | None = None):
        self.row_index = row_index
        self.cells = cells
        self.group_cells = group
        self.columns: dict[str, int] = {}
        self.unknown: list[tuple[int, str]] = []
        self.repeated: list[tuple[int, str, str]] = []
        self.years: list[str] = []
        self.texts: dict[int, str] = {}          # column -> the header as read (group and sub-header combined)
        self.how: dict[int, str] = {}            # column -> why it was read as it was
        self.extra: list[tuple[int, str]] = []   # columns mapped to be carried as they are
        families: dict[str, list[tuple[int, str]]] = {}
        width = max(len(cells), len(group or []))
        for ci in range(width):
            sub = _cell_str(cells[ci]) if ci < len(cells) else ""
            top = _cell_str(group[ci]) if group and ci < len(group) else ""
            if not sub and not top:
                continue
            combined = f"{top} {sub}".strip() if top and sub and top != sub else (sub or top)
            self.texts[ci] = combined
            mapped = _key_of(mapping, combined, sub, top)
            if mapped:
                m, why, matched = self._mapped(mapped, combined), "--map", combined
                if m is None:
                    self.extra.append((ci, combined))
                    self.how[ci] = "--map: carried as an extra column"
                    continue
            else:
                m, why, matched = None, "", combined
                for text, what in ((sub, "header"),
                                   (combined, "header with the group above" if sub and top else
                                    "header (merged over both header rows)" if top else "header")):
                    if text and (m := schema.match_header(text)) is not None:
                        why, matched = what, text
                        break
            if m is None:
                self.unknown.append((ci, combined))
                continue
            key, year = m
            self.how[ci] = f"{why} '{matched if why != '--map' else combined}'" + (f" (year {year})" if year else "")
            if year:
                families.setdefault(key, []).append((ci, year))
                continue
            if key in self.columns:
                self.repeated.append((ci, combined, key))
            else:
                self.columns[key] = ci
        for prefix, cols in families.items():
            for n, (ci, year) in enumerate(cols[: schema.MAX_YEARS], start=1):
                self.columns[f"{prefix}{n}"] = ci
                if year not in self.years:
                    self.years.append(year)
            for ci, year in cols[schema.MAX_YEARS:]:
                self.unknown.append((ci, f"{year} (more than {schema.MAX_YEARS} years)"))
        if "title" not in self.columns and "description" in self.columns:
            # "Saving Description" is how many councils name their lines: with no Title column it is the title
            ci = self.columns.pop("description")
            self.columns["title"] = ci
            self.how[ci] += " (the register has no Title column: its description names each line)"

    @staticmethod
    def _mapped(key: str, text: str):
        if key in ("extra", "keep"):
            return None
        if key.endswith("_y") or key in ("plan_y", "saving_y", "fte_y"):
            return key, schema.year_label(text) or "Year"
        for prefix in ("plan_y", "saving_y", "fte_y"):
            if key.startswith(prefix) and key[len(prefix):].isdigit():
                return prefix, schema.year_label(text) or f"Year {key[len(prefix):]}"
        return key, ""

    def headerless_title(self, rows: list[list], first_data: int) -> None:
        """A first column with no header cell that holds text (seed 000's projects, programme headings and
        subtotal rows) is the lines' title when the register has none."""
        if "title" in self.columns:
            return
        used = set(self.columns.values()) | {ci for ci, _ in self.unknown} | {ci for ci, _ in self.extra}
        first = min(used) if used else 0
        for ci in range(0, first):
            texts = [r[ci] for r in rows[first_data:first_data + 30] if ci < len(r) and isinstance(r[ci], str)
                     and r[ci].strip()]
            if len(texts) >= 1:
                self.columns["title"] = ci
                self.texts[ci] = ""
                self.how[ci] = "a first column with no header that holds text: read as the title of each line"
                return

    @property
    def score(self) -> int:
        return len(self.columns)


def find_header(rows: list[list], start: int = 0, stop: int | None = None, *, merged=(),
                mapping: dict[str, str] | None = None) -> Header | None:
    """The header row: the first row (of the first ``HEADER_SCAN_ROWS``) that names at least three register
    columns including a reference or title (a first text column with no header counts as the title); combined
    with the row above it when that makes a two-row header read better."""
    stop = min(len(rows), stop if stop is not None else start + HEADER_SCAN_ROWS)
    for ri in range(start, stop):
        row = rows[ri]
        if sum(1 for c in row if c not in (None, "")) < 2:
            continue
        best = _header_at(rows, ri, merged, mapping)
        if best is None:
            continue
        if ri + 1 < len(rows):          # this row may be the group row of a two-row header
            below = _header_at(rows, ri + 1, merged, mapping, only_two_row=True)
            if below is not None and below.score > best.score:
                best = below
        return best
    return None


def _group_row(rows: list[list], ri: int, merged) -> list | None:
    """The row above ``ri`` as group cells over the sub-headers: a merged cell spans its columns; without merge
    information a group cell runs right until the next group cell (over non-blank sub-headers)."""
    if ri == 0:
        return None
    above = list(rows[ri - 1])
    sub = rows[ri]
    if sum(1 for c in above if not _blank(c)) < 1:
        return None
    width = max(len(above), len(sub))
    above += [None] * (width - len(above))
    spans = [(c1, c2) for r1, c1, r2, c2 in merged if r1 == ri - 1 and c2 > c1]
    if spans:
        for c1, c2 in spans:
            for c in range(c1 + 1, c2 + 1):
                above[c] = above[c1]
        return above
    carry = None
    for c in range(width):
        if not _blank(above[c]):
            carry = above[c]
        elif carry is not None and c < len(sub) and not _blank(sub[c]):
            above[c] = carry
        else:
            carry = None
    return above


def _header_at(rows, ri, merged, mapping, only_two_row=False) -> Header | None:
    row = rows[ri]
    options = []
    group = _group_row(rows, ri, merged)
    if not only_two_row:
        options.append(Header(ri, row, [], mapping=mapping))
    if group is not None:
        options.append(Header(ri, row, [], group=group, mapping=mapping))
    best = None
    for h in options:
        h.headerless_title(rows, ri + 1)
        if h.score >= 3 and any(k in h.columns for k in KEY_COLUMNS) and (best is None or h.score > best.score):
            best = h
    return best


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


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _money_present(values: dict, money_keys) -> bool:
    return any(not _blank(values.get(k)) for k in money_keys)


def interpret(book: Book, grid: Grid, header: Header, settings: Settings | None, *, layout: str | None = None,
              table: TableRef | None = None, end_row: int | None = None) -> Register:
    keys = list(header.columns)
    layout = layout or detect_layout(keys)
    facts = None
    if settings is None:
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
        inferred = True
    else:
        inferred = False
        settings = settings.for_layout(layout)
        if header.years and not settings.years:
            settings.years = list(header.years)
    unit = settings.unit
    sheet = grid.sheet
    source = Source(path=str(book.path), sheet=sheet, columns=dict(header.columns), header_row=header.row_index + 1,
                    table=table.name if table else "", kind=book.kind, headers=dict(header.texts),
                    how=dict(header.how))
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
                                f"({schema.BY_KEY[key].header_for(settings)}); only the first is read - delete or "
                                f"rename one of them", sheet, f"{cells.letters(ci + 1)}{header.row_index + 1}"))
    if not inferred:
        findings += _renamed_columns(header, settings, sheet)
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
    lead_col = min((ci for k, ci in header.columns.items() if ci >= 0 and ci < len(header.cells) and
                    not _blank(header.cells[ci])), default=0)
    records, published = [], []
    extras = {f"_x{n}": (text, ci) for n, (ci, text) in enumerate(sorted([*header.unknown, *header.extra]))
              if "(more than" not in text}
    programme = ""
    headings = after_total = False
    stop = len(grid.rows) if end_row is None else min(end_row, len(grid.rows))
    totals_row = (stop - 1) if (table and table.totals_rows) else None
    first = header.row_index + 1
    raw: dict = {}
    blanks: set = set()     # (row, key) of money and number cells left blank: nil, and blank again when written
    for ri in range(first, stop):
        row = grid.rows[ri]
        excel_row = ri + 1
        values = {k: (row[ci] if ci < len(row) else None) for k, ci in header.columns.items()}
        if all(_blank(v) for v in row):
            continue
        probe = row[lead_col] if lead_col < len(row) else None
        if type(probe) is str and probe.strip() in header_texts and \
                len({str(c).strip() for c in row if not _blank(c)} & header_texts) >= 3:
            continue                            # a page's repeated header row
        ref, title = _text(values.get("reference")), _text(values.get("title"))
        lead = ref or title or next((_text(c) for c in row if not _blank(c)), "")
        has_money = _money_present(values, money_keys)
        if has_money and not table and SUBTOTAL.match(lead) and layout != "programme":
            published.append(_published("subtotal", programme, excel_row, values, money_keys, unit, programme))
            continue
        if ri == totals_row or (TOTAL.match(lead) and has_money) or \
                (not ref and not title and has_money and layout != "programme" and not programme):
            published.append(_published("total", lead or "Total", excel_row, values, money_keys, unit))
            after_total = not table
            continue
        if after_total and not _amounts(values, money_keys, unit):
            continue        # below the grand total, a row with no amounts is a note or a RAG legend, not a line
        if layout != "programme" and not table and not has_money and lead and \
                sum(1 for c in row if not _blank(c)) == 1 and not (ref and title):
            programme, headings = lead, True      # a heading row (directorate, programme): names the lines below
            continue
        if layout != "programme" and headings and not ref and not title and has_money:
            published.append(_published("subtotal", programme, excel_row, values, money_keys, unit, programme))
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
            if type(v) is float and c.kind == schema.MONEY:     # the usual cell: a number, converted once
                hit = FLOAT_AMOUNTS.get(v)
                if hit is not None:
                    rec[k] = hit
                    continue
            if c.kind in (schema.MONEY, schema.NUMBER):
                if v is None or (isinstance(v, str) and not v.strip()):
                    blanks.add((excel_row, k))
                try:
                    rec[k] = parse_money(v, unit) if c.kind == schema.MONEY else parse_number(v)
                    if isinstance(v, str) and v.strip() and not _blank(v):
                        raw[(excel_row, k)] = v.strip()
                except MoneyError as exc:
                    rec[k] = None
                    shown = _text(v)
                    raw[(excel_row, k)] = shown          # kept: the workbook shows what was typed
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
        if layout == "programme" or headings:
            rec.setdefault("programme", programme)
        for name, (_, ci) in extras.items():
            v = row[ci] if ci < len(row) else None
            rec[name] = v.strip() if isinstance(v, str) else v
        records.append(rec)
    present = list(header.columns)
    if (layout == "programme" or headings) and "programme" not in present:
        present.insert(0, "programme")
        source.columns.setdefault("programme", -1)
    present += list(extras)
    frame = pd.DataFrame.from_records(records, columns=[*present, "_row"]) if records else \
        pd.DataFrame({k: pd.Series(dtype=object) for k in [*present, "_row"]})
    frame = frame.astype(object)
    frame.index = pd.RangeIndex(len(frame))
    if inferred:
        settings.sign = _infer_sign(frame, settings.sign)
    _plan_present(layout, present, settings, header, sheet, findings)
    reg = Register(layout, frame, settings, source, published, findings, raw, blanks=blanks,
                   extras={k: text for k, (text, _) in extras.items()},
                   extra_columns={k: ci for k, (_, ci) in extras.items()})
    if settings.published_totals:
        reg.published.append(_published_from_settings(settings))
    for kept in settings.published_rows:             # an imported register's subtotal and total rows
        if kept.get("layout", layout) == layout:
            pub = _published(kept.get("kind", "total"), kept.get("label", ""), 0, kept.get("values", {}),
                             list(kept.get("values", {})), unit, kept.get("group", ""))
            pub.origin = kept.get("origin", "")
            reg.published.append(pub)
    return reg


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


def _renamed_columns(header: Header, settings: Settings, sheet: str) -> list[Finding]:
    """An imported workbook's own headers (Settings' column_map) that its table no longer has: a header renamed
    on the sheet, or in column_map, is said so, never read as something else in silence."""
    if not settings.column_map:
        return []
    present = {map_key(t): ci for ci, t in header.texts.items()}
    by_key = {k: ci for k, ci in header.columns.items()}
    out = []
    for text, key in settings.column_map.items():
        if map_key(text) in present or key not in schema.BY_KEY:
            continue
        fix = (f"put the header back, or write the new header in place of '{text}' in column_map on the "
               f"Settings sheet")
        where = f"A{header.row_index + 1}"
        if key in by_key:
            ci = by_key[key]
            out.append(Finding(WARNING, "column-renamed",
                               f"Settings' column_map reads '{text}' as {key}, but the table has no such header; "
                               f"column {cells.letters(ci + 1)} '{header.texts.get(ci, '')}' was read as {key} "
                               f"instead: {fix}", sheet, f"{cells.letters(ci + 1)}{header.row_index + 1}"))
            continue
        now = ", ".join(f"'{t}'" for t in header.texts.values() if t)
        out.append(Finding(ERROR, "column-renamed",
                           f"Settings' column_map reads '{text}' as {key}, but the table has no such header, so no "
                           f"column is read as {key}; headers now: {now}: {fix}", sheet, where))
    return out


def usable_mapping(settings: Settings | None, mapping: dict[str, str] | None = None
                   ) -> tuple[dict[str, str], list[Finding]]:
    """``header_mapping`` less the entries of Settings' column_map (as a user may have edited it) that name no
    column key: those are reported, not used."""
    from .mapping import known_keys, valid_key
    own = settings.column_map if settings is not None else {}
    bad = {h: k for h, k in own.items() if not isinstance(k, str) or not valid_key(k)}
    findings = [Finding(ERROR, "column-map-invalid",
                        f"Settings' column_map reads '{h}' as '{k}', which is not a column key (keys: "
                        f"{', '.join(known_keys())}); correct it on the Settings sheet", "Settings")
                for h, k in bad.items()]
    out = header_mapping(settings, mapping)
    for h in bad:
        if map_key(h) not in {map_key(m) for m in (mapping or {})}:
            out.pop(map_key(h), None)
    return out, findings


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
    candidates = [book.grids[sheet]] if sheet else [g for n, g in book.grids.items() if n.lower() not in SERVICE_SHEETS]
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
        return reg
    expected = ", ".join(c.header_for(settings, layout or "tracker") for c in schema.columns_for(layout or "tracker")[:6])
    if found:
        raise UnreadableFile(f"{book.path.name}: no {layout} register found (found a {found[0]} register instead)")
    where = f"sheet '{sheet}'" if sheet else ("the file" if book.kind == "csv" else f"sheets {', '.join(book.grids)}")
    raise UnreadableFile(f"{book.path.name}: no header row found in {where}; expected a row with headers such as "
                         f"{expected}")
