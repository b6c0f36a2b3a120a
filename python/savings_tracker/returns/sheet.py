"""The Returns sheet of the Savings Tracker workbook: who returned, when, with what status and findings.

Written by ``returns collect --into`` as plan blocks (``plans.Block``). A workbook built before this sheet
existed gets it first: ``add_sheet`` appends an empty worksheet part to the closed package (after the last
sheet, so no sheet-local name moves), and every other part is copied as it was.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from lxml import etree

from ..plans import Block

SHEET = "Returns"
RETURNS_HEADERS = ("Received", "From", "Returned by", "File", "Status", "Cells changed", "Findings")
FINDINGS_HEADERS = ("Severity", "File", "Sheet", "Cell", "Value", "Code", "Message")
M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
WS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WIDTHS = (17, 28, 20, 34, 40, 13, 90)


def _sheet_xml(head_style: str | None) -> bytes:
    """An empty sheet: column widths, the header row in the style of the Checks sheet's header (when found),
    frozen below it, printed landscape one page wide."""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(WIDTHS, 1))
    style = f' s="{head_style}"' if head_style else ""
    head = "".join(f'<c r="{chr(65 + i)}1"{style}/>' for i in range(len(RETURNS_HEADERS)))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{M}" xmlns:r="{R}">'
            f'<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><dimension ref="A1"/><sheetViews>'
            f'<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            f'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f'<cols>{cols}</cols><sheetData><row r="1">{head}</row></sheetData><pageMargins left="0.7" right="0.7" '
            f'top="0.75" bottom="0.75" header="0.3" footer="0.3"/><pageSetup paperSize="9" orientation="landscape" '
            f'fitToWidth="1" fitToHeight="0"/></worksheet>').encode()


def _header_style(zf: zipfile.ZipFile) -> str | None:
    """The style index of the Checks sheet's A1 (its bold, filled header), so the Returns header matches."""
    from ..xlsx.package import sheet_parts

    part = sheet_parts(zf).get("Checks")
    if not part or part not in zf.NameToInfo:
        return None
    m = re.search(rb'<c r="A1"[^>]*?\bs="(\d+)"', zf.read(part))
    return m.group(1).decode() if m else None


def has_sheet(path: Path, name: str = SHEET) -> bool:
    from ..xlsx.package import sheet_parts

    with zipfile.ZipFile(path) as zf:
        return name in sheet_parts(zf)


def add_sheet(path_in: Path, path_out: Path, name: str = SHEET) -> None:
    """Copy the package with an empty worksheet ``name`` appended."""
    with zipfile.ZipFile(path_in) as zf:
        parts = {i.filename: (i, zf.read(i)) for i in zf.infolist()}
        head_style = _header_style(zf)
    numbers = [int(m.group(1)) for p in parts if (m := re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", p))]
    part = f"xl/worksheets/sheet{max(numbers, default=0) + 1}.xml"
    wb = etree.fromstring(parts["xl/workbook.xml"][1])
    rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"][1])
    ids = {r.get("Id") for r in rels}
    rid = next(f"rId{n}" for n in range(1, 10_000) if f"rId{n}" not in ids)
    rel = etree.SubElement(rels, f"{{{PR}}}Relationship")
    rel.set("Id", rid)
    rel.set("Type", WS_TYPE)
    rel.set("Target", posixpath.relpath(part, "xl"))
    sheets = wb.find(f"{{{M}}}sheets")
    sheet_id = max((int(s.get("sheetId", "0")) for s in sheets), default=0) + 1
    s = etree.SubElement(sheets, f"{{{M}}}sheet")
    s.set("name", name)
    s.set("sheetId", str(sheet_id))
    s.set(f"{{{R}}}id", rid)
    ct = etree.fromstring(parts["[Content_Types].xml"][1])
    o = etree.SubElement(ct, f"{{{CT}}}Override")
    o.set("PartName", "/" + part)
    o.set("ContentType", WS_CT)
    new = {"xl/workbook.xml": etree.tostring(wb, xml_declaration=True, encoding="UTF-8", standalone=True),
           "xl/_rels/workbook.xml.rels": etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True),
           "[Content_Types].xml": etree.tostring(ct, xml_declaration=True, encoding="UTF-8", standalone=True)}
    with zipfile.ZipFile(path_out, "w") as out:
        for filename, (info, data) in parts.items():
            out.writestr(info, new.get(filename, data), compress_type=info.compress_type)
        out.writestr(zipfile.ZipInfo(part, (1980, 1, 1, 0, 0, 0)), _sheet_xml(head_style),
                     compress_type=zipfile.ZIP_DEFLATED)


def returns_blocks(rows: list[list], findings: list[list], used_rows: int = 0) -> list[Block]:
    """The sheet's two tables: one row per return (and per sender missing), then every finding."""
    body = [list(RETURNS_HEADERS), *rows, [None] * len(RETURNS_HEADERS), list(FINDINGS_HEADERS), *findings]
    width = max(len(RETURNS_HEADERS), len(FINDINGS_HEADERS))
    body = [list(r) + [None] * (width - len(r)) for r in body]
    return [Block(SHEET, "A1", body, used_rows if used_rows > len(body) else None)]
