"""The PDF appendix: tagged PDF (PDF/UA-1) through Typst (PyPI ``typst``: one wheel, no system libraries).

The Typst templates (``templates/<name>.typ``, with ``base.typ`` for the page furniture) receive the same
context as the HTML and Word templates, as JSON data in a file ``data.json`` beside them, which they read with
``json("data.json")``. Register text is therefore only ever a Typst *string*: nothing typed in a register
(``#set``, ``]``, ``$``, ``\\``, ``<``, ``@``, ``//`` ...) is read as Typst markup, so no text can change the
document. The templates are documented in ``templates/README.md``.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from ..errors import TemplateProblem

PDF_STANDARDS = ["ua-1"]
TYPST_SHARED = ("base.typ",)
# A word longer than this (a run of characters, a long URL) gets break opportunities (zero-width spaces, which
# are not in the text a reader copies) so that it wraps inside its cell instead of running off the page.
LONG_WORD = 50
_LONG = re.compile(r"\S{%d,}" % (LONG_WORD + 1))
_ZWSP = "\u200b"


def _break_long_words(text: str) -> str:
    if len(text) <= LONG_WORD:
        return text
    return _LONG.sub(lambda m: _ZWSP.join(m.group(0)[i:i + 8] for i in range(0, len(m.group(0)), 8)), text)


TALL = 1_500  # characters in one cell: more than fits a page in a tracker column; such a row may break


def _mark_tall_rows(data: dict) -> None:
    for group in data.get("groups", []) if isinstance(data.get("groups"), list) else []:
        for line in group.get("lines", []):
            cells = line.get("cells") if isinstance(line, dict) else None
            if isinstance(cells, list) and any(len(str(c.get("text", ""))) > TALL for c in cells):
                line["tall"] = True


def as_data(value):
    """The template context as plain JSON values: strings (long words breakable), numbers as strings."""
    if isinstance(value, str):
        return _break_long_words(value)
    if isinstance(value, dict):
        return {str(k): as_data(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (list, tuple)):
        return [as_data(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, (Decimal, float)):
        return str(value)
    return str(value)


def _stage(template: str, search_path: list[str], folder: Path) -> Path:
    """Copy the Typst files into ``folder``: the built-in ones, then a team's own over them (file by file)."""
    for d in reversed(search_path):  # built-in first, custom last so it wins
        for p in Path(d).glob("*.typ"):
            shutil.copyfile(p, folder / p.name)
    main = folder / f"{template}.typ"
    if not main.exists():
        raise TemplateProblem(f"Typst template {template}.typ was not found in {', '.join(search_path)}")
    return main


def _problem(exc: Exception, template: str, folder: Path) -> TemplateProblem:
    text = str(exc).strip()
    text = text.replace(str(folder) + os.sep, "")
    return TemplateProblem(f"Typst template {template}.typ: {text}")


def write(ctx: dict, template: str, out: Path, templates_dir: Path | None = None) -> Path:
    """Compile ``<template>.typ`` with the context as data (the chart as SVG); write ``out`` atomically (a failed
    compile leaves an earlier file as it was)."""
    from . import charts
    from .templates import search_path

    svg = str(charts.svg(ctx["chart"], ident=f"{template}-chart")) if "chart" in ctx else ""
    return render_pdf(ctx, template, out, search_path(templates_dir), svg=svg)


def render_pdf(ctx: dict, template: str, out: Path, search_path: list[str], *, svg: str = "") -> Path:
    import typst

    out = Path(out)
    data = as_data(ctx)
    _mark_tall_rows(data)
    if svg:
        data.setdefault("chart", {})["svg"] = svg
    with tempfile.TemporaryDirectory(prefix="st-typst-") as tmp:
        folder = Path(tmp)
        main = _stage(template, search_path, folder)
        (folder / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        part = folder / "out.pdf"
        try:
            typst.compile(str(main), output=str(part), root=str(folder), pdf_standards=PDF_STANDARDS)
        except typst.TypstError as exc:
            raise _problem(exc, template, folder) from None
        tmp_out = out.with_name(f".{out.name}.part")
        shutil.copyfile(part, tmp_out)
        os.replace(tmp_out, out)
    return out
