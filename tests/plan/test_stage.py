"""The plan stage as the pipeline runs it, on a roster of two people and one seat, worked by
hand: who may be nominated, the targets read from the projection, the three policies under
every scenario, and a seat entry the roster cannot use said in words (no stop)."""

from __future__ import annotations

import textwrap
from datetime import date

import polars as pl

from cadre_analytics.params import load_quota_rules, load_retirement_schedule, load_scenarios
from cadre_analytics.plan import load_seats
from cadre_analytics.plan.inputs import plan_candidates, plan_targets
from cadre_analytics.plan.stage import outcome_by_scenario, ranked_bottlenecks, run_plan
from cadre_analytics.schema import OUTPUT_TABLES, STAFF_COLUMNS, TRAINING_COLUMNS, UNIT_COLUMNS

YEAR = 2025
ONE_SEAT = """
courses:
  pt_advanced:
    duration_years: 2
    staff_types: [cadre, civil_servant]
    min_service_years_after: 5
    seats:
      2026: 1
"""


def person(staff_id: str, name: str, born: date, **fields) -> dict:
    row = dict.fromkeys(STAFF_COLUMNS)
    row.update(
        snapshot_year=YEAR,
        staff_id=staff_id,
        full_name=name,
        birth_date=born,
        gender="male",
        ethnicity="Kinh",
        unit="H01",
        staff_type="civil_servant",
        key_leader=False,
        leadership="none",
        succession_planned=False,
        education="university",
        political_theory="intermediate",
        state_management="none",
        foreign_language="none",
        it_use=True,
    )
    return row | fields


# A: born 1980, retires in 2042, intermediate theory and a degree: may take the advanced class
#    (2026-2027), 15 years of service left after it, age 46 < 50 in 2026.
# B: the same levels but born 1964: a man reaches 62 in 2026 and retires then, before the end
#    of 2030, so B is no candidate even though B is otherwise eligible.
STAFF = pl.DataFrame(
    [
        person("A1", "Nguyễn Văn Ất", date(1980, 5, 1)),
        person("B2", "Trần Văn Bính", date(1964, 3, 1)),
    ],
    schema=STAFF_COLUMNS,
)
UNITS = pl.DataFrame(
    {"code": ["H01"], "name": ["Phòng Nội vụ"], "level": ["district"], "aliases": [[]]},
    schema=UNIT_COLUMNS,
)
TRAINING = pl.DataFrame(schema=TRAINING_COLUMNS)


def projection(rows: list[tuple]) -> pl.DataFrame:
    """rows: (scenario, indicator, unit, numerator, denominator) in 2030 for target 2030."""
    frame = pl.DataFrame(
        rows,
        schema=["scenario", "indicator", "unit", "numerator", "denominator"],
        orient="row",
    )
    return frame.with_columns(year=pl.lit(2030, pl.Int32), target_year=pl.lit(2030, pl.Int32)).cast(
        {"numerator": pl.Int64, "denominator": pl.Int64}
    )


# Baseline: only A is left by 2030 (B retired), nobody at advanced: 0 of 1.
# history_rates: the posts are refilled, 5 people, still none at advanced: 0 of 5.
PROJECTION = projection(
    [
        ("baseline", "d_pt_advanced", "ALL", 0, 1),
        ("baseline", "d_pt_advanced", "H01", 0, 1),
        ("baseline", "o_pe_headcount", "ALL", 0, 1),  # a headcount ratio: no course moves it
        ("history_rates", "d_pt_advanced", "ALL", 0, 5),
        ("history_rates", "d_pt_advanced", "H01", 0, 5),
    ]
)


def seats_file(tmp_path, text: str):
    path = tmp_path / "seats.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_seats(path)


def stage(tmp_path, text: str = ONE_SEAT, year: int = YEAR):
    return run_plan(
        STAFF,
        TRAINING,
        UNITS,
        load_quota_rules(),
        load_retirement_schedule(),
        # baseline is the headline here (no scenario file says headline: true)
        [s for s in load_scenarios() if s.name in ("baseline", "history_rates")],
        PROJECTION,
        seats_file(tmp_path, text),
        year=year,
    )


def test_a_person_retiring_before_the_target_year_is_no_candidate():
    found = plan_candidates(
        STAFF, TRAINING, UNITS, load_quota_rules(), load_retirement_schedule(),
        year=YEAR, target_year=2030,
    )  # fmt: skip
    assert found["staff_id"].to_list() == ["A1"]
    assert found.select("retirement_year", "age", "priority").row(0) == (2042, 45, 0)


def test_people_on_a_course_now_are_not_nominated():
    studying = STAFF.with_columns(
        studying_political_theory=pl.lit("advanced"), studying_political_theory_until=2026
    )
    found = plan_candidates(
        studying, TRAINING, UNITS, load_quota_rules(), load_retirement_schedule(),
        year=YEAR, target_year=2030,
    )  # fmt: skip
    assert found.is_empty()


def test_targets_come_from_the_headline_scenario_of_the_projection():
    found = plan_targets(PROJECTION, load_quota_rules(), "baseline", target_year=2030)
    # The headcount ratio is left out; d_pt_advanced >= 25 % in 2030, 0 of 1 expected.
    assert found.select("quota", "unit", "population", "expected_numerator").rows() == [
        ("d_pt_advanced", "ALL", 1, 0),
        ("d_pt_advanced", "H01", 1, 0),
    ]
    assert found["count_levels"].to_list() == [["advanced"], ["advanced"]]
    assert float(found["target"][0]) == 0.25


def test_two_people_one_seat_worked_by_hand(tmp_path):
    result = stage(tmp_path)
    # The one seat goes to A (B is no candidate): A counts at advanced from 2028.
    named = result.nominations
    picked = named.select("staff_id", "full_name", "course", "start_year", "completion_year")
    assert picked.rows() == [("A1", "Nguyễn Văn Ất", "pt_advanced", 2026, 2027)]
    assert named["quotas"].to_list() == ["d_pt_advanced"]
    # Baseline: 1 of 1 = 100 % >= 25 % with A (plan and the rule both send A), 0 % without,
    # for the district and for H01: 2 targets. history_rates: 1 of 5 = 20 % < 25 %: none met.
    assert result.outcome.select(
        "scenario", "headline", "targets", "met_no_nominations", "met_rule", "met_plan"
    ).rows() == [("baseline", True, 2, 0, 2, 2), ("history_rates", False, 2, 0, 0, 0)]
    assert (result.solver["status"] == "optimal").all()
    assert result.solver["seats_example"].to_list() == [False, False]
    assert result.solver["time_limit_seconds"].to_list() == [30.0, 30.0]
    for name in ("plan_outcome", "plan_bottlenecks", "plan_solver"):
        frame = getattr(result, name.removeprefix("plan_"))
        assert list(frame.columns) == list(OUTPUT_TABLES[name])
        assert not {"staff_id", "full_name", "birth_date"} & set(frame.columns)


def test_a_seat_for_a_unit_not_on_the_roster_is_a_sentence_not_a_stop(tmp_path):
    text = ONE_SEAT.replace("2026: 1", "2026: {by_unit: {ZZ9: 1}}")
    result = stage(tmp_path, text)
    row = result.solver.row(0, named=True)
    assert row["status"] == "error"
    assert row["message_vi"] == (
        "lớp «Cao cấp lý luận chính trị» khai giảng năm 2026 trong params/seats.yaml dành suất "
        "cho đơn vị ZZ9, không có trong danh sách cán bộ."
    )
    assert "courses.pt_advanced.seats.2026.by_unit.ZZ9" in row["detail"]
    assert result.outcome.is_empty() and result.nominations.is_empty()


def test_no_year_left_before_the_target_year(tmp_path):
    result = stage(tmp_path, year=2030)
    assert result.solver["status"].to_list() == ["error"]
    assert "2030" in result.solver["message_en"][0]


def test_outcome_under_every_scenario_adds_the_plans_people():
    # One target: d_pt_advanced (>= 25 %) in unit H01. The plan adds 2 people, the rule 1.
    outcome = pl.DataFrame(
        {
            "quota": ["d_pt_advanced"],
            "unit": ["H01"],
            "numerator_no_nominations": [1],
            "numerator_plan": [3],
            "numerator_rule": [2],
        }
    )
    proj = projection(
        [
            ("baseline", "d_pt_advanced", "H01", 1, 8),  # 1/8 no, 2/8 = 25 % yes, 3/8 yes
            ("history_rates", "d_pt_advanced", "H01", 0, 10),  # 0, 1/10 no, 2/10 = 20 % no
        ]
    )
    found = outcome_by_scenario(outcome, proj, load_quota_rules(), "baseline", target_year=2030)
    assert found.select("scenario", "met_no_nominations", "met_rule", "met_plan").rows() == [
        ("baseline", 0, 1, 1),
        ("history_rates", 0, 0, 0),
    ]


def test_the_cheapest_way_per_target_is_marked():
    rows = pl.DataFrame(
        {
            "quota": ["q", "q", "q", "r"],
            "unit": ["U1", "U1", "U1", "ALL"],
            "course": ["master", "pt_advanced", "master", "university"],
            "start_year": [2027, 2026, 2026, 2026],
            "extra_seats": [2, 2, 2, 9],
            "free_eligible": [5, 5, 5, 3],
            "meets_target": [True, True, True, False],
        }
    )
    found = ranked_bottlenecks(rows, 2030)
    # Ties on seats: the earliest class, then the course name; 9 seats with 3 people: not enough.
    cheapest = found.filter(pl.col("cheapest")).select("quota", "course", "start_year").rows()
    assert cheapest == [("q", "master", 2026)]
    assert found["target_year"].unique().to_list() == [2030]


def test_no_target_a_course_could_raise_is_a_sentence_not_a_crash(tmp_path):
    # Only the headcount ratio in the headline's projection: no course moves it.
    only_headcount = PROJECTION.filter(pl.col("indicator") == "o_pe_headcount")
    result = run_plan(
        STAFF, TRAINING, UNITS, load_quota_rules(), load_retirement_schedule(),
        [s for s in load_scenarios() if s.name == "baseline"],
        only_headcount, seats_file(tmp_path, ONE_SEAT), year=YEAR,
    )  # fmt: skip
    assert result.result is None and result.nominations.is_empty()
    assert result.outcome.is_empty()
    assert result.solver["status"].to_list() == ["error"]
