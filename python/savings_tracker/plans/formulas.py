"""The workbook's live Excel formulas, written once: the builder writes them, Refresh writes them back (never
plain values), and restoring a typed-over cell uses the same text. Pure strings, no Excel.

Structured references are always fully qualified (``Savings[[#This Row],[A]]``, ``SUBTOTAL(109,Savings[A])``):
Excel accepts them and LibreOffice (the test-time engine) evaluates only this form.
"""
from __future__ import annotations

from ..core import schema
from ..core.calc import NO_RAG  # lines whose RAG is blank or invalid
from .. import cells

RAG_COLUMNS = (*schema.RAG_VALUES, NO_RAG)   # the Summary's RAG columns of a register without BRAG
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
    parts = schema.phasing_keys(col.key, headers)     # a total with no phasing stays an entered value
    if not parts:
        return None
    idx = [order.index(k) for k in parts] if all(k in order for k in parts) else []
    if idx and idx == list(range(idx[0], idx[0] + len(idx))):
        return f"=SUM({sref(table, headers[parts[0]], True, headers[parts[-1]] if len(parts) > 1 else None)})"
    return "=SUM(" + ",".join(sref(table, headers[k], True) for k in parts) + ")"


def _heads(settings, present=None, group: str = "committee") -> dict[str, str | None]:
    """Headers the Summary formulas read; None for a column the Savings table does not have (``present``: the
    keys it has; None: the product's full tracker). ``group``: the column the Summary groups by."""
    have = set(present) if present is not None else None
    out = {k: schema.BY_KEY[k].header_for(settings, "tracker") if have is None or k in have else None
           for k in ("rag", *SUMMARY_MONEY)}
    out["group"] = schema.BY_KEY[group].header_for(settings, "tracker") if have is None or group in have else None
    out["count"] = schema.BY_KEY["title"].header_for(settings, "tracker")
    return out


def rag_columns(blue: bool = False) -> tuple[str, ...]:
    """The Summary's RAG columns: Red, Amber, Green, Blue where the register uses BRAG, No RAG."""
    return (*schema.RAG_VALUES, *([schema.BLUE] if blue else []), NO_RAG)


def summary_group_row(settings, row: int, header_row: int, name: str, present=None,
                      group: str = "committee", blue: bool = False) -> list[str]:
    """Columns B.. of one group row of the Summary (1-based ``row``; the RAG words are in the header row from
    C): lines, Red, Amber, Green, (Blue,) No RAG, planned, forecast, variance. A column the table does not
    have gives 0; with no group column the one row covers every line."""
    t, h = schema.TABLE_NAMES["tracker"], _heads(settings, present, group)
    if h["group"] is None:
        return summary_total_row(settings, row, header_row, 0, -1, present, group, blue)
    crit = '""' if name == "(none)" else f"$A{row}"
    committee = sref(t, h["group"])
    rated = len(rag_columns(blue)) - 1
    return [f"=COUNTIFS({committee},{crit})",
            *(f"=COUNTIFS({sref(t, h['rag'])},{cells.letters(3 + k)}${header_row},{committee},{crit})"
              if h["rag"] else "=0" for k in range(rated)),
            f"=B{row}-SUM(C{row}:{cells.letters(2 + rated)}{row})",
            *(f"={_sign(settings)}SUMIFS({sref(t, h[key])},{committee},{crit})" if h[key] else "=0"
              for key in SUMMARY_MONEY)]


def summary_total_row(settings, row: int, header_row: int, first: int, last: int, present=None,
                      group: str = "committee", blue: bool = False) -> list[str]:
    """Columns B.. of the Summary's Total row (group rows ``first``..``last``, 1-based)."""
    t, h = schema.TABLE_NAMES["tracker"], _heads(settings, present, group)
    lines = f"=SUM(B{first}:B{last})" if last >= first else \
        (f"=ROWS({sref(t, h['count'])})" if h["group"] is None else "=0")
    rated = len(rag_columns(blue)) - 1
    return [lines,
            *(f"=COUNTIFS({sref(t, h['rag'])},{cells.letters(3 + k)}${header_row})" if h["rag"] else "=0"
              for k in range(rated)),
            f"=B{row}-SUM(C{row}:{cells.letters(2 + rated)}{row})",
            *(f"={_sign(settings)}SUM({sref(t, h[key])})" if h[key] else "=0" for key in SUMMARY_MONEY)]


def _sign(settings) -> str:
    """The formula prefix of an amount shown under ``display_sign`` (``Settings.display_factor``)."""
    return "-" if settings.display_factor < 0 else ""


def summary_chart_row(settings, row: int, header_row: int, rag: str, present=None, blue: bool = False) -> list[str]:
    """Columns B..C (planned, forecast; signs as ``display_sign`` says) of one chart-data row of the Summary."""
    t, h = schema.TABLE_NAMES["tracker"], _heads(settings, present)
    sign = _sign(settings)
    rated = len(rag_columns(blue)) - 1
    out = []
    for j, key in enumerate(("plan_total", "forecast_total")):
        col = cells.letters(2 + j)
        if h[key] is None:
            out.append("=0")
        elif rag != NO_RAG:
            out.append(f"={sign}SUMIFS({sref(t, h[key])},{sref(t, h['rag'])},$A{row})" if h["rag"] else "=0")
        else:  # lines with no valid RAG: everything not counted above
            out.append(f"={sign}SUM({sref(t, h[key])})-SUM({col}{header_row + 1}:{col}{header_row + rated})")
    return out


def lifecycle_formulas(settings, present, layout: str = "tracker") -> dict[str, str]:
    """The Summary's lifecycle figures (``core.lifecycle.figures``) as live formulas over the Savings table:
    delivered, slipped, written off and replaced are column sums; at risk is the RAG analysis's Red and Amber
    (explicit Red/Amber columns where the table has them, else the forecast of the Red and Amber lines plus
    every line's shortfall against plan). A column the table does not have gives 0."""
    t, have = schema.TABLE_NAMES["tracker"], set(present)

    def ref(key):
        return sref(t, schema.BY_KEY[key].header_for(settings, "tracker"))

    def total(key):
        return f"SUM({ref(key)})" if key in have else "0"

    sign = _sign(settings)
    out = {"delivered": total("achieved"), "slipped": total("slippage"), "written_off": total("write_off"),
           "replaced": total("replacement_saving")}
    if layout not in ("tracker", "programme"):
        out["at_risk"] = "0"
    elif {"red", "amber", "green"} <= have:
        out["at_risk"] = f"{total('red')}+{total('amber')}"
    else:
        out["at_risk"] = _at_risk(ref, have, settings)
    order = ("delivered", "at_risk", "slipped", "written_off", "replaced")
    return {k: f"={sign}({out[k]})" if sign else f"={out[k]}" for k in order}


def _at_risk(ref, have: set, settings) -> str:
    """The forecast of the lines rated Red or Amber, plus each line's shortfall (plan - forecast where that is
    less saved than planned, in the register's sign) as ``calc.rag_split`` counts it."""
    parts = []
    if "rag" in have and "forecast_total" in have:
        parts += [f'SUMIFS({ref("forecast_total")},{ref("rag")},"{r}")' for r in ("Red", "Amber")]
    plan = ref("plan_total") if "plan_total" in have else None
    fc = ref("forecast_total") if "forecast_total" in have else None
    if plan and fc:
        short = _shortfall(plan, fc, settings.saving_sign)
        parts.append(f"SUMPRODUCT({plan},{short})-SUMPRODUCT({fc},{short})")
    elif plan or fc:              # one of the two: the other is nil, the shortfall is the plan (or the forecast)
        only = plan or fc
        less = ">" if (settings.saving_sign > 0) == bool(plan) else "<"
        parts.append(f'{"" if plan else "-"}SUMIFS({only},{only},"{less}0")')
    return "+".join(parts) or "0"


def _shortfall(plan: str, fc: str, sign: int) -> str:
    """1 for each line whose forecast saves less than its plan, else 0, as an array for SUMPRODUCT. Without
    arithmetic on the cells: a text total ('TBC') makes plan - forecast #VALUE! for the whole figure, so the
    lines are compared instead, a cell that is not a number counting as nil as the core counts it (and
    SUMPRODUCT's own arguments take text as 0). No IF or IFERROR: older Excel would need an array formula."""
    more, less = ((plan, fc) if sign > 0 else (fc, plan))     # a shortfall: ``more`` > ``less``
    num = {plan: f"ISNUMBER({plan})", fc: f"ISNUMBER({fc})"}
    return (f"(({num[more]}*{num[less]}*({more}>{less}))+((1-{num[more]})*{num[less]}*(0>{less}))"
            f"+({num[more]}*(1-{num[less]})*({more}>0)))")
