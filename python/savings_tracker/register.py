"""The savings register: lines in a pandas DataFrame keyed by the schema's column keys, plus where each value
came from (sheet, row, column) so every finding can name its cell, plus the published total rows that the
lines are checked against.

Money columns hold ``Decimal`` (exact) or ``None`` where the cell could not be read; text columns hold
``str``. The frame has one extra column, ``_row``: the 1-based sheet row the line was read from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from . import schema
from .settings import Settings

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    severity: str
    code: str
    message: str
    sheet: str = ""
    cell: str = ""
    reference: str = ""
    column: str = ""

    def as_dict(self) -> dict:
        return {"severity": self.severity, "sheet": self.sheet, "cell": self.cell, "reference": self.reference,
                "code": self.code, "message": self.message}

    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet


@dataclass
class PublishedRow:
    """A subtotal or grand-total row as published: read as a check on the lines, never as a line."""
    kind: str                      # "subtotal" | "total"
    label: str                     # programme name or "Total PSR"
    row: int                       # 1-based sheet row
    values: dict[str, Decimal | None]  # key -> published amount (None where published as text we could not read)
    raw: dict[str, str]            # key -> cell text as published
    group: str = ""                # programme for a subtotal


def col_letter(index: int) -> str:
    """0-based column index to A1 letters."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def col_number(letters: str) -> int:
    """A1 letters to a 0-based column index ('A' -> 0)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def parse_cell(ref: str) -> tuple[int, int] | None:
    """'$J$12' -> (12, 9): the 1-based row and 0-based column of an A1 address; None if it is not one."""
    m = _A1.fullmatch(str(ref or "").strip())
    return (int(m.group(2)), col_number(m.group(1))) if m else None


def parse_area(ref: str) -> tuple[int, int, int, int] | None:
    """'A2:$U$68' (or one cell) -> (row1, col1, row2, col2): 1-based rows, 0-based columns; None if it is not one."""
    first, _, last = str(ref or "").partition(":")
    a, b = parse_cell(first), parse_cell(last or first)
    return (*a, *b) if a and b else None


@dataclass
class Source:
    path: str = ""
    sheet: str = ""
    columns: dict[str, int] = field(default_factory=dict)   # key -> 0-based sheet column
    header_row: int = 1                                       # 1-based
    table: str = ""                                           # Excel table name if read from one
    kind: str = ""                                            # csv | xlsx | workbook

    def cell(self, key: str, row: int | None) -> str:
        if key not in self.columns or not row:
            return f"row {row}" if row else ""
        return f"{col_letter(self.columns[key])}{row}"


@dataclass
class Register:
    layout: str
    lines: pd.DataFrame
    settings: Settings
    source: Source = field(default_factory=Source)
    published: list[PublishedRow] = field(default_factory=list)
    read_findings: list[Finding] = field(default_factory=list)
    raw: dict[tuple[int, str], str] = field(default_factory=dict)  # (row, key) -> original text where it was changed

    @property
    def keys(self) -> list[str]:
        return [c for c in self.lines.columns if not c.startswith("_")]

    def has(self, key: str) -> bool:
        return key in self.lines.columns

    @property
    def years(self) -> int:
        prefix = {"programme": "plan_y", "options": "saving_y"}.get(self.layout)
        return sum(1 for k in self.keys if prefix and k.startswith(prefix))

    def columns(self) -> list[schema.Column]:
        return [schema.BY_KEY[k] for k in schema.keys_for(self.layout, self.years) if k in self.lines.columns]

    def label(self, i) -> str:
        """How a finding names a line: its reference, else its title."""
        row = self.lines.loc[i]
        ref = row.get("reference") if "reference" in row else None
        if isinstance(ref, str) and ref.strip():
            return ref.strip()
        title = row.get("title") if "title" in row else None
        return str(title).strip()[:60] if isinstance(title, str) else ""

    def cell(self, i, key: str) -> str:
        return self.source.cell(key, int(self.lines.at[i, "_row"]) if "_row" in self.lines else None)

    def __len__(self) -> int:
        return len(self.lines)


def empty_lines(layout: str, years: int = 0) -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(dtype=object) for k in [*schema.keys_for(layout, years), "_row"]})
