"""History when units merge, and a level that ends: the indicators stage's unit rows on
today's units or on the units as they were, and the carried value of a level with no unit left.

Counting is :mod:`cadre_analytics.indicators`'s (``count_table``, ``flag_lazy``); this module
only says which people count in which unit (:mod:`cadre_analytics.units`).
"""

from __future__ import annotations

import polars as pl

from cadre_analytics import units as unit_life
from cadre_analytics.indicators import (
    ALL_UNITS,
    HISTORY_AS_THEY_WERE,
    count_table,
    flag_lazy,
)
from cadre_analytics.params import QuotaRules


def counts_on_units(
    counts: pl.DataFrame,
    people: pl.LazyFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    years: list[int],
    year: int,
    history: str,
) -> pl.DataFrame:
    """The unit rows of ``counts`` (counted on the epochs as they were) replaced by those of
    ``history``; the whole-district rows are kept."""
    whole = counts.filter(pl.col("unit") == ALL_UNITS)
    if history == HISTORY_AS_THEY_WERE:
        live = pl.concat(
            [
                unit_life.units_of_year(units, y).select(
                    pl.col("code").alias("unit"), pl.lit(y, pl.Int32).alias("year")
                )
                for y in years
            ]
        )
        per_unit = counts.join(live, on=["unit", "year"], how="semi")
        return pl.concat([whole, _measured_units(per_unit, people)])
    today = unit_life.units_of_year(units, year)
    moved = people.with_columns(unit_life.rebase_expr(units, year)).filter(
        pl.col("unit").is_not_null()
    )
    per_unit = count_table(flag_lazy(moved, today, rules), today, rules, years).collect()
    pooled = unit_life.rebased_years(units, year, years).with_columns(pl.lit(True).alias("rebased"))
    per_unit = (
        per_unit.filter(pl.col("unit") != ALL_UNITS)
        .join(pooled, on=["unit", "year"], how="left")
        .with_columns(pl.col("rebased").fill_null(False))
    )
    return pl.concat([whole, _measured_units(per_unit, moved).select(whole.columns)])


def _measured_units(per_unit: pl.DataFrame, people: pl.LazyFrame) -> pl.DataFrame:
    """The unit rows without those of a unit whose people are in none of the level's
    populations in any year: a school that moved to the commune level in 2025 is not a
    commune. A unit with nobody at all keeps its 0/0 rows, so an empty commune still shows."""
    staffed = people.select("unit").unique().collect()
    counted = per_unit.group_by("level", "unit").agg((pl.col("denominator") > 0).any().alias("_n"))
    elsewhere = counted.filter(~pl.col("_n")).join(staffed, on="unit", how="semi")
    return per_unit.join(elsewhere.select("level", "unit"), on=["level", "unit"], how="anti")


def carry_closed_levels(table: pl.DataFrame, units: pl.DataFrame, year: int) -> pl.DataFrame:
    """For a level that ended before 31/12/``year`` (no unit of it left), the whole-district
    row of ``year`` carries the last snapshot that measured someone (``carried_from``), and
    every row of its quotas says the day it closed (``closed_on``)."""
    closed = unit_life.closed_levels(units, year)
    table = table.with_columns(
        pl.col("level")
        .replace_strict(closed, default=None, return_dtype=pl.Date)
        .alias("closed_on")
    )
    if not closed:
        return table.with_columns(pl.lit(None, pl.Int32).alias("carried_from"))
    measured = (
        table.filter(
            pl.col("closed_on").is_not_null()
            & (pl.col("unit") == ALL_UNITS)
            & (pl.col("year") < year)
            & (pl.col("denominator").fill_null(0) > 0)
        )
        .sort("year")
        .group_by("indicator", "target_year")
        .last()
        .with_columns(
            pl.col("year").cast(pl.Int32).alias("carried_from"),
            pl.lit(year, pl.Int32).alias("year"),
        )
    )
    keys = ["indicator", "unit", "year", "target_year"]
    rest = table.join(measured.select(keys), on=keys, how="anti")
    rest = rest.with_columns(pl.lit(None, pl.Int32).alias("carried_from"))
    return pl.concat([rest, measured.select(rest.columns)])
