"""Render a committee appendix to HTML, tagged PDF (WeasyPrint, PDF/UA-1) or Word (docxtpl).

Templates live in the repository's ``templates/`` folder (packaged as ``savings_tracker/templates``). A folder
given as ``templates_dir`` is searched first, file by file, so a finance team can override one template and
keep the others. Rendering is sandboxed, auto-escaped and strict: a template naming a field that does not exist
raises ``TemplateProblem`` naming the template file, line and field.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import jinja2
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from ..errors import SavingsTrackerError, TemplateProblem, WriteRefused
from ..register import Register
from . import charts
from .context import TEMPLATES, build_context
from .pdf import html_to_pdf

FORMATS = ("html", "pdf", "docx")
BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def builtin_templates_dir() -> Path:
    """``<repo>/templates`` in an editable install (through the package's symlink), else the packaged copy."""
    repo = Path(__file__).resolve().parents[3] / "templates"
    if (repo / "base.html.j2").exists():
        return repo
    return BUILTIN_TEMPLATES


def _search_path(templates_dir: Path | None) -> list[str]:
    dirs = []
    if templates_dir is not None:
        templates_dir = Path(templates_dir)
        if not templates_dir.is_dir():
            raise TemplateProblem(f"templates folder {templates_dir} does not exist")
        dirs.append(str(templates_dir))
    dirs.append(str(builtin_templates_dir()))
    return dirs


def environment(templates_dir: Path | None = None, *, autoescape=True) -> SandboxedEnvironment:
    return SandboxedEnvironment(loader=FileSystemLoader(_search_path(templates_dir)), autoescape=autoescape,
                                undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                keep_trailing_newline=True)


# ---- errors -------------------------------------------------------------------------------------------------
def _field(message: str) -> str:
    m = re.search(r"has no attribute '([^']+)'", message) or re.search(r"'([^']+)' is undefined", message) \
        or re.search(r"no element '?([^']+)'?", message)
    return m.group(1) if m else message


def _template_frame(exc: BaseException, names: tuple[str, ...]) -> tuple[str, int]:
    """The last traceback frame that is in a template (Jinja rewrites frames to template file and line)."""
    found = ("", 0)
    tb = exc.__traceback__
    while tb is not None:
        fname = tb.tb_frame.f_code.co_filename
        if fname.endswith((".j2", ".css", ".html")) or fname in names:
            found = (fname, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _problem(exc: Exception, template_file: str) -> TemplateProblem:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or exc.name or template_file
        return TemplateProblem(f"template {Path(name).name}, line {exc.lineno}: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateProblem(f"template {exc.name} was not found (looked in {template_file})")
    if isinstance(exc, jinja2.UndefinedError):
        fname, line = _template_frame(exc, (template_file,))
        field = _field(exc.message or "")
        return TemplateProblem(f"template {Path(fname).name if fname else template_file}, line {line or '?'}: "
                               f"field '{field}' does not exist ({exc.message})")
    if isinstance(exc, jinja2.exceptions.SecurityError):
        fname, line = _template_frame(exc, (template_file,))
        return TemplateProblem(f"template {Path(fname).name if fname else template_file}, line {line or '?'}: "
                               f"not allowed in a template ({exc})")
    fname, line = _template_frame(exc, (template_file,))
    return TemplateProblem(f"template {Path(fname).name if fname else template_file}, line {line or '?'}: "
                           f"{type(exc).__name__}: {exc}")


# ---- HTML and PDF -------------------------------------------------------------------------------------------
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
        raise _problem(exc, name) from None


def render_html(ctx: dict, template: str, templates_dir: Path | None = None) -> str:
    return "".join(_html_pieces(ctx, template, templates_dir))


def write_html(ctx: dict, template: str, out: Path, templates_dir: Path | None = None) -> Path:
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


# ---- Word -----------------------------------------------------------------------------------------------------
def docx_template_path(template: str, templates_dir: Path | None = None) -> Path:
    for d in _search_path(templates_dir):
        p = Path(d) / f"{template}.docx"
        if p.exists():
            return p
    raise TemplateProblem(f"Word template {template}.docx was not found in {', '.join(_search_path(templates_dir))}")


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


def render_docx(ctx: dict, template: str, out: Path, templates_dir: Path | None = None, *,
                stream_rows: bool = True) -> Path:
    """Word appendix. Table-row loops are streamed (see ``docx_rows``), so memory stays flat with register size."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    from .docx_rows import MARK_CALL, StreamingDocxTemplate

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
            if alt:
                _set_picture_alt_text(tpl.docx, alt, ctx["chart"]["title"])
            tpl.save_to(out, ctx, env)
        except jinja2.UndefinedError as exc:
            field = _field(exc.message or "")
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


# ---- one entry point -----------------------------------------------------------------------------------------
def default_name(register: Register, template: str, fmt: str, committee: str | None = None) -> str:
    s = register.settings
    stem = "-".join(p for p in (template, s.financial_year, s.period, committee) if p)
    stem = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower()
    return f"{stem}.{fmt}"


def render_appendix(register: Register, template: str, fmt: str, out: Path, *, committee: str | None = None,
                    templates_dir: Path | None = None) -> Path:
    """Write one appendix. ``out`` is the file to write (an existing folder gets a default file name).
    Returns the path written. Raises ``TemplateProblem`` for a broken template and ``SavingsTrackerError``
    when the register does not fit the template."""
    if template not in TEMPLATES:
        raise SavingsTrackerError(f"template {template!r} is not one of {', '.join(TEMPLATES)}")
    if fmt not in FORMATS:
        raise SavingsTrackerError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    out = Path(out)
    if out.is_dir():
        out = out / default_name(register, template, fmt, committee)
    out.parent.mkdir(parents=True, exist_ok=True)
    ctx = build_context(register, template, committee=committee)
    try:
        if fmt == "docx":
            return render_docx(ctx, template, out, templates_dir)
        if fmt == "html":
            return write_html(ctx, template, out, templates_dir)
        html = render_html(ctx, template, templates_dir)
        return html_to_pdf(html, out, str(Path(templates_dir) if templates_dir else builtin_templates_dir()))
    except PermissionError:
        raise WriteRefused(f"{out}: cannot write (is it open in another program?)") from None
