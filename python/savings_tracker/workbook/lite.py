"""The xlwings Lite parts of the workbook: the Office add-in's settings, which hold ``main.py`` and
``requirements.txt``, and the task pane that opens the add-in.

What xlwings Lite stores in a workbook (seen in workbooks saved by Lite, and in its docs): the add-in
(Office store id WA200008175) is a web extension, ``xl/webextensions/webextension1.xml``, whose
``<we:property>`` elements hold ``main.py``, ``requirements.txt``, ``pyodideVersion`` and ``addinVersion``,
each value JSON-encoded and then XML-escaped; ``xl/webextensions/taskpanes.xml`` docks its task pane and
points at it through ``xl/webextensions/_rels/taskpanes.xml.rels``; ``_rels/.rels`` points at the task panes
(relationship type ``.../2011/relationships/webextensiontaskpanes``) and ``[Content_Types].xml`` declares both
parts. The parts sit beside the VBA project.

``main.py`` is generated from this package: a zip of the modules the Lite path imports (and the appendix
templates) carried base64-encoded inside it, checked against its SHA-256, unpacked on first run into a
folder named after that hash and put on ``sys.path``; then it imports the entry points
(``savings_tracker.excel.entry_points``). The package is not on PyPI, so a requirement cannot name it; carrying it
keeps the workbook self-contained and the code exactly the version that built the workbook.
``requirements.txt`` names only packages Pyodide loads: its own builds (pandas, jinja2, nh3, lxml) and
pure-Python wheels from PyPI (xlwings, docxtpl, python-docx).
"""
from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import savings_tracker

PACKAGE_ROOT = Path(savings_tracker.__file__).resolve().parent
ADDIN_ID = "WA200008175"
#: Pyodide the workbook asks for: the version the smoke test runs the core in (npm ``pyodide``).
PYODIDE_VERSION = "314.0.7"
#: xlwings Lite's version as its changelog last names it (1.0.0.0-28, February 2026); Lite rewrites it on save.
ADDIN_VERSION = "1.0.0.0-28"
XLWINGS_VERSION = "0.37.8"
#: requirements.txt: (requirement, where Pyodide gets it).
REQUIREMENTS = (
    (f"xlwings=={XLWINGS_VERSION}", "pure-Python wheel on PyPI"),
    ("pandas", "Pyodide build"),
    ("jinja2", "Pyodide build"),
    ("nh3", "Pyodide build"),
    ("lxml", "Pyodide build"),
    ("python-docx", "pure-Python wheel on PyPI"),
    ("docxtpl", "pure-Python wheel on PyPI"),
)
#: Package files Lite never needs: the closed-file writer, the builder, LibreOffice, the command line, samples.
#: (the readers open packages through xlsx/zipguard.py, so that one module of the writer rides along)
EXCLUDE = re.compile(r"^(__main__\.py|demo\.py|cli/|xlsx/(?!__init__\.py|zipguard\.py)|libreoffice/|engines/|"
                     r"workbook/|samples/|.*__pycache__/)")
TEMPLATE_FILES = re.compile(r"\.(j2|css|docx)$")

WE_NS = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
TP_NS = "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_TASKPANES = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
REL_WEBEXTENSION = "http://schemas.microsoft.com/office/2011/relationships/webextension"
CT_TASKPANES = "application/vnd.ms-office.webextensiontaskpanes+xml"
CT_WEBEXTENSION = "application/vnd.ms-office.webextension+xml"
WEBEXTENSION_PART = "xl/webextensions/webextension1.xml"
TASKPANES_PART = "xl/webextensions/taskpanes.xml"
TASKPANES_RELS = "xl/webextensions/_rels/taskpanes.xml.rels"
LITE_PARTS = (WEBEXTENSION_PART, TASKPANES_PART, TASKPANES_RELS)
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def requirements_txt() -> str:
    return "".join(f"{req}\n" for req, _ in REQUIREMENTS)


def package_files() -> list[tuple[str, bytes]]:
    """(path inside the zip, bytes) of every file the Lite path may import, sorted: the same bytes on every
    build of the same source."""
    import os

    out = []
    found = []
    for folder, _dirs, files in os.walk(PACKAGE_ROOT, followlinks=True):   # templates/ is a link in a checkout
        found += [Path(folder) / f for f in files]
    for path in sorted(found):
        rel = path.relative_to(PACKAGE_ROOT).as_posix()
        if EXCLUDE.match(rel):
            continue
        if rel.startswith("templates/"):
            if not TEMPLATE_FILES.search(rel):
                continue
        elif not rel.endswith(".py"):
            continue
        out.append((f"savings_tracker/{rel}", path.read_bytes()))
    return out


def package_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in package_files():
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


MAIN_TEMPLATE = '''\
"""Savings Tracker for xlwings Lite: the buttons and worksheet functions of this workbook.

Generated by `savings-tracker build-workbook` (savings_tracker {version}); do not edit it here, rebuild
the workbook instead. The package rides inside this file (a zip, base64), is checked against its SHA-256
and unpacked on first run; nothing is downloaded for it. The packages in requirements.txt come from
Pyodide's and PyPI's public CDNs; none of the workbook's data leaves Excel.
"""
import base64
import hashlib
import io
import os
import sys
import tempfile
import zipfile

PACKAGE_VERSION = "{version}"
PACKAGE_SHA256 = "{sha256}"
PACKAGE_ZIP = (
{chunks}
)


def _install_package():
    """Unpack the package once into a folder named after its hash and put it first on sys.path."""
    home = os.environ.get("SAVINGS_TRACKER_LITE_HOME") or os.path.join(tempfile.gettempdir(), "savings_tracker")
    root = os.path.join(home, PACKAGE_SHA256[:16])
    if not os.path.isfile(os.path.join(root, "savings_tracker", "__init__.py")):
        data = base64.b64decode(PACKAGE_ZIP)
        if hashlib.sha256(data).hexdigest() != PACKAGE_SHA256:
            raise ImportError("the savings_tracker package in main.py is damaged: rebuild the workbook")
        partial = root + ".partial"
        zipfile.ZipFile(io.BytesIO(data)).extractall(partial)
        os.makedirs(home, exist_ok=True)
        os.replace(partial, root)
    loaded = sys.modules.get("savings_tracker")
    if loaded is not None and not str(getattr(loaded, "__file__", "")).startswith(root):
        for name in [m for m in sys.modules if m == "savings_tracker" or m.startswith("savings_tracker.")]:
            del sys.modules[name]   # an older copy from another version of the workbook
    if root not in sys.path:
        sys.path.insert(0, root)


_install_package()

from savings_tracker.excel.entry_points import (  # noqa: E402,F401  (Lite registers these @script/@func)
{imports}
)
'''


def main_py(zip_bytes: bytes | None = None) -> str:
    """The ``main.py`` xlwings Lite runs, generated from the package."""
    from ..excel.names import FUNCTIONS, SCRIPTS

    zip_bytes = package_zip() if zip_bytes is None else zip_bytes
    b64 = base64.b64encode(zip_bytes).decode("ascii")
    chunks = "\n".join(f'    "{b64[i:i + 96]}"' for i in range(0, len(b64), 96))
    imports = "\n".join(f"    {name}," for name in (*SCRIPTS, *FUNCTIONS))   # entry_points.__all__
    return MAIN_TEMPLATE.format(version=_package_version(), sha256=hashlib.sha256(zip_bytes).hexdigest(),
                                chunks=chunks, imports=imports)


def _package_version() -> str:
    return savings_tracker.__version__


def property_value(value: str) -> str:
    """A web extension property's value as Lite writes it: JSON, then XML-escaped for the attribute."""
    return html.escape(json.dumps(value, ensure_ascii=False), quote=True).replace("&#x27;", "'")


def properties() -> dict[str, str]:
    """The add-in's settings this builder writes, in Lite's order."""
    return {"main.py": main_py(), "pyodideVersion": PYODIDE_VERSION, "addinVersion": ADDIN_VERSION,
            "requirements.txt": requirements_txt()}


def webextension_xml(props: dict[str, str] | None = None) -> bytes:
    props = properties() if props is None else props
    guid = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "savings-tracker/xlwings-lite")).upper() + "}"
    body = "".join(f'<we:property name="{html.escape(k)}" value="{property_value(v)}"/>' for k, v in props.items())
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<we:webextension xmlns:we="{WE_NS}" id="{guid}">'
            f'<we:reference id="{ADDIN_ID.lower()}" version="1.0.0.0" store="en-GB" storeType="OMEX"/>'
            f'<we:alternateReferences><we:reference id="{ADDIN_ID}" version="1.0.0.0" store="{ADDIN_ID}" '
            f'storeType="OMEX"/></we:alternateReferences>'
            f'<we:properties>{body}</we:properties><we:bindings/><we:snapshot xmlns:r="{R_NS}"/>'
            '<we:extLst><a:ext xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
            'uri="{D87F86FE-615C-45B5-9D79-34F1136793EB}"><we:containsCustomFunctions/></a:ext>'
            '<a:ext xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
            'uri="{7C84B067-C214-45C3-A712-C9D94CD141B2}"><we:customFunctionIdList/></a:ext></we:extLst>'
            '</we:webextension>').encode("utf-8")


def taskpanes_xml() -> bytes:
    # visibility="1": the task pane (and with it Python and the sheet buttons) starts when the workbook opens
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<wetp:taskpanes xmlns:wetp="{TP_NS}"><wetp:taskpane dockstate="right" visibility="1" width="350" '
            f'row="3"><wetp:webextensionref xmlns:r="{R_NS}" r:id="rId1"/></wetp:taskpane></wetp:taskpanes>'
            ).encode("utf-8")


def taskpanes_rels() -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_WEBEXTENSION}" Target="webextension1.xml"/></Relationships>'
            ).encode("utf-8")


def _add_root_rel(rels: str) -> str:
    if REL_TASKPANES in rels:
        return rels
    ids = {int(m) for m in re.findall(r'Id="rId(\d+)"', rels)}
    rid = f"rId{max(ids, default=0) + 1}"
    return rels.replace("</Relationships>", f'<Relationship Id="{rid}" Type="{REL_TASKPANES}" '
                                            f'Target="xl/webextensions/taskpanes.xml"/></Relationships>')


def _add_content_types(ct: str) -> str:
    for part, kind in ((TASKPANES_PART, CT_TASKPANES), (WEBEXTENSION_PART, CT_WEBEXTENSION)):
        if f'PartName="/{part}"' not in ct:
            ct = ct.replace("</Types>", f'<Override PartName="/{part}" ContentType="{kind}"/></Types>')
    return ct


@dataclass(frozen=True)
class LiteButton:
    """A sheet button for xlwings Lite: a named shape whose hyperlink selects ``cell`` (the cell under its
    top-left corner); Lite runs the script whose ``@script(button="[name]Sheet!cell")`` matches."""
    name: str
    caption: str
    cell: str
    row: int          # 0-based anchor row and column (the cell)
    col: int
    width: int        # pixels
    height: int


EMU = 9525           # EMUs per pixel
DRAWING_CT = "application/vnd.openxmlformats-officedocument.drawing+xml"
REL_DRAWING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
REL_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def buttons_drawing(buttons: list[LiteButton], sheet: str) -> tuple[bytes, bytes]:
    """The drawing part with the Lite buttons (rounded rectangles with a link to their cell, as a button
    drawn in Excel is), and its relationships."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    anchors, rels = [], []
    for i, b in enumerate(buttons, start=1):
        rels.append(f'<Relationship Id="rId{i}" Type="{REL_HYPERLINK}" Target="#{html.escape(quoted)}!{b.cell}"/>')
        anchors.append(
            '<xdr:oneCellAnchor>'
            f'<xdr:from><xdr:col>{b.col}</xdr:col><xdr:colOff>{2 * EMU}</xdr:colOff><xdr:row>{b.row}</xdr:row>'
            f'<xdr:rowOff>{2 * EMU}</xdr:rowOff></xdr:from><xdr:ext cx="{b.width * EMU}" cy="{b.height * EMU}"/>'
            f'<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="{i + 1}" name="{html.escape(b.name)}" '
            f'descr="{html.escape(b.caption)}: runs in xlwings Lite">'
            f'<a:hlinkClick xmlns:r="{R_NS}" r:id="rId{i}" tooltip="{html.escape(b.caption)} (xlwings Lite)"/>'
            '</xdr:cNvPr><xdr:cNvSpPr/></xdr:nvSpPr>'
            '<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></a:xfrm>'
            '<a:prstGeom prst="roundRect"><a:avLst/></a:prstGeom>'
            '<a:solidFill><a:srgbClr val="1F4E79"/></a:solidFill><a:ln><a:noFill/></a:ln></xdr:spPr>'
            '<xdr:txBody><a:bodyPr vertOverflow="clip" horzOverflow="clip" lIns="18000" tIns="0" rIns="18000" '
            'bIns="0" rtlCol="0" anchor="ctr"/><a:lstStyle/><a:p><a:pPr algn="ctr"/><a:r>'
            '<a:rPr lang="en-GB" sz="900" b="1"><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill></a:rPr>'
            f'<a:t>{html.escape(b.caption, quote=False)}</a:t></a:r></a:p></xdr:txBody></xdr:sp>'
            '<xdr:clientData/></xdr:oneCellAnchor>')
    drawing = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
               'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">' + "".join(anchors) + '</xdr:wsDr>')
    rels_xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + "".join(rels) + '</Relationships>')
    return drawing.encode("utf-8"), rels_xml.encode("utf-8")


def _sheet_part(files: dict[str, bytes], sheet: str) -> str:
    wb = files["xl/workbook.xml"].decode("utf-8")
    rid = re.search(rf'<sheet name="{re.escape(html.escape(sheet))}" sheetId="\d+" r:id="(rId\d+)"', wb).group(1)
    rels = files["xl/_rels/workbook.xml.rels"].decode("utf-8")
    target = re.search(rf'<Relationship Id="{rid}" [^>]*Target="([^"]+)"', rels).group(1)
    return "xl/" + target.lstrip("/").removeprefix("xl/")


def _add_drawing(files: dict[str, bytes], sheet: str, buttons: list[LiteButton]) -> dict[str, bytes]:
    """The Lite buttons as a drawing of their own on ``sheet`` (a new part after the existing drawings, so
    those keep their names), linked from the sheet before its ``legacyDrawing`` (the VBA buttons)."""
    part = _sheet_part(files, sheet)
    n = 1 + max([int(m) for f in files for m in re.findall(r"^xl/drawings/drawing(\d+)\.xml$", f)] or [0])
    name = f"xl/drawings/drawing{n}.xml"
    drawing, drels = buttons_drawing(buttons, sheet)
    folder, base = part.rsplit("/", 1)
    rels_name = f"{folder}/_rels/{base}.rels"
    rels = files.get(rels_name, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                     b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>').decode()
    if "<drawing " in files[part].decode("utf-8"):
        raise ValueError(f"{sheet} already has a drawing: the Lite buttons need one of their own")
    used = [int(m) for m in re.findall(r'Id="rId(\d+)"', rels)]
    rid = f"rId{1 + max(used or [0])}"
    rels = rels.replace("</Relationships>", f'<Relationship Id="{rid}" Type="{REL_DRAWING}" '
                                            f'Target="../drawings/drawing{n}.xml"/></Relationships>')
    xml = files[part].decode("utf-8")
    tag = f'<drawing r:id="{rid}"/>'
    xml = xml.replace("<legacyDrawing ", tag + "<legacyDrawing ", 1) if "<legacyDrawing " in xml else \
        xml.replace("<tableParts", tag + "<tableParts", 1)
    ct = files["[Content_Types].xml"].decode("utf-8").replace(
        "</Types>", f'<Override PartName="/{name}" ContentType="{DRAWING_CT}"/></Types>')
    return {part: xml.encode("utf-8"), rels_name: rels.encode("utf-8"), name: drawing,
            f"xl/drawings/_rels/drawing{n}.xml.rels": drels, "[Content_Types].xml": ct.encode("utf-8")}


def add_lite_parts(path: Path, sheet: str, buttons: list[LiteButton]) -> None:
    """Rewrite the package at ``path`` (just written by XlsxWriter) with the Lite parts, the root
    relationship and content types, and the Lite buttons on ``sheet``. Existing entries keep their order."""
    path = Path(path)
    with zipfile.ZipFile(path) as src:
        infos = src.infolist()
        files = {i.filename: src.read(i.filename) for i in infos}
    changed = _add_drawing(files, sheet, buttons)
    files.update(changed)
    files["[Content_Types].xml"] = _add_content_types(files["[Content_Types].xml"].decode("utf-8")).encode()
    files["_rels/.rels"] = _add_root_rel(files["_rels/.rels"].decode("utf-8")).encode("utf-8")
    new = [n for n in changed if n not in {i.filename for i in infos}]
    new += [TASKPANES_PART, TASKPANES_RELS, WEBEXTENSION_PART]
    files.update({TASKPANES_PART: taskpanes_xml(), TASKPANES_RELS: taskpanes_rels(),
                  WEBEXTENSION_PART: webextension_xml()})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            out.writestr(info, files[info.filename])
        for name in new:
            info = zipfile.ZipInfo(name, infos[0].date_time if infos else ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, files[name])
    path.write_bytes(buf.getvalue())


# ---- reading a workbook's Lite parts back (doctor, tests) --------------------------------------------------
def read_properties(path) -> dict[str, str] | None:
    """The add-in properties of a workbook's xlwings Lite web extension (decoded), or None if it has none."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not re.fullmatch(r"xl/webextensions/webextension\d+\.xml", name):
                continue
            xml = z.read(name).decode("utf-8")
            if ADDIN_ID.lower() not in xml.lower():
                continue
            from xml.etree import ElementTree as ET

            root = ET.fromstring(xml)
            return {p.get("name"): json.loads(p.get("value")) for p in root.iter(f"{{{WE_NS}}}property")}
    return None


def check(path) -> list[tuple[bool, str]]:
    """``savings-tracker doctor``: which runtime the workbook is set up for, and its xlwings Lite parts."""
    from xml.etree import ElementTree as ET

    path = Path(path)
    out: list[tuple[bool, str]] = []
    try:
        with zipfile.ZipFile(path) as z:
            files = {n: z.read(n) for n in z.namelist() if n.endswith((".xml", ".rels", ".bin"))}
    except (OSError, zipfile.BadZipFile) as exc:
        return [(False, f"{path.name}: not a workbook package ({exc})")]
    macro = "xl/vbaProject.bin" in files
    has_lite = WEBEXTENSION_PART in files and ADDIN_ID.lower().encode() in files[WEBEXTENSION_PART].lower()
    runtimes = [r for r, on in (("Excel with local Python (the VBA buttons, RunPython)", macro),
                                ("xlwings Lite (the Lite buttons, no local Python)", has_lite)) if on]
    out.append((bool(runtimes), f"{path.name} is set up for: {' and '.join(runtimes)}" if runtimes else
                f"{path.name} has neither the VBA project nor the xlwings Lite add-in: rebuild it with "
                f"`savings-tracker build-workbook`"))
    if not has_lite:
        out.append((False, "no xlwings Lite parts (xl/webextensions/webextension1.xml): the workbook cannot run "
                           "without local Python; rebuild it with `savings-tracker build-workbook`"))
        return out
    problems = []
    rels = files.get("_rels/.rels", b"").decode("utf-8", "replace")
    if REL_TASKPANES not in rels or TASKPANES_PART not in rels:
        problems.append("_rels/.rels does not point at the task pane")
    ct = files.get("[Content_Types].xml", b"").decode("utf-8", "replace")
    for part, kind in ((TASKPANES_PART, CT_TASKPANES), (WEBEXTENSION_PART, CT_WEBEXTENSION)):
        if f'PartName="/{part}" ContentType="{kind}"' not in ct:
            problems.append(f"[Content_Types].xml does not declare {part}")
    for part in LITE_PARTS:
        try:
            ET.fromstring(files[part])
        except KeyError:
            problems.append(f"{part} is missing")
        except ET.ParseError as exc:
            problems.append(f"{part} is not well-formed XML ({exc})")
    out.append((not problems, "xlwings Lite parts, relationships and content types are in place" if not problems
                else "; ".join(problems) + ": rebuild the workbook"))
    try:
        props = read_properties(path) or {}
    except (ValueError, ET.ParseError) as exc:
        out.append((False, f"the add-in's settings cannot be read ({exc}): rebuild the workbook"))
        return out
    source = props.get("main.py")
    if not isinstance(source, str) or not source.strip():
        out.append((False, "the workbook has no main.py for xlwings Lite: rebuild it"))
    else:
        try:
            compile(source, "main.py", "exec")
            ok = source == main_py()
            out.append((ok, "main.py compiles and is this version's code (savings_tracker "
                            f"{_package_version()})" if ok else
                        "main.py compiles but is not this version's code (edited in the Lite editor, or built by "
                        "another version): rebuild the workbook with `savings-tracker build-workbook` and copy "
                        "the data across with `savings-tracker build-workbook --data`"))
        except SyntaxError as exc:
            out.append((False, f"main.py does not compile (line {exc.lineno}: {exc.msg}): rebuild the workbook"))
    known = {re.split(r"[<>=!~ ;\[]", r)[0].lower() for r, _ in REQUIREMENTS}
    reqs = [line.split("#")[0].strip() for line in str(props.get("requirements.txt") or "").splitlines()]
    reqs = [r for r in reqs if r]
    unknown = [r for r in reqs if re.split(r"[<>=!~ ;\[]", r)[0].lower() not in known]
    missing = sorted(known - {re.split(r"[<>=!~ ;\[]", r)[0].lower() for r in reqs})
    ok = not unknown and not missing
    out.append((ok, f"requirements.txt names only packages Pyodide loads ({', '.join(reqs)})" if ok else
                "requirements.txt " + "; ".join(
                    ([f"names {', '.join(unknown)}, which this version does not know Pyodide can load "
                      f"(python-calamine, typst and WeasyPrint are not used under Lite)"] if unknown else []) +
                    ([f"lacks {', '.join(missing)}"] if missing else [])) + ": rebuild the workbook"))
    out.append((True, f"Pyodide {props.get('pyodideVersion', '?')}, written by xlwings Lite "
                      f"{props.get('addinVersion', '?')}"))
    return out
