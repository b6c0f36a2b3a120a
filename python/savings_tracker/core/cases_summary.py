"""Business-case registers summarised by section and, within each section, by project (the programme
chapter's own grouping), in the register's unit. Shared by ``summary --format json`` and the appendices."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from . import calc
from .money import ZERO, total
from .register import Register

FIGURES = ("budget_planning_assumption", "forecast_saving", "total")


@dataclass
class Group:
    name: str
    lines: list[int] = field(default_factory=list)      # positions in the register
    totals: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class Section(Group):
    letter: str = ""
    projects: list[Group] = field(default_factory=list)


def sections(reg: Register, eff=None) -> list[Section]:
    """Sections in the order the register first shows them, each with its projects in order."""
    eff = calc.effective(reg) if eff is None else eff
    letters = eff["section"].tolist() if "section" in eff else [""] * len(eff)
    names = eff["section_name"].tolist() if "section_name" in eff else [""] * len(eff)
    projects = eff["project"].tolist() if "project" in eff else [""] * len(eff)
    columns = {k: eff[k].tolist() for k in FIGURES if k in eff}
    out: dict[str, Section] = {}
    for j, letter in enumerate(letters):
        key = letter or "(none)"
        sec = out.setdefault(key, Section(names[j] or "", letter=letter or ""))
        if not sec.name and names[j]:
            sec.name = names[j]
        sec.lines.append(j)
        proj = next((p for p in sec.projects if p.name == (projects[j] or "")), None)
        if proj is None:
            proj = Group(projects[j] or "")
            sec.projects.append(proj)
        proj.lines.append(j)
    for sec in out.values():
        for g in (sec, *sec.projects):
            g.totals = {k: total(columns[k][j] for j in g.lines) if k in columns else ZERO for k in FIGURES}
    return list(out.values())


def sections_json(reg: Register, s: calc.Summary, money) -> dict:
    """``sections``: per section its letter, name, lines, totals and projects (each with lines and totals)."""
    secs = sections(reg)
    return {"sections": [{"section": sec.letter, "name": sec.name, "lines": len(sec.lines),
                          "totals": money(sec.totals),
                          "projects": [{"name": p.name, "lines": len(p.lines), "totals": money(p.totals)}
                                       for p in sec.projects]} for sec in secs]}
