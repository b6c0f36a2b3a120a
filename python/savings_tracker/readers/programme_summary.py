"""The programme summary of a business-case paper (seed 001): ``No | Project | £'m | Section`` and a "Total" row.
It gives their sections to tables without a "Section X" title (by project name) and is read as a check on each
section's total and on the programme total, exactly across units (1.089 £m against 1,089 £000)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..cells import letters
from ..core import schema
from ..core.money import UNITS, MoneyError, accepted, normalise_unit, parse_money
from ..core.register import ERROR, WARNING, Finding, PublishedRow, Register
from .grids import Grid

SUMMARY_HEADER_CELLS = 5   # "No | Project | £'m | Section" and perhaps one more heading
UNIT_ONLY = re.compile(r"^\s*£\s*'?\s*(000|k|m)\s*$", re.I)
TOTAL = re.compile(r"^\s*(?:grand\s+)?totals?\s*(?:[:(].*)?$|^\s*totals?\s+(?:psr|programme|all)\b", re.I)


def cell_text(v) -> str:
    """A grid cell as text: blank for empty, whole numbers without '.0', line ends as '\n', trimmed."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).replace("\r\n", "\n").strip()


def name_key(text: str) -> str:
    """A name reduced for matching: 'Early Intervention & Prevention – Most Vulnerable' ->
    'early intervention and prevention most vulnerable'."""
    t = str(text or "").lower().replace("&", " and ")
    t = re.sub(r"[^a-z0-9]+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def unit_of(cells) -> str | None:
    text = " ".join(cell_text(c) for c in cells)
    if re.search(r"£\s*'?\s*000|£k\b", text, re.I):
        return "£000"
    if re.search(r"£\s*'?\s*m\b", text, re.I):
        return "£m"
    return None


def summary_header(row) -> tuple[int, int] | None:
    """(amount column, section column) of a programme summary header row such as ``| | £'m | Section``."""
    texts = [cell_text(c) for c in row]
    if sum(1 for t in texts if t) > SUMMARY_HEADER_CELLS:
        return None      # a register's own header row (a tracker may have a Section column), not this small table
    section = next((i for i, t in enumerate(texts) if name_key(t) in ("section", "section letter")), None)
    if section is None or any(schema.match_header(c, "cases") == ("workstream", "") for c in row):
        return None
    amount = next((i for i, t in enumerate(texts) if i != section and t and
                   (UNIT_ONLY.match(t) or (unit_of([t]) and re.search(r"budget planning assumption", t, re.I)))),
                  None)
    return (amount, section) if amount is not None else None


@dataclass
class SummaryItem:
    number: str
    name: str
    amount: Decimal | None
    raw: str
    section: str
    row: int                       # 1-based sheet row
    cell: str


@dataclass
class ProgrammeSummary:
    sheet: str
    unit: str
    items: list[SummaryItem] = field(default_factory=list)
    total: SummaryItem | None = None


def read_summary(grid: Grid, start: int, amount_col: int, section_col: int,
                 findings: list[Finding]) -> tuple[ProgrammeSummary, int]:
    """The programme summary table under its header row; returns it and the row index after it."""
    unit = unit_of([grid.rows[start][amount_col]]) or "£m"
    out = ProgrammeSummary(grid.sheet, unit)
    ri = start + 1
    while ri < len(grid.rows):
        row = grid.rows[ri]
        cells = [cell_text(c) for c in row]
        if not any(cells):
            if out.items:
                break
            ri += 1
            continue
        amount_text = cells[amount_col] if amount_col < len(cells) else ""
        texts = [(i, t) for i, t in enumerate(cells) if t and i not in (amount_col, section_col)]
        number = next((t for i, t in texts if re.fullmatch(r"\d+[a-z]?\.?", t)), "")
        name = next((t for i, t in texts if t != number), "")
        if not amount_text and not name:
            break
        cell = f"{letters(amount_col + 1)}{ri + 1}"
        try:
            amount = parse_money(amount_text, unit)
        except MoneyError as exc:
            amount = None
            findings.append(Finding(ERROR, "money-invalid", f"programme summary: {exc}; accepted: {accepted(unit)}",
                                    grid.sheet, cell, name[:60], "total"))
        section = cells[section_col].strip().upper() if section_col < len(cells) else ""
        item = SummaryItem(number.rstrip("."), name, amount, amount_text, section, ri + 1, cell)
        if TOTAL.match(name) and not section:
            out.total = item
            ri += 1
            break
        out.items.append(item)
        ri += 1
    return out, ri


def apply_summary(reg: Register, summary: ProgrammeSummary) -> None:
    """Sections from the summary where the tables did not give one; its figures become checks on them."""
    unit = reg.settings.unit
    by_name = [(name_key(i.name), i) for i in summary.items if i.section]
    lines = reg.lines
    for j in lines.index:
        if "section" in lines and lines.at[j, "section"]:
            continue
        project = name_key(lines.at[j, "project"] if "project" in lines else "")
        hits = [i for key, i in by_name if project and (project in key or key in project)]
        if len({i.section for i in hits}) == 1:
            if "section" not in lines:
                lines["section"] = ""
            lines.at[j, "section"] = hits[0].section
            if "section_name" not in lines:
                lines["section_name"] = ""
            if not lines.at[j, "section_name"]:
                lines.at[j, "section_name"] = hits[0].name
        else:
            reg.read_findings.append(Finding(
                WARNING, "section-unknown", f"no section for project '{lines.at[j, 'project']}': name the section "
                f"in the table's title (e.g. 'Section D - ...') or add a Section column", reg.source.sheet,
                reg.cell(j, "project") if "project" in lines else "", reg.label(j)))
    sections = lines["section"].tolist() if "section" in lines else [""] * len(lines)
    scale = Decimal(UNITS[normalise_unit(summary.unit)]) / Decimal(UNITS[unit])
    for item in summary.items:
        members = tuple(p for p, s in enumerate(sections) if item.section and s == item.section)
        value = item.amount * scale if item.amount is not None else None
        reg.published.append(PublishedRow(
            "subtotal", f"programme summary, section {item.section or '?'} ({item.name})", item.row,
            {"total": value}, {"total": f"{item.raw} {summary.unit}"}, f"section {item.section} in the programme "
            f"summary", lines=members, sheet=summary.sheet, cells={"total": item.cell}))
    if summary.total is not None:
        t = summary.total
        reg.published.append(PublishedRow(
            "total", "programme summary total", t.row, {"total": t.amount * scale if t.amount is not None else None},
            {"total": f"{t.raw} {summary.unit}"}, lines=None, sheet=summary.sheet, cells={"total": t.cell}))
