"""The one met/gap rule: target_met / gap_persons (scalars) and met_gap_exprs (the
same rule on columns) agree on every small input."""

from __future__ import annotations

from fractions import Fraction

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cadre_analytics.targets import (
    above_range,
    gap_persons,
    met_gap_exprs,
    target_met,
    target_parts,
)

COMPARATORS = (">=", ">", "<=", "==")
# Targets as the programme writes them: whole percents and halves (12.5 %), 0..100.
PERCENTS = st.integers(0, 200).map(lambda halves: Fraction(halves, 2))


def _vectorised(rows: list[tuple]) -> list[tuple]:
    """Rows (num, den, target, comparator[, upper]) through the column rule."""
    parts = [target_parts(r[2]) for r in rows]
    uppers = [target_parts(r[4] if len(r) > 4 else None) for r in rows]
    frame = pl.DataFrame(
        {
            "numerator": [r[0] for r in rows],
            "denominator": [r[1] for r in rows],
            "_tp": [p for p, _ in parts],
            "_tq": [q for _, q in parts],
            "comparator": [r[3] for r in rows],
            "_up": [p for p, _ in uppers],
            "_uq": [q for _, q in uppers],
        },
        schema={
            "numerator": pl.Int64,
            "denominator": pl.Int64,
            "_tp": pl.Int64,
            "_tq": pl.Int64,
            "comparator": pl.Utf8,
            "_up": pl.Int64,
            "_uq": pl.Int64,
        },
    )
    out = frame.select(met_gap_exprs(upper_p="_up", upper_q="_uq"))
    return list(zip(out["met"].to_list(), out["gap_persons"].to_list(), strict=True))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 40), st.integers(0, 40), PERCENTS, st.sampled_from(COMPARATORS)
        ).filter(lambda r: r[0] <= r[1]),
        min_size=1,
        max_size=30,
    )
)
def test_scalar_and_vectorised_rules_agree(rows):
    rows = [(num, den, percent / 100, cmp) for num, den, percent, cmp in rows]
    expected = []
    for num, den, target, cmp in rows:
        share = Fraction(num, den) if den else None
        met = target_met(share, target, cmp) if den else None
        expected.append((met, gap_persons(num, den, target, cmp)))
    assert _vectorised(rows) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 40),
            st.integers(0, 40),
            PERCENTS,
            st.sampled_from((">=", ">")),
            st.integers(0, 100),
        ).filter(lambda r: r[0] <= r[1] and r[2] <= r[2] + r[4] <= 100),
        min_size=1,
        max_size=30,
    )
)
def test_range_rules_agree(rows):
    # A range "lower–upper %": the upper bound is the lower one plus 0..100 points.
    rows = [(n, d, pct / 100, cmp, (pct + extra) / 100) for n, d, pct, cmp, extra in rows]
    expected = []
    for num, den, target, cmp, upper in rows:
        met = target_met(Fraction(num, den), target, cmp, upper) if den else None
        expected.append((met, gap_persons(num, den, target, cmp, upper)))
    assert _vectorised(rows) == expected


def test_a_range_exceeded_from_above_is_not_met():
    # "25–35 %" of 7 people: at least ceil(0.25 * 7) = ceil(1.75) = 2, at most
    # floor(0.35 * 7) = floor(2.45) = 2. 3 of 7 (42.9 %) is 1 person over the upper bound;
    # 1 of 7 (14.3 %) is 1 short; 2 of 7 (28.6 %) is inside. Of 2 people no count is inside
    # (0 % or 50 %: at least ceil(0.5) = 1, at most floor(0.7) = 0): unreachable.
    lo, up = Fraction(1, 4), Fraction(7, 20)
    rows = [(3, 7, lo, ">=", up), (1, 7, lo, ">=", up), (2, 7, lo, ">=", up), (1, 2, lo, ">=", up)]
    assert _vectorised(rows) == [(False, 1), (False, 1), (True, 0), (False, None)]
    assert [gap_persons(*r) for r in rows] == [1, 1, 0, None]
    assert target_met(3 / 7, 0.25, ">=", 0.35) is False
    assert target_met(3 / 7, 0.25, ">=") is True  # the lower bound alone would call it met
    assert above_range(3 / 7, 0.35) and not above_range(1 / 7, 0.35)


def test_hand_worked_cases():
    # 7 of 10 against >= 70 %: 7*100 >= 70*10, met, nobody short.
    # 6 of 9 against >= 70 %: need ceil(0.7*9) = ceil(6.3) = 7, so 1 short.
    # 18 of 20 against <= 90 % (headcount): 18 <= 18, met; 19 of 20: 19 - 18 = 1 to reduce.
    # 1 of 3 against == 50 %: 1.5 people is never reachable, gap None.
    rows = [
        (7, 10, Fraction(7, 10), ">="),
        (6, 9, Fraction(7, 10), ">="),
        (18, 20, Fraction(9, 10), "<="),
        (19, 20, Fraction(9, 10), "<="),
        (1, 3, Fraction(1, 2), "=="),
    ]
    assert _vectorised(rows) == [(True, 0), (False, 1), (True, 0), (False, 1), (False, None)]
    assert [gap_persons(*r) for r in rows] == [0, 1, 0, 1, None]
