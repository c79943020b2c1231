"""Back test: the cohort model against the previous (per-person) implementation.

The expected files in ``fixtures/old_*.csv`` were produced by the previous implementation of
the projection on the bundled sample (``data/sample``, YEAR 2025, seed 2025), aggregates only:
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
YEAR = 2025


def old(name: str) -> pl.DataFrame:
    return pl.read_csv(FIXTURES / f"old_{name}.csv", infer_schema_length=None)


@pytest.fixture(scope="module")
def new() -> projection.ProjectionResult:
    result = contracts.validate_inputs(read_inputs(ROOT / "data" / "sample"), YEAR)
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


# The previous implementation checked a range target ("25–35 %") against its lower bound only;
# now both bounds decide, so that quota's verdict and back-solve are compared apart.
RANGE = "d_lead_international"


def _same_but_range(have: pl.DataFrame, want: pl.DataFrame) -> None:
    want = want.cast(have.schema)
    assert have.drop("met").equals(want.drop("met"))
    assert have.filter(pl.col("indicator") != RANGE).equals(
        want.filter(pl.col("indicator") != RANGE)
    )
    # In range rows, met = the old lower-bound verdict and not above 35 %.
    at_2030 = pl.col("target_year") == 2030 if "target_year" in have.columns else True
    ranged = have.filter((pl.col("indicator") == RANGE) & at_2030)
    old_met = want.filter((pl.col("indicator") == RANGE) & at_2030)
    expect = old_met["met"] & (ranged["numerator"] * 20 <= ranged["denominator"] * 7)
    assert ranged["met"].to_list() == expect.to_list()


@pytest.mark.slow
def test_baseline_requirements_and_trend_are_identical(new):
    got = new.projection
    want_all = old("projection_all").filter(pl.col("scenario") == "baseline")
    cols = want_all.columns
    have_all = got.filter((pl.col("scenario") == "baseline") & (pl.col("unit") == "ALL"))
    _same_but_range(have_all.select(cols), want_all)
    want_units = old("projection_baseline_units_2030")
    have_units = got.filter(
        (pl.col("scenario") == "baseline")
        & (pl.col("unit") != "ALL")
        & (pl.col("year") == 2030)
        & (pl.col("target_year") == 2030)
    ).select(want_units.columns)
    _same_but_range(have_units, want_units)
    want = old("requirements").filter(pl.col("indicator") != RANGE)
    have = new.requirements.filter(pl.col("indicator") != RANGE)
    # People needing two courses (state management and political theory) are new in the
    # list; those needing one are the previous list exactly.
    have = have.with_columns(pl.col("eligible_people") - pl.col("eligible_two_courses"))
    have = have.select(want.columns)
    assert have.equals(want.cast(have.schema))
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
