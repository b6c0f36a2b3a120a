"""Plain-text and JSON views of summaries and findings, shared by the CLI and the demo."""
from __future__ import annotations

from decimal import Decimal

from . import calc, lifecycle, schema
from .cases_summary import sections_json
from .money import fmt
from .register import Finding, Register
from .validate import counts


def _num(v: Decimal | None, dp: int):
    """Money for JSON: a number at the published precision (exact; ints where the precision is 0)."""
    if v is None:
        return None
    q = v.quantize(Decimal(1).scaleb(-dp))
    return int(q) if dp == 0 else float(q)


def summary_json(reg: Register, s: calc.Summary) -> dict:
    dp = reg.settings.precision

    def money(d):
        return {k: _num(v, dp if schema.BY_KEY[k].money else 2) for k, v in d.items()}

    out = {
        "register": {"layout": reg.layout, "lines": len(reg), "organisation": reg.settings.organisation,
                     "financial_year": reg.settings.financial_year, "period": reg.settings.period,
                     "unit": reg.settings.unit, "sign": reg.settings.sign, "decimals": dp,
                     "years": reg.settings.years, "source": reg.source.path},
        "totals": money(s.totals),
        "derived_totals": money(s.derived_totals),
        "rag_counts": s.rag_counts,
        "rag_amounts": {k: _num(v, dp) for k, v in s.rag_amounts.items()},
        "delivered_pct": float(s.delivered_pct) if s.delivered_pct is not None else None,
        "by": s.by,
        "groups": [{"name": g.name, "lines": g.lines, "totals": money(g.totals), "rag_counts": g.rag_counts,
                    "rag_amounts": {k: _num(v, dp) for k, v in g.rag_amounts.items()},
                    "delivered_pct": float(g.delivered_pct) if g.delivered_pct is not None else None}
                   for g in s.groups],
    }
    if reg.layout == "cases":
        out.update(sections_json(reg, s, money))
    figures = lifecycle.figures(reg)
    if figures is not None:
        out["lifecycle"] = {**{k: _num(v, dp) for k, v in figures.items()}, "rag_since_budget": lifecycle.rag_moves(reg)}
    return out


def findings_json(findings: list[Finding]) -> dict:
    return {"findings": [f.as_dict() for f in findings], "summary": counts(findings)}


def summary_text(reg: Register, s: calc.Summary) -> str:
    st, dp = reg.settings, reg.settings.precision
    head = f"{st.title or 'Savings register'} - {st.organisation or 'organisation not set'}"
    lines = [head, f"{len(reg)} lines, {st.unit}, savings stored {st.sign}" +
             (f", {st.period_label}" if st.period_label else "")]
    keys = list(s.totals)
    width = max((len(schema.BY_KEY[k].header_for(st, reg.layout)) for k in keys), default=10)
    for k in keys:
        extra = ""
        if k in s.derived_totals and s.derived_totals[k] != s.totals[k]:
            extra = f"   (phasing adds to {fmt(st.display(s.derived_totals[k]), dp)})"
        shown = st.display(s.totals[k]) if schema.BY_KEY[k].money else s.totals[k]
        lines.append(f"  {schema.BY_KEY[k].header_for(st, reg.layout):<{width}}  "
                     f"{fmt(shown, dp if schema.BY_KEY[k].money else 2):>12}{extra}")
    if s.delivered_pct is not None:
        lines.append(f"  {'Forecast as % of plan':<{width}}  {s.delivered_pct:>11}%")
    if reg.layout != "options" and s.rag_counts.get(calc.NO_RAG, 0) < len(reg):
        rc = ", ".join(f"{k} {v}" for k, v in s.rag_counts.items() if v or k != calc.NO_RAG)
        lines.append(f"  Lines by RAG: {rc}")
        if s.rag_amounts:
            lines.append(f"  {RAG_ANALYSIS}: " + ", ".join(
                f"{k} {fmt(st.display(v), dp)}" for k, v in s.rag_amounts.items() if k != calc.NO_RAG or v))
        if reg.layout == "tracker":
            by_rag = calc.by_line_rag(reg)
            lines.append(f"  {BY_LINE_RAG} (planned / forecast): " + ", ".join(
                f"{k} {fmt(st.display(p), dp)} / {fmt(st.display(f), dp)}" for k, (p, f) in by_rag.items()
                if k != calc.NO_RAG or p or f))
    figures = lifecycle.figures(reg)
    if figures is not None:
        lines.append("  Lifecycle: " + ", ".join(f"{k.replace('_', ' ')} {fmt(v, dp)}" for k, v in figures.items()))
        moves = lifecycle.rag_moves(reg)
        if any(moves.values()):
            lines.append(f"  RAG since budget setting: {moves['worse']} worse, {moves['better']} better, "
                         f"{moves['same']} unchanged")
    if s.groups:
        lines.append(f"By {s.by}:")
        gw = max(len(g.name) for g in s.groups)
        for g in s.groups:
            if reg.layout == "cases":
                lines.append(f"  {g.name:<{gw}}  {g.lines:>3} lines  " + "  ".join(
                    f"{schema.BY_KEY[k].header_for(st, reg.layout).replace(' ' + st.unit, '').lower()} "
                    f"{fmt(g.totals.get(k), dp):>8}" for k in ("budget_planning_assumption", "forecast_saving", "total")))
                continue
            plan = g.totals.get("plan_total", g.totals.get("saving_total"))
            bits = [f"{g.lines:>3} lines", f"plan {fmt(st.display(plan), dp):>10}"]
            if "forecast_total" in g.totals:
                bits.append(f"forecast {fmt(st.display(g.totals['forecast_total']), dp):>10}")
                bits.append(f"variance {fmt(st.display(g.totals.get('variance')), dp):>8}")
            if reg.layout == "tracker":
                rags = (*schema.RAG_VALUES, schema.BLUE) if calc.uses_blue(reg) else schema.RAG_VALUES
                bits.append("/".join(r[0] for r in rags) + " "
                            + "/".join(str(g.rag_counts.get(k, 0)) for k in rags))
            elif reg.layout == "programme" and g.rag_amounts:
                bits.append("in-year R/A/G " + "/".join(fmt(st.display(g.rag_amounts[k]), dp)
                                                        for k in schema.RAG_VALUES))
            lines.append(f"  {g.name:<{gw}}  " + "  ".join(bits))
    if reg.layout != "options":
        lines.append(f"  {st.sign_note()}")
    return "\n".join(lines)


#: The names of the two RAG figures, the same wherever they are shown (README: "One definition per figure").
RAG_ANALYSIS = "In-year saving by RAG"            # calc.rag_split: forecast at the line's RAG, shortfall at Red
BY_LINE_RAG = "Planned and forecast saving by the line's RAG"   # calc.by_line_rag: the Summary sheet's chart


def findings_text(findings: list[Finding], limit: int | None = None) -> str:
    c = counts(findings)
    out = [f"{c['errors']} error(s), {c['warnings']} warning(s)"]
    shown = findings if limit is None else findings[:limit]
    for f in shown:
        where = f.where()
        ref = f" [{f.reference}]" if f.reference else ""
        out.append(f"  {f.severity.upper():7} {where}{ref} {f.code}: {f.message}")
    if limit is not None and len(findings) > limit:
        out.append(f"  ... and {len(findings) - limit} more (use --format json for all)")
    return "\n".join(out)
