"""LibreOffice (headless) as a test-time spreadsheet engine.

The UNO bridge imports only in Debian's system Python (``python3-uno``), not in
the project's virtualenv, so every UNO call runs in ``uno_worker.py`` as a
subprocess of that interpreter (``SAVINGS_TRACKER_UNO_PYTHON``, default
``/usr/bin/python3``). Each call gets its own soffice process, free port and
profile directory (parallel-safe), a timeout (never hangs: the whole process
group is killed) and leaves nothing behind.

Structured references: LibreOffice 7.4 evaluates Excel Table references only
fully qualified, e.g. ``SUM(Savings[[#This Row],[Plan Q1]:[Plan Q2]])`` and
``SUBTOTAL(109,Savings[Plan Q1])``; the ``[@Col]`` shorthand gives Err:507.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = [
    "DEFAULT_TIMEOUT",
    "LibreOfficeError",
    "LibreOfficeMissing",
    "convert",
    "find_soffice",
    "formulas",
    "recalculate",
    "sheet_to_png",
    "uno_python",
    "vba_modules",
]

DEFAULT_TIMEOUT = 120.0
_WORKER = Path(__file__).with_name("uno_worker.py")
_INSTALL_HINT = ("Install LibreOffice Calc and the UNO bridge: "
                 "sudo apt-get install libreoffice-calc python3-uno poppler-utils")


class LibreOfficeMissing(RuntimeError):
    """LibreOffice, its UNO bridge, or pdftoppm is not installed."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}. {_INSTALL_HINT} (Debian packages libreoffice-calc, python3-uno).")


class LibreOfficeError(RuntimeError):
    """LibreOffice ran but the operation failed or timed out."""


def find_soffice() -> str:
    """Path of the ``soffice`` launcher (env ``SAVINGS_TRACKER_SOFFICE`` wins)."""
    candidates = [os.environ.get("SAVINGS_TRACKER_SOFFICE"), shutil.which("soffice"), shutil.which("libreoffice"),
                  "/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
                  "/opt/libreoffice/program/soffice", "/Applications/LibreOffice.app/Contents/MacOS/soffice"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise LibreOfficeMissing("LibreOffice (soffice) was not found")


def uno_python() -> str:
    """An interpreter that can ``import uno`` (env ``SAVINGS_TRACKER_UNO_PYTHON``, default /usr/bin/python3)."""
    python = os.environ.get("SAVINGS_TRACKER_UNO_PYTHON", "/usr/bin/python3")
    if not (Path(python).is_file() or shutil.which(python)):
        raise LibreOfficeMissing(f"The UNO Python interpreter {python!r} does not exist")
    try:
        check = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30)
    except subprocess.TimeoutExpired as exc:
        raise LibreOfficeError(f"{python} -c 'import uno' timed out") from exc
    if check.returncode != 0:
        raise LibreOfficeMissing(f"{python} cannot import uno: {check.stderr.decode(errors='replace').strip()}")
    return python


def _run(args: list[str], timeout: float, what: str, cwd: str | None = None) -> subprocess.CompletedProcess:
    """Run ``args`` in a session of its own; on timeout kill the whole group (soffice included)."""
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, cwd=cwd)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise LibreOfficeError(f"{what} timed out after {timeout:.0f} s") from None
    finally:
        # soffice may outlive its launcher in the same group; make sure nothing is left.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _worker(request: dict, timeout: float):
    soffice = find_soffice()
    python = uno_python()
    profile = tempfile.mkdtemp(prefix="savings-tracker-lo-")
    try:
        # The worker's own deadline is a little shorter so it can report and clean up itself.
        payload = dict(request, soffice=soffice, profile=profile, timeout=max(timeout - 10, timeout * 0.8))
        done = _run([python, str(_WORKER), json.dumps(payload)], timeout, f"LibreOffice {request['op']}")
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    try:
        answer = json.loads(done.stdout.decode() or "null")
    except json.JSONDecodeError:
        answer = None
    if not isinstance(answer, dict):
        raise LibreOfficeError(f"LibreOffice worker failed (exit {done.returncode}): "
                               f"{done.stderr.decode(errors='replace').strip()[-2000:]}")
    if not answer.get("ok"):
        raise LibreOfficeError(f"LibreOffice {request['op']} failed: {answer.get('error')}\n"
                               f"{answer.get('traceback', '')}")
    return answer["result"]


def _existing(path: str | os.PathLike) -> str:
    resolved = Path(path).resolve()
    if not resolved.is_file():
        raise FileNotFoundError(resolved)
    return str(resolved)


def recalculate(path: str | os.PathLike, sheets: list[str] | None = None, *,
                timeout: float = DEFAULT_TIMEOUT) -> dict[str, list[list]]:
    """Load ``path`` in LibreOffice, ``calculateAll()``, and return each sheet's (all or
    ``sheets``) used area from A1 as rows of values: numbers as float, text as str,
    empty as None, errors as their text ("#NAME?", "Err:507", ...)."""
    return _worker({"op": "recalculate", "path": _existing(path), "sheets": sheets}, timeout)


def formulas(path: str | os.PathLike, sheet: str, *, timeout: float = DEFAULT_TIMEOUT) -> dict[str, str]:
    """A1 address -> formula of every formula cell of ``sheet``, as LibreOffice's API
    writes it (English function names, ``;`` between arguments)."""
    return _worker({"op": "formulas", "path": _existing(path), "sheet": sheet}, timeout)


def vba_modules(path: str | os.PathLike, *, timeout: float = DEFAULT_TIMEOUT) -> list[str]:
    """Module names of the document's Basic library (where LibreOffice puts a VBA project's
    modules, with VBA loading switched on), in LibreOffice's order."""
    result = _worker({"op": "vba_modules", "path": _existing(path)}, timeout)
    names: list[str] = []
    for library in result["libraries"].values():
        names.extend(library)
    return names


def convert(path: str | os.PathLike, fmt: str, outdir: str | os.PathLike, *,
            timeout: float = DEFAULT_TIMEOUT) -> Path:
    """``soffice --headless --convert-to fmt`` with a private profile; returns the output file."""
    source = Path(_existing(path))
    out = Path(outdir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    soffice = find_soffice()
    profile = tempfile.mkdtemp(prefix="savings-tracker-lo-")
    try:
        done = _run([soffice, "--headless", "--norestore", "--nolockcheck",
                     f"-env:UserInstallation={Path(profile).as_uri()}",
                     "--convert-to", fmt, "--outdir", str(out), str(source)], timeout, f"soffice --convert-to {fmt}")
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    target = out / f"{source.stem}.{fmt.split(':', 1)[0]}"
    if done.returncode != 0 or not target.is_file():
        raise LibreOfficeError(f"soffice --convert-to {fmt} of {source} failed (exit {done.returncode}): "
                               f"{(done.stdout + done.stderr).decode(errors='replace').strip()}")
    return target


def resave(path: str | os.PathLike, out: str | os.PathLike, edits: list[dict] | None = None, *,
           timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Open ``path`` in LibreOffice, make a user's ``edits`` (typed values, cleared cells, inserted rows, a
    renamed sheet, a sort: see ``uno_worker.apply_edit``), recalculate and save it as ``out`` (.xlsx or .xlsm,
    Excel 2007+ format): a stand-in for a user's own save in a real spreadsheet application."""
    target = Path(out).resolve()
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ValueError(f"{target.name}: resave writes .xlsx or .xlsm")
    target.parent.mkdir(parents=True, exist_ok=True)
    _worker({"op": "resave", "path": _existing(path), "out": str(target), "edits": list(edits or ())}, timeout)
    return target


def sheet_to_png(xlsx_path: str | os.PathLike, sheet_name: str, out_png: str | os.PathLike, *,
                 timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Render one sheet (the others hidden) to PDF in LibreOffice, then its first page
    to ``out_png`` with ``pdftoppm -png -r 80 -singlefile``."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise LibreOfficeMissing("pdftoppm (Debian package poppler-utils) was not found")
    target = Path(out_png).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="savings-tracker-png-") as tmp:
        pdf = Path(tmp) / "sheet.pdf"
        _worker({"op": "sheet_pdf", "path": _existing(xlsx_path), "sheet": sheet_name, "out": str(pdf)}, timeout)
        prefix = Path(tmp) / "page"
        done = _run([pdftoppm, "-png", "-r", "80", "-singlefile", str(pdf), str(prefix)], timeout, "pdftoppm")
        if done.returncode != 0 or not prefix.with_suffix(".png").is_file():
            raise LibreOfficeError(f"pdftoppm failed: {done.stderr.decode(errors='replace').strip()}")
        shutil.move(str(prefix.with_suffix(".png")), target)
    return target


if __name__ == "__main__":  # python -m savings_tracker.libreoffice book.xlsx
    print(json.dumps(recalculate(sys.argv[1]), indent=1))
