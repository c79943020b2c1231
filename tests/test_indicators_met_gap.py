"""The one met/gap rule: target_met / gap_persons (scalars) and met_gap_exprs (the
same rule on columns) agree on every small input."""

from __future__ import annotations

from fractions import Fraction

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cadre_analytics.targets import gap_persons, met_gap_exprs, target_met, target_parts

COMPARATORS = (">=", ">", "<=", "==")
# Targets as the programme writes them: whole percents and halves (12.5 %), 0..100.
PERCENTS = st.integers(0, 200).map(lambda halves: Fraction(halves, 2))


def _vectorised(rows: list[tuple[int, int, Fraction, str]]) -> list[tuple]:
    parts = [target_parts(target) for _, _, target, _ in rows]
    frame = pl.DataFrame(
        {
            "numerator": [r[0] for r in rows],
            "denominator": [r[1] for r in rows],
            "_tp": [p for p, _ in parts],
            "_tq": [q for _, q in parts],
            "comparator": [r[3] for r in rows],
        },
        schema={
            "numerator": pl.Int64,
            "denominator": pl.Int64,
            "_tp": pl.Int64,
            "_tq": pl.Int64,
            "comparator": pl.Utf8,
        },
    )
    out = frame.select(met_gap_exprs())
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
