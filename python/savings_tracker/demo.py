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
    written.extend(files)
    console.print(f"Appendices: {len(files)} files in {out / 'appendices'}")
    console.rule()
    console.print(f"Demo outputs in {out.resolve()} ({len(written)} files)")
    return written
