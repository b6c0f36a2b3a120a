"""The HTML appendix: the Jinja templates ``<template>.html.j2`` (with ``base.html.j2`` and ``appendix.css``),
streamed to the file piece by piece, with the chart as inline SVG."""
from __future__ import annotations

import os
from pathlib import Path

import jinja2

from . import charts
from .templates import environment, template_problem


def _html_pieces(ctx: dict, template: str, templates_dir: Path | None):
    """The rendered HTML as Jinja produces it, piece by piece (so a big appendix need not be one string)."""
    env = environment(templates_dir)
    name = f"{template}.html.j2"
    ctx = dict(ctx)
    if "chart" in ctx:
        ctx["chart"] = {**ctx["chart"], "svg": charts.svg(ctx["chart"], ident=f"{template}-chart"),
                        "alt": charts.alt_text(ctx["chart"])}
    try:
        yield from env.get_template(name).generate(ctx)
    except (jinja2.TemplateError, TypeError, AttributeError, KeyError, ValueError) as exc:
        raise template_problem(exc, name) from None


def render_html(ctx: dict, template: str, templates_dir: Path | None = None) -> str:
    return "".join(_html_pieces(ctx, template, templates_dir))


def write(ctx: dict, template: str, out: Path, templates_dir: Path | None = None) -> Path:
    """Stream the HTML to ``out``; a template that fails part way leaves any earlier ``out`` as it was."""
    out = Path(out)
    tmp = out.with_name(f".{out.name}.part")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.writelines(_html_pieces(ctx, template, templates_dir))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
