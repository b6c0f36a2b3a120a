"""UNO worker: run by savings_tracker.libreoffice under the system Python
(the one that can ``import uno``), never imported by the package itself.

Usage: python3 uno_worker.py '<json request>'

Request: {"op": "recalculate" | "formulas" | "vba_modules" | "sheet_pdf" | "resave",
          "path": str, "soffice": str, "profile": str (a directory to use as
          the private user profile), "timeout": seconds, plus per op
          "sheets": [names] | null, "sheet": name, "out": pdf or workbook path,
          "edits": [...] for resave (see ``apply_edit``)}

Starts a private headless soffice listening on a free local port, loads the
document hidden with macros never executed, runs the op, prints one JSON
object on stdout ({"ok": true, "result": ...} or {"ok": false, "error": ...})
and always terminates soffice. The parent removes the profile directory.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path

import uno  # noqa: F401  (system python3-uno)
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

NEVER_EXECUTE = 0  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE
FORMULA_RESULT_ERROR = 4  # com.sun.star.sheet.FormulaResult.ERROR
CELL_FLAG_FORMULA = 16  # com.sun.star.sheet.CellFlags.FORMULA


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Office:
    def __init__(self, soffice: str, profile: str, deadline: float) -> None:
        self.deadline = deadline
        self.port = free_port()
        self.proc = subprocess.Popen(
            [soffice, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
             "--nofirststartwizard", "--nolockcheck",
             f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
             f"--accept=socket,host=127.0.0.1,port={self.port};urp;"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self.desktop = None
        self.ctx = None

    def connect(self):
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:socket,host=127.0.0.1,port={self.port};urp;StarOffice.ComponentContext"
        while True:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"soffice exited with code {self.proc.returncode} before accepting: {err.strip()}")
            try:
                self.ctx = resolver.resolve(url)
                break
            except NoConnectException:
                if time.monotonic() > self.deadline:
                    raise TimeoutError(f"soffice did not accept connections on port {self.port} in time")
                time.sleep(0.25)
        smgr = self.ctx.ServiceManager
        self.desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
        return self

    def enable_vba(self) -> None:
        """Load VBA code (as Basic modules) and keep it executable-aware; never run it."""
        provider = self.ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", self.ctx)
        access = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationUpdateAccess",
            (prop("nodepath", "/org.openoffice.Office.Calc/Filter/Import/VBA"),))
        access.setPropertyValue("Load", True)
        access.setPropertyValue("Executable", True)
        access.commitChanges()

    def load(self, path: str, read_only: bool = True):
        url = uno.systemPathToFileUrl(str(Path(path).resolve()))
        doc = self.desktop.loadComponentFromURL(
            url, "_blank", 0,
            (prop("Hidden", True), prop("MacroExecutionMode", NEVER_EXECUTE), prop("ReadOnly", read_only),
             prop("UpdateDocMode", 0)))
        if doc is None:
            raise RuntimeError(f"LibreOffice could not load {path}")
        return doc

    def close(self) -> None:
        try:
            if self.desktop is not None:
                try:
                    self.desktop.terminate()
                except Exception:  # the bridge drops as soffice exits
                    pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def used_range(sheet):
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.getRangeAddress()
    return sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow), end.EndColumn, end.EndRow


def cells_of(ranges):
    """(col, row) of every cell in a SheetCellRanges query result."""
    for addr in ranges.getRangeAddresses():
        for row in range(addr.StartRow, addr.EndRow + 1):
            for col in range(addr.StartColumn, addr.EndColumn + 1):
                yield col, row


def sheet_values(sheet):
    rng, _, _ = used_range(sheet)
    values = [[(v if isinstance(v, str) or v is None else float(v)) for v in row] for row in rng.getDataArray()]
    for col, row in cells_of(rng.queryEmptyCells()):
        values[row][col] = None
    for col, row in cells_of(rng.queryFormulaCells(FORMULA_RESULT_ERROR)):
        values[row][col] = sheet.getCellByPosition(col, row).getString()
    return values


def column_name(col: int) -> str:
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


def sheet_formulas(sheet):
    rng, _, _ = used_range(sheet)
    out = {}
    for col, row in cells_of(rng.queryContentCells(CELL_FLAG_FORMULA)):
        out[f"{column_name(col)}{row + 1}"] = sheet.getCellByPosition(col, row).getFormula()
    return out


def pick_sheets(doc, wanted):
    sheets = doc.getSheets()
    names = list(sheets.getElementNames())
    if wanted is None:
        return [(n, sheets.getByName(n)) for n in names]
    missing = [n for n in wanted if n not in names]
    if missing:
        raise KeyError(f"No sheet(s) {missing} in the document; it has {names}")
    return [(n, sheets.getByName(n)) for n in wanted]


SAVE_FILTERS = {".xlsx": "Calc MS Excel 2007 XML", ".xlsm": "Calc MS Excel 2007 VBA XML"}


def apply_edit(doc, edit):
    """One user edit, as a user makes it in Calc: {"do": "set", "sheet", "cell", "value"} (a number or text:
    typed over whatever the cell held), {"do": "clear", "sheet", "range"}, {"do": "insert_rows", "sheet",
    "row" (1-based, rows go above it), "count"}, {"do": "rename", "sheet", "to"}, {"do": "sort", "sheet",
    "range", "column" (0-based within the range), "ascending"} (the range without its header row)."""
    sheets = doc.getSheets()
    sheet = sheets.getByName(edit["sheet"])
    do = edit["do"]
    if do == "set":
        cell = sheet.getCellRangeByName(edit["cell"])
        value = edit["value"]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            cell.setValue(value)
        else:
            cell.setString(str(value))
    elif do == "clear":
        sheet.getCellRangeByName(edit["range"]).clearContents(1 | 2 | 4 | 16)   # values, dates, text, formulas
    elif do == "insert_rows":
        sheet.getRows().insertByIndex(int(edit["row"]) - 1, int(edit.get("count", 1)))
    elif do == "rename":
        sheet.setName(edit["to"])
    elif do == "sort":
        from com.sun.star.table import TableSortField
        rng = sheet.getCellRangeByName(edit["range"])
        field = TableSortField()
        field.Field = int(edit["column"])
        field.IsAscending = bool(edit.get("ascending", True))
        desc = rng.createSortDescriptor()
        for p in desc:
            if p.Name == "SortFields":
                p.Value = uno.Any("[]com.sun.star.table.TableSortField", (field,))
        rng.sort(desc)
    else:
        raise ValueError(f"Unknown edit {do!r}")


def run(req, office):
    op = req["op"]
    if op == "vba_modules":
        office.enable_vba()
    doc = office.load(req["path"], read_only=(op not in ("sheet_pdf", "resave")))
    try:
        if op == "recalculate":
            doc.calculateAll()
            return {name: sheet_values(sheet) for name, sheet in pick_sheets(doc, req.get("sheets"))}
        if op == "formulas":
            (_, sheet), = pick_sheets(doc, [req["sheet"]])
            return sheet_formulas(sheet)
        if op == "vba_modules":
            libraries = doc.BasicLibraries
            result = {}
            for lib_name in libraries.getElementNames():
                if not libraries.isLibraryLoaded(lib_name):
                    libraries.loadLibrary(lib_name)
                lib = libraries.getByName(lib_name)
                result[lib_name] = list(lib.getElementNames())
            return {"libraries": result, "vba_mode": bool(getattr(libraries, "VBACompatibilityMode", False))}
        if op == "sheet_pdf":
            (target, _), = pick_sheets(doc, [req["sheet"]])
            sheets = doc.getSheets()
            doc.getCurrentController().setActiveSheet(sheets.getByName(target))
            for name in sheets.getElementNames():
                if name != target:
                    sheets.getByName(name).IsVisible = False
            doc.calculateAll()
            out = uno.systemPathToFileUrl(str(Path(req["out"]).resolve()))
            doc.storeToURL(out, (prop("FilterName", "calc_pdf_Export"),))
            return req["out"]
        if op == "resave":
            for edit in req.get("edits") or ():
                apply_edit(doc, edit)
            doc.calculateAll()
            out = Path(req["out"]).resolve()
            doc.storeToURL(uno.systemPathToFileUrl(str(out)), (prop("FilterName", SAVE_FILTERS[out.suffix.lower()]),))
            return str(out)
        raise ValueError(f"Unknown op {op!r}")
    finally:
        try:
            doc.close(True)
        except Exception:
            pass


def main() -> int:
    req = json.loads(sys.argv[1])
    deadline = time.monotonic() + float(req.get("timeout", 120))
    office = None
    try:
        office = Office(req["soffice"], req["profile"], deadline)
        office.connect()
        result = run(req, office)
        payload = {"ok": True, "result": result}
    except Exception as exc:  # reported to the parent as JSON
        payload = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    finally:
        if office is not None:
            office.close()
    sys.stdout.write(json.dumps(payload))
    sys.stdout.flush()
    return 0 if payload["ok"] else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
