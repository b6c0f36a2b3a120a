"""``savings-tracker import`` (and ``build-workbook --data``, the same thing) and ``savings-tracker inspect``:
a council's own tracker read, its columns shown and mapped, and the product workbook built from it."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..errors import SavingsTrackerError

MAP_HELP = "HEADER=key: read the column headed HEADER as the column key (repeatable); see `inspect`."


def _fail(message: str, code: int = 2):
    typer.echo(f"savings-tracker: {message}", err=True)
    raise typer.Exit(code)


def read_mapped(file: Path, maps: list[str] | None, sheet: str | None = None, layout: str | None = None):
    """A council's register read with its --map options; any problem is one line and exit 2."""
    from ..readers import read_register
    from ..readers.mapping import parse_maps
    try:
        mapping = parse_maps(maps)
        reg = read_register(file, layout=layout, sheet=sheet, mapping=mapping)
    except SavingsTrackerError as exc:
        _fail(str(exc), getattr(exc, "exit_code", 2))
    except OSError as exc:
        _fail(f"{file}: cannot be read ({exc.strerror or exc})")
    if mapping:
        reg.settings.column_map = {**reg.settings.column_map, **mapping}
    return reg


def refuse_if_not_understood(file: Path, reg) -> None:
    """Figures from misread columns would be wrong: refuse (exit 2) and say why."""
    from ..readers.mapping import not_understood
    problems = not_understood(reg)
    if problems:
        _fail(f"{file.name}: the register's columns could not be understood, so no figures are printed: "
              + "; ".join(problems[:3]) + ". Run `savings-tracker inspect` to see how each column was read")


def import_register(reg, out: Path, backups: int = 0) -> None:
    """Build the product workbook from a council's register: its lines, figures, extra columns and title
    facts, its mapping on Settings, and no sample data from elsewhere."""
    from ..readers.mapping import not_understood, own_headers
    from ..workbook import build_workbook
    from ..xlsx.atomic import atomic_write

    if out.suffix.lower() != ".xlsm":
        _fail(f"{out.name}: the workbook must end in .xlsm (it carries the button macros)")
    problems = not_understood(reg)
    if problems:
        _fail(f"{Path(reg.source.path).name}: not imported: " + "; ".join(problems[:3]))
    cols = {c.key for c in reg.columns()}
    if not cols & {"plan_total", "forecast_total", "plan_q1", "plan_y1", "saving_total", "saving_y1"}:
        _fail(f"{Path(reg.source.path).name}: not imported: no plan or target figure")
    reg.settings.column_map = own_headers(reg, reg.settings.column_map)   # the Tracker shows them
    try:
        atomic_write(out, lambda tmp: build_workbook(tmp, reg, options=None, imported=True), backups_kept=backups)
    except SavingsTrackerError as exc:
        _fail(str(exc), getattr(exc, "exit_code", 2))


def import_command(
        file: Path = typer.Argument(..., help="The council's tracker: .xlsx, .xlsm, .xls, .ods or .csv."),
        out: Path = typer.Option(..., "--out", help="Workbook to write (.xlsm)."),
        map_: Optional[List[str]] = typer.Option(None, "--map", help=MAP_HELP),
        sheet: Optional[str] = typer.Option(None, "--sheet", help="Sheet holding the register (default: found)."),
        backups: int = typer.Option(0, "--backups", min=0, help="Timestamped backups of an existing workbook."),
):
    """Build the Savings Tracker workbook from a council's own tracker, losing nothing."""
    reg = read_mapped(file, map_, sheet)
    import_register(reg, out, backups)
    extra = f", {len(reg.extras)} extra column{'s' * (len(reg.extras) != 1)} carried" if reg.extras else ""
    typer.echo(f"Wrote {out} ({len(reg)} lines from {file.name}, a {reg.layout} register{extra})")


def inspect_command(
        file: Path = typer.Argument(..., help="The council's tracker: .xlsx, .xlsm, .xls, .ods or .csv."),
        map_: Optional[List[str]] = typer.Option(None, "--map", help=MAP_HELP),
        sheet: Optional[str] = typer.Option(None, "--sheet", help="Sheet holding the register (default: found)."),
):
    """Show, for each column of a file, its header cell, what it was read as and why (or that it was not)."""
    from ..readers.mapping import column_report, not_understood
    reg = read_mapped(file, map_, sheet)
    s = reg.settings
    src = reg.source
    typer.echo(f"{file.name}: sheet '{src.sheet}', header row {src.header_row}, {reg.layout} register, "
               f"{len(reg)} lines, {len(reg.published)} published total/subtotal rows")
    facts = [f"{k} {v!r}" for k, v in (("organisation", s.organisation), ("title", s.title),
                                       ("financial_year", s.financial_year), ("period", s.period)) if v]
    typer.echo(f"  unit {s.unit}, savings stored {s.sign}" + (f"; {', '.join(facts)}" if facts else ""))
    for r in column_report(reg, src.headers, src.how):
        typer.echo(f"  {r.column:>3}  {r.header[:40]!r:<44} -> {r.read_as}" + (f"  [{r.why}]" if r.why else ""))
    problems = not_understood(reg)
    for p in problems:
        typer.echo(f"  ERROR {p}")
    raise typer.Exit(2 if problems else 0)


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("inspect")(inspect_command)
