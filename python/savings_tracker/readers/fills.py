"""The fill colours of some cells of an .xlsx sheet, read from the package (python-calamine reads values only):
a council that shows its RAG by colour alone keeps its judgement when its tracker is read."""
from __future__ import annotations

import colorsys
import re
from pathlib import Path
from xml.etree import ElementTree as ET

from .. import cells
from ..xlsx.zipguard import check_package
from .grids import sheet_parts

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_CELL = re.compile(rb'<c\b([^>]*)>|<c\b([^>]*)/>')
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_STYLE = re.compile(rb'\bs="([0-9]+)"')
# the legacy palette entries councils' red, amber and green fills use (indexed colours)
INDEXED = {2: "FF0000", 10: "FF0000", 3: "00FF00", 11: "00FF00", 17: "008000", 50: "99CC00", 51: "FFCC00",
           52: "FF9900", 53: "FF6600", 13: "FFFF00", 5: "FFFF00", 4: "0000FF", 12: "0000FF"}


def fill_colours(path: Path, sheet: str, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """RRGGBB of the solid fill of each ``wanted`` cell (0-based row, column) of ``sheet`` that has one."""
    zf = check_package(path)
    try:
        part = sheet_parts(zf).get(sheet, "")
        if not part:
            return {}
        fills = _style_fills(zf)
        out = {}
        for m in _CELL.finditer(zf.read(part)):
            attrs = m.group(1) or m.group(2)
            ref, style = _REF.search(attrs), _STYLE.search(attrs)
            if not ref or not style:
                continue
            row, col = cells.cell(ref.group(1).decode())
            colour = fills.get(int(style.group(1)))
            if colour and (row - 1, col - 1) in wanted:
                out[(row - 1, col - 1)] = colour
        return out
    except (ET.ParseError, KeyError, ValueError):
        return {}
    finally:
        zf.close()


def _style_fills(zf) -> dict[int, str]:
    """Cell style index -> RRGGBB of its solid fill (rgb, indexed or theme colours, a theme colour with its
    tint as Excel applies it)."""
    if "xl/styles.xml" not in zf.namelist():
        return {}
    root = ET.fromstring(zf.read("xl/styles.xml"))
    theme = None
    colours = []
    for fill in root.findall("m:fills/m:fill", NS):
        pattern = fill.find("m:patternFill", NS)
        fg = pattern.find("m:fgColor", NS) if pattern is not None else None
        colour = ""
        if pattern is not None and pattern.get("patternType") == "solid" and fg is not None:
            if fg.get("rgb"):
                colour = fg.get("rgb")[-6:].upper()
            elif fg.get("indexed", "").isdigit():
                colour = INDEXED.get(int(fg.get("indexed")), "")
            elif fg.get("theme", "").isdigit():
                theme = _theme_colours(zf) if theme is None else theme
                index = int(fg.get("theme"))
                colour = _tinted(theme[index], fg.get("tint")) if index < len(theme) and theme[index] else ""
        colours.append(colour)
    out = {}
    for i, xf in enumerate(root.findall("m:cellXfs/m:xf", NS)):
        fid = int(xf.get("fillId", "0"))
        if fid < len(colours) and colours[fid]:
            out[i] = colours[fid]
    return out


A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
#: A fill's ``theme`` index names these colours of the theme's colour scheme, in this order (Excel swaps the
#: first two pairs: 0 is the light background, 1 the dark text).
THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
               "hlink", "folHlink")


def _theme_colours(zf) -> list[str]:
    """RRGGBB of each colour a ``theme`` index names, from the workbook's theme part ('' where it has none)."""
    rels = "xl/_rels/workbook.xml.rels"
    if rels not in zf.namelist():
        return []
    target = next((r.get("Target", "") for r in ET.fromstring(zf.read(rels)).findall("rel:Relationship", NS)
                   if r.get("Type", "").endswith("/theme")), "")
    part = target.lstrip("/") if target.startswith("/") else "xl/" + target
    if not target or part not in zf.namelist():
        return []
    scheme = ET.fromstring(zf.read(part)).find(f".//{A}clrScheme")
    entries = [scheme.find(f"{A}{name}") if scheme is not None else None for name in THEME_ORDER]
    return [_scheme_rgb(e[0]) if e is not None and len(e) else "" for e in entries]


def _scheme_rgb(colour) -> str:
    """<a:srgbClr val="ED7D31"/>, or a system colour as last seen (<a:sysClr val="window" lastClr="FFFFFF"/>)."""
    value = colour.get("lastClr") if colour.tag == f"{A}sysClr" else colour.get("val")
    return (value or "")[-6:].upper()


def _tinted(rgb: str, tint) -> str:
    """A theme colour with Excel's tint (-1 darker .. 1 lighter) applied to its lightness."""
    try:
        t = float(tint or 0)
        r, g, b = (int(rgb[k:k + 2], 16) / 255 for k in (0, 2, 4))
    except ValueError:
        return ""
    h, light, sat = colorsys.rgb_to_hls(r, g, b)
    light = light * (1 + t) if t < 0 else light * (1 - t) + t
    return "".join(f"{round(v * 255):02X}" for v in colorsys.hls_to_rgb(h, light, sat))


def rag_of_colour(rgb: str) -> str:
    """The RAG a fill colour shows ('' for none: white, grey, a pale or dark tint that is not clearly one)."""
    try:
        r, g, b = (int(rgb[k:k + 2], 16) / 255 for k in (0, 2, 4))
    except ValueError:
        return ""
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    if s < 0.35 or v < 0.35:
        return ""
    hue = h * 360
    if hue < 15 or hue >= 340:
        return "Red"
    if hue < 65:
        return "Amber"
    if 75 <= hue < 165:
        return "Green"
    if 190 <= hue < 250:
        return "Blue"
    return ""
