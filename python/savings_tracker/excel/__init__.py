"""The Excel adapters (xlwings, BSD parts only): ``buttons`` (what the workbook's buttons run, through
``RunPython``), ``udfs`` (worksheet functions) and ``writer`` (a plan applied to the open workbook)."""
