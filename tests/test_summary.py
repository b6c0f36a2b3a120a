"""The published totals, reproduced exactly."""
import json
from decimal import Decimal as D

from savings_tracker.core import calc
from savings_tracker.cli import main
from savings_tracker.readers import read_register

SEED_003 = {"investment": 4023, "plan_q1": -11603, "plan_q2": -3109, "plan_q3": -3201, "plan_q4": -2625,
            "plan_total": -20538, "forecast_q1": -7168, "forecast_q2": -2832, "forecast_q3": -4483,
            "forecast_q4": -2173, "forecast_total": -16656, "variance": 3882}


def test_cli_summary_reproduces_seed_003_header_totals(sample_paths, capsys):
    assert main(["summary", str(sample_paths["tracker"]), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"] == SEED_003
    assert data["rag_counts"] == {"Red": 24, "Amber": 2, "Green": 40, "No RAG": 1}
    assert [g["name"] for g in data["groups"]] == ["Adults, C&YP", "Adults", "C&YP"]
    assert sum(g["lines"] for g in data["groups"]) == 67


def test_seed_000_years_typed_totals_and_split(sample_paths):
    reg = read_register(sample_paths["programme"])
    s = calc.summarise(reg)
    assert [s.totals[k] for k in ("plan_y1", "plan_y2", "plan_y3")] == [D("4.573"), D("15.065"), D("9.850")]
    assert s.derived_totals["plan_total"] == D("29.488")
    assert s.totals["plan_total"] == D("29.122")
    assert (s.rag_amounts["Red"], s.rag_amounts["Amber"], s.rag_amounts["Green"]) == (D("2.041"), D("0.079"), D("2.611"))
    psr6 = next(g for g in s.groups if g.name.startswith("PSR6"))
    assert psr6.lines == 8 and psr6.totals["plan_y2"] == D("1.147")
    assert len(s.groups) == 9


def test_summary_by_programme_json(sample_paths, capsys):
    assert main(["summary", str(sample_paths["programme"]), "--by", "programme", "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["plan_y2"] == 15.065 and data["rag_amounts"]["Red"] == 2.041
    assert data["groups"][0]["name"] == "PSR1- Most Vulnerable"


def test_rag_analysis_sends_shortfall_to_red(write_tracker):
    from conftest import tracker_line
    line = tracker_line(forecast_q4="0", forecast_total="-30", variance="10", rag="Green")
    s = calc.summarise(read_register(write_tracker([line])))
    assert s.rag_amounts["Green"] == D(-30) and s.rag_amounts["Red"] == D(-10)
    assert s.delivered_pct == D("75.0")


def test_suggested_rag_thresholds_are_settings(write_tracker):
    from conftest import tracker_line
    line = tracker_line(forecast_q4="-5", forecast_total="-35", variance="5")   # 87.5% delivered
    reg = read_register(write_tracker([line]))
    assert list(calc.suggested_rags(reg)) == ["Amber"]
    reg = read_register(write_tracker([line], name="b.csv", settings={"amber_at": "0.9"}))
    assert list(calc.suggested_rags(reg)) == ["Red"]
    reg = read_register(write_tracker([line], name="c.csv", settings={"green_at": "85%", "amber_at": "50%"}))
    assert list(calc.suggested_rags(reg)) == ["Green"]
