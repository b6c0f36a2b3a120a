"""The workbook's entry points for xlwings Lite: the buttons as ``@script`` and the worksheet functions as
``@func``, over the same core and plans as the macro route (``excel.buttons``, ``excel.udfs``).

xlwings Lite runs Python in Pyodide inside Excel (Windows, macOS, the web) with no local installation. Its
``main.py`` (written into the workbook by ``workbook.lite``) makes this package importable and imports the
names below; Lite registers every ``@script`` and ``@func`` it finds there. The macro route keeps its thin
``RunPython`` wrappers (``buttons.validate()`` ...): this module is not imported by it.

Under Lite ``xlwings.script`` / ``xlwings.func`` are xlwings' Office.js decorators (``XLWINGS_ON_SERVER``):
a script is called as ``custom_scripts_call(main, name, typehint_to_value={xw.Book: book})`` with the book
built from the workbook's contents, and returns that book, whose actions Lite applies. Each script runs the
macro route's button with ``xl.RUNTIME`` set to ``"lite"``: no status bar, no alert (the message goes to the
``LiteMessage`` cell beside the Lite buttons and to the task pane's output), and only actions Lite's client
applies. The core, plans and readers imported here never import python-calamine, Typst or WeasyPrint.

Appendices from Lite: HTML and Word files are written under ``/data`` (xlwings Lite's menu > Files exports
them); PDF stays with the command line and the macro route.
"""
from __future__ import annotations

import xlwings as xw

from ..core import schema
from . import buttons as xl
from .names import FUNCTIONS, LITE_BUTTON_CELLS, LITE_BUTTONS, LITE_MESSAGE_CELL, SCRIPTS
from .udfs import SAVINGS_CHECK, SAVINGS_RAG, SAVINGS_SUMMARY, SAVINGS_VARIANCE

#: Folder Lite exports files from (xlwings Lite: menu > Files).
LITE_DATA = xl.LITE_DATA


def button_ref(script: str) -> str:
    """``[shape]Sheet!Cell``, the form ``@script(button=...)`` takes."""
    shape = next(s for k, s, _ in LITE_BUTTONS if k == script)
    sheet = schema.SHEET_NAMES["tracker"]
    quoted = sheet if sheet.replace("_", "").isalnum() else "'" + sheet.replace("'", "''") + "'"
    return f"[{shape}]{quoted}!{LITE_BUTTON_CELLS[script]}"


def _lite(fn, book, *args):
    token = xl.RUNTIME.set("lite")
    try:
        fn(book, *args)
    finally:
        xl.RUNTIME.reset(token)


@xw.script(button=button_ref("validate"), show_taskpane=True)
def validate(book: xw.Book):
    """Validate: list the findings on Checks and mark the offending cells."""
    _lite(xl.validate, book)


@xw.script(button=button_ref("refresh"), show_taskpane=True)
def refresh(book: xw.Book):
    """Refresh RAG summary: validate, restore typed-over formulas, Suggested RAG and the Summary sheet."""
    _lite(xl.refresh, book)


@xw.script(button=button_ref("snapshot"), show_taskpane=True)
def snapshot(book: xw.Book):
    """Take snapshot: this period's forecast and RAG per line into History; Direction of travel."""
    _lite(xl.snapshot, book)


@xw.script(show_taskpane=True)
def replace_snapshot(book: xw.Book):
    """Take this period's snapshot again, replacing the one in History (run it from the task pane)."""
    _lite(xl.snapshot, book, True)


@xw.script(button=button_ref("appendix"), show_taskpane=True)
def appendix(book: xw.Book):
    """Generate appendix: HTML or Word into /data (download it from xlwings Lite's menu > Files)."""
    _lite(xl.appendix, book)


__all__ = [*SCRIPTS, *FUNCTIONS]
