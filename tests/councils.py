"""Councils' own trackers, laid out as councils keep them in Excel (issue 11): the files the import tests and
the benchmark read. Each function writes one file and returns its path."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

SEED_000 = Path("/work/shared/seeds/000_136b9a46d0d0f7df.txt")

NEWCOMER_HEADERS = ["Ref", "Saving Description", "Directorate", "2025/26 Target £000", "Forecast £000", "Variance",
                    "RAG Status", "Comments"]
NEWCOMER_LINES = [
    ("S01", "Review of leisure contract", "Communities", -120, -120, 0, "Green", "On track"),
    ("S02", "Garden waste charge", "Environment", -450, -300, 150, "Amber", "Take-up lower than planned"),
    ("S03", "Office accommodation", "Resources", -200, -200, 0, "Green", None),
    ("S04", "Digital customer access", "Resources", -85, -40, 45, "Red", "Delayed go-live"),
    ("S05", "Fees and charges uplift", "Environment", -60, -60, 0, "Green", "Implemented April"),
    ("S06", "Staffing restructure", "Communities", -300, -250, 50, "Amber", "Consultation extended"),
    ("S07", "Procurement savings", "Resources", -150, -150, 0, "Green", None),
    ("S08", "Grants review", "Communities", -40, 0, 40, "Red", "Decision deferred"),
]


def _save(wb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def newcomer(path: Path, *, target: bool = True) -> Path:
    """The newcomer's 8-line tracker: a title row, one header row, a totals row (issue 11)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Savings 25-26"
    ws.append(["Anytown District Council - Savings Tracker 2025/26 as at Month 6 (September 2025)"])
    ws.append([])
    keep = [i for i, h in enumerate(NEWCOMER_HEADERS) if target or not h.startswith("2025/26 Target")]
    ws.append([NEWCOMER_HEADERS[i] for i in keep])
    for line in NEWCOMER_LINES:
        ws.append([line[i] for i in keep])
    total = ["", "Total", "", sum(x[3] for x in NEWCOMER_LINES), sum(x[4] for x in NEWCOMER_LINES),
             sum(x[5] for x in NEWCOMER_LINES), "", ""]
    ws.append([total[i] for i in keep])
    return _save(wb, path)


def seed_000(path: Path) -> Path:
    """Seed 000 as the council keeps it in Excel: a title row; a two-row header with 'Project Phasing' merged over
    the year columns and 'Saving Analysis 2017/2018' over Red/Amber/Green (Total Saving and Comments merged down
    both rows); a first column with no header holding the programme headings, the lines and blank-titled
    subtotal rows; the grand total and the RAG legend below."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "PSR Savings"
    bold = Font(bold=True)
    lines = [ln.split("\t") for ln in SEED_000.read_text(encoding="utf-8").splitlines()]
    body = [ln for ln in lines if any(c.strip() for c in ln)]
    title, group, sub, rows = body[0], body[1], body[2], body[3:]
    ws.append([re.sub(r"\*", "", title[0]).strip()])
    ws.merge_cells("A1:I1")
    ws.append([])
    ws.append([c or None for c in group] + [None] * (9 - len(group)))
    ws.append([c or None for c in sub] + [None] * (9 - len(sub)))
    for rng in ("B3:D3", "E3:E4", "F3:H3", "I3:I4"):
        ws.merge_cells(rng)
    for r in rows:
        out = []
        for c in r:
            v = re.sub(r"</?b>", "", c).replace("&amp;", "&").strip()
            if v == "":
                out.append(None)
                continue
            try:
                out.append(float(v))
            except ValueError:
                out.append(v)
        ws.append(out)
        if "<b>" in r[0]:
            ws.cell(ws.max_row, 1).font = bold
    return _save(wb, path)


def quarterly_two_row(path: Path, n: int = 6) -> Path:
    """A county's quarterly tracker: title and period rows, a two-row header ('Plan £000' merged over Q1..Q4,
    'Forecast £000' over Q1..Q4), grouped by Service Area, savings negative, totals typed beside the quarters."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tracker"
    ws.append(["Westshire County Council"])
    ws.append(["Savings Delivery Tracker FY2025/26 - position at Quarter 2"])
    ws.append(["Saving ref", "Proposal", "Service Area", "Plan £000", None, None, None, "Total Plan £000",
               "Forecast £000", None, None, None, "Forecast Total £000", "Variance £000", "RAG", "Lead Officer"])
    ws.append([None, None, None, "Q1", "Q2", "Q3", "Q4", None, "Q1", "Q2", "Q3", "Q4", None, None, None, None])
    for rng in ("A3:A4", "B3:B4", "C3:C4", "D3:G3", "H3:H4", "I3:L3", "M3:M4", "N3:N4", "O3:O4", "P3:P4"):
        ws.merge_cells(rng)
    areas = ["Adult Social Care", "Highways", "Libraries"]
    for k in range(n):
        plan = [-(10 + k), -(10 + k), -(12 + k), -(8 + k)]
        fc = [p + (k % 3) for p in plan]
        rag = ("Green", "Amber", "Red")[k % 3]
        ws.append([f"WS{k + 1:03d}", f"Proposal {k + 1}", areas[k % 3], *plan, sum(plan), *fc, sum(fc),
                   sum(fc) - sum(plan), rag, f"Officer {k % 4 + 1}"])
    return _save(wb, path)


def programme_annual(path: Path) -> Path:
    """A borough's multi-year programme in £k, savings positive, years spelled 25/26, grouped by Portfolio, with
    a RAG column and a totals row; one row header."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "MTFS Savings"
    ws.append(["Northbridge Borough Council: MTFS savings programme (£k)"])
    ws.append(["Reference", "Saving", "Portfolio", "25/26", "26/27", "27/28", "Total Saving", "RAG", "Comments"])
    data = [("NB1", "Shared services", "Resources", 250, 100, 0, "Green", "Agreed"),
            ("NB2", "Libraries redesign", "Communities", 75.5, 120, 60, "Amber", "Consultation"),
            ("NB3", "Parking charges", "Environment", 40, 40, 40, "Green", None),
            ("NB4", "Fleet review", "Environment", 0, 35, 0, "Red", "Delayed")]
    for ref, title, port, a, b, c, rag, com in data:
        ws.append([ref, title, port, a, b, c, a + b + c, rag, com])
    ws.append(["Total", None, None, sum(d[3] for d in data), sum(d[4] for d in data), sum(d[5] for d in data),
               sum(d[3] + d[4] + d[5] for d in data), None, None])
    return _save(wb, path)


def in_year_future_brag(path: Path) -> Path:
    """A city's tracker in £m: in-year target, forecast and variance, then the future MTFS years (not the plan),
    BRAG with Blue for delivered, recurring/one-off, owner, mitigation, and a column the product does not know."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Savings"
    ws.append(["Eastport City Council", None, None, "Period 7 (October 2025)"])
    ws.append(["ID", "Saving Title", "Programme", "Recurring/One-off", "Savings Owner", "FY2025/26 Target £m",
               "Forecast £m", "Variance £m", "2026/27 £m", "2027/28 £m", "BRAG", "Mitigation", "Delivery Confidence"])
    data = [("EP-01", "Energy contracts", "Place", "Recurring", "J Smith", -1.25, -1.25, 0, -0.5, 0, "Blue", None, "High"),
            ("EP-02", "Agency staff", "People", "one off", "A Khan", -0.8, -0.6, 0.2, 0, 0, "Amber",
             "Vacancy freeze", "Medium"),
            ("EP-03", "Digital post room", "Resources", "ongoing", "L Brown", -0.125, 0, 0.125, -0.25, -0.25, "Red",
             "Replacement saving from print", 0.4),
            ("EP-04", "Income review", "Place", "Recurring", "J Smith", -0.333, -0.333, 0, -0.1, -0.1, "G", None,
             "High")]
    for d in data:
        ws.append(list(d))
    return _save(wb, path)


def brag_lifecycle(path: Path) -> Path:
    """A borough's BRAG tracker in £000 with savings positive, grouped by directorate, that follows each saving
    through its life: the RAG at budget setting, achieved to date, still to deliver, slippage, write-offs (one
    replaced, one explained, one neither) and the replacement saving's reference; one line whose achieved and
    still-to-deliver figures do not add up to its forecast."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tracker"
    ws.append(["Westford Borough Council", None, None, "Savings tracker 2025/26, Month 6"])
    ws.append(["Ref", "Saving", "Directorate", "Original RAG", "2025/26 Target £000", "Forecast £000", "Variance £000",
               "BRAG", "Achieved to date £000", "Still to deliver £000", "Slippage £000", "Write-off £000",
               "Reason for write off", "Replacement saving £000", "Replacement ref"])
    data = [("H-01", "Home care review", "Adults", "Green", 500, 500, "Blue", 500, 0, None, None, None, None, None),
            ("H-02", "Day services", "Adults", "Green", 300, 200, "Amber", 120, 80, 100, None, None, None, None),
            ("C-01", "Libraries", "Communities", "Amber", 150, 0, "Red", 0, 0, None, 150, None, 150, "C-07"),
            ("C-02", "Parking charges", "Communities", "Amber", 80, 40, "Red", 10, 20, None, 40, None, None, None),
            ("C-03", "Events", "Communities", "Red", 35, 0, "Red", None, None, None, 35, "Festival cancelled", None,
             None),
            ("R-01", "Procurement", "Resources", "Red", 220, 230, "G", 100, 130, None, None, None, None, None)]
    for ref, title, dte, orig, plan, fc, rag, *life in data:
        ws.append([ref, title, dte, orig, plan, fc, fc - plan, rag, *life])
    return _save(wb, path)


def headerless_headings(path: Path) -> Path:
    """A district's tracker in £ (pounds), savings positive: the first column has no header and holds the
    directorate headings and each line's name; subtotal rows; a grand total; years as 2025-26."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["Southvale District Council"])
    ws.append(["Savings monitoring 2025-26, as at 30 September 2025"])
    ws.append([None, "Ref", "Target 2025-26 £", "Forecast 2025-26 £", "Variance £", "Status", "Notes"])
    groups = {"Corporate": [("C1", "Insurance retender", 12000.50, 12000.50, "Green", None),
                            ("C2", "Audit fees", 8000, 6500, "Amber", "Partly")],
              "Operations": [("O1", "Depot rationalisation", 45000, 0, "Red", "Sale fell through"),
                             ("O2", "Route optimisation", 22000, 24000, "Green", "Ahead")]}
    for name, lines in groups.items():
        ws.append([name])
        for ref, title, plan, fc, rag, note in lines:
            ws.append([title, ref, plan, fc, fc - plan, rag, note])
        ws.append([None, None, sum(x[2] for x in lines), sum(x[3] for x in lines),
                   sum(x[3] - x[2] for x in lines), None, None])
    every = [x for lines in groups.values() for x in lines]
    ws.append(["Grand total", None, sum(x[2] for x in every), sum(x[3] for x in every),
               sum(x[3] - x[2] for x in every), None, None])
    return _save(wb, path)


def big_two_row(path: Path, lines: int = 10_000) -> Path:
    """A large council tracker with a two-row header (the benchmark's): title rows, quarters under merged
    group cells, directorate grouping, commentary."""
    return quarterly_two_row(path, lines)


POUNDS_LINES = [("L1", "Parking income", "Place", "(450,000)", "(300,000)", "150,000", "A", "Slow take-up"),
                ("L2", "Staffing", "Corporate", "£(1,250.50)", "-£1,250.50", "£0", "G", ""),
                ("L3", "Libraries", "People", "-£12,000", "(£6,000)", "£6,000", "R", "TBC"),
                ("L4", "Grants", "People", "£ (2,500)", "nil", "£2,500", "R", "")]


def pounds_csv(path: Path) -> Path:
    """A borough's tracker saved as CSV from its finance system: amounts in pounds typed with £ signs,
    thousands separators and brackets for negatives ('(450,000)', '£(1,250.50)', '-£12,000'), 'nil',
    R/A/G letters, a title line with no separator after the council's name and a typed total line."""
    import csv
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Lowtown Borough Council savings tracker 2025/26"])
        w.writerow(["Ref", "Saving", "Directorate", "Target £", "Forecast £", "Variance £", "RAG", "Comments"])
        w.writerows(POUNDS_LINES)
        w.writerow(["", "Total", "", "(465,750.50)", "(307,250.50)", "158,500", "", ""])
    return path


def notes_under_header(path: Path) -> Path:
    """A tracker whose header row is followed by a row of notes for the people filling it in (units under the
    amount columns, 'R/A/G' under the RAG), as many councils' templates have; saved as .xlsx (the tests make
    an .ods of it through LibreOffice)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Savings"
    ws.append(["Ref", "Title", "Directorate", "Target £000", "Forecast £000", "RAG", "Comments"])
    ws.append([None, "One line per saving; savings are negative", None, "£000", "£000", "R/A/G", "Latest position"])
    ws.append(["N1", "Care", "People", -300, -250, "A", "Slow"])
    ws.append(["N2", "Roads", "Place", -120, -120, "G", None])
    ws.append(["N3", "Parks", "Place", -45.5, -40, "a", None])
    return _save(wb, path)


def hidden_frozen_merged(path: Path) -> Path:
    """A city's tracker with a title merged across the sheet, a frozen pane, and a hidden column of old codes
    between the title and the figures."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tracker 25-26"
    ws.append(["Upton City Council - Savings Tracker 2025/26 - Period 6"])
    ws.merge_cells("A1:H1")
    ws.append(["Ref", "Title", "Old code", "Directorate", "Target £000", "Forecast £000", "RAG", "Notes"])
    ws.column_dimensions["C"].hidden = True
    ws.freeze_panes = "C3"
    ws.append(["U1", "Care", "X99", "People", -300, -250, "Amber", "Slow"])
    ws.append(["U2", "Roads", "X98", "Place", -120, -120, "Green", None])
    ws.append(["U3", "Fleet", 7, "Place", -60, -15, "Red", "Delayed"])
    return _save(wb, path)


def line_breaks_and_words(path: Path) -> Path:
    """A shire's tracker whose headers break lines ('Target\\n£000'), grouped by Service, whose delivery status
    is written in words (On track / At risk / Off track / Delivered)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Savings"
    ws.append(["Midshire County Council"])
    ws.append(["Ref", "Saving\nTitle", "Service", "Target\n£000", "Forecast\n£000", "Delivery\nstatus", "Comments"])
    ws.append(["M1", "Care packages", "Adults", -200, -150, "At risk", "Demand"])
    ws.append(["M2", "Waste", "Place", -100, -100, "On track", None])
    ws.append(["M3", "Buses", "Place", -50, 0, "Off track", None])
    ws.append(["M4", "Rents", "Place", -20, -20, "Delivered", None])
    return _save(wb, path)


SHEETS = {"Adults": [("A1", "Care packages", -100, -80, "Amber")],
          "Place": [("P1", "Parking", -50, -50, "Green"), ("P2", "Waste", -30, 0, "Red")]}


def sheet_per_directorate(path: Path) -> Path:
    """A council that keeps one sheet per directorate, each with the same title row and header."""
    wb = openpyxl.Workbook()
    for k, (name, lines) in enumerate(SHEETS.items()):
        ws = wb.active if k == 0 else wb.create_sheet(name)
        ws.title = name
        ws.append([f"Kingsbury Council - {name} savings 2025/26"])
        ws.append(["Ref", "Saving", "Target £000", "Forecast £000", "RAG"])
        for line in lines:
            ws.append(list(line))
    return _save(wb, path)


RAG_FILLS = {"Red": "FFFF0000", "Amber": "FFFFC000", "Green": "FF00B050"}
COLOUR_LINES = [("C1", "Care", -100, -80, "Amber"), ("C2", "Roads", -50, -50, "Green"),
                ("C3", "Fleet", -30, 0, "Red"), ("C4", "Rents", -20, -20, None)]


def _coloured_rag_workbook(fill_for) -> openpyxl.Workbook:
    """The COLOUR_LINES tracker with no RAG words; ``fill_for(rag)``: the RAG cell's fill."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Savings"
    ws.append(["Redbridge Vale Council savings tracker 2025/26"])
    ws.append(["Ref", "Saving", "Target £000", "Forecast £000", "RAG", "Comments"])
    for ref, title, plan, fc, rag in COLOUR_LINES:
        ws.append([ref, title, plan, fc, None, None])
        if rag:
            ws.cell(ws.max_row, 5).fill = fill_for(rag)
    return wb


def rag_by_colour(path: Path) -> Path:
    """A tracker whose RAG cells are coloured red, amber or green and hold no word (one left uncoloured)."""
    from openpyxl.styles import PatternFill
    return _save(_coloured_rag_workbook(lambda rag: PatternFill("solid", fgColor=RAG_FILLS[rag])), path)


#: RAG fills given as theme colours, as Excel writes a colour picked from the theme row of its palette:
#: (theme index, tint). In openpyxl's theme (Office 2007): 5 = accent2 C0504D red, 9 = accent6 F79646 orange,
#: 6 = accent3 9BBB59 green.
THEME_FILLS = {"Red": (5, None), "Amber": (9, 0.3999755851924192), "Green": (6, -0.249977111117893)}


def rag_by_theme_colour(path: Path, accent2: str | None = None) -> Path:
    """``rag_by_colour`` with the fills as theme colours; ``accent2``: the theme's accent2 changed (a council's
    own theme), so the colour can only come from the workbook's theme part."""
    from openpyxl.styles import Color, PatternFill

    def fill(rag):
        theme, tint = THEME_FILLS[rag]
        return PatternFill("solid", fgColor=Color(theme=theme, tint=tint) if tint else Color(theme=theme))

    wb = _coloured_rag_workbook(fill)
    if accent2:
        from openpyxl.writer.theme import theme_xml
        wb.loaded_theme = theme_xml.replace('<a:accent2>\n        <a:srgbClr val="C0504D"/>',
                                            f'<a:accent2>\n        <a:srgbClr val="{accent2}"/>').encode()
        assert accent2.encode() in wb.loaded_theme
    return _save(wb, path)
