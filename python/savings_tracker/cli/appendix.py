"""``savings-tracker appendix``: committee appendices as Word, PDF or HTML (``register(app)`` adds the command)."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from ..errors import SavingsTrackerError


class TemplateName(str, Enum):
    tracker = "tracker"
    rag_analysis = "rag-analysis"
    options = "options"
    programme_summary = "programme-summary"
    business_cases = "business-cases"


class Format(str, Enum):
    docx = "docx"
    pdf = "pdf"
    html = "html"
    all = "all"


def _fail(message: str, code: int = 2):
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def appendix(
    file: Path = typer.Argument(..., help="Register: .xlsx, .xlsm or .csv (with its .settings.json)."),
    template: Optional[TemplateName] = typer.Option(
        None, "--template", "-t", help="tracker, rag-analysis, options, programme-summary or business-cases; "
                                       "default: the one that fits the register."),
    format: Format = typer.Option(Format.pdf, "--format", "-f", help="docx, pdf, html, or all three."),
    out: Path = typer.Option(..., "--out", "-o", help="File to write; a folder for --format all."),
    committee: Optional[str] = typer.Option(None, "--committee", help="Only this committee's lines."),
    templates: Optional[Path] = typer.Option(
        None, "--templates", help="Folder of custom templates; files not in it come from the built-in set."),
    final: bool = typer.Option(
        False, "--final", help="The version for publication: refused while the register has validation errors."),
    map_: Optional[List[str]] = typer.Option(None, "--map", help="HEADER=key: read the column headed HEADER as "
                                             "that column (repeatable); see `savings-tracker inspect`."),
) -> None:
    """Write a committee appendix (savings tracker, RAG analysis or option proformas).

    Exit status: 0 written; 1 written as a DRAFT (the register has validation errors, printed on every page);
    2 not written (unusable file or template, --out that does not fit --format, --final with errors)."""
    from ..documents.context import DEFAULT_TEMPLATE
    from ..documents.drafts import draft_label, errors_for, settings_warnings
    from ..documents.render import FORMATS, default_name, render_appendix
    from ..readers import read_register

    if format is not Format.all and out.suffix.lower() != f".{format.value}":
        _fail(f"--out {out} does not end in .{format.value}, the --format asked for; name the file "
              f"{out.with_suffix('.' + format.value).name} or choose the --format that matches")
    if format is Format.all and out.suffix.lower() in (".pdf", ".docx", ".html", ".htm") and not out.is_dir():
        _fail(f"--format all writes three files into a folder; --out {out} looks like a file name "
              f"(give a folder, e.g. {out.with_suffix('')})")
    if format is not Format.all and out.is_dir():
        _fail(f"--out {out} is a folder; give the file to write, e.g. {out / ('appendix.' + format.value)}")
    from ..readers.mapping import parse_maps
    from .imports import refuse_if_not_understood
    try:
        reg = read_register(file, mapping=parse_maps(map_))
    except SavingsTrackerError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{file}: cannot be read ({exc.strerror or exc})")
    refuse_if_not_understood(file, reg)
    name = template.value if template else DEFAULT_TEMPLATE.get(reg.layout, "tracker")
    formats = FORMATS if format is Format.all else (format.value,)
    if len(formats) > 1:
        out.mkdir(parents=True, exist_ok=True)
        targets = [out / default_name(reg, name, f, committee) for f in formats]
    else:
        targets = [out]
    errors = errors_for(reg, committee)
    if final and errors:
        _fail(f"{file}: --final refused: the register has {len(errors)} validation error"
              f"{'s' if len(errors) != 1 else ''} (run savings-tracker validate {file}); without --final the "
              "appendix is written marked DRAFT")
    for warning in settings_warnings(file, reg, name):
        typer.echo(f"warning: {warning}", err=True)
    draft = draft_label(len(errors))
    written = []
    try:
        if len(targets) == 1:
            written.append(render_appendix(reg, name, formats[0], targets[0], committee=committee,
                                           templates_dir=templates, draft=draft))
        else:
            from rich.progress import Progress

            with Progress(transient=True) as progress:
                task = progress.add_task(f"Writing {name} appendix", total=len(targets))
                for fmt, target in zip(formats, targets):
                    progress.update(task, description=f"Writing {target.name}")
                    written.append(render_appendix(reg, name, fmt, target, committee=committee,
                                                   templates_dir=templates, draft=draft))
                    progress.advance(task)
    except SavingsTrackerError as exc:
        _fail(str(exc), getattr(exc, "exit_code", 2))
    except OSError as exc:
        _fail(f"cannot write {out}: {exc.strerror or exc}")
    for path in written:
        typer.echo(f"wrote {path}{' (' + draft + ')' if draft else ''}")
    if draft:
        typer.echo(f"warning: written as {draft}: run savings-tracker validate {file} to see them", err=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``appendix`` command to the main app."""
    app.command("appendix")(appendix)


def main() -> None:  # pragma: no cover - for running this command alone
    app = typer.Typer(add_completion=False)
    register(app)

    @app.callback()
    def _root():
        """Savings Tracker appendices."""

    app()


if __name__ == "__main__":  # pragma: no cover
    main()
