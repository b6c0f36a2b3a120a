"""``savings-tracker returns make`` and ``returns collect``: the returns routine from the command line.

Exit status of ``collect``: 0 every return was used; 1 some findings are errors (listed; those parts were not
used); 2 nothing could be done (no folder, the workbook cannot be written, ...).
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from ..errors import SavingsTrackerError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Ask budget holders and partners for their forecasts, collect and consolidate the returns.")


class By(str, Enum):
    committee = "committee"
    owner = "owner"
    organisation = "organisation"


class Fmt(str, Enum):
    text = "text"
    json = "json"


def _fail(message: str, code: int = 2):
    typer.echo(f"savings-tracker: {message}", err=True)
    raise typer.Exit(code)


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    _fail(f"--due {text!r} is not a date; accepted: 2017-11-14, 14/11/2017 or 14 November 2017")


@app.command("make")
def make_command(
        workbook: Path = typer.Argument(..., help="The Savings Tracker workbook (--by committee|owner), or for "
                                                  "--by organisation the partnership's list: a table with an "
                                                  "Organisation column (and Baseline £), or a text file, one name "
                                                  "a line."),
        by: By = typer.Option(..., "--by", help="committee, owner or organisation: one return for each."),
        out: Path = typer.Option(..., "--out", help="Folder for the return workbooks."),
        due: Optional[str] = typer.Option(None, "--due", help="Date the returns are due, e.g. 2017-11-14."),
        years: Optional[str] = typer.Option(None, "--years", help="--by organisation: the years, e.g. "
                                                                  "2009/10,2010/11,2011/12."),
        targets: Optional[str] = typer.Option(None, "--targets", help="--by organisation: target % per year, "
                                                                      "e.g. 3,3,3.4."),
):
    """Write one return workbook per committee, owner or organisation, holding only its lines (or its baseline
    and targets), with the cells to fill in unlocked, dropdowns and a short instruction block."""
    from ..returns import make

    when = _date(due)
    try:
        if by is By.organisation:
            try:
                pcts = [Decimal(t.strip().rstrip("%")) for t in (targets or "").split(",") if t.strip()]
            except InvalidOperation:
                _fail(f"--targets {targets!r}: give numbers such as 3,3,3.4")
            made = make.partnership_returns(workbook, out, [y.strip() for y in (years or "").split(",") if y.strip()],
                                            pcts, when)
        else:
            made = make.council_returns(workbook, by.value, out, when)
    except SavingsTrackerError as exc:
        _fail(str(exc), exc.exit_code)
    for m in made:
        typer.echo(f"Wrote {m.path} ({m.group}: {m.lines} {'year' if by is By.organisation else 'line'}"
                   f"{'s' * (m.lines != 1)})")
    typer.echo(f"{len(made)} returns in {out}" + (f", due {make.due_text(when)}" if when else ""))


@app.command("collect")
def collect_command(
        folder: Path = typer.Argument(..., help="Folder of returns (.xlsx, .xlsm, .xls, .ods, .csv)."),
        into: Optional[Path] = typer.Option(None, "--into", help="Savings Tracker workbook to merge the returns "
                                                                 "into (closed; atomic, with a backup)."),
        partners: Optional[Path] = typer.Option(None, "--partners", help="Partner list: a text file, one name a "
                                                                         "line (default: partners on the Settings "
                                                                         "sheet of --into, if any)."),
        format: Fmt = typer.Option(Fmt.text, "--format", "-f", help="text or json."),
        backups: Optional[int] = typer.Option(None, "--backups", min=0, help="Backups to keep (default: "
                                                                             "backups_kept on the Settings sheet)."),
        appendix: Optional[Path] = typer.Option(None, "--appendix", help="Also write the appendix 'Partnership "
                                                                         "efficiency returns' (.html or .pdf)."),
        title: str = typer.Option("Partnership efficiency returns", "--title", help="The appendix's title."),
        organisation: str = typer.Option("", "--organisation", help="Who publishes the appendix, e.g. the "
                                                                    "partnership's name."),
):
    """Read every return in FOLDER, check it, list who has and has not returned, consolidate partnership
    returns, and with --into merge council returns into the workbook. Return files are never changed."""
    from ..returns.collect import run

    try:
        code, payload, lines = run(folder, into=into, partners=partners, backups=backups, appendix=appendix,
                                   appendix_options={"title": title, "organisation": organisation})
    except SavingsTrackerError as exc:
        _fail(str(exc), exc.exit_code)
    if format is Fmt.json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        typer.echo("\n".join(lines))
    raise typer.Exit(code)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="returns")
