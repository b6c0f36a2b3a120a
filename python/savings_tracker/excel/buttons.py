"""The workbook's buttons: ``validate``, ``refresh``, ``snapshot``, ``appendix``.

Each is callable as ``fn()`` from VBA's ``RunPython`` (the workbook is ``xw.Book.caller()``) and as ``fn(book)``
for any xlwings ``Book``. Only the BSD ``Book`` API is used, so the same code runs under Excel on Windows and
macOS and under xlwings' remote engine.

Calls into Excel do not grow with the number of lines: the ``Savings`` table and the Settings sheet are read
in one bulk call each; each block of an ``plans.UpdatePlan`` is written in one call; marks are cleared with
one call on the table body and set with ``Range.set_colors`` once per marked column (chunks of <= 10,000
cells); restored formulas are written once per computed column. Values are read, and the formulas of the
computed columns in one call where the engine can read them (Excel on Windows and macOS; not xlwings Lite or
the remote engine), never formats. Every function catches everything and tells the user in an
alert; nothing the user typed is overwritten (only Checks, Summary, History and the computed columns are
written; snapshot also sets the Direction of travel column, as the issue asks).
"""
from __future__ import annotations

import contextvars
import datetime as dt
import functools
import os
import sys
import traceback
from pathlib import Path

import xlwings as xw

from ..core import history, schema
from .. import plans
from ..errors import SavingsTrackerError, SettingsError
from ..readers.values import register_from_values, take_formulas
from . import names
from .writer import OpenBookWriter
from .. import cells
from ..core.register import ERROR
from ..core.settings import Settings
from ..core.validate import validate as run_validation, validate_and_summarise

TITLE = "Savings Tracker"
S = schema.SHEET_NAMES
TABLE = schema.TABLE_NAMES["tracker"]
#: Columns the buttons cannot work without (deleting one is reported, nothing is changed).
NEEDED = ("reference", "title", "committee", "plan_q1", "plan_q2", "plan_q3", "plan_q4", "plan_total",
          "forecast_q1", "forecast_q2", "forecast_q3", "forecast_q4", "forecast_total", "variance", "rag")
#: What an imported council tracker's table needs (its own columns, not the product's phasing).
NEEDED_OWN = ("reference", "title", "plan_total")


def needed_columns(headers) -> tuple[str, ...]:
    """The columns a button cannot work without: the product's tracker (one with quarterly phasing) needs every
    column it was built with; a council's own tracker, imported with its own columns, needs its lines and plan."""
    quarters = [k for k in NEEDED if k.startswith(("plan_q", "forecast_q"))]
    return NEEDED if any(k in headers for k in quarters) else NEEDED_OWN


APPENDIX_NAMES = {"template": "AppendixTemplate", "format": "AppendixFormat", "committee": "AppendixCommittee"}


class Problem(SavingsTrackerError):
    """Something in the workbook stops the button; the message says what and how to fix it."""


#: Which runtime runs the buttons: "macro" (RunPython, Excel with local Python) or "lite" (xlwings Lite in
#: Pyodide, set by ``excel.entry_points``). Lite has no status bar and no alert: its messages go to
#: the ``LiteMessage`` cell and the task pane's output; it is given only the actions its Office.js client
#: applies (values, clear, one fill colour per range, insert, table resize).
RUNTIME = contextvars.ContextVar("savings_tracker_runtime", default="macro")
LITE_MESSAGE_NAME = names.LITE_MESSAGE_NAME
#: Lite's file area (menu > Files imports and exports files there); tests point it elsewhere.
LITE_DATA = os.environ.get("SAVINGS_TRACKER_LITE_DATA", "/data")


def on_lite() -> bool:
    return RUNTIME.get() == "lite"


# ---- plumbing -------------------------------------------------------------------------------------------------
def _book(book):
    return book if book is not None else xw.Book.caller()


def _status(book, text) -> None:
    """Progress in Excel's status bar; the remote engine has none (NotImplementedError): no-op there, and
    never called under xlwings Lite (its App has no status bar)."""
    if on_lite():
        return
    try:
        book.app.status_bar = text if text else False
    except Exception:
        pass


def _alert(book, prompt: str, mode: str = "info") -> None:
    prompt = prompt if len(prompt) < 1500 else prompt[:1490] + " ..."
    if on_lite():
        _lite_message(book, prompt, mode)
        return
    try:
        book.app.alert(prompt, title=TITLE, mode=mode)
    except Exception:
        print(f"{TITLE}: {prompt}", file=sys.stderr)


def _lite_message(book, prompt: str, mode: str) -> None:
    """Lite: the message into the ``LiteMessage`` cell (one line, beside the Lite buttons) and, in full, to
    the task pane's output (print)."""
    print(f"{TITLE}: {prompt}")
    line = " ".join(prompt.split())
    line = ("Problem: " if mode == "critical" else "") + line
    try:
        for n in book.names:
            if n.name.split("!")[-1].lower() == LITE_MESSAGE_NAME.lower():
                n.refers_to_range.value = plans.excel_input(line[:1000])
                return
    except Exception as exc:  # no such name (an older workbook): the task pane still has the message
        print(f"{TITLE}: cannot write the message cell {LITE_MESSAGE_NAME} ({exc})", file=sys.stderr)


def _button(fn):
    """Run a button: any exception becomes an alert naming the problem (never a traceback dialog)."""
    @functools.wraps(fn)
    def wrapper(book=None, *args, **kwargs):
        try:
            book = _book(book)
        except Exception as exc:
            print(f"{TITLE}: no workbook to work on ({exc}); run this from the workbook's button, or pass an "
                  f"xlwings Book", file=sys.stderr)
            return None
        try:
            return fn(book, *args, **kwargs)
        except SavingsTrackerError as exc:
            _alert(book, f"{exc}\n\nNothing was changed.", "critical")
        except Exception as exc:  # a bug or an Excel failure: still a message, with the detail on stderr
            traceback.print_exc()
            _alert(book, f"{fn.__name__} could not finish: {type(exc).__name__}: {exc}\n\nNothing you typed was "
                         f"changed. Please report this message to whoever supports the workbook.", "critical")
        finally:
            _status(book, None)
        return None
    return wrapper


# ---- reading -------------------------------------------------------------------------------------------------
def _sheet(book, key: str):
    name = S[key]
    for sh in book.sheets:
        if sh.name == name:
            return sh
    raise Problem(f"There is no sheet named '{name}' (sheets: {', '.join(s.name for s in book.sheets)}). "
                  f"Rename the sheet back to '{name}', or rebuild the workbook")


def _find_table(book, name: str):
    others = []
    for sh in book.sheets:
        for t in sh.tables:
            if t.name == name:
                return sh, t
            others.append(f"'{t.name}' on sheet {sh.name}")
    where = f"; found {', '.join(others)}" if others else ""
    raise Problem(f"There is no Excel Table named '{name}'{where}. Select the table, then Table Design > Table "
                  f"Name, and name it '{name}' again")


def read_settings(book) -> Settings:
    """The Settings sheet (Setting / Value rows) in one read."""
    sh = _sheet(book, "settings")
    rows = sh.used_range.value
    rows = rows if isinstance(rows, list) else [[rows]]
    rows = [r if isinstance(r, list) else [r] for r in rows]
    try:
        return Settings.from_rows(rows, origin=f"sheet {sh.name}")
    except SettingsError as exc:
        raise Problem(f"{exc}. Correct it on the {sh.name} sheet") from None


class Context:
    """What one button run read from the workbook (each in one bulk call)."""

    def __init__(self, book):
        self.book = book
        _status(book, "Savings Tracker: reading Settings ...")
        self.settings = read_settings(book)
        _status(book, "Savings Tracker: reading the Savings table ...")
        self.sheet, self.table = _find_table(book, TABLE)
        rng = self.table.range
        self.top, self.left = rng.row, rng.column
        values = rng.value
        if not isinstance(values, list) or not values or not isinstance(values[0], list):
            values = [values] if isinstance(values, list) else [[values]]
        if self.table.show_totals and len(values) > 1:
            values = values[:-1]
        self.header = values[0]
        self.reg, self.headers = register_from_values(values, sheet=self.sheet.name, top=self.top, left=self.left,
                                                      settings=self.settings, path=book.fullname)
        self.body_last = self.top + len(values) - 1
        self.formulas_read = self._read_formulas()
        missing = [k for k in needed_columns(self.headers) if k not in self.headers]
        if missing:
            names = ", ".join(f"'{schema.BY_KEY[k].header_for(self.settings, 'tracker')}'" for k in missing)
            raise Problem(f"The Savings table on sheet {self.sheet.name} has no {names} column (deleted or "
                          f"renamed?). Undo the change, or copy the header back from a fresh workbook; the "
                          f"buttons need every column")

    def _read_formulas(self) -> bool:
        """Which computed cells hold their formula, read in one call (``Range.formula`` of the computed
        columns' span), so a constant typed over a formula is found whatever its value. Excel on Windows and
        macOS reads formulas; xlwings Lite and the remote engine cannot read them synchronously, and there the
        typed-over cells are those whose value differs from what the formula gives. Returns whether read."""
        keys = [k for k in plans.COMPUTED_FORMULA_KEYS if self.reg.source.columns.get(k, -1) >= 0]
        if not keys or self.body_last <= self.top or on_lite():
            return False
        first = min(self.reg.source.columns[k] for k in keys) + 1
        last = max(self.reg.source.columns[k] for k in keys) + 1
        try:
            matrix = self.sheet.range((self.top + 1, first), (self.body_last, last)).formula
        except NotImplementedError:
            return False
        take_formulas(self.reg, matrix, top=self.top + 1, left=first, keys=keys, columns=last - first + 1)
        return True

    def require_lines(self, what: str) -> None:
        if not len(self.reg):
            raise Problem(f"The Savings table on sheet {self.sheet.name} has no lines, so there is nothing to "
                          f"{what}. Enter at least one saving (a Reference and a Title) first")


def _values(sheet) -> list[list]:
    """A sheet's used range as rows from A1 (one read), or [] if it is empty."""
    try:
        rng = sheet.used_range
        if rng.row != 1 or rng.column != 1:
            rng = sheet.range((1, 1), (rng.row + rng.rows.count - 1, rng.column + rng.columns.count - 1))
        values = rng.options(ndim=2).value
        return values if isinstance(values, list) else []
    except Exception:
        return []


def _first_errors(findings, n: int = 3) -> str:
    errs = [f for f in findings if f.severity == ERROR][:n]
    if not errs:
        return ""
    return "\n\nFirst errors:\n" + "\n".join(f"• {f.where()}: {f.message}" for f in errs)


# ---- the buttons -------------------------------------------------------------------------------------------------
@_button
def validate(book=None):
    """Validate button: rewrite Checks, mark offending cells (and clear old marks), report the counts."""
    ctx = Context(book)
    _status(book, "Savings Tracker: checking the lines ...")
    findings = run_validation(ctx.reg)
    extra = [] if len(ctx.reg) else ["the Savings table has no lines yet"]
    checks = _values(_sheet(book, "checks"))
    plan = plans.validate_plan(ctx.reg, findings, checks_used_rows=len(checks), checks_values=checks,
                                 extra_messages=extra)
    OpenBookWriter(book, status=lambda text: _status(book, text), lite=on_lite()).apply(plan)
    _alert(book, plan.messages[0] + _first_errors(findings), "critical" if any(
        f.severity == ERROR for f in findings) else "info")
    return plan


@_button
def refresh(book=None):
    """Refresh button: validate, restore typed-over formulas (listed in Checks), Suggested RAG, Summary."""
    ctx = Context(book)
    ctx.require_lines("summarise")
    _status(book, "Savings Tracker: looking for typed-over formulas ...")
    over = plans.find_typed_over(ctx.reg, ctx.headers)
    reg = plans.without_typed_over(ctx.reg, over)
    _status(book, "Savings Tracker: checking and summarising ...")
    findings, summary = validate_and_summarise(reg)
    summary_sheet = _sheet(book, "summary")
    summary_values = summary_sheet.used_range.value
    checks = _values(_sheet(book, "checks"))
    plan = plans.refresh_plan(reg, findings, summary, over, checks_used_rows=len(checks), checks_values=checks,
                                summary_values=summary_values if isinstance(summary_values, list) else None)
    OpenBookWriter(book, status=lambda text: _status(book, text), lite=on_lite()).apply(plan)
    _alert(book, "\n".join(plan.messages) + _first_errors(findings), "info")
    return plan


@_button
def snapshot(book=None, replace: bool = False):
    """Snapshot button: append this period's forecast and RAG per line to History, set Direction of travel."""
    ctx = Context(book)
    ctx.require_lines("record")
    hist_sheet, table = _find_table(book, plans.HISTORY_TABLE)
    rng = table.range
    values = rng.value
    values = values if isinstance(values, list) and values and isinstance(values[0], list) else [values or []]
    head = [str(v or "").strip() for v in values[0]]
    if head[: len(history.HISTORY_HEADERS)] != list(history.HISTORY_HEADERS):
        raise Problem(f"The History table's columns are {', '.join(h for h in head if h)}; expected "
                      f"{', '.join(history.HISTORY_HEADERS)}. Undo the change to the History sheet")
    if ctx.reg.read_findings and any(f.severity == ERROR and f.code == "money-invalid" for f in ctx.reg.read_findings):
        bad = [f for f in ctx.reg.read_findings if f.code == "money-invalid"]
        raise Problem(f"{len(bad)} money cell(s) hold text, so the snapshot would record wrong figures. Click "
                      f"Validate, correct them, then take the snapshot." + _first_errors(bad))
    period = ctx.settings.period
    plan = plans.snapshot_plan(ctx.reg, values[1:], period, dt.datetime.now().replace(microsecond=0), replace,
                                 history_top_left=cells.address(rng.row, rng.column),
                                 history_sheet=hist_sheet.name)
    if not plan.refused:
        OpenBookWriter(book, status=lambda text: _status(book, text), lite=on_lite()).apply(plan)
    _alert(book, "\n".join(plan.messages), "critical" if plan.refused else "info")
    return plan


def replace_snapshot(book=None):
    """Take this period's snapshot again, replacing the one in History."""
    return snapshot(book, replace=True)


def _named_value(book, name: str):
    try:
        for n in book.names:
            if n.name.split("!")[-1].lower() == name.lower():
                v = n.refers_to_range.value
                return v.strip() if isinstance(v, str) and v.strip() else None
    except Exception:
        return None
    return None


@_button
def appendix(book=None):
    """Appendix button: write the committee appendix chosen on the sheet into Settings' appendix folder."""
    ctx = Context(book)
    ctx.require_lines("put in an appendix")
    try:
        from ..documents import render_appendix
    except ImportError as exc:
        raise Problem(f"The appendix generator is not installed with this version of savings_tracker ({exc}). "
                      f"Update savings-tracker, then try again") from None
    template = _named_value(book, APPENDIX_NAMES["template"]) or "tracker"
    fmt = (_named_value(book, APPENDIX_NAMES["format"]) or "pdf").lower()
    committee = _named_value(book, APPENDIX_NAMES["committee"])
    if committee and committee.lower() in ("all", "(all)", "all committees"):
        committee = None
    if on_lite():   # Pyodide: no PDF engine; files go to /data, which Lite's menu > Files exports
        if fmt == "pdf":
            raise Problem("A PDF appendix needs Excel with Python (the macro buttons) or the command line "
                          "(savings-tracker appendix). Under xlwings Lite choose html or docx as the appendix "
                          "format")
        folder = Path(LITE_DATA)
    else:
        full = Path(book.fullname)
        base = full.parent if full.is_absolute() else Path.cwd()
        folder = Path(ctx.settings.appendix_folder or "appendices")
        folder = folder if folder.is_absolute() else base / folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Problem(f"Cannot create the appendix folder {folder} ({exc.strerror or exc}). Change "
                      f"'appendix_folder' on the Settings sheet") from None
    _status(book, f"Savings Tracker: writing the {template} appendix ({fmt}) ...")
    out = render_appendix(ctx.reg, template, fmt, folder, committee=committee)
    where = " (download it from xlwings Lite: menu > Files)" if on_lite() else ""
    _alert(book, f"Appendix written: {out}{where}", "info")
    return out


@_button
def collect_returns(book=None):
    """Collect returns button: merge the returns in Settings' returns folder into the Savings table, refresh
    Checks and the Summary, and list who returned on the Returns sheet (the rules: ``returns.council``)."""
    from ..returns.excel import button_plan, returns_folder
    from ..returns.sheet import SHEET

    ctx = Context(book)
    folder = returns_folder(book.fullname, ctx.settings)
    if not folder.is_dir():
        raise Problem(f"The returns folder {folder} does not exist. Save the returns sent back there, or change "
                      f"'returns_folder' on the {S['settings']} sheet")
    _status(book, f"Savings Tracker: reading the returns in {folder} ...")
    summary = _sheet(book, "summary").used_range.value
    returns_sheet = next((sh for sh in book.sheets if sh.name == SHEET), None)
    plan, text, errors = button_plan(
        ctx.reg, ctx.headers, ctx.table.range.value, folder, checks_values=_values(_sheet(book, "checks")),
        summary_values=summary if isinstance(summary, list) else None,
        returns_values=_values(returns_sheet) if returns_sheet is not None else [])
    if returns_sheet is None:
        book.sheets.add(SHEET, after=book.sheets[len(book.sheets) - 1])
    OpenBookWriter(book, status=lambda text: _status(book, text)).apply(plan)
    _alert(book, text, "critical" if errors else "info")
    return plan


if __name__ == "__main__":
    xw.Book("Savings_Tracker.xlsm").set_mock_caller()
    refresh()
