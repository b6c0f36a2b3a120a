"""The bundled samples are reproducible from the seed documents."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "tests" / "data" / "seeds"            # the seed papers the samples come from, in the repository
SHARED = REPO.parent / "shared" / "seeds"            # the team's copy, beside a working checkout
SEED_FILES = ("000", "001", "002", "003")           # what scripts/extract_seeds.py reads
SAMPLES = REPO / "python" / "savings_tracker" / "samples"
SCRIPT = REPO / "scripts" / "extract_seeds.py"


def read_csv(name: str) -> list[list[str]]:
    with open(SAMPLES / name, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def read_json(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def test_seeds_present():
    for prefix in SEED_FILES:
        assert len(list(SEEDS.glob(f"{prefix}_*.txt"))) == 1, f"{SEEDS}: no {prefix}_*.txt seed paper"


def test_repository_seeds_are_the_shared_seeds():
    """Where the team's seed folder is beside the checkout, the repository's copy is the same text."""
    shared = {p.name: p.read_bytes() for p in SHARED.glob("00[0-3]_*.txt")} if SHARED.is_dir() else None
    ours = {p.name: p.read_bytes() for p in SEEDS.glob("00[0-3]_*.txt")}
    assert len(ours) == len(SEED_FILES)
    if shared is not None:
        assert ours == shared, "tests/data/seeds differs from ../shared/seeds: copy the seed papers again"


def test_samples_reproducible():
    if not SEEDS.is_dir():
        pytest.fail(f"seed documents not found at {SEEDS}: the samples cannot be checked")
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--seeds", str(SEEDS), "--out", str(SAMPLES), "--check"],
        capture_output=True, text=True, encoding="utf-8",
    )
    assert proc.returncode == 0, f"extract_seeds.py --check failed:\n{proc.stdout}\n{proc.stderr}"


def test_files_are_utf8_lf_no_bom():
    for p in sorted(SAMPLES.glob("*.csv")) + sorted(SAMPLES.glob("*.settings.json")):
        data = p.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf"), p.name
        assert b"\r\n" not in data, p.name
        data.decode("utf-8")


def test_tracker():
    rows = read_csv("tracker_2017-18_october.csv")
    header, lines = rows[0], rows[1:]
    assert len(header) == 21
    assert header[0] == "Reference" and header[4] == "Investment 17-18 £000"
    assert header[15] == "Variance from Plan £000" and header[20] == "Links with partner organisations"
    assert len(lines) == 67
    assert all(len(r) == 21 for r in lines)
    assert lines[0][0] == "A/R.6.001"
    assert lines[-1][0] == "A/R.7.106"
    by_ref = {r[0]: r for r in lines}
    r = by_ref["A/R.6.114"]
    assert r[4:10] == ["750", "-2,307", "-74", "0", "0", "-2,381"]
    assert by_ref["A/R.6.101"][16:19] == ["No", "Red", "↓"]
    assert by_ref["A/R.6.221"][17] == "0"  # published RAG value kept, not fixed
    s = read_json("tracker_2017-18_october.settings.json")
    assert s["organisation"] == "Cambridgeshire County Council"
    assert s["unit"] == "£000" and s["sign"] == "negative" and s["layout"] == "tracker"
    assert s["published_totals"]["plan_total"] == "-20,538"
    assert s["published_totals"]["forecast_total"] == "-16,656"
    assert s["published_totals"]["variance"] == "3,882"


def test_programme():
    rows = read_csv("programme_psr_2017-18.csv")
    header, body = rows[0], rows[1:]
    assert header == [
        "Project", "2017/18 £'m", "2018/19 £'m", "2019/20 £'m", "Total Saving (£ 'm)",
        "Red £'m", "Amber £'m", "Green £'m", "Comments Relating to the 2017/2018 Financial Year",
    ]
    headings = [r for r in body if r[0] and not any(r[1:])]
    subtotals = [r for r in body if not r[0]]
    total = [r for r in body if r[0] == "Total PSR"]
    lines = [r for r in body if r[0] and any(r[1:]) and r[0] != "Total PSR"]
    assert (len(headings), len(lines), len(subtotals), len(total)) == (9, 27, 9, 1)
    assert len(body) == 46
    assert body[0][0] == "PSR1- Most Vulnerable"
    assert body[-1] == ["Total PSR", "4.573", "14.699", "9.850", "29.122", "1.962", "-", "2.611", ""]
    assert "PSR4- SEND & Home to School Transport" in [r[0] for r in headings]
    bc = next(r for r in lines if r[0] == "Building Control")
    assert bc[1:5] == ["0.183", "0.183", "-", "-"]  # published slip kept
    s = read_json("programme_psr_2017-18.settings.json")
    assert s["organisation"] == "Sefton Council"
    assert s["rag_definitions"]["Red"] == "Project deliverables will not meet agreed outcomes"
    assert s["years"] == ["2017/18", "2018/19", "2019/20"]


def test_options():
    rows = read_csv("budget_options_2018-19.csv")
    header, body = rows[0], rows[1:]
    assert len(header) == 19 and header[0] == "Reference" and header[-1] == "What does this service deliver?"
    assert len(body) == 30
    by_ref = {r[0]: dict(zip(header, r)) for r in body}
    assert len(by_ref) == 30
    o = by_ref["CYP002"]
    assert o["Title"] == "FAMILY INFORMATION SERVICE"
    assert o["Gross Budget 2017/18 £m"] == "£0.083m"
    assert [o[f"Saving {y} £m"] for y in ("2018/19", "2019/20", "2020/21", "Total")] == \
        ["-0.040", "0.000", "0.000", "-0.040"]
    assert o["FTE Total"] == "-2.00"
    assert o["Decisions needed to deliver the budgeted savings"] == (
        "Approval for the delivery of this statutory function through the Customer Access Service.\n"
        "Reduction in the revenue budget from 1st April 2018."
    )
    assert by_ref["CYP027"]["Net Budget 2017/18 £m"] == "-£0.494m"  # label typo "2017/1"
    assert by_ref["ASC026"]["Net Budget 2017/18 £m"] == "£98.549m"  # label "2017/18*" + footnote
    assert by_ref["CAS009"]["Start Year"] == "2019/20"
    for r in by_ref.values():
        assert r["Reference"]
        assert all(r[f"Saving {y} £m"] for y in ("2018/19", "2019/20", "2020/21", "Total"))
    s = read_json("budget_options_2018-19.settings.json")
    assert s["organisation"] == "Lancashire County Council"
    assert s["layout"] == "options" and s["sign"] == "negative"


def test_business_cases():
    rows = read_csv("business_cases_2017-18.csv")
    assert rows[0][0] == "Framework for Change - Public Sector Reform Projects – Summary"
    assert rows[3][:4] == ["1", "Early Intervention and Prevention – Most Vulnerable", "1.089", "A"]
    assert rows[13][1:3] == ["Total", "29.122"]
    header = rows[15]
    assert header[:8] == ["Section", "Section name", "Programme number", "Project", "Workstream(s)",
                          "Budget Planning Assumption £000", "Forecast Saving £000", "Total £000"]
    assert sum(1 for r in rows if r == header) == 8   # one header row per section table, as in the paper
    lines = [dict(zip(header, r)) for r in rows[16:] if r[0] in list("ABCDEFGHIJ")]
    assert len(lines) == 29
    by = {r["Workstream(s)"]: r for r in lines}
    assert by["Building Control"]["Total £000"] == "0*"      # the footnote mark kept as published
    assert any(r[0].startswith("- Building Control £183k one off contribution") for r in rows)
    acute = by["Acute wrap around services"]
    assert acute["Redundancies"] == "4-5" and acute["Programme number"] == "PSR1"
    assert acute["Legislation considered"].startswith("Care Act 2014")
    assert acute["Equality impact assessment required"] == "No"
    assert by["Atkinson"]["Vacancies deleted"] == "5.83 fte"
    assert by["Multiagency working"]["Redundancies"] == "200 - 300"
    assert by["All age disability pathway, policy and criteria"]["Redundancies"] == "18 to 28"
    assert by["Catering"]["Proposal"].startswith("Generate additional surpluses")
    # the paper's ticks are in its text for two cases only (checked boxes); the others stay blank, never guessed
    assert {w: r["Consultation type"] for w, r in by.items() if r["Consultation type"]} == {
        "Commercial Fleet Management": "Inform", "Land management": "Inform; Consult internal"}
    assert not by["Life Long Learning"]["Proposal"]          # no business case of its own in the paper
    s = read_json("business_cases_2017-18.settings.json")
    assert s["layout"] == "cases" and s["unit"] == "£000" and s["organisation"] == "Sefton Council"


def test_sections_psr_keys():
    keys = read_json("sections_psr_2017-18.json")["sections"]
    assert sorted(keys) == list("ABCDEFGHIJ")
    assert [keys[k]["programme_ref"] for k in "ABCDEFGHIJ"] == [f"PSR{n}" for n in range(1, 11)]
    assert keys["F"]["evidence"] == "seed 000: PSR6- Commercialisation, Traded Services & Income, subtotal £2.337m"
    assert keys["C"]["evidence"].startswith("no PSR3 in seed 000")
