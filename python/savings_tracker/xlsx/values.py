"""What a cell holds, as both sheet writers store it (``sheet``: lxml trees; ``stream``: text): formulas
with their saved results, new saved results for formula cells, numbers, dates as Excel serials, text made
safe for XML and Excel's length limit."""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal

from .package import PatchError

EXCEL_TEXT_LIMIT = 32_767
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class CellFormula:
    """A formula for a cell (``text`` with or without the leading '='), optionally with a cached value."""
    text: str
    cached: object = None


@dataclass(frozen=True)
class CellResult:
    """A new saved result for a formula cell: its formula is kept, ``value`` becomes its cached value (a cell
    without a formula is left as it is: a user's constant is never overwritten by a result)."""
    value: object


_EPOCH = dt.datetime(1899, 12, 30)


def excel_serial(value) -> float:
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - _EPOCH
    else:
        delta = dt.datetime(value.year, value.month, value.day) - _EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6


def number_text(value, where: str) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise PatchError(f"{where}: {value} is not a number Excel can store")
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise PatchError(f"{where}: {value!r} is not a number Excel can store")
        return repr(value) if not value.is_integer() or abs(value) >= 1e16 else str(int(value))
    return str(int(value))


def clean_text(text: str) -> str:
    text = _ILLEGAL_XML.sub("", str(text))
    return text[:EXCEL_TEXT_LIMIT]
