"""Small-cell suppression of the equity breakdowns, expected flags worked out by hand."""

import polars as pl

from cadre_analytics.report.tables import breakdown_cell, breakdown_table, suppress_breakdown


def _frame(rows):
    return pl.DataFrame(
        rows,
        schema=["indicator", "unit", "year", "dimension", "group", "numerator", "denominator"],
        orient="row",
    ).with_columns((pl.col("numerator") / pl.col("denominator")).alias("share"))


def _flags(out, indicator, dimension):
    part = out.filter(
        (pl.col("indicator") == indicator)
        & (pl.col("dimension") == dimension)
        & (pl.col("unit") == "ALL")
    )
    return {
        r["group"]: (r["den_suppressed"], r["num_suppressed"]) for r in part.iter_rows(named=True)
    }


FRAME = _frame(
    [
        # q1 gender: women 3 people (1 qualifying) -> whole row hidden; the men's row is the
        # only other cell and would give it back from the total (23) -> hidden too.
        ("q1", "ALL", 2025, "gender", "male", 12, 20),
        ("q1", "ALL", 2025, "gender", "female", 1, 3),
        # q1 age: sizes all >= 5; <30 has 2 qualifying -> count hidden; the smallest other
        # non-zero count (30-39: 6; 50+ has 0 which hides nothing) is hidden as well.
        ("q1", "ALL", 2025, "age_band", "<30", 2, 10),
        ("q1", "ALL", 2025, "age_band", "30-39", 6, 12),
        ("q1", "ALL", 2025, "age_band", "40-49", 7, 8),
        ("q1", "ALL", 2025, "age_band", "50+", 0, 6),
        # q2 gender: nothing below 5 -> nothing hidden.
        ("q2", "ALL", 2025, "gender", "male", 30, 30),
        ("q2", "ALL", 2025, "gender", "female", 10, 25),
        # q3 ethnicity: two small groups hide each other; the big group stays visible.
        ("q3", "ALL", 2025, "ethnicity", "Kinh", 21, 30),
        ("q3", "ALL", 2025, "ethnicity", "K'Ho", 2, 3),
        ("q3", "ALL", 2025, "ethnicity", "Mạ", 4, 4),
        # A commune: same rule, groups of the commune only (not mixed with ALL).
        ("q1", "X01", 2025, "gender", "male", 5, 9),
        ("q1", "X01", 2025, "gender", "female", 0, 6),
    ]
)


def test_primary_and_secondary_suppression_by_hand():
    out = suppress_breakdown(FRAME)
    assert _flags(out, "q1", "gender") == {"male": (True, True), "female": (True, True)}
    assert _flags(out, "q1", "age_band") == {
        "<30": (False, True),
        "30-39": (False, True),
        "40-49": (False, False),
        "50+": (False, False),
    }
    assert _flags(out, "q2", "gender") == {"male": (False, False), "female": (False, False)}
    assert _flags(out, "q3", "ethnicity") == {
        "Kinh": (False, False),
        "K'Ho": (True, True),
        "Mạ": (True, True),
    }


def test_commune_groups_are_suppressed_within_the_commune():
    out = suppress_breakdown(FRAME).filter(pl.col("unit") == "X01")
    flags = {r["group"]: (r["den_suppressed"], r["num_suppressed"]) for r in out.to_dicts()}
    # sizes 9 and 6 shown; counts 5 and 0 shown: nothing between 1 and 4.
    assert flags == {"male": (False, False), "female": (False, False)}


def test_no_hidden_value_can_be_recovered_from_the_total():
    out = suppress_breakdown(FRAME)
    for _, part in out.group_by(["indicator", "unit", "dimension"]):
        for column in ("den_suppressed", "num_suppressed"):
            hidden = part[column].sum()
            assert hidden != 1, f"exactly one hidden cell in {part.row(0)}"


def test_displayed_cells():
    out = suppress_breakdown(FRAME).filter(pl.col("unit") == "ALL")
    rows = {(r["indicator"], r["dimension"], r["group"]): r for r in out.iter_rows(named=True)}
    assert breakdown_cell(rows[("q1", "gender", "female")], "vi").text == "ẩn (<5/<5)"
    assert breakdown_cell(rows[("q1", "age_band", "<30")], "en").text == "hidden (<5/10)"
    assert breakdown_cell(rows[("q1", "age_band", "40-49")], "vi").text == "87,5% (7/8)"
    assert breakdown_cell(rows[("q2", "gender", "female")], "en").text == "40.0% (10/25)"


def test_table_shows_no_suppressed_number():
    out = suppress_breakdown(FRAME.filter(pl.col("unit") == "ALL"))
    html = breakdown_table(out, "ethnicity", 2025, "vi")
    assert "70,0% (21/30)" in html
    assert "&lt;5" in html
    assert "(2/3)" not in html and "(4/4)" not in html and "66,7%" not in html
    assert "<th" in html and "<caption>" in html
