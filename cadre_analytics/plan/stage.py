"""The plan stage as the pipeline runs it: optimise on the headline scenario, then judge the
plan under every scenario, and hand on the tables the report and the Board's list read.

Public tables (aggregates): ``plan_outcome`` (per scenario: targets met in the target year
with no nominations, with the simple rule, with the plan), ``plan_bottlenecks`` (where more
seats of one course would meet a target the plan leaves unmet) and ``plan_solver`` (how the
solve went, with the sentence to show when it could not run). Restricted: ``plan_nominations``
(named people). A plan that cannot be made (a seat entry that fits no one on this roster, an
infeasible or unbounded model) is a row of ``plan_solver`` with its message, not a stop: the
rest of the report still stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from cadre_analytics import indicators
from cadre_analytics.errors import UserError
from cadre_analytics.params import (
    SCENARIO_ORDINAL_ATTRIBUTES,
    QuotaRules,
    RetirementSchedule,
    Scenario,
    headline_scenario,
)
from cadre_analytics.plan import PlanResult, Seats, plan_nominations
from cadre_analytics.plan.inputs import plan_candidates, plan_targets
from cadre_analytics.plan.model import ALL
from cadre_analytics.plan.seats import check_against_roster, roster_problems
from cadre_analytics.schema import OUTPUT_TABLES
from cadre_analytics.targets import target_met

RESTRICTED_NOMINATIONS = {
    "staff_id": pl.Utf8,
    "full_name": pl.Utf8,
    "unit": pl.Utf8,
    "course": pl.Utf8,
    "start_year": pl.Int32,
    "completion_year": pl.Int32,
    "step": pl.Int32,
    "quotas": pl.Utf8,  # quota ids, "; "-separated: the quotas the person's courses serve
}


@dataclass(frozen=True)
class PlanStage:
    outcome: pl.DataFrame  # OUTPUT_TABLES["plan_outcome"]
    bottlenecks: pl.DataFrame  # OUTPUT_TABLES["plan_bottlenecks"]
    solver: pl.DataFrame  # OUTPUT_TABLES["plan_solver"]
    nominations: pl.DataFrame  # RESTRICTED_NOMINATIONS: person-level, restricted/ only
    result: PlanResult | None  # the whole result, for the notebook; None when no plan


def _frame(rows: list, name: str) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=OUTPUT_TABLES[name], orient="row")


def _met(numerator: int, population: int, target, comparator: str) -> bool:
    share = Fraction(numerator, population) if population > 0 else None
    return bool(target_met(share, target, comparator))


def outcome_by_scenario(
    outcome: pl.DataFrame,
    projection: pl.DataFrame,
    rules: QuotaRules,
    headline: str,
    *,
    target_year: int,
) -> pl.DataFrame:
    """Targets met in ``target_year`` under every scenario: each scenario's projected
    numerator and population, plus the people the plan (or the rule) makes count, as found on
    the headline scenario. A target is a quota in one unit or in the whole district."""
    gains = outcome.select(
        "quota",
        "unit",
        (pl.col("numerator_plan") - pl.col("numerator_no_nominations")).alias("gain_plan"),
        (pl.col("numerator_rule") - pl.col("numerator_no_nominations")).alias("gain_rule"),
    )
    goals = {
        ind.id: ind.targets[target_year]
        for ind in rules.indicators
        if ind.targets.get(target_year) is not None
    }
    at = projection.filter(
        (pl.col("year") == target_year)
        & (pl.col("target_year") == target_year)
        & (pl.col("denominator") > 0)
    ).rename({"indicator": "quota"})
    rows = []
    for scenario in at["scenario"].unique(maintain_order=True).to_list():
        mine = at.filter(pl.col("scenario") == scenario).join(gains, on=["quota", "unit"])
        met = {"none": 0, "rule": 0, "plan": 0}
        for r in mine.iter_rows(named=True):
            goal = goals[r["quota"]]
            args = (r["denominator"], goal.value / 100, goal.comparator)
            met["none"] += _met(r["numerator"], *args)
            met["rule"] += _met(r["numerator"] + r["gain_rule"], *args)
            met["plan"] += _met(r["numerator"] + r["gain_plan"], *args)
        rows.append((scenario, scenario == headline, target_year, mine.height, *met.values()))
    return _frame(rows, "plan_outcome")


def ranked_bottlenecks(bottlenecks: pl.DataFrame, target_year: int) -> pl.DataFrame:
    """Fewest extra seats first; ``cheapest`` marks, per target, the one course-year whose
    extra seats would meet it with the fewest seats (earliest class, then course, on ties)."""
    ranked = bottlenecks.sort(
        pl.col("meets_target").not_(), "extra_seats", pl.col("unit") != ALL, "start_year",
        "course", "quota", "unit",
    )  # fmt: skip
    first = pl.int_range(pl.len()).over("quota", "unit") == 0
    return ranked.with_columns(
        cheapest=first & pl.col("meets_target"), target_year=pl.lit(target_year, pl.Int32)
    ).select(list(OUTPUT_TABLES["plan_bottlenecks"]))


def _solver_rows(result: PlanResult | None, seats: Seats, reason: tuple | None) -> list:
    common = (seats.time_limit_seconds, seats.example)
    if result is None:
        return [("plan", "error", None, None, 0.0, None, *common, *reason)]
    return [
        (*row, *common, None, None, None)
        for row in result.solver.select(
            "stage", "status", "objective", "mip_gap", "seconds", "plan_from"
        ).iter_rows()
    ]


SEAT_FILE = "params/seats.yaml"


def why_no_plan(seats: Seats, units: set[str], year: int, target_year: int) -> tuple | None:
    """(Vietnamese, English, technical line) saying why no plan can be made on this roster,
    naming the seat-file entry in words; None when a plan can be made."""
    if target_year <= year:
        return (
            f"không còn năm nào để cử người đi học trước năm mục tiêu {target_year} "
            f"(năm báo cáo {year}).",
            f"no year is left to send people on courses before the target year {target_year} "
            f"(report year {year}).",
            None,
        )
    found = roster_problems(seats, units, year + 1)
    if not found:
        return None
    course, start, unit = found[0]
    detail = None
    try:
        check_against_roster(seats, units, year + 1)
    except UserError as exc:
        detail = exc.one_line()
    entry_vi = f"lớp «{course.label_vi}» khai giảng năm {start} trong {SEAT_FILE}"
    entry_en = f"the «{course.label_en}» class starting in {start} in {SEAT_FILE}"
    if unit is None:
        return (
            f"{entry_vi} khai giảng trước năm đầu của kế hoạch ({year + 1}); xóa hoặc sửa năm.",
            f"{entry_en} starts before the plan's first year ({year + 1}); remove it or "
            "change the year.",
            detail,
        )
    return (
        f"{entry_vi} dành suất cho đơn vị {unit}, không có trong danh sách cán bộ.",
        f"{entry_en} gives seats to unit {unit}, which is not on the roster.",
        detail,
    )


def _model_failed(seats: Seats, exc: UserError) -> tuple:
    vi = ", ".join(f"«{c.label_vi}»" for c in seats.courses.values())
    en = ", ".join(f"«{c.label_en}»" for c in seats.courses.values())
    return (
        f"bộ giải không tìm được lời giải; kiểm tra số suất của các khóa {vi} trong {SEAT_FILE}.",
        f"the solver found no solution; check the seats of the courses {en} in {SEAT_FILE}.",
        exc.one_line(),
    )


def run_plan(
    staff: pl.DataFrame,
    training: pl.DataFrame,
    units: pl.DataFrame,
    rules: QuotaRules,
    schedule: RetirementSchedule,
    scenarios: list[Scenario],
    projection: pl.DataFrame,
    seats: Seats,
    *,
    year: int,
) -> PlanStage:
    """The plan for the last target year, optimised on the headline scenario's projection,
    within the seat file's time limit per pass; see the module docstring."""
    target_year = max(rules.target_years)
    headline = headline_scenario(scenarios).name
    candidates = plan_candidates(
        staff, training, units, rules, schedule, year=year, target_year=target_year
    )
    result = None
    reason = why_no_plan(seats, set(candidates["unit"].to_list()), year, target_year)
    if reason is None:
        targets = plan_targets(projection, rules, headline, target_year=target_year)
        if targets.is_empty():
            reason = (
                f"dự báo theo kịch bản chính không có chỉ tiêu nào năm {target_year} mà một khóa "
                "học có thể nâng.",
                f"the headline scenario's projection has no {target_year} target a course "
                "could raise.",
                None,
            )
    if reason is None:
        ranks = {a: indicators.rank_map(a, rules) for a in SCENARIO_ORDINAL_ATTRIBUTES}
        try:
            result = plan_nominations(
                candidates,
                targets,
                seats,
                ranks,
                year=year,
                target_year=target_year,
                time_limit=seats.time_limit_seconds,
            )
        except UserError as exc:  # infeasible or unbounded: said in the report, not a stop
            reason = _model_failed(seats, exc)
    solver = _frame(_solver_rows(result, seats, reason), "plan_solver")
    if result is None:
        return PlanStage(
            outcome=_frame([], "plan_outcome"),
            bottlenecks=_frame([], "plan_bottlenecks"),
            solver=solver,
            nominations=pl.DataFrame(schema=RESTRICTED_NOMINATIONS),
            result=None,
        )
    return PlanStage(
        outcome=outcome_by_scenario(
            result.outcome, projection, rules, headline, target_year=target_year
        ),
        bottlenecks=ranked_bottlenecks(result.bottlenecks, target_year),
        solver=solver,
        nominations=_named(result.nominations, staff, year),
        result=result,
    )


def _named(nominations: pl.DataFrame, staff: pl.DataFrame, year: int) -> pl.DataFrame:
    """The plan's nominations with each person's name (from the YEAR roster)."""
    names = staff.filter(pl.col("snapshot_year") == year).select("staff_id", "full_name")
    return (
        nominations.join(names, on="staff_id", how="left", maintain_order="left")
        .with_columns(pl.col("quotas").list.join("; "))
        .select(list(RESTRICTED_NOMINATIONS))
        .cast(RESTRICTED_NOMINATIONS)
    )
