"""The event-driven Monte Carlo (``projection._simulate``) against hand-worked expectations and
against the per-slot reference simulator (``projection._simulate_slots``, the former
implementation kept for these checks).

d_university: district cadres and civil servants with university or higher (params/quotas.yaml);
the fixtures put everyone in the district unit NV as civil servants, so its ALL denominator is
the headcount and its numerator the people with a degree. Start roster: 31 Dec 2023.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from cadre_analytics import projection
from cadre_analytics.params import PlannedCourse, Scenario
from tests.test_projection import (
    BASELINE,
    COURSES,
    RULES,
    SCHEDULE,
    TRAINING,
    UNITS,
    person,
    roster,
)

YEAR = 2023


def _model(staff, *scenarios):
    return projection._prepare(
        staff, TRAINING, UNITS, RULES, SCHEDULE, [BASELINE, *scenarios], YEAR
    )


def _all_pair(model, indicator: str) -> int:
    k = model.indicator_ids.index(indicator)
    for p, (kk, unit) in enumerate(zip(model.pairs_ind, model.pairs_unit, strict=True)):
        if kk == k and unit == projection.ALL:
            return p
    raise AssertionError(indicator)


def _rates_scenario(**kw) -> Scenario:
    # one age band for everybody (under 100 / 100+), so the annual exit rate is the same at
    # every age
    base = dict(
        name="mc",
        label_vi="mc",
        label_en="mc",
        source_file="-",
        exits_source="rates",
        age_band_starts=(100,),
        exit_rates=(0.1, 0.1),
        courses=COURSES,
    )
    base.update(kw)
    return Scenario(**base)


def _young(n: int, prefix: str = "P", **kw) -> list[dict]:
    # born 1995: 28 in 2023, far from retirement before 2030
    return [person(f"{prefix}{i:02d}", birth_date=dt.date(1995, 3, 1), **kw) for i in range(n)]


def _within(mean: float, expected: float, sd_one_draw: float, draws: int, k: float = 5.0):
    """The mean over draws is within k standard errors of the exact expectation."""
    assert abs(mean - expected) <= k * sd_one_draw / np.sqrt(draws) + 1e-9, (mean, expected)


def test_survivors_follow_the_binomial_expectation():
    # 10 people with a degree, annual exit rate 0.1, nobody replaced: after k years the
    # headcount is Binomial(10, 0.9^k): mean 9, 8.1, 7.29, ... SD sqrt(10 p (1 - p)).
    staff = roster(_young(10))
    scenario = _rates_scenario()
    model = _model(staff, scenario)
    draws = 4000
    sim = projection._simulate(model, scenario, draws, np.random.default_rng(3), [0.1, 0.1], None)
    p = _all_pair(model, "d_university")
    for k in range(1, len(model.years) + 1):
        surv = 0.9**k
        den = sim.den[k - 1, :, p]
        _within(den.mean(), 10 * surv, np.sqrt(10 * surv * (1 - surv)), draws)
        assert np.array_equal(sim.num[k - 1, :, p], den)  # everyone has a degree
        assert den.min() >= 0 and den.max() <= 10
    # the variance is the binomial one too (first year: 10 * 0.1 * 0.9 = 0.9)
    assert sim.den[0, :, p].var() == pytest.approx(0.9, rel=0.15)


def test_course_completion_and_exits_expectation():
    # 10 people with a college degree studying for university, due 2025, completion rate 0.5,
    # exit rate 0.1. In 2025 a person counts if alive after the 2024 exits (0.9), completes
    # (0.5) and survives the 2025 exits (0.9): expected numerator 10 * 0.9 * 0.5 * 0.9 = 4.05;
    # each person independently, so Binomial(10, 0.405). In 2024 nobody has finished: 0.
    staff = roster(
        _young(
            10,
            education="college",
            studying_education="university",
            studying_education_until=2025,
        )
    )
    scenario = _rates_scenario(course_completion_rate=0.5)
    model = _model(staff, scenario)
    draws = 4000
    sim = projection._simulate(model, scenario, draws, np.random.default_rng(5), [0.1, 0.1], None)
    p = _all_pair(model, "d_university")
    assert sim.num[0, :, p].max() == 0
    q = 0.9 * 0.5 * 0.9
    _within(sim.num[1, :, p].mean(), 10 * q, np.sqrt(10 * q * (1 - q)), draws)
    # 2026: completers who survive one more year: 10 * 0.405 * 0.9 = 3.645
    q3 = q * 0.9
    _within(sim.num[2, :, p].mean(), 10 * q3, np.sqrt(10 * q3 * (1 - q3)), draws)


def test_replaced_leavers_and_hire_mix_expectation():
    # 10 people with a college degree, exit rate 0.1, every leaver replaced (hires leave at the
    # same rate and are replaced too), half of the hires with a university degree. The unit
    # always has 10 people; the original people still there after k years are
    # Binomial(10, 0.9^k), every other place is held by a hire, each with a degree with
    # probability 0.5 independently: numerator ~ Binomial(10, (1 - 0.9^k) * 0.5).
    staff = roster(_young(10, education="college"))
    scenario = _rates_scenario(
        recruitment="replace_leavers",
        hire_mix={"education": {"college": 0.5, "university": 0.5}},
    )
    model = _model(staff, scenario)
    draws = 4000
    sim = projection._simulate(model, scenario, draws, np.random.default_rng(9), [0.1, 0.1], None)
    p = _all_pair(model, "d_university")
    assert (sim.den[:, :, p] == 10).all()
    for k in range(1, len(model.years) + 1):
        q = (1 - 0.9**k) * 0.5
        _within(sim.num[k - 1, :, p].mean(), 10 * q, np.sqrt(10 * q * (1 - q)), draws)


def _mixed_roster():
    # Two district units and a commune; retirements (men born 1963/1964 retire in 2024/2025),
    # courses in progress, people of every age band, some without a degree.
    rows = []
    for i in range(8):
        rows.append(person(f"A{i}", birth_date=dt.date(1975 + 2 * i, 5, 1), education="college"))
        rows.append(person(f"B{i}", unit="YT", birth_date=dt.date(1980 + i, 1, 1)))
        rows.append(
            person(
                f"C{i}",
                unit="YT",
                birth_date=dt.date(1988, 1, 1),
                education="college",
                studying_education="university",
                studying_education_until=2024 + i % 3,
            )
        )
        rows.append(
            person(f"D{i}", unit="GH", birth_date=dt.date(1990, 1, 1), political_theory="none")
        )
    rows.append(person("R1", birth_date=dt.date(1963, 2, 1)))
    rows.append(person("R2", unit="YT", birth_date=dt.date(1964, 5, 1), education="master"))
    rows.append(person("E1", unit="YT", staff_type="public_employee", education="college"))
    return roster(rows)


def _mixed_scenario(**kw) -> Scenario:
    base = dict(
        name="mixed",
        label_vi="mixed",
        label_en="mixed",
        source_file="-",
        course_completion_rate=0.8,
        exits_source="rates",
        age_band_starts=(40, 50),
        exit_rates=(0.08, 0.05, 0.02),
        recruitment="replace_leavers",
        hire_mix={"education": {"college": 0.3, "university": 0.6, "master": 0.1}, "it_use": 0.7},
        planned=(
            PlannedCourse(
                course="university",
                population="level:district",
                per_year=2,
                from_year=2024,
                to_year=2027,
                staff_types=None,
            ),
        ),
        courses=COURSES,
    )
    base.update(kw)
    return Scenario(**base)


def test_deterministic_path_is_the_reference_path():
    # Every probability 0 or 1 (and planned training, retirements, courses, replacements):
    # the event-driven simulator and the per-slot reference give the same counts and states.
    staff = _mixed_roster()
    scenario = _mixed_scenario(
        course_completion_rate=1.0,
        exit_rates=(0.0, 1.0, 0.0),
        hire_mix={"education": {"university": 1.0}, "it_use": 1.0},
    )
    model = _model(staff, scenario)
    rates = list(scenario.exit_rates)
    keep = (2025, 2030)
    new = projection._simulate(model, scenario, 1, np.random.default_rng(1), rates, None, keep)
    old = projection._simulate_slots(
        model, scenario, 1, np.random.default_rng(2), rates, None, keep
    )
    assert np.array_equal(new.num, old.num)
    assert np.array_equal(new.den, old.den)
    assert new.num[:, 0, :].sum() > 0
    for y in keep:
        on_roster = old.states[y]["alive"] & ~old.states[y]["is_hire"]
        assert np.array_equal(new.states[y]["alive"] & ~new.states[y]["is_hire"], on_roster)
        for a in model.attrs:
            assert np.array_equal(new.states[y][a][on_roster], old.states[y][a][on_roster])


def test_headcount_path_matches_the_reference_deterministically():
    # A staffing cut to 80% of the civil servants by 2030 with exits at rate 0/1: same counts.
    staff = _mixed_roster()
    scenario = _mixed_scenario(
        course_completion_rate=1.0,
        exit_rates=(0.0, 1.0, 0.0),
        hire_mix={"education": {"master": 1.0}},
        recruitment="headcount_path",
        headcount_ratio={2030: 0.8},
        headcount_staff_types=("civil_servant",),
    )
    model = _model(staff, scenario)
    path = {y: 1.0 - 0.2 * (y - YEAR) / (2030 - YEAR) for y in model.years}
    rates = list(scenario.exit_rates)
    new = projection._simulate(model, scenario, 1, np.random.default_rng(1), rates, path)
    old = projection._simulate_slots(model, scenario, 1, np.random.default_rng(1), rates, path)
    assert np.array_equal(new.num, old.num)
    assert np.array_equal(new.den, old.den)


def test_monte_carlo_distribution_matches_the_reference():
    # Exits, completion 0.8, replacement with a random mix, planned training: per year and
    # output pair, the mean over draws agrees with the reference simulator within 5 standard
    # errors, and P10/P50/P90 of the numerator and denominator within one person.
    staff = _mixed_roster()
    scenario = _mixed_scenario()
    model = _model(staff, scenario)
    rates = list(scenario.exit_rates)
    draws = 3000
    new = projection._simulate(model, scenario, draws, np.random.default_rng(11), rates, None)
    old = projection._simulate_slots(model, scenario, draws, np.random.default_rng(12), rates, None)
    for a, b in ((new.num, old.num), (new.den, old.den)):
        a, b = a.astype(float), b.astype(float)
        se = np.sqrt((a.var(axis=1) + b.var(axis=1)) / draws)
        assert (np.abs(a.mean(axis=1) - b.mean(axis=1)) <= 5 * se + 1e-9).all()
        for q in (10, 50, 90):
            diff = np.abs(np.percentile(a, q, axis=1) - np.percentile(b, q, axis=1))
            assert diff.max() <= 1.0, q
    assert new.num.std(axis=1).max() > 0  # it is random


def test_share_percentiles_match_the_reference():
    # The reported share statistics (mean, P10/P50/P90) from both simulators agree.
    staff = _mixed_roster()
    scenario = _mixed_scenario()
    model = _model(staff, scenario)
    rates = list(scenario.exit_rates)
    draws = 3000
    stats = []
    for sim_fn, seed in ((projection._simulate, 21), (projection._simulate_slots, 22)):
        sim = sim_fn(model, scenario, draws, np.random.default_rng(seed), rates, None)
        num = np.ascontiguousarray(sim.num.transpose(0, 2, 1))
        den = np.ascontiguousarray(sim.den.transpose(0, 2, 1))
        stats.append(projection._draw_stats(num, den))
    (share_n, *pct_n, _, _), (share_o, *pct_o, _, _) = stats
    np.testing.assert_allclose(share_n, share_o, atol=0.03, equal_nan=True)
    for a, b in zip(pct_n, pct_o, strict=True):
        assert np.array_equal(np.isnan(a), np.isnan(b))
        # a percentile of a share of at most ~25 people moves in steps of about 1/25
        assert np.nanmax(np.abs(a - b)) <= 0.13


def test_draw_stats_small_and_large_counts_agree():
    # The uint16 fraction-rank path (small counts) and the float path give the same numbers:
    # the same draws scaled x1 (small) and x300 (over SMALL_COUNT, float path) have the
    # same shares; medians scale by 300.
    rng = np.random.default_rng(0)
    den = rng.integers(0, 20, size=(2, 3, 101)).astype(np.int32)
    num = (den * rng.random(den.shape)).astype(np.int32)
    small = projection._draw_stats(num, den)
    big = projection._draw_stats(num * 300, den * 300)
    for a, b in zip(small[:4], big[:4], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, equal_nan=True)
    np.testing.assert_array_equal(small[4] * 300, big[4])
    np.testing.assert_array_equal(small[5] * 300, big[5])
    # against numpy's own definitions
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(den > 0, num / den, np.nan)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        np.testing.assert_allclose(small[0], np.nanmean(shares, axis=-1), equal_nan=True)
        for got, q in zip(small[1:4], (10, 50, 90), strict=True):
            np.testing.assert_allclose(
                got, np.nanpercentile(shares, q, axis=-1), rtol=1e-12, equal_nan=True
            )
    np.testing.assert_array_equal(small[4], np.sort(num, axis=-1)[..., 50])


def test_same_seed_same_draws_and_one_draw_equals_many_when_degenerate():
    staff = _mixed_roster()
    scenario = _mixed_scenario()
    model = _model(staff, scenario)
    rates = list(scenario.exit_rates)
    a = projection._simulate(model, scenario, 200, np.random.default_rng(4), rates, None)
    b = projection._simulate(model, scenario, 200, np.random.default_rng(4), rates, None)
    assert np.array_equal(a.num, b.num) and np.array_equal(a.den, b.den)
    fixed = replace(
        scenario,
        course_completion_rate=1.0,
        exit_rates=(1.0, 0.0, 1.0),
        hire_mix={"education": {"master": 1.0}, "it_use": 0.0},
    )
    one = projection._simulate(model, fixed, 1, np.random.default_rng(1), [1.0, 0.0, 1.0], None)
    many = projection._simulate(model, fixed, 50, np.random.default_rng(2), [1.0, 0.0, 1.0], None)
    assert np.array_equal(many.num, np.repeat(one.num, 50, axis=1))
    assert np.array_equal(many.den, np.repeat(one.den, 50, axis=1))


def test_unit_chunks_agree_with_the_whole_roster(monkeypatch):
    # The same Monte Carlo (no planned training, so the units are independent) run on the
    # whole roster and unit by unit (forced one unit per chunk): the same distribution, so the
    # mean shares and the median counts agree within Monte Carlo noise (1,000 draws; a unit
    # holds at most 17 people, so a share's standard error is below 0.5 / sqrt(1000) ~ 0.016).
    import polars as pl

    from tests.test_projection import run

    staff = _mixed_roster()
    scenario = _mixed_scenario(planned=())
    whole = run(staff, scenarios=(BASELINE, scenario), year=YEAR, seed=3).projection
    monkeypatch.setattr(projection, "MC_CHUNK_ELEMENTS", 1000)
    chunked = run(staff, scenarios=(BASELINE, scenario), year=YEAR, seed=3).projection
    keys = ["scenario", "indicator", "unit", "year", "target_year"]
    joined = whole.join(chunked, on=keys, suffix="_c", nulls_equal=True)
    assert joined.height == whole.height == chunked.height
    mc = joined.filter(pl.col("scenario") == "mixed")
    assert mc["unit"].n_unique() == 4  # ALL and the three units
    diff = (mc["share"] - mc["share_c"]).abs()
    assert diff.max() <= 0.08
    assert (mc["share"].is_null() == mc["share_c"].is_null()).all()
    assert ((mc["numerator"] - mc["numerator_c"]).abs().max() or 0) <= 1
    assert ((mc["denominator"] - mc["denominator_c"]).abs().max() or 0) <= 1
    base = joined.filter(pl.col("scenario") == "baseline")
    assert base["numerator"].equals(base["numerator_c"], check_names=False)


def test_bernoulli_positions_are_independent_draws():
    # Successes among 200,000 trials with p = 0.03: Binomial(200000, 0.03), mean 6,000, SD 76;
    # distinct, sorted, in range; each half of the range gets half of them; p = 0 and 1 exact.
    rng = np.random.default_rng(8)
    pos = projection._bernoulli_positions(rng, 200_000, 0.03)
    assert abs(pos.size - 6000) <= 5 * 76
    assert (np.diff(pos) > 0).all() and pos[0] >= 0 and pos[-1] < 200_000
    assert abs((pos < 100_000).sum() - pos.size / 2) <= 5 * np.sqrt(pos.size / 4)
    assert projection._bernoulli_positions(rng, 10, 0.0).size == 0
    assert projection._bernoulli_positions(rng, 10, 1.0).tolist() == list(range(10))
    # many small calls: the count per position is Bernoulli(0.5) (mean 0.5 over 4,000 calls)
    hits = np.zeros(5)
    for _ in range(4000):
        hits[projection._bernoulli_positions(rng, 5, 0.5)] += 1
    assert np.abs(hits / 4000 - 0.5).max() <= 5 * np.sqrt(0.25 / 4000)


def test_headcount_path_distribution_matches_the_reference():
    # A staffing cut (civil servants to 80% by 2030) with random exits, completion and hire
    # mix: per year and pair the means agree with the reference within 5 standard errors and
    # the percentiles of the counts within one person.
    staff = _mixed_roster()
    scenario = _mixed_scenario(
        recruitment="headcount_path",
        headcount_ratio={2030: 0.8},
        headcount_staff_types=("civil_servant",),
    )
    model = _model(staff, scenario)
    path = {y: 1.0 - 0.2 * (y - YEAR) / (2030 - YEAR) for y in model.years}
    rates = list(scenario.exit_rates)
    draws = 3000
    new = projection._simulate(model, scenario, draws, np.random.default_rng(31), rates, path)
    old = projection._simulate_slots(model, scenario, draws, np.random.default_rng(32), rates, path)
    for a, b in ((new.num, old.num), (new.den, old.den)):
        a, b = a.astype(float), b.astype(float)
        se = np.sqrt((a.var(axis=1) + b.var(axis=1)) / draws)
        assert (np.abs(a.mean(axis=1) - b.mean(axis=1)) <= 5 * se + 1e-9).all()
        for q in (10, 50, 90):
            diff = np.abs(np.percentile(a, q, axis=1) - np.percentile(b, q, axis=1))
            assert diff.max() <= 1.0, q
