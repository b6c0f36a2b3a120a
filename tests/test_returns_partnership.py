"""Returns across a partnership (seed 004, NI 179): seven returns in four shapes and a thirteen-name partner
list reproduce the review: who returned, who did not, the RAG table per year, and target against planned."""
import hashlib
import json
import os
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from savings_tracker.cli import main

YEARS = ["2009/10", "2010/11", "2011/12"]
PCT = [Decimal("3"), Decimal("3"), Decimal("3.4")]
# the partner list in a natural order, received and missing interleaved
PARTNERS = ["City Council", "Police", "Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth",
            "North West Leicestershire", "Oadby and Wigston", "Melton", "Fire Authority", "County Council",
            "County PCT", "City PCT"]
BASELINES = {"City Council": Decimal("310000000"), "Police": Decimal("165000000"),
             "Hinckley and Bosworth": Decimal("12500000"), "North West Leicestershire": Decimal("14250000"),
             "Oadby and Wigston": Decimal("6100000"), "Melton": Decimal("7300000"),
             "County Council": Decimal("355000000"), "Blaby": Decimal("9000000")}
# planned cashable efficiencies (£) and forecast RAG per year; blank RAG where an organisation gave none
FORECASTS = {
    "City Council": ([9300000, 9000000, 10100000], ["Amber", "Amber", "Amber"]),
    "Police": ([4950000, 4800000, 5200000], ["Amber", "Amber", "Amber"]),
    "Hinckley and Bosworth": ([375000, 250000, 300000], ["Amber", "Red", None]),
    "North West Leicestershire": ([200000, 210000, 220000], ["Red", "Red", "Red"]),
    "Oadby and Wigston": ([183000, 183000, 207400], ["Amber", "Amber", "Amber"]),
    "Melton": ([219000, 200000, 150000], ["Amber", "Amber", None]),
    "County Council": ([10650000, 10000000, 12070000], ["Amber", "Amber", "Amber"]),
}
RECEIVED = ["City Council", "Police", "Hinckley and Bosworth", "North West Leicestershire", "Oadby and Wigston",
            "Melton", "County Council"]
MISSING = ["Blaby", "Charnwood", "Harborough", "Fire Authority", "County PCT", "City PCT"]


def _cli(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


def _fill_made(path: Path, org: str, dest: Path):
    """What an organisation's finance officer does with the return workbook it was sent."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Return"]
    head = [c.value for c in ws[9]]
    planned, rags = FORECASTS[org]
    for n in range(3):
        ws.cell(10 + n, head.index("Planned efficiencies £") + 1).value = planned[n]
        ws.cell(10 + n, head.index("Forecast RAG") + 1).value = rags[n]
    ws["B7"] = f"Finance officer, {org}"
    wb.save(dest)


def _own_by_columns_xlsx(dest: Path):
    """Hinckley & Bosworth's own sheet: years across, amounts in £000, the name in a labelled cell, target % as
    cells formatted as percentages."""
    org = "Hinckley and Bosworth"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "NI179"
    ws["A1"] = "NI 179 efficiency forecast"
    ws["A2"] = "Organisation: Hinckley & Bosworth Borough Council"
    ws.append([])
    ws.append(["", *YEARS])
    ws.append(["Baseline £000", *(float(BASELINES[org] / 1000),) * 3])
    ws.append(["Target %", 0.03, 0.03, 0.034])
    for c in ws[6][1:]:
        c.number_format = "0.0%"
    planned, rags = FORECASTS[org]
    ws.append(["Planned efficiencies £000", *(p / 1000 for p in planned)])
    ws.append(["Forecast RAG", *(r or "" for r in rags)])
    wb.save(dest)


def _own_by_rows_ods(tmp: Path, dest_dir: Path):
    """North West Leicestershire works in LibreOffice: an .ods, years down, RAG as letters."""
    from savings_tracker.libreoffice import convert

    org = "North West Leicestershire"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "Organisation", "North West Leicestershire District Council"
    ws.append([])
    ws.append(["Financial year", "Baseline (£)", "Efficiency target %", "Planned cashable efficiencies (£)",
               "Forecast RAG"])
    planned, rags = FORECASTS[org]
    for y, pct, p, r in zip(YEARS, PCT, planned, rags):
        ws.append([y.replace("/", "-"), float(BASELINES[org]), float(pct), p, r[0]])
    src = tmp / "NWLDC efficiency return.xlsx"
    wb.save(src)
    return convert(src, "ods", dest_dir)


def _csv_named_by_file(dest_dir: Path):
    """Oadby & Wigston's CSV: no organisation cell, so the file name says who it is; amounts typed with £ and
    commas, target % as '3%'."""
    org = "Oadby and Wigston"
    planned, rags = FORECASTS[org]
    lines = ["Year,Baseline £,Target %,Planned efficiencies £,Forecast RAG"]
    for y, pct, p, r in zip(YEARS, PCT, planned, rags):
        lines.append(f'{y},"£{BASELINES[org]:,}",{pct}%,"£{p:,}",{r.lower()}')
    path = dest_dir / "Oadby_&_Wigston NI179 return.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _org_column_xlsx(dest: Path):
    """Melton's sheet: an Organisation column, typed in lower case."""
    org = "Melton"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Organisation", "Year", "Baseline £", "Target", "Planned savings £", "RAG"])
    planned, rags = FORECASTS[org]
    for y, pct, p, r in zip(YEARS, PCT, planned, rags):
        ws.append(["melton  borough council", y, float(BASELINES[org]), float(pct), p, r])
    wb.save(dest)


@pytest.fixture(scope="module")
def partnership(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("partnership")
    partners = tmp / "partners.txt"
    partners.write_text("# NI 179 partners (LALAT)\n" + "\n".join(PARTNERS) + "\n", encoding="utf-8")
    plan = tmp / "baselines.csv"
    plan.write_text("Organisation,Baseline £\n" + "\n".join(
        f"{p},{BASELINES.get(p, '')}" for p in PARTNERS) + "\n", encoding="utf-8")
    made = tmp / "made"
    code = main(["returns", "make", str(plan), "--by", "organisation", "--out", str(made), "--years",
                 ",".join(YEARS), "--targets", "3,3,3.4", "--due", "2009-05-15"])
    assert code == 0
    returns = tmp / "returns"
    returns.mkdir()
    for org in ("City Council", "Police", "County Council"):
        _fill_made(made / f"Return - {org}.xlsx", org, returns / f"{org} NI179.xlsx")
    _own_by_columns_xlsx(returns / "HBBC efficiency.xlsx")
    _own_by_rows_ods(tmp, returns)
    _csv_named_by_file(returns)
    _org_column_xlsx(returns / "efficiency forecast 2009.xlsx")
    return {"tmp": tmp, "partners": partners, "made": made, "returns": returns, "plan": plan}


def test_make_writes_one_return_per_partner_with_baseline_and_targets(partnership):
    made = sorted(p.name for p in partnership["made"].iterdir())
    assert made == sorted(f"Return - {p}.xlsx" for p in PARTNERS)
    wb = openpyxl.load_workbook(partnership["made"] / "Return - Melton.xlsx")
    ws = wb["Return"]
    assert ws["A6"].value == "Organisation" and ws["B6"].value == "Melton"
    assert "15 May 2009" in ws["A3"].value
    assert [ws.cell(r, 1).value for r in range(10, 13)] == YEARS
    assert [ws.cell(r, 2).value for r in range(10, 13)] == [7300000] * 3
    assert [ws.cell(r, 3).value for r in range(10, 13)] == [3, 3, 3.4]
    assert ws.protection.sheet is True
    unlocked = {c.coordinate for row in ws.iter_rows(min_row=7, max_row=12) for c in row if not c.protection.locked}
    assert {"E10", "E11", "E12", "F10", "F11", "F12", "B7"} <= unlocked
    assert not unlocked & {"A10", "B10", "C10", "D10", "B6"}
    rag = [dv for dv in ws.data_validations.dataValidation if "F10" in str(dv.sqref)]
    assert rag and rag[0].formula1 == '"Red,Amber,Green"'
    # a partner without a known baseline enters it
    ws = openpyxl.load_workbook(partnership["made"] / "Return - Charnwood.xlsx")["Return"]
    assert ws["B10"].protection.locked is False and ws["B11"].value == "=B10"


def test_collect_reproduces_seed_004_review(partnership, capsys):
    returns = partnership["returns"]
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in returns.iterdir()}
    mtimes = {p.name: p.stat().st_mtime_ns for p in returns.iterdir()}
    code, out, _ = _cli(capsys, "returns", "collect", returns, "--partners", partnership["partners"],
                        "--format", "json")
    data = json.loads(out)
    assert code == 0, data["findings"]
    assert set(data) == {"received", "missing", "rag_by_year", "organisations", "totals", "findings"}
    assert data["received"] == RECEIVED
    assert data["missing"] == MISSING
    assert data["rag_by_year"] == {"2009/10": {"Green": 0, "Amber": 6, "Red": 1},
                                   "2010/11": {"Green": 0, "Amber": 5, "Red": 2},
                                   "2011/12": {"Green": 0, "Amber": 4, "Red": 1}}
    assert data["findings"] == []
    # target £ = baseline x target %, per organisation and in total; planned against it
    assert [o["name"] for o in data["organisations"]] == RECEIVED
    totals = {y: [Decimal(0), Decimal(0), Decimal(0)] for y in YEARS}
    for o in data["organisations"]:
        base = BASELINES[o["name"]]
        assert Decimal(str(o["baseline"])) == base
        planned, rags = FORECASTS[o["name"]]
        for n, y in enumerate(YEARS):
            got = o["years"][y]
            assert Decimal(str(got["target_pct"])) == PCT[n]
            assert Decimal(str(got["target"])) == base * PCT[n] / 100
            assert got["planned"] == planned[n] and got["rag"] == rags[n]
            totals[y][0] += base
            totals[y][1] += base * PCT[n] / 100
            totals[y][2] += planned[n]
    for y, (base, target, planned) in totals.items():
        t = data["totals"][y]
        assert (Decimal(str(t["baseline"])), Decimal(str(t["target"])), Decimal(str(t["planned"]))) == \
            (base, target, planned)
        assert Decimal(str(t["planned_pct"])) == (planned / base * 100).quantize(Decimal("0.01"))
    # the three years add to the 9.4% target
    assert sum(PCT) == Decimal("9.4")
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in returns.iterdir()} == before
    assert {p.name: p.stat().st_mtime_ns for p in returns.iterdir()} == mtimes


def test_collect_text_reads_like_the_review(partnership, capsys):
    code, out, _ = _cli(capsys, "returns", "collect", partnership["returns"], "--partners", partnership["partners"])
    assert code == 0
    assert ("Returns have been received from; City Council, Police, Hinckley and Bosworth, North West "
            "Leicestershire, Oadby and Wigston, Melton, County Council.") in out
    assert ("Returns were not received from; Blaby, Charnwood, Harborough, Fire Authority, County PCT, "
            "City PCT.") in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line[:7] in ("2009/10", "2010/11",
                                                                                          "2011/12")}
    assert rows["2009/10"][:2] == ["6", "1"] and rows["2010/11"][:2] == ["5", "2"]
    assert rows["2011/12"] == ["4", "1", "2"]           # Amber 4, Red 1, two organisations gave no RAG
    assert "Over 2009/10 to 2011/12: target" in out and "(9.4% of baseline)" in out


def test_names_match_without_case_ampersand_or_spacing():
    from savings_tracker.returns.names import match, name_key

    assert name_key("Hinckley & Bosworth") == name_key(" hinckley  AND bosworth")
    assert match("OADBY & WIGSTON", PARTNERS) == "Oadby and Wigston"
    assert match("Melton Borough Council", PARTNERS) == "Melton"
    assert match("City Council", PARTNERS) == "City Council"
    assert match("county council", PARTNERS) == "County Council"
    assert match("Rutland", PARTNERS) is None


def test_a_later_return_replaces_the_earlier_and_an_unknown_organisation_is_named(partnership, capsys, tmp_path):
    import shutil

    folder = tmp_path / "returns"
    shutil.copytree(partnership["returns"], folder)
    # Police send a corrected copy later: Red in 2011/12
    wb = openpyxl.load_workbook(folder / "Police NI179.xlsx")
    wb["Return"]["F12"] = "Red"
    wb.save(folder / "Police NI179 v2.xlsx")
    later = time.time() + 60
    os.utime(folder / "Police NI179 v2.xlsx", (later, later))
    # a return from an organisation that is not a partner
    wb = openpyxl.Workbook()
    wb.active.append(["Organisation", "Rutland County Council"])
    wb.active.append(["Year", "Baseline £", "Target %", "Planned efficiencies £", "Forecast RAG"])
    wb.active.append(["2009/10", 5000000, 3, 150000, "Green"])
    wb.save(folder / "rutland.xlsx")
    code, out, _ = _cli(capsys, "returns", "collect", folder, "--partners", partnership["partners"], "--format",
                        "json")
    data = json.loads(out)
    assert code == 1
    assert data["received"] == RECEIVED and data["missing"] == MISSING
    assert data["rag_by_year"]["2011/12"] == {"Green": 0, "Amber": 3, "Red": 2}
    assert data["rag_by_year"]["2009/10"] == {"Green": 0, "Amber": 6, "Red": 1}     # Rutland's Green not counted
    codes = {f["code"]: f for f in data["findings"]}
    assert codes["return-replaced"]["file"] == "Police NI179 v2.xlsx"
    assert codes["return-replaced"]["value"] == "Police NI179.xlsx"
    unknown = codes["organisation-unknown"]
    assert (unknown["file"], unknown["sheet"], unknown["cell"], unknown["value"]) == \
        ("rutland.xlsx", "Sheet", "B1", "Rutland County Council")


def _cells(html: str, table_class: str) -> list[list[str]]:
    from html.parser import HTMLParser

    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self.inside, self.cell = [], False, None

        def handle_starttag(self, tag, attrs):
            if tag == "table" and (dict(attrs).get("class") or "") == table_class:
                self.inside = True
            elif self.inside and tag == "tr":
                self.rows.append([])
            elif self.inside and tag in ("td", "th"):
                self.cell = ""

        def handle_endtag(self, tag):
            if tag == "table":
                self.inside = False
            elif self.inside and tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append(self.cell.strip())
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

    p = P()
    p.feed(html)
    return p.rows


def test_appendix_partnership_efficiency_returns_html_and_pdf(partnership, capsys, tmp_path):
    import subprocess

    html = tmp_path / "partnership.html"
    code, out, _ = _cli(capsys, "returns", "collect", partnership["returns"], "--partners", partnership["partners"],
                        "--appendix", html, "--organisation", "LALAT")
    assert code == 0 and f"Wrote {html}" in out
    text = html.read_text(encoding="utf-8")
    assert "<title>Partnership efficiency returns - LALAT</title>" in text and 'lang="en-GB"' in text
    assert "received from 7 of 13 organisations: " + ", ".join(RECEIVED) in text
    assert "not received from: " + ", ".join(MISSING) in text
    assert _cells(text, "partnership-rag") == [
        ["Year", "Green", "Amber", "Red", "No forecast"], ["2009/10", "", "6", "1", ""], ["2010/11", "", "5", "2", ""],
        ["2011/12", "", "4", "1", "2"]]
    orgs = _cells(text, "partnership-orgs")
    assert orgs[1] == ["City Council", "2009/10", "£310,000,000", "3.0%", "£9,300,000", "£9,300,000", "100.0%", "Amber"]
    hb = next(r for r in orgs if r[0] == "Hinckley and Bosworth")
    assert hb[-1] == "Amber" and ["2011/12", "£12,500,000", "3.4%", "£425,000", "£300,000", "70.6%", "Not given"] in orgs
    total = next(r for r in orgs if r[0] == "Total")
    assert total[:6] == ["Total", "2009/10", "£870,150,000", "3.0%", "£26,104,500", "£25,877,000"]
    assert "target of £81,794,100 (9.4% of their baselines)" in text
    pdf = tmp_path / "partnership.pdf"
    assert _cli(capsys, "returns", "collect", partnership["returns"], "--partners", partnership["partners"],
                "--appendix", pdf)[0] == 0
    words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Returns were not received from: Blaby, Charnwood, Harborough, Fire Authority, County PCT, City PCT." in words
    assert "£81,794,100" in words
    docx = tmp_path / "partnership.docx"
    assert _cli(capsys, "returns", "collect", partnership["returns"], "--partners", partnership["partners"],
                "--appendix", docx)[0] == 0
    from docx import Document
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in Document(str(docx)).tables]
    assert tables[0] == [["Year", "Green", "Amber", "Red", "No forecast"], ["2009/10", "", "6", "1", ""],
                         ["2010/11", "", "5", "2", ""], ["2011/12", "", "4", "1", "2"]]
    assert tables[1][1] == ["City Council", "2009/10", "£310,000,000", "3.0%", "£9,300,000", "£9,300,000", "100.0%",
                            "Amber"]
    assert tables[1][-3][:5] == ["Total", "2009/10", "£870,150,000", "3.0%", "£26,104,500"]
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "Returns were not received from: " + ", ".join(MISSING) + "." in text


def test_an_old_excel_xls_return_is_read_like_any_other(partnership, tmp_path):
    """Some partners still save as Excel 97-2003 (.xls): LibreOffice makes one from Melton's sheet."""
    from savings_tracker.libreoffice import convert
    from savings_tracker.returns import read

    xls = convert(partnership["returns"] / "efficiency forecast 2009.xlsx", "xls", tmp_path)
    findings = []
    orgs = read.partnership_returns(read.load(xls), findings)
    assert findings == [] and len(orgs) == 1
    o = orgs[0]
    assert o.name == "melton borough council" and o.baseline == BASELINES["Melton"]
    assert [(y, o.years[y].planned, o.years[y].rag) for y in YEARS] == \
        [(y, Decimal(p), r) for y, p, r in zip(YEARS, *FORECASTS["Melton"])]


def test_a_locked_baseline_edited_in_a_return_is_a_finding_and_the_baseline_sent_is_used(partnership, capsys,
                                                                                        tmp_path):
    import shutil

    folder = tmp_path / "returns"
    shutil.copytree(partnership["returns"], folder)
    wb = openpyxl.load_workbook(folder / "Police NI179.xlsx")
    wb["Return"].protection.sheet = False        # what a partner does to get past the protection
    wb["Return"]["B10"] = 1000
    wb["Return"]["C12"] = 1
    wb.save(folder / "Police NI179.xlsx")
    code, out, _ = _cli(capsys, "returns", "collect", folder, "--partners", partnership["partners"], "--format",
                        "json")
    data = json.loads(out)
    assert code == 1
    edited = [(f["file"], f["sheet"], f["cell"], f["value"]) for f in data["findings"]
              if f["code"] == "locked-cell-edited"]
    assert edited == [("Police NI179.xlsx", "Return", "B10", "1000"), ("Police NI179.xlsx", "Return", "C12", "1")]
    police = next(o for o in data["organisations"] if o["name"] == "Police")
    assert police["baseline"] == 165000000 and police["years"]["2011/12"]["target_pct"] == 3.4
    assert data["totals"]["2009/10"]["target"] == 26104500


def test_the_partner_list_on_the_settings_sheet_and_the_returns_sheet(partnership, capsys, tmp_path):
    from savings_tracker.xlsx.apply import patch_workbook

    built = tmp_path / "built.xlsm"
    assert main(["build-workbook", "--out", str(built)]) == 0
    settings = openpyxl.load_workbook(built)["Settings"]
    row = next(c.row for c in settings["A"] if c.value == "partners")
    book = tmp_path / "Savings_Tracker.xlsm"
    patch_workbook(built, book, {"Settings": {f"B{row}": ", ".join(PARTNERS)}})
    capsys.readouterr()
    code, out, _ = _cli(capsys, "returns", "collect", partnership["returns"], "--into", book, "--format", "json")
    data = json.loads(out)
    assert code == 0, data["findings"]
    assert data["received"] == RECEIVED and data["missing"] == MISSING
    sheet = [[c.value for c in r] for r in openpyxl.load_workbook(book)["Returns"].iter_rows()]
    table = sheet[1:sheet.index([None] * len(sheet[0]))]
    assert [(r[1], r[4]) for r in table] == [(p, "received" if p in RECEIVED else "not returned") for p in PARTNERS]
    assert {r[1]: r[3] for r in table}["Oadby and Wigston"] == "Oadby_&_Wigston NI179 return.csv"
