"""Property tests (hypothesis): cell values, registers, the workbook builder and appendix rendering never crash,
and the arithmetic is exact. Budgets are small enough for CI; raise them locally with
HYPOTHESIS_PROFILE=thorough."""
import csv
import html
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from savings_tracker.core import calc
from savings_tracker.core.money import MoneyError, parse_money
from savings_tracker.readers import read_register
from savings_tracker.core.schema import columns_for
from savings_tracker.core.validate import validate

settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", deadline=None, max_examples=1000,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1

HEADERS = [c.header_for(None, "tracker") for c in columns_for("tracker") if c.key != "suggested_rag"]
KEYS = [c.key for c in columns_for("tracker") if c.key != "suggested_rag"]
MONEY = [k for k in KEYS if k in ("investment", "plan_q1", "plan_q2", "plan_q3", "plan_q4", "plan_total",
                                  "forecast_q1", "forecast_q2", "forecast_q3", "forecast_q4", "forecast_total",
                                  "variance")]
PHASING = [k for k in MONEY if k[-2:] in ("q1", "q2", "q3", "q4")]

cell_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True), st.text(), st.dates(), st.datetimes(),
    st.from_regex(r"\s*[-−(]?£?\s*[0-9,]{0,12}(\.[0-9]{0,4})?\s*(k|m|bn)?\)?\s*", fullmatch=True),
    st.sampled_from(["-", "–", "nil", "n/a", "TBC", "#REF!", "#DIV/0!", "1e308", "NaN", "inf", "(100)", "£1,234",
                     "−50", "1.2m", "0.5k", "1e-400", "9" * 400, "1e999999999"]),
)


@settings(max_examples=400 * SCALE)
@given(cell_values, st.sampled_from(["£", "£000", "£m"]))
def test_parse_money_gives_a_decimal_or_a_money_error(value, unit):
    try:
        out = parse_money(value, unit)
    except MoneyError as exc:
        assert str(exc)
    else:
        assert isinstance(out, Decimal) and out.is_finite()


# ---- registers through CSV --------------------------------------------------------------------------
amount = st.integers(min_value=-10**9, max_value=10**9).map(str)
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
any_cell = st.one_of(amount, text, st.sampled_from(["", "-", "TBC", "(5)", "£1,000", "1e308", "Purple", "=1+1"]))


def write_register(lines: list[dict], folder: Path, skip=()) -> Path:
    path = folder / "reg.csv"
    keys = [k for k in KEYS if k not in skip]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([h for h, k in zip(HEADERS, KEYS) if k not in skip])
        for ln in lines:
            w.writerow([ln.get(k, "") for k in keys])
    (folder / "reg.settings.json").write_text(json.dumps({"unit": "£000", "sign": "negative", "layout": "tracker"}))
    return path


def line_strategy(cell):
    return st.fixed_dictionaries({"reference": st.one_of(st.from_regex(r"A/R\.[1-9]\.[0-9]{3}", fullmatch=True),
                                                          text),
                                  "title": text, "committee": text, "rag": any_cell, "direction": any_cell,
                                  "complete": any_cell, "commentary": text,
                                  **{k: cell for k in MONEY}})


@settings(max_examples=60 * SCALE)
@given(st.lists(line_strategy(any_cell), max_size=12))
def test_arbitrary_registers_read_validate_and_summarise(lines):
    with tempfile.TemporaryDirectory() as d:
        reg = read_register(write_register(lines, Path(d)))
        findings = validate(reg)
        assert all(f.severity in ("error", "warning") and f.message for f in findings)
        s = calc.summarise(reg)
        eff = calc.effective(reg)
        for k, total in s.totals.items():
            assert total == sum((v for v in eff[k] if isinstance(v, Decimal)), Decimal(0))
        assert sum(s.rag_counts.values()) == len(reg)


@settings(max_examples=60 * SCALE)
@given(st.lists(line_strategy(st.one_of(amount, st.just(""))), max_size=12))
def test_totals_are_exact_sums_and_variance_is_forecast_minus_plan(lines):
    for i, ln in enumerate(lines):
        ln["reference"] = f"A/R.6.{i:03d}"   # a line, not a published total row (those have no reference)
    with tempfile.TemporaryDirectory() as d:    # no computed columns: the tool derives them from the phasing
        reg = read_register(write_register(lines, Path(d), skip=("plan_total", "forecast_total", "variance")))
        s = calc.summarise(reg)
    for k in PHASING + ["investment"]:
        assert s.totals[k] == sum((Decimal(ln[k]) for ln in lines if ln[k] not in ("",)), Decimal(0))
    assert s.totals["plan_total"] == sum(s.totals[f"plan_q{q}"] for q in range(1, 5))
    assert s.totals["forecast_total"] == sum(s.totals[f"forecast_q{q}"] for q in range(1, 5))
    variance = sum(calc.derived(reg)["variance"], Decimal(0))
    assert variance == s.totals["forecast_total"] - s.totals["plan_total"]
    assert sum(g.totals["forecast_total"] - g.totals["plan_total"] for g in s.groups) == variance


# ---- the workbook builder ------------------------------------------------------------------------------
@settings(max_examples=4 * SCALE)
@given(st.lists(line_strategy(st.one_of(amount, st.just(""))), min_size=1, max_size=6, unique_by=lambda l: l["reference"]))
def test_built_workbook_reads_back_the_same(lines):
    from savings_tracker.workbook.builder import build_workbook

    with tempfile.TemporaryDirectory() as d:
        reg = read_register(write_register(lines, Path(d), skip=("plan_total", "forecast_total", "variance")))
        out = Path(d) / "t.xlsm"
        build_workbook(out, reg)
        back = read_register(out)
    assert len(back) == len(reg)
    norm = (lambda v: v.strip() if isinstance(v, str) else v)
    for key in ("reference", "title", "commentary", *PHASING, "investment"):
        assert [norm(v) for v in back.lines[key]] == [norm(v) for v in reg.lines[key]], key
    t1, t2 = calc.summarise(back).totals, calc.summarise(reg).totals
    assert {k: t1[k] for k in PHASING} == {k: t2[k] for k in PHASING}
    assert t1["plan_total"] == t2["plan_total"] and t1["forecast_total"] == t2["forecast_total"]


# ---- appendix rendering ------------------------------------------------------------------------------
@settings(max_examples=15 * SCALE)
@given(st.lists(line_strategy(st.one_of(amount, st.just(""))), min_size=1, max_size=4),
       st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60))
def test_appendix_renders_arbitrary_text_literally(lines, words):
    from savings_tracker.documents import render_appendix

    for i, ln in enumerate(lines):
        ln["reference"] = f"A/R.6.{i:03d}"
    lines[0]["commentary"] = "note " + words
    with tempfile.TemporaryDirectory() as d:
        reg = read_register(write_register(lines, Path(d)))
        out = render_appendix(reg, "tracker", "html", Path(d) / "a.html")
        page = out.read_text(encoding="utf-8")
    shown = html.unescape(page)
    expected = " ".join(("note " + words).split())
    assert expected in " ".join(shown.split()) or html.escape(expected) in page
    assert "<script" not in ("note " + words).lower() or "<script" not in page.lower().replace("&lt;script", "")
