"""The closed-file writer: a plan written into a closed .xlsx/.xlsm without a library round trip.

``package`` (the zip of XML parts, relationships, raw copy of unchanged parts), ``sheet`` (cells and tables
of one worksheet), ``rows`` / ``refs`` / ``anchors`` (rows inserted as Excel's Insert does, and everything
that refers to them), ``slices`` (large sheets edited in batches), ``styles`` (cell highlights as cloned
styles), ``apply`` (a plan applied to a workbook: ``patch_workbook``), ``atomic`` (temporary file, fsync,
backup, rename) and ``zipguard`` (opening a package safely). Nothing here imports the readers or xlwings.
"""
