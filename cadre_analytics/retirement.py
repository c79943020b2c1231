"""The statutory retirement date (Labour Code 2019 art. 169, Decree 135/2020).

The schedule (``params/retirement.yaml``) gives, per calendar year, the retirement age in force
for people who reach that age in that year. A person retires at the end of the month in which the
age in force *in the year they reach it* is reached: a man born 12/1963 reaches 61y0m in 12/2024,
when 61y0m is the 2024 age, so he retires on 31/12/2024 even though the 2025 age (61y3m) would
also be reached in 2025.

Who is on the 31 December roster of a year: a person retiring on date D serves that day, so
they are on the roster of year Y exactly when D >= 31/12/Y (a man born 06/1965 retires on
31/12/2026 and is counted on 31/12/2026; one retiring 30/11/2026 is not). The data contract
(a warning for people still listed after that date) and the projection (the year a person
leaves) both read :func:`on_year_end_roster`; a person without a retirement date (birth date or
gender missing) is kept on every roster.

Everything is computed per birth month (a few hundred months per gender), then applied to the
people with a polars ``replace_strict``: no Python loop over people.
"""

from __future__ import annotations

import polars as pl

from cadre_analytics.params import RetirementSchedule

GENDERS = ("male", "female")


def age_in_force(schedule: RetirementSchedule, gender: str, year: int) -> int:
    """Retirement age in months in force in calendar ``year`` for ``gender``."""
    table = schedule.ages[gender]
    first, last = min(table), max(table)
    if year < first:
        return schedule.before_first_year[gender]
    if year > last:
        return table[last]
    return table[year]


def retirement_month(schedule: RetirementSchedule, gender: str, birth_month: int) -> int:
    """Month index (year * 12 + month - 1) of retirement for one birth month index.

    The smallest year Y whose age A(Y), added to the birth month, falls in Y. Because the age
    rises by less than 12 months a year (checked when loading), year(birth + A(Y)) - Y never
    rises and steps down by at most 1, so such a Y exists.
    """
    year = (birth_month + age_in_force(schedule, gender, -(10**6))) // 12
    while (birth_month + age_in_force(schedule, gender, year)) // 12 != year:
        year += 1
    return birth_month + age_in_force(schedule, gender, year)


def _birth_month_range(schedule: RetirementSchedule, gender: str) -> tuple[int, int]:
    """Birth months whose retirement year may fall inside the table (outside: closed form)."""
    table = schedule.ages[gender]
    first, last = min(table), max(table)
    lo = (first - 1) * 12 - table[last] - 12
    hi = (last + 1) * 12 - schedule.before_first_year[gender] + 12
    return lo, hi


def retirement_table(schedule: RetirementSchedule) -> pl.DataFrame:
    """Birth month -> retirement month for every birth month the schedule table can affect.

    Columns: gender, birth_year, birth_month, retire_year, retire_month, age_years, age_months.
    Handy for checking the schedule against the Decree's appendix by eye.
    """
    rows = []
    for gender in GENDERS:
        lo, hi = _birth_month_range(schedule, gender)
        for bm in range(lo, hi + 1):
            rm = retirement_month(schedule, gender, bm)
            rows.append(
                (
                    gender,
                    bm // 12,
                    bm % 12 + 1,
                    rm // 12,
                    rm % 12 + 1,
                    (rm - bm) // 12,
                    (rm - bm) % 12,
                )
            )
    return pl.DataFrame(
        rows,
        schema={
            "gender": pl.Utf8,
            "birth_year": pl.Int32,
            "birth_month": pl.Int32,
            "retire_year": pl.Int32,
            "retire_month": pl.Int32,
            "age_years": pl.Int32,
            "age_months": pl.Int32,
        },
        orient="row",
    )


def _gender_month_expr(bm: pl.Expr, schedule: RetirementSchedule, gender: str) -> pl.Expr:
    lo, hi = _birth_month_range(schedule, gender)
    keys = list(range(lo, hi + 1))
    values = [retirement_month(schedule, gender, k) for k in keys]
    table = schedule.ages[gender]
    return (
        pl.when(bm < lo)
        .then(bm + schedule.before_first_year[gender])
        .when(bm > hi)
        .then(bm + table[max(table)])
        .otherwise(bm.replace_strict(keys, values, default=None, return_dtype=pl.Int64))
    )


def retirement_month_expr(
    birth_expr: pl.Expr, gender_expr: pl.Expr, schedule: RetirementSchedule
) -> pl.Expr:
    """Retirement month as an index ``year * 12 + month - 1`` (Int64); null if unknown."""
    bm = birth_expr.dt.year().cast(pl.Int64) * 12 + birth_expr.dt.month().cast(pl.Int64) - 1
    return (
        pl.when(gender_expr == "male")
        .then(_gender_month_expr(bm, schedule, "male"))
        .when(gender_expr == "female")
        .then(_gender_month_expr(bm, schedule, "female"))
        .otherwise(pl.lit(None, dtype=pl.Int64))
    )


def retirement_date_expr(
    birth_expr: pl.Expr, gender_expr: pl.Expr, schedule: RetirementSchedule
) -> pl.Expr:
    """Date of the last day of the month in which the statutory age is reached.

    Null where the birth date or the gender ("male"/"female") is null or unknown.
    """
    rm = retirement_month_expr(birth_expr, gender_expr, schedule)
    return pl.date(rm // 12, rm % 12 + 1, 1).dt.month_end()


def with_retirement_date(
    frame: pl.DataFrame,
    schedule: RetirementSchedule,
    *,
    birth_col: str = "birth_date",
    gender_col: str = "gender",
    out_col: str = "retirement_date",
) -> pl.DataFrame:
    """Add ``retirement_date`` (pl.Date) computed from ``birth_date`` and ``gender``."""
    return frame.with_columns(
        retirement_date_expr(pl.col(birth_col), pl.col(gender_col), schedule).alias(out_col)
    )


def on_year_end_roster(retirement_date: pl.Expr, year: pl.Expr | int) -> pl.Expr:
    """Is a person retiring on ``retirement_date`` still on the 31 December roster of ``year``?

    True when the retirement date is 31 December of that year or later (the person serves
    their last day); True when the date is unknown (no retirement applied).
    """
    return (retirement_date >= pl.date(year, 12, 31)).fill_null(True)


def off_roster_year_expr(retirement_date: pl.Expr) -> pl.Expr:
    """The first year whose 31 December roster no longer holds the person (Int32; null when
    the retirement date is unknown): the retirement year, or the next one for someone who
    retires on 31 December and so is still on that year's roster."""
    year = retirement_date.dt.year()
    stays = on_year_end_roster(retirement_date, year).cast(pl.Int32)
    return (year.cast(pl.Int32) + stays).cast(pl.Int32)


RETIREMENT_LIST_COLUMNS = (
    "retirement_year",
    "unit",
    "staff_id",
    "full_name",
    "staff_type",
    "position",
    "retirement_date",
)


def retirements(
    staff: pl.DataFrame, schedule: RetirementSchedule, year: int, last_year: int
) -> pl.DataFrame:
    """Who on the ``year`` roster reaches the statutory retirement date in each year from
    ``year + 1`` to ``last_year``: person-level (restricted), one row per person, sorted by
    year, unit and date.  Retirements dated in ``year`` itself belong to the year reported
    on, not to the years ahead.  People without a birth date or gender have no date."""
    roster = with_retirement_date(staff.filter(pl.col("snapshot_year") == year), schedule)
    return (
        roster.with_columns(
            pl.col("retirement_date").dt.year().cast(pl.Int32).alias("retirement_year")
        )
        .filter(pl.col("retirement_year").is_between(year + 1, last_year))
        .select(*RETIREMENT_LIST_COLUMNS)
        .sort("retirement_year", "unit", "retirement_date", "staff_id")
    )


def retirement_counts(people: pl.DataFrame) -> pl.DataFrame:
    """People retiring per year and unit (from :func:`retirements`), with a whole-district
    row ``unit = ALL`` per year: restricted too, since a unit's count can be one person."""
    by_unit = people.group_by("retirement_year", "unit").agg(
        pl.len().cast(pl.Int64).alias("people")
    )
    whole = people.group_by("retirement_year").agg(
        pl.lit("ALL").alias("unit"), pl.len().cast(pl.Int64).alias("people")
    )
    return pl.concat([whole, by_unit]).sort("retirement_year", pl.col("unit") != "ALL", "unit")
