"""The data the business-case appendices see (layout ``cases``, seed 001), built only from the core:

* ``programme-summary``: the sections (A to J) with their totals and the programme total, then each section's
  workstreams grouped by project with project subtotals, as the paper's "Budget Planning Assumptions & Savings
  Summary" tables; a footnoted figure keeps its mark and the note is printed under the table.
* ``business-cases``: one proforma per workstream (like the option proformas): its figures, staffing, the
  consultation type and equality impact assessment, and every narrative field of the business case.

Figures are formatted strings at the register's precision; templates do no arithmetic and never see a Decimal.
Plain template + context: the HTML, Word and (through the HTML or a Typst template fed the same context) PDF
documents all read these dictionaries.
"""
from __future__ import annotations

from decimal import Decimal

from ..core import calc, schema
from ..core.cases_summary import FIGURES, sections
from ..core.money import fmt
from ..core.register import Register
from .text import FOOTNOTE_MARKS, plain_text

NOT_STATED = "Not stated"
TOTAL_FILL = "F0F0F0"   # subtotal and total rows (they also say "Subtotal" / "Total": never colour alone)
CASE_TEXTS = [  # (heading, [field keys]) in the order of the paper's business-case form
    ("What is proposed", ["proposal"]),
    ("The activity that will change", ["activity"]),
    ("Outcomes", ["outcomes_users", "outcomes_partners", "outcomes_council"]),
    ("Impact of the change", ["impact_users", "impact_partners", "impact_council"]),
    ("Equality impact assessment", ["equality"]),
    ("Legislation considered", ["legislation"]),
    ("Risks and mitigating actions", ["risks"]),
    ("Staffing implications", ["staffing"]),
]
WHO = {"users": "Service users", "partners": "Partners", "council": "Council"}


def _figure(reg: Register, v) -> str:
    return fmt(v, reg.settings.precision) if isinstance(v, Decimal) else ""


def _headers(reg: Register) -> dict:
    return {k: schema.BY_KEY[k].header_for(reg.settings, "cases") for k in
            ("section", "section_name", "programme_ref", "project", "workstream", *FIGURES, "notes",
             "consultation", "eia_required", "staff_in_scope", "vacancies_deleted", "redundancies")}


def _notes(eff) -> tuple[dict[int, str], list[dict]]:
    """A mark per line with notes (the paper's '*'), and the notes as printed under the tables."""
    marks, notes = {}, []
    for j, text in enumerate(eff["notes"].tolist() if "notes" in eff else []):
        text = plain_text(text)
        if not text:
            continue
        n = len(notes)
        mark = FOOTNOTE_MARKS[n % len(FOOTNOTE_MARKS)] * (1 + n // len(FOOTNOTE_MARKS))
        marks[j] = mark
        notes.append({"mark": mark, "text": text})
    return marks, notes


def _amounts(reg: Register, totals: dict) -> dict:
    return {k: _figure(reg, totals.get(k)) for k in FIGURES}


def programme_summary_context(reg: Register, committee: str | None = None) -> dict:
    eff = calc.effective(reg)
    marks, notes = _notes(eff)
    cols = {k: eff[k].tolist() if k in eff else [""] * len(eff) for k in ("workstream", "project", *FIGURES)}
    out_sections = []
    for sec in sections(reg, eff):
        projects = []
        for p in sec.projects:
            lines = [{"workstream": plain_text(cols["workstream"][j]) or plain_text(cols["project"][j]),
                      "mark": marks.get(j, ""),
                      "amounts": {k: _figure(reg, cols[k][j]) for k in FIGURES}} for j in p.lines]
            projects.append({"name": plain_text(p.name), "lines": lines, "totals": _amounts(reg, p.totals),
                             "count": len(p.lines)})
        label = f"Section {sec.letter}" if sec.letter else "No section"
        rows = []   # the same table flattened for Word: lines, project subtotals, the section total
        for p in projects:
            for n, line in enumerate(p["lines"]):
                rows.append({"kind": "line", "project": p["name"] if n == 0 else "", "workstream": line["workstream"],
                             "amounts": {k: line["amounts"][k] + (line["mark"] if k == "total" else "")
                                         for k in FIGURES}, "fill": "FFFFFF"})
            if len(projects) > 1:
                rows.append({"kind": "subtotal", "project": f"Subtotal {p['name']}", "workstream": "",
                             "amounts": p["totals"], "fill": TOTAL_FILL})
        rows.append({"kind": "total", "project": f"Total {label}", "workstream": "",
                     "amounts": _amounts(reg, sec.totals), "fill": TOTAL_FILL})
        out_sections.append({"letter": sec.letter, "label": label, "name": plain_text(sec.name),
                             "heading": " – ".join(p for p in (label, plain_text(sec.name)) if p),
                             "count": len(sec.lines), "projects": projects, "rows": rows,
                             "totals": _amounts(reg, sec.totals)})
    s = calc.summarise(reg)
    return {
        "sections": out_sections,
        "totals": _amounts(reg, s.totals),
        "workstreams": len(reg),
        "notes": notes,
        "labels": _headers(reg),
        "figure_keys": list(FIGURES),
    }


def _range(low, high) -> str:
    if not isinstance(low, Decimal) or not isinstance(high, Decimal):
        return ""
    show = lambda d: f"{d.normalize():f}"  # noqa: E731
    return show(low) if low == high else f"{show(low)} to {show(high)}"


def business_cases_context(reg: Register, committee: str | None = None) -> dict:
    eff = calc.effective(reg)
    marks, _ = _notes(eff)
    labels = _headers(reg)
    cases = []
    for j, line in enumerate(eff.records()):
        text = {k: plain_text(line.get(k)) for k in schema.keys_for("cases") if schema.BY_KEY[k].kind != schema.MONEY}
        letter = text.get("section", "")
        name = text.get("workstream") or text.get("project")
        heading = " – ".join(p for p in (f"Section {letter}" if letter else "", text.get("project"),
                                         text.get("workstream")) if p)
        figures = [{"label": labels[k], "text": _figure(reg, line.get(k)) + marks.get(j, "") * (k == "total")}
                   for k in FIGURES]
        redundancies = text.get("redundancies", "")
        span = _range(line.get("redundancies_low"), line.get("redundancies_high"))
        facts = [
            {"label": labels["programme_ref"], "text": text.get("programme_ref") or NOT_STATED},
            {"label": labels["section_name"], "text": text.get("section_name") or NOT_STATED},
            {"label": labels["consultation"], "text": text.get("consultation") or NOT_STATED},
            {"label": labels["eia_required"], "text": text.get("eia_required") or NOT_STATED},
            {"label": labels["staff_in_scope"], "text": text.get("staff_in_scope") or NOT_STATED},
            {"label": labels["vacancies_deleted"], "text": text.get("vacancies_deleted") or NOT_STATED},
            {"label": labels["redundancies"],
             "text": (redundancies + (f" (read as {span})" if span and span != redundancies else ""))
             or NOT_STATED},
        ]
        texts = []
        for heading_text, keys in CASE_TEXTS:
            if len(keys) == 1:
                texts.append({"heading": heading_text, "parts": [{"who": "", "text": text.get(keys[0]) or NOT_STATED}]})
            else:
                texts.append({"heading": heading_text,
                              "parts": [{"who": WHO[k.rsplit("_", 1)[1]], "text": text.get(k) or NOT_STATED}
                                        for k in keys]})
        cases.append({"id": f"case-{j + 1}", "heading": heading, "name": name, "section": letter,
                      "project": text.get("project", ""), "workstream": text.get("workstream", ""),
                      "figures": figures, "facts": facts, "texts": texts,
                      "note": (marks.get(j, "") + " " + text.get("notes", "")).strip() if text.get("notes") else ""})
    s = calc.summarise(reg)
    return {"cases": cases, "labels": labels, "totals": _amounts(reg, s.totals), "workstreams": len(reg),
            "not_stated": NOT_STATED}
