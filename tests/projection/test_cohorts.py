"""Cohorts (projection.model) and the cohort simulator (projection.simulate) on tiny rosters.

Expected numbers are worked out by hand in the comments. People are built with
tests/projection/test_project.py's ``person`` (district unit NV, civil servant, university,
born 1985-06-01, male: retires in 2047).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from cadre_analytics.params import PlannedCourse, Scenario
from cadre_analytics.projection import model, scenarios, simulate
from tests.projection.test_project import (
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
K_UNIVERSITY = [i.id for i in RULES.indicators].index("d_university")


def cohorts_of(staff: pl.DataFrame, scenario_list=(BASELINE,)) -> model.Cohorts:
    people = model.start_roster(staff, TRAINING, RULES, SCHEDULE, YEAR)
    return model.build_cohorts(people, UNITS, RULES, list(scenario_list), YEAR)


def run(staff, scenario, draws_seed=3, keep=()):
    cohorts = cohorts_of(staff, (BASELINE, scenario))
    arrays = scenarios.scenario_arrays(scenario, cohorts, RULES, list(scenario.exit_rates), None)
    rng = np.random.default_rng(draws_seed)
    return cohorts, simulate.simulate(cohorts, arrays, rng, keep)


def exits(rate: float, draws: int = 2000, **kw) -> Scenario:
    return Scenario(
        name="exits",
        label_vi="-",
        label_en="-",
        source_file="-",
        draws=draws,
        exits_source="rates",
        age_band_starts=(30,),
        exit_rates=(rate, rate),
        courses=COURSES,
        **kw,
    )


def test_people_alike_share_a_cohort():
    # A and B differ only in name and id: one cohort of 2. C was born in 1960 (retires in
    # 2021, overdue: taken to retire in 2024), D studies for a master's: each their own.
    staff = roster(
        [
            person("A"),
            person("B"),
            person("C", birth_date=dt.date(1960, 3, 1)),
            person("D", studying_education="master", studying_education_until=2025),
        ]
    )
    cohorts = cohorts_of(staff)
    start = cohorts.start_count[cohorts.start_count > 0]
    assert sorted(start.tolist()) == [1, 1, 2]
    assert cohorts.person_cohort[0] == cohorts.person_cohort[1]
    c = cohorts.person_cohort[2]
    assert cohorts.leave_year[c] == 2024
    # D's completed course is a cohort of its own, reached in 2025
    d = cohorts.person_cohort[3]
    assert cohorts.due["education"][d] == 2025
    done = cohorts.completes["education"][d]
    assert cohorts.frame["education"][int(done)] == "master"


def test_ten_people_one_cohort_binomial_exits():
    # 10 identical people, annual exit rate 0.1, no hires: after 1 year Binomial(10, 0.9)
    # stay, mean 9, variance 10 x 0.9 x 0.1 = 0.9; after 2 years Binomial(10, 0.81), mean
    # 8.1. 2,000 draws: the mean is within 4 standard errors (4 x sqrt(0.9 / 2000) = 0.085).
    staff = roster([person(f"P{i}") for i in range(10)])
    cohorts, sim = run(staff, exits(0.1))
    assert cohorts.size == 1
    den = sim.all_den[:, K_UNIVERSITY, :]  # year x draw
    assert den[0].mean() == pytest.approx(9.0, abs=0.085)
    assert den[0].var() == pytest.approx(0.9, rel=0.15)
    assert den[1].mean() == pytest.approx(8.1, abs=4 * np.sqrt(10 * 0.81 * 0.19 / 2000))
    assert den.max() <= 10 and den.min() >= 0


def test_retirement_in_its_year_and_a_completion():
    # Baseline, exact. E (male, born 1963-02-01) retires in 2024 (61y0m reached 02/2024).
    # F (college) finishes a university degree in 2025. G has a degree.
    # d_university: 2024: E gone, F not yet -> 1 of 2 (G); 2025: F counts -> 2 of 2.
    staff = roster(
        [
            person("E", birth_date=dt.date(1963, 2, 1)),
            person(
                "F",
                education="college",
                studying_education="university",
                studying_education_until=2025,
            ),
            person("G"),
        ]
    )
    cohorts, sim = run(staff, BASELINE, keep=(2025,))
    num, den = sim.all_num[:, K_UNIVERSITY, 0], sim.all_den[:, K_UNIVERSITY, 0]
    assert (num[0], den[0]) == (1, 2)
    assert (num[1], den[1]) == (2, 2)
    # people follow their cohort in an exact run: E has left, F is in a university cohort
    x, members = sim.kept[2025]
    where = members[cohorts.person_cohort]
    assert where[0] == -1
    assert cohorts.frame["education"][int(where[1])] == "university"


def test_completion_rate_draws_binomially():
    # 10 people studying for a degree due 2024, completion rate 0.5, no exits: the share with
    # a degree in 2024 is Binomial(10, 0.5) / 10, mean 0.5; sd of the mean over 2,000 draws
    # sqrt(0.25 / 10 / 2000) = 0.0035.
    staff = roster(
        [
            person(
                f"S{i}",
                education="college",
                studying_education="university",
                studying_education_until=2024,
            )
            for i in range(10)
        ]
    )
    half = exits(0.0, course_completion_rate=0.5)
    _, sim = run(staff, half)
    share = sim.all_num[0, K_UNIVERSITY, :] / sim.all_den[0, K_UNIVERSITY, :]
    assert share.mean() == pytest.approx(0.5, abs=4 * 0.0035)
    assert set(np.unique(sim.all_num[0, K_UNIVERSITY, :])) <= set(range(11))


def test_planned_course_goes_to_the_latest_retirement_first():
    # Two cohorts eligible for a master's (A born 1980, B born 1990: B retires later). One
    # completion in 2024: B's cohort moves, exactly (every rate 0 or 1).
    staff = roster(
        [person("A", birth_date=dt.date(1980, 1, 1)), person("B", birth_date=dt.date(1990, 1, 1))]
    )
    plan = Scenario(
        name="plan",
        label_vi="-",
        label_en="-",
        source_file="-",
        courses=COURSES,
        planned=(PlannedCourse("master", "level:district", 1, 2024, 2024, None),),
    )
    cohorts, sim = run(staff, plan, keep=(2024,))
    _, members = sim.kept[2024]
    where = members[cohorts.person_cohort]
    levels = [cohorts.frame["education"][int(c)] for c in where]
    assert levels == ["university", "master"]


def test_scope_roster_merges_units_of_a_level_except_the_kept_ones():
    # units table: NV, YT district, GH commune. Each unit is replaced by the first unit of
    # its level (NV for district, GH for commune) unless a planned course names it or its
    # (unit, staff type) group follows a staffing cut.
    people = roster(
        [
            person("A"),
            person("B", unit="YT"),
            person("C", unit="YT", staff_type="public_employee"),
            person("D", unit="GH"),
        ]
    )

    def units_of(kept_units=frozenset(), kept_groups=frozenset()):
        got = model.scope_roster(people, UNITS, set(kept_units), set(kept_groups))
        assert got["staff_id"].to_list() == ["A", "B", "C", "D"]  # same people, same order
        return got["unit"].to_list()

    assert units_of() == ["NV", "NV", "NV", "GH"]
    assert units_of(kept_units={"YT"}) == ["NV", "YT", "YT", "GH"]
    assert units_of(kept_groups={("YT", "public_employee")}) == ["NV", "NV", "YT", "GH"]


def test_planned_training_looks_past_the_first_candidates_when_short(monkeypatch):
    # 2 master's places in 2024 for district staff; eligible A (born 1980), B (1990), C (1985).
    # Latest retirement first: B, then C. Looking at one candidate at a time first, the
    # simulator must widen its look to find the second place: d_postgraduate 2024 = 2 of 3.
    from tests.projection.test_project import row, run

    monkeypatch.setattr(simulate, "FIRST_CANDIDATES", 1)
    staff = roster(
        [
            person("A", birth_date=dt.date(1980, 1, 1)),
            person("B", birth_date=dt.date(1990, 1, 1)),
            person("C", birth_date=dt.date(1985, 1, 1)),
        ]
    )
    plan = Scenario(
        name="plan",
        label_vi="Kế hoạch",
        label_en="Plan",
        source_file="-",
        courses=COURSES,
        planned=(PlannedCourse("master", "level:district", 2, 2024, 2024, None),),
    )
    res = run(staff, scenarios=(BASELINE, plan))
    r = row(res, "d_postgraduate", 2024, scenario="plan")
    assert (r["numerator"], r["denominator"]) == (2, 3)
    assert row(res, "d_postgraduate", 2025, scenario="plan")["numerator"] == 2
