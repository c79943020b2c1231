"""Early exits under the streamlining policy (streamlining.yaml): the draws honour the rates
per staff group and band of years left to retirement; the posts are cut unless the scenario
replaces them; exits the snapshots already record are data, not draws.

Retirement (Decree 135/2020): a man born 01/1965 reaches the 2026 age 61y6m in 07/2026 and
retires on 31/07/2026; on 31/12/2024 he has 1 full year left (band "< 2 years"). A man born
1985 retires in 2047: 22 years left (band "10 years or more").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from cadre_analytics import projection
from cadre_analytics.params import EarlyExits, load_scenarios
from tests.projection.test_project import BASELINE, SCHEDULE, person, roster, row, run

STREAMLINING = next(s for s in load_scenarios() if s.name == "streamlining")
# < 2 years left: 20 % a year; 2-4: 10 %; 5-9: 5 %; 10 or more: 1 % (commune civil servants
# only: district civil servants have no rate, so none of them leaves early)
EARLY = EarlyExits(2024, 2024, (2, 5, 10), {"commune_civil_servant": (0.2, 0.1, 0.05, 0.01)}, False)
NEAR, FAR = dt.date(1965, 1, 1), dt.date(1985, 6, 1)


@pytest.fixture(scope="module")
def large():
    # 10,000 commune civil servants near retirement (intermediate degree), 10,000 far from it
    # (university), 1,000 district civil servants far from it.
    rows = [
        person(f"N{i}", unit="GH", birth_date=NEAR, education="intermediate") for i in range(10_000)
    ]
    rows += [person(f"F{i}", unit="GH", birth_date=FAR) for i in range(10_000)]
    rows += [person(f"D{i}", unit="NV", birth_date=FAR) for i in range(1_000)]
    return roster(rows)


def test_draws_honour_the_rates_by_years_left_and_staff_group(large):
    # 2024, c_university (commune cadres and civil servants): expected survivors
    # 10,000 x 0.8 + 10,000 x 0.99 = 17,900 of whom 9,900 have a degree: share 0.5531.
    # One draw's denominator has sd sqrt(10,000 x .2 x .8 + 10,000 x .01 x .99) = 41.2; the
    # median of 1,000 draws has sd 1.25 x 41.2 / sqrt(1,000) = 1.6: allow 9 (over 5 sd). The
    # numerator's sd is sqrt(99) = 9.9 per draw, 0.4 for the median: allow 3.
    scenario = replace(STREAMLINING, early_exits=EARLY, draws=1000)
    res = run(large, scenarios=(BASELINE, scenario))
    got = row(res, "c_university", 2024, scenario="streamlining")
    assert abs(got["denominator"] - 17_900) <= 9
    assert abs(got["numerator"] - 9_900) <= 3
    assert abs(got["share"] - 9_900 / 17_900) <= 0.0005
    assert got["share_p10"] < got["share_p90"]  # drawn, not one exact path
    # the commune's row is the expected path: exactly 17,900 and 9,900
    unit = row(res, "c_university", 2024, unit="GH", scenario="streamlining")
    assert (unit["numerator"], unit["denominator"]) == (9_900, 17_900)
    # the posts are cut: 2025 has no early exit (to_year 2024) and no hire in their place
    later = row(res, "c_university", 2025, unit="GH", scenario="streamlining")
    assert later["denominator"] == 17_900
    # district civil servants have no rate: all 1,000 stay in every draw
    district = row(res, "d_university", 2024, scenario="streamlining")
    assert district["denominator"] == 1_000 and district["share_p10"] == district["share_p90"]


def test_replaced_early_leavers_keep_the_headcount(large):
    # replaced: true: each early leaver is replaced by a new commune civil servant (university
    # degree), so the commune keeps its 20,000 cadres and civil servants.
    early = replace(EARLY, replaced=True)
    scenario = replace(STREAMLINING, early_exits=early, draws=1000)
    res = run(large, scenarios=(BASELINE, scenario))
    assert row(res, "c_university", 2024, scenario="streamlining")["denominator"] == 20_000


def test_exits_in_the_snapshots_are_data_not_draws():
    # 2022: A, B, C, D, E; 2023: A, B, C, D. E (born 1985, far from retirement) left between
    # the snapshots: one recorded exit. The scenario starts from the 2023 roster (4 people)
    # and draws only the policy's years after it (2025-2030 in streamlining.yaml); its note
    # says so.
    staff = roster([person(p, year=2022) for p in "ABCDE"] + [person(p, year=2023) for p in "ABCD"])
    res = run(staff, scenarios=(BASELINE, STREAMLINING))
    note = next(n for n in res.notes if n.startswith("streamlining:"))
    assert note.startswith("streamlining: 1 người") and "2025–2030 are drawn" in note
    assert projection.recorded_exits(staff, SCHEDULE, 2023) == 1
    # 2024 is before the policy's first year: all four district civil servants stay
    assert row(res, "d_university", 2024, scenario="streamlining")["denominator"] == 4


def test_no_early_exit_for_the_years_outside_the_policy(large):
    # from/to 2026: nobody leaves early in 2024 or 2025: every draw keeps 20,000 in 2024
    early = replace(EARLY, from_year=2026, to_year=2026)
    scenario = replace(STREAMLINING, early_exits=early, draws=1000)
    res = run(large, scenarios=(BASELINE, scenario))
    got = row(res, "c_university", 2024, scenario="streamlining")
    assert got["denominator"] == 20_000 and got["share_p10"] == got["share_p90"]
    assert np.isclose(got["share"], 0.5)
