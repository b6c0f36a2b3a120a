"""The workbook's VBA project (``xl/vbaProject.bin``), built without Excel.

``build_vba_project(code_names)`` returns the bytes XlsxWriter's
``Workbook.add_vba_project(..., is_stream=True)`` takes. The project holds:

- the document modules: ``ThisWorkbook`` and one per sheet code name given,
  in that order. They must match what the workbook carries: call
  ``workbook.set_vba_name("ThisWorkbook")`` and ``sheet.set_vba_name(name)``
  with the same names, in the same sheet order.
- ``xlwings``: the standalone VBA module shipped inside the installed xlwings
  package (``xlwings/xlwings.bas``), byte for byte apart from line endings,
  so its ``XLWINGS_VERSION`` is ``xlwings.__version__``.
- ``SavingsTracker``: the button macros (``SavingsTracker.bas`` beside this file).
- ``Dictionary``: the class module xlwings ships (``xlwings/addin/Dictionary.cls``), which the standalone
  ``xlwings`` module uses on macOS (no Scripting.Dictionary there).

How: pyOpenVBA's ``ExcelFile.add_vba_project()`` makes a project as Excel makes
one for a workbook's first macro: one document module for the workbook and one
per sheet, named from the ``codeName`` each part carries (its baked-in
Excel-authored template's ``Module1`` is dropped). So we write a throwaway
workbook with XlsxWriter in a temporary directory whose sheets carry the code
names, let pyOpenVBA give it a project, add the two standard modules, save,
and take ``xl/vbaProject.bin`` out. The temporary directory is removed;
nothing is cached on disk.

Reproducible: pyOpenVBA keeps the template's CFB metadata (CLSIDs,
timestamps) and its PROJECT stream (project id, CMG/DPB/GC) verbatim and adds
nothing random, so the same inputs give byte-identical bytes
(tests/test_vba.py checks it).
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "SAVINGS_TRACKER_BAS",
    "VBA_MODULE_NAMES",
    "XLWINGS_MODULE",
    "build_vba_project",
    "read_modules",
    "savings_tracker_source",
    "vba_sub_names",
    "xlwings_bas_path",
    "xlwings_source",
    "xlwings_vba_version",
]

XLWINGS_MODULE = "xlwings"
SAVINGS_TRACKER_MODULE = "SavingsTracker"
DICTIONARY_MODULE = "Dictionary"
#: The modules the project holds besides the document modules (the last is a class module).
VBA_MODULE_NAMES: tuple[str, ...] = (XLWINGS_MODULE, SAVINGS_TRACKER_MODULE, DICTIONARY_MODULE)
#: The code name of the workbook's document module.
WORKBOOK_CODE_NAME = "ThisWorkbook"

SAVINGS_TRACKER_BAS = Path(__file__).with_name("SavingsTracker.bas")

_VBA_ENTRY = "xl/vbaProject.bin"
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")
_SUB = re.compile(
    r"^[ \t]*(?:(Public|Private|Friend)[ \t]+)?(?:Static[ \t]+)?Sub[ \t]+([A-Za-z_][A-Za-z0-9_]*)",
    re.IGNORECASE | re.MULTILINE,
)
_VERSION_CONST = re.compile(r'^\s*Public\s+Const\s+XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"',
                            re.IGNORECASE | re.MULTILINE)
_VERSION_COMMENT = re.compile(r"^'Version:\s*(\S+)", re.MULTILINE)


def _crlf(text: str) -> str:
    """VBA module streams use CRLF line endings."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _xlwings_version() -> str:
    from importlib.metadata import version

    return version("xlwings")


def xlwings_bas_path() -> Path:
    """The standalone VBA module of the installed xlwings (``xlwings/xlwings.bas``). Found without importing
    xlwings, which imports pandas: building a workbook needs neither."""
    from importlib.util import find_spec

    spec = find_spec("xlwings")
    path = Path(spec.origin).resolve().parent / "xlwings.bas" if spec and spec.origin else Path("xlwings.bas")
    if not path.is_file():
        raise FileNotFoundError(f"xlwings {_xlwings_version()} ships no {path}")
    return path


def xlwings_source() -> str:
    """``xlwings.bas`` of the installed xlwings, checked against the installed xlwings' version."""
    source = xlwings_bas_path().read_bytes().decode("cp1252")
    version, installed = _module_version(source), _xlwings_version()
    if version != installed:
        raise RuntimeError(f"xlwings.bas says version {version!r}, xlwings is {installed!r}")
    return _crlf(source)


def dictionary_cls_path() -> Path:
    """The ``Dictionary`` class xlwings ships for its standalone module on macOS."""
    return xlwings_bas_path().parent / "addin" / "Dictionary.cls"


def dictionary_source() -> str:
    return _crlf(dictionary_cls_path().read_bytes().decode("cp1252"))


def savings_tracker_source() -> str:
    return _crlf(SAVINGS_TRACKER_BAS.read_text(encoding="utf-8"))


def build_vba_project(sheet_code_names: Sequence[str]) -> bytes:
    """The bytes of a ``vbaProject.bin`` with document modules ``ThisWorkbook`` and
    ``sheet_code_names`` (in order), and the standard modules of ``VBA_MODULE_NAMES``."""
    import xlsxwriter
    from pyopenvba import ExcelFile

    names = list(sheet_code_names)
    taken = {WORKBOOK_CODE_NAME.casefold(), *(n.casefold() for n in VBA_MODULE_NAMES)}
    for name in names:
        if not _IDENTIFIER.match(name):
            raise ValueError(f"Not a valid VBA code name: {name!r}")
        if name.casefold() in taken:
            raise ValueError(f"Duplicate or reserved code name: {name!r}")
        taken.add(name.casefold())

    modules = {XLWINGS_MODULE: xlwings_source(), SAVINGS_TRACKER_MODULE: savings_tracker_source()}
    with tempfile.TemporaryDirectory(prefix="savings-tracker-vba-") as tmp:
        base, out = Path(tmp) / "base.xlsm", Path(tmp) / "out.xlsm"
        book = xlsxwriter.Workbook(str(base))
        book.set_vba_name(WORKBOOK_CODE_NAME)
        for index, name in enumerate(names, start=1):
            # Sheet names are irrelevant to the project; only code names are read.
            book.add_worksheet(f"S{index}").set_vba_name(name)
        book.close()
        with ExcelFile(base) as host:
            project = host.add_vba_project()
            got = [m.name for m in project.modules]
            if got != [WORKBOOK_CODE_NAME, *names]:
                raise RuntimeError(f"pyOpenVBA made document modules {got}, expected {[WORKBOOK_CODE_NAME, *names]}")
            for name, source in modules.items():
                project.add_module(name, source)
            from pyopenvba import VBAModuleKind

            project.add_module(DICTIONARY_MODULE, dictionary_source(), kind=VBAModuleKind.other)
            problems = project.validate()
            if problems:
                raise RuntimeError(f"VBA project does not validate: {problems}")
            host.save(out)
        with zipfile.ZipFile(out) as package:
            return package.read(_VBA_ENTRY)


def _parser(bin_or_path: bytes | str | Path):
    from oletools.olevba import VBA_Parser

    if isinstance(bin_or_path, (bytes, bytearray)):
        return VBA_Parser("vbaProject.bin", data=bytes(bin_or_path))
    return VBA_Parser(str(bin_or_path))


def read_modules(xlsm_path: bytes | str | Path) -> dict[str, str]:
    """Module name -> source (LF line endings) as oletools' olevba reads them,
    from an .xlsm (or a vbaProject.bin path, or its bytes)."""
    parser = _parser(xlsm_path)
    try:
        if not parser.detect_vba_macros():
            return {}
        modules: dict[str, str] = {}
        for _, stream_path, _, code in parser.extract_macros():
            name = stream_path.replace("\\", "/").rsplit("/", 1)[-1]
            if isinstance(code, bytes):
                code = code.decode("cp1252")
            modules[name] = code.replace("\r\n", "\n")
        return modules
    finally:
        parser.close()


def _module_version(source: str) -> str:
    const = _VERSION_CONST.search(source)
    comment = _VERSION_COMMENT.search(source)
    if const is None:
        raise ValueError("No XLWINGS_VERSION constant in the xlwings module")
    if comment is not None and comment.group(1) != const.group(1):
        raise ValueError(f"xlwings module says 'Version: {comment.group(1)} but XLWINGS_VERSION {const.group(1)!r}")
    return const.group(1)


def xlwings_vba_version(bin_or_path: bytes | str | Path) -> str:
    """The ``XLWINGS_VERSION`` of the xlwings module in a vbaProject.bin (bytes or
    path) or an .xlsm."""
    modules = read_modules(bin_or_path)
    if XLWINGS_MODULE not in modules:
        raise KeyError(f"No {XLWINGS_MODULE!r} module among {sorted(modules)}")
    return _module_version(modules[XLWINGS_MODULE])


def vba_sub_names(source: str, *, public_only: bool = False) -> set[str]:
    """Names of the Subs declared in VBA ``source`` (without Private ones if ``public_only``)."""
    return {m.group(2) for m in _SUB.finditer(source)
            if not (public_only and (m.group(1) or "").lower() == "private")}
