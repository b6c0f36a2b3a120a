"""The savings register: lines in a column table (``core.table``) keyed by the schema's column keys, plus where each value
came from (sheet, row, column) so every finding can name its cell, plus the published total rows that the
lines are checked against.

Money columns hold ``Decimal`` (exact) or ``None`` where the cell could not be read; text columns hold
``str``. The table has one extra column, ``_row``: the 1-based sheet row the line was read from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .. import cells
from . import schema
from .settings import Settings
from .table import Table

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
    lines: tuple[int, ...] | None = None  # positions of the lines it adds up, where not a programme or all lines
    sheet: str = ""                # where it is published, if not on the register's own sheet
    cells: dict[str, str] = field(default_factory=dict)  # key -> A1 cell, if not the register's own columns
    origin: str = ""               # where it was published when not on this sheet (a council's file, on import)


@dataclass
class Source:
    path: str = ""
    sheet: str = ""
    columns: dict[str, int] = field(default_factory=dict)   # key -> 0-based sheet column
    header_row: int = 1                                       # 1-based
    table: str = ""                                           # Excel table name if read from one
    kind: str = ""                                            # csv | xlsx | workbook
    headers: dict[int, str] = field(default_factory=dict)    # 0-based column -> header text as read
    how: dict[int, str] = field(default_factory=dict)        # 0-based column -> why it was read as it was
    # which cells of the register's columns are formulas (key -> 1-based rows, the lines' and the published
    # rows'); None where the format cannot say (CSV, values from an open workbook)
    formulas: dict[str, set[int]] | None = None
    blank: dict[str, set[int]] = field(default_factory=dict)    # key -> rows whose cell is empty (no formula)
    saved: dict[tuple[int, str], object] = field(default_factory=dict)  # (row, key) -> saved result the reader
                                                                        # replaced by the value from its parts

    def cell(self, key: str, row: int | None) -> str:
        if key not in self.columns or not row:
            return f"row {row}" if row else ""
        return cells.address(row, self.columns[key] + 1)


@dataclass
class Register:
    layout: str
    lines: Table
    settings: Settings
    source: Source = field(default_factory=Source)
    published: list[PublishedRow] = field(default_factory=list)
    read_findings: list[Finding] = field(default_factory=list)
    raw: dict[tuple[int, str], str] = field(default_factory=dict)  # (row, key) -> original text where it was changed
    # (row, key) of amounts left blank: they count as nil, and a workbook built from the register leaves them blank
    blanks: set[tuple[int, str]] = field(default_factory=set)
    # columns the schema does not know, carried as they are: table column ('_x0', ...) -> header as published,
    # and -> 0-based sheet column
    extras: dict[str, str] = field(default_factory=dict)
    extra_columns: dict[str, int] = field(default_factory=dict)
    # calc.worked's (derived, effective) tables for these lines, with the versions they were worked out at
    worked: tuple | None = field(default=None, init=False, repr=False, compare=False)

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
        """The schema's columns this register has, in schema order (a column of another layout included: an
        in-year tracker may carry its MTFS years)."""
        have = set(self.lines.columns)
        return [c for c in schema.COLUMNS if c.key in have]

    def label(self, i) -> str:
        """How a finding names a line: its reference, else its title."""
        lines = self.lines
        ref = lines.at[i, "reference"] if "reference" in lines else None
        if isinstance(ref, str) and ref.strip():
            return ref.strip()
        for key in ("title", "workstream", "project"):
            title = lines.at[i, key] if key in lines else None
            if isinstance(title, str) and title.strip():
                return title.strip()[:60]
        return ""

    def cell(self, i, key: str) -> str:
        return self.source.cell(key, int(self.lines.at[i, "_row"]) if "_row" in self.lines else None)

    def __len__(self) -> int:
        return len(self.lines)

    def to_pandas(self):
        """The lines as a pandas DataFrame, for a user's own analysis (the product itself never needs pandas)."""
        return self.lines.to_pandas()


def empty_lines(layout: str, years: int = 0) -> Table:
    keys = schema.keys_for(layout, years)
    return Table({k: [] for k in [*keys, "_row"]})
