"""``savings-tracker build-workbook``: write Savings_Tracker.xlsm from a register (or blank), reproducibly."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import SavingsTrackerError


def _sample(name: str) -> Path:
    try:
        from ..samples import path
        return path(name)
    except ImportError:  # pragma: no cover - older layout without samples.path
        from importlib.resources import files
        return Path(str(files("savings_tracker.samples") / name))


def _fail(message: str, code: int = 2):
    typer.echo(f"savings-tracker: {message}", err=True)
    raise typer.Exit(code)


def _read(file: Path, layout: str, what: str):
    from ..readers import read_register
    try:
        reg = read_register(file, layout=layout)
    except SavingsTrackerError as exc:
        _fail(f"{what}: {exc}", getattr(exc, "exit_code", 2))
    except OSError as exc:
        _fail(f"{what}: {file}: cannot be read ({exc.strerror or exc})")
    if reg.layout != layout:
        _fail(f"{what}: {file.name} is a {reg.layout} register, not a {layout} register")
    return reg


def build_workbook_command(
        out: Path = typer.Option(..., "--out", help="Workbook to write (.xlsm)."),
        data: Optional[Path] = typer.Option(None, "--data", help="Tracker register to start from "
                                            "(.csv, .xlsx, .xlsm); default: the bundled seed-003 sample."),
        blank: bool = typer.Option(False, "--blank", help="An empty register for a new year (keeps the "
                                   "settings of --data if given)."),
        options: Optional[Path] = typer.Option(None, "--options", help="Budget options register for the "
                                               "Options sheet; default: the bundled sample (none with --blank)."),
        backups: int = typer.Option(0, "--backups", min=0, help="Timestamped backups of an existing workbook "
                                    "to keep beside it (0: none)."),
):
    """Build the Savings Tracker workbook (.xlsm): tables, formulas, dropdowns, buttons and macros."""
    from ..xlsx.atomic import atomic_write
    from ..workbook import build_workbook

    if out.suffix.lower() != ".xlsm":
        _fail(f"{out.name}: the workbook must end in .xlsm (it carries the button macros)")
    if data is not None and not blank and options is None:
        from .imports import import_register, read_mapped
        reg = read_mapped(data, None)              # --data is `import`: the council's register, nothing else
        import_register(reg, out, backups)
        typer.echo(f"Wrote {out} ({len(reg)} lines)")
        return
    reg = None
    if data is not None or not blank:
        reg = _read(data or _sample("tracker_2017-18_october.csv"), "tracker", "--data")
    opts = None
    if options is not None or not blank:
        opts = _read(options or _sample("budget_options_2018-19.csv"), "options", "--options")
    try:
        atomic_write(out, lambda tmp: build_workbook(tmp, reg, options=opts, blank=blank), backups_kept=backups)
    except SavingsTrackerError as exc:
        _fail(str(exc), getattr(exc, "exit_code", 2))
    lines = 0 if blank or reg is None else len(reg)
    typer.echo(f"Wrote {out} ({lines} lines{', blank register' if blank else ''})")


def register(app: typer.Typer) -> None:
    app.command("build-workbook")(build_workbook_command)
