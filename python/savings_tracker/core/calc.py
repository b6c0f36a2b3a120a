"""The arithmetic: totals from phasing, variance, suggested RAG, summaries and the RAG £ analysis.

Everything is exact ``Decimal`` in the register's own unit and sign. A value the register typed (e.g. a
published Original Saving) is kept as typed; the derived value sits beside it so validation can compare.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from . import schema
from .money import ZERO
from .money import total as _sum_row  # exact sum, skipping cells that could not be read
from .register import Register
from .settings import Settings
from .table import Column, Table

RAG_ORDER = {"Red": 0, "Amber": 1, "Green": 2}
NO_RAG = "No RAG"


def derived(reg: Register) -> Table:
    """Each computed column as the phasing says it should be (only those whose parts the register has)."""
    out = Table(index=reg.lines.index)
    for key in ("plan_total", "forecast_total", "saving_total", "fte_total", "total"):
        parts = schema.phasing_keys(key, reg.keys)
        if parts:
            acc = [ZERO] * len(reg.lines)
            for p in parts:   # column by column: a list comprehension per column, not a Python call per line
                acc = [a + v if isinstance(v, Decimal) else a for a, v in zip(acc, reg.lines[p].tolist())]
            out[key] = acc
    # variance = forecast - plan wherever both exist: a council's tracker without a variance column still has one
    if reg.has("variance") or (reg.has("forecast_q1") and reg.has("plan_q1")) or \
            (reg.has("forecast_total") and reg.has("plan_total")):
        fc, plan = _effective_column(reg, out, "forecast_total"), _effective_column(reg, out, "plan_total")
        if fc is not None and plan is not None:
            out["variance"] = [amount_or_zero(f) - amount_or_zero(p) for f, p in zip(fc, plan)]
    return out


def _effective_column(reg: Register, calc: Table, key: str) -> list | None:
    """One column as ``effective`` gives it (typed where typed, else derived), without copying the lines."""
    typed = reg.lines[key].tolist() if key in reg.lines else None
    derived_ = calc[key].tolist() if key in calc else None
    if typed is None:
        return derived_
    if derived_ is None:
        return typed
    return [t if isinstance(t, Decimal) else c for t, c in zip(typed, derived_)]


def amount_or_zero(v) -> Decimal:
    return v if isinstance(v, Decimal) else ZERO


def effective(reg: Register, calc: Table | None = None) -> Table:
    """The lines with every computed column filled: typed values where typed, derived values where not.
    Without ``calc``, the tables ``worked`` keeps for these lines (copy it before changing it)."""
    if calc is None:
        return worked(reg)[1]
    eff = reg.lines.copy()
    for key in calc.columns:
        if key in eff:
            eff[key] = [t if isinstance(t, Decimal) else c for t, c in zip(eff[key], calc[key])]
        else:
            eff[key] = calc[key]
    return eff


def saving(amount, settings: Settings) -> Decimal:
    """A stored amount as a saving (positive = money saved), whatever the register's sign convention."""
    return amount_or_zero(amount) * settings.saving_sign


def suggest_rag(plan, forecast, complete, settings: Settings) -> str:
    """RAG from the delivery ratio forecast/plan against the Settings thresholds."""
    p, f = saving(plan, settings), saving(forecast, settings)
    if p <= 0:  # nothing to save (or a cost line): judged on not costing more than planned
        return "Green" if f >= p else "Red"
    ratio = f / p
    if ratio >= settings.green_at:
        return "Green"
    if ratio >= settings.amber_at:
        return "Amber"
    return "Red"


def suggested_rags(reg: Register, eff: Table | None = None) -> Column:
    """The suggested RAG of each line (blank outside a tracker)."""
    eff = effective(reg) if eff is None else eff
    if reg.layout != "tracker":
        return Column([""] * len(eff), eff.index)
    s = reg.settings
    comp = eff["complete"] if "complete" in eff else [""] * len(eff)
    return Column([suggest_rag(p, f, c, s) for p, f, c in zip(eff["plan_total"], eff["forecast_total"], comp)],
                  eff.index)


def delivered_pct(plan: Decimal, forecast: Decimal, settings: Settings) -> Decimal | None:
    p = saving(plan, settings)
    if p == 0:
        return None
    return (saving(forecast, settings) / p * 100).quantize(Decimal("0.1"))


def rag_split(reg: Register, eff: Table) -> Table:
    """In-year £ by RAG per line, in the register's sign. Explicit Red/Amber/Green columns win; otherwise the
    forecast goes to the line's RAG and any shortfall against plan to Red."""
    s = reg.settings
    sign = s.saving_sign
    rows = []
    explicit = all(k in eff for k in ("red", "amber", "green"))
    n = len(eff)

    def column(key):
        return eff[key] if key in eff else [None] * n

    reds, ambers, greens = column("red"), column("amber"), column("green")
    plans, fcs, rags = column("plan_total"), column("forecast_total"), column("rag")
    for j in range(n):
        split = {"Red": ZERO, "Amber": ZERO, "Green": ZERO, NO_RAG: ZERO}
        if explicit:
            split["Red"], split["Amber"], split["Green"] = amount_or_zero(reds[j]), amount_or_zero(ambers[j]), amount_or_zero(greens[j])
        else:
            plan, fc = amount_or_zero(plans[j]), amount_or_zero(fcs[j])     # in the register's sign
            rag = rags[j] if rags[j] in RAG_ORDER or rags[j] == schema.BLUE else NO_RAG
            split[rag] = split.get(rag, ZERO) + fc
            if (plan - fc) * sign > 0:                  # a shortfall (as a saving) goes to Red
                split["Red"] += plan - fc
        rows.append(split)
    blue = [schema.BLUE] if any(schema.BLUE in r for r in rows) else []
    return Table({k: [r.get(k, ZERO) for r in rows] for k in [*schema.RAG_VALUES, *blue, NO_RAG]}, index=eff.index)


def uses_blue(reg: Register) -> bool:
    """BRAG: the register rates some line Blue (delivered); its RAG counts and amounts then have a Blue column."""
    return reg.has("rag") and any(v == schema.BLUE for v in reg.lines["rag"].tolist())


def rag_categories(reg: Register) -> tuple[str, ...]:
    """The RAG categories a register's counts and amounts show: Red, Amber, Green, Blue where it uses BRAG,
    then No RAG (blank or invalid)."""
    return (*schema.RAG_VALUES, *([schema.BLUE] if uses_blue(reg) else []), NO_RAG)


def by_line_rag(reg: Register) -> dict[str, tuple[Decimal, Decimal]]:
    """Planned and forecast saving summed by each line's own RAG (Blue where the register uses BRAG; blank or
    invalid: No RAG), in the register's sign: the Summary sheet's chart ("Planned and forecast saving by the
    line's RAG"). Unlike ``rag_split`` (the RAG analysis) a shortfall stays at the line's RAG."""
    cats = rag_categories(reg)
    out = {r: (ZERO, ZERO) for r in cats}
    if not len(reg):
        return out
    eff = effective(reg)
    n = len(eff)
    rags = eff["rag"] if "rag" in eff else [None] * n
    plans = eff["plan_total"] if "plan_total" in eff else [None] * n
    fcs = eff["forecast_total"] if "forecast_total" in eff else [None] * n
    for r, p, f in zip(rags, plans, fcs):
        key = r if r in cats and r != NO_RAG else NO_RAG
        a, b = out[key]
        out[key] = (a + amount_or_zero(p), b + amount_or_zero(f))
    return out


@dataclass
class GroupSummary:
    name: str
    lines: int
    totals: dict[str, Decimal]
    rag_counts: dict[str, int]
    rag_amounts: dict[str, Decimal]
    delivered_pct: Decimal | None = None


@dataclass
class Summary:
    layout: str
    settings: Settings
    lines: int
    totals: dict[str, Decimal]
    derived_totals: dict[str, Decimal]
    rag_counts: dict[str, int]
    rag_amounts: dict[str, Decimal]
    delivered_pct: Decimal | None
    by: str
    groups: list[GroupSummary] = field(default_factory=list)

    @property
    def planned(self) -> Decimal:
        return self.totals.get("plan_total", self.totals.get("saving_total", ZERO))

    @property
    def forecast(self) -> Decimal:
        return self.totals.get("forecast_total", ZERO)


def total_keys(reg: Register) -> list[str]:
    """Money/number columns to total, in schema order (plus computed ones the register derives)."""
    keys = []
    for c in schema.columns_for(reg.layout, reg.years or schema.MAX_YEARS):
        if c.kind in (schema.MONEY, schema.NUMBER) and (reg.has(c.key) or c.role == schema.COMPUTED and (
                c.parts and schema.phasing_keys(c.key, reg.keys))):
            keys.append(c.key)
    return keys


def column_totals(frame: Table, keys) -> dict[str, Decimal]:
    return {k: _sum_row(frame[k]) if k in frame else ZERO for k in keys}


def _rag_counts(frame: Table) -> dict[str, int]:
    return _count_rags(frame["rag"].tolist() if "rag" in frame else None, len(frame))


def _count_rags(rags: list | None, n: int = 0) -> dict[str, int]:
    """Lines per RAG (anything else counts as No RAG); ``rags`` None: ``n`` lines without a RAG column."""
    counts = {"Red": 0, "Amber": 0, "Green": 0, NO_RAG: 0}
    if rags is None:
        counts[NO_RAG] = n
        return counts
    for v in rags:
        if v == schema.BLUE:              # BRAG: a delivered line is counted as Blue (only where there is one)
            counts[schema.BLUE] = counts.get(schema.BLUE, 0) + 1
            continue
        counts[v if v in RAG_ORDER else NO_RAG] += 1
    return counts


def default_group(reg: Register) -> str:
    """The grouping a register reports by: committee in a tracker that has one, else the first grouping column
    it has (directorate, portfolio, service area, programme)."""
    usual = {"tracker": "committee", "programme": "programme"}.get(reg.layout)
    if usual:
        filled = [c.key for c in schema.COLUMNS if c.group and reg.has(c.key) and
                  any(isinstance(v, str) and v.strip() for v in reg.lines[c.key].tolist())]
        if filled and usual not in filled:
            return filled[0]
    return {"tracker": "committee", "programme": "programme", "options": "portfolio",
            "cases": "section"}.get(reg.layout, "committee")


def portfolio(reference) -> str:
    """The letters that open an option reference (CYP002 -> CYP): the portfolio proformas are filed under."""
    import re
    m = re.match(r"[A-Za-z]+", str(reference or ""))
    return m.group(0).upper() if m else "(none)"


def worked(reg: Register) -> tuple[Table, Table]:
    """(derived, effective) of a register, worked out once for its lines as they are: a refresh validates,
    summarises, suggests RAGs and works out the lifecycle figures from the same two tables. They are worked out
    again when the lines, or either table, have been written to since (``Table.version``)."""
    lines = reg.lines
    kept = reg.worked
    if kept is not None:
        was, versions, frames = kept
        if was is lines and versions == (lines.version, frames[0].version, frames[1].version):
            return frames
    calc = derived(reg)
    frames = (calc, effective(reg, calc))
    reg.worked = (lines, (lines.version, calc.version, frames[1].version), frames)
    return frames


def summarise(reg: Register, by: str | None = None, frames: tuple[Table, Table] | None = None
              ) -> Summary:
    """Totals, RAG counts and amounts, and the same per group. ``frames``: ``worked(reg)`` if already computed."""
    by = by or default_group(reg)
    calc, eff = frames if frames is not None else worked(reg)
    keys = total_keys(reg)
    split = rag_split(reg, eff) if reg.layout in ("tracker", "programme") else None
    totals = column_totals(eff, keys)
    derived_totals = column_totals(calc, [k for k in keys if k in calc])
    plan_key = "plan_total" if "plan_total" in totals else None
    pct = delivered_pct(totals[plan_key], totals.get("forecast_total", ZERO), reg.settings) \
        if plan_key and "forecast_total" in totals else None
    amounts = {k: _sum_row(split[k]) for k in split.columns} if split is not None else {}
    if by == "portfolio" and "reference" in eff and not reg.has("portfolio"):   # options: CYP002 -> CYP
        eff = eff.copy()
        eff["portfolio"] = [portfolio(r) for r in eff["reference"]]
    summary = Summary(reg.layout, reg.settings, len(reg), totals, derived_totals, _rag_counts(eff), amounts, pct, by)
    if by in eff and len(eff):
        # groups by position over the column lists: a table per group costs more than the sums
        positions: dict[str, list[int]] = {}
        for j, v in enumerate(eff[by].tolist()):
            positions.setdefault(v if isinstance(v, str) and v else "(none)", []).append(j)
        columns = {k: eff[k].tolist() for k in keys if k in eff}
        rags = eff["rag"].tolist() if "rag" in eff else None
        split_cols = {k: split[k].tolist() for k in split.columns} if split is not None else {}
        for name, pos in positions.items():
            gt = {k: _sum_row([columns[k][j] for j in pos]) if k in columns else ZERO for k in keys}
            gpct = delivered_pct(gt[plan_key], gt.get("forecast_total", ZERO), reg.settings) \
                if plan_key and "forecast_total" in gt else None
            gamounts = {k: _sum_row([col[j] for j in pos]) for k, col in split_cols.items()}
            counts = _count_rags([rags[j] for j in pos]) if rags is not None else _count_rags(None, len(pos))
            summary.groups.append(GroupSummary(str(name), len(pos), gt, counts, gamounts, gpct))
    return summary
