"""Column mapping where recognition is not enough: ``--map "HEADER=key"``, what each column of a file was read
as (``savings-tracker inspect``), and whether a register was understood well enough to print figures."""
from __future__ import annotations

from dataclasses import dataclass

from .. import cells
from ..core import schema
from ..core.register import ERROR, Register
from ..errors import SavingsTrackerError

FAMILIES = ("plan_y", "saving_y", "fte_y")
KEEP = ("extra", "keep")
#: findings that mean the columns were not understood: figures printed from such a register would be wrong
#: (a missing title or a repeated column is reported by validate; the figures themselves are still read)
NOT_UNDERSTOOD = ("plan-missing", "column-renamed", "column-map-invalid", "sheets-several")


class MappingError(SavingsTrackerError):
    """A --map that names no column."""


def parse_maps(items: list[str] | None) -> dict[str, str]:
    """``["Target £000=plan_total", ...]`` -> {header: key}; a key that is no column is refused with the list."""
    out: dict[str, str] = {}
    for item in items or []:
        header, eq, key = str(item).rpartition("=")
        header, key = header.strip(), key.strip()
        if not eq or not header or not key:
            raise MappingError(f"--map '{item}': write it as HEADER=key, e.g. --map 'Target £000=plan_total'")
        if not valid_key(key):
            raise MappingError(f"--map '{item}': '{key}' is not a column key; keys: {', '.join(known_keys())}")
        out[header] = key
    return out


def valid_key(key: str) -> bool:
    if key in schema.BY_KEY or key in KEEP or key in FAMILIES:
        return True
    return any(key.startswith(f) and key[len(f):].isdigit() for f in FAMILIES)


def known_keys() -> list[str]:
    return [c.key for c in schema.COLUMNS if not c.year] + [f"{f}1..{schema.MAX_YEARS}" for f in FAMILIES] + \
        ["extra (carry as it is)"]


def own_headers(reg: Register, mapping: dict[str, str] | None = None) -> dict[str, str]:
    """The full mapping an imported workbook remembers on its Settings (header -> key): each column's header
    as the council's file has it (group and sub-header combined), so the built Tracker shows the council's
    headers and every reader reads them back; --map entries that carry a column as it is are kept too."""
    out: dict[str, str] = {}
    for key, ci in reg.source.columns.items():
        if key not in schema.BY_KEY:
            continue
        # a column filled from heading rows has no header cell: its header on the Tracker is remembered too
        text = reg.source.headers.get(ci, "") if ci >= 0 else \
            schema.BY_KEY[key].header_for(reg.settings, reg.layout, own=False)
        if text and text not in out:
            out[text] = key
    for header, key in (mapping or {}).items():
        if key in KEEP:
            out.setdefault(header, key)
    return out


@dataclass
class ColumnReport:
    column: str          # letter
    header: str          # header cell text as read (group and sub-header combined)
    read_as: str         # the column's key and header in the product, or 'not read'
    why: str


def not_understood(reg: Register) -> list[str]:
    """Why a register's columns could not be understood (empty when they were)."""
    return [f"{f.where()}: {f.message}" for f in reg.read_findings if f.severity == ERROR and f.code in NOT_UNDERSTOOD]


def column_report(reg: Register, header_texts: dict[int, str], how: dict[int, str]) -> list[ColumnReport]:
    """For each column of the file: its header cell, what it was read as and why (or that it was not)."""
    by_col = {ci: k for k, ci in reg.source.columns.items() if ci >= 0}
    extra = {ci: k for k, ci in reg.extra_columns.items()}
    out = []
    for ci in sorted(set(header_texts) | set(by_col) | set(extra)):
        text = header_texts.get(ci, "")
        if ci in by_col:
            key = by_col[ci]
            col = schema.BY_KEY[key]
            out.append(ColumnReport(cells.letters(ci + 1), text, f"{key} ({col.header_for(reg.settings, reg.layout, own=False)})",
                                    how.get(ci, "")))
        else:
            near = schema.nearest(text, layout=reg.layout) if text else []
            hint = f"; looks like {near[0]}: --map '{text}={near[0]}'" if near else ""
            why = how.get(ci) or f"not a register column: carried as an extra column{hint}"
            out.append(ColumnReport(cells.letters(ci + 1), text, "not read (kept as it is)", why))
    return out
