"""Snapshots of the register over time and the direction of travel, without Excel.

The ``History`` table of the workbook holds one row per line per snapshot, in the columns of
``HISTORY_HEADERS``. ``snapshot_rows`` makes this period's rows, ``directions`` compares each line with the
previous snapshot and ``direction`` is the rule for one line:

* RAG better (Red -> Amber -> Green -> Blue, BRAG's delivered) gives ↑, worse gives ↓;
* same RAG: a higher forecast saving gives ↑, a lower one ↓, equal (at the published precision) ↔;
* no previous snapshot of the line gives ↔.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from . import calc, schema
from .money import rounded, try_parse
from .register import Register
from .settings import Settings

HISTORY_HEADERS = ("Period", "Taken at", "Reference", "Title", "Plan total", "Forecast total", "Variance", "RAG",
                   "Direction")
COL = {h: i for i, h in enumerate(HISTORY_HEADERS)}
UP, SAME, DOWN = "↑", "↔", "↓"
RAG_ORDER = {**calc.RAG_ORDER, schema.BLUE: len(calc.RAG_ORDER)}   # BRAG: delivered is better than Green


def _dec(value, unit: str = "£000") -> Decimal | None:
    """A History amount; None where the snapshot had none (blank) or it cannot be read."""
    return None if value is None or value == "" else try_parse(value, unit)


def direction(prev_rag, rag, prev_forecast, forecast, settings: Settings) -> str:
    """↑, ↔ or ↓ for one line against its previous snapshot (forecasts in the register's unit and sign)."""
    if prev_rag in (None, "") and prev_forecast in (None, ""):
        return SAME
    order = RAG_ORDER
    if prev_rag in order and rag in order and prev_rag != rag:
        return UP if order[rag] > order[prev_rag] else DOWN
    prev, now = _dec(prev_forecast, settings.unit), _dec(forecast, settings.unit)
    if prev is None or now is None:
        return SAME
    dp = settings.precision
    a, b = rounded(calc.saving(prev, settings), dp), rounded(calc.saving(now, settings), dp)
    return UP if b > a else DOWN if b < a else SAME


def _key(reference, title) -> str:
    ref = str(reference or "").strip().upper()
    return ref or "T:" + str(title or "").strip().upper()


def _blank_row(row) -> bool:
    return not row or all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def clean_rows(history_rows) -> list[list]:
    """History body rows without the blank ones (an empty Excel table has one blank row), padded to width."""
    out = []
    for row in history_rows or []:
        row = list(row or [])
        if _blank_row(row):
            continue
        out.append((row + [None] * len(HISTORY_HEADERS))[: len(HISTORY_HEADERS)])
    return out


def period_label(value) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%B %Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value or "").strip()


def periods(history_rows) -> list[str]:
    """Periods in History, in the order they were first recorded."""
    seen: list[str] = []
    for row in clean_rows(history_rows):
        p = period_label(row[COL["Period"]])
        if p and p not in seen:
            seen.append(p)
    return seen


def has_period(history_rows, period) -> bool:
    want = period_label(period).casefold()
    return any(p.casefold() == want for p in periods(history_rows))


def previous_period(history_rows, period) -> str | None:
    """The snapshot to compare ``period`` with: the last one recorded before it (or the last one, if ``period``
    is new)."""
    ps = periods(history_rows)
    want = period_label(period).casefold()
    for i, p in enumerate(ps):
        if p.casefold() == want:
            return ps[i - 1] if i else None
    return ps[-1] if ps else None


def snapshot_rows(reg: Register, period, taken_at) -> list[list]:
    """This period's History rows, one per line, in sheet order; Direction left blank (see ``directions``)."""
    eff = calc.effective(reg)
    out = []
    for line in eff.records():

        def num(key):
            v = line.get(key)
            return float(v) if isinstance(v, Decimal) else None

        rag = line.get("rag", "")
        out.append([period_label(period), taken_at, line.get("reference", ""), line.get("title", ""),
                    num("plan_total"), num("forecast_total"), num("variance"), rag if rag in RAG_ORDER else "", None])
    return out


def directions(reg: Register, history_rows, period) -> list[str]:
    """Direction of travel of every line (sheet order) against the previous snapshot in ``history_rows``."""
    prev = previous_period(history_rows, period)
    before: dict[str, list] = {}
    if prev is not None:
        for row in clean_rows(history_rows):
            if period_label(row[COL["Period"]]).casefold() == prev.casefold():
                before[_key(row[COL["Reference"]], row[COL["Title"]])] = row
    out = []
    for row in snapshot_rows(reg, period, None):
        old = before.get(_key(row[COL["Reference"]], row[COL["Title"]]))
        if old is None:
            out.append(SAME)
        else:
            out.append(direction(old[COL["RAG"]], row[COL["RAG"]], old[COL["Forecast total"]],
                                 row[COL["Forecast total"]], reg.settings))
    return out
