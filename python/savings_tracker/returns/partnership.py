"""The partnership model (seed 004, NI 179): organisations signed up to an efficiency target set as a share
of each one's baseline per year (3% / 3% / 3.4%, 9.4% over three years), each sending a return with its
baseline, its planned cashable efficiencies and its forecast RAG per year.

Pure Python and exact: money is ``Decimal`` pounds; a target is baseline x target % / 100, per organisation
and in total. Consolidation counts the forecasts by RAG per year and names who has and has not returned.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..core import schema
from .findings import ERROR, INFO, ReturnFinding
from .names import match

RAG = schema.RAG_VALUES                 # Red, Amber, Green
RAG_SHOWN = ("Green", "Amber", "Red")   # the seed's table order
# seed 004's definitions, printed on the return and the appendix
RAG_DEFINITIONS = {
    "Green": "On track with clearly identified plans to generate the savings target.",
    "Amber": "Some risk to achieving the target as a result of either uncertainties surrounding where the savings "
             "will arise or risks associated with the savings project. However, vast majority of savings are "
             "achievable.",
    "Red": "Significant risks associated with achieving the target.",
}
HUNDRED = Decimal(100)
_YEAR = re.compile(r"^\s*(?:fy\s*)?((?:19|20)?\d\d)\s*[/\-–]\s*((?:19|20)?\d\d)\s*$", re.I)


def year_label(value) -> str | None:
    """'2009/10', '2009-10', '2009/2010', '09/10' -> '2009/10'; anything else None."""
    if value is None or isinstance(value, bool):
        return None
    m = _YEAR.match(str(value))
    if not m:
        return None
    a, b = m.group(1), m.group(2)
    start = int(a) if len(a) == 4 else 2000 + int(a)
    end = int(b[-2:])
    if (start + 1) % 100 != end:
        return None
    return f"{start}/{end:02d}"


@dataclass
class YearReturn:
    target_pct: Decimal | None = None     # percent: 3.4 means 3.4%
    planned: Decimal | None = None        # planned cashable efficiencies, £
    rag: str | None = None                # Red | Amber | Green | None (not given)
    baseline: Decimal | None = None       # where the return gives a baseline per year


@dataclass
class OrgReturn:
    """One organisation's return as read from one file."""
    name: str                              # as the return names it
    file: str
    sheet: str = ""
    received: dt.datetime | None = None    # when the file was saved (its modification time)
    baseline: Decimal | None = None
    years: dict[str, YearReturn] = field(default_factory=dict)
    returned_by: str = ""
    named_by: str = ""                     # where the name came from: "cell B2", "column", "file name"

    def baseline_for(self, year: str) -> Decimal | None:
        y = self.years.get(year)
        return y.baseline if y is not None and y.baseline is not None else self.baseline


@dataclass
class Consolidation:
    partners: list[str]
    years: list[str]
    received: list[str]
    missing: list[str]
    organisations: list[dict]
    rag_by_year: dict[str, dict[str, int]]
    totals: dict[str, dict]
    overall: dict
    received_at: dict[str, str]
    files: dict[str, str]
    findings: list[ReturnFinding]


def target(baseline: Decimal | None, pct: Decimal | None) -> Decimal | None:
    if baseline is None or pct is None:
        return None
    return baseline * pct / HUNDRED


def pct_of(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return part / whole * HUNDRED


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if b is None:
        return a
    return b if a is None else a + b


def sorted_years(labels) -> list[str]:
    return sorted(set(labels), key=lambda y: int(y[:4]))


def choose_returns(returns: list[OrgReturn], partners: list[str] | None, findings: list[ReturnFinding]
                   ) -> dict[str, OrgReturn]:
    """One return per partner: unknown organisations are findings (not counted); of two returns from one
    organisation the later (by when it was saved, then by file name) replaces the earlier, and says so."""
    chosen: dict[str, OrgReturn] = {}
    for r in sorted(returns, key=lambda r: (r.received or dt.datetime.min, r.file)):
        name = match(r.name, partners) if partners is not None else r.name
        if name is None:
            findings.append(ReturnFinding(
                ERROR, "organisation-unknown",
                f"the return names the organisation {r.name!r} ({r.named_by}), which is not on the partner list; "
                f"it is not counted. Accepted: one of {', '.join(partners)} (case, '&'/'and' and spacing do not "
                f"matter), or add it to the partner list", r.file, r.sheet, r.named_by.removeprefix("cell "),
                r.name))
            continue
        if name in chosen:
            old = chosen[name]
            findings.append(ReturnFinding(
                INFO, "return-replaced",
                f"{r.file} is a later return from {name} than {old.file}"
                f" ({_when(r.received)} against {_when(old.received)}): it replaces it", r.file, r.sheet,
                value=old.file))
        chosen[name] = r
    return chosen


def _when(t: dt.datetime | None) -> str:
    return t.strftime("%d %b %Y %H:%M") if t else "no date"


def consolidate(returns: list[OrgReturn], partners: list[str] | None = None,
                findings: list[ReturnFinding] | None = None) -> Consolidation:
    """The review: who has and has not returned (in the partner list's order), RAG counts per year,
    target against planned per organisation and in total."""
    findings = list(findings or [])
    chosen = choose_returns(returns, partners, findings)
    order = partners if partners is not None else sorted(chosen, key=str.casefold)
    received = [p for p in order if p in chosen]
    missing = [p for p in order if p not in chosen]
    years = sorted_years(y for r in chosen.values() for y in r.years)
    rag_by_year = {y: {rag: 0 for rag in RAG_SHOWN} for y in years}
    orgs, totals = [], {y: {"baseline": None, "target": None, "planned": None} for y in years}
    for name in received:
        r = chosen[name]
        entry = {"name": name, "baseline": r.baseline, "years": {}}
        for y in years:
            yr = r.years.get(y)
            if yr is None:
                continue
            base = r.baseline_for(y)
            tgt = target(base, yr.target_pct)
            entry["years"][y] = {"target_pct": yr.target_pct, "target": tgt, "planned": yr.planned, "rag": yr.rag}
            if yr.rag in rag_by_year[y]:
                rag_by_year[y][yr.rag] += 1
            t = totals[y]
            t["baseline"] = _add(t["baseline"], base)
            t["target"] = _add(t["target"], tgt)
            t["planned"] = _add(t["planned"], yr.planned)
        orgs.append(entry)
    for y, t in totals.items():
        t["planned_pct"] = pct_of(t["planned"], t["baseline"])
    overall = {"target": None, "planned": None, "target_pct": None, "planned_pct": None}
    for t in totals.values():
        overall["target"] = _add(overall["target"], t["target"])
        overall["planned"] = _add(overall["planned"], t["planned"])
        overall["target_pct"] = _add(overall["target_pct"], pct_of(t["target"], t["baseline"]))
        overall["planned_pct"] = _add(overall["planned_pct"], t["planned_pct"])
    overall["achieved_pct"] = pct_of(overall["planned"], overall["target"])
    return Consolidation(list(order), years, received, missing, orgs, rag_by_year, totals, overall,
                         {n: chosen[n].received.strftime("%Y-%m-%d %H:%M") if chosen[n].received else ""
                          for n in received},
                         {n: chosen[n].file for n in received}, findings)


# ---- views -------------------------------------------------------------------------------------------------
def _num(v: Decimal | None, places: int = 2):
    """Exact money for JSON: a whole number as an int, else rounded to pence (or to ``places``)."""
    if v is None:
        return None
    q = v.quantize(Decimal(1).scaleb(-places))
    return int(q) if q == q.to_integral_value() else float(q)


def as_json(c: Consolidation) -> dict:
    return {
        "received": c.received,
        "missing": c.missing,
        "rag_by_year": {y: {rag: c.rag_by_year[y][rag] for rag in RAG_SHOWN} for y in c.years},
        "organisations": [
            {"name": o["name"], "baseline": _num(o["baseline"]),
             "years": {y: {"target_pct": _num(v["target_pct"], 4), "target": _num(v["target"]),
                           "planned": _num(v["planned"]), "rag": v["rag"]} for y, v in o["years"].items()}}
            for o in c.organisations],
        "totals": {y: {"baseline": _num(t["baseline"]), "target": _num(t["target"]), "planned": _num(t["planned"]),
                       "planned_pct": _num(t["planned_pct"], 2)} for y, t in c.totals.items()},
        "findings": [f.as_dict() for f in c.findings],
    }


def pounds(v: Decimal | None) -> str:
    if v is None:
        return "-"
    q = v.quantize(Decimal(1))
    return f"-£{abs(q):,}" if q < 0 else f"£{q:,}"


def percent(v: Decimal | None) -> str:
    if v is None:
        return "-"
    return f"{v.quantize(Decimal('0.1')):f}%"


def as_text(c: Consolidation) -> str:
    out = []
    out.append(f"Returns have been received from; {', '.join(c.received) or 'none'}.")
    out.append(f"Returns were not received from; {', '.join(c.missing) or 'none'}.")
    out.append("")
    out.append(f"{'Forecast RAG':<12} {'Green':>6} {'Amber':>6} {'Red':>6} {'Not given':>10}")
    for y in c.years:
        counts = c.rag_by_year[y]
        blank = len(c.received) - sum(counts.values())
        out.append(f"{y:<12} {counts['Green'] or '':>6} {counts['Amber'] or '':>6} {counts['Red'] or '':>6} "
                   f"{blank or '':>10}")
    out.append("")
    out.append(f"{'Organisation':<28} {'Year':<8} {'Baseline':>14} {'Target %':>9} {'Target':>13} "
               f"{'Planned':>13} {'RAG':<6}")
    for o in c.organisations:
        for y, v in o["years"].items():
            out.append(f"{o['name'][:28]:<28} {y:<8} {pounds(o['baseline']):>14} {percent(v['target_pct']):>9} "
                       f"{pounds(v['target']):>13} {pounds(v['planned']):>13} {v['rag'] or '-':<6}")
    for y, t in c.totals.items():
        out.append(f"{'Total':<28} {y:<8} {pounds(t['baseline']):>14} {'':>9} {pounds(t['target']):>13} "
                   f"{pounds(t['planned']):>13} planned {percent(t['planned_pct'])} of baseline")
    if c.years:
        o = c.overall
        out.append(f"Over {c.years[0]} to {c.years[-1]}: target {pounds(o['target'])} "
                   f"({percent(o['target_pct'])} of baseline), planned {pounds(o['planned'])} "
                   f"({percent(o['planned_pct'])}), {percent(o['achieved_pct'])} of the target")
    if c.findings:
        out.append("")
        out.extend(f.text() for f in c.findings)
    return "\n".join(out)
