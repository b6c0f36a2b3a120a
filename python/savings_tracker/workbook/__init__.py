"""The Savings Tracker workbook: built from the schema with XlsxWriter, macros from ``vba``."""
from .builder import build_workbook

__all__ = ["build_workbook"]
