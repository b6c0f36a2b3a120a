from decimal import Decimal

import pytest

from savings_tracker.core.money import MoneyError, fmt, parse_money, same


@pytest.mark.parametrize("raw,unit,expected", [
    ("£1,234", "£000", "1234"), ("(100)", "£000", "-100"), ("−50", "£000", "-50"), ("-2,307", "£000", "-2307"),
    ("", "£000", "0"), ("-", "£000", "0"), ("–", "£m", "0"), (None, "£000", "0"), ("  12 ", "£000", "12"),
    ("1.2m", "£000", "1200"), ("£0.083m", "£m", "0.083"), ("-£0.494m", "£m", "-0.494"), ("0.5k", "£m", "0.0005"),
    (12.0, "£000", "12"), (0.1, "£m", "0.1"), (-3, "£000", "-3"), ("(£1,234.50)", "£", "-1234.50"),
])
def test_accepted_amounts_are_normalised_exactly(raw, unit, expected):
    assert parse_money(raw, unit) == Decimal(expected)


@pytest.mark.parametrize("raw", ["TBC", "tbc", "n/k", "12abc", "#REF!", "#DIV/0!", "1e308", float("nan"),
                                 float("inf"), True, "1,2,3x", "£", "()"])
def test_text_that_is_not_an_amount_is_rejected_with_a_reason(raw):
    with pytest.raises(MoneyError) as exc:
        parse_money(raw, "£000")
    assert str(exc.value)


def test_dates_are_not_money():
    import datetime
    with pytest.raises(MoneyError, match="date"):
        parse_money(datetime.date(2017, 10, 1))


def test_comparison_is_exact_at_the_published_precision():
    assert same(Decimal("0.1") + Decimal("0.2"), Decimal("0.3"), 3)
    assert same(Decimal("1.0004"), Decimal("1.0"), 3)
    assert not same(Decimal("1.0005"), Decimal("1.000"), 3)   # half up: 1.001
    assert not same(Decimal("-2307"), Decimal("-2306"), 0)


def test_format_as_published():
    assert fmt(Decimal("-20538"), 0) == "-20,538"
    assert fmt(Decimal("4.573"), 3) == "4.573"
    assert fmt(Decimal("0"), 3, blank_zero=True) == "-"
