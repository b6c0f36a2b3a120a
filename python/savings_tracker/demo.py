"""``savings-tracker demo``: every output of the product from the bundled samples, in one folder."""
from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from .core import calc, report
from . import samples
from .readers import read_register
from .core.validate import validate

console = Console(highlight=False, soft_wrap=True)


def _business_cases(out: Path, programme) -> list[Path]:
    """Seed 001's business cases: summary, findings, and reconciled with seed 000's analysis of the programme."""
    from .core import reconcile
    name = samples.CASES
    reg = read_register(samples.path(name))
    findings = validate(reg)
    s = calc.summarise(reg)
    console.rule(f"[bold]{reg.settings.title}[/] ({reg.settings.organisation}, {name})")
    console.print(report.summary_text(reg, s), markup=False)
    console.print(report.findings_text(findings, limit=8), markup=False)
    result = reconcile.reconcile(reg, programme)
    console.rule(f"[bold]Reconcile[/] {name} against {samples.PROGRAMME}")
    text = reconcile.text(result, reg, programme, name, samples.PROGRAMME).splitlines()
    console.print("\n".join(text[:3] + [text[3]] + [t for t in text if t.startswith(("Only in", "The papers"))]),
                  markup=False)
    written = []
    stem = Path(name).stem
    for suffix, payload in ((".summary.json", report.summary_json(reg, s)),
                            (".findings.json", report.findings_json(findings)),
                            (".reconcile.json", result)):
        p = out / f"{stem}{suffix}"
        p.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        written.append(p)
    return written


def run(out: Path, quick: bool = False) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    registers = {}
    for layout, name in samples.ALL.items():
        reg = read_register(samples.path(name))
        registers[layout] = reg
        findings = validate(reg)
        s = calc.summarise(reg)
        console.rule(f"[bold]{reg.settings.title}[/] ({reg.settings.organisation}, {name})")
        console.print(report.summary_text(reg, s), markup=False)
        ordered = sorted(findings, key=lambda f: f.severity != "error")   # errors first, then warnings
        console.print(report.findings_text(ordered, limit=8), markup=False)
        stem = Path(name).stem
        for suffix, payload in ((".summary.json", report.summary_json(reg, s)),
                                (".findings.json", report.findings_json(findings))):
            p = out / f"{stem}{suffix}"
            p.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
            written.append(p)
    written.extend(_business_cases(out, registers["programme"]))
    from .documents.demo import write_all_appendices
    from .workbook import build_workbook
    from .workbook.preview import render_previews

    xlsm = out / "Savings_Tracker.xlsm"
    build_workbook(xlsm, registers["tracker"], options=registers["options"])
    written.append(xlsm)
    console.print(f"Workbook: {xlsm}")
    if not quick:
        pngs = render_previews(xlsm, out / "preview")
        written.extend(pngs)
        console.print("Workbook previews: " + ", ".join(str(p) for p in pngs))
    files = write_all_appendices(out / "appendices", preview=not quick)
    cases = samples.path("cases")
    files += write_all_appendices(out / "appendices", {"programme-summary": cases, "business-cases": cases},
                                  preview=not quick)
    written.extend(files)
    console.print(f"Appendices: {len(files)} files in {out / 'appendices'}")
    console.rule()
    console.print(f"Demo outputs in {out.resolve()} ({len(written)} files)")
    return written
