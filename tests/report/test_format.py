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


@pytest.mark.parametrize(
    ("share", "goal", "comparator", "decimals", "expected"),
    [
        # 1/21 = 4.76%: "5%" would sit beside a commune's "5% ✔"; one decimal decides (4,8 < 5)
        (1 / 21, 0.05, ">=", 0, "4,8%"),
        (1 / 20, 0.05, ">=", 0, "5%"),  # exactly 5%: met, and it reads so
        (0.30, 0.60, ">=", 0, "30%"),  # far from the target: no decimal needed
        # 99.95% against 100%: "100%" and "100,0%" would both read as met; 99,95 does not
        (0.9995, 1.0, ">=", 0, "99,95%"),
        (0.9995, 1.0, ">=", 1, "99,95%"),
        # a strict target: 30.04% does exceed >30%, but "30%" would read as equal
        (0.3004, 0.30, ">", 0, "30,04%"),
        # a ceiling: 90.4% of the base is above ≤90%; "90%" would read as within it
        (0.904, 0.90, "<=", 0, "90,4%"),
        (None, 0.05, ">=", 0, "—"),
    ],
)
def test_percent_against_agrees_with_the_tick_beside_it(
    share, goal, comparator, decimals, expected
):
    assert fmt.percent_against(share, goal, comparator, "vi", decimals) == expected
