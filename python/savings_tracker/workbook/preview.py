"""PNG previews of the workbook's Tracker and Summary sheets (LibreOffice -> PDF -> pdftoppm), so a reviewer
can see the workbook without Excel. Raises ``libreoffice.LibreOfficeMissing`` without LibreOffice."""
from __future__ import annotations

from pathlib import Path

from ..core import schema

PREVIEW_SHEETS = ("tracker", "summary")


def render_previews(xlsm_path, out_dir, sheets=PREVIEW_SHEETS) -> list[Path]:
    """``<out_dir>/Tracker.png`` and ``<out_dir>/Summary.png`` (first printed page of each sheet; ``sheets``:
    other schema sheet keys, e.g. "start", "checks")."""
    from ..libreoffice import sheet_to_png

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pngs = []
    for key in sheets:
        name = schema.SHEET_NAMES[key]
        pngs.append(sheet_to_png(xlsm_path, name, out / f"{name}.png"))
    return pngs
