"""Running Typst on a staged folder (the templates and their ``data.json``): in this process, or in a child.

A long document's parts (``pdf_parts``) are compiled in child processes: Typst keeps what it laid out in a
cache for the life of the process (it never shrinks), so a process per part holds one part's memory at a time,
and two children compile at once on two cores.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import TemplateProblem

PDF_STANDARDS = ["ua-1"]
PROBE = "<st-probe>"   # a part's report (templates/base.typ, part-end)

# The child imports Typst only (not this package, nor pandas): it starts in a twentieth of a second. A part is
# laid out once: one Compiler answers the query (which row is on which page) and then writes the PDF from the
# same layout (Typst's memoisation), for a fifth of the cost of a second layout.
_CHILD = """
import json, sys, typst
main, root, out = sys.argv[1:4]
try:
    compiler = typst.Compiler(main, root=root)
    report = compiler.query(%r, field="value", one=True)
    compiler.compile(output=out, pdf_standards=%r)
    sys.stdout.write(report)
except RuntimeError as exc:
    sys.stderr.write(str(exc))
    sys.exit(3)
""" % (PROBE, PDF_STANDARDS)


def stage(template: str, search_path: list[str], folder: Path) -> Path:
    """Copy the Typst files into ``folder``: the built-in ones, then a team's own over them (file by file)."""
    folder.mkdir(parents=True, exist_ok=True)
    for d in reversed(search_path):  # built-in first, custom last so it wins
        for p in Path(d).glob("*.typ"):
            shutil.copyfile(p, folder / p.name)
    main = folder / f"{template}.typ"
    if not main.exists():
        raise TemplateProblem(f"Typst template {template}.typ was not found in {', '.join(search_path)}")
    return main


def write_data(data: dict, folder: Path) -> None:
    (folder / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def problem(message: str, template: str, folder: Path) -> TemplateProblem:
    text = message.strip().replace(str(folder) + os.sep, "")
    return TemplateProblem(f"Typst template {template}.typ: {text}")


def compile_here(main: Path, folder: Path, template: str) -> Path:
    import typst

    out = folder / "out.pdf"
    try:
        typst.compile(str(main), output=str(out), root=str(folder), pdf_standards=PDF_STANDARDS)
    except typst.TypstError as exc:
        raise problem(str(exc), template, folder) from None
    return out


def run_child(main: Path, folder: Path, template: str) -> tuple[dict, Path]:
    """Lay a part out once in a child process: its report (``part-end``) and its PDF."""
    out = folder / "out.pdf"
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console window flashing up under Excel on Windows
    done = subprocess.run([sys.executable, "-c", _CHILD, str(main), str(folder), str(out)], capture_output=True,
                          text=True, encoding="utf-8", creationflags=flags)
    if done.returncode:
        raise problem(done.stderr or f"Typst stopped (exit status {done.returncode})", template, folder)
    return json.loads(done.stdout), out


def compile_furniture(folder: Path, furniture: dict) -> Path:
    """The running header and footer of every page of a document in parts (``templates/furniture.typ``), untagged:
    the merge draws each page onto the document's page as an artifact."""
    import typst

    (folder / "furniture.json").write_text(json.dumps(furniture, ensure_ascii=False), encoding="utf-8")
    out = folder / "furniture.pdf"
    try:
        typst.compile(str(folder / "furniture.typ"), output=str(out), root=str(folder), pdf_tags=False)
    except typst.TypstError as exc:
        raise problem(str(exc), "furniture", folder) from None
    return out
