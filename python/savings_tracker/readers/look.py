"""A first look at a file's sheets, cheap enough for every read: could it hold a business-case register? Only
then is the business-case reader (``readers.cases``) imported, so reading a tracker does not load it."""
from __future__ import annotations

from typing import Iterator

from ..core.schema import SERVICE_SHEETS   # skipped ("Start here" says "What this workbook is for": not a header)

DETECT_ROWS = 60          # a business-case register shows a table or the summary near the top of a sheet


def may_be_header(row) -> bool:
    """A short cell naming workstreams or the section."""
    for c in row:
        if isinstance(c, str) and len(c) < 40:
            low = c.lower()
            if "work" in low or low.strip() in ("section", "section letter"):
                return True
    return False


def header_candidates(book, sheet: str | None = None) -> Iterator[list]:
    """The rows near the top of each sheet (``sheet`` only, if given) that may be a business-case header."""
    for name, grid in book.grids.items():
        if (sheet and name != sheet) or name.lower() in SERVICE_SHEETS:
            continue
        for row in grid.rows[:DETECT_ROWS]:
            if may_be_header(row):
                yield row


def may_hold_cases(book, sheet: str | None = None) -> bool:
    return next(header_candidates(book, sheet), None) is not None
