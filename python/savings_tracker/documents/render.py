"""One entry point for every appendix format, and the registry of formats (as tablib registers its formats):
each format is a module of its own with ``write(ctx, template, out, templates_dir)``, loaded only when used, so
the command line does not import the Word or PDF libraries to write HTML."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..core.register import Register
from ..errors import SavingsTrackerError, WriteRefused
from .context import TEMPLATES, build_context
from .drafts import draft_label, errors_for
from .templates import builtin_templates_dir  # noqa: F401  (part of this module's interface)


def _html() -> Callable:
    from . import html
    return html.write


def _docx() -> Callable:
    from . import docx
    return docx.write


def _pdf() -> Callable:
    from . import pdf
    return pdf.write


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    title: str
    writer: Callable[[], Callable]     # returns the format's write function (imports its module)


REGISTRY: dict[str, Format] = {}


def register_format(fmt: Format) -> None:
    REGISTRY[fmt.name] = fmt


for _f in (Format("html", ".html", "accessible HTML", _html), Format("pdf", ".pdf", "tagged PDF (PDF/UA-1, Typst)", _pdf),
           Format("docx", ".docx", "Word", _docx)):
    register_format(_f)

FORMATS = REGISTRY


def default_name(register: Register, template: str, fmt: str, committee: str | None = None) -> str:
    s = register.settings
    stem = "-".join(p for p in (template, s.financial_year, s.period, committee) if p)
    stem = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower()
    return f"{stem}.{fmt}"


def render_appendix(register: Register, template: str, fmt: str, out: Path, *, committee: str | None = None,
                    templates_dir: Path | None = None, draft: str | None = None) -> Path:
    """Write one appendix. ``out`` is the file to write (an existing folder gets a default file name).
    Returns the path written. Raises ``TemplateProblem`` for a broken template and ``SavingsTrackerError``
    when the register does not fit the template. ``draft``: the banner on every page; by default
    "DRAFT - n errors" when the register has validation errors (``drafts.errors_for``), else none."""
    if template not in TEMPLATES:
        raise SavingsTrackerError(f"template {template!r} is not one of {', '.join(TEMPLATES)}")
    if fmt not in FORMATS:
        raise SavingsTrackerError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    out = Path(out)
    if out.is_dir():
        out = out / default_name(register, template, fmt, committee)
    out.parent.mkdir(parents=True, exist_ok=True)
    ctx = build_context(register, template, committee=committee)
    if draft is None:
        draft = draft_label(len(errors_for(register, committee)))
    ctx["doc"]["draft"] = draft  # "DRAFT - n errors" on every page while the register has errors
    try:
        return FORMATS[fmt].writer()(ctx, template, out, templates_dir)
    except PermissionError:
        raise WriteRefused(f"{out}: cannot write (is it open in another program?)") from None
