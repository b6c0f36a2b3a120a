"""Read a register from .csv, .xlsx or .xlsm, in the published layouts or the product's own workbook.

``read_register(path)`` is the one entry point; formats are registered in ``grids.FORMATS``.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import UnreadableFile
from ..core.register import Register
from ..core.settings import Settings
from . import grids, look
from .interpret import choose, grid_settings
from .results import confirm


def read_book(path, *, layout: str | None = None, sheet: str | None = None,
              settings: Settings | None = None, mapping: dict[str, str] | None = None) -> tuple[grids.Book, Register]:
    """Read a file once: its grids (every sheet, for callers that also need the service sheets) and its
    register. Settings come from the Settings sheet, else a ``.settings.json`` beside the file."""
    path = Path(path)
    book = grids.load(path)
    if settings is None:
        settings = Settings.load_sidecar(path) if book.kind == "csv" else grid_settings(book)
        if settings is None and book.kind != "csv":
            settings = Settings.load_sidecar(path)
    if layout == "cases":
        return book, _cases().read_cases(book, settings, sheet)
    if layout is None and look.may_hold_cases(book, sheet) and _cases().detect(book, sheet):
        try:
            return book, _cases().read_cases(book, settings, sheet)
        except UnreadableFile as exc:   # a programme summary but no workstream table: perhaps another layout
            try:
                return book, confirm(book, choose(book, settings, layout, sheet, mapping))
            except UnreadableFile:
                raise exc from None
    return book, confirm(book, choose(book, settings, layout, sheet, mapping))


def _cases():
    from . import cases     # business cases only: a tracker's read does not load their reader
    return cases


def read_register(path, *, layout: str | None = None, sheet: str | None = None,
                  settings: Settings | None = None, mapping: dict[str, str] | None = None) -> Register:
    """Read one register. Raises ``UnreadableFile`` (one clear line) when the file cannot be used at all;
    problems with individual cells become findings on the register."""
    return read_book(path, layout=layout, sheet=sheet, settings=settings, mapping=mapping)[1]


__all__ = ["read_book", "read_register", "UnreadableFile"]
