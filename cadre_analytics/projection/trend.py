"""Trend sanity check: a straight line through each share's snapshots, beside the
stock-and-flow figures (not a forecast)."""

from __future__ import annotations

import polars as pl

from cadre_analytics.projection.model import HORIZON
from cadre_analytics.schema import OUTPUT_TABLES

TREND_SCHEMA = OUTPUT_TABLES["trend"]  # the one declaration, shared with writer and readers
TREND_LABEL = "Kiểm tra hợp lý: xu hướng tuyến tính / Sanity check: linear trend"


def trend_check(indicator_table: pl.DataFrame, year: int) -> pl.DataFrame:
    """Linear trend of each share over the snapshots (>= 3), projected to 2030, bounded 0–1.

    A sanity check beside the stock-and-flow figures, not a forecast. Headcount ratios are
    left out (their base year changes with the target).
    """
    observed = (
        indicator_table.filter(pl.col("share").is_not_null() & (pl.col("year") <= year))
        .select("indicator", "level", "unit", "year", "share")
        .unique(subset=["indicator", "unit", "year"], keep="first", maintain_order=True)
        # sums of floats in one fixed order, so a rerun gives the same last digits
        .sort("indicator", "unit", "year")
    )
    fits = (
        observed.group_by("indicator", "level", "unit")
        .agg(
            pl.len().alias("n_snapshots"),
            pl.col("year").min().alias("first_year"),
            pl.col("year").max().alias("last_year"),
            pl.col("year").cast(pl.Float64).mean().alias("_ym"),
            pl.col("share").mean().alias("_sm"),
            ((pl.col("year") - pl.col("year").mean()) * (pl.col("share") - pl.col("share").mean()))
            .sum()
            .alias("_sxy"),
            ((pl.col("year") - pl.col("year").mean()) ** 2).sum().alias("_sxx"),
        )
        .filter(pl.col("n_snapshots") >= 3)
    )
    years = pl.DataFrame({"year": list(range(year + 1, HORIZON + 1))}, schema={"year": pl.Int32})
    return (
        fits.join(years, how="cross")
        .with_columns(
            (
                pl.col("_sm")
                + pl.col("_sxy")
                / pl.col("_sxx")
                * (pl.col("year").cast(pl.Float64) - pl.col("_ym"))
            )
            .clip(0.0, 1.0)
            .alias("share_trend"),
            pl.lit(TREND_LABEL).alias("label"),
        )
        .select(list(TREND_SCHEMA))
        .cast(TREND_SCHEMA)
        .sort("indicator", "unit", "year")
    )
