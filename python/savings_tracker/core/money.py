"""Money as exact decimals: parsing what people type, and comparing at the published precision.

Floats never decide whether two figures agree: every amount is a ``Decimal`` and comparisons are made
after rounding both sides to the register's precision (0 places for £000, 3 for £m, 2 for £).
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

UNITS = {"£": 1, "£000": 1_000, "£m": 1_000_000}
UNIT_SYNONYMS = {
    "£": "£", "gbp": "£", "pounds": "£", "£1": "£",
    "£000": "£000", "£'000": "£000", "£000s": "£000", "£k": "£000", "k": "£000", "thousands": "£000",
    "£m": "£m", "£'m": "£m", "£ 'm": "£m", "£million": "£m", "m": "£m", "millions": "£m",
}
DEFAULT_DECIMALS = {"£": 2, "£000": 0, "£m": 3}
SUFFIX_SCALE = {"k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}
LIMIT = Decimal("1e12")  # no council saving line is a trillion of anything; bigger is a typing or import error
ZERO = Decimal(0)
BLANKS = {"", "-", "–", "—", "nil", "n/a"}


class MoneyError(ValueError):
    """A cell that is not an amount; the message says what would be accepted."""


def normalise_unit(text: str) -> str:
    key = re.sub(r"\s+", "", str(text or "").strip().lower()).replace("’", "'")
    for k, v in UNIT_SYNONYMS.items():
        if re.sub(r"\s+", "", k) == key:
            return v
    raise MoneyError(f"unit {text!r} is not one of £, £000, £m")


def accepted(unit: str) -> str:
    suffix = ", 1.2m" if unit in ("£", "£000") else ", 0.5k" if unit == "£m" else ", 1.2m"
    return f"a number such as -1234, £1,234, (100), −50{suffix}; blank or '-' for nil"


FLOAT_AMOUNTS: dict[float, Decimal] = {}   # a register repeats its figures: each float converted once


def parse_money(value, unit: str = "£000") -> Decimal:
    """One cell to a Decimal in ``unit``. Blank and '-' are nil; text that is not an amount raises."""
    if value is None:
        return ZERO
    if type(value) is float:
        hit = FLOAT_AMOUNTS.get(value)
        if hit is not None:
            return hit
        if math.isnan(value) or math.isinf(value):
            raise MoneyError(f"{value!r} is not a finite amount")
        amount = _checked(Decimal(repr(value)), value)
        if len(FLOAT_AMOUNTS) < 200_000:
            FLOAT_AMOUNTS[value] = amount
        return amount
    if isinstance(value, bool):
        raise MoneyError(f"{value!r} is a true/false value, not an amount")
    if isinstance(value, Decimal):
        return _checked(value, value)
    if isinstance(value, int):
        return _checked(Decimal(value), value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise MoneyError(f"{value!r} is not a finite amount")
        return _checked(Decimal(repr(value)), value)  # repr: 0.1 stays 0.1, not 0.1000000000000000055
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        raise MoneyError(f"{value!s} is a date or time, not an amount")
    text = str(value).strip().replace("\u00a0", "").replace("\u2212", "-").replace("\u2013", "-")
    if text.lower() in BLANKS:
        return ZERO
    if text.startswith("#"):
        raise MoneyError(f"{text!r} is a spreadsheet error, not an amount")
    negative = False
    if text.startswith("£") and text[1:].lstrip()[:1] in ("(", "-"):
        text = text[1:].lstrip()                 # '£(1,250.50)', '£-450': the sign after the pound sign
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text.startswith("-"):
        negative, text = not negative, text[1:].strip()
    elif text.startswith("+"):
        text = text[1:].strip()
    text = text.replace("£", "").replace(",", "").replace(" ", "")
    scale = 1
    m = re.fullmatch(r"([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)(k|m|bn)?", text, flags=re.I)
    if not m:
        raise MoneyError(f"{str(value).strip()!r} is not an amount")
    number, suffix = m.group(1), (m.group(2) or "").lower()
    if suffix:
        scale = SUFFIX_SCALE[suffix]
    try:
        amount = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only valid literals
        raise MoneyError(f"{str(value).strip()!r} is not an amount") from None
    try:
        if suffix:
            amount = amount * scale / UNITS[unit]
        return _checked(-amount if negative else amount, value)
    except ArithmeticError:  # decimal.Overflow / Underflow from exponents such as 1e999999
        raise MoneyError(f"{str(value).strip()!r} is too large to be an amount") from None


def _checked(amount: Decimal, original) -> Decimal:
    try:
        if not amount.is_finite() or abs(amount) >= LIMIT:
            raise MoneyError(f"{original!r} is too large to be an amount")
        return amount + 0  # normalise -0 to 0
    except ArithmeticError:  # decimal.Overflow on exponents beyond the context (e.g. 1E+1000000)
        raise MoneyError(f"{original!r} is too large to be an amount") from None


def try_parse(value, unit: str = "£000") -> Decimal | None:
    """``parse_money``, or None where the cell is not an amount (callers that report it elsewhere)."""
    try:
        return parse_money(value, unit)
    except MoneyError:
        return None


def parse_number(value) -> Decimal:
    """A plain number (FTE); same rules as money without the unit."""
    return parse_money(value, "£")


def quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def rounded(amount: Decimal | None, decimals: int) -> Decimal:
    return (amount if amount is not None else ZERO).quantize(quantum(decimals), rounding=ROUND_HALF_UP)


def same(a: Decimal | None, b: Decimal | None, decimals: int) -> bool:
    """Do two amounts agree at the published precision?"""
    if a == b:              # exactly equal (most cells): no rounding needed
        return True
    return rounded(a, decimals) == rounded(b, decimals)


def fmt(amount: Decimal | None, decimals: int, *, blank_zero: bool = False, minus: str = "-") -> str:
    """As published: thousands separators, fixed places, '-' for nil when ``blank_zero``."""
    if amount is None:
        return ""
    value = rounded(amount, decimals)
    if blank_zero and value == 0:
        return "-"
    text = f"{abs(value):,.{decimals}f}"
    return f"{minus}{text}" if value < 0 else text


def total(values) -> Decimal:
    """Exact sum of amounts, ignoring cells that could not be read (they are reported elsewhere)."""
    return sum([v for v in values if v.__class__ is Decimal or isinstance(v, Decimal)], ZERO)
