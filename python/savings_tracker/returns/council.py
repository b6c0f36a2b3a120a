"""Collecting council returns into the tracker: read each return, decide what it may change, and plan it.

Rules (each broken rule is a finding naming the file, sheet, cell and value, and changes nothing):

* a return changes only the entered cells (``make.ENTERED``) of lines its sender owns: the lines of its
  committee or owner in the register now; a line of another committee, or a line not in the register, is a
  finding and is not applied;
* a locked cell edited (after lifting the sheet's protection), a changed reference, a typed-over total, text in
  a money cell or a value outside a dropdown's list holds the whole line back;
* one sender is a committee (or owner) and the name in "Returned by": of two returns from one sender the later
  (by when the file was saved, then by name) replaces the earlier, and says so; two senders who both change one
  line (a return forwarded to two budget holders) are a conflict, reported in both, and neither is applied;
* only cells whose value differs from the register are written.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ..core import schema
from ..core.money import MoneyError, accepted, parse_money, same
from ..core.register import Register
from .findings import ERROR, INFO, ReturnFinding
from .make import ENTERED
from .read import RETURN_SHEET, INFO_SHEET, ReturnFile, a1, blank, text


@dataclass
class LineReturn:
    reference: str
    row: int                                   # 1-based row on the Return sheet
    values: dict[str, object] = field(default_factory=dict)    # entered key -> parsed value
    cells: dict[str, str] = field(default_factory=dict)        # key -> A1 on the Return sheet
    held: bool = False                         # an error on the line: nothing of it is applied


@dataclass
class CouncilReturn:
    file: ReturnFile
    by: str
    group: str
    returned_by: str
    lines: list[LineReturn]
    findings: list[ReturnFinding]
    status: str = ""
    replaced_by: str = ""

    @property
    def sender(self) -> str:
        who = f"{self.by} {self.group}"
        return f"{who} ({self.returned_by})" if self.returned_by else who

    @property
    def key(self) -> tuple:
        return self.by, self.group.casefold(), " ".join(self.returned_by.casefold().split())


def made_rows(rows) -> tuple[list[str], list[list]]:
    """The 'as made' table of the Return info sheet: after the key/value block and one blank row."""
    i = 0
    while i < len(rows) and rows[i] and rows[i][0] not in (None, ""):
        i += 1
    while i < len(rows) and (not rows[i] or rows[i][0] in (None, "")):
        i += 1
    if i >= len(rows):
        return [], []
    keys = [text(v) for v in rows[i]]
    return keys, [list(r) + [None] * (len(keys) - len(r)) for r in rows[i + 1:] if r and any(not blank(v) for v in r)]


def _same_value(a, b, dp: int) -> bool:
    if blank(a) and blank(b):
        return True
    try:
        if isinstance(a, (int, float, Decimal)) or isinstance(b, (int, float, Decimal)):
            return same(parse_money(a, "£"), parse_money(b, "£"), dp)
    except MoneyError:
        return False
    return text(a) == text(b)


def _choice(key: str, value):
    col = schema.BY_KEY[key]
    syn = {"rag": schema.RAG_SYNONYMS, "complete": schema.YES_NO_SYNONYMS}.get(key, {})
    t = text(value)
    got = syn.get(t.casefold()) or next((a for a in col.allowed if a.casefold() == t.casefold()), None)
    return got


def read_council_return(rf: ReturnFile, dp: int) -> CouncilReturn:
    info = rf.info
    findings: list[ReturnFinding] = []
    rows = rf.grids.get(RETURN_SHEET)
    ret = CouncilReturn(rf, info.get("by", "committee"), info.get("for", ""), "", [], findings)
    if rows is None:
        findings.append(ReturnFinding(ERROR, "return-sheet-missing", f"no sheet named {RETURN_SHEET!r}: the return "
                                      "cannot be read; ask the sender to send the file as it was made", rf.name))
        return ret
    by_cell = info.get("returned_by_cell", "B7")
    from .. import cells
    rb = cells.parse(by_cell)
    if rb and rb[0] - 1 < len(rows) and rb[1] - 1 < len(rows[rb[0] - 1]):
        ret.returned_by = " ".join(text(rows[rb[0] - 1][rb[1] - 1]).split())
    unit = info.get("unit", "£000")
    header_row = int(info.get("header_row", "9"))
    made_keys, made = made_rows(rf.grids.get(INFO_SHEET, []))
    as_made = {text(r[made_keys.index("reference")]): r for r in made} if "reference" in made_keys else {}
    made_order = [text(r[made_keys.index("reference")]) for r in made] if "reference" in made_keys else []
    head = rows[header_row - 1] if len(rows) >= header_row else []
    cols: dict[str, int] = {}
    for ci, h in enumerate(head):
        if text(h) == info.get("by_header") and "_owner" in made_keys:
            cols["_owner"] = ci
            continue
        m = schema.match_header(h)
        if m and m[0] not in cols:
            cols[m[0]] = ci
    if "reference" not in cols:
        findings.append(ReturnFinding(ERROR, "return-header-missing",
                                      f"row {header_row} has no Reference header: the table was moved or edited, so "
                                      "the return cannot be read", rf.name, RETURN_SHEET, f"A{header_row}",
                                      text(head[0]) if head else None))
        return ret
    entered = [k for k in ENTERED.get(info.get("layout", "tracker"), ()) if k in cols]
    body = rows[header_row:]
    for n, r in enumerate(body):
        ri = header_row + n           # 0-based index of this row
        r = list(r) + [None] * (max(cols.values()) + 1 - len(r))
        ref = text(r[cols["reference"]])
        if not ref:
            if any(not blank(r[cols[k]]) for k in entered):
                findings.append(ReturnFinding(ERROR, "reference-missing", f"row {ri + 1} has entries but no "
                                              "reference: it is not applied", rf.name, RETURN_SHEET,
                                              a1(ri, cols["reference"]), None))
            continue
        line = LineReturn(ref, ri + 1)
        line.cells = {k: a1(ri, ci) for k, ci in cols.items()}

        def bad(code, key, message, value, severity=ERROR):
            findings.append(ReturnFinding(severity, code, message, rf.name, RETURN_SHEET, line.cells[key], value, ref))
            if severity == ERROR:
                line.held = True

        was = as_made.get(ref)
        if was is None and as_made:
            pos = made_order[n] if n < len(made_order) else None
            if pos is not None and pos not in {text(x[cols["reference"]]) for x in body if x}:
                bad("reference-changed", "reference", f"the reference was changed from {pos!r} to {ref!r}, a locked "
                    "cell: the line is not applied. Send the return with the reference as it was made", ref)
        if was is not None:
            for k, ci in cols.items():
                if k in entered or k == "forecast_total" or k not in made_keys:
                    continue
                before = was[made_keys.index(k)]
                if not _same_value(r[ci], before, dp):
                    bad("locked-cell-edited", k, f"{_head(k, info)} is a locked cell and was changed from "
                        f"{text(before)!r} to {text(r[ci])!r}: the line is not applied (change it in the tracker, "
                        "not in a return)", r[ci])
        for k in entered:
            v = r[cols[k]]
            col = schema.BY_KEY[k]
            if was is not None and k in made_keys and _same_value(v, was[made_keys.index(k)], dp):
                continue            # as sent: not filled in (a problem of the register's own is on Checks)
            if col.kind == schema.MONEY:
                if blank(v):
                    line.values[k] = None        # cleared: nil
                    continue
                try:
                    line.values[k] = parse_money(v, unit)
                except MoneyError as exc:
                    bad("money-invalid", k, f"{_head(k, info)}: {exc}; accepted: {accepted(unit)}. The line is not "
                        "applied", v)
            elif col.kind == schema.CHOICE:
                if blank(v):
                    line.values[k] = None
                    continue
                got = _choice(k, v)
                if got is None:
                    bad(f"{k}-invalid", k, f"{_head(k, info)} {text(v)!r} is not one of "
                        f"{', '.join(col.allowed)}: the line is not applied", v)
                line.values[k] = got
            else:
                line.values[k] = text(v) if not blank(v) else None
        if "forecast_total" in cols and not line.held:
            parts = [_lenient(r[cols[k]], unit) for k in ("forecast_q1", "forecast_q2", "forecast_q3", "forecast_q4")
                     if k in cols]
            typed = r[cols["forecast_total"]]
            if not blank(typed):
                total = sum((p or Decimal(0) for p in parts), Decimal(0))
                try:
                    ok = same(parse_money(typed, unit), total, dp)
                except MoneyError:
                    ok = False
                if not ok:
                    bad("total-typed-over", "forecast_total", f"{_head('forecast_total', info)} (a locked formula) "
                        f"holds {text(typed)!r} but the phasing adds to {total:f}: the total was typed over. The line "
                        "is not applied; enter the forecast in the quarters", typed)
        ret.lines.append(line)
    return ret


def _lenient(v, unit: str) -> Decimal:
    try:
        return parse_money(v, unit)
    except MoneyError:
        return Decimal(0)


def _head(key: str, info: dict) -> str:
    return schema.BY_KEY[key].header.replace(" {unit}", "").replace("{unit}", info.get("unit", ""))


# ---- what the returns change -------------------------------------------------------------------------------
@dataclass
class Change:
    reference: str
    key: str
    cell: str                 # on the register's sheet
    old: object
    new: object
    file: str
    return_cell: str


@dataclass
class Collected:
    returns: list[CouncilReturn]
    changes: list[Change]
    findings: list[ReturnFinding]
    received: list[str]
    missing: list[str]


def groups_of(reg: Register, by: str, owners: dict | None = None) -> dict[str, str]:
    """reference -> the committee (or owner) that owns the line now."""
    out = {}
    for i in reg.lines.index:
        ref = reg.label(i)
        if by == "owner":
            out[ref] = (owners or {}).get(ref, "")
        else:
            v = reg.lines.at[i, "committee"] if reg.has("committee") else ""
            out[ref] = v.strip() if isinstance(v, str) else ""
    return out


def collect(reg: Register, returns: list[CouncilReturn], owners: dict | None = None) -> Collected:
    """Decide what each return changes in ``reg``; see the module docstring for the rules."""
    findings: list[ReturnFinding] = []
    dp = reg.settings.precision
    index = {reg.label(i): i for i in reg.lines.index}
    chosen: dict[tuple, CouncilReturn] = {}
    for r in sorted(returns, key=lambda r: (r.file.received or dt.datetime.min, r.file.name)):
        old = chosen.get(r.key)
        if old is not None:
            old.status, old.replaced_by = f"replaced by {r.file.name}", r.file.name
            findings.append(ReturnFinding(INFO, "return-replaced", f"{r.file.name} is a later return from "
                                          f"{r.sender} than {old.file.name}: it replaces it (nothing of "
                                          f"{old.file.name} is applied)", r.file.name, value=old.file.name))
        chosen[r.key] = r
    pending: dict[str, list[tuple[CouncilReturn, LineReturn, list[Change]]]] = {}
    for r in chosen.values():
        owned = groups_of(reg, r.by, owners)
        for line in r.lines:
            if line.held:
                continue
            i = index.get(line.reference)
            where = (r.file.name, RETURN_SHEET, line.cells.get("reference", ""))
            if i is None:
                findings.append(ReturnFinding(ERROR, "line-unknown", f"{line.reference} is not a line of the "
                                              f"register ({reg.source.sheet}): the line is not applied. Add the line "
                                              "to the tracker first, or correct the reference", *where,
                                              value=line.reference, reference=line.reference))
                continue
            if owned.get(line.reference, "").casefold() != r.group.casefold():
                findings.append(ReturnFinding(ERROR, "line-not-owned", f"{line.reference} belongs to "
                                              f"{r.by} {owned.get(line.reference) or '(none)'}, not to {r.group}: the "
                                              "line is not applied. Only the lines sent in a return can be returned "
                                              "in it", *where, value=line.reference, reference=line.reference))
                continue
            changes = []
            row = int(reg.lines.at[i, "_row"])
            for k, new in line.values.items():
                if not reg.has(k):
                    continue
                old = reg.lines.at[i, k]
                old = None if (isinstance(old, str) and not old.strip()) else old
                if isinstance(new, Decimal) or isinstance(old, Decimal):
                    if same(old if isinstance(old, Decimal) else Decimal(0), new or Decimal(0), dp) and \
                            (old is None) == (new is None):
                        continue
                elif (old or None) == (new or None):
                    continue
                changes.append(Change(line.reference, k, reg.source.cell(k, row), old, new, r.file.name,
                                      line.cells.get(k, "")))
            if changes:
                pending.setdefault(line.reference, []).append((r, line, changes))
    applied: list[Change] = []
    for ref, items in pending.items():
        if len(items) > 1:
            names = " and ".join(f"{r.file.name} ({r.sender})" for r, _, _ in items)
            for r, line, _ in items:
                findings.append(ReturnFinding(ERROR, "line-duplicate", f"{ref} is changed in two returns, {names}: "
                                              "neither is applied. Agree one forecast and send it in one return",
                                              r.file.name, RETURN_SHEET, line.cells.get("reference", ""), ref, ref))
            continue
        applied.extend(items[0][2])
    for r in chosen.values():
        n = sum(1 for c in applied if c.file == r.file.name)
        errors = sum(1 for f in [*r.findings, *findings] if f.file == r.file.name and f.severity == ERROR)
        r.status = f"applied: {n} cell{'s' * (n != 1)} changed" + (f", {errors} problem{'s' * (errors != 1)} "
                                                                   "not applied" if errors else "")
    all_findings = [f for r in returns for f in r.findings] + findings
    expected = list(dict.fromkeys(v for v in groups_of(reg, returns[0].by if returns else "committee",
                                                       owners).values() if v))
    got = {r.group.casefold() for r in chosen.values()}
    received = [g for g in expected if g.casefold() in got] + sorted({r.group for r in chosen.values()
                                                                     if r.group.casefold() not in
                                                                     {e.casefold() for e in expected}})
    missing = [g for g in expected if g.casefold() not in got]
    return Collected(returns, applied, all_findings, received, missing)


def merged(reg: Register, changes: list[Change]) -> Register:
    """A copy of ``reg`` with the changes in, and its computed totals recomputed."""
    import copy

    lines = reg.lines.copy()
    index = {reg.label(i): i for i in reg.lines.index}
    touched = set()
    for c in changes:
        lines.at[index[c.reference], c.key] = c.new
        touched.add(index[c.reference])
    for i in touched:
        for total in ("forecast_total", "plan_total"):
            if total in lines:
                parts = schema.phasing_keys(total, reg.keys)
                if parts:
                    lines.at[i, total] = sum((lines.at[i, p] if isinstance(lines.at[i, p], Decimal) else Decimal(0)
                                              for p in parts), Decimal(0))
        if "variance" in lines and isinstance(lines.at[i, "forecast_total"], Decimal) and \
                isinstance(lines.at[i, "plan_total"], Decimal):
            lines.at[i, "variance"] = lines.at[i, "forecast_total"] - lines.at[i, "plan_total"]
    out = copy.copy(reg)
    out.lines = lines
    return out
