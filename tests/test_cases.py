"""Business-case registers (seed 001): the section tables as a council keeps them, read and checked."""
from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

import seed001_book
from savings_tracker.core import calc, schema
from savings_tracker.cli import main
from savings_tracker.readers import read_register
from savings_tracker.readers.cases import _redundancy_range
from savings_tracker.core.table import Table
from savings_tracker.core.validate import validate


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return seed001_book.write(tmp_path_factory.mktemp("s001") / "framework_for_change.xlsx")


@pytest.fixture(scope="module")
def reg(book):
    return read_register(book)


def by_workstream(reg) -> Table:
    """The lines labelled by their workstream (one line per workstream in these registers)."""
    return Table({k: reg.lines[k] for k in reg.lines.columns}, index=reg.lines["workstream"])


def _figures(d):
    return tuple(d[k] for k in ("budget_planning_assumption", "forecast_saving", "total"))


def test_stacked_tables_read_as_29_workstreams_with_the_published_totals(reg):
    assert reg.layout == "cases" and reg.settings.unit == "£000"
    assert len(reg) == 29
    s = calc.summarise(reg)
    assert _figures(s.totals) == (Decimal(22407), Decimal(6715), Decimal(29122))
    # published rows are checks, never lines
    assert not any(str(w).lower().startswith(("sub total", "total")) for w in reg.lines["workstream"])


def test_sections_and_projects(reg):
    s = calc.summarise(reg)
    by = {g.name: g for g in s.groups}
    assert list(by) == list("ABCDEFGHIJ")
    assert _figures(by["A"].totals) == (550, 539, 1089)      # the summary's 1.089 £m
    assert _figures(by["F"].totals) == (56, 2281, 2337)
    assert by["F"].lines == 9 and by["J"].lines == 5
    # the EIP table's own Totals row covers sections A-C: 9,550 / 3,539 / 13,089
    eip = next(p for p in reg.published if p.kind == "total" and "EIP" in p.label)
    assert _figures(eip.values) == (9550, 3539, 13089)
    assert _figures({k: sum(v or 0 for v in reg.lines.take(list(eip.lines))[k])
                     for k in ("budget_planning_assumption", "forecast_saving")} | {"total": 13089}) == \
        (9550, 3539, 13089)
    lines = by_workstream(reg)
    # the project is named on the first row of its group only; sections F and J name none: the section does
    assert lines.at["Acute wrap around services", "project"] == "Most Vulnerable"
    assert lines.at["Personalisation - asset based approach", "project"] == "Locality teams"
    assert lines.at["Catering", "project"] == "Creating New and Improving Revenue Streams"
    assert lines.at["Catering", "section"] == "F"
    # sections without a "Section X" title take their letter from the programme summary
    assert lines.at["Multiagency working", "section"] == "B"


def test_every_published_sub_total_and_total_agrees(reg):
    kinds = [p.kind for p in reg.published]
    # 7 Sub totals and 7 Totals rows in the tables (E has no Totals row), 10 sections and the total of the
    # programme summary
    assert kinds.count("subtotal") == 7 + 10 and kinds.count("total") == 7 + 1
    assert [f for f in validate(reg) if f.severity == "error"] == []
    assert validate(reg) == []


def test_footnote_mark_kept_as_a_note(reg):
    lines = by_workstream(reg)
    bc = lines.row("Building Control")
    assert bc["total"] == 0
    assert "'0*'" in bc["notes"] and "£183k one off contribution" in bc["notes"]
    assert all(not n for w, n in lines["notes"].items() if w != "Building Control")


def test_section_f_forecast_reduction_in_subsidy_header(reg):
    assert by_workstream(reg).at["Sefton Arc", "forecast_saving"] == 796


def test_summary_json(book, capsys):
    assert main(["summary", str(book), "--format", "json"]) in (0, None)
    out = json.loads(capsys.readouterr().out)
    assert out["totals"] == {"budget_planning_assumption": 22407, "forecast_saving": 6715, "total": 29122}
    assert out["by"] == "section"
    sections = {s["section"]: s for s in out["sections"]}
    assert list(sections) == list("ABCDEFGHIJ")
    a = sections["A"]
    assert a["name"] == "Early Intervention and Prevention – Most Vulnerable"
    assert a["totals"] == {"budget_planning_assumption": 550, "forecast_saving": 539, "total": 1089}
    assert [p["name"] for p in sections["D"]["projects"]] == ["SEND", "Home to School Transport"]
    assert sections["D"]["projects"][1]["totals"]["total"] == 730
    assert sum(s["lines"] for s in out["sections"]) == 29


def test_summary_by_project(book, capsys):
    assert main(["summary", str(book), "--by", "project", "--format", "json"]) in (0, None)
    groups = {g["name"]: g for g in json.loads(capsys.readouterr().out)["groups"]}
    assert groups["Locality teams"]["totals"]["total"] == 12000


def test_summary_on_the_same_sheet_above_the_tables(tmp_path):
    reg = read_register(seed001_book.write(tmp_path / "one_sheet.xlsx", summary_sheet=False))
    assert len(reg) == 29 and validate(reg) == []
    assert calc.summarise(reg).totals["total"] == 29122


def _slipped(tmp_path, table: int, row: int, col: int, value):
    tables = copy.deepcopy(seed001_book.TABLES)
    tables[table][row][col] = value
    return read_register(seed001_book.write(tmp_path / "slip.xlsx", tables=tables))


def test_a_slip_in_a_line_is_found_by_the_sub_total_the_total_and_the_summary(tmp_path):
    reg = _slipped(tmp_path, 0, 4, 2, 560)    # Acute wrap around services 550 -> 560 (its Total still 550)
    codes = sorted(f.code for f in validate(reg))
    assert codes.count("total-parts-mismatch") == 1
    msgs = [f.message for f in validate(reg) if f.code == "subtotal-mismatch"]
    assert any("Most Vulnerable" in m and "'550'" in m and "560" in m for m in msgs)
    assert "total-mismatch" in codes


def test_a_summary_figure_that_disagrees_names_its_cell(tmp_path):
    summary = [list(r) for r in seed001_book.SUMMARY]
    summary[8][2] = 2.373                       # section F published as 2.373 instead of 2.337
    reg = read_register(seed001_book.write(tmp_path / "s.xlsx", summary=summary))
    f = [f for f in validate(reg) if f.severity == "error"]
    assert len(f) == 1 and f[0].sheet == "Programme summary" and f[0].cell == "C9"
    assert "2.373 £m" in f[0].message and "2,337" in f[0].message


def test_flat_table_with_business_case_fields(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        "Section,Project,Workstream(s),Budget Planning Assumption £000,Forecast Saving £000,Total £000,"
        "Consultation type,Equality impact assessment required,Estimated number of redundancies,Staff in scope\n"
        "A,Most Vulnerable,Acute wrap around services,550,,550,Inform; consult internal,not required,4-5,\n"
        "A,Most Vulnerable,In-house children's homes,,0,0,Co-production,Yes,4 to 14,14\n"
        "A,,Commissioning,10,,10,Consult,Maybe,N/A,All posts\n", encoding="utf-8")
    reg = read_register(path)
    assert reg.layout == "cases"
    lines = reg.lines
    assert lines.at[0, "consultation"] == "Inform; Consult internal" and lines.at[0, "eia_required"] == "No"
    assert (lines.at[0, "redundancies_low"], lines.at[0, "redundancies_high"]) == (4, 5)
    assert lines.at[1, "redundancies"] == "4 to 14" and (lines.at[1, "redundancies_low"],
                                                           lines.at[1, "redundancies_high"]) == (4, 14)
    assert lines.at[2, "project"] == "Most Vulnerable"
    bad = {f.code: f for f in validate(reg) if f.severity == "error"}
    assert set(bad) == {"consultation-invalid", "eia-required-invalid"}
    assert bad["consultation-invalid"].cell == "G4" and "'Consult'" in bad["consultation-invalid"].message
    assert "Consult internal" in bad["consultation-invalid"].message
    assert lines.at[2, "consultation"] == "Consult"          # kept as typed, never silently changed
    s = calc.summarise(reg)
    assert s.totals["redundancies_low"] == 4 + 4 and s.totals["redundancies_high"] == 5 + 14


@pytest.mark.parametrize("text, expected", [
    ("4-5", (4, 5)), ("4 to 14", (4, 14)), ("200 - 300", (200, 300)), ("- 6-10 posts.", (6, 10)),
    ("25", (25, 25)), ("0", (0, 0)), ("NONE", (0, 0)), ("Nil", (0, 0)), ("8 (actual)", (8, 8)),
    ("10. However, it is expected that there will be a number of VR/VER applications", (10, 10)),
    ("Up to 25", (0, 25)), ("N/A", (None, None)), ("TBC", (None, None)),
    ("Not known at this stage as it will depend on schools buyback of services", (None, None)),
])
def test_redundancy_ranges(text, expected):
    assert _redundancy_range(text) == tuple(Decimal(v) if v is not None else None for v in expected)


def test_cases_headers_do_not_change_the_other_layouts():
    assert schema.match_header("Total") is None
    assert schema.match_header("Total £000", "cases") == ("total", "")
    assert schema.match_header("Forecast Reduction in Subsidy", "cases") == ("forecast_saving", "")
    assert schema.match_header("Forecast Saving") == ("forecast_total", "")


def test_not_a_business_case_file(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("Name,Amount\nA,1\n", encoding="utf-8")
    assert main(["summary", str(p), "--layout", "cases"]) == 2


def test_bundled_sample_reads_clean():
    from savings_tracker import samples
    reg = read_register(samples.path("cases"))
    assert reg.layout == "cases" and len(reg) == 29 and validate(reg) == []
    s = calc.summarise(reg)
    assert _figures(s.totals) == (22407, 6715, 29122)
    lines = by_workstream(reg)
    assert "£183k one off contribution" in lines.at["Building Control", "notes"]
    assert lines.at["Acute wrap around services", "redundancies_high"] == 5
    assert lines.at["Catering", "programme_ref"] == "PSR6"
    assert reg.settings.organisation == "Sefton Council"


def test_bad_figure_names_its_cell_and_is_never_a_line_value(tmp_path, capsys):
    tables = copy.deepcopy(seed001_book.TABLES)
    tables[1][2][2] = "TBC"                      # SEND's budget planning assumption
    path = seed001_book.write(tmp_path / "bad.xlsx", tables=tables)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "ERROR   Framework for Change!C" in out and "money-invalid" in out and "'TBC' is not an amount" in out
    assert "accepted: a number such as" in out


def test_summary_without_tables_is_unusable_with_one_clear_line(tmp_path, capsys):
    from openpyxl import Workbook

    wb = Workbook()
    for r in seed001_book.SUMMARY:
        wb.active.append(list(r))
    wb.save(tmp_path / "summary_only.xlsx")
    assert main(["summary", str(tmp_path / "summary_only.xlsx")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("savings-tracker: summary_only.xlsx: no business-case table found") and "Traceback" not in err


def test_a_tracker_with_a_section_column_is_still_a_tracker(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("Reference,Title,Section,Committee,Original Saving £000,Forecast Saving £000,RAG\n"
                 "A1,Libraries,£m,People,-100,-100,Green\n", encoding="utf-8")
    reg = read_register(p)
    assert reg.layout == "tracker" and len(reg) == 1


def test_bundled_sample_consultation_types_where_the_paper_shows_the_ticks():
    """Seed 001's text carries the ticks of two business cases' consultation boxes (checked boxes after a type);
    the others print the form without its ticks (or with an x after nearly every label) and stay blank."""
    from savings_tracker import samples
    lines = by_workstream(read_register(samples.path("cases")))
    assert lines.at["Commercial Fleet Management", "consultation"] == "Inform"
    assert lines.at["Land management", "consultation"] == "Inform; Consult internal"
    filled = {w for w, v in lines["consultation"].items() if isinstance(v, str) and v}
    assert filled == {"Commercial Fleet Management", "Land management"}
