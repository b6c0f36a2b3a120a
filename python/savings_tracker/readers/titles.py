"""What a council's title rows (the lines above the header) say: the organisation, the register's title, the
financial year, the reporting period, and the money unit (from the title or the header cells)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..core import schema

ORGANISATION = re.compile(r"\b(council|borough|county|city|district|authority|metropolitan|combined|unitary|"
                          r"london borough|royal borough|shire)\b", re.I)
PERIOD = re.compile(r"\b((?:month|period|quarter|p|q)\s*\d{1,2}(?:\s*\([^)]*\))?)(?![\w/-])|"
                    r"\b(?:as\s+at|position\s+at|at\s+the\s+end\s+of|for\s+the\s+period(?:\s+ending)?|"
                    r"period\s+ending)\s*[:\-]?\s*(.+)$", re.I)
# a council's name run into the title with no separator: the name ends at Council (or Authority) where
# words of a register's title follow
ORGANISATION_THEN = re.compile(r"(.*?\b(?:council|authority))\s+((?:savings?|tracker|monitoring|budget|mtfs|"
                               r"efficienc|financial|revenue|delivery|programme)\w*\b.*)$", re.I)
MONTHS = ("january february march april may june july august september october november december").split()
MONTH_YEAR = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+(20\d\d)\b", re.I)

# (pattern, unit); the pattern is searched in header and title text
UNITS = (
    (re.compile(r"£\s*'?\s*000s?\b|£\s*'?\s*k\b|£\s*thousands?\b|\(\s*000s?\s*\)|\bthousands\b", re.I), "£000"),
    (re.compile(r"£\s*'?\s*m\b|£\s*millions?\b|£\s*'?\s*mn\b|\bmillions\b", re.I), "£m"),
    (re.compile(r"£(?!\s*'?\s*(?:000|k|m|mn|millions?|thousands?)\b)", re.I), "£"),
)



def is_unit_label(text: str) -> bool:
    """A cell that names a unit and nothing else ('£000', "(£'m)", '£'): a notes row under a header, not a line."""
    t = text.strip().strip("()").strip()
    return any(pattern.fullmatch(t) for pattern, _unit in UNITS)


@dataclass
class TitleFacts:
    organisation: str = ""
    title: str = ""
    financial_year: str = ""
    period: str = ""
    lines: list[str] = field(default_factory=list)


def _cell(v) -> str:
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%B %Y")
    return " ".join(str(v).split()) if v is not None else ""


def read_titles(rows: list[list], header_row: int) -> TitleFacts:
    """The text of the rows above the header (0-based ``header_row``; a two-row header's group row excluded
    by the caller) as organisation, title, year and period."""
    facts = TitleFacts()
    for r in rows[:header_row]:
        texts = [_cell(c) for c in r if c is not None and _cell(c) and not isinstance(c, (int, float))]
        if texts and len(texts) <= 3:
            facts.lines.extend(texts)
    for line in facts.lines:
        rest = line
        if not facts.organisation:
            parts = re.split(r"\s*[:|]\s+|\s+[-–]\s+", line, maxsplit=1)
            if len(parts) == 1 and (m := ORGANISATION_THEN.match(line)):
                parts = [m.group(1), m.group(2)[:1].upper() + m.group(2)[1:]]   # "... Council savings tracker"
            if ORGANISATION.search(parts[0]) and len(parts[0]) <= 80:
                facts.organisation = parts[0].strip()
                rest = parts[1].strip() if len(parts) > 1 else ""
        if not facts.financial_year and (fy := schema.year_label(line)):
            facts.financial_year = fy
        if not facts.period:
            m = PERIOD.search(line)
            if m:
                facts.period = (m.group(1) or m.group(2) or "").strip(" .,")
            elif (mm := MONTH_YEAR.search(line)):
                facts.period = f"{mm.group(1).title()} {mm.group(2)}"
        if not facts.title and rest and rest != facts.period:
            facts.title = rest
    if facts.period and facts.title.endswith(facts.period):
        facts.title = re.sub(r"\s*[-–,(]?\s*(as\s+at|position\s+at)?\s*$", "", facts.title[: -len(facts.period)],
                             flags=re.I).strip() or facts.title
    return facts


def infer_unit(texts: list[str], default: str = "£000") -> tuple[str, str]:
    """(unit, where it was seen): the unit the money headers name, else the title's; ``default`` if none."""
    counts: dict[str, int] = {}
    for t in texts:
        for rx, unit in UNITS:
            if rx.search(t or ""):
                counts[unit] = counts.get(unit, 0) + 1
                break
    if not counts:
        return default, ""
    unit = max(counts, key=lambda u: counts[u])
    return unit, "the header and title text"
