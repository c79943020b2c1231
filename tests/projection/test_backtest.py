"""Back test: the cohort model against the previous (per-person) implementation.

The expected files in ``fixtures/old_*.csv`` were produced by the previous implementation of
the projection on the pre-merger sample (``tests/fixtures/sample_pre_merger``, formerly the
bundled ``data/sample``; YEAR 2025, seed 2025), aggregates only:
the whole-district rows of every scenario, the baseline unit rows of 2030, the requirements,
the whole-district trend. The trend must be identical; the deterministic baseline differs
only by the people retiring on 31 December, whom the previous implementation took off that
year's roster (now one rule, ``retirement.on_year_end_roster``, keeps them on it); the Monte
Carlo scenarios (1,000 draws each, other random streams) within sampling tolerance, with
history_rates as it was then (one hire mix for everyone, leadership posts not refilled).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cadre_analytics import contracts, indicators, projection
from cadre_analytics.ingest import read_inputs
from cadre_analytics.params import load_quota_rules, load_retirement_schedule, load_scenarios
from cadre_analytics.projection.model import start_roster

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = ROOT / "tests" / "fixtures" / "sample_pre_merger"
YEAR = 2025
HEADCOUNT = [i.id for i in load_quota_rules().indicators if i.kind == "headcount_ratio"]


def old(name: str) -> pl.DataFrame:
    return pl.read_csv(FIXTURES / f"old_{name}.csv", infer_schema_length=None)


# history_rates as the previous implementation ran it: one mix for every hire, posts not refilled
# (now each staff group has its own hire profile and leadership posts are refilled).
PREVIOUS_MIX = {
    "education": {"college": 0.1, "university": 0.85, "master": 0.05},
    "political_theory": {"none": 0.9, "elementary": 0.1},
    "it_use": 1.0,
    "education_fits_position": 1.0,
    "updated_in_year": 1.0,
}


def previous_scenarios() -> list:
    out = []
    for s in load_scenarios():
        if s.name == "history_rates":
            s = replace(s, hire_mix=PREVIOUS_MIX, hire_profiles={}, refill_posts=False)
        if s.name in ("baseline", "history_rates"):
            out.append(s)
    return out


@pytest.fixture(scope="module")
def new() -> projection.ProjectionResult:
    result = contracts.validate_inputs(read_inputs(SAMPLE), YEAR)
    rules = load_quota_rules()
    table = indicators.compute_indicators(result.staff, result.training, result.units, rules, YEAR)
    return projection.project(
        result.staff,
        result.training,
        result.units,
        rules,
        load_retirement_schedule(),
        previous_scenarios(),
        YEAR,
        seed=2025,
        indicator_table=table,
    )


@pytest.fixture(scope="module")
def december() -> pl.DataFrame:
    """Per indicator, unit and year: people of the YEAR roster in its population whose
    statutory retirement date is 31 December of that year. The previous implementation took
    them off that year's roster; they serve that day, so now they are counted in it."""
    result = contracts.validate_inputs(read_inputs(SAMPLE), YEAR)
    rules = load_quota_rules()
    start = start_roster(result.staff, result.training, rules, load_retirement_schedule(), YEAR)
    flags = indicators.flag_people(start, result.units, rules).with_columns(
        start["retirement_date"]
    )
    last_day = pl.col("retirement_date").dt.month().eq(12) & pl.col("retirement_date").dt.day().eq(
        31
    )
    parts = []
    for ind in rules.indicators:
        hit = flags.filter(pl.col(f"pop__{ind.id}") & last_day)
        hit = hit.select("unit", pl.col("retirement_date").dt.year().cast(pl.Int32).alias("year"))
        hit = pl.concat([hit, hit.with_columns(pl.lit("ALL").alias("unit"))])
        parts.append(
            hit.group_by("unit", "year")
            .len("extra")
            .with_columns(pl.lit(ind.id).alias("indicator"))
        )
    return pl.concat(parts).with_columns(pl.col("extra").cast(pl.Int64))


def _with_extra(frame: pl.DataFrame, december: pl.DataFrame) -> pl.DataFrame:
    key = ["indicator", "unit", "year"]
    return frame.join(december, on=key, how="left").with_columns(pl.col("extra").fill_null(0))


@pytest.mark.slow
def test_baseline_differs_only_by_the_31_december_retirees(new, december):
    # Each baseline denominator is the previous one plus the people of its population who
    # retire on 31 December of that year; each numerator rises by at most as many.
    got = new.projection.filter(pl.col("scenario") == "baseline").drop("scenario")
    key = ["indicator", "unit", "year", "target_year"]
    want_all = old("projection_all").filter(pl.col("scenario") == "baseline")
    want_all = want_all.with_columns(pl.lit("ALL").alias("unit"))
    want_units = old("projection_baseline_units_2030").with_columns(
        pl.lit(2030).alias("year"), pl.lit(2030).alias("target_year")
    )
    assert int(december["extra"].sum()) > 0  # the sample has such people
    for want in (want_all, want_units):
        want = _with_extra(want.cast({"year": pl.Int32, "target_year": pl.Int32}), december)
        both = want.join(got, on=key, suffix="_new", how="left")
        assert both.height == want.height > 0
        # the staffing cut counts heads in its numerator, over a fixed base-year denominator
        heads = both["indicator"].is_in(HEADCOUNT)
        counted = pl.when(heads).then("numerator").otherwise("denominator")
        counted_new = pl.when(heads).then("numerator_new").otherwise("denominator_new")
        rise = both.select(
            (counted_new - counted - pl.col("extra")).alias("heads"),
            (pl.col("numerator_new") - pl.col("numerator")).alias("num"),
        )
        assert (rise["heads"] == 0).all()
        assert ((rise["num"] >= 0) & (rise["num"] <= both["extra"])).all()


@pytest.mark.slow
def test_trend_is_identical(new):
    trend = new.trend.filter(pl.col("unit") == "ALL").drop("label")
    assert trend.equals(old("trend_all").cast(trend.schema))


@pytest.mark.slow
def test_monte_carlo_scenarios_within_sampling_tolerance(new, december):
    # Two independent estimates of a mean share over 1,000 draws differ by N(0, 2 sd^2/1000),
    # sd the spread of the share over draws (P90 - P10 = 2.56 sd): allow 5 standard errors,
    # plus one person of the denominator where the spread is 0 (ties broken another way).
    key = ["scenario", "indicator", "year", "target_year"]
    have = new.projection.filter((pl.col("scenario") != "baseline") & (pl.col("unit") == "ALL"))
    # The old outputs also hold the example plan, which is a template now and is not run.
    run = have["scenario"].unique().to_list()
    want = old("projection_all").filter(
        (pl.col("scenario") != "baseline") & pl.col("scenario").is_in(run)
    )
    both = want.join(have, on=key, suffix="_new", how="inner")
    assert both.height == want.height > 0
    sd = (both["share_p90"] - both["share_p10"]).to_numpy() / 2.56
    den = np.maximum(both["denominator"].fill_null(1).to_numpy(), 1)
    # and the people retiring on 31 December, now on that year's roster (the previous
    # implementation had replaced them by a hire a year earlier)
    extra = _with_extra(both.with_columns(pl.lit("ALL").alias("unit")), december)["extra"]
    tolerance = 5 * np.sqrt(2 / 1000) * sd + (1 + extra.to_numpy()) / den
    for col in ("share", "share_p50"):
        diff = np.abs((both[col] - both[f"{col}_new"]).fill_null(0).to_numpy())
        assert (diff <= tolerance).all(), col
    for col in ("share_p10", "share_p90"):  # a percentile moves by about a person
        diff = np.abs((both[col] - both[f"{col}_new"]).fill_null(0).to_numpy())
        assert (diff <= 2 / den + 0.01).all(), col
