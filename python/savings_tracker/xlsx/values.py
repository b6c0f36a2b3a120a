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


class SharedStrings:
    """The package's shared strings (``xl/sharedStrings.xml``), read on first use: a text cell that Excel or
    LibreOffice saved (``t="s"``, an index into this table) and that a plan writes again with the same text is
    left as it is, on both sheet writers."""

    PART = "xl/sharedStrings.xml"

    def __init__(self, read=None):
        self._read = read                   # () -> the part's bytes, or None when the package has none
        self._texts: list[str] | None = None

    def text(self, index) -> str | None:
        if self._texts is None:
            self._texts = _shared_texts(self._read() if self._read else None)
        try:
            i = int(index)
        except (TypeError, ValueError):
            return None
        return self._texts[i] if 0 <= i < len(self._texts) else None

    def holds(self, index, value) -> bool:
        """Whether the shared string ``index`` is the text a writer would store for ``value``."""
        return type(value) is str and self.text(index) == clean_text(value)


def _shared_texts(xml: bytes | None) -> list[str]:
    if not xml:
        return []
    from lxml import etree

    from .package import M, PARSER
    root = etree.fromstring(xml, PARSER)
    out = []
    for si in root.iterfind(f"{{{M}}}si"):       # plain text, or rich-text runs; phonetic hints are not text
        out.append("".join(t.text or "" for t in si.iter(f"{{{M}}}t")
                           if t.getparent().tag != f"{{{M}}}rPh"))
    return out
