"""What the workbook's builder needs to know of the Excel adapters, without importing xlwings (which imports
pandas): the Lite buttons, the cell for Lite's messages, and the names of the Lite entry points."""
from __future__ import annotations

#: The sheet buttons for Lite: (script, shape name, caption). The builder draws each shape with a link to
#: the cell behind it (``LITE_BUTTON_CELLS``); Lite runs the script when that cell is selected.
LITE_BUTTONS = (
    ("validate", "st_lite_validate", "Lite: Validate"),
    ("refresh", "st_lite_refresh", "Lite: Refresh RAG summary"),
    ("snapshot", "st_lite_snapshot", "Lite: Take snapshot"),
    ("appendix", "st_lite_appendix", "Lite: Appendix (HTML/Word)"),
)
#: Cell behind each Lite button on the Tracker sheet (the builder anchors the shape's top-left there).
LITE_BUTTON_CELLS = {"validate": "D3", "refresh": "F3", "snapshot": "H3", "appendix": "J3"}
#: Where a Lite run leaves its message (defined name ``LiteMessage``), under the Lite buttons.
LITE_MESSAGE_CELL = "D5"
LITE_MESSAGE_NAME = "LiteMessage"
#: What ``excel.entry_points`` gives Lite: its ``@script`` buttons and its ``@func`` worksheet functions.
SCRIPTS = ("validate", "refresh", "snapshot", "replace_snapshot", "appendix")
FUNCTIONS = ("SAVINGS_VARIANCE", "SAVINGS_RAG", "SAVINGS_CHECK", "SAVINGS_SUMMARY")
