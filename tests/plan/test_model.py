"""Cohorts: people the plan cannot tell apart are grouped; those no course can help left out."""

from __future__ import annotations

from cadre_analytics.plan.model import build_problem
from tests.plan.helpers import RANKS, TARGET, YEAR, candidates, targets, two_courses

ROWS = [("q_int", "ALL", 6, 1, 0.5, ">="), ("q_adv", "ALL", 6, 1, 0.5, ">=")]


def problem_for(people, min_service=2):
    seats = two_courses({2026: 1, 2027: 1}, {2026: 1, 2027: 1}, min_service=min_service)
    return build_problem(
        candidates(people), targets(ROWS), seats, RANKS, year=YEAR, target_year=TARGET
    )


def test_levels_between_thresholds_and_far_retirements_share_a_cohort():
    # none and elementary are both below intermediate, the lowest level any rule compares
    # with; retiring in 2040 or 2050 is the same to a plan ending 2027 (2027 + 2 <= both).
    people = [
        {"id": "A", "pt": "none", "retire": 2050},
        {"id": "B", "pt": "elementary", "retire": 2040},
        {"id": "C", "pt": None, "retire": 2045},  # blank: also below every threshold
    ]
    problem = problem_for(people)
    assert len(problem.cohorts) == 1
    # members latest retirement first: A (2050), C (2045), B (2040)
    assert problem.members == [[0, 2, 1]]
    # paths: intermediate in 2026 or 2027, or intermediate 2026 then advanced 2027
    steps = sorted(p.steps for p in problem.paths[0])
    assert steps == [((0, 2026),), ((0, 2026), (1, 2027)), ((0, 2027),)]


def test_people_no_course_can_help_are_in_no_cohort():
    people = [
        {"id": "F", "pt": "advanced", "retire": 2050},  # at the top already
        {"id": "R", "pt": "none", "retire": 2028},  # 2028 - 2026 = 2 < 3 years' service
        {"id": "A", "pt": "none", "retire": 2050},
    ]
    problem = problem_for(people, min_service=3)
    assert problem.members == [[2]]


def test_a_nearer_retirement_that_shortens_the_window_is_its_own_cohort():
    # min service 2: retiring 2029 allows completion by 2027 (2029 - 2027 = 2); retiring 2028
    # only by 2026, so no 2027 class and no two-course path.
    people = [
        {"id": "A", "pt": "none", "retire": 2050},
        {"id": "E", "pt": "none", "retire": 2028},
    ]
    problem = problem_for(people)
    assert len(problem.cohorts) == 2
    early = problem.members.index([1])
    assert [p.steps for p in problem.paths[early]] == [((0, 2026),)]
