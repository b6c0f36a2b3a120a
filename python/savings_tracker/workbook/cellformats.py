"""How the product's workbooks format cells, shared by the workbook builder and the return workbooks
(``returns.make``): money formats in the register's unit, and the rows a wrapped text cell needs."""
from __future__ import annotations

from ..core import schema
from ..core.settings import Settings


def number_format(settings: Settings, kind: str = schema.MONEY) -> str:
    places = settings.precision if kind == schema.MONEY else 1
    body = "#,##0" + ("." + "0" * places if places else "")
    return f'{body};-{body};"-"'


def label_format(settings: Settings) -> str:
    """A chart data label's number format: as ``number_format``, and nothing for nil (no label on a nil bar)."""
    return number_format(settings).rsplit(";", 1)[0] + ";"


def text_lines(text: str, width: float) -> int:
    """Lines a wrapped cell of ``width`` (Excel character units) needs for ``text`` (estimate, on the safe side:
    10pt Arial fits about 1.5 characters per unit; 1.35 leaves room for word wrapping)."""
    per_line = max(1, int(width * 1.35))
    lines = 0
    for part in str(text).split("\n"):
        words, n = part.split(" "), 0
        line = 0
        for w in words:
            need = len(w) if line == 0 else line + 1 + len(w)
            if need > per_line and line:
                n += 1
                line = len(w)
            else:
                line = need
            while line > per_line:
                n += 1
                line -= per_line
        lines += n + 1
    return lines
