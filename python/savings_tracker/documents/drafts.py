"""Drafts and finals: an appendix from a register with validation errors says so on every page.

Also the settings an appendix needs to be publishable (organisation, period): when blank, a warning names the
Settings cell to fill in (the Settings sheet of a workbook, or the ``.settings.json`` beside a CSV).
"""
from __future__ import annotations

from pathlib import Path

from ..core import validate
from ..core.register import Register
from ..core.settings import sidecar_path

NEEDED = {"organisation": "the council's name", "period": "the reporting period, e.g. October 2017"}


def errors_for(reg: Register, committee: str | None = None) -> list:
    """The validation errors an appendix would be printed with: the register's, or (for one committee's
    appendix) those of that committee's lines and those of no line in particular."""
    errors = [f for f in validate.validate(reg) if f.severity == validate.ERROR]
    if committee and reg.has("committee") and reg.has("reference"):
        from .context import in_committee

        refs = {str(r) for r in reg.lines.where(in_committee(reg, committee))["reference"]}
        errors = [f for f in errors if not f.reference or f.reference in refs]
    return errors


def draft_label(errors: int) -> str:
    return f"DRAFT - {errors} error{'s' if errors != 1 else ''}" if errors else ""


def settings_warnings(path: Path, reg: Register, template: str) -> list[str]:
    """One line per blank setting the appendix's headings need, naming where to fill it in."""
    wanted = ["organisation"] + (["period"] if template == "tracker" else [])
    blank = [k for k in wanted if not str(getattr(reg.settings, k, "") or "").strip()]
    if not blank:
        return []
    path = Path(path)
    cells = _settings_cells(path) if path.suffix.lower() in (".xlsx", ".xlsm") else None
    out = []
    for key in blank:
        what = NEEDED[key]
        if cells is None:
            side = sidecar_path(path)
            out.append(f"{side.name}: \"{key}\" is blank; set it to {what} (the appendix is written without it)")
        elif key in cells:
            out.append(f"{path.name}: Settings!{cells[key]} ({key}) is blank; enter {what} "
                       "(the appendix is written without it)")
        else:
            out.append(f"{path.name}: the Settings sheet has no \"{key}\" row; add one with {what} "
                       "(the appendix is written without it)")
    return out


def _settings_cells(path: Path) -> dict[str, str]:
    """key -> the A1 address of its value cell on the Settings sheet (column B of the key's row)."""
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        name = next((n for n in book.sheet_names if n.strip().lower() == "settings"), None)
        if name is None:
            return {}
        rows = book.get_sheet_by_name(name).to_python()
    except Exception:  # the register was read already; a Settings sheet we cannot read just names no cell
        return {}
    return {str(r[0]).strip(): f"B{n}" for n, r in enumerate(rows, start=1) if r and str(r[0]).strip()}
