"""How suppressed breakdown cells read (the rule itself: tests/test_suppression.py)."""

import polars as pl

from cadre_analytics.report.equity import breakdown_cell, breakdown_table
from cadre_analytics.suppression import suppress_breakdowns


def _frame(rows):
    return pl.DataFrame(
        rows,
        schema=["indicator", "unit", "year", "dimension", "group", "numerator", "denominator"],
        orient="row",
    ).with_columns((pl.col("numerator") / pl.col("denominator")).alias("share"))


FRAME = suppress_breakdowns(
    _frame(
        [
            # women: 3 people (primary, "<5"); men hidden too, or 23 - 3 would give it back
            ("q1", "ALL", 2025, "gender", "male", 12, 20),
            ("q1", "ALL", 2025, "gender", "female", 1, 3),
            # age: <30 has 2 meeting (primary); 40-49 has 1 NOT meeting (7 of 8, primary);
            # with two hidden, nothing else is needed
            ("q1", "ALL", 2025, "age_band", "<30", 2, 10),
            ("q1", "ALL", 2025, "age_band", "30-39", 6, 12),
            ("q1", "ALL", 2025, "age_band", "40-49", 7, 8),
            ("q1", "ALL", 2025, "age_band", "50+", 0, 6),
            # nothing small: shown as it is
            ("q2", "ALL", 2025, "gender", "male", 20, 30),
            ("q2", "ALL", 2025, "gender", "female", 10, 25),
        ]
    ),
    5,
    "Kinh",
)


def _rows():
    return {(r["indicator"], r["dimension"], r["group"]): r for r in FRAME.iter_rows(named=True)}


def test_displayed_cells_state_only_true_bounds():
    rows = _rows()
    assert breakdown_cell(rows[("q1", "gender", "female")], "vi").text == "ẩn (<5/<5)"
    # the men's 12 of 20 is hidden to protect the women: no "<5" for it
    assert breakdown_cell(rows[("q1", "gender", "male")], "vi").text == "ẩn (ẩn/ẩn)"
    assert breakdown_cell(rows[("q1", "age_band", "<30")], "en").text == "hidden (<5/10)"
    # 7 of 8: the 7 is not small, the 1 who does not meet it is: hidden without a bound
    assert breakdown_cell(rows[("q1", "age_band", "40-49")], "vi").text == "ẩn (ẩn/8)"
    assert breakdown_cell(rows[("q1", "age_band", "30-39")], "vi").text == "50,0% (6/12)"
    assert breakdown_cell(rows[("q2", "gender", "female")], "en").text == "40.0% (10/25)"


def test_table_shows_no_suppressed_number():
    html = breakdown_table(FRAME, "gender", 2025, "vi")
    assert "40,0% (10/25)" in html and "&lt;5" in html
    assert "(1/3)" not in html and "(12/20)" not in html and "60,0%" not in html
    assert "<th" in html and "<caption>" in html


def test_two_dimensions_side_by_side_under_one_header():
    # gender (female, male) then age (<30, 30-39, 40-49, 50+): 1 + 2 + 4 columns a row
    html = breakdown_table(FRAME, ("gender", "age_band"), 2025, "vi")
    assert '<th scope="colgroup" colspan="2">Giới tính</th>' in html
    assert '<th scope="colgroup" colspan="4">Nhóm tuổi</th>' in html
    q2 = html.split("<tbody>")[1].split("</tr>")[1]  # q2 has no age rows: four dashes
    assert q2.count("<td") == 6 and q2.count("—") == 4 and "40,0% (10/25)" in q2
    assert "theo giới tính và nhóm tuổi năm 2025" in html
    # the same cells as the one-dimension tables: nothing hidden is shown
    assert "(1/3)" not in html and "(12/20)" not in html and "(7/8)" not in html


def test_dimensions_are_paired_and_the_rest_get_a_table_each():
    from cadre_analytics.report.equity import table_groups

    assert table_groups(["age_band", "gender", "ethnicity", "disability"]) == [
        ("gender", "age_band"),
        ("ethnicity",),
        ("disability",),
    ]
