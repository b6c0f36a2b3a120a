"""The appendix "Partnership efficiency returns": the context for ``templates/partnership.html.j2``.

A plain dict of text, as the other appendices' contexts are (``appendix.context``): who has and has not
returned, the forecast RAG counts per year, and target against planned per organisation and in total. The
formats of ``documents.render`` turn it into HTML, Word and PDF.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .partnership import RAG_DEFINITIONS, RAG_SHOWN, Consolidation, percent, pounds, pct_of

TEMPLATE = "partnership"
RAG_CSS = {"Red": "rag-red", "Amber": "rag-amber", "Green": "rag-green", None: "rag-none"}
RAG_FILL = {"Red": "E06666", "Amber": "FFC000", "Green": "6AA84F", None: "FFFFFF"}   # as appendix.context


def context(c: Consolidation, *, title: str = "Partnership efficiency returns", organisation: str = "",
            period: str = "") -> dict:
    years = c.years
    orgs = []
    for o in c.organisations:
        cells = []
        for y in years:
            v = o["years"].get(y)
            if v is None:
                cells.append({"year": y, "target_pct": "-", "target": "-", "planned": "-", "achieved": "-",
                              "rag": "Not given", "rag_css": RAG_CSS[None]})
                continue
            cells.append({"year": y, "target_pct": percent(v["target_pct"]), "target": pounds(v["target"]),
                          "planned": pounds(v["planned"]), "achieved": percent(pct_of(v["planned"], v["target"])),
                          "rag": v["rag"] or "Not given", "rag_css": RAG_CSS.get(v["rag"], "rag-none")})
        orgs.append({"name": o["name"], "baseline": pounds(o["baseline"]), "years": cells,
                     "file": c.files.get(o["name"], ""), "received": c.received_at.get(o["name"], "")})
    totals = [{"year": y, "baseline": pounds(t["baseline"]), "target": pounds(t["target"]),
               "target_pct": percent(pct_of(t["target"], t["baseline"])), "planned": pounds(t["planned"]),
               "planned_pct": percent(t["planned_pct"]), "achieved": percent(pct_of(t["planned"], t["target"]))}
              for y, t in c.totals.items()]
    o = c.overall
    span = f"{years[0]} to {years[-1]}" if years else ""
    footer = " · ".join(p for p in (organisation, period or "returns as collected") if p)
    # Word loops over flat rows: one per organisation and year, the name on its first year
    org_rows = [{"name": o["name"] if n == 0 else "", "baseline": o["baseline"], **y,
                 "rag_fill": RAG_FILL.get(y["rag"] if y["rag"] in RAG_FILL else None)}
                for o in orgs for n, y in enumerate(o["years"])]
    total_rows = [{"name": "Total" if n == 0 else "", **t} for n, t in enumerate(totals)]
    received_text = (f"Returns have been received from {len(c.received)} of {len(c.partners)} organisations: "
                     f"{', '.join(c.received) or 'none'}.")
    missing_text = f"Returns were not received from: {', '.join(c.missing) or 'none'}."
    overall_text = (f"Over {span} the organisations that returned have a target of {pounds(o['target'])} "
                    f"({percent(o['target_pct'])} of their baselines) and plan efficiencies of {pounds(o['planned'])} "
                    f"({percent(o['planned_pct'])}), {percent(o['achieved_pct'])} of the target.") if span else ""
    return {
        "org_rows": org_rows, "total_rows": total_rows, "received_text": received_text,
        "missing_text": missing_text, "overall_text": overall_text,
        "doc": {"lang": "en-GB", "template": TEMPLATE, "title": title, "organisation": organisation,
                "footer": footer, "period": period, "unit": "£",
                "generated": dt.date.today().strftime("%d %B %Y").lstrip("0"),
                # the page furniture every PDF template shares (templates/base.typ)
                "heading": title, "header_period": period,
                "document_title": " - ".join(p for p in (title, organisation, period) if p),
                "draft": "", "sign_note": ""},
        "received": c.received, "missing": c.missing, "partners": len(c.partners),
        "rag_columns": list(RAG_SHOWN),
        "rag_rows": [{"year": y, "counts": [c.rag_by_year[y][r] or "" for r in RAG_SHOWN],
                      "not_given": (len(c.received) - sum(c.rag_by_year[y].values())) or ""} for y in years],
        "years": years, "organisations": orgs, "totals": totals,
        "overall": {"span": span, "target": pounds(o["target"]), "target_pct": percent(o["target_pct"]),
                    "planned": pounds(o["planned"]), "planned_pct": percent(o["planned_pct"]),
                    "achieved": percent(o["achieved_pct"])},
        "rag_legend": [{"rag": r, "definition": RAG_DEFINITIONS[r], "css": RAG_CSS[r], "fill": RAG_FILL[r]}
                       for r in RAG_SHOWN],
        "findings": [f.text() for f in c.findings if f.severity != "info"],
    }


def write(c: Consolidation, out: Path, **kw) -> Path:
    """The appendix as HTML, Word or PDF, by the suffix of ``out`` (the formats of ``documents.render``)."""
    from ..documents.render import REGISTRY
    from ..errors import SavingsTrackerError, WriteRefused

    out = Path(out)
    fmt = next((f for f in REGISTRY.values() if f.suffix == out.suffix.lower()), None)
    if fmt is None:
        raise SavingsTrackerError(f"--appendix {out.name}: the appendix is written as "
                                  f"{', '.join(f.suffix for f in REGISTRY.values())}")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        return fmt.writer()(context(c, **kw), TEMPLATE, out, None)
    except PermissionError:
        raise WriteRefused(f"{out}: cannot write (is it open in another program?)") from None
