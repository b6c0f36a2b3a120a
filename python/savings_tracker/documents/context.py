"""The data a committee appendix template sees, built only from the core.

Every figure is formatted here with ``money.fmt`` at the register's published precision, every header comes
from ``Column.header_for``, every total from ``calc.summarise`` / ``calc.effective``: templates never do
arithmetic and never see a ``Decimal``. Register text is cleaned to plain text (HTML fragments such as the
``<p>`` paragraphs in seed 003 become lines; anything else is kept exactly as typed) and is always passed to
templates as data, so it is escaped on output and never evaluated.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal

from ..core.report import BY_LINE_RAG
from ..core import calc, lifecycle, schema
from ..errors import SavingsTrackerError
from ..core.money import ZERO, fmt, same
from ..core.register import Register
from . import layout
from .cases_context import business_cases_context, programme_summary_context

TEMPLATES = ("tracker", "rag-analysis", "options", "programme-summary", "business-cases")
LAYOUTS_FOR = {"tracker": ("tracker",), "rag-analysis": ("programme", "tracker"), "options": ("options",),
               "programme-summary": ("cases",), "business-cases": ("cases",)}
DEFAULT_TEMPLATE = {"tracker": "tracker", "programme": "rag-analysis", "options": "options",
                    "cases": "programme-summary"}

# RAG fills with black text: each passes WCAG 2.2 AA (4.5:1) for normal text, see tests.
RAG_COLOURS = {
    "Red": {"fill": "E06666", "ink": "000000", "css": "rag-red"},
    "Amber": {"fill": "FFC000", "ink": "000000", "css": "rag-amber"},
    "Green": {"fill": "6AA84F", "ink": "000000", "css": "rag-green"},
    calc.NO_RAG: {"fill": "FFFFFF", "ink": "000000", "css": "rag-none"},
}
# Register text as plain text (``plain_text``) and the footnote marks live in ``text``, which the business-case
# contexts share without importing this module.
from .text import FOOTNOTE_MARKS, FORMAT_TAGS, plain_text  # noqa: E402,F401  (part of this module's interface)


# ---- figures ---------------------------------------------------------------------------------------
def _decimals(reg: Register, key: str) -> int:
    col = schema.BY_KEY.get(key)
    if col is not None and col.kind == schema.NUMBER:
        return 2
    return reg.settings.precision


def figure(reg: Register, key: str, amount, *, nil_dash: bool) -> str:
    return figure_at(amount, _decimals(reg, key), nil_dash=nil_dash)


def figure_at(amount, places: int, *, nil_dash: bool = False) -> str:
    """A figure at ``places`` decimals; text that is not an amount is shown as typed."""
    if amount is None:
        return ""
    if not isinstance(amount, Decimal):
        return plain_text(amount)
    return fmt(amount, places, blank_zero=nil_dash)


def money_with_unit(amount, reg: Register) -> str:
    """'£0.083m' as seed 002 prints budgets (where the label does not already carry the unit)."""
    if not isinstance(amount, Decimal):
        return ""
    text = fmt(amount, reg.settings.precision)
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    suffix = {"£m": "m", "£000": "k", "£": ""}[reg.settings.unit]
    return f"{sign}£{digits}{suffix}"


def _text_of(line, key) -> str:
    return plain_text(line.get(key) if hasattr(line, "get") else None)


def _direction(value) -> tuple[str, str]:
    arrow = schema.DIRECTION_SYNONYMS.get(str(value or "").strip().lower(), "")
    return arrow, schema.DIRECTION_WORDS.get(arrow, "")


def _rag(value) -> str:
    return schema.RAG_SYNONYMS.get(str(value or "").strip().lower(), "")


# Printed column weights: figures and choices need less room on paper than in the workbook.
PRINT_WIDTH = {schema.MONEY: 10, schema.NUMBER: 10, schema.CHOICE: 9.5}
PRINT_WIDTH_KEYS = {"reference": 11, "title": 22, "description": 30, "committee": 12, "direction": 11.5,
                    "commentary": 34, "partners": 18, "programme": 20}


def print_weight(c: schema.Column, settings=None) -> float:
    w = PRINT_WIDTH_KEYS.get(c.key) or PRINT_WIDTH.get(c.kind) or c.width
    return layout.weight(settings, c, w) if settings is not None else w


def _widths(columns: list[schema.Column], settings=None) -> list[str]:
    total = sum(print_weight(c, settings) for c in columns) or 1
    return [f"{print_weight(c, settings) * 100 / total:.2f}%" for c in columns]


def heading_for(s, template: str, committee: str | None) -> str:
    """The document's heading, e.g. 'Appendix - Savings Tracker 2017-18 as at October 2017: Adults committee'.
    No dangling 'as at' when the period is blank (the CLI warns about the Settings cell instead)."""
    title = s.title or "Savings"
    if template == "tracker":
        when = f"as at {s.period}" if s.period and s.period not in title else ""
        text = " ".join(p for p in (title, when) if p)
        if s.appendix_label:
            text = f"{s.appendix_label} - {text}"
        return f"{text}: {committee} committee" if committee else text
    if template == "options":
        year = s.financial_year if s.financial_year and s.financial_year not in title else ""
        return " ".join(p for p in (title, year) if p)
    return title


def sign_note(s) -> str:
    """The one sign rule of a document, stated under its tables and charts."""
    if s.display_sign == "savings positive" or s.sign == "positive":
        return "Savings are shown as positive figures."
    return "Savings are shown as negative figures, as in the register."


def display_factor(s) -> int:
    """Multiply a stored amount by this to show it under the document's sign rule."""
    return -1 if s.display_sign == "savings positive" and s.sign == "negative" else 1


def _doc(reg: Register, template: str, committee: str | None) -> dict:
    s = reg.settings
    when = f"as at {s.period}" if template == "tracker" and s.period else s.period
    footer = " · ".join(p for p in (s.organisation, s.title, when if when and when not in s.title else "") if p)
    heading = heading_for(s, template, committee)
    plain_heading = heading.split(" - ", 1)[1] if template == "tracker" and s.appendix_label and " - " in heading \
        else heading
    return {
        "lang": "en-GB",
        "template": template,
        "title": s.title or "Savings",
        "heading": heading,
        "document_title": " - ".join(p for p in (plain_heading, s.organisation) if p),
        "plain_heading": plain_heading,
        # the period for the running header, where the heading does not already name it
        "header_period": s.period if s.period and s.period not in heading else "",
        "caption": f"{s.title or 'Savings'}: lines grouped by programme, with subtotals ({s.unit})",
        "appendix_label": s.appendix_label,
        "organisation": s.organisation,
        "period": s.period,
        "financial_year": s.financial_year,
        "period_label": s.period_label,
        "unit": s.unit,
        "source": s.source,
        "committee": committee or "",
        "footer": footer,
        "generated": dt.date.today().strftime("%d %B %Y").lstrip("0"),
        "lines": len(reg),
        "draft": "",
        "sign_note": sign_note(s),
    }


def _legend(reg: Register) -> list[dict]:
    defs = reg.settings.rag_definitions or {}
    return [{"rag": r, "definition": plain_text(defs.get(r, "")), **RAG_COLOURS[r]} for r in schema.RAG_VALUES]


def _columns(reg: Register, keys: list[str]) -> list[dict]:
    cols = [schema.BY_KEY[k] for k in keys]
    return [{"key": c.key, "header": c.header_for(reg.settings, reg.layout),
             "numeric": c.kind in (schema.MONEY, schema.NUMBER), "help": c.help, "width": w,
             "weight": print_weight(c, reg.settings)}
            for c, w in zip(cols, _widths(cols, reg.settings))]


def _subset(reg: Register, mask: list[bool]) -> Register:
    return dataclasses.replace(reg, lines=reg.lines.where(mask))


# ---- appendix 1: savings tracker ----------------------------------------------------------------------
def _records(frame) -> list[tuple]:
    """(label, line as a plain dict) per line."""
    return list(zip(frame.index, frame.records()))


def _group_name(value) -> str:
    return value if isinstance(value, str) and value else "(none)"


def _tracker_line(i, line, suggested, keys, kinds, decimals, every=None) -> dict:
    """One line of the tracker table: a field per column of the register (``every``: a Word template may name
    any), ``cells`` for the printed ``keys``. ``kinds`` and ``decimals`` are per key, worked out once per table.
    A column of the schema that the register does not have reads as blank (so one template serves every register)."""
    out: dict = Blanks({"_row": int(line.get("_row") or 0)}, schema.BY_KEY, "")
    for k in every or keys:
        if k == "suggested_rag":
            out[k] = suggested.get(i, "")
        elif kinds[k]:
            out[k] = figure_at(line.get(k), decimals[k])
        else:
            out[k] = plain_text(line.get(k))
    rag = _rag(line.get("rag"))
    out["rag"] = rag or plain_text(line.get("rag"))
    colours = RAG_COLOURS.get(rag, RAG_COLOURS[calc.NO_RAG])
    out.update(rag_fill=colours["fill"], rag_ink=colours["ink"], rag_css=colours["css"])
    arrow, word = _direction(line.get("direction"))
    out.update(direction_arrow=arrow, direction_word=word,
               direction=f"{arrow} {word}" if arrow else plain_text(line.get("direction")))
    out["cells"] = [{"key": k, "text": out[k], "numeric": kinds[k], "css": out["rag_css"] if k == "rag" else "",
                     "fill": out["rag_fill"] if k == "rag" else ""} for k in keys]
    return out


def tracker_context(reg: Register, committee: str | None = None) -> dict:
    eff = calc.effective(reg)
    suggested = calc.suggested_rags(reg, eff).to_dict()
    available = [k for k in schema.keys_for("tracker") if k in eff.columns or k == "suggested_rag"]
    keys = layout.tracker_keys(reg.settings, eff, available)
    factor = display_factor(reg.settings)
    if committee:
        names = sorted({str(c) for c in eff.get("committee", []) if isinstance(c, str) and c})
        match = [n for n in names if n.lower() == committee.strip().lower()]
        if not match:
            raise SavingsTrackerError(
                f"committee {committee!r} is not in this register; committees: {', '.join(names) or '(none)'}")
        committee = match[0]
        mask = [c == committee for c in eff["committee"]]
        reg, eff = _subset(reg, mask), eff.where(mask)
        keys = layout.tracker_keys(reg.settings, eff, available)  # a column empty in this committee's lines goes
    summary = calc.summarise(reg, by="committee")
    totals = summary.totals
    money_cols = [k for k in available if schema.BY_KEY[k].kind == schema.MONEY]
    plan_keys = [k for k in ("investment", "plan_q1", "plan_q2", "plan_q3", "plan_q4", "plan_total") if k in available]
    fc_keys = [k for k in ("forecast_q1", "forecast_q2", "forecast_q3", "forecast_q4", "forecast_total",
                           "variance") if k in available]

    def total_cells(t: dict) -> dict:
        return {k: fmt(t.get(k, ZERO) * factor, reg.settings.precision) for k in money_cols}

    kinds = {k: schema.BY_KEY[k].kind in (schema.MONEY, schema.NUMBER) for k in available}
    decimals = {k: _decimals(reg, k) for k in available}
    flip = [k for k in money_cols] if factor == -1 else []
    lines, members = [], {}
    for i, record in _records(eff):
        for k in flip:
            if isinstance(record.get(k), Decimal):
                record[k] = -record[k]
        line = _tracker_line(i, record, suggested, keys, kinds, decimals, available)
        lines.append(line)
        members.setdefault(_group_name(record.get("committee")), []).append(line)
    groups = []
    for g in summary.groups:
        groups.append({
            "name": g.name, "count": g.lines,
            "caption": f"{g.name}: {g.lines} saving line{'s' if g.lines != 1 else ''} ({reg.settings.unit})",
            "lines": members.get(g.name, []),
            "totals": total_cells(g.totals),
            "rag_counts": g.rag_counts,
        })
    if not summary.groups:
        groups.append({"name": "All lines", "count": len(lines), "caption": f"All saving lines ({reg.settings.unit})",
                       "lines": lines, "totals": total_cells(totals), "rag_counts": summary.rag_counts})
    unit = reg.settings.unit
    headline_cols = _columns(reg, plan_keys + fc_keys)
    return {
        "columns": _columns(reg, keys),
        "groups": groups,
        "totals": total_cells(totals),
        "headline": {
            "planned_label": f"Planned {unit}", "forecast_label": f"Forecast {unit}",
            "planned": [{**c, "text": fmt(totals.get(c["key"], ZERO) * factor, reg.settings.precision)}
                        for c in headline_cols if c["key"] in plan_keys],
            "forecast": [{**c, "text": fmt(totals.get(c["key"], ZERO) * factor, reg.settings.precision)}
                         for c in headline_cols if c["key"] in fc_keys],
        },
        "rag_counts": summary.rag_counts,
        "lifecycle": _lifecycle(reg, eff),
        "delivered_pct": f"{summary.delivered_pct}%" if summary.delivered_pct is not None else "",
        "chart": _tracker_chart(reg, eff),
        "annex": layout.shorten_long_text(reg.settings, groups, {c["key"]: c["header"] for c in _columns(reg, keys)}),
        "_committee": committee,
    }


def _tracker_chart(reg: Register, eff) -> dict:
    """The workbook Summary's chart (calc.by_line_rag: Blue where the register uses BRAG), in the document's sign."""
    s = reg.settings
    known = set(calc.rag_categories(reg)) - {calc.NO_RAG}
    unrated = sum(1 for v in (eff["rag"] if "rag" in eff else [None] * len(eff)) if v not in known)
    cats = [{"label": rag, "values": [_shown(plan, s), _shown(fc, s)]}
            for rag, (plan, fc) in calc.by_line_rag(reg).items() if rag != calc.NO_RAG or unrated]
    return {
        "title": f"{BY_LINE_RAG} ({s.unit})",     # the same name as the workbook's chart and the CLI
        "unit": s.unit, "precision": s.precision, "sign_note": sign_note(s),
        "series": ["Planned saving", "Forecast saving"],
        "categories": cats,
    }


def _shown(value, s) -> Decimal:
    """An amount under the document's sign rule (the same rule as its tables)."""
    return value * display_factor(s) if isinstance(value, Decimal) else ZERO


def _lifecycle(reg: Register, eff) -> list[dict]:
    """Delivered, at risk, slipped, written off (and replaced), where the register has lifecycle columns."""
    figures = lifecycle.figures(reg, eff)
    if figures is None:
        return []
    return [{"key": k, "label": lifecycle.LABELS[k], "text": fmt(v, reg.settings.precision)}
            for k, v in figures.items()]


def in_committee(reg: Register, committee: str):
    """Which lines belong to ``committee`` (named in any case): a flag per line."""
    want = committee.strip().lower()
    return [str(v).strip().lower() == want for v in reg.lines["committee"]]


# ---- appendix 2: RAG analysis ------------------------------------------------------------------------------
def rag_analysis_context(reg: Register, committee: str | None = None) -> dict:
    if committee and reg.has("committee"):
        mask = in_committee(reg, committee)
        if not any(mask):
            raise SavingsTrackerError(f"committee {committee!r} is not in this register")
        reg = _subset(reg, mask)
    s = reg.settings
    dp = s.precision
    factor = display_factor(s)
    calc_frame = calc.derived(reg)
    eff = calc.effective(reg, calc_frame)
    split = calc.rag_split(reg, eff)
    summary = calc.summarise(reg)
    by = summary.by
    phase = [k for k in (*(f"plan_y{n}" for n in range(1, schema.MAX_YEARS + 1)),
                         "plan_q1", "plan_q2", "plan_q3", "plan_q4") if k in eff.columns]
    money = [*phase, "plan_total"]
    rag_keys = ["red", "amber", "green"]
    labels = {c.key: c.header_for(s, reg.layout) for c in schema.COLUMNS}
    for k in rag_keys:
        labels[k] = schema.BY_KEY[k].header_for(s, "programme")
    cols = [*phase, "plan_total", *rag_keys, "commentary"]
    col_objs = [schema.BY_KEY[k] for k in ["title", *cols]]
    columns = [{"key": c.key, "header": labels.get(c.key) or c.header_for(s, reg.layout),
                "numeric": c.kind == schema.MONEY, "width": w, "weight": print_weight(c, s), "group": _rag_group(c.key)}
               for c, w in zip(col_objs, _widths(col_objs))]
    columns[0]["header"] = schema.BY_KEY["title"].header_for(s, "programme")

    footnotes: list[dict] = []

    def note(text: str) -> str:
        mark = FOOTNOTE_MARKS[len(footnotes) % len(FOOTNOTE_MARKS)] * (1 + len(footnotes) // len(FOOTNOTE_MARKS))
        footnotes.append({"mark": mark, "text": text})
        return mark

    lines = dict(_records(eff))
    split_rows = dict(zip(split.index, split.records()))
    typed_totals = reg.lines["plan_total"].to_dict() if "plan_total" in reg.lines else {}
    phased_totals = calc_frame["plan_total"].to_dict() if "plan_total" in calc_frame else {}

    def amounts(i) -> dict:
        row = lines[i]
        vals = {k: row.get(k) for k in money}
        for k in rag_keys:
            vals[k] = split_rows[i][k.title()]  # register sign, like the phasing
        return vals

    def cells(vals: dict, marks: dict | None = None) -> dict:
        marks = marks or {}
        return Blanks({k: {"text": fmt((vals.get(k) if isinstance(vals.get(k), Decimal) else ZERO) * factor, dp,
                                       blank_zero=True),
                           "mark": marks.get(k, "")} for k in [*money, *rag_keys]}, schema.BY_KEY,
                      {"text": "", "mark": ""})

    published = {p.group: p for p in reg.published if p.kind == "subtotal"}
    grand_pub = next((p for p in reg.published if p.kind == "total"), None)

    def compare(label: str, computed: dict, pub) -> dict:
        marks = {}
        if pub is None:
            return marks
        for k in computed:
            v = pub.values.get(k)
            if isinstance(v, Decimal) and not same(v, computed[k], dp):
                raw = pub.raw.get(k, fmt(v, dp))
                marks[k] = note(f"{label}, {labels.get(k, k)}: published as {_published(raw)}, but "
                                f"the lines add up to {fmt(computed[k] * factor, dp)}.")
        return marks

    groups = []
    grand = {k: ZERO for k in [*money, *rag_keys]}
    order: dict[str, list] = {}
    for i, line in lines.items():
        order.setdefault(_group_name(line.get(by)), []).append(i)
    for name, idx in order.items():
        rows, sub = [], {k: ZERO for k in [*money, *rag_keys]}
        for i in idx:
            line = lines[i]
            vals = amounts(i)
            for k in sub:
                sub[k] += vals[k] if isinstance(vals[k], Decimal) else ZERO
            marks = {}
            typed = typed_totals.get(i)
            if isinstance(typed, Decimal) and i in phased_totals and not same(typed, phased_totals[i], dp):
                row_no = int(line.get("_row") or 0)
                raw = reg.raw.get((row_no, "plan_total"), fmt(typed, dp))
                marks["plan_total"] = note(
                    f"{plain_text(line.get('title'))}: {labels['plan_total']} published as {_published(raw)}, "
                    f"but its phasing adds up to {fmt(phased_totals[i] * factor, dp)}.")
            rows.append(Blanks({**_texts(reg, line), "title": plain_text(line.get("title")),
                                "reference": plain_text(line.get("reference")), "rag": _rag(line.get("rag")),
                                "commentary": plain_text(line.get("commentary")), "cells": cells(vals, marks)},
                               schema.BY_KEY, ""))
        for k in grand:
            grand[k] += sub[k]
        groups.append({"name": name, "caption": name, "lines": rows,
                       "subtotal": cells(sub, compare(f"{name} subtotal", sub, published.get(name)))})
    grand_cells = cells(grand, compare("Grand total", grand, grand_pub))
    chart = {
        "title": f"In-year saving by RAG ({s.unit})",
        "unit": s.unit, "precision": dp, "sign_note": sign_note(s),
        "series": ["Planned in-year saving", "In-year saving by RAG status"],
        "categories": [{"label": "All lines", "values": [_shown(grand[phase[0]], s) if phase else None, None]},
                       *({"label": r, "values": [None, _shown(grand[r.lower()], s)]} for r in schema.RAG_VALUES)],
    }
    if not phase:
        chart["categories"] = chart["categories"][1:]
    return {
        "columns": columns,
        "phase_columns": [c for c in columns if c["group"] == "phase"],
        "rag_columns": [c for c in columns if c["group"] == "rag"],
        "groups": groups,
        "grand_total": grand_cells,
        "grand_label": "Total",
        "footnotes": footnotes,
        "in_year_label": f"Saving Analysis {s.years[0] if s.years else s.financial_year}".strip(),
        "chart": chart,
    }


def _published(raw) -> str:
    """A published figure as a sentence can say it: a dash is a nil ('published as nil (-)', not 'as -;')."""
    text = str(raw).strip()
    return "nil (a dash)" if text in ("-", "–", "—", "") else text


def _rag_group(key: str) -> str:
    if key.startswith("plan_y") or key.startswith("plan_q"):
        return "phase"
    if key in ("red", "amber", "green"):
        return "rag"
    return key


# ---- appendix 3: option proformas ---------------------------------------------------------------------
def options_context(reg: Register, committee: str | None = None) -> dict:
    s = reg.settings
    eff = calc.effective(reg)
    years = reg.years or len(s.years)
    save_cols = [schema.BY_KEY[f"saving_y{n}"] for n in range(1, years + 1)] + [schema.BY_KEY["saving_total"]]
    fte_cols = [schema.BY_KEY[f"fte_y{n}"] for n in range(1, years + 1)] + [schema.BY_KEY["fte_total"]]
    text_keys = ["decisions", "impact", "actions", "service_delivers"]
    labels_have_unit = all(s.unit in schema.BY_KEY[k].header_for(s, "options")
                           for k in ("gross_budget", "income", "net_budget"))
    factor = display_factor(s)
    eff = eff.copy()
    if factor == -1:
        for c in save_cols:
            if c.key in eff:
                eff[c.key] = [-v if isinstance(v, Decimal) else v for v in eff[c.key]]
    options = []
    for _, line in _records(eff):
        ref, title = plain_text(line.get("reference")), plain_text(line.get("title"))
        opt = {
            "reference": ref, "title": title, "heading": " – ".join(p for p in (ref, title) if p),
            "service": plain_text(line.get("service")), "start_year": plain_text(line.get("start_year")),
            # the labels carry the unit ("Gross Budget 2017/18 £m"), so the figures do not repeat it
            "gross_budget": _budget(line.get("gross_budget"), reg, labels_have_unit),
            "income": _budget(line.get("income"), reg, labels_have_unit),
            "net_budget": _budget(line.get("net_budget"), reg, labels_have_unit),
            "savings": [{"key": c.key, "header": c.header_for(s, "options"),
                         "text": figure(reg, c.key, line.get(c.key), nil_dash=False)} for c in save_cols],
            "fte": [{"key": c.key, "header": c.header_for(s, "options"),
                     "text": figure(reg, c.key, line.get(c.key), nil_dash=False)} for c in fte_cols],
            "texts": [{"key": k, "label": schema.BY_KEY[k].header_for(s, "options"),
                       "text": plain_text(line.get(k))} for k in text_keys],
        }
        opt.update((k, v) for k, v in _texts(reg, line).items() if k not in opt)
        for k in text_keys:
            opt[k] = plain_text(line.get(k))
        for c in save_cols + fte_cols:
            opt[c.key] = figure(reg, c.key, line.get(c.key), nil_dash=False)
        options.append(Blanks(opt, schema.BY_KEY, ""))
    labels = {k: schema.BY_KEY[k].header_for(s, "options") for k in
              ("reference", "title", "service", "start_year", "gross_budget", "income", "net_budget", *text_keys)}
    summary = calc.summarise(reg)
    totals = {c.key: figure(reg, c.key, (summary.totals.get(c.key) or ZERO) * (factor if c in save_cols else 1),
                            nil_dash=False) for c in save_cols + fte_cols}
    return {
        "summary": _options_summary(reg, options, save_cols, fte_cols, totals),
        "options": options,
        "labels": labels,
        "year_labels": list(s.years[:years]),
        "saving_headers": [c.header_for(s, "options") for c in save_cols],
        "fte_headers": [c.header_for(s, "options") for c in fte_cols],
        "totals": totals,
    }


def _budget(amount, reg: Register, label_has_unit: bool) -> str:
    if label_has_unit:
        return fmt(amount, reg.settings.precision) if isinstance(amount, Decimal) else ""
    return money_with_unit(amount, reg)


def _options_summary(reg: Register, options: list, save_cols, fte_cols, totals: dict) -> dict:
    """The table before the proformas: every option, its savings by year, total and FTE, and the programme totals."""
    s = reg.settings
    columns = [{"key": "reference", "header": schema.BY_KEY["reference"].header_for(s, "options"), "numeric": False,
                "weight": 10},
               {"key": "title", "header": schema.BY_KEY["title"].header_for(s, "options"), "numeric": False,
                "weight": 36}]
    columns += [{"key": c.key, "header": c.header_for(s, "options"), "numeric": True, "weight": 9} for c in save_cols]
    fte_total = fte_cols[-1]
    columns.append({"key": fte_total.key, "header": fte_total.header_for(s, "options"), "numeric": True, "weight": 9})
    rows = [{c["key"]: opt[c["key"]] for c in columns} for opt in options]
    return {"caption": f"Summary of options ({s.unit})", "columns": columns, "rows": rows,
            "totals": {c["key"]: totals.get(c["key"], "") for c in columns[2:]},
            "total_label": f"Total ({len(options)} option{'s' if len(options) != 1 else ''})"}


class Blanks(dict):
    """A row where any column of the schema that the register does not have (a fourth year, a column added to
    the schema since the register was made) reads as blank instead of failing, so one template serves every
    register. A name that is not a column of the schema still fails, naming the field."""

    def __init__(self, data, optional, blank):
        super().__init__(data)
        self._optional, self._blank = optional, blank

    def __missing__(self, key):
        if key in self._optional:
            return self._blank
        raise KeyError(key)


def _texts(reg: Register, line) -> dict:
    """The line's text and choice columns, by key, as plain text (for templates that name them)."""
    return {k: plain_text(line.get(k)) for k in reg.keys
            if k in schema.BY_KEY and schema.BY_KEY[k].kind in (schema.TEXT, schema.CHOICE)}


def _headers(reg: Register) -> dict:
    return {c.key: c.header_for(reg.settings, reg.layout) for c in schema.COLUMNS}


BUILDERS = {"tracker": tracker_context, "rag-analysis": rag_analysis_context, "options": options_context,
            "programme-summary": programme_summary_context, "business-cases": business_cases_context}


def build_context(reg: Register, template: str, *, committee: str | None = None) -> dict:
    """Everything a template may name. Raises ``SavingsTrackerError`` for a template that does not fit the
    register's layout or a committee that is not in it."""
    if template not in BUILDERS:
        raise SavingsTrackerError(f"template {template!r} is not one of {', '.join(TEMPLATES)}")
    if reg.layout not in LAYOUTS_FOR[template]:
        raise SavingsTrackerError(
            f"the {template} appendix needs a register with the {' or '.join(LAYOUTS_FOR[template])} layout; "
            f"this one has the {reg.layout} layout (try --template {DEFAULT_TEMPLATE.get(reg.layout, 'tracker')})")
    ctx = BUILDERS[template](reg, committee)
    ctx["doc"] = _doc(reg, template, ctx.pop("_committee", None) or committee)
    ctx["headers"] = _headers(reg)
    ctx["rag_legend"] = _legend(reg)
    if "chart" in ctx:
        from .charts import alt_text

        ctx["chart"]["alt"] = alt_text(ctx["chart"])
    return ctx
