"""``savings-tracker doctor [WORKBOOK]``: check a user's set-up for the workbook's buttons and says what to fix.

Prints one ``OK`` or ``FIX`` line per check; exits 1 if anything needs
fixing. Reads the workbook with openpyxl (read-only, never writes it).
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import typer

MIN_PYTHON = (3, 10)
UDF_MODULE = "savings_tracker.excel.udfs"   # what the builder writes on the xlwings.conf sheet


def _conf(path: Path) -> dict[str, object]:
    import openpyxl

    from ..core import schema

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        name = schema.SHEET_NAMES["conf"]
        if name not in wb.sheetnames:
            return {}
        out = {}
        for row in wb[name].iter_rows(min_row=1, max_col=2, values_only=True):
            if not row or row[0] in (None, ""):
                break
            out[str(row[0]).strip()] = row[1]
        return out
    finally:
        wb.close()


def checks(workbook: Path | None) -> list[tuple[bool, str]]:
    """(ok, message) for each check."""
    import xlwings

    out: list[tuple[bool, str]] = []
    v = sys.version_info
    out.append((v[:2] >= MIN_PYTHON, f"Python {v.major}.{v.minor}.{v.micro}" if v[:2] >= MIN_PYTHON else
                f"Python {v.major}.{v.minor} is too old: install Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or later"))
    out.append((True, f"xlwings {xlwings.__version__} installed"))
    if workbook is None:
        return out
    workbook = Path(workbook)
    if not workbook.is_file():
        out.append((False, f"{workbook}: no such file; give the path of Savings_Tracker.xlsm"))
        return out
    from ..workbook.lite import check as lite_check

    out.extend(lite_check(workbook))
    try:
        from ..workbook.vba import xlwings_vba_version

        embedded = xlwings_vba_version(workbook)
        ok = embedded == xlwings.__version__
        out.append((ok, f"workbook's xlwings VBA module is {embedded}, matching Python's xlwings" if ok else
                    f"workbook's xlwings VBA module is {embedded} but Python has xlwings {xlwings.__version__}: "
                    f"run `pip install xlwings=={embedded}` in the interpreter the workbook uses, or rebuild the "
                    f"workbook with `savings-tracker build-workbook`"))
    except Exception as exc:
        out.append((False, f"cannot read the workbook's VBA project ({exc}); rebuild it with "
                           f"`savings-tracker build-workbook`"))
    try:
        conf = _conf(workbook)
    except Exception as exc:
        out.append((False, f"cannot read {workbook.name} ({exc})"))
        return out
    if not conf:
        out.append((False, "no xlwings.conf sheet (or it is empty): rebuild the workbook, or add the sheet with "
                           "Interpreter_Win / Interpreter_Mac / UDF Modules rows"))
        return out
    key = "Interpreter_Mac" if sys.platform == "darwin" else "Interpreter_Win"
    interp = str(conf.get(key) or "").strip()
    python = sys.executable
    if interp:
        p = Path(os.path.expandvars(os.path.expanduser(interp)))
        if p.is_file():
            out.append((True, f"{key}: {p} exists"))
            python = str(p)
        else:
            out.append((False, f"{key}: {interp} does not exist; set it on the xlwings.conf sheet to the python "
                               f"of the environment where savings-tracker is installed (e.g. {sys.executable})"))
    else:
        out.append((True, f"{key} is blank: xlwings uses its default interpreter (or an xlwings.conf file); "
                          f"this one would be {sys.executable}"))
    pythonpath = [x for x in str(conf.get("PYTHONPATH") or "").split(os.pathsep if ";" not in
                  str(conf.get("PYTHONPATH") or "") else ";") if x.strip()]
    here = Path(__file__).resolve().parents[2]   # the folder that holds the savings_tracker package
    if pythonpath:
        hit = any(Path(x).expanduser().resolve() == here for x in pythonpath)
        has_pkg = any((Path(x).expanduser() / "savings_tracker" / "__init__.py").is_file() for x in pythonpath)
        ok = hit or has_pkg
        out.append((ok, "PYTHONPATH contains the folder with savings_tracker" if ok else
                    f"PYTHONPATH ({';'.join(pythonpath)}) has no savings_tracker package folder: set it to {here} "
                    f"or clear it if savings-tracker is installed in the interpreter"))
    udf = str(conf.get("UDF Modules") or "").strip()
    out.append((udf == UDF_MODULE, f"UDF Modules: {udf}" if udf == UDF_MODULE else
                f"UDF Modules is {udf or 'blank'}: set it to {UDF_MODULE} on the xlwings.conf sheet"))
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([*pythonpath, env.get("PYTHONPATH", "")])
    try:
        done = subprocess.run([python, "-c", "import savings_tracker.excel.buttons, sys; print(savings_tracker.__file__)"],
                              capture_output=True, text=True, timeout=120, env=env, cwd=str(workbook.parent))
        ok = done.returncode == 0
        out.append((ok, f"savings_tracker imports from {done.stdout.strip()} with {python}" if ok else
                    f"savings_tracker does not import with {python}: "
                    f"{(done.stderr.strip().splitlines() or ['?'])[-1]}. Install it there "
                    f"(`{python} -m pip install savings-tracker`) or set PYTHONPATH on the xlwings.conf sheet"))
    except (OSError, subprocess.TimeoutExpired) as exc:
        out.append((False, f"cannot run {python} ({exc})"))
    if importlib.util.find_spec("xlwings") is None:  # pragma: no cover - we imported it above
        out.append((False, "xlwings is not installed"))
    return out


def doctor(workbook: Optional[Path] = typer.Argument(None, help="The workbook (Savings_Tracker.xlsm) to check.")):
    """Check Python, xlwings and the workbook's set-up for both runtimes (xlwings.conf and the VBA project for
    Excel with local Python; the xlwings Lite parts for Excel without it); say what to fix."""
    results = checks(workbook)
    for ok, message in results:
        typer.echo(f"{'OK ' if ok else 'FIX'} {message}")
    if not all(ok for ok, _ in results):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
