"""Small-cell suppression, attacked: no hidden count may be worked back from what is shown.

The attack knows every shown cell, the published total (the summary shows numerator and
denominator of the whole scope), that each dimension's groups add up to it, and that the ethnic
dimensions are nested. For each hidden number it asks an integer programme for the smallest and
the largest value consistent with all of that; the cell is recovered when they are equal.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from cadre_analytics.suppression import equations, suppress_breakdowns

MIN_CELL = 5


def _frame(rows):
    return pl.DataFrame(
        [("q", "ALL", 2025, d, g, n, den) for d, g, n, den in rows],
        schema=["indicator", "unit", "year", "dimension", "group", "numerator", "denominator"],
        orient="row",
    ).with_columns((pl.col("numerator") / pl.col("denominator")).alias("share"))


def _recovered(raw: pl.DataFrame, shown: pl.DataFrame, total: tuple[int, int]) -> list[str]:
    """Hidden numbers whose value the attack pins down exactly."""
    cells = [(r["dimension"], r["group"]) for r in raw.iter_rows(named=True)]
    true = {(r["dimension"], r["group"]): r for r in raw.iter_rows(named=True)}
    seen = {(r["dimension"], r["group"]): r for r in shown.iter_rows(named=True)}
    # variables: numerator and denominator of every cell
    index = {(c, col): i for i, (c, col) in enumerate((c, k) for c in cells for k in (0, 1))}
    n = len(index)
    rows, low, high = [], [], []

    def add(coefs: dict[int, int], lo: float, hi: float) -> None:
        vector = np.zeros(n)
        for i, v in coefs.items():
            vector[i] += v
        rows.append(vector)
        low.append(lo)
        high.append(hi)

    for c in cells:
        add({index[(c, 0)]: 1, index[(c, 1)]: -1}, -np.inf, 0)  # numerator <= denominator
        for k, name in ((0, "numerator"), (1, "denominator")):
            if seen[c][name] is not None:
                add({index[(c, k)]: 1}, seen[c][name], seen[c][name])
    for whole, parts in equations(cells, "Kinh"):
        for k in (0, 1):
            coefs = {index[(p, k)]: 1 for p in parts}
            if whole is None:
                add(coefs, total[k], total[k])
            else:
                coefs[index[(whole, k)]] = coefs.get(index[(whole, k)], 0) - 1
                add(coefs, 0, 0)
    constraint = LinearConstraint(np.array(rows), low, high)
    found = []
    for (c, k), i in index.items():
        name = ("numerator", "denominator")[k]
        if seen[c][name] is not None:
            continue
        objective = np.zeros(n)
        objective[i] = 1
        bounds = Bounds(0, max(total[1], 1))
        ints = np.ones(n)
        lo = milp(objective, constraints=constraint, integrality=ints, bounds=bounds)
        hi = milp(-objective, constraints=constraint, integrality=ints, bounds=bounds)
        assert lo.success and hi.success
        if round(lo.fun) == round(-hi.fun):
            found.append(f"{c} {name} = {true[c][name]}")
    return found


# The report's own attack: the summary shows 46/192; ethnic_majority hid both cells, but the
# ethnicity table showed Kinh 42/174, so minority = 46 - 42 = 4 people meeting the quota.
REPORT_CASE = [
    ("ethnic_majority", "majority", 42, 174),
    ("ethnic_majority", "minority", 4, 18),
    ("ethnicity", "Kinh", 42, 174),
    ("ethnicity", "K'Ho", 4, 16),
    ("ethnicity", "other_minority", 0, 2),
    ("gender", "female", 16, 74),
    ("gender", "male", 30, 118),
]


def test_the_majority_cell_cannot_give_the_minority_back():
    raw = _frame(REPORT_CASE)
    shown = suppress_breakdowns(raw, MIN_CELL, "Kinh")
    assert _recovered(raw, shown, (46, 192)) == []
    flags = {r["group"]: r["num_suppressed"] for r in shown.iter_rows(named=True)}
    # K'Ho 4 of 16 and minority 4 of 18 are small (primary); other_minority has 2 people.
    assert flags["K'Ho"] and flags["minority"] and flags["other_minority"]
    # With minority hidden, majority = 46 - minority; Kinh is the same cell: both hidden.
    assert flags["majority"] and flags["Kinh"]
    # gender has nothing small: shown as it is
    assert not flags["female"] and not flags["male"]


def test_bounds_are_stated_only_where_true():
    raw = _frame(REPORT_CASE)
    shown = {
        r["group"]: r for r in suppress_breakdowns(raw, MIN_CELL, "Kinh").iter_rows(named=True)
    }
    assert shown["K'Ho"]["num_below"] == MIN_CELL  # 4 < 5: true
    assert shown["Kinh"]["num_below"] is None  # 42 people: hidden to protect, no bound
    assert shown["Kinh"]["numerator"] is None and shown["Kinh"]["share"] is None
    assert shown["other_minority"]["den_below"] == MIN_CELL  # 2 people


def test_a_complement_of_one_to_four_is_hidden():
    # 18 of 20 women meet it: the 2 who do not would be known; men 30 of 40 cover it.
    raw = _frame([("gender", "female", 18, 20), ("gender", "male", 30, 40)])
    shown = suppress_breakdowns(raw, MIN_CELL, "Kinh")
    assert shown["num_suppressed"].to_list() == [True, True]
    assert shown["den_suppressed"].to_list() == [False, False]
    assert _recovered(raw, shown, (48, 60)) == []


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.integers(0, 12)).map(lambda t: (min(t), max(t))),
        min_size=2,
        max_size=4,
    ),
    st.lists(st.integers(0, 12), min_size=2, max_size=2),
)
def test_no_random_table_gives_a_hidden_count_back(ethnic_parts, extra):
    """Kinh + up to three minority groups, the nested majority/minority cells, and gender."""
    names = ["Kinh", "K'Ho", "Mạ", "other_minority"][: len(ethnic_parts)]
    rows = [("ethnicity", g, n, d) for g, (n, d) in zip(names, ethnic_parts, strict=True)]
    kinh_n, kinh_d = ethnic_parts[0]
    minority_n = sum(n for n, _ in ethnic_parts[1:])
    minority_d = sum(d for _, d in ethnic_parts[1:])
    rows += [("ethnic_majority", "majority", kinh_n, kinh_d)]
    rows += [("ethnic_majority", "minority", minority_n, minority_d)]
    total = (kinh_n + minority_n, kinh_d + minority_d)
    women = min(extra[0], total[1])
    # the men must hold the rest: at least total met minus the men's number of people
    women_n = max(min(extra[1], women, total[0]), total[0] - (total[1] - women))
    rows += [("gender", "female", women_n, women)]
    rows += [("gender", "male", total[0] - women_n, total[1] - women)]
    rows = [r for r in rows if r[3] > 0]  # groups with nobody are absent, like the real table
    if not rows:
        return
    raw = _frame(rows)
    shown = suppress_breakdowns(raw, MIN_CELL, "Kinh")
    # every stated bound is true: "<5" only on a hidden count that is itself 1..4
    for shown_row, raw_row in zip(
        shown.iter_rows(named=True), raw.iter_rows(named=True), strict=True
    ):
        if shown_row["den_below"] is not None:
            assert 0 < raw_row["denominator"] < shown_row["den_below"]
        if shown_row["num_below"] is not None:
            assert 0 < raw_row["numerator"] < shown_row["num_below"]
    # a group that is the whole scope says nothing the published total does not
    leaked = [
        item
        for item in _recovered(raw, shown, total)
        if 0 < int(item.rsplit("= ", 1)[1]) < MIN_CELL and int(item.rsplit("= ", 1)[1]) not in total
    ]
    assert leaked == []


@pytest.mark.parametrize("column", ["numerator", "denominator"])
def test_nothing_small_is_left_visible(column):
    raw = _frame(REPORT_CASE)
    shown = suppress_breakdowns(raw, MIN_CELL, "Kinh")
    visible = shown[column].drop_nulls().to_list()
    assert not [v for v in visible if 0 < v < MIN_CELL]
