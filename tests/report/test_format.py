"""Numbers in Vietnamese style (66,7% and 1.234) and English style (66.7% and 1,234)."""

import pytest

from cadre_analytics.report import fmt


@pytest.mark.parametrize(
    ("share", "lang", "expected"),
    [
        (2 / 3, "vi", "66,7%"),
        (2 / 3, "en", "66.7%"),
        (1.0, "vi", "100,0%"),
        (0.0, "en", "0.0%"),
        (0.05, "vi", "5,0%"),
        (None, "vi", "—"),
    ],
)
def test_percent(share, lang, expected):
    assert fmt.percent(share, lang) == expected


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1234567, "vi", 0, "1.234.567"),
        (1234567, "en", 0, "1,234,567"),
        (1234.5, "vi", 1, "1.234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (-3, "vi", 0, "−3"),
        (999, "vi", 0, "999"),
        (4.75, "vi", 1, "4,8"),
    ],
)
def test_number(value, lang, decimals, expected):
    assert fmt.number(value, lang, decimals) == expected


def test_signed_numbers_and_points():
    assert fmt.number(7, "vi", sign=True) == "+7"
    assert fmt.number(0, "vi", sign=True) == "0"
    assert fmt.points(0.025, "vi") == "+2,5 điểm %"
    assert fmt.points(-0.1, "en") == "−10.0 pp"


def test_targets_with_comparators_and_ranges():
    assert fmt.target(0.2, ">=", "vi") == "≥20%"
    assert fmt.target(0.3, ">", "en") == ">30%"
    assert fmt.target(0.9, "<=", "vi") == "≤90%"
    assert fmt.target(0.255, ">=", "vi") == "≥25,5%"
    assert fmt.target(0.25, ">=", "vi", upper=0.35) == "25–35%"
    assert fmt.target(None, None, "en") == "—"


def test_counts_keep_decimals_only_when_fractional():
    assert fmt.count(18.0, "vi") == "18"
    assert fmt.count(4.75, "vi") == "4,8"
    assert fmt.count(1234, "en") == "1,234"
