"""Back test: the cohort model against the previous (per-person) implementation.

The expected files in ``fixtures/old_*.csv`` were produced by the previous implementation of
the projection on the pre-merger sample (``tests/fixtures/sample_pre_merger``, formerly the
bundled ``data/sample``; YEAR 2025, seed 2025), aggregates only:
the whole-district rows of every scenario, the baseline unit rows of 2030, the requirements,
the whole-district trend. The deterministic baseline, the requirements and the trend must be
identical; the Monte Carlo scenarios (1,000 draws each, other random streams) within sampling
tolerance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cadre_analytics import contracts, indicators, projection
from cadre_analytics.ingest import read_inputs
from cadre_analytics.params import load_quota_rules, load_retirement_schedule, load_scenarios

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = ROOT / "tests" / "fixtures" / "sample_pre_merger"
YEAR = 2025


def old(name: str) -> pl.DataFrame:
    return pl.read_csv(FIXTURES / f"old_{name}.csv", infer_schema_length=None)


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
        load_scenarios(),
        YEAR,
        seed=2025,
        indicator_table=table,
    )


@pytest.mark.slow
def test_baseline_requirements_and_trend_are_identical(new):
    got = new.projection
    want_all = old("projection_all").filter(pl.col("scenario") == "baseline")
    cols = want_all.columns
    have_all = got.filter((pl.col("scenario") == "baseline") & (pl.col("unit") == "ALL"))
    assert have_all.select(cols).equals(want_all.cast(have_all.select(cols).schema))
    want_units = old("projection_baseline_units_2030")
    have_units = got.filter(
        (pl.col("scenario") == "baseline")
        & (pl.col("unit") != "ALL")
        & (pl.col("year") == 2030)
        & (pl.col("target_year") == 2030)
    ).select(want_units.columns)
    assert have_units.equals(want_units.cast(have_units.schema))
    want = old("requirements")
    assert new.requirements.equals(want.cast(new.requirements.schema))
    trend = new.trend.filter(pl.col("unit") == "ALL").drop("label")
    assert trend.equals(old("trend_all").cast(trend.schema))


@pytest.mark.slow
def test_monte_carlo_scenarios_within_sampling_tolerance(new):
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
    tolerance = 5 * np.sqrt(2 / 1000) * sd + 1 / den
    for col in ("share", "share_p50"):
        diff = np.abs((both[col] - both[f"{col}_new"]).fill_null(0).to_numpy())
        assert (diff <= tolerance).all(), col
    for col in ("share_p10", "share_p90"):  # a percentile moves by about a person
        diff = np.abs((both[col] - both[f"{col}_new"]).fill_null(0).to_numpy())
        assert (diff <= 2 / den + 0.01).all(), col
