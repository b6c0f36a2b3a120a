"""The savings lifecycle columns of the tracker layouts: read, checked, summarised."""
from __future__ import annotations

import json

import pytest

from savings_tracker import samples
from savings_tracker.core import calc, lifecycle
from savings_tracker.cli import main
from savings_tracker.readers import read_register
from savings_tracker.core.validate import validate

HEAD = ("Reference,Title,Committee,Original Phasing - Q1,Original Saving,Current Forecast Phasing - Q1,"
        "Forecast Saving,Variance from Plan,RAG,Original RAG,Achieved to date,Still to deliver,"
        "Slippage to next year,Write-off,Write-off explanation,Replacement saving,Replacement reference")
ROWS = [
    "L1,Libraries,People,-100,-100,-100,-100,0,Green,g,-60,-40,,,,,",
    "L2,Day centres,People,-200,-200,-150,-150,50,Amber,Green,-50,-90,-50,,,,",
    "L3,Parking,Place,-80,-80,0,0,80,Red,Amber,,,,-80,,,",
    "L4,Fleet,Place,-40,-40,0,0,40,Red,Green,,,,-40,,-40,X9",
    "L5,Events,Place,-30,-30,0,0,30,Red,Red,,,,-30,Service ceased in May,,",
]


@pytest.fixture()
def path(tmp_path):
    p = tmp_path / "lifecycle.csv"
    p.write_text("\n".join([HEAD, *ROWS]) + "\n", encoding="utf-8")
    (tmp_path / "lifecycle.settings.json").write_text(
        json.dumps({"unit": "£000", "sign": "negative", "layout": "tracker"}), encoding="utf-8")
    return p


def test_columns_read_and_original_rag_normalised(path):
    reg = read_register(path)
    assert reg.layout == "tracker"
    assert reg.lines.at[0, "original_rag"] == "Green" and reg.lines.at[3, "replacement_ref"] == "X9"
    assert reg.lines.at[1, "slippage"] == -50 and reg.lines.at[2, "write_off"] == -80


def test_forecast_is_achieved_plus_still_to_deliver(path):
    found = [f for f in validate(read_register(path)) if f.code == "lifecycle-mismatch"]
    assert len(found) == 1 and found[0].reference == "L2" and found[0].severity == "error"
    assert found[0].cell == "L3"
    assert "-50" in found[0].message and "-90" in found[0].message and "-140" in found[0].message \
        and "-150" in found[0].message


def test_write_off_needs_a_replacement_or_an_explanation(path):
    found = [f for f in validate(read_register(path)) if f.code == "write-off-unexplained"]
    assert [(f.reference, f.severity, f.cell) for f in found] == [("L3", "warning", "N4")]


def test_invalid_original_rag(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text(HEAD + "\n" + ROWS[0].replace(",g,", ",Purple,") + "\n", encoding="utf-8")
    codes = [f.code for f in validate(read_register(p))]
    assert "original-rag-invalid" in codes


def test_summary_figures(path, capsys):
    reg = read_register(path)
    f = lifecycle.figures(reg)
    split = calc.rag_split(reg, calc.effective(reg))
    assert f["delivered"] == -110 and f["slipped"] == -50 and f["written_off"] == -150 and f["replaced"] == -40
    assert f["at_risk"] == sum(split["Red"]) + sum(split["Amber"]) == -350
    assert lifecycle.rag_moves(reg) == {"worse": 3, "better": 0, "same": 2}
    assert main(["summary", str(path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["lifecycle"] == {"delivered": -110, "at_risk": -350, "slipped": -50, "written_off": -150,
                                "replaced": -40, "rag_since_budget": {"worse": 3, "better": 0, "same": 2}}
    assert main(["summary", str(path)]) == 0
    assert "Lifecycle: delivered -110, at risk -350, slipped -50, written off -150" in capsys.readouterr().out


def test_registers_without_lifecycle_are_unchanged(capsys):
    assert main(["summary", str(samples.path("tracker")), "--format", "json"]) == 0
    assert "lifecycle" not in json.loads(capsys.readouterr().out)


def test_tracker_appendix_shows_where_the_savings_stand(path, tmp_path):
    from savings_tracker.documents import render_appendix
    from test_appendix import html_page

    out = render_appendix(read_register(path), "tracker", "html", tmp_path / "t.html")
    page = html_page(out)
    i = page.captions.index("Where the savings stand (£000)")
    table = page.tables[i]
    assert [c[2] for c in table[0]] == ["Delivered (achieved to date)", "At risk (Red and Amber)",
                                        "Slipped to next year", "Written off", "Covered by replacement savings"]
    assert [c[2] for c in table[1]] == ["-110", "-350", "-50", "-150", "-40"]
    plain = render_appendix(read_register(samples.path("tracker")), "tracker", "html", tmp_path / "s.html")
    assert "Where the savings stand" not in plain.read_text(encoding="utf-8")


def test_tracker_word_appendix_shows_where_the_savings_stand(tmp_path):
    """The seed 003 sample with lifecycle columns added to two lines: the Word appendix shows the figures."""
    import csv
    import shutil

    from docx import Document

    from savings_tracker.documents import render_appendix

    rows = list(csv.reader(open(samples.path("tracker"), encoding="utf-8", newline="")))
    rows[0] += ["Achieved to date", "Slippage to next year", "Write-off", "Write-off explanation"]
    for r in rows[1:]:
        r += ["", "", "", ""]
    rows[1][-4:] = ["-500", "-20", "", ""]
    rows[2][-4:] = ["-120", "", "-30", "Service closed"]
    path = tmp_path / "tracker_lifecycle.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    shutil.copy(samples.path("tracker").with_name("tracker_2017-18_october.settings.json"),
                tmp_path / "tracker_lifecycle.settings.json")
    reg = read_register(path)
    f = lifecycle.figures(reg)
    assert (f["delivered"], f["slipped"], f["written_off"]) == (-620, -20, -30)
    out = render_appendix(reg, "tracker", "docx", tmp_path / "t.docx")
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in Document(str(out)).tables]
    life = next(t for t in tables if t and t[0][0] == "Delivered (achieved to date)")
    assert life[0] == ["Delivered (achieved to date)", "At risk (Red and Amber)", "Slipped to next year",
                       "Written off", "Covered by replacement savings"]
    assert life[1] == ["-620", f"{f['at_risk']:,}", "-20", "-30", "0"]
    plain = render_appendix(read_register(samples.path("tracker")), "tracker", "docx", tmp_path / "s.docx")
    assert not any("Where the savings stand" in p.text for p in Document(str(plain)).paragraphs)
