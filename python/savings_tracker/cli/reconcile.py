"""``savings-tracker reconcile A B``: do two papers agree about the same programme? (``register(app)`` adds the
command.)"""
from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from ..errors import SavingsTrackerError


class Fmt(str, Enum):
    text = "text"
    json = "json"


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"savings-tracker: {message}", err=True)
    raise typer.Exit(code)


def reconcile(a: Path = typer.Argument(..., help="First register (any layout): .xlsx, .xlsm or .csv."),
              b: Path = typer.Argument(..., help="Second register (any layout)."),
              format: Fmt = typer.Option(Fmt.text, "--format", "-f", help="text or json."),
              keys: Optional[Path] = typer.Option(
                  None, "--keys", help="JSON of section -> programme reference (e.g. {\"F\": \"PSR6\"}) for a "
                                       "business-case register that does not name its programmes; the bundled "
                                       "samples/sections_psr_2017-18.json is seed 001 against seed 000.")) -> None:
    """Compare the same programme in two registers: items matched by reference or programme number where both
    have one, else by name; amounts compared exactly after converting units (£000 against £m). Exit 0 when they
    agree, 1 when anything differs, 2 when a file cannot be used."""
    from ..core import reconcile as rec
    from ..readers import read_register

    try:
        ra, rb = read_register(a), read_register(b)
        result = rec.reconcile(ra, rb, rec.load_keys(keys))
    except SavingsTrackerError as exc:
        _fail(str(exc), exc.exit_code)
    except OSError as exc:
        _fail(f"cannot be read ({exc.strerror or exc})")
    if format is Fmt.json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        typer.echo(rec.text(result, ra, rb, a.name, b.name))
    raise typer.Exit(1 if rec.differs(result) else 0)


def register(app: typer.Typer) -> None:
    """Add the ``reconcile`` command to the main app."""
    app.command("reconcile")(reconcile)
