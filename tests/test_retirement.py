"""Retirement schedule against Decree 135/2020 appendix rows, worked out by hand.

Each case: (gender, birth date) -> (retirement date, age at retirement). The age in force is
the one of the calendar year the person reaches it:
men 60y3m (2021) +3m/year to 62y (2028+); women 55y4m (2021) +4m/year to 60y (2035+);
before 2021: 60y / 55y.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from cadre_analytics import retirement
from cadre_analytics.errors import ParamsError
from cadre_analytics.params import load_retirement_schedule

D = dt.date

CASES = [
    # men, appendix I rows
    ("male", D(1960, 12, 10), D(2020, 12, 31)),  # 60y0m reached 12/2020 (before 2021 rule)
    ("male", D(1961, 1, 1), D(2021, 4, 30)),  # 2021 row: born 01/1961-09/1961 at 60y3m
    ("male", D(1961, 9, 30), D(2021, 12, 31)),  # last month of the 2021 row
    ("male", D(1961, 10, 1), D(2022, 4, 30)),  # 2022 row starts: 60y6m
    ("male", D(1963, 12, 5), D(2024, 12, 31)),  # 61y0m reached 12/2024 -> 2024 age applies
    ("male", D(1964, 1, 15), D(2025, 4, 30)),  # 2025 row: born 01/1964-09/1964 at 61y3m
    ("male", D(1964, 9, 20), D(2025, 12, 31)),  # last month of the 2025 row
    ("male", D(1964, 10, 1), D(2026, 4, 30)),  # 2026 row: 61y6m
    ("male", D(1966, 3, 31), D(2027, 12, 31)),  # 2027 row last month: 61y9m
    ("male", D(1966, 4, 1), D(2028, 4, 30)),  # from 04/1966: 62y0m
    ("male", D(1980, 7, 14), D(2042, 7, 31)),  # long after the table: 62y0m
    # women, appendix II rows
    ("female", D(1965, 12, 31), D(2020, 12, 31)),  # 55y0m reached 12/2020
    ("female", D(1966, 1, 1), D(2021, 5, 31)),  # 2021 row: born 01/1966-08/1966 at 55y4m
    ("female", D(1966, 8, 15), D(2021, 12, 31)),  # last month of the 2021 row
    ("female", D(1966, 9, 1), D(2022, 5, 31)),  # 2022 row: 55y8m
    ("female", D(1967, 4, 30), D(2022, 12, 31)),  # last month of the 2022 row
    ("female", D(1967, 5, 1), D(2023, 5, 31)),  # 2023 row: 56y0m
    ("female", D(1968, 8, 10), D(2024, 12, 31)),  # 2024 row last month: 56y4m
    ("female", D(1968, 9, 1), D(2025, 5, 31)),  # 2025 row: born 09/1968-04/1969 at 56y8m
    ("female", D(1969, 4, 30), D(2025, 12, 31)),  # last month of the 2025 row
    ("female", D(1969, 5, 1), D(2026, 5, 31)),  # 2026 row: 57y0m
    ("female", D(1975, 4, 1), D(2034, 12, 31)),  # 2034 row (05/1974-04/1975) last month: 59y8m
    ("female", D(1975, 5, 1), D(2035, 5, 31)),  # from 05/1975: 60y0m
    ("female", D(1980, 6, 2), D(2040, 6, 30)),  # after the table: 60y0m
]


@pytest.fixture(scope="module")
def schedule():
    return load_retirement_schedule()


def test_appendix_rows(schedule):
    frame = pl.DataFrame(
        {"gender": [c[0] for c in CASES], "birth_date": [c[1] for c in CASES]},
        schema={"gender": pl.Utf8, "birth_date": pl.Date},
    )
    got = retirement.with_retirement_date(frame, schedule)["retirement_date"].to_list()
    expected = [c[2] for c in CASES]
    for case, g, e in zip(CASES, got, expected, strict=True):
        assert g == e, f"{case[0]} born {case[1]}: got {g}, expected {e}"


def test_ages_at_retirement(schedule):
    table = retirement.retirement_table(schedule)

    def age(gender, year, month):
        row = table.filter(
            (pl.col("gender") == gender)
            & (pl.col("birth_year") == year)
            & (pl.col("birth_month") == month)
        )
        return row["age_years"].item(), row["age_months"].item(), row["retire_year"].item()

    assert age("male", 1964, 1) == (61, 3, 2025)
    assert age("male", 1964, 9) == (61, 3, 2025)
    assert age("male", 1963, 12) == (61, 0, 2024)
    assert age("male", 1966, 4) == (62, 0, 2028)
    assert age("male", 1970, 1) == (62, 0, 2032)
    assert age("female", 1968, 9) == (56, 8, 2025)
    assert age("female", 1969, 4) == (56, 8, 2025)
    assert age("female", 1968, 8) == (56, 4, 2024)
    assert age("female", 1970, 5) == (57, 4, 2027)  # 2027 row: born 01/1970-08/1970
    assert age("female", 1970, 9) == (57, 8, 2028)  # 2028 row starts: 57y8m reached 05/2028
    assert age("female", 1975, 1) == (59, 8, 2034)
    assert age("female", 1975, 5) == (60, 0, 2035)


def test_nulls_and_unknown_gender(schedule):
    frame = pl.DataFrame(
        {"gender": ["male", None, "other"], "birth_date": [None, D(1970, 1, 1), D(1970, 1, 1)]},
        schema={"gender": pl.Utf8, "birth_date": pl.Date},
    )
    got = retirement.with_retirement_date(frame, schedule)["retirement_date"].to_list()
    assert got == [None, None, None]


def test_expression_is_lazy_friendly(schedule):
    lf = pl.LazyFrame({"gender": ["female"], "birth_date": [D(1968, 9, 1)]})
    out = lf.select(
        retirement.retirement_date_expr(pl.col("birth_date"), pl.col("gender"), schedule)
    ).collect()
    assert out.item() == D(2025, 5, 31)


def test_bad_schedule_is_clear_error(tmp_path):
    bad = tmp_path / "retirement.yaml"
    bad.write_text(
        "before_first_year: {male: {years: 60, months: 0}, female: {years: 55, months: 0}}\n"
        "ages:\n"
        "  2021: {male: {years: 60, months: 3}, female: {years: 55, months: 4}}\n"
        "  2022: {male: {years: 61, months: 6}, female: {years: 55, months: 8}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParamsError, match="2022"):
        load_retirement_schedule(bad)
    bad.write_text(
        "before_first_year: {male: {years: 60, months: 0}, female: {years: 55, months: 0}}\n"
        "ages:\n"
        "  2021: {male: {years: 60, months: 3}, femal: {years: 55, months: 4}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParamsError, match="female"):
        load_retirement_schedule(bad)


# The 31 December roster rule at the boundary months (ages in force: men 60y3m in 2021 +3m a
# year to 62y0m from 2028; women 55y4m in 2021 +4m a year to 60y0m from 2035).
# (gender, birth date, retirement date, first year whose 31/12 roster no longer holds them)
ROSTER_CASES = [
    # man 06/1965: 2026 age 61y6m -> 12/2026: serves 31/12/2026, so counted in 2026
    ("male", D(1965, 6, 10), D(2026, 12, 31), 2027),
    # man 01/1965: 01/1965 + 61y6m = 07/2026
    ("male", D(1965, 1, 1), D(2026, 7, 31), 2026),
    # man 07/1965: +61y6m = 01/2027 is not 2026; 2027 age 61y9m -> 04/2027
    ("male", D(1965, 7, 1), D(2027, 4, 30), 2027),
    # man 12/1965: 2027 age 61y9m -> 09/2027
    ("male", D(1965, 12, 31), D(2027, 9, 30), 2027),
    # transition start: man 09/1961 + 60y3m = 12/2021; 01/1961 -> 04/2021
    ("male", D(1961, 9, 30), D(2021, 12, 31), 2022),
    ("male", D(1961, 1, 1), D(2021, 4, 30), 2021),
    # woman 12/1969: 2026 age 57y0m -> 12/2026
    ("female", D(1969, 12, 1), D(2026, 12, 31), 2027),
    # woman 01/1970: 2027 age 57y4m -> 05/2027; 06/1970 -> 10/2027; 07/1970 -> 11/2027
    ("female", D(1970, 1, 20), D(2027, 5, 31), 2027),
    ("female", D(1970, 6, 30), D(2027, 10, 31), 2027),
    ("female", D(1970, 7, 1), D(2027, 11, 30), 2027),
    # transition end: woman 04/1975 + 59y8m (2034) = 12/2034; 05/1975 + 60y0m = 05/2035
    ("female", D(1975, 4, 1), D(2034, 12, 31), 2035),
    ("female", D(1975, 5, 1), D(2035, 5, 31), 2035),
]


def test_year_end_roster_at_the_boundary_months(schedule):
    frame = pl.DataFrame(
        {"gender": [c[0] for c in ROSTER_CASES], "birth_date": [c[1] for c in ROSTER_CASES]},
        schema={"gender": pl.Utf8, "birth_date": pl.Date},
    )
    got = retirement.with_retirement_date(frame, schedule).with_columns(
        retirement.off_roster_year_expr(pl.col("retirement_date")).alias("off"),
    )
    for case, rd, off in zip(ROSTER_CASES, got["retirement_date"], got["off"], strict=True):
        assert (rd, off) == (case[2], case[3]), f"{case[0]} born {case[1]}"
    # on the roster of every year before the off-roster year, of none from it on
    for year in range(2020, 2037):
        on = got.select(retirement.on_year_end_roster(pl.col("retirement_date"), year))
        assert on.to_series().to_list() == [year < c[3] for c in ROSTER_CASES], year


def test_unknown_retirement_date_stays_on_every_roster():
    frame = pl.DataFrame({"rd": [None]}, schema={"rd": pl.Date})
    out = frame.select(
        retirement.on_year_end_roster(pl.col("rd"), 2026).alias("on"),
        retirement.off_roster_year_expr(pl.col("rd")).alias("off"),
    )
    assert out.row(0) == (True, None)
