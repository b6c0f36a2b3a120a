"""The Word appendix: docxtpl templates ``<template>.docx`` (made by ``scripts/make_docx_templates.py``), table
rows streamed (``docx_rows``), the chart as a picture with alt text."""
from __future__ import annotations

import tempfile
from pathlib import Path

import jinja2
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from ..errors import TemplateProblem
from . import charts
from .templates import field_named, search_path


def docx_template_path(template: str, templates_dir: Path | None = None) -> Path:
    for d in search_path(templates_dir):
        p = Path(d) / f"{template}.docx"
        if p.exists():
            return p
    raise TemplateProblem(f"Word template {template}.docx was not found in {', '.join(search_path(templates_dir))}")


def _docx_where(path: Path, field: str) -> str:
    """Where a field is named in a Word template: Word has no line numbers, so name the paragraph or cell."""
    try:
        from docx import Document

        doc = Document(str(path))
    except Exception:  # pragma: no cover - the template already failed to render
        return "?"
    for n, p in enumerate(doc.paragraphs, start=1):
        if field in p.text:
            return f"paragraph {n}"
    for t, table in enumerate(doc.tables, start=1):
        for r, row in enumerate(table.rows, start=1):
            for c, cell in enumerate(row.cells, start=1):
                if field in cell.text:
                    return f"table {t} row {r} cell {c}"
    return "?"


def write(ctx: dict, template: str, out: Path, templates_dir: Path | None = None, *,
          stream_rows: bool = True) -> Path:
    """Word appendix. Table-row loops are streamed (see ``docx_rows``), so memory stays flat with register size."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    from .docx_rows import MARK_CALL, StreamingDocxTemplate
    from .docx_tables import weight_columns

    path = docx_template_path(template, templates_dir)
    try:
        tpl = StreamingDocxTemplate(str(path))
        tpl.stream_rows = stream_rows
    except Exception as exc:
        raise TemplateProblem(f"Word template {path.name} cannot be opened ({exc})") from None
    ctx = dict(ctx)
    with tempfile.TemporaryDirectory() as tmp:
        alt = ""
        if "chart" in ctx:
            png = charts.png(ctx["chart"], Path(tmp) / "chart.png")
            alt = charts.alt_text(ctx["chart"])
            ctx["chart"] = {**ctx["chart"], "alt": alt, "image": InlineImage(tpl, str(png), width=Mm(150))}
        ctx[MARK_CALL] = tpl.mark_rows
        env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
        try:
            tpl.render(ctx, jinja_env=env, autoescape=True)
            if "columns" in ctx:
                weight_columns(tpl.docx, ctx["columns"])
            if alt:
                _set_picture_alt_text(tpl.docx, alt, ctx["chart"]["title"])
            tpl.save_to(out, ctx, env)
        except jinja2.UndefinedError as exc:
            field = field_named(exc.message or "")
            raise TemplateProblem(f"Word template {path.name}, {_docx_where(path, field)}: "
                                  f"field '{field}' does not exist ({exc.message})") from None
        except jinja2.TemplateSyntaxError as exc:
            context = " ".join(s.strip() for s in getattr(exc, "docx_context", []) if s.strip())[:120]
            raise TemplateProblem(f"Word template {path.name}: {exc.message} near '{context}'") from None
        except (jinja2.TemplateError, TypeError, AttributeError, KeyError, ValueError) as exc:
            raise TemplateProblem(f"Word template {path.name}: {type(exc).__name__}: {exc}") from None
    return out


def _set_picture_alt_text(document, descr: str, title: str) -> None:
    """docxtpl's InlineImage has no alt text: set ``descr`` (Word's Alt Text) and ``title`` on each picture."""
    body = document.element.body
    for docpr in body.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"):
        docpr.set("descr", descr)
        docpr.set("title", title)
