"""Plans: what a button changes in the workbook, as data (no xlwings, no XML).

A button's logic builds one ``UpdatePlan`` (``model``): blocks of values, restored formulas, cell marks,
table resizes and row insertions, in the order an adapter applies them. Two writers apply plans through one
interface (``writer.PlanWriter``): the open workbook through xlwings (``excel.writer``) and the closed file
(``xlsx.apply``). One module per button: ``checks`` (Validate), ``typed_over`` and ``summary`` and ``refresh``
(Refresh RAG summary), ``snapshot`` (Take snapshot); ``formulas`` spells the workbook's live formulas.
"""
from .checks import body_range, body_rows, checks_rows, marked_before, marks_for, validate_plan
from .model import (CHECKS_HEADERS, CHECKS_TOP_LEFT, COMPUTED_FORMULA_KEYS, FORMULA_PREFIXES, HISTORY_TABLE,
                    MARK_COLOURS, RESTORED_CODE, SUMMARY_TOP_LEFT, Block, Formula, Mark, UpdatePlan, counts_message,
                    excel_input, hyperlink)
from .refresh import column_block, refresh_plan
from .snapshot import snapshot_plan
from .summary import (RAG_COLUMNS, SUMMARY_STAMP_CELL, SUMMARY_TABLE_ROW, SummaryGeometry, summary_chart_rows,
                      summary_formula_rows, summary_geometry, summary_group_rows, summary_plan)
from .typed_over import TypedOver, computed_formula, find_typed_over, restored_findings, without_typed_over

__all__ = [
    "Block", "Formula", "Mark", "UpdatePlan", "CHECKS_HEADERS", "CHECKS_TOP_LEFT", "COMPUTED_FORMULA_KEYS",
    "FORMULA_PREFIXES", "HISTORY_TABLE", "MARK_COLOURS", "RESTORED_CODE", "SUMMARY_TOP_LEFT", "counts_message",
    "excel_input", "hyperlink", "body_range", "body_rows", "checks_rows", "marked_before", "marks_for",
    "validate_plan", "TypedOver", "computed_formula", "find_typed_over", "restored_findings", "without_typed_over",
    "RAG_COLUMNS", "SUMMARY_STAMP_CELL", "SUMMARY_TABLE_ROW", "SummaryGeometry", "summary_chart_rows",
    "summary_formula_rows", "summary_geometry", "summary_group_rows", "summary_plan", "column_block",
    "refresh_plan", "snapshot_plan",
]
