"""Where templates are found and how a broken one is reported.

Templates live in the repository's ``templates/`` folder (packaged as ``savings_tracker/templates``). A folder
given as ``templates_dir`` is searched first, file by file, so a finance team can override one template and
keep the others. Rendering is sandboxed, auto-escaped and strict: a template naming a field that does not exist
raises ``TemplateProblem`` naming the template file, line and field.
"""
from __future__ import annotations

import re
from pathlib import Path

import jinja2
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from ..errors import TemplateProblem

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def builtin_templates_dir() -> Path:
    """``<repo>/templates`` in an editable install (through the package's symlink), else the packaged copy."""
    repo = Path(__file__).resolve().parents[3] / "templates"
    if (repo / "base.html.j2").exists():
        return repo
    return BUILTIN_TEMPLATES


def search_path(templates_dir: Path | None) -> list[str]:
    dirs = []
    if templates_dir is not None:
        templates_dir = Path(templates_dir)
        if not templates_dir.is_dir():
            raise TemplateProblem(f"templates folder {templates_dir} does not exist")
        dirs.append(str(templates_dir))
    dirs.append(str(builtin_templates_dir()))
    return dirs


def environment(templates_dir: Path | None = None, *, autoescape=True) -> SandboxedEnvironment:
    return SandboxedEnvironment(loader=FileSystemLoader(search_path(templates_dir)), autoescape=autoescape,
                                undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                keep_trailing_newline=True)


# ---- errors -------------------------------------------------------------------------------------------------
def field_named(message: str) -> str:
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


def template_problem(exc: Exception, template_file: str) -> TemplateProblem:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or exc.name or template_file
        return TemplateProblem(f"template {Path(name).name}, line {exc.lineno}: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateProblem(f"template {exc.name} was not found (looked in {template_file})")
    if isinstance(exc, jinja2.UndefinedError):
        fname, line = _template_frame(exc, (template_file,))
        field = field_named(exc.message or "")
        return TemplateProblem(f"template {Path(fname).name if fname else template_file}, line {line or '?'}: "
                               f"field '{field}' does not exist ({exc.message})")
    if isinstance(exc, jinja2.exceptions.SecurityError):
        fname, line = _template_frame(exc, (template_file,))
        return TemplateProblem(f"template {Path(fname).name if fname else template_file}, line {line or '?'}: "
                               f"not allowed in a template ({exc})")
    fname, line = _template_frame(exc, (template_file,))
    return TemplateProblem(f"template {Path(fname).name if fname else template_file}, line {line or '?'}: "
                           f"{type(exc).__name__}: {exc}")
