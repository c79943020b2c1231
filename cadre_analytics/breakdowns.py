"""The equity breakdowns: each share quota of the report year by gender, ethnic group and age
band, for the whole scope and each unit (raw counts; :mod:`cadre_analytics.suppression` hides
small cells before anything leaves the machine)."""

from __future__ import annotations

import polars as pl

from cadre_analytics import indicators
from cadre_analytics.params import QuotaRules
from cadre_analytics.schema import BREAKDOWN_COUNTS

DIMENSIONS = ("gender", "ethnic_majority", "ethnicity", "age_band")


def _age_band_expr(year: int, starts: tuple[int, ...]) -> pl.Expr:
    # Age at 31 December of the year: everyone born in year B has had the birthday by then.
    age = pl.lit(year) - pl.col("birth_date").dt.year().cast(pl.Int32)
    expr = pl.when(pl.col("birth_date").is_null()).then(pl.lit(indicators.UNKNOWN_GROUP))
    expr = expr.when(age < starts[0]).then(pl.lit(f"<{starts[0]}"))
    for low, high in zip(starts, starts[1:], strict=False):
        expr = expr.when(age < high).then(pl.lit(f"{low}-{high - 1}"))
    return expr.otherwise(pl.lit(f"{starts[-1]}+")).alias("age_band")


def _ethnic_key() -> pl.Expr:
    return pl.col("ethnicity").str.strip_chars().str.to_lowercase()


def _with_groups(people: pl.LazyFrame, rules: QuotaRules, year: int) -> pl.LazyFrame:
    """Each person's gender, majority/minority, minority name and age band (unknown if blank)."""
    unknown = pl.lit(indicators.UNKNOWN_GROUP)
    majority = rules.majority_ethnicity.strip().lower()
    people = people.with_columns(
        pl.col("gender").fill_null(unknown).alias("_gender"),
        pl.when(pl.col("ethnicity").is_null() | (_ethnic_key() == ""))
        .then(unknown)
        .when(_ethnic_key() == majority)
        .then(pl.lit("majority"))
        .otherwise(pl.lit("minority"))
        .alias("_ethnic_majority"),
        _age_band_expr(year, rules.age_band_starts),
    )
    return people.with_columns(
        pl.when(pl.col("_ethnic_majority") == "minority")
        .then(pl.col("ethnicity").str.strip_chars())
        .alias("_minority_name")
    )


def _largest_minorities(cells: pl.DataFrame, how_many: int) -> list[str]:
    """The largest minority groups among everyone counted in some quota this year."""
    return (
        cells.filter(pl.col("_minority_name").is_not_null())
        .group_by("_minority_name")
        .agg(pl.col("_in_any").sum().alias("n"))
        .filter(pl.col("n") > 0)
        .sort(["n", "_minority_name"], descending=[True, False])
        .head(how_many)
        .get_column("_minority_name")
        .to_list()
    )


def compute_breakdowns(
    staff: pl.DataFrame,
    training: pl.DataFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    year: int,
) -> pl.DataFrame:
    """Each share indicator of the ``year`` snapshot by gender, ethnic group and age band.

    Columns ``schema.BREAKDOWN_COUNTS``; ``dimension`` is one of :data:`DIMENSIONS`:
    ``gender`` (male/female/unknown), ``ethnic_majority`` (majority/minority/unknown, majority
    = ``breakdowns.majority_ethnicity``), ``ethnicity`` (the majority group, the N largest
    minority groups by name as written, ``other_minority``, ``unknown``), ``age_band`` (<30,
    30-39, 40-49, 50+ at 31 December, unknown). Raw counts for ALL and each unit. The headcount
    ratio has no breakdown (a ratio of two years' rosters does not split by person).
    """
    share_ids = [i.id for i in rules.indicators if i.kind == "share"]
    staff_lf = staff.lazy().filter(pl.col("snapshot_year") == year)
    people = indicators.with_updated_by_snapshot(staff_lf, training.lazy(), rules)
    keep = ("_gender", "_ethnic_majority", "_minority_name", "age_band")
    flags = indicators.flag_lazy(_with_groups(people, rules, year), units, rules, keep=keep)
    in_any = pl.any_horizontal([pl.col(indicators.pop_col(i)) for i in share_ids])
    # One pass over people: counts per unit x every combination of the groups. The counts are
    # summed again per dimension below, which gives the same totals as counting people.
    flag_cols = [
        c for i in rules.indicators for c in (indicators.pop_col(i.id), indicators.num_col(i.id))
    ]
    cells = (
        flags.group_by("snapshot_year", "unit", "unit_level", *keep)
        .agg(*[pl.col(c).sum() for c in flag_cols], in_any.sum().alias("_in_any"))
        .collect()
    )
    largest = _largest_minorities(cells, rules.largest_ethnic_groups)
    cells_lf = cells.lazy().with_columns(
        pl.when(pl.col("_ethnic_majority") == "majority")
        .then(pl.lit(rules.majority_ethnicity))
        .when(pl.col("_ethnic_majority") == indicators.UNKNOWN_GROUP)
        .then(pl.lit(indicators.UNKNOWN_GROUP))
        .when(pl.col("_minority_name").is_in(largest))
        .then(pl.col("_minority_name"))
        .otherwise(pl.lit("other_minority"))
        .alias("_ethnicity"),
    )
    columns = ("_gender", "_ethnic_majority", "_ethnicity", "age_band")
    parts = [
        indicators.count_table(cells_lf, units, rules, [year], extra_by=(column,))
        .filter(pl.col("indicator").is_in(share_ids))
        .select(
            "indicator",
            "level",
            "unit",
            "unit_name",
            "year",
            pl.lit(dimension).alias("dimension"),
            pl.col(column).alias("group"),
            "numerator",
            "denominator",
        )  # fmt: skip
        for dimension, column in zip(DIMENSIONS, columns, strict=True)
    ]
    table = (
        pl.concat(parts, how="vertical")
        .filter(pl.col("denominator") > 0)
        .with_columns((pl.col("numerator") / pl.col("denominator")).alias("share"))
        .collect()
    )
    return indicators.sort_table(table, rules).select(list(BREAKDOWN_COUNTS)).cast(BREAKDOWN_COUNTS)
