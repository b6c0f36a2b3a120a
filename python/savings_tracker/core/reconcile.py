"""Reconcile the same programme as two papers report it (e.g. seed 001's business cases in £000 against seed
000's PSR analysis in £m): items matched by reference or programme number where both have one, else by name;
amounts compared exactly after converting units, as savings (so a register that stores savings negative agrees
with one that stores them positive); every pair reported with both values as published, and the items that only
one paper has. Core only: registers in, plain data out.

Registers with groups (programmes, business-case sections) are matched group by group and then line by line
within each matched group; registers without groups (trackers, options) line by line.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import calc
from ..errors import SavingsTrackerError
from .money import UNITS, fmt, rounded
from .register import Register

VALUE_KEY = {"tracker": "plan_total", "programme": "plan_total", "options": "saving_total", "cases": "total"}
PROGRAMME_REF = re.compile(r"^\s*([A-Z]{2,}\s?\d+[a-z]?)\s*[-–—:.]?\s*(.*)$")
STOP_WORDS = {"a", "an", "and", "the", "of", "for", "to", "in", "on", "includes", "include", "including"}


@dataclass
class Item:
    ref: str
    name: str
    value: Decimal | None           # in the register's unit and sign
    group: str = ""                 # label of the group it belongs to
    children: list["Item"] = field(default_factory=list)
    note: str = ""                  # e.g. "section F"

    def label(self) -> str:
        head = self.short()
        name = f"{head} {self.name}".strip() if self.name and head and self.name != self.ref else head or self.name
        return f"{self.group} / {name}" if self.group else name

    def short(self) -> str:
        """How a group is named in front of its lines: 'PSR6 (section F)', else its name."""
        return " ".join(p for p in (self.ref, f"({self.note})" if self.note else "") if p)


@dataclass
class Side:
    reg: Register
    items: list[Item]
    grouped: bool

    @property
    def unit(self) -> str:
        return self.reg.settings.unit

    def pounds(self, v: Decimal | None) -> Decimal | None:
        """A value at its published precision, as a saving in pounds: what two papers must agree on."""
        if v is None:
            return None
        return rounded(v, self.reg.settings.precision) * UNITS[self.unit] * self.reg.settings.saving_sign

    def number(self, v: Decimal | None):
        if v is None:
            return None
        dp = self.reg.settings.precision
        q = rounded(v, dp)
        return int(q) if dp == 0 else float(q)

    def text(self, v: Decimal | None) -> str:
        return "blank" if v is None else f"{fmt(v, self.reg.settings.precision)} {self.unit}"


def load_keys(path: Path | None) -> dict[str, str]:
    """Section -> programme reference, e.g. {"F": "PSR6"}: a JSON file, either that mapping itself or
    ``{"sections": {"F": {"programme_ref": "PSR6", ...}}}`` as the bundled ``sections_psr_2017-18.json``."""
    if path is None:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SavingsTrackerError(f"{path}: cannot read the keys file ({exc}); expected JSON such as "
                                  f'{{"F": "PSR6"}}') from None
    sections = data.get("sections", data) if isinstance(data, dict) else None
    if not isinstance(sections, dict):
        raise SavingsTrackerError(f"{path}: expected JSON such as {{\"F\": \"PSR6\"}}")
    out = {}
    for k, v in sections.items():
        ref = v.get("programme_ref") if isinstance(v, dict) else v
        if not isinstance(ref, str) or not ref.strip():
            raise SavingsTrackerError(f"{path}: section {k!r} has no programme reference (found {v!r})")
        out[str(k).strip().upper()] = ref.strip()
    return out


def _values(reg: Register) -> list:
    key = VALUE_KEY.get(reg.layout, "plan_total")
    eff = calc.effective(reg)
    return eff[key].tolist() if key in eff else [None] * len(eff)


def _text_col(reg: Register, key: str) -> list[str]:
    return [v if isinstance(v, str) else "" for v in reg.lines[key]] if reg.has(key) else [""] * len(reg)


def side(reg: Register, keys: dict[str, str] | None = None) -> Side:
    values = _values(reg)
    total = lambda vs: sum((v for v in vs if isinstance(v, Decimal)), Decimal(0))  # noqa: E731
    if reg.layout == "cases":
        letters, names = _text_col(reg, "section"), _text_col(reg, "section_name")
        refs, ws, projects = _text_col(reg, "programme_ref"), _text_col(reg, "workstream"), _text_col(reg, "project")
        groups: dict[str, Item] = {}
        members: dict[str, list] = {}
        for j, letter in enumerate(letters):
            g = groups.get(letter)
            if g is None:
                ref = refs[j] or (keys or {}).get(letter.upper(), "")
                g = groups[letter] = Item(ref, names[j] or letter, None, note=f"section {letter}" if letter else "")
                members[letter] = []
            g.children.append(Item("", ws[j] or projects[j], values[j]))
            members[letter].append(values[j])
        for letter, g in groups.items():
            g.value = total(members[letter])
            for c in g.children:
                c.group = g.short() or g.name
        return Side(reg, list(groups.values()), True)
    if reg.layout == "programme" and reg.has("programme"):
        titles, refs = _text_col(reg, "title"), _text_col(reg, "reference")
        groups, members = {}, {}
        for j, prog in enumerate(_text_col(reg, "programme")):
            g = groups.get(prog)
            if g is None:
                m = PROGRAMME_REF.match(prog)
                ref, name = (m.group(1).replace(" ", ""), m.group(2)) if m else ("", prog)
                g = groups[prog] = Item(ref, name, None)
                members[prog] = []
            g.children.append(Item(refs[j], titles[j], values[j]))
            members[prog].append(values[j])
        for prog, g in groups.items():
            g.value = total(members[prog])
            for c in g.children:
                c.group = g.short() or g.name
        return Side(reg, list(groups.values()), True)
    refs, titles = _text_col(reg, "reference"), _text_col(reg, "title")
    return Side(reg, [Item(r, t, v) for r, t, v in zip(refs, titles, values)], False)


def name_tokens(name: str) -> list[str]:
    t = re.sub(r"[^a-z0-9]+", " ", str(name or "").lower().replace("&", " and "))
    # plurals folded ("Assets & Property" = "Asset and Property"), the same way on both sides
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in t.split() if w not in STOP_WORDS]


def _contains(big: list[str], small: list[str]) -> bool:
    n = len(small)
    return bool(n) and any(big[i:i + n] == small for i in range(len(big) - n + 1))


def pair(a: list[Item], b: list[Item]) -> tuple[list[tuple[Item, Item]], list[Item], list[Item]]:
    """Match by reference where both have one; then by name (the same words, else one name's words inside the
    other's when that names only one item on each side)."""
    pairs, left, right = [], list(a), list(b)
    refs_b = {}
    for it in right:
        if it.ref:
            refs_b.setdefault(it.ref.upper(), it)
    for it in list(left):
        other = refs_b.get(it.ref.upper()) if it.ref else None
        if other is not None and other in right:
            pairs.append((it, other))
            left.remove(it)
            right.remove(other)
    for exact in (True, False):
        for it in list(left):
            tok = name_tokens(it.name)
            if exact:
                hits = [o for o in right if name_tokens(o.name) == tok and tok]
            else:
                hits = [o for o in right if tok and (_contains(name_tokens(o.name), tok) or
                                                     _contains(tok, name_tokens(o.name)))]
                hits = [o for o in hits if sum(1 for x in left if _contains(name_tokens(o.name), name_tokens(x.name))
                                               or _contains(name_tokens(x.name), name_tokens(o.name))) == 1]
            if len(hits) == 1:
                pairs.append((it, hits[0]))
                left.remove(it)
                right.remove(hits[0])
    order = {id(x): n for n, x in enumerate(a)}
    pairs.sort(key=lambda p: order[id(p[0])])
    return pairs, left, right


def reconcile(a_reg: Register, b_reg: Register, keys: dict[str, str] | None = None) -> dict:
    """The comparison as the JSON of ``savings-tracker reconcile``:
    ``{"matched": [{"a", "b", "a_value", "b_value", "equal"}], "only_in_a": [...], "only_in_b": [...],
    "totals": {"a", "b", "equal"}}`` (values in each paper's own unit and sign)."""
    a, b = side(a_reg, keys), side(b_reg, keys)
    matched, only_a, only_b = [], [], []

    def compare(x: Item, y: Item):
        matched.append({"a": x.label(), "b": y.label(), "a_value": a.number(x.value), "b_value": b.number(y.value),
                        "equal": a.pounds(x.value) == b.pounds(y.value) and x.value is not None
                        and y.value is not None})

    def alone(items: list[Item], own: Side, others: list[Item], other: Side, out: list):
        for it in items:
            entry = {"item": it.label(), "value": own.number(it.value)}
            same = [o for o in others if own.pounds(it.value) and own.pounds(it.value) == other.pounds(o.value)]
            if len(same) == 1:
                entry["same_amount_as"] = same[0].label()
            out.append(entry)

    if a.grouped and b.grouped:
        pairs, left, right = pair(a.items, b.items)
        for x, y in pairs:
            compare(x, y)
            sub, sl, sr = pair(x.children, y.children)
            for cx, cy in sub:
                compare(cx, cy)
            alone(sl, a, sr, b, only_a)
            alone(sr, b, sl, a, only_b)
        alone(left, a, right, b, only_a)
        alone(right, b, left, a, only_b)
    else:
        flat_a = [c for g in a.items for c in g.children] if a.grouped else a.items
        flat_b = [c for g in b.items for c in g.children] if b.grouped else b.items
        pairs, left, right = pair(flat_a, flat_b)
        for x, y in pairs:
            compare(x, y)
        alone(left, a, right, b, only_a)
        alone(right, b, left, a, only_b)
    ta = sum((v for v in _values(a_reg) if isinstance(v, Decimal)), Decimal(0))
    tb = sum((v for v in _values(b_reg) if isinstance(v, Decimal)), Decimal(0))
    totals = {"a": a.number(ta), "b": b.number(tb), "equal": a.pounds(ta) == b.pounds(tb)}
    return {"matched": matched, "only_in_a": only_a, "only_in_b": only_b, "totals": totals}


def differs(result: dict) -> bool:
    return bool(result["only_in_a"] or result["only_in_b"] or not result["totals"]["equal"]
                or any(not m["equal"] for m in result["matched"]))


def text(result: dict, a_reg: Register, b_reg: Register, a_name: str, b_name: str) -> str:
    ua, ub = a_reg.settings.unit, b_reg.settings.unit
    da, db = a_reg.settings.precision, b_reg.settings.precision

    def show(v, unit, dp):
        return "blank" if v is None else f"{fmt(Decimal(str(v)), dp)} {unit}"

    t = result["totals"]
    out = [f"A: {a_name} ({a_reg.layout}, {ua})", f"B: {b_name} ({b_reg.layout}, {ub})",
           f"Totals: {show(t['a'], ua, da)} {'=' if t['equal'] else '≠'} {show(t['b'], ub, db)}"
           f" ({'equal' if t['equal'] else 'DIFFER'})"]
    differ = [m for m in result["matched"] if not m["equal"]]
    out.append(f"Matched: {len(result['matched'])} item(s), {len(differ)} differ")
    for m in result["matched"]:
        mark = "=" if m["equal"] else "≠ DIFFER"
        out.append(f"  {mark:8} {m['a']}: {show(m['a_value'], ua, da)}  |  {m['b']}: {show(m['b_value'], ub, db)}")
    for key, title, unit, dp in (("only_in_a", "Only in A", ua, da), ("only_in_b", "Only in B", ub, db)):
        out.append(f"{title}: {len(result[key])} item(s)")
        for e in result[key]:
            hint = f"   (same amount as '{e['same_amount_as']}': another name for it?)" if "same_amount_as" in e else ""
            out.append(f"  {e['item']}: {show(e['value'], unit, dp)}{hint}")
    out.append("The papers agree." if not differs(result) else "The papers differ: see above.")
    return "\n".join(out)
