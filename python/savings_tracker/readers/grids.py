"""File formats to grids of cell values: one function per format, chosen by the registry in ``FORMATS``.

A grid is what the sheet shows: rows of Python values (str, float, bool, date, None). The interpretation of
a grid as a register (headers, totals, programmes) is the format-free job of ``interpret``.
"""
from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from ..errors import UnreadableFile
from .. import cells
from ..xlsx.zipguard import OLE_MAGIC, check_package

MAX_FILE_BYTES = 200 * 1024 * 1024          # a register is never this big; bigger is a mistake or an attack

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


@dataclass
class TableRef:
    name: str
    sheet: str
    ref: str                 # e.g. "A5:Z72"
    header_rows: int = 1
    totals_rows: int = 0

    def bounds(self) -> tuple[int, int, int, int]:
        """0-based (first_row, first_col, last_row, last_col)."""
        a, b = self.ref.replace("$", "").split(":")
        r1, c1 = _a1(a)
        r2, c2 = _a1(b)
        return r1, c1, r2, c2


@dataclass
class Grid:
    sheet: str
    rows: list[list]
    tables: list[TableRef] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)   # 0-based (r1, c1, r2, c2)
    formulas: set[tuple[int, int]] | None = None   # 0-based (row, col) of formula cells; None: not known (CSV)
    no_result: set[tuple[int, int]] = field(default_factory=set)   # formula cells saved without a result


@dataclass
class Book:
    path: Path
    kind: str                       # csv | xlsx
    grids: dict[str, Grid]
    notes: list[str] = field(default_factory=list)   # e.g. "read as Windows-1252"
    stale: bool = False     # written by the product (or XlsxWriter) and not recalculated since: calcPr asks for a
                            # full recalculation on load, which a spreadsheet application clears when it saves

    def table(self, name: str) -> TableRef | None:
        for g in self.grids.values():
            for t in g.tables:
                if t.name.lower() == name.lower():
                    return t
        return None


def _a1(ref: str) -> tuple[int, int]:
    """0-based (row, column) of an A1 address."""
    row, col = cells.cell(ref)
    return row - 1, col - 1


# ---- CSV --------------------------------------------------------------------------------------------
def read_csv(path: Path) -> Book:
    data = path.read_bytes()
    notes = []
    if b"\x00" in data[:4096]:
        raise UnreadableFile(f"{path.name}: this is not a text CSV file (it contains binary data); "
                             "save it from Excel as 'CSV UTF-8 (Comma delimited)'")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace") if _is_cp1252(data) else data.decode("latin-1")
        notes.append(f"{path.name}: not UTF-8; read as Windows-1252 (Excel's default for CSV). "
                     "Save as 'CSV UTF-8' to avoid this.")
    sample = "\n".join(text.splitlines()[:20])
    delimiter = _delimiter(sample)
    if delimiter != ",":
        notes.append(f"{path.name}: read with {'semicolons' if delimiter == ';' else 'tabs'} between cells")
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    if delimiter != "," and _decimal_commas(rows):
        notes.append(f"{path.name}: amounts written with decimal commas ('-100,5' is -100.5, '1.050,25' is "
                     f"1050.25), as a continental list separator writes them")
    sheet = path.stem[:31]
    return Book(path, "csv", {sheet: Grid(sheet, [[c if c != "" else None for c in r] for r in rows])}, notes)


# amounts as a continental locale writes them: '-100,5', '1.050,25', '(1.000)', '£ 2,5'
_EU_AMOUNT = re.compile(r"^([-+(]?\s*£?\s*-?)(\d{1,3}(?:\.\d{3})+|\d+)(,\d+)?(\s*\)?)$")
_EU_DECIMAL = re.compile(r"^[-+(]?\s*£?\s*-?\d{1,3}(?:\.\d{3})*,\d+\s*\)?$|^[-+(]?\s*£?\s*-?\d+,\d{1,2}\s*\)?$")
_UK_DECIMAL = re.compile(r"\d,\d{3}\.\d|^[-+(]?\s*£?\s*-?\d+\.\d{1,2}\s*\)?$")


def _decimal_commas(rows: list[list]) -> bool:
    """A file separated by semicolons or tabs whose amounts use decimal commas: rewrite each amount with a
    decimal point and no thousands dots ('(1.000)' is -1000 there), so it is read as written; a column that
    writes a decimal point ('1.5', section numbers) is left as it is. True when the file writes them so."""
    width = max((len(r) for r in rows), default=0)
    columns = [[r[ci].strip() for r in rows if ci < len(r) and r[ci] and r[ci].strip()[:1] in "-+(£0123456789"]
               for ci in range(width)]
    if not any(_EU_DECIMAL.match(c) for column in columns for c in column):
        return False
    for ci, column in enumerate(columns):
        if any(_UK_DECIMAL.search(c) for c in column):
            continue
        for r in rows:
            m = _EU_AMOUNT.match(r[ci].strip()) if ci < len(r) and r[ci] else None
            if m:
                r[ci] = m.group(1) + m.group(2).replace(".", "") + (m.group(3) or "").replace(",", ".") + m.group(4)
    return True


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def _delimiter(sample: str) -> str:
    counts = {d: 0 for d in (",", ";", "\t")}
    for line in sample.splitlines()[:5]:
        inside = False
        for ch in line:
            if ch == '"':
                inside = not inside
            elif not inside and ch in counts:
                counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# ---- XLSX / XLSM ------------------------------------------------------------------------------------
def workbook_tables(zf: zipfile.ZipFile) -> list[TableRef]:
    """Excel Tables (ListObjects) by sheet, read from the package parts."""
    def rels(part: str) -> dict[str, str]:
        folder, name = posixpath.split(part)
        rel_part = posixpath.join(folder, "_rels", name + ".rels")
        if rel_part not in zf.namelist():
            return {}
        root = ET.fromstring(zf.read(rel_part))
        out = {}
        for r in root.findall("rel:Relationship", NS):
            target = r.get("Target", "")
            out[r.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
        return out

    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    wb_rels = rels("xl/workbook.xml")
    tables = []
    for sheet in wb.findall("m:sheets/m:sheet", NS):
        part = wb_rels.get(sheet.get(f"{{{NS['r']}}}id"), "")
        if part not in zf.namelist():
            continue
        for target in rels(part).values():
            if "/tables/" not in target or target not in zf.namelist():
                continue
            t = ET.fromstring(zf.read(target))
            tables.append(TableRef(t.get("displayName") or t.get("name"), sheet.get("name"), t.get("ref"),
                                   int(t.get("headerRowCount", "1")), int(t.get("totalsRowCount", "0"))))
    return tables


_ERROR_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+\d+)"[^>]*?\bt="e"[^>]*>(?:(?!</c>).)*?<v>([^<]*)</v>', re.S)
_ERROR_CELL2 = re.compile(rb'<c\b[^>]*?\bt="e"[^>]*?\br="([A-Z]+\d+)"[^>]*>(?:(?!</c>).)*?<v>([^<]*)</v>', re.S)


def error_cells(zf: zipfile.ZipFile) -> dict[str, dict[tuple[int, int], str]]:
    """Cells holding a spreadsheet error (#REF!, #DIV/0!, ...) by sheet name, 0-based (row, col).

    calamine reads an error cell as an empty string, which would make '#DIV/0!' in a money column a silent
    nil; the reader puts the error text back so the money parser reports it."""
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    folder = "xl"
    rels = {}
    if "xl/_rels/workbook.xml.rels" in zf.namelist():
        for r in ET.fromstring(zf.read("xl/_rels/workbook.xml.rels")).findall("rel:Relationship", NS):
            target = r.get("Target", "")
            rels[r.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
    out: dict[str, dict[tuple[int, int], str]] = {}
    for sheet in wb.findall("m:sheets/m:sheet", NS):
        part = rels.get(sheet.get(f"{{{NS['r']}}}id"), "")
        if part not in zf.namelist():
            continue
        xml = zf.read(part)
        if b't="e"' not in xml:
            continue
        found = {}
        for rx in (_ERROR_CELL, _ERROR_CELL2):
            for m in rx.finditer(xml):
                found[_a1(m.group(1).decode())] = m.group(2).decode("utf-8", "replace") or "#N/A"
        out[sheet.get("name")] = found
    return out


_FORMULA_START = re.compile(rb"<f[\s>/]")
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]+)"')
_FULL_CALC = re.compile(rb'<calcPr\b[^>]*\bfullCalcOnLoad="(?:1|true)"')


def _formula_cells_of(xml: bytes) -> tuple[set, set]:
    """The 0-based (row, col) of a worksheet's formula cells, and of those saved with no result. Found from
    each formula's start tag back to its cell's (a formula is a cell's first child): far fewer steps than
    matching every cell of a 10,000-line sheet."""
    found, empty = set(), set()
    letters: dict[bytes, int] = {}
    find, rfind = xml.find, xml.rfind
    for m in _FORMULA_START.finditer(xml):
        at = m.start()
        lt = rfind(b"<c", 0, at)
        gt = find(b">", lt, at)
        if lt < 0 or gt < 0 or xml[gt - 1] == 47 or xml[gt + 1:at].strip() or xml[lt + 2] not in b" \t\r\n":
            continue                         # not the first child of a cell (47: '/', a cell without children)
        ref = _CELL_REF.search(xml, lt, gt)
        if ref is None:
            continue
        col = letters.get(ref.group(1))
        if col is None:
            col = letters[ref.group(1)] = cells.number(ref.group(1).decode())
        cell = (int(ref.group(2)) - 1, col - 1)
        found.add(cell)
        end = find(b">", at)
        if xml[end - 1] != 47:                               # <f ...>text</f>
            end = find(b">", find(b"</f", end))
        if not xml.startswith(b"<v>", end + 1) or xml[end + 4:end + 5] in (b"<", b""):
            empty.add(cell)
    return found, empty


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Per sheet name: the package part holding it (sheets whose part is missing are left out)."""
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = {}
    if "xl/_rels/workbook.xml.rels" in zf.namelist():
        for r in ET.fromstring(zf.read("xl/_rels/workbook.xml.rels")).findall("rel:Relationship", NS):
            target = r.get("Target", "")
            rels[r.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
    names = set(zf.namelist())
    out = {}
    for sheet in wb.findall("m:sheets/m:sheet", NS):
        part = rels.get(sheet.get(f"{{{NS['r']}}}id"), "")
        if part in names:
            out[sheet.get("name")] = part
    return out


def formula_cells(zf: zipfile.ZipFile) -> dict[str, tuple[set, set]]:
    """Per sheet name: the 0-based (row, col) of its formula cells, and of those saved with no result (a
    formula written without its value, e.g. by a tool that does not calculate). calamine reads both as values
    only, so the reader could not otherwise tell a saved result from a typed number."""
    return {name: _formula_cells_of(zf.read(part)) for name, part in sheet_parts(zf).items()}


class _ReadOnce:
    """The package's parts, each inflated once however many scans read it (error and formula cells)."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf, self.parts = zf, {}
        self.names = zf.namelist()

    def namelist(self) -> list[str]:
        return self.names

    def read(self, name: str) -> bytes:
        if name not in self.parts:
            self.parts[name] = self.zf.read(name)
        return self.parts[name]


def read_xlsx(path: Path, sheets: list[str] | None = None) -> Book:
    package = check_package(path)
    zf = _ReadOnce(package)
    try:
        tables = workbook_tables(zf)
        errors = error_cells(zf)
        formulas = formula_cells(zf)
        stale = bool(_FULL_CALC.search(zf.read("xl/workbook.xml")))
    except (ET.ParseError, KeyError, ValueError) as exc:
        raise UnreadableFile(f"{path.name}: the workbook's structure is damaged ({exc}); open and save it in Excel") from None
    finally:
        package.close()
    return _calamine(path, sheets, tables, errors, "xlsx", formulas, stale)


def read_legacy(path: Path, sheets: list[str] | None = None) -> Book:
    """.xls (Excel 97-2003) and .ods (LibreOffice, OpenDocument): python-calamine reads both; they have no
    Excel Tables. An encrypted .xls is refused with what to do."""
    if path.suffix.lower() == ".ods" and not zipfile.is_zipfile(path):
        raise UnreadableFile(f"{path.name}: not a valid OpenDocument spreadsheet (the file is damaged); open it in "
                             "LibreOffice Calc or Excel and save it again")
    if path.suffix.lower() == ".xls":
        with open(path, "rb") as fh:
            head = fh.read(8)
        if head != OLE_MAGIC:
            raise UnreadableFile(f"{path.name}: not an Excel 97-2003 workbook (.xls); if it is an .xlsx or .csv, "
                                 "give it that ending")
    return _calamine(path, sheets, [], {}, "xlsx")


def _calamine(path: Path, sheets, tables, errors, kind, formulas: dict | None = None, stale: bool = False) -> Book:
    """The grids calamine reads; ``formulas``: per sheet, its formula cells and those without a saved result
    (None where the format cannot say: .xls, .ods)."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for every flavour of damage
        raise UnreadableFile(f"{path.name}: cannot be read as a workbook ({type(exc).__name__}: {exc})") from None
    grids = {}
    try:
        for name in wb.sheet_names:
            if sheets is not None and name not in sheets:
                continue
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            rows = [[None if v == "" else v for v in r] if "" in r else r for r in rows]   # "" is an empty cell
            for (ri, ci), text in errors.get(name, {}).items():
                while len(rows) <= ri:
                    rows.append([])
                row = rows[ri]
                if len(row) <= ci:
                    row.extend([None] * (ci + 1 - len(row)))
                row[ci] = text
            merged = []
            for (r1, c1), (r2, c2) in (getattr(sheet, "merged_cell_ranges", None) or []):
                merged.append((r1, c1, r2, c2))
            found, empty = formulas.get(name, (set(), set())) if formulas is not None else (None, set())
            grids[name] = Grid(name, rows, [t for t in tables if t.sheet == name], merged, found, empty)
    except Exception as exc:
        raise UnreadableFile(f"{path.name}: a sheet cannot be read, the workbook is damaged ({type(exc).__name__}: "
                             f"{exc}); open it in Excel and save it again") from None
    finally:
        wb.close()
    return Book(path, kind, grids, stale=stale)


FORMATS = {".csv": read_csv, ".txt": read_csv, ".tsv": read_csv, ".xlsx": read_xlsx, ".xlsm": read_xlsx,
           ".xls": read_legacy, ".ods": read_legacy}


def load(path: Path, sheets: list[str] | None = None) -> Book:
    path = Path(path)
    if not path.exists():
        raise UnreadableFile(f"{path}: no such file")
    if path.is_dir():
        raise UnreadableFile(f"{path}: is a folder, not a register file")
    reader = FORMATS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(f"{path.name}: unsupported file type {path.suffix or '(none)'}; "
                             f"accepted: {', '.join(sorted(FORMATS))}")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile(f"{path.name}: the file is empty")
    if size > MAX_FILE_BYTES:
        raise UnreadableFile(f"{path.name}: {size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit for a register")
    try:
        return reader(path, sheets) if reader in (read_xlsx, read_legacy) else reader(path)
    except PermissionError:
        raise UnreadableFile(f"{path.name}: permission denied when reading the file") from None
    except OSError as exc:
        raise UnreadableFile(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
