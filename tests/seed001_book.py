"""Seed 001's programme summary and section tables as a council keeps them in Excel (built with openpyxl):
all ten tables stacked on one sheet under their titles, the project named on the first row of its group,
"Sub totals" and "Totals" rows, the footnote mark on Building Control ("0*", text) and its note under the
table, section F's "Forecast Reduction in Subsidy" header; the programme summary (£'m) on a sheet of its own.
Figures are typed as numbers, as Excel holds them; the rows are copied from the seed's text."""
from __future__ import annotations

from pathlib import Path

HEAD = ["Project", "Workstream(s)", "Budget Planning Assumption £000", "Forecast Saving", "Total £000"]
HEAD_F = ["Project", "Workstream(s)", "Budget Planning Assumption £000", "Forecast Reduction in Subsidy",
          "Total £000"]
SUBTITLE = "Budget Planning Assumptions & Savings Summary"

SUMMARY = [
    ["Framework for Change - Public Sector Reform Projects – Summary"],
    ["Budget planning assumption/specific option"],
    [None, None, "£'m", "Section"],
    [1, "Early Intervention and Prevention – Most Vulnerable", 1.089, "A"],
    [2, "Early Intervention and Prevention- Locality Teams", 12.000, "B"],
    [3, "Early Intervention and Prevention- A New Deal with Citizens", 0.000, "C"],
    [4, "Special Educational Needs and Disability", 1.617, "D"],
    [5, "An Excellent Education for All", 0.637, "E"],
    [6, "Creating New and Improving Revenue Streams", 2.337, "F"],
    [7, "Environment and Pride in Place", 1.145, "G"],
    [8, "Asset and Property Maximisation", 3.300, "H"],
    [9, "ICT and Digital Inclusion", 3.739, "I"],
    [10, "Commissioning and Shared Services", 3.258, "J"],
    [None, "Total", 29.122, None],
]

TABLES = [
    ["Early Intervention & Prevention (EIP)", SUBTITLE, HEAD,
     ["Most Vulnerable", "Looked After Children Reform Programme", None, 539, 539],
     [None, "Acute wrap around services", 550, None, 550],
     [None, "Sub totals", 550, 539, 1089],
     ["Locality teams", "Multiagency working", 9000, None, 9000],
     [None, "Personalisation - asset based approach", None, 3000, 3000],
     [None, "Sub totals", 9000, 3000, 12000],
     ["A New Deal with Citizens", None, 0, 0, 0],
     [None, "Sub totals", 0, 0, 0],
     [None, "Totals", 9550, 3539, 13089]],
    ["Section D - Special Educational Needs and Disability", HEAD,
     ["SEND", "All age disability pathway, policy and criteria", 887, 0, 887],
     [None, "Sub totals", 887, 0, 887],
     ["Home to School Transport", "Home to School Transport", 730, 0, 730],
     [None, "Sub totals", 730, 0, 730],
     [None, "Totals", 1617, 0, 1617]],
    ["Section E- -An Excellent Education for All", SUBTITLE, HEAD,
     ["An Excellent Education for All", "Governance of Education Support Services", 637, 0, 637],
     [None, "Life Long Learning", 0, 0, 0],
     [None, "Sub totals", 637, None, 637]],
    ["Section F - Creating New and Improving Revenue Streams", HEAD_F,
     [None, "Commercial Culture", 0, 0, 0],
     [None, "Sefton Arc", 0, 796, 796],
     [None, "Commercial Fleet Management", 56, 0, 56],
     [None, "Crosby Lakeside Adventure Centre", 0, 186, 186],
     [None, "Atkinson", 0, 414, 414],
     [None, "Building Cleaning", 0, 250, 250],
     [None, "Catering", 0, 300, 300],
     [None, "Tourism", 0, 335, 335],
     [None, "Building Control", 0, 0, "0*"],
     [None, "Totals", 56, 2281, 2337],
     ["- Building Control £183k one off contribution first 12 months following the adoption of the Local Plan"]],
    ["Section G - Environment & Pride In Place", SUBTITLE, HEAD,
     ["Pride in place", "Commissioning and efficiencies", 250, None, 250],
     [None, "Land management", None, 895, 895],
     [None, "Sub totals", 250, 895, 1145],
     [None, "Totals", 250, 895, 1145]],
    ["Section H - Asset and Property Maximisation", SUBTITLE, HEAD,
     ["Asset & Property Maximisation", "All", 3300, None, 3300],
     [None, "Totals", 3300, None, 3300]],
    ["Section I – ICT & Digital Inclusion", SUBTITLE, HEAD,
     ["ICT, Customer Interface & Digital Inclusion", "A Council ICT reduced expenditure", 3439, 0, 3439],
     [None, "B Customer Interface (includes One Front Door approach)", 300, 0, 300],
     [None, "C Digital Inclusion", 0, 0, 0],
     [None, "Totals", 3739, 0, 3739]],
    ["Section J - Commissioning & Shared Services", SUBTITLE, HEAD,
     [None, "Integration of resources", 260, 0, 260],
     [None, "Contract Review", 716, 0, 716],
     [None, "LCR Procurement", 1500, 0, 1500],
     [None, "Shared Services", 250, 0, 250],
     [None, "Contract Compliance", 532, 0, 532],
     [None, "Totals", 3258, 0, 3258]],
]


def rows_of(table: list) -> list[list]:
    return [[r] if isinstance(r, str) else list(r) for r in table]


def write(path: Path, *, summary_sheet: bool = True, tables=None, summary=None) -> Path:
    """The workbook: sheet 'Framework for Change' with the stacked tables (one blank row between), and the
    programme summary on sheet 'Programme summary' (or above the tables when ``summary_sheet`` is False)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Framework for Change"
    rows: list[list] = []
    summary = SUMMARY if summary is None else summary
    if not summary_sheet:
        rows += [list(r) for r in summary] + [[]]
    for t in (TABLES if tables is None else tables):
        rows += rows_of(t) + [[]]
    for r in rows:
        ws.append(r)
    if summary_sheet:
        s = wb.create_sheet("Programme summary")
        for r in summary:
            s.append(list(r))
    wb.save(path)
    return path
