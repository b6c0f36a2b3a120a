"""One display rule for signs across every table and chart of an output (Settings ``display_sign``), stated
under the table; one name per RAG figure, the same in the CLI and the workbook (issue 12)."""
from dataclasses import replace

import pytest

from savings_tracker import cli, samples
from savings_tracker.core import calc, lifecycle, report
from savings_tracker.core.settings import Settings, SettingsError
from savings_tracker.readers import grids, read_register
from savings_tracker.workbook.builder import RAG_TABLE_TITLE, build_workbook


def summary_rows(path):
    return grids.load(path).grids["Summary"].rows


@pytest.mark.parametrize("display, factor", [("as stored", 1), ("savings positive", -1)])
def test_the_summary_tables_and_chart_follow_one_rule(tmp_path, capsys, display, factor):
    reg = read_register(samples.path("tracker"))
    reg.settings = replace(reg.settings, display_sign=display)
    out = build_workbook(tmp_path / "wb.xlsm", reg)
    rows = summary_rows(out)
    total = next(r for r in rows if r[0] == "Total")
    assert total[6:9] == [factor * -20538, factor * -16656, factor * 3882]
    red = next(r for r in rows if r[0] == "Red" and isinstance(r[1], float))
    planned, forecast = calc.by_line_rag(reg)["Red"]
    assert red[1:3] == [factor * float(planned), factor * float(forecast)]
    notes = [v for r in rows for v in r[:2] if isinstance(v, str) and ("Amounts as" in v or "positive amounts" in v)]
    assert len(notes) == 3 and set(notes) == {reg.settings.sign_note()}     # under each of the three tables
    at_risk = next(r for r in rows if r[0] == lifecycle.LABELS["at_risk"])[1]
    split = calc.rag_split(reg, calc.effective(reg))
    assert at_risk == factor * float(sum(split["Red"]) + sum(split["Amber"]))
    assert any(r[0] == f"{RAG_TABLE_TITLE}, £000" for r in rows)
    # a refresh keeps the rule (formulas and their saved results)
    assert cli.main(["refresh", str(out)]) in (0, 1)
    capsys.readouterr()
    rows = summary_rows(out)
    assert next(r for r in rows if r[0] == "Total")[6:9] == total[6:9]
    assert next(r for r in rows if r[0] == "Red" and isinstance(r[1], float))[1:3] == red[1:3]


def test_the_cli_names_both_rag_figures_and_states_the_rule(capsys):
    reg = read_register(samples.path("tracker"))
    cli.main(["summary", str(samples.path("tracker"))])
    out = capsys.readouterr().out
    assert f"{report.RAG_ANALYSIS}: Red -6,882" in out
    assert f"{report.BY_LINE_RAG} (planned / forecast): Red -6,815 / -2,537" in out
    assert reg.settings.sign_note() in out


def test_display_sign_is_a_setting_with_two_values():
    assert Settings(display_sign="savings positive").display_factor == -1
    assert Settings(display_sign="savings positive", sign="positive").display_factor == 1
    with pytest.raises(SettingsError, match="display_sign"):
        Settings(display_sign="upside down")
    assert "display_sign" in {k for k, _, _ in Settings(display_sign="savings positive").to_rows()}
