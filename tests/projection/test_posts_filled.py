"""The headline scenario (posts_filled.yaml): leavers replaced by hires of their staff group,
leadership posts refilled, the 31 December boundary. Five-person rosters; every expected
number worked out by hand in a comment.

Hire profiles are the defaults of params/scenarios/_staffing.yaml: a new commune civil
servant has a university degree and no political theory; a new commune cadre has a university
degree and intermediate political theory (TC LLCT). Key-leader standard: university and
intermediate political theory. Retirement (Decree 135/2020): a man born 05/1963 reaches the
2024 age 61y0m in 05/2024 and retires on 31/05/2024, so he is off the 31/12/2024 roster.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import polars as pl

from cadre_analytics.params import load_scenarios
from tests.projection.test_project import BASELINE, person, roster, row, run

SCENARIOS = {s.name: s for s in load_scenarios()}
POSTS_FILLED = SCENARIOS["posts_filled"]
RETIRES_2024 = dt.date(1963, 5, 10)  # retires 31/05/2024


def commune(pid: str, **kw) -> dict:
    return person(pid, unit="GH", **kw)


def test_replacement_hire_brings_the_degree_the_leaver_lacked():
    # Five commune civil servants, two with a university degree; E (intermediate) retires in
    # 2024. c_university: 2023 2/5. Baseline 2024: 2/4 (nobody hired). posts_filled 2024:
    # E's post goes to a new commune civil servant with a university degree: 3/5.
    staff = roster(
        [
            commune("A"),
            commune("B"),
            commune("C", education="intermediate"),
            commune("D", education="intermediate"),
            commune("E", education="intermediate", birth_date=RETIRES_2024),
        ]
    )
    res = run(staff, scenarios=(BASELINE, POSTS_FILLED))
    base = row(res, "c_university", 2024)
    assert (base["numerator"], base["denominator"]) == (2, 4)
    filled = row(res, "c_university", 2024, scenario="posts_filled")
    assert (filled["numerator"], filled["denominator"]) == (3, 5)
    # exact: no draws, the same in the commune's own row
    assert filled["share_p10"] == filled["share_p90"] == 3 / 5
    unit = row(res, "c_university", 2024, unit="GH", scenario="posts_filled")
    assert (unit["numerator"], unit["denominator"]) == (3, 5)


def test_elected_commune_cadre_hire_holds_intermediate_political_theory():
    # Five commune cadres without political theory; E retires in 2024. c_pt_intermediate:
    # 2024 under posts_filled: E's post goes to a new commune cadre with TC LLCT: 1/5. A
    # commune civil servant hire would have none: the profile is the staff group's.
    staff = roster(
        [commune(p, staff_type="cadre") for p in "ABCD"]
        + [commune("E", staff_type="cadre", birth_date=RETIRES_2024)]
    )
    res = run(staff, scenarios=(BASELINE, POSTS_FILLED))
    got = row(res, "c_pt_intermediate", 2024, scenario="posts_filled")
    assert (got["numerator"], got["denominator"]) == (1, 5)


def _key_leader_roster(pool: bool) -> pl.DataFrame:
    # District unit NV, five cadres. A: key leader with a master's degree, retires 2024.
    # B: university, TC LLCT, in the planning pool (when ``pool``), born 1980.
    # C: master's, TC LLCT, born 1990 (serves longer than B), not in the pool.
    # D, E: university, no political theory: below the key-leader standard.
    return roster(
        [
            person(
                "A",
                staff_type="cadre",
                key_leader=True,
                education="master",
                political_theory="intermediate",
                birth_date=RETIRES_2024,
            ),
            person(
                "B",
                staff_type="cadre",
                political_theory="intermediate",
                succession_planned=pool,
                birth_date=dt.date(1980, 1, 1),
            ),
            person(
                "C",
                staff_type="cadre",
                education="master",
                political_theory="intermediate",
                birth_date=dt.date(1990, 1, 1),
            ),
            person("D", staff_type="cadre"),
            person("E", staff_type="cadre"),
        ]
    )


def test_planning_pool_is_appointed_first_and_carries_their_degree():
    # d_key_postgraduate (district key leaders with a master's or higher): 2023 A = 1/1.
    # 2024: A retires; B of the planning pool is appointed and brings a university degree:
    # 0/1 (the quota falls although C, with a master's, also meets the standard).
    # Baseline: nobody appointed, no key leader left: 0/0.
    res = run(_key_leader_roster(pool=True), scenarios=(BASELINE, POSTS_FILLED))
    got = row(res, "d_key_postgraduate", 2024, scenario="posts_filled")
    assert (got["numerator"], got["denominator"]) == (0, 1)
    base = row(res, "d_key_postgraduate", 2024)
    assert base["denominator"] == 0
    # A's own post (a cadre of NV) goes to a new district hire: still 5 district cadres;
    # d_postgraduate: C (master) of B, C, D, E and the hire (university) = 1/5
    pg = row(res, "d_postgraduate", 2024, scenario="posts_filled")
    assert (pg["numerator"], pg["denominator"]) == (1, 5)


def test_without_a_pool_the_post_goes_to_who_meets_the_standard_and_serves_longest():
    # No planning pool: B and C meet the key-leader standard; C (born 1990) serves longer and
    # is appointed with a master's degree: d_key_postgraduate 2024 = 1/1. D and E do not meet
    # it (no political theory).
    res = run(_key_leader_roster(pool=False), scenarios=(BASELINE, POSTS_FILLED))
    got = row(res, "d_key_postgraduate", 2024, scenario="posts_filled")
    assert (got["numerator"], got["denominator"]) == (1, 1)


def test_post_stays_empty_when_nobody_meets_the_standard():
    # Only D and E (no political theory) remain besides A: the key-leader post stays empty.
    staff = _key_leader_roster(pool=False).filter(pl.col("staff_id").is_in(["A", "D", "E"]))
    res = run(staff, scenarios=(BASELINE, POSTS_FILLED))
    assert row(res, "d_key_postgraduate", 2024, scenario="posts_filled")["denominator"] == 0


def test_posts_not_refilled_when_the_scenario_says_so():
    # The same roster with refill_posts off: A's key-leader post is not refilled (0/0), but
    # A's place in the unit is (a hire): 5 district cadres.
    plain = replace(POSTS_FILLED, refill_posts=False)
    res = run(_key_leader_roster(pool=True), scenarios=(BASELINE, plain))
    assert row(res, "d_key_postgraduate", 2024, scenario="posts_filled")["denominator"] == 0
    assert row(res, "d_postgraduate", 2024, scenario="posts_filled")["denominator"] == 5


def test_a_man_retiring_on_31_december_is_on_that_years_roster():
    # Start 2025. F: man born 06/1965 reaches the 2026 age 61y6m in 12/2026 and retires on
    # 31/12/2026: he serves that day, so d_university counts 5 district civil servants on
    # 31/12/2026 and 4 on 31/12/2027 (baseline: nobody hired).
    staff = roster(
        [person(p, year=2025) for p in "ABCD"]
        + [person("F", year=2025, birth_date=dt.date(1965, 6, 15))]
    )
    res = run(staff, year=2025)
    assert row(res, "d_university", 2026, target_year=2030)["denominator"] == 5
    assert row(res, "d_university", 2027, target_year=2030)["denominator"] == 4


def test_other_scenarios_leave_the_baseline_unchanged():
    staff = _key_leader_roster(pool=True)
    alone = run(staff).projection
    both = run(staff, scenarios=(BASELINE, POSTS_FILLED)).projection
    # Only the headline mark moves (posts_filled is the headline when it runs); no count does.
    mine = both.filter(pl.col("scenario") == "baseline")
    assert mine.drop("headline").equals(alone.drop("headline"))
    assert alone["headline"].all() and not mine["headline"].any()


def test_posts_refilled_without_recruitment():
    # Appointments need no hires: with recruitment off, B (planning pool) still takes A's
    # key-leader post (d_key_postgraduate 0/1) and nobody replaces A in the unit: the four
    # others, C with a master's, d_postgraduate 1/4.
    only = replace(
        POSTS_FILLED, name="appoint_only", recruitment="none", headcount_ratio=None, headline=False
    )
    res = run(_key_leader_roster(pool=True), scenarios=(BASELINE, only))
    got = row(res, "d_key_postgraduate", 2024, scenario="appoint_only")
    assert (got["numerator"], got["denominator"]) == (0, 1)
    pg = row(res, "d_postgraduate", 2024, scenario="appoint_only")
    assert (pg["numerator"], pg["denominator"]) == (1, 4)
