"""``savings-tracker reconcile``: seed 001's section tables (as a council keeps them) against seed 000."""
from __future__ import annotations

import copy
import json

import pytest

import seed001_book
from savings_tracker import samples
from savings_tracker.cli import main
from savings_tracker.readers import read_register
from savings_tracker.core.reconcile import reconcile

KEYS = samples.HERE / samples.SECTION_KEYS


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return seed001_book.write(tmp_path_factory.mktemp("rec") / "framework_for_change.xlsx")


def _run(capsys, *args):
    code = main(["reconcile", *map(str, args), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_seed_001_tables_against_seed_000(book, capsys):
    code, out = _run(capsys, book, samples.path("programme"), "--keys", KEYS)
    assert set(out) == {"matched", "only_in_a", "only_in_b", "totals"}
    assert out["totals"] == {"a": 29122, "b": 29.122, "equal": True}
    assert all(set(m) == {"a", "b", "a_value", "b_value", "equal"} for m in out["matched"])
    psr6 = next(m for m in out["matched"] if m["a"].startswith("PSR6") and "/" not in m["a"])
    assert psr6["b"] == "PSR6 Commercialisation, Traded Services & Income"
    assert "Creating New and Improving Revenue Streams" in psr6["a"] and "section F" in psr6["a"]
    assert (psr6["a_value"], psr6["b_value"], psr6["equal"]) == (2337, 2.337, True)
    # every programme of seed 000 is matched to its section, and agrees
    programmes = [m for m in out["matched"] if "/" not in m["a"]]
    assert [m["b"].split()[0] for m in programmes] == [f"PSR{n}" for n in (1, 2, 4, 5, 6, 7, 8, 9, 10)]
    assert all(m["equal"] for m in programmes)
    # the name differences are listed, with the item of the same amount in the other paper
    catering = next(e for e in out["only_in_a"] if e["item"].endswith("/ Catering"))
    assert catering["value"] == 300 and catering["same_amount_as"] == "PSR6 / School Meals"
    meals = next(e for e in out["only_in_b"] if e["item"] == "PSR6 / School Meals")
    assert meals["value"] == 0.3
    assert any(e["item"] == "PSR3 (section C) Early Intervention and Prevention- A New Deal with Citizens"
               for e in out["only_in_a"])
    # lines matched by name across the papers' wording
    pairs = {(m["a"].split(" / ")[-1], m["b"].split(" / ")[-1]) for m in out["matched"] if "/" in m["a"]}
    assert ("Building Cleaning", "Building Cleaning (alternative delivery model)") in pairs
    assert ("Personalisation - asset based approach", "Personalisation and asset based approach") in pairs
    assert ("Contract Review", "SMBC Contract Review") in pairs
    differ = [m for m in out["matched"] if not m["equal"]]
    assert [(m["a_value"], m["b_value"]) for m in differ] == [(3439, 1.95)]   # Council ICT: 3 lines in 000
    assert code == 1     # the papers name things differently: something differs


def test_text_report(book, capsys):
    assert main(["reconcile", str(book), str(samples.path("programme")), "--keys", str(KEYS)]) == 1
    out = capsys.readouterr().out
    assert "Totals: 29,122 £000 = 29.122 £m (equal)" in out
    assert "PSR6 / School Meals: 0.300 £m" in out and "another name for it?" in out


def test_bundled_sample_names_its_programmes(capsys):
    code, out = _run(capsys, samples.path("cases"), samples.path("programme"))
    assert out["totals"]["equal"] and sum(1 for m in out["matched"] if "/" not in m["a"]) == 9


def test_without_keys_sections_are_matched_by_name(book, capsys):
    code, out = _run(capsys, book, samples.path("programme"))
    names = {(m["a"], m["b"]) for m in out["matched"] if "/" not in m["a"]}
    assert ("(section J) Commissioning & Shared Services", "PSR10 Commissioning and Shared Services") in names
    assert ("(section H) Asset and Property Maximisation", "PSR8 Assets & Property Maximisation") in names
    assert code == 1


def test_a_figure_that_differs_is_reported_with_both_values(tmp_path, capsys):
    tables = copy.deepcopy(seed001_book.TABLES)
    tables[3][8][3], tables[3][8][4] = 301, 301              # Catering 300 -> 301
    tables[3][-2][3], tables[3][-2][4] = 2282, 2338           # and its Totals row, so the paper adds up
    summary = [list(r) for r in seed001_book.SUMMARY]
    summary[8][2], summary[-1][2] = 2.338, 29.123
    book = seed001_book.write(tmp_path / "b.xlsx", tables=tables, summary=summary)
    code, out = _run(capsys, book, samples.path("programme"), "--keys", KEYS)
    psr6 = next(m for m in out["matched"] if m["a"].startswith("PSR6") and "/" not in m["a"])
    assert (psr6["a_value"], psr6["b_value"], psr6["equal"]) == (2338, 2.337, False)
    assert out["totals"] == {"a": 29123, "b": 29.122, "equal": False} and code == 1
    catering = next(e for e in out["only_in_a"] if e["item"].endswith("/ Catering"))
    assert catering == {"item": "PSR6 (section F) / Catering", "value": 301}   # no longer the same as School Meals


def test_the_same_paper_agrees_with_itself(capsys):
    code, out = _run(capsys, samples.path("tracker"), samples.path("tracker"))
    assert code == 0 and out["only_in_a"] == [] and len(out["matched"]) == 67


def test_savings_compared_whatever_the_sign(tmp_path, capsys):
    """A tracker storing savings negative in £000 agrees with a programme storing them positive in £m."""
    a = tmp_path / "a.csv"
    a.write_text("Reference,Title,Original Saving\nX1,Libraries,-1234\n", encoding="utf-8")
    (tmp_path / "a.settings.json").write_text('{"unit": "£000", "sign": "negative"}', encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("Reference,Project,Total Saving £m\nX1,Library service,1.234\n", encoding="utf-8")
    (tmp_path / "b.settings.json").write_text('{"unit": "£m", "sign": "positive", "layout": "programme"}',
                                              encoding="utf-8")
    code, out = _run(capsys, a, b)
    assert out["matched"] == [{"a": "X1 Libraries", "b": "X1 Library service", "a_value": -1234, "b_value": 1.234,
                               "equal": True}]
    assert code == 0


def test_bad_keys_file(book, tmp_path, capsys):
    bad = tmp_path / "k.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    assert main(["reconcile", str(book), str(samples.path("programme")), "--keys", str(bad)]) == 2
    assert "expected JSON such as" in capsys.readouterr().err


# ---- properties: the comparison is exact across units and signs ----------------------------------------------------
from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

AMOUNTS = st.lists(st.integers(min_value=0, max_value=9_999_999), min_size=1, max_size=12)


def _pair(tmp, amounts, changed=None):
    a = tmp / "a.csv"
    a.write_text("Reference,Title,Original Saving\n" + "".join(
        f"R{n},Item {n},\"{-v:,}\"\n" for n, v in enumerate(amounts)), encoding="utf-8")
    (tmp / "a.settings.json").write_text('{"unit": "£000", "sign": "negative"}', encoding="utf-8")
    b = tmp / "b.csv"
    b.write_text("Reference,Project,Total Saving £m\n" + "".join(
        f"R{n},Item {n},{(v + (1 if n == changed else 0)) / 1000:.3f}\n" for n, v in enumerate(amounts)),
        encoding="utf-8")
    (tmp / "b.settings.json").write_text('{"unit": "£m", "sign": "positive", "layout": "programme"}',
                                         encoding="utf-8")
    return read_register(a), read_register(b)


@hsettings(max_examples=40, deadline=None)
@given(AMOUNTS, st.data())
def test_property_same_figures_in_other_units_agree_and_one_changed_figure_is_found(tmp_path_factory, amounts, data):
    tmp = tmp_path_factory.mktemp("prop")
    out = reconcile(*_pair(tmp, amounts))
    assert out["totals"]["equal"] and all(m["equal"] for m in out["matched"]) and len(out["matched"]) == len(amounts)
    n = data.draw(st.integers(min_value=0, max_value=len(amounts) - 1))
    out = reconcile(*_pair(tmp, amounts, changed=n))
    assert [m["a"] for m in out["matched"] if not m["equal"]] == [f"R{n} Item {n}"]
    assert not out["totals"]["equal"]
