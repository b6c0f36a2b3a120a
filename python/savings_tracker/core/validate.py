"""Validation: every rule is a small function from a register to findings, registered in ``RULES``.

Each finding names the sheet, the cell (A1), the line's reference, a stable code and a message that
shows the value found and what is accepted. Validation reports; it never changes the register.
"""
from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Callable, Iterable

from . import calc, schema
from .money import ZERO, fmt, same, total
from .. import cells
from .register import ERROR, WARNING, Finding, Register

EXCEL_CELL_LIMIT = 32_767
HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")

Rule = Callable[[Register, "Context"], Iterable[Finding]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


class Context:
    """What several rules need, computed once."""

    def __init__(self, reg: Register, frames=None):
        self.calc, self.eff = frames if frames is not None else calc.worked(reg)
        self.dp = reg.settings.precision

    def show(self, reg: Register, i, key: str, value) -> str:
        """A value as the user typed it when we have that, else formatted at the register's precision."""
        where = reg.__dict__.get("_validate_where")
        row = where.rows.get(i) if where is not None else (reg.lines.at[i, "_row"] if "_row" in reg.lines else None)
        raw = reg.raw.get((row, key))
        return f"'{raw}'" if raw is not None else fmt(value, self.dp if schema.BY_KEY[key].money else 2)


class _Where:
    """Sheet rows and labels of the lines, looked up once per validation (a lookup per finding costs more than
    the rule itself on large registers)."""

    def __init__(self, reg: Register):
        lines = reg.lines
        self.rows = dict(zip(lines.index, lines["_row"])) if "_row" in lines else {}
        refs = lines["reference"] if "reference" in lines else None
        key = next((k for k in ("title", "workstream") if k in lines), None)
        titles = lines[key] if key else None
        projects = lines["project"] if "project" in lines else None
        self.refs = dict(zip(lines.index, refs)) if refs is not None else {}
        self.titles = dict(zip(lines.index, titles)) if titles is not None else {}
        self.projects = dict(zip(lines.index, projects)) if projects is not None else {}

    def label(self, i) -> str:
        ref = self.refs.get(i)
        if isinstance(ref, str) and ref.strip():
            return ref.strip()
        for title in (self.titles.get(i), self.projects.get(i)):
            if isinstance(title, str) and title.strip():
                return title.strip()[:60]
        return ""

    def cell(self, reg: Register, i, key: str) -> str:
        row = self.rows.get(i)
        return reg.source.cell(key, int(row) if row is not None else None)


def _f(reg: Register, i, key: str, severity: str, code: str, message: str) -> Finding:
    where = reg.__dict__.get("_validate_where")
    if where is None:
        return Finding(severity, code, message, reg.source.sheet, reg.cell(i, key), reg.label(i), key)
    return Finding(severity, code, message, reg.source.sheet, where.cell(reg, i, key), where.label(i), key)


def _col(frame, key) -> dict:
    return dict(zip(frame.index, frame[key])) if key in frame else {}


def _header(reg: Register, key: str) -> str:
    return schema.BY_KEY[key].header_for(reg.settings, reg.layout)


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


@rule
def references(reg: Register, ctx: Context):
    if not reg.has("reference"):
        return
    seen: dict[str, int] = {}
    for i, ref in reg.lines["reference"].items():
        if _blank(ref):
            if schema.BY_KEY["reference"].required_in(reg.layout):
                yield _f(reg, i, "reference", ERROR, "reference-missing",
                         f"{_header(reg, 'reference')} is blank; every line needs a unique reference such as "
                         f"A/R.6.101")
            continue
        key = ref.strip().upper()
        if key in seen:
            first = seen[key]
            yield _f(reg, i, "reference", ERROR, "reference-duplicate",
                     f"reference '{ref}' is used again (first at {reg.cell(first, 'reference')}); each line needs "
                     f"its own reference")
        else:
            seen[key] = i


@rule
def titles(reg: Register, ctx: Context):
    if not reg.has("title"):
        return
    for i, title in reg.lines["title"].items():
        if _blank(title):
            yield _f(reg, i, "title", ERROR, "title-missing",
                     f"{_header(reg, 'title')} is blank; give the saving a short title")


@rule
def phasing_totals(reg: Register, ctx: Context):
    """A typed total must equal the sum of its phasing at the published precision."""
    for key, code in (("plan_total", "plan-phasing-mismatch"), ("forecast_total", "forecast-phasing-mismatch"),
                      ("saving_total", "saving-phasing-mismatch"), ("fte_total", "fte-phasing-mismatch"),
                      ("total", "total-parts-mismatch")):
        parts = schema.phasing_keys(key, reg.keys)
        if not reg.has(key) or not parts or key not in ctx.calc:
            continue
        dp = ctx.dp if schema.BY_KEY[key].money else 2
        names = f"{_header(reg, parts[0])} to {_header(reg, parts[-1])}"
        unreadable = [None in values for values in zip(*(reg.lines[p] for p in parts))]
        for i, typed, expected, skip in zip(reg.lines.index, reg.lines[key], ctx.calc[key], unreadable):
            if not isinstance(typed, Decimal) or skip:
                continue  # unreadable cells are reported by the reader
            if not same(typed, expected, dp):
                yield _f(reg, i, key, ERROR, code,
                         f"{_header(reg, key)} is {ctx.show(reg, i, key, typed)} but {names} add to "
                         f"{fmt(expected, dp)}; correct the total or the phasing")


@rule
def variance(reg: Register, ctx: Context):
    if not (reg.has("variance") and "variance" in ctx.calc):
        return
    plans, fcs = _col(reg.lines, "plan_total"), _col(reg.lines, "forecast_total")
    derived = _col(ctx.calc, "variance")
    eff_fc, eff_plan = _col(ctx.eff, "forecast_total"), _col(ctx.eff, "plan_total")
    for i, typed in reg.lines["variance"].items():
        if not isinstance(typed, Decimal):
            continue
        plan, fc = plans.get(i), fcs.get(i)
        if plan is None and reg.has("plan_total") or fc is None and reg.has("forecast_total"):
            continue
        expected = derived[i]
        if not same(typed, expected, ctx.dp):
            yield _f(reg, i, "variance", ERROR, "variance-mismatch",
                     f"{_header(reg, 'variance')} is {ctx.show(reg, i, 'variance', typed)} but forecast − plan is "
                     f"{fmt(expected, ctx.dp)} ({fmt(eff_fc.get(i), ctx.dp)} − "
                     f"{fmt(eff_plan.get(i), ctx.dp)})")


@rule
def budgets(reg: Register, ctx: Context):
    if not all(reg.has(k) for k in ("gross_budget", "income", "net_budget")):
        return
    lines = reg.lines
    for i, g, inc, net in zip(lines.index, lines["gross_budget"], lines["income"], lines["net_budget"]):
        if None in (g, inc, net):
            continue
        if not same(net, g - inc, ctx.dp):
            yield _f(reg, i, "net_budget", ERROR, "net-budget-mismatch",
                     f"{_header(reg, 'net_budget')} is {fmt(net, ctx.dp)} but gross budget less income is "
                     f"{fmt(g - inc, ctx.dp)}")


@rule
def choices(reg: Register, ctx: Context):
    """Every entered column with allowed values (declared in the schema) holds one of them."""
    for col in reg.columns():
        rule = col.choices
        if rule is None or col.role != schema.ENTERED or not rule.code:
            continue
        for i, v in reg.lines[col.key].items():
            if _blank(v):
                if rule.blank_code and reg.layout in rule.blank_in:
                    yield _f(reg, i, col.key, WARNING, rule.blank_code,
                             f"{_header(reg, col.key)} is blank; enter one of: {rule.accepted}")
                continue
            if not rule.allows(v):
                yield _f(reg, i, col.key, ERROR, rule.code,
                         f"{_header(reg, col.key)} '{v}' is not allowed; accepted: {rule.accepted}")


@rule
def committees(reg: Register, ctx: Context):
    known = {c.strip().lower() for c in reg.settings.committees}
    if not known or not reg.has("committee"):
        return
    for i, v in reg.lines["committee"].items():
        if _blank(v):
            yield _f(reg, i, "committee", WARNING, "committee-missing",
                     f"{_header(reg, 'committee')} is blank; choose one of {', '.join(reg.settings.committees)}")
        elif v.strip().lower() not in known:
            yield _f(reg, i, "committee", WARNING, "committee-unknown",
                     f"committee '{v}' is not in the Settings list ({', '.join(reg.settings.committees)}); add it "
                     f"there or correct the line")


@rule
def judgement(reg: Register, ctx: Context):
    """Complete lines that fall short, savings stored with the wrong sign, and RAG against the thresholds."""
    if reg.layout != "tracker" or "plan_total" not in ctx.eff or "forecast_total" not in ctx.eff:
        return
    s = reg.settings
    suggested = calc.suggested_rags(reg, ctx.eff)
    plans, fcs = _col(ctx.eff, "plan_total"), _col(ctx.eff, "forecast_total")
    completes, rags = _col(reg.lines, "complete"), _col(reg.lines, "rag")
    suggested = suggested.to_dict()
    for i in reg.lines.index:
        plan, fc = plans[i], fcs[i]
        if not isinstance(plan, Decimal) or not isinstance(fc, Decimal):
            continue
        complete = completes.get(i, "")
        if complete == "Yes" and calc.saving(fc, s) < calc.saving(plan, s):
            yield _f(reg, i, "complete", WARNING, "complete-shortfall",
                     f"marked complete but the forecast {fmt(fc, ctx.dp)} falls short of the plan {fmt(plan, ctx.dp)}")
        if calc.saving(plan, s) < 0:
            yield _f(reg, i, "plan_total", WARNING, "sign-unexpected",
                     f"{_header(reg, 'plan_total')} {fmt(plan, ctx.dp)} has the opposite sign to a saving (this "
                     f"register stores savings as {s.sign} numbers); confirm it is a cost or reversal, otherwise "
                     f"enter {fmt(-plan, ctx.dp)}")
        rag = rags.get(i, "")
        if rag in schema.RAG_VALUES and rag != suggested[i]:
            pct = calc.delivered_pct(plan, fc, s)
            yield _f(reg, i, "rag", WARNING, "rag-disagrees",
                     f"RAG is {rag} but the thresholds suggest {suggested[i]} (forecast {fmt(fc, ctx.dp)} against "
                     f"plan {fmt(plan, ctx.dp)}{f', {pct}% delivered' if pct is not None else ''}); check the "
                     f"judgement or the thresholds on the Settings sheet")


@rule
def in_year_split(reg: Register, ctx: Context):
    if reg.layout != "programme" or not all(reg.has(k) for k in ("red", "amber", "green", "plan_y1")):
        return
    for i, line in zip(reg.lines.index, reg.lines.records()):
        parts = [line[k] for k in ("red", "amber", "green")]
        if any(p is None for p in parts) or line["plan_y1"] is None:
            continue
        split = sum(parts, ZERO)
        if not same(split, line["plan_y1"], ctx.dp):
            yield _f(reg, i, "red", WARNING, "split-differs-from-plan",
                     f"Red + Amber + Green = {fmt(split, ctx.dp)} but the in-year saving "
                     f"({_header(reg, 'plan_y1')}) is {fmt(line['plan_y1'], ctx.dp)}; confirm the over- or "
                     f"under-delivery is intended")


def _group_of(reg: Register, name: str) -> str | None:
    """The grouping column a subtotal's group is in (programme, or whichever the heading rows filled)."""
    keys = [c.key for c in schema.COLUMNS if c.group and reg.has(c.key)]
    if "programme" in keys:
        keys.remove("programme")
        keys.insert(0, "programme")
    return next((k for k in keys if name in set(reg.lines[k].tolist())), None)


@rule
def published_totals(reg: Register, ctx: Context):
    """Subtotal and total rows as published are checks on the lines: report each figure that differs."""
    if not reg.published:
        return
    for pub in reg.published:
        group_key = _group_of(reg, pub.group) if pub.kind == "subtotal" else None
        if pub.lines is not None:
            part = ctx.eff.take(list(pub.lines))
        elif group_key:
            part = ctx.eff.where(v == pub.group for v in ctx.eff[group_key])
        else:
            part = ctx.eff
        for key, published in pub.values.items():
            if key not in part:
                continue
            actual = total(part[key])
            if published is not None and same(published, actual, ctx.dp if schema.BY_KEY[key].money else 2):
                continue
            shown = pub.raw.get(key) or "blank"
            what = "subtotal for " + pub.group if pub.kind == "subtotal" else pub.label
            if pub.cells.get(key):
                cell, sheet = pub.cells[key], pub.sheet or reg.source.sheet
            elif pub.row:
                cell = cells.address(pub.row, reg.source.columns[key] + 1) if key in reg.source.columns else f"row {pub.row}"
                sheet = reg.source.sheet
            elif pub.origin:
                cell, sheet = "", pub.origin
            else:
                cell, sheet = "", "Settings: published_totals"
            yield Finding(ERROR, "subtotal-mismatch" if pub.kind == "subtotal" else "total-mismatch",
                          f"{what}: {_header(reg, key)} is published as '{shown}' but the lines add to "
                          f"{fmt(actual, ctx.dp)}", sheet, cell, pub.label if pub.kind == "total" else pub.group, key)


@rule
def lifecycle_adds_up(reg: Register, ctx: Context):
    """The savings lifecycle: forecast = achieved to date + still to deliver, where the register gives both."""
    if not (reg.has("achieved") and reg.has("to_deliver")) or "forecast_total" not in ctx.eff:
        return
    fcs = _col(ctx.eff, "forecast_total")
    for i, achieved, rest in zip(reg.lines.index, reg.lines["achieved"], reg.lines["to_deliver"]):
        if not isinstance(achieved, Decimal) or not isinstance(rest, Decimal) or not isinstance(fcs.get(i), Decimal):
            continue
        if achieved == 0 and rest == 0:
            continue   # both blank or nil: not given for this line (a blank cell reads as nil)
        if not same(achieved + rest, fcs[i], ctx.dp):
            yield _f(reg, i, "to_deliver", ERROR, "lifecycle-mismatch",
                     f"{_header(reg, 'achieved')} {ctx.show(reg, i, 'achieved', achieved)} + "
                     f"{_header(reg, 'to_deliver')} {ctx.show(reg, i, 'to_deliver', rest)} = "
                     f"{fmt(achieved + rest, ctx.dp)} but the forecast is {fmt(fcs[i], ctx.dp)}; correct one of them")


@rule
def write_off_covered(reg: Register, ctx: Context):
    """A write-off needs a replacement saving (or its reference) or an explanation."""
    if not reg.has("write_off"):
        return
    repl = _col(reg.lines, "replacement_saving")
    refs, why = _col(reg.lines, "replacement_ref"), _col(reg.lines, "write_off_reason")
    for i, w in reg.lines["write_off"].items():
        if not isinstance(w, Decimal) or w == 0:
            continue
        replaced = isinstance(repl.get(i), Decimal) and repl[i] != 0 or not _blank(refs.get(i))
        if not replaced and _blank(why.get(i)):
            yield _f(reg, i, "write_off", WARNING, "write-off-unexplained",
                     f"{_header(reg, 'write_off')} {fmt(w, ctx.dp)} has no replacement saving and no explanation; "
                     f"give the {_header(reg, 'replacement_saving')} and its reference, or say why in "
                     f"{_header(reg, 'write_off_reason')}")


@rule
def text_cells(reg: Register, ctx: Context):
    text_keys = [k for k in reg.keys if schema.BY_KEY.get(k) and schema.BY_KEY[k].kind == schema.TEXT]
    index = reg.lines.index
    for key in text_keys:
        for i, v in zip(index, reg.lines[key].tolist()):
            if not isinstance(v, str) or not v:
                continue
            if len(v) > EXCEL_CELL_LIMIT:
                yield _f(reg, i, key, ERROR, "text-too-long",
                         f"{_header(reg, key)} has {len(v):,} characters; an Excel cell holds at most "
                         f"{EXCEL_CELL_LIMIT:,}. Shorten it or move the detail to a linked document")
            m = HTML_TAG.search(v) if "<" in v else None
            if m:
                yield _f(reg, i, key, WARNING, "html-in-text",
                         f"{_header(reg, key)} contains HTML markup ({m.group(0)[:30]}); documents show it as plain "
                         f"text. Remove the tags to silence this warning")


def validate(reg: Register, frames=None) -> list[Finding]:
    """All findings: what the reader found, then every rule's, in sheet order within each rule.
    ``frames``: ``calc.worked(reg)`` if already computed."""
    ctx = Context(reg, frames)
    findings = list(reg.read_findings)
    reg.__dict__["_validate_where"] = _Where(reg)
    try:
        for r in RULES:
            findings.extend(r(reg, ctx))
    finally:
        reg.__dict__.pop("_validate_where", None)
    return findings


def validate_and_summarise(reg: Register, by: str | None = None) -> tuple[list[Finding], "calc.Summary"]:
    """Both, sharing the derived figures (what Refresh and month-end runs need)."""
    frames = calc.worked(reg)
    return validate(reg, frames), calc.summarise(reg, by, frames)


def counts(findings: Iterable[Finding]) -> dict:
    c = Counter(f.severity for f in findings)
    by_code = Counter(f.code for f in findings)
    return {"errors": c.get(ERROR, 0), "warnings": c.get(WARNING, 0), "by_code": dict(sorted(by_code.items()))}
