"""The PDF appendix: tagged PDF (PDF/UA-1) through Typst (PyPI ``typst``: one wheel, no system libraries).

The Typst templates (``templates/<name>.typ``, with ``base.typ`` for the page furniture) receive the same
context as the HTML and Word templates, as JSON data in a file ``data.json`` beside them, which they read with
``json("data.json")``. Register text is therefore only ever a Typst *string*: nothing typed in a register
(``#set``, ``]``, ``$``, ``\\``, ``<``, ``@``, ``//`` ...) is read as Typst markup, so no text can change the
document. The templates are documented in ``templates/README.md``.
"""
from __future__ import annotations

import os
import re
import tempfile
from decimal import Decimal
from pathlib import Path

from . import pdf_merge, pdf_parts, typst_run

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
    """``line.tall`` on rows too tall for a page; ``group.new_page`` on every committee after the first (each starts
    a page)."""
    for n, group in enumerate(data.get("groups", []) if isinstance(data.get("groups"), list) else []):
        if isinstance(group, dict):
            group["new_page"] = n > 0
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


def write(ctx: dict, template: str, out: Path, templates_dir: Path | None = None) -> Path:
    """Compile ``<template>.typ`` with the context as data (the chart as SVG); write ``out`` atomically (a failed
    compile leaves an earlier file as it was)."""
    from . import charts
    from .templates import search_path

    svg = str(charts.svg(ctx["chart"], ident=f"{template}-chart")) if "chart" in ctx else ""
    return render_pdf(ctx, template, out, search_path(templates_dir), svg=svg)


def render_pdf(ctx: dict, template: str, out: Path, search_path: list[str], *, svg: str = "") -> Path:
    out = Path(out)
    data = as_data(ctx)
    _mark_tall_rows(data)
    if svg:
        data.setdefault("chart", {})["svg"] = svg
    tmp_out = out.with_name(f".{out.name}.part")
    try:
        with tempfile.TemporaryDirectory(prefix="st-typst-") as tmp:
            folder = Path(tmp)
            main = typst_run.stage(template, search_path, folder)
            if pdf_parts.in_parts(data, main.read_text(encoding="utf-8")):
                parts, furniture = pdf_parts.compile_in_parts(data, template, search_path, folder)
                pdf_merge.merge([p.pdf for p in parts], tmp_out, keep=[p.pages for p in parts], furniture=furniture)
            else:
                typst_run.write_data(data, folder)
                pdf_merge.merge([typst_run.compile_here(main, folder, template)], tmp_out)  # with row headers
        os.replace(tmp_out, out)
    finally:
        tmp_out.unlink(missing_ok=True)
    return out
