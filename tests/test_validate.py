"""Each validation rule: a failing case that names the cell and value, and a passing case."""
import pytest

from savings_tracker import cells
from savings_tracker.readers import read_register
from savings_tracker.core.validate import validate

from conftest import TRACKER_KEYS, tracker_line


def findings(path, code=None):
    out = validate(read_register(path))
    return [f for f in out if code is None or f.code == code]


def test_a_clean_register_has_no_findings(write_tracker):
    path = write_tracker([tracker_line(), tracker_line(reference="A/R.1.002")])
    assert findings(path) == []


@pytest.mark.parametrize("code,bad,column,words", [
    ("reference-missing", {"reference": ""}, "reference", ["Reference", "blank"]),
    ("title-missing", {"title": "  "}, "title", ["Title", "blank"]),
    ("money-invalid", {"plan_q2": "TBC"}, "plan_q2", ["'TBC'", "not an amount", "accepted"]),
    ("plan-phasing-mismatch", {"plan_total": "-41"}, "plan_total", ["-41", "add to -40"]),
    ("forecast-phasing-mismatch", {"forecast_total": "-39", "variance": "1"}, "forecast_total", ["-39", "add to -40"]),
    ("variance-mismatch", {"variance": "5"}, "variance", ["'5'", "forecast − plan is 0"]),
    ("rag-invalid", {"rag": "Purple"}, "rag", ["'Purple'", "Red, Amber or Green"]),
    ("rag-missing", {"rag": ""}, "rag", ["blank"]),
    ("direction-invalid", {"direction": "sideways"}, "direction", ["'sideways'", "↑, ↔ or ↓"]),
    ("complete-invalid", {"complete": "Maybe"}, "complete", ["'Maybe'", "Yes or No"]),
    ("complete-shortfall", {"complete": "Yes", "forecast_q4": "0", "forecast_total": "-30", "variance": "10",
                            "rag": "Red"}, "complete", ["complete", "-30", "-40"]),
    ("sign-unexpected", {"plan_q1": "10", "plan_q2": "10", "plan_q3": "10", "plan_q4": "10", "plan_total": "40",
                         "forecast_q1": "10", "forecast_q2": "10", "forecast_q3": "10", "forecast_q4": "10",
                         "forecast_total": "40"}, "plan_total", ["opposite sign", "-40"]),
    ("rag-disagrees", {"forecast_q4": "0", "forecast_total": "-30", "variance": "10"}, "rag",
     ["Green", "suggest Amber", "75.0%"]),
    ("html-in-text", {"commentary": "<p>On track</p>"}, "commentary", ["<p>", "plain"]),
    ("text-too-long", {"description": "x" * 40000}, "description", ["40,000", "32,767"]),
])
def test_rule_fails_with_cell_value_and_what_is_accepted(write_tracker, code, bad, column, words):
    """``column`` is the schema key of the cell the finding must name, on the line's row (row 2 of the file):
    the letter comes from where the file puts that column, so a column added to the schema moves nothing."""
    cell = f"{cells.letters(TRACKER_KEYS.index(column) + 1)}2"
    path = write_tracker([tracker_line(**bad)])
    hits = findings(path, code)
    assert hits, f"{code} not reported; got {[f.code for f in findings(path)]}"
    f = hits[0]
    assert f.cell == cell
    assert f.sheet == "register"
    for w in words:
        assert w in f.message, (w, f.message)
    # the passing case: the same line without the defect raises nothing of this code
    assert findings(write_tracker([tracker_line()], name="good.csv"), code) == []


def test_duplicate_reference_names_the_first(write_tracker):
    path = write_tracker([tracker_line(), tracker_line(title="Other")])
    [f] = findings(path, "reference-duplicate")
    assert f.cell == "A3" and "A2" in f.message and "A/R.1.001" in f.message


def test_rag_direction_complete_accept_synonyms(write_tracker):
    path = write_tracker([tracker_line(rag=" g ", direction="same", complete="yes"),
                          tracker_line(reference="X2", rag="GREEN", direction="up", complete="N")])
    reg = read_register(path)
    assert list(reg.lines["rag"]) == ["Green", "Green"]
    assert list(reg.lines["direction"]) == ["↔", "↑"]
    assert list(reg.lines["complete"]) == ["Yes", "No"]
    assert [f.code for f in validate(reg)] == []


def test_formula_like_text_is_data(write_tracker):
    text = '=HYPERLINK("http://evil.example","click")'
    path = write_tracker([tracker_line(commentary=text, title="+44 line", description="@mention -minus")])
    reg = read_register(path)
    assert reg.lines.at[0, "commentary"] == text
    assert reg.lines.at[0, "title"] == "+44 line"


def test_committee_outside_settings_list_is_a_warning(write_tracker):
    path = write_tracker([tracker_line(committee="Highways")], settings={"committees": ["Adults", "C&YP"]})
    [f] = findings(path, "committee-unknown")
    assert f.severity == "warning" and "Highways" in f.message and f.cell == "D2"
    assert findings(write_tracker([tracker_line()], name="ok.csv", settings={"committees": ["Adults"]}),
                    "committee-unknown") == []


def test_published_totals_in_settings_are_checked(write_tracker):
    good = {"plan_total": "-80", "forecast_total": "-80", "variance": "0"}
    lines = [tracker_line(), tracker_line(reference="X2")]
    assert findings(write_tracker(lines, settings={"published_totals": good}), "total-mismatch") == []
    bad = dict(good, plan_total="-81")
    [f] = findings(write_tracker(lines, name="b.csv", settings={"published_totals": bad}), "total-mismatch")
    assert "'-81'" in f.message and "-80" in f.message


def test_unreadable_money_does_not_crash_summaries(write_tracker):
    from savings_tracker.core.calc import summarise
    path = write_tracker([tracker_line(plan_q1="TBC"), tracker_line(reference="X2")])
    s = summarise(read_register(path))
    assert s.totals["plan_q1"] == -10   # the unreadable cell is reported, not guessed


# ---- seed 000: the published slips -----------------------------------------------------------------
def test_seed_000_slips_are_each_reported_with_both_values(sample_paths):
    fs = validate(read_register(sample_paths["programme"]))
    errors = {(f.code, f.cell): f.message for f in fs if f.severity == "error"}
    assert len(errors) == 5, errors
    assert "'-'" in errors[("plan-phasing-mismatch", "E25")] and "0.366" in errors[("plan-phasing-mismatch", "E25")]
    assert "'0.781'" in errors[("subtotal-mismatch", "C26")] and "1.147" in errors[("subtotal-mismatch", "C26")]
    assert "'14.699'" in errors[("total-mismatch", "C47")] and "15.065" in errors[("total-mismatch", "C47")]
    assert "'1.962'" in errors[("total-mismatch", "F47")] and "2.041" in errors[("total-mismatch", "F47")]
    assert "'-'" in errors[("total-mismatch", "G47")] and "0.079" in errors[("total-mismatch", "G47")]


def test_seed_003_catches_the_rag_slip(sample_paths):
    fs = validate(read_register(sample_paths["tracker"]))
    [f] = [f for f in fs if f.severity == "error"]
    assert (f.code, f.reference, f.cell) == ("rag-invalid", "A/R.6.221", "R49")
    assert "'0'" in f.message
    codes = {f.code for f in fs}
    assert {"html-in-text", "sign-unexpected"} <= codes


def test_seed_002_options_add_up(sample_paths):
    assert [f for f in validate(read_register(sample_paths["options"])) if f.severity == "error"] == []


def test_options_rules_catch_budget_and_profile_slips(tmp_path, sample_paths):
    import csv
    rows = list(csv.reader(sample_paths["options"].open(encoding="utf-8")))
    header = rows[0]
    rows[1][header.index("Saving Total £m")] = "-0.050"
    rows[1][header.index("Net Budget 2017/18 £m")] = "£0.090m"
    rows[2][header.index("FTE Total")] = "3.00"
    path = tmp_path / "options.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    fs = {f.code: f for f in validate(read_register(path, layout="options"))}
    assert "-0.050" in fs["saving-phasing-mismatch"].message and "-0.040" in fs["saving-phasing-mismatch"].message
    assert fs["net-budget-mismatch"].cell == "G2"
    assert fs["fte-phasing-mismatch"].cell == "O3"
