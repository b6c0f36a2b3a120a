"""Opening an Office package safely, before anything is expanded: used by the readers and the writer alike
(standard library only, so a reader that needs nothing else stays light)."""
from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import UnreadableFile

MAX_UNZIPPED_BYTES = 500 * 1024 * 1024      # zip-bomb guard, checked before anything is expanded
MAX_RATIO = 200                             # uncompressed / compressed, per part
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_package(path: Path) -> zipfile.ZipFile:
    """Open an Office package safely: refuse encrypted, legacy and oversized files before expanding them."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        raise UnreadableFile(
            f"{path.name}: the workbook is password-protected (encrypted) or in the old .xls format; "
            "remove the password (File > Info > Protect Workbook) or save as .xlsx/.xlsm, then try again")
    if not zipfile.is_zipfile(path):
        raise UnreadableFile(f"{path.name}: not a valid Excel workbook (the file is damaged or not .xlsx/.xlsm); "
                             "open it in Excel and save it again")
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(f"{path.name}: not a valid Excel workbook ({exc})") from None
    total = 0
    for info in infos:
        total += info.file_size
        if info.compress_size and info.file_size / max(info.compress_size, 1) > MAX_RATIO and info.file_size > 10_000_000:
            zf.close()
            raise UnreadableFile(f"{path.name}: refused: part {info.filename} would expand {info.file_size:,} bytes "
                                 f"from {info.compress_size:,} (a 'zip bomb'); a real register is far smaller")
    if total > MAX_UNZIPPED_BYTES:
        zf.close()
        raise UnreadableFile(f"{path.name}: refused: its contents would expand to {total:,} bytes, over the "
                             f"{MAX_UNZIPPED_BYTES:,}-byte limit")
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        zf.close()
        raise UnreadableFile(f"{path.name}: a zip file, but not an Excel workbook (no xl/workbook.xml)")
    return zf
