"""The workbook's live Excel formulas, written once: the builder writes them, Refresh writes them back (never
plain values), and restoring a typed-over cell uses the same text. Pure strings, no Excel.

Structured references are always fully qualified (``Savings[[#This Row],[A]]``, ``SUBTOTAL(109,Savings[A])``):
Excel accepts them and LibreOffice (the test-time engine) evaluates only this form.
"""
from __future__ import annotations

from ..core import schema
from ..core.calc import NO_RAG  # lines whose RAG is blank or invalid
from .. import cells

RAG_COLUMNS = (*schema.RAG_VALUES, NO_RAG)
SUMMARY_MONEY = ("plan_total", "forecast_total", "variance")


def sref(table: str, header: str, this_row: bool = False, to: str | None = None) -> str:
    """A fully qualified structured reference, e.g. ``Savings[[#This Row],[A]:[B]]``."""
    def esc(name: str) -> str:
        return "".join("'" + ch if ch in "'#[]" else ch for ch in name)

    col = f"[{esc(header)}]" + (f":[{esc(to)}]" if to else "")
    if this_row:
        return f"{table}[[#This Row],{col}]"
    return f"{table}[{col}]" if to else f"{table}{col}"


def column_formula(col: schema.Column, table: str, headers: dict[str, str], order: list[str]) -> str | None:
    """The table-column formula of a computed column (None for entered columns): a contiguous SUM over its
    phasing, or forecast − plan for the variance."""
    if col.role != schema.COMPUTED or not col.parts:
        return None
    if col.key == "variance":
        if not all(k in headers for k in col.parts):
            return None
        f, p = (headers[k] for k in col.parts)
        return f"={sref(table, f, True)}-{sref(table, p, True)}"
    parts = [k for k in col.parts if k in headers]
    if not parts:
        return None
    idx = [order.index(k) for k in parts] if all(k in order for k in parts) else []
    if idx and idx == list(range(idx[0], idx[0] + len(idx))):
        return f"=SUM({sref(table, headers[parts[0]], True, headers[parts[-1]] if len(parts) > 1 else None)})"
    return "=SUM(" + ",".join(sref(table, headers[k], True) for k in parts) + ")"


def _heads(settings) -> dict[str, str]:
    return {k: schema.BY_KEY[k].header_for(settings, "tracker")
            for k in ("committee", "rag", *SUMMARY_MONEY)}


def summary_group_row(settings, row: int, header_row: int, name: str) -> list[str]:
    """Columns B..I of one committee row of the Summary (1-based ``row``; the RAG words are in the header
    row's C..E): lines, Red, Amber, Green, No RAG, planned, forecast, variance."""
    t, h = schema.TABLE_NAMES["tracker"], _heads(settings)
    crit = '""' if name == "(none)" else f"$A{row}"
    committee = sref(t, h["committee"])
    return [f"=COUNTIFS({committee},{crit})",
            *(f"=COUNTIFS({sref(t, h['rag'])},{cells.letters(3 + k)}${header_row},{committee},{crit})"
              for k in range(len(schema.RAG_VALUES))),
            f"=B{row}-SUM(C{row}:E{row})",
            *(f"=SUMIFS({sref(t, h[key])},{committee},{crit})" for key in SUMMARY_MONEY)]


def summary_total_row(settings, row: int, header_row: int, first: int, last: int) -> list[str]:
    """Columns B..I of the Summary's Total row (committee rows ``first``..``last``, 1-based)."""
    t, h = schema.TABLE_NAMES["tracker"], _heads(settings)
    return [f"=SUM(B{first}:B{last})" if last >= first else "=0",
            *(f"=COUNTIFS({sref(t, h['rag'])},{cells.letters(3 + k)}${header_row})"
              for k in range(len(schema.RAG_VALUES))),
            f"=B{row}-SUM(C{row}:E{row})",
            *(f"=SUM({sref(t, h[key])})" for key in SUMMARY_MONEY)]


def summary_chart_row(settings, row: int, header_row: int, rag: str) -> list[str]:
    """Columns B..C (planned, forecast; a saving shown positive) of one chart-data row of the Summary."""
    t, h = schema.TABLE_NAMES["tracker"], _heads(settings)
    sign = "-" if settings.saving_sign < 0 else ""
    out = []
    for j, key in enumerate(("plan_total", "forecast_total")):
        col = cells.letters(2 + j)
        if rag in schema.RAG_VALUES:
            out.append(f"={sign}SUMIFS({sref(t, h[key])},{sref(t, h['rag'])},$A{row})")
        else:  # lines with no valid RAG: everything not counted above
            out.append(f"={sign}SUM({sref(t, h[key])})-SUM({col}{header_row + 1}:{col}{header_row + 3})")
    return out
