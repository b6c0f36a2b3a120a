"""The computed figures the core can confirm: a computed column's value worked out from its parts, for the
cells whose saved result cannot be trusted (a formula saved without its result, or a file written since its
last recalculation), and the published totals of formula cells worked out from the lines.

Pure data: which cells are formulas, and which of their saved results are untrusted, is the readers' job
(``Source.formulas``, ``Source.untrusted``); nothing here knows about Excel.
"""
from __future__ import annotations

from decimal import Decimal

from . import schema
from .money import total as money_total
from .register import Register

SUMS = ("plan_total", "forecast_total", "saving_total", "fte_total")
ORDER = (*SUMS, "variance")          # the totals first: the variance reads them


def derived(key: str, values: dict) -> Decimal | None:
    """``key``'s value from its parts in ``values`` (key -> value); None when a part cannot be read."""
    col = schema.BY_KEY[key]
    if key == "variance":
        f, p = values.get("forecast_total"), values.get("plan_total")
        return f - p if isinstance(f, Decimal) and isinstance(p, Decimal) else None
    parts = [k for k in col.parts if k in values]
    if not parts or any(not isinstance(values[k], Decimal) for k in parts):
        return None
    return sum((values[k] for k in parts), Decimal(0))


def _parts(key: str) -> tuple[str, ...]:
    """The columns ``key`` is worked out from (``derived``'s rule, in its order)."""
    return ("forecast_total", "plan_total") if key == "variance" else tuple(schema.BY_KEY[key].parts)


def computed_keys(reg: Register) -> list[str]:
    return [k for k in ORDER if reg.has(k) and (k == "variance" or schema.phasing_keys(k, reg.keys))
            and (k != "variance" or (reg.has("forecast_total") and reg.has("plan_total")))]


def derive(reg: Register, untrusted: dict[str, set[int]], *, totals_untrusted: dict[str, set[int]] | None = None
           ) -> dict[tuple[int, str], object]:
    """Replace, in place, the value of each computed cell listed in ``untrusted`` (key -> 1-based sheet rows)
    by the value its parts give, and each published total listed in ``totals_untrusted`` by what the lines
    add to. Returns {(row, key): value as it was} for the values that changed."""
    changed: dict[tuple[int, str], object] = {}
    keys = [k for k in computed_keys(reg) if untrusted.get(k)]
    if keys and len(reg):
        lines = reg.lines
        rows = [int(r) for r in lines["_row"]]
        columns = {k: lines[k].tolist() for k in {*keys, *(p for k in keys for p in _parts(k))} if reg.has(k)}
        for k in keys:                   # in ORDER: the totals first, so a variance reads its derived totals
            parts = [columns[p] for p in _parts(k) if p in columns]
            values, rows_k = columns[k], untrusted[k]
            for pos, row in enumerate(rows):
                if row not in rows_k:
                    continue
                got = [part[pos] for part in parts]
                if not got or not all(isinstance(v, Decimal) for v in got):
                    continue
                value = got[0] - got[1] if k == "variance" else sum(got, Decimal(0))
                if value != values[pos]:
                    changed[(row, k)] = values[pos]
                    values[pos] = value
            lines[k] = values
    totals: dict[str, Decimal] = {}          # each column added up once, however many total rows read it
    for pub in reg.published:
        for k in list(pub.values):
            if not totals_untrusted or pub.row not in totals_untrusted.get(k, ()) or not reg.has(k):
                continue
            if k not in totals:
                totals[k] = money_total(reg.lines[k])
            total = totals[k]
            if pub.values[k] != total:
                changed[(pub.row, k)] = pub.values[k]
                pub.values[k] = total
    return changed
