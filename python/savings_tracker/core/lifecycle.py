"""The savings lifecycle (extra columns of the tracker layouts): the original RAG at budget setting against the
current one, achieved to date, still to deliver, slippage into next year, write-off and the replacement saving
that covers it. Its summary figures: delivered, at risk, slipped, written off (its checks are rules in
``validate``: lifecycle-mismatch, write-off-unexplained). All in the register's own unit and sign; exact Decimal."""
from __future__ import annotations

from decimal import Decimal

from . import calc
from .money import ZERO, total
from .register import Register

KEYS = ("original_rag", "achieved", "to_deliver", "slippage", "write_off", "write_off_reason",
        "replacement_saving", "replacement_ref")
FIGURES = ("delivered", "at_risk", "slipped", "written_off", "replaced")
#: Each figure's name wherever it is shown in full (the Summary sheet, the tracker appendix).
LABELS = {"delivered": "Delivered (achieved to date)", "at_risk": "At risk (Red and Amber)",
          "slipped": "Slipped to next year", "written_off": "Written off",
          "replaced": "Covered by replacement savings"}
#: The title of the table of these figures (the tracker appendix's caption says the same).
TITLE = "Where the savings stand"


def has_lifecycle(reg: Register) -> bool:
    return any(reg.has(k) for k in KEYS)


def is_recorded(reg: Register) -> bool:
    """Some line has a lifecycle figure or text entered. The workbook has its lifecycle columns from the start,
    blank until a council fills them (a blank amount reads as nil and is listed in ``reg.blanks``): blank
    columns are not reported as figures."""
    for k in KEYS:
        if reg.has(k):
            for row, v in zip(reg.lines["_row"].tolist(), reg.lines[k].tolist()):
                if v not in (None, "") and (int(row), k) not in reg.blanks:
                    return True
    return False


def figures(reg: Register, eff=None, columns=None) -> dict[str, Decimal] | None:
    """Delivered (achieved to date), at risk (the in-year £ at Red or Amber in the RAG analysis: forecasts rated
    Red or Amber, and any shortfall against plan), slipped, written off and replaced, in the register's sign.
    None when no line has a lifecycle figure entered, or, given ``columns`` (the keys of the table it will be
    written to, the workbook's Summary), when neither the register nor that table has a lifecycle column."""
    if columns is None and not is_recorded(reg):
        return None
    if not (has_lifecycle(reg) or any(k in KEYS for k in columns or ())):
        return None
    eff = calc.effective(reg) if eff is None else eff
    out = {k: ZERO for k in FIGURES}
    if "achieved" in eff:
        out["delivered"] = total(eff["achieved"])
    if reg.layout in ("tracker", "programme"):
        split = calc.rag_split(reg, eff)
        out["at_risk"] = total(split["Red"]) + total(split["Amber"])
    for key, name in (("slippage", "slipped"), ("write_off", "written_off"), ("replacement_saving", "replaced")):
        if key in eff:
            out[name] = total(eff[key])
    return out


def rag_moves(reg: Register) -> dict[str, int]:
    """Lines whose RAG worsened, improved or stayed since budget setting (original RAG against current)."""
    order = calc.RAG_ORDER
    moves = {"worse": 0, "better": 0, "same": 0}
    if not (reg.has("original_rag") and reg.has("rag")):
        return moves
    for a, b in zip(reg.lines["original_rag"], reg.lines["rag"]):
        if a in order and b in order:
            moves["same" if a == b else ("worse" if order[b] < order[a] else "better")] += 1
    return moves
