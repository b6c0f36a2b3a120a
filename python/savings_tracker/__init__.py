"""Savings Tracker: a spreadsheet-native savings programme tracker for UK council finance teams.

The core (schema, money, settings, register, readers, calc, validate) knows nothing about Excel; the
workbook builder, the xlwings macros, the document templates and the CLI are adapters around it.
"""
__version__ = "0.1.0"
