"""The plan stage: whom to nominate for which course and when, under the seats the Board has.

``plan_nominations(candidates, targets, seats, ranks, year=, target_year=)`` is pure: frames and
typed parameters in, frames out. See ``plan.optimise`` for the model, ``plan.model`` for cohorts
and paths, ``plan.compare`` for the simple rule and the bottlenecks, ``plan.seats`` for
``params/seats.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from cadre_analytics.errors import UserError
from cadre_analytics.plan import compare
from cadre_analytics.plan.model import CANDIDATE_COLUMNS, TARGET_COLUMNS, build_problem, delta
from cadre_analytics.plan.optimise import seats_used, solve
from cadre_analytics.plan.seats import Seats, check_against_roster, load_seats
from cadre_analytics.targets import target_met

NOMINATION_SCHEMA = {
    "staff_id": pl.Utf8,
    "unit": pl.Utf8,
    "course": pl.Utf8,
    "start_year": pl.Int32,
    "completion_year": pl.Int32,
    "step": pl.Int32,  # 1 = the person's first course of the plan, 2 = the next one...
    "quotas": pl.List(pl.Utf8),  # quotas the person's courses make them count in
}
OUTCOME_SCHEMA = {
    "quota": pl.Utf8,
    "unit": pl.Utf8,
    "population": pl.Int64,
    "required_numerator": pl.Int64,  # null: the target cannot be met with this population
    "numerator_no_nominations": pl.Int64,
    "met_no_nominations": pl.Boolean,
    "numerator_plan": pl.Int64,
    "met_plan": pl.Boolean,
    "numerator_rule": pl.Int64,
    "met_rule": pl.Boolean,
}
BOTTLENECK_SCHEMA = {
    "quota": pl.Utf8,
    "unit": pl.Utf8,
    "course": pl.Utf8,
    "start_year": pl.Int32,
    "extra_seats": pl.Int64,
    "free_eligible": pl.Int64,
    "meets_target": pl.Boolean,
}
SEAT_USE_SCHEMA = {
    "course": pl.Utf8,
    "start_year": pl.Int32,
    "seats": pl.Int64,  # null: the seats are allocated to units or levels only
    "used_plan": pl.Int64,
    "used_rule": pl.Int64,
}
SOLVER_SCHEMA = {
    "stage": pl.Utf8,
    "status": pl.Utf8,
    "objective": pl.Float64,
    "mip_gap": pl.Float64,
    "seconds": pl.Float64,
    "plan_from": pl.Utf8,  # solver, or start: the simple rule's plan was not bettered in time
}


@dataclass(frozen=True)
class PlanResult:
    nominations: pl.DataFrame  # person-level: restricted, never in the report
    rule_nominations: pl.DataFrame  # the same for the simple rule
    outcome: pl.DataFrame  # per quota x unit: met with the plan / no nominations / the rule
    bottlenecks: pl.DataFrame
    seat_use: pl.DataFrame  # per course x start year: seats, taken by the plan, by the rule
    solver: pl.DataFrame  # one row per lexicographic stage
    cohorts: int
    columns: int


def _check_columns(frame: pl.DataFrame, needed, name: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise UserError(
            f"Bảng '{name}' của kế hoạch thiếu cột {', '.join(missing)}.",
            f"The plan's '{name}' frame lacks the column(s) {', '.join(missing)}.",
        )


def _met(t, numerator: int) -> bool:
    share = Fraction(numerator, t.population) if t.population > 0 else None
    return bool(target_met(share, t.target, t.comparator))


def plan_nominations(
    candidates: pl.DataFrame,
    targets: pl.DataFrame,
    seats: Seats,
    ranks: Mapping[str, Mapping[str, int]],
    *,
    year: int,
    target_year: int,
    time_limit: float = 60.0,
) -> PlanResult:
    """The optimal plan, the simple rule's plan, what each achieves, and the bottlenecks.

    ``candidates``: people on the roster in ``target_year`` (CANDIDATE_COLUMNS, one column per
    attribute the courses and targets use, ``pop__<quota>`` flags, optional integer
    ``priority``); ``age`` is on 31 December of ``year``, the first class year is ``year + 1``.
    ``targets``: TARGET_COLUMNS, one row per quota x unit (``ALL`` = the whole district).
    ``ranks``: attribute -> level code -> rank (``indicators.rank_map``); yes/no attributes
    (Boolean columns) need none.
    """
    _check_columns(candidates, CANDIDATE_COLUMNS, "candidates")
    _check_columns(targets, TARGET_COLUMNS, "targets")
    quotas = targets["quota"].unique(maintain_order=True).to_list()
    _check_columns(candidates, [f"pop__{q}" for q in quotas], "candidates")
    check_against_roster(seats, set(candidates["unit"].unique().to_list()), year + 1)
    problem = build_problem(candidates, targets, seats, ranks, year=year, target_year=target_year)
    tlist = problem.targets
    order = (
        candidates.with_row_index("_row")
        .sort(["retirement_year", "staff_id"], descending=[True, False])["_row"]
        .to_list()
    )
    rule_noms, rule_final = compare.latest_retirement_first(problem, tlist, order)
    start = compare.as_counts(problem, rule_noms)
    solution = solve(problem, tlist, time_limit=time_limit, start=start)
    plan_num = compare.plan_numerators(problem, tlist, solution.counts)
    rule_num = compare.rule_numerators(problem, tlist, rule_final)
    plan_met = [_met(t, n) for t, n in zip(tlist, plan_num, strict=True)]
    outcome = pl.DataFrame(
        [
            (
                t.quota,
                t.unit,
                t.population,
                None if t.gap is None or t.comparator == "<=" else t.expected + t.gap,
                t.expected,
                t.met_without,
                pn,
                pm,
                rn,
                _met(t, rn),
            )
            for t, pn, pm, rn in zip(tlist, plan_num, plan_met, rule_num, strict=True)
        ],
        schema=OUTCOME_SCHEMA,
        orient="row",
    )
    return PlanResult(
        nominations=_plan_frame(problem, candidates, solution.counts),
        rule_nominations=_rule_frame(problem, candidates, rule_noms, rule_final),
        outcome=outcome,
        bottlenecks=pl.DataFrame(
            compare.bottlenecks(problem, tlist, solution.counts, plan_num, plan_met),
            schema=BOTTLENECK_SCHEMA,
            orient="row",
        ),
        seat_use=_seat_use(problem, solution.counts, rule_noms),
        solver=pl.DataFrame(
            [
                (s.name, s.status, s.objective, s.mip_gap, s.seconds, s.plan_from)
                for s in solution.stages
            ],
            schema=SOLVER_SCHEMA,
            orient="row",
        ),
        cohorts=len(problem.cohorts),
        columns=sum(len(p) for p in problem.paths),
    )


def _served(problem, path) -> list[str]:
    return [q for q, d in zip(problem.quotas, path.delta, strict=True) if d > 0]


def _seat_use(problem, counts: dict, rule_noms) -> pl.DataFrame:
    used = seats_used(problem, counts)
    by_rule: dict[tuple[str, int], int] = {}
    for nom in rule_noms:
        key = (problem.courses[nom.course].id, nom.start)
        by_rule[key] = by_rule.get(key, 0) + 1
    rows = [
        (k.id, start, ys.total, used.get((k.id, start), 0), by_rule.get((k.id, start), 0))
        for k in problem.courses
        for start, ys in k.seats.items()
    ]
    return pl.DataFrame(rows, schema=SEAT_USE_SCHEMA, orient="row")


def _served_by(problem, c: int, final) -> list[str]:
    d = delta(problem, problem.cohorts[c], final)
    return [q for q, v in zip(problem.quotas, d, strict=True) if v > 0]


def _plan_frame(problem, candidates: pl.DataFrame, counts: dict) -> pl.DataFrame:
    """Named people for the cohort counts: within a cohort, latest retirement first."""
    ids, units = candidates["staff_id"].to_list(), candidates["unit"].to_list()
    rows = []
    for c in range(len(problem.cohorts)):
        members = iter(problem.members[c])
        for i, path in enumerate(problem.paths[c]):
            for _ in range(counts.get((c, i), 0)):
                row = next(members)
                for step, (k, start) in enumerate(path.steps, start=1):
                    course = problem.courses[k]
                    rows.append(
                        (
                            ids[row],
                            units[row],
                            course.id,
                            start,
                            course.completion_year(start),
                            step,
                            _served(problem, path),
                        )
                    )
    frame = pl.DataFrame(rows, schema=NOMINATION_SCHEMA, orient="row")
    return frame.sort("start_year", "course", "staff_id")


def _rule_frame(problem, candidates: pl.DataFrame, noms, final: dict) -> pl.DataFrame:
    ids, units = candidates["staff_id"].to_list(), candidates["unit"].to_list()
    cohort_of = {row: c for c, rows in enumerate(problem.members) for row in rows}
    step: dict[int, int] = {}
    rows = []
    for nom in noms:
        step[nom.row] = step.get(nom.row, 0) + 1
        course = problem.courses[nom.course]
        rows.append(
            (
                ids[nom.row],
                units[nom.row],
                course.id,
                nom.start,
                course.completion_year(nom.start),
                step[nom.row],
                _served_by(problem, cohort_of[nom.row], final[nom.row]),
            )
        )
    return pl.DataFrame(rows, schema=NOMINATION_SCHEMA, orient="row").sort(
        "start_year", "course", "staff_id"
    )


__all__ = ["PlanResult", "Seats", "load_seats", "plan_nominations"]
