"""A sheet's AutoFilter that follows the table it filters (the Checks sheet grows and shrinks with the
findings): the ``<autoFilter ref>`` of the worksheet and the workbook's hidden ``_xlnm._FilterDatabase`` name
for that sheet, which Excel keeps equal to it."""
from __future__ import annotations

import re

from .. import cells

_AUTOFILTER = re.compile(rb'(<autoFilter\b[^>]*?\bref=")([^"]*)(")')


def sheet_filter(xml: bytes, ref: str) -> bytes | None:
    """The sheet's XML with its AutoFilter over ``ref``; None when it has none or it already covers ``ref``."""
    m = _AUTOFILTER.search(xml)
    if m is None or m.group(2).decode() == ref:
        return None
    return xml[:m.start(2)] + ref.encode() + xml[m.end(2):]


def filter_name(workbook_xml: bytes, sheet_index: int, sheet: str, ref: str) -> bytes | None:
    """workbook.xml with the sheet's ``_xlnm._FilterDatabase`` name over ``ref`` (absolute); None if unchanged."""
    r1, c1, r2, c2 = cells.area(ref)
    quoted = sheet if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet) else "'" + sheet.replace("'", "''") + "'"
    target = f"{quoted}!${cells.letters(c1)}${r1}:${cells.letters(c2)}${r2}".encode()
    rx = re.compile(rb'(<definedName\b(?=[^>]*\bname="_xlnm._FilterDatabase")(?=[^>]*\blocalSheetId="'
                    + str(sheet_index).encode() + rb'")[^>]*>)([^<]*)(</definedName>)')
    m = rx.search(workbook_xml)
    if m is None or m.group(2) == target:
        return None
    return workbook_xml[:m.start(2)] + target + workbook_xml[m.end(2):]
