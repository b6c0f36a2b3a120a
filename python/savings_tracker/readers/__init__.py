"""Read a register from .csv, .xlsx or .xlsm, in the published layouts or the product's own workbook.

``read_register(path)`` is the one entry point; formats are registered in ``grids.FORMATS``.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import UnreadableFile
from ..register import Register
from ..settings import Settings
from . import grids
from .interpret import choose, grid_settings


def read_register(path, *, layout: str | None = None, sheet: str | None = None,
                  settings: Settings | None = None) -> Register:
    """Read one register. Raises ``UnreadableFile`` (one clear line) when the file cannot be used at all;
    problems with individual cells become findings on the register."""
    path = Path(path)
    book = grids.load(path)
    if settings is None:
        settings = Settings.load_sidecar(path) if book.kind == "csv" else grid_settings(book)
        if settings is None and book.kind != "csv":
            settings = Settings.load_sidecar(path)
    return choose(book, settings, layout, sheet)


__all__ = ["read_register", "UnreadableFile"]
