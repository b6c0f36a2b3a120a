Attribute VB_Name = "SavingsTracker"
' SavingsTracker: the macros behind the workbook's buttons.
' Each Sub hands its work to Python through xlwings' RunPython
' (module savings_tracker.excel.buttons); no logic lives in VBA.
' Nothing runs when the workbook opens: there is no Workbook_Open or
' Auto_Open, and every macro starts only from a button click.
Option Explicit

Public Sub ValidateEntries()
    RunPython "import savings_tracker.excel.buttons as st; st.validate()"
End Sub

Public Sub RefreshSummary()
    RunPython "import savings_tracker.excel.buttons as st; st.refresh()"
End Sub

Public Sub TakeSnapshot()
    RunPython "import savings_tracker.excel.buttons as st; st.snapshot()"
End Sub

Public Sub GenerateAppendix()
    RunPython "import savings_tracker.excel.buttons as st; st.appendix()"
End Sub

Public Sub CollectReturns()
    RunPython "import savings_tracker.excel.buttons as st; st.collect_returns()"
End Sub
