"""The "Start here" sheet: what a first-time user reads before anything else. The same steps are the README's
"Using it in Excel" section (a test keeps the two equal): one text, two places."""
from __future__ import annotations

#: (heading, lines) in the order the sheet shows them.
START_HERE: list[tuple[str, list[str]]] = [
    ("What this workbook is for", [
        "It holds the council's savings register (the Tracker sheet), checks it, summarises it by committee and "
        "RAG (Summary), keeps a monthly history of every line (History) and writes the appendices for "
        "committee papers.",
        "The arithmetic is ordinary Excel formulas, so the workbook works without Python; the buttons use Python "
        "to check the register, restore formulas typed over and write the documents.",
    ]),
    ("Every month", [
        "1. Update the forecasts on the Tracker sheet: the quarterly phasing, the RAG and the commentary. The "
        "totals and the variance are formulas: change the phasing, not the totals.",
        "2. Click Validate (on the Tracker sheet): the Checks sheet lists every problem with a link to its cell, "
        "and the cells are highlighted (pale red: error, pale yellow: warning).",
        "3. Click Refresh RAG summary: formulas typed over are restored, the Suggested RAG column and the "
        "Summary sheet are brought up to date.",
        "4. Click Take snapshot: this month's figures are added to the History sheet and the Direction of "
        "travel is set against last month.",
        "5. Click Generate appendix (on the Summary sheet; choose the appendix, format and committee beside "
        "the button): the Word, PDF or HTML appendix is written to the appendices folder.",
    ]),
    ("The Settings that matter", [
        "unit and sign: how the register stores money (e.g. £000, savings negative).",
        "display_sign (add the row when wanted): how tables and charts show savings: 'as stored' or 'savings "
        "positive' (stated under each table).",
        "period and financial_year: the 'as at' of the appendices and the label of each snapshot.",
        "green_at and amber_at: the thresholds behind the Suggested RAG (the officer's RAG is never changed).",
        "committees and rag_definitions: the Committee dropdown and the RAG legend printed on appendices.",
    ]),
    ("Enabling macros", [
        "The buttons are macros. If Excel shows a yellow bar 'Macros have been disabled', click Enable Content.",
        "If it shows a red bar 'Microsoft has blocked macros' (a file from the internet or email): close the "
        "workbook, right-click the file, Properties, tick Unblock, OK, and open it again; or save it in a "
        "Trusted Location (File > Options > Trust Center).",
    ]),
    ("Setting up Python and xlwings on Windows", [
        "1. Install Python 3.11 or later from python.org (tick 'Add python.exe to PATH').",
        "2. In a Command Prompt: py -m venv C:\\savings-tracker\\.venv, then "
        "C:\\savings-tracker\\.venv\\Scripts\\pip install savings-tracker",
        "3. Run C:\\savings-tracker\\.venv\\Scripts\\savings-tracker doctor Savings_Tracker.xlsm: it checks "
        "Python, xlwings and the workbook's settings and says what to fix.",
        "4. Excel: File > Options > Trust Center > Trust Center Settings > Macro Settings: tick 'Trust access to "
        "the VBA project object model'.",
        "5. Set Interpreter_Win on the hidden xlwings.conf sheet (right-click a sheet tab > Unhide) to "
        "C:\\savings-tracker\\.venv\\Scripts\\pythonw.exe, save, and hide the sheet again.",
    ]),
    ("Setting up Python and xlwings on macOS", [
        "1. Install Python 3.11 or later from python.org.",
        "2. In Terminal: python3 -m venv ~/savings-tracker/.venv, then ~/savings-tracker/.venv/bin/pip install "
        "savings-tracker",
        "3. Run ~/savings-tracker/.venv/bin/savings-tracker doctor Savings_Tracker.xlsm: it checks Python, "
        "xlwings and the workbook's settings and says what to fix.",
        "4. Run ~/savings-tracker/.venv/bin/xlwings runpython install once (it lets Excel start Python).",
        "5. Set Interpreter_Mac on the hidden xlwings.conf sheet (Format > Sheet > Unhide) to "
        "/Users/<you>/savings-tracker/.venv/bin/python, save, and hide the sheet again.",
    ]),
]

START_SHEET = "Start here"


def start_rows() -> list[tuple[str, str]]:
    """(kind, text) rows: 'title', 'heading' or 'text', as the sheet lays them out."""
    out = [("title", "Savings Tracker: start here")]
    for heading, lines in START_HERE:
        out.append(("blank", ""))
        out.append(("heading", heading))
        out.extend(("text", line) for line in lines)
    return out
