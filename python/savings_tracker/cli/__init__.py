"""The ``savings-tracker`` command line: the same core the workbook's buttons use, run headless.

Exit status: 0 fine; 1 the register has errors; 2 the input cannot be used. Users see one clear line for
any problem, never a traceback (set SAVINGS_TRACKER_DEBUG=1 to see one).
"""
from __future__ import annotations

import json
import os
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from .. import __version__
from ..errors import SavingsTrackerError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help="Savings Tracker: validate, summarise and publish a council's savings register.")



class Fmt(str, Enum):
    text = "text"
    json = "json"


class By(str, Enum):
    committee = "committee"
    programme = "programme"
    portfolio = "portfolio"
    section = "section"
    project = "project"
    directorate = "directorate"
    service_area = "service_area"
    group = "group"


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"savings-tracker: {message}", err=True)
    raise typer.Exit(code)


def load(file: Path, layout: str | None = None, maps: list[str] | None = None):
    from .imports import read_mapped
    return read_mapped(file, maps, layout=layout)


MAP_OPTION = typer.Option(None, "--map", help="HEADER=key: read the column headed HEADER as that column "
                                              "(repeatable); `savings-tracker inspect FILE` shows how each was read.")


def _version(value: bool):
    if value:
        typer.echo(f"savings-tracker {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")):
    """Savings Tracker: validate, summarise and publish a council's savings register."""


@app.command()
def validate(file: Path = typer.Argument(..., help="Register file: .xlsx, .xlsm or .csv."),
             format: Fmt = typer.Option(Fmt.text, "--format", "-f", help="text or json."),
            layout: Optional[str] = typer.Option(None, help="tracker, programme, options or cases (default: detect)."),
             map_: Optional[List[str]] = MAP_OPTION):
    """Check a register: exit 0 when no errors, 1 when errors, 2 when the file cannot be used."""
    from ..core import report
    from ..core.validate import validate as run
    reg = load(file, layout, map_)
    findings = run(reg)
    if format is Fmt.json:
        typer.echo(json.dumps(report.findings_json(findings), ensure_ascii=False, indent=2))
    else:
        typer.echo(f"{file.name}: {reg.layout} register, {len(reg)} lines")
        typer.echo(report.findings_text(findings))
    raise typer.Exit(1 if any(f.severity == "error" for f in findings) else 0)


@app.command()
def summary(file: Path = typer.Argument(..., help="Register file: .xlsx, .xlsm or .csv."),
            by: Optional[By] = typer.Option(None, "--by", help="Group by committee, programme, portfolio, or (business "
                                                               "cases) section or project."),
            format: Fmt = typer.Option(Fmt.text, "--format", "-f", help="text or json."),
            layout: Optional[str] = typer.Option(None, help="tracker, programme, options or cases (default: detect)."),
            map_: Optional[List[str]] = MAP_OPTION):
    """Totals, RAG counts and the RAG £ analysis, overall and by group, in the file's own unit and sign."""
    from ..core import calc, report
    from .imports import refuse_if_not_understood
    reg = load(file, layout, map_)
    refuse_if_not_understood(file, reg)
    group = by.value if by else None
    if group and group not in reg.lines and not (group == "portfolio" and reg.has("reference")):
        fail(f"{file.name}: cannot group by {group}: the register has no {group} column")
    s = calc.summarise(reg, group)
    if format is Fmt.json:
        typer.echo(json.dumps(report.summary_json(reg, s), ensure_ascii=False, indent=2))
    else:
        typer.echo(report.summary_text(reg, s))


@app.command()
def demo(out: Path = typer.Option(Path("savings-demo"), "--out", help="Folder for the demo's outputs."),
         quick: bool = typer.Option(False, help="Skip the slow parts (workbook preview, PDF/PNG).")):
    """Load the bundled sample registers, validate and summarise them, and write every output to a folder."""
    from ..demo import run
    try:
        run(out, quick=quick)
    except SavingsTrackerError as exc:
        fail(str(exc), exc.exit_code)


# The command groups, one module each; each module's register(app) adds its commands. Their heavy libraries
# are imported inside the commands, so that `savings-tracker validate` starts fast.
from . import appendix, doctor, files, imports, reconcile, returns, workbook  # noqa: E402  (after app, fail and load)

for _module in (workbook, imports, appendix, doctor, files, returns, reconcile):
    _module.register(app)


def main(argv: list[str] | None = None) -> int:
    try:
        app(args=argv, prog_name="savings-tracker", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    except SavingsTrackerError as exc:
        typer.echo(f"savings-tracker: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        typer.echo("savings-tracker: interrupted; no file was changed", err=True)
        return 130
    except Exception as exc:  # the promise: never a traceback for the user
        if os.environ.get("SAVINGS_TRACKER_DEBUG"):
            raise
        typer.echo(f"savings-tracker: internal error ({type(exc).__name__}: {exc}). No file was changed. "
                   "Please report this with the command you ran; SAVINGS_TRACKER_DEBUG=1 shows details.", err=True)
        return 3
    return 0


