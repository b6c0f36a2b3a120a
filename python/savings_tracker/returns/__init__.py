"""Returns: forecasts asked of budget holders and partner organisations, collected, checked and consolidated.

The monthly routine that otherwise happens by e-mail and copy and paste, in one room of the package:

* ``names``        partner names matched without regard to case, "&"/"and", punctuation and spacing; partner lists;
* ``findings``     what is wrong with a return, naming its file, sheet, cell and value;
* ``partnership``  the partnership model (seed 004, NI 179): organisations' baselines, target %, planned
                   efficiencies and forecast RAG per year, consolidated in Decimal (pure Python);
* ``read``         any return file to a ``ReturnFile``: the product's own return workbooks, and organisations' own
                   spreadsheets (.xlsx, .xlsm, .xls, .ods, .csv) recognised by their headers;
* ``make``         the return workbooks sent out (XlsxWriter): one per committee, owner or organisation, with
                   only its lines, the entered cells unlocked, dropdowns, and an instruction block;
* ``council``      council returns: what each return may change in the tracker, and the conflicts;
* ``collect``      a folder of returns read, consolidated and (``--into``) merged: one ``plans.UpdatePlan`` that
                   the closed-file writer applies (``xlsx.apply``);
* ``sheet``        the Returns sheet (who, when, status, findings), added to a closed workbook when missing;
* ``document``     the "Partnership efficiency returns" appendix context;
* ``excel``        the plan of the "Collect returns" button (``excel.buttons.collect_returns`` applies it).

The ``savings-tracker returns`` commands are in ``cli/returns.py``.

A return file is never changed: every reader opens it read-only.
"""
