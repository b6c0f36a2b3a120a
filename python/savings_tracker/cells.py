"""Cell addresses, in one convention for the whole package: rows and columns both count from 1, as Excel
numbers them ('A1' is row 1, column 1; 'J12' is row 12, column 10).

Code that indexes a grid's Python lists (0-based) converts at the call, visibly: ``letters(index + 1)``.
"""
from __future__ import annotations

import re

_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


class NotAnAddress(ValueError):
    """Text that is not an A1 cell or range address."""


def letters(col: int) -> str:
    """Column number to letters: 1 -> 'A', 27 -> 'AA'."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def number(col_letters: str) -> int:
    """Column letters to a number: 'A' -> 1, 'AA' -> 27."""
    n = 0
    for ch in col_letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def address(row: int, col: int) -> str:
    """(12, 10) -> 'J12'."""
    return f"{letters(col)}{row}"


def parse(ref) -> tuple[int, int] | None:
    """'$J$12' -> (12, 10): row and column; None where the text is not one cell address."""
    m = _A1.fullmatch(str(ref or "").strip())
    return (int(m.group(2)), number(m.group(1))) if m else None


def parse_range(ref) -> tuple[int, int, int, int] | None:
    """'A2:$U$68' (or one cell) -> (row1, col1, row2, col2); None where it is not a range address."""
    first, _, last = str(ref or "").partition(":")
    a, b = parse(first), parse(last or first)
    return (*a, *b) if a and b else None


def cell(ref) -> tuple[int, int]:
    """Like ``parse`` but raises ``NotAnAddress`` (for addresses the package wrote itself)."""
    found = parse(ref)
    if found is None:
        raise NotAnAddress(f"'{ref}' is not a cell reference such as B7")
    return found


def area(ref) -> tuple[int, int, int, int]:
    """Like ``parse_range`` but raises ``NotAnAddress``."""
    found = parse_range(ref)
    if found is None:
        raise NotAnAddress(f"'{ref}' is not a range such as A2:C9")
    return found


def is_cell(ref) -> bool:
    return parse(ref) is not None
