"""Monte Carlo scenarios: the draws run on cohorts with the units merged, the unit rows are the
expected path. Every expected number is worked out in a comment; people as in
tests/projection/test_project.py (district unit NV, civil servant, university, born 1985-06-01,
male: retires in 2047).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from cadre_analytics.params import Scenario
from tests.projection.test_project import BASELINE, COURSES, person, roster, row, run


def _steady_exits(name: str = "steady") -> Scenario:
    # one band, annual exit rate 0.1 at every age, no hires, no courses
    return Scenario(
        name=name,
        label_vi="Nghỉ đều",
        label_en="Steady exits",
        source_file="-",
        exits_source="rates",
        age_band_starts=(30,),
        exit_rates=(0.1, 0.1),
        courses=COURSES,
    )


def test_unit_rows_of_a_monte_carlo_scenario_are_the_expected_path():
    # NV: 10 district civil servants, 4 with a degree; YT: 4, all with a degree (born 1985,
    # retire in 2047: only the 0.1 exit rate acts). Expected headcount n * 0.9^t:
    #   NV 2024: 10 * 0.9 = 9.0, 2025: 9.0 * 0.9 = 8.1 (rounded 8), 2030: 10 * 0.9^7 = 4.78 (5)
    #   NV degree 2024: 4 * 0.9 = 3.6 (rounded 4), 2025: 3.24 (3); the expected share is
    #   3.6 / 9.0 = 0.4, but the row shows the share of its own whole counts: 4/9, then 3/8
    #   YT 2024: 3.6 (4), 2025: 3.24 (3), all with a degree: share 1.0
    staff = roster(
        [person(f"N{i}", education="university") for i in range(4)]
        + [person(f"M{i}", education="college") for i in range(6)]
        + [person(f"Y{i}", unit="YT", education="university") for i in range(4)]
    )
    res = run(staff, scenarios=(BASELINE, _steady_exits()))
    got = {
        (u, y): row(res, "d_university", y, unit=u, scenario="steady")
        for u in ("NV", "YT")
        for y in (2024, 2025, 2030)
    }
    assert (got["NV", 2024]["numerator"], got["NV", 2024]["denominator"]) == (4, 9)
    assert (got["NV", 2025]["numerator"], got["NV", 2025]["denominator"]) == (3, 8)
    assert got["NV", 2030]["denominator"] == 5
    assert got["NV", 2024]["share"] == pytest.approx(4 / 9)
    assert got["NV", 2025]["share"] == pytest.approx(3 / 8)
    assert (got["YT", 2024]["numerator"], got["YT", 2024]["denominator"]) == (4, 4)
    assert (got["YT", 2025]["numerator"], got["YT", 2025]["denominator"]) == (3, 3)
    assert got["YT", 2025]["share"] == pytest.approx(1.0)
    assert got["NV", 2024]["share_p10"] is None
    # no draws behind the unit rows: another seed changes only the whole-scope rows
    other = run(staff, scenarios=(BASELINE, _steady_exits()), seed=8)
    units = pl.col("unit") != "ALL"
    assert other.projection.filter(units).equals(res.projection.filter(units))
    # cohorts: NV degree, NV college, YT degree = 3; the draws ran with the units merged
    # (YT stands in NV's place: both district), so the two degree cohorts are one: 2
    assert (res.cohorts, res.monte_carlo_cohorts) == (3, {"steady": 2})


def test_monte_carlo_staffing_cut_hires_per_unit():
    # District public employees, YEAR 2023, cut to 0.8 by 2025 (targets: 2024 0.9, 2025+ 0.8).
    # YT: 10 people, 3 retire in 2024, 2 in 2025 (test_headcount_path_under_a_cut):
    #   2024: 7 < 9 -> hire 2 -> 9; 2025: 7 < 8 -> hire 1 -> 8.
    # NV: 10 people born 1980, nobody leaves: 10 > target 9, 8 -> no hire, nobody laid off.
    # Whole district: 9 + 10 = 19 in 2024, 8 + 10 = 18 in 2025. (One group of 20 would give
    # 17 < 18 -> 18, then 16 = target 16: the cut must follow each unit's own leavers.)
    # A "history" scenario on a single snapshot has exit rates 0 but runs as a Monte Carlo.
    born = [dt.date(1963, m, 1) for m in (1, 2, 3)] + [dt.date(1964, m, 1) for m in (1, 2)]
    born += [dt.date(1980, 1, 1)] * 5
    staff = roster(
        [
            person(f"P{i}", unit="YT", staff_type="public_employee", birth_date=b)
            for i, b in enumerate(born)
        ]
        + [
            person(f"Q{i}", staff_type="public_employee", birth_date=dt.date(1980, 1, 1))
            for i in range(10)
        ]
    )
    cut = Scenario(
        name="cut",
        label_vi="Tinh giản",
        label_en="Cut",
        source_file="-",
        exits_source="history",
        age_band_starts=(30,),
        recruitment="headcount_path",
        headcount_ratio={2025: 0.8},
        headcount_staff_types=("public_employee",),
        hire_mix={"education": {"university": 1.0}, "education_fits_position": 1.0},
        courses=COURSES,
    )
    assert cut.has_rates
    res = run(staff, scenarios=(BASELINE, cut))

    def heads(unit):
        return [row(res, "o_pe_headcount", y, unit, "cut")["numerator"] for y in (2024, 2025)]

    assert heads("ALL") == [19, 18]
    assert heads("YT") == [9, 8]
    assert heads("NV") == [10, 10]
