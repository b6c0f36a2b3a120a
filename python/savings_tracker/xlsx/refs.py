"""Move A1 references as Excel does when whole rows are inserted into one sheet.

``RowShift(sheet, at, count)``: ``count`` rows are inserted above 1-based row ``at`` of ``sheet``. A reference
to a row at or below ``at`` moves down by ``count``, relative (``A10``) and absolute (``$A$10``) alike, because
the cell it names moved; a range that straddles ``at`` grows; anything above ``at`` stays. Whole-row ranges
(``5:7``) follow the same rule and whole-column ranges (``A:C``) never change.

Formulas are read with openpyxl's tokenizer, so text in quotes ("A10"), defined names, external references
(``[1]Sheet!A1``) and structured references (``Table[[#This Row],[Col]]``) are left as they are. Only
references to ``sheet`` move: qualified ones (``Summary!A1``, ``'Summary'!$A$1:$B$9``) anywhere, unqualified
ones only in formulas that live on ``sheet`` itself (``home``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError

from .. import cells

MAX_ROW = 1_048_576
MAX_COL = 16_384
REF_ERROR = "#REF!"


class RefError(ValueError):
    """A formula that cannot be read (it is damaged)."""


@dataclass(frozen=True)
class RowShift:
    sheet: str
    at: int
    count: int

    def row(self, r: int) -> int:
        """Where 1-based row ``r`` is after the insertion."""
        return r + self.count if r >= self.at else r

    def index(self, r0: int, *, edge: bool = False) -> int:
        """The same for a 0-based row index (drawings, VML). ``edge``: the position is the top edge of row
        ``r0`` (a corner with no offset into it), so it belongs to the row above and stays when rows are
        inserted exactly there."""
        return r0 + self.count if r0 + 1 > self.at or (r0 + 1 == self.at and not edge) else r0

    def is_sheet(self, name: str | None) -> bool:
        return name is not None and name.casefold() == self.sheet.casefold()


_CELL = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)")
_ROW = re.compile(r"(\$?)(\d+)")
_COL = re.compile(r"(\$?)([A-Za-z]{1,3})")
# [sheet!]area, where the sheet is quoted ('It''s') or plain; an area's second half may repeat the sheet
_QUOTED = r"'(?:[^']|'')+'"
_QUALIFIED = re.compile(rf"^(?P<sheet>{_QUOTED}|[^'!\[\]]+)!(?P<area>.+)$")


def _valid_col(letters: str) -> bool:
    return cells.number(letters) <= MAX_COL


def _shift_end(text: str, shift: RowShift, last: bool) -> str | None:
    """One end of an area (``$A$10``, ``10`` or ``A``) moved; None when it is not a reference; REF_ERROR when
    it is pushed off the sheet (the last end of a range is clipped at the sheet's last row instead)."""
    def moved(row: int) -> str:
        row = shift.row(row)
        return REF_ERROR if row > MAX_ROW and not last else str(min(row, MAX_ROW))

    m = _CELL.fullmatch(text)
    if m:
        if not _valid_col(m.group(2)) or not 1 <= int(m.group(4)) <= MAX_ROW:
            return None
        row = moved(int(m.group(4)))
        return row if row == REF_ERROR else f"{m.group(1)}{m.group(2)}{m.group(3)}{row}"
    m = _ROW.fullmatch(text)
    if m:
        row = moved(int(m.group(2)))
        return row if row == REF_ERROR else f"{m.group(1)}{row}"
    m = _COL.fullmatch(text)
    if m and _valid_col(m.group(2)):
        return text
    return None


def shift_area(area: str, shift: RowShift) -> str | None:
    """``A10``, ``A1:B20``, ``5:7`` or ``A:C`` after the insertion (no sheet name); None when ``area`` is not a
    reference (a name, say); ``#REF!`` when it is pushed off the sheet."""
    first, sep, second = area.partition(":")
    if not sep:
        if not _CELL.fullmatch(first):
            return None
        return _shift_end(first, shift, last=False)
    kinds = [(_CELL if _CELL.fullmatch(p) else _ROW if _ROW.fullmatch(p) else _COL if _COL.fullmatch(p) else None)
             for p in (first, second)]
    if kinds[0] is None or kinds[0] is not kinds[1]:
        return None
    a, b = _shift_end(first, shift, last=False), _shift_end(second, shift, last=True)
    if a is None or b is None:
        return None
    return REF_ERROR if REF_ERROR in (a, b) else f"{a}:{b}"


def shift_sqref(sqref: str, shift: RowShift) -> str:
    """A space-separated list of areas on ``shift.sheet`` (sqref, a merge, a table's ref). Areas pushed off the
    sheet are dropped, as Excel drops them."""
    out = []
    for token in sqref.split():
        moved = shift_area(token, shift)
        if moved != REF_ERROR:
            out.append(moved or token)
    return " ".join(out) if out != sqref.split() else sqref


def sheet_name(prefix: str) -> str:
    """'It''s' -> It's; Summary -> Summary."""
    if prefix.startswith("'") and prefix.endswith("'") and len(prefix) > 1:
        return prefix[1:-1].replace("''", "'")
    return prefix


def _shift_operand(text: str, shift: RowShift, home: str | None) -> str:
    """One range operand (``Summary!$A$1:$B$9``, ``A10``, ``Summary!A1:Summary!B2``) after the insertion."""
    if "[" in text or not text:                     # structured or external reference: not A1
        return text
    parts = _split_area_halves(text)
    if parts is None:
        return text
    (sheet1, a), (sheet2, b) = parts
    sheet = sheet1 if sheet1 is not None else home
    if sheet2 is not None and not shift.is_sheet(sheet_name(sheet2)):
        return text
    if sheet is None or ":" in sheet_name(sheet) or not shift.is_sheet(sheet_name(sheet)):
        return text                                 # another sheet, or a 3D reference (Sheet1:Sheet3!A1)
    area = a if b is None else f"{a}:{b}"
    moved = shift_area(area, shift)
    if moved is None or moved == area:
        return text
    prefix = f"{sheet1}!" if sheet1 is not None else ""
    if moved == REF_ERROR:
        return prefix + REF_ERROR
    if sheet2 is not None:                          # Summary!A1:Summary!B2 keeps its form
        x, _, y = moved.partition(":")
        return f"{prefix}{x}:{sheet2}!{y}"
    return prefix + moved


def _split_area_halves(text: str):
    """((sheet or None, first), (sheet or None, second or None)), or None when ``text`` is not A1-like."""
    m = _QUALIFIED.match(text)
    sheet, rest = (m.group("sheet"), m.group("area")) if m else (None, text)
    if "!" in rest:                                  # Summary!A1:Summary!B2
        first, sep, tail = rest.partition(":")
        m2 = _QUALIFIED.match(tail) if sep else None
        if m2 is None or "!" in first:
            return None
        return (sheet, first), (m2.group("sheet"), m2.group("area"))
    first, sep, second = rest.partition(":")
    return (sheet, first), (None, second if sep else None)


def mentions(text: str, sheet: str) -> bool:
    """Can ``text`` name ``sheet`` (as it is, or quoted with its apostrophes doubled)?"""
    folded = text.casefold()
    return sheet.casefold() in folded or sheet.replace("'", "''").casefold() in folded


_FUNC_AFTER_RANGE = re.compile(r"^(.+):([A-Za-z_][\w.]*\()$")   # 'A1:INDEX(' : a range up to a function


def shift_formula(text: str, shift: RowShift, home: str | None) -> str:
    """A formula (with or without its leading '=', as stored in the file) after the insertion; the same string
    when nothing in it moves. ``home``: the sheet the formula lives on (None for names and charts, whose
    references are always qualified). Raises RefError for a formula that cannot be read."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    if home is None or not shift.is_sheet(home):
        if not mentions(text, shift.sheet):
            return text                              # cannot name the sheet: nothing to move
    lead = "=" if text.startswith("=") else ""
    try:
        tokens = Tokenizer("=" + text[len(lead):]).items
    except (TokenizerError, IndexError, ValueError) as exc:
        raise RefError(f"the formula ={text[len(lead):]} cannot be read ({exc})") from None
    out, changed = [], False
    for t in tokens:
        value = t.value
        if t.type == Token.OPERAND and t.subtype == Token.RANGE:
            value = _shift_operand(value, shift, home)
        elif t.type == Token.FUNC and t.subtype == Token.OPEN and ":" in value:
            m = _FUNC_AFTER_RANGE.match(value)
            if m:
                value = _shift_operand(m.group(1), shift, home) + ":" + m.group(2)
        changed |= value != t.value
        out.append(value)
    return lead + "".join(out) if changed else text
