"""What the plan is compared with, and where more seats would help.

* The simple rule the Board uses today: course by course and year by year, seats go to the
  eligible people with the latest retirement first — eligible as in "what it takes": the
  course alone makes the person count for a quota whose target is not met without
  nominations. Same constraints as the optimiser (seats, groups, age, one course at a time,
  entry level, completion before the target year and retirement).
* Bottlenecks: for each target the plan leaves unmet, and each course, how many extra seats
  in one start year would close the remaining shortfall, counting only people the plan does
  not nominate who could complete that single course in time and would then count. When there
  are at least as many such people as the shortfall, that many extra seats meet the target.
"""

from __future__ import annotations

from dataclasses import dataclass

from cadre_analytics.plan.model import Problem, can_start, counts, delta, raised
from cadre_analytics.plan.optimise import Target, in_scope


@dataclass(frozen=True)
class RuleNomination:
    row: int  # candidate row
    course: int
    start: int


class _SeatBook:
    """Seats left per class, in total and per unit / unit level where allocated."""

    def __init__(self, problem: Problem):
        self.left = {}
        for k, course in enumerate(problem.courses):
            for start, ys in course.seats.items():
                self.left[(k, start)] = (
                    ys.total,
                    dict(ys.by_unit) if ys.by_unit is not None else None,
                    dict(ys.by_level) if ys.by_level is not None else None,
                )

    def take(self, k: int, start: int, unit: str, level: str) -> bool:
        total, by_unit, by_level = self.left[(k, start)]
        if total is not None and total <= 0:
            return False
        if by_unit is not None and by_unit.get(unit, 0) <= 0:
            return False
        if by_level is not None and by_level.get(level, 0) <= 0:
            return False
        if by_unit is not None:
            by_unit[unit] -= 1
        if by_level is not None:
            by_level[level] -= 1
        self.left[(k, start)] = (None if total is None else total - 1, by_unit, by_level)
        return True

    def exhausted(self, k: int, start: int) -> bool:
        total = self.left[(k, start)][0]
        return total is not None and total <= 0


def _wanted(problem: Problem, targets: list[Target]) -> list[set[int]]:
    """Per cohort: the quotas it is in with a target still open without nominations."""
    out = []
    for c, cohort in enumerate(problem.cohorts):
        open_q = {
            problem.quotas.index(t.quota)
            for t in targets
            if not t.met_without
            and t.gap is not None
            and t.comparator != "<="
            and in_scope(problem, c, t)
        }
        out.append({q for q in open_q if cohort.pops[q]})
    return out


def latest_retirement_first(
    problem: Problem, targets: list[Target], order: list[int]
) -> tuple[list[RuleNomination], dict[int, tuple[int, ...]]]:
    """The simple rule; returns its nominations and each nominated row's final ranks."""
    cohort_of = {row: c for c, rows in enumerate(problem.members) for row in rows}
    wanted = _wanted(problem, targets)
    book = _SeatBook(problem)
    state: dict[int, tuple[int, ...]] = {}
    free = {}
    chosen: list[RuleNomination] = []
    classes = sorted(
        (start, k) for k, course in enumerate(problem.courses) for start in course.seats
    )
    for start, k in classes:
        for row in order:
            if book.exhausted(k, start):
                break
            c = cohort_of[row]
            cohort = problem.cohorts[c]
            if not wanted[c] or free.get(row, problem.first_year) > start:
                continue
            ranks = state.get(row, cohort.ranks)
            if not can_start(problem, cohort, ranks, k, start):
                continue
            new = raised(problem, ranks, k)
            before, after = counts(problem, ranks), counts(problem, new)
            if not any(after[q] and not before[q] for q in wanted[c]):
                continue
            if book.take(k, start, cohort.unit, cohort.unit_level):
                chosen.append(RuleNomination(row, k, start))
                state[row] = new
                free[row] = problem.courses[k].completion_year(start) + 1
    return chosen, state


def rule_numerators(
    problem: Problem, targets: list[Target], final: dict[int, tuple[int, ...]]
) -> list[int]:
    cohort_of = {row: c for c, rows in enumerate(problem.members) for row in rows}
    gains = [
        (cohort_of[row], delta(problem, problem.cohorts[cohort_of[row]], r))
        for row, r in final.items()
    ]
    out = []
    for t in targets:
        q = problem.quotas.index(t.quota)
        out.append(t.expected + sum(d[q] for c, d in gains if in_scope(problem, c, t)))
    return out


def plan_numerators(
    problem: Problem, targets: list[Target], plan: dict[tuple[int, int], int]
) -> list[int]:
    out = []
    for t in targets:
        q = problem.quotas.index(t.quota)
        added = sum(
            n * problem.paths[c][i].delta[q]
            for (c, i), n in plan.items()
            if in_scope(problem, c, t)
        )
        out.append(t.expected + added)
    return out


def bottlenecks(
    problem: Problem,
    targets: list[Target],
    plan: dict[tuple[int, int], int],
    numerators: list[int],
    met: list[bool],
) -> list[dict]:
    """Rows: target, course, start year, extra seats needed, free eligible people, enough."""
    nominated = [0] * len(problem.cohorts)
    for (c, _i), n in plan.items():
        nominated[c] += n
    rows = []
    for t, num, is_met in zip(targets, numerators, met, strict=True):
        if is_met or t.gap is None or t.comparator == "<=":
            continue
        shortfall = t.expected + t.gap - num
        q = problem.quotas.index(t.quota)
        free: dict[tuple[int, int], int] = {}
        for c, paths in enumerate(problem.paths):
            left = problem.size(c) - nominated[c]
            if left <= 0 or not in_scope(problem, c, t):
                continue
            for p in paths:
                if len(p.steps) == 1 and p.delta[q] > 0:
                    free[p.steps[0]] = free.get(p.steps[0], 0) + left
        for k, course in enumerate(problem.courses):
            options = [(n, -start) for (kk, start), n in free.items() if kk == k]
            if not options:
                continue
            people, neg_start = max(options)
            rows.append(
                {
                    "quota": t.quota,
                    "unit": t.unit,
                    "course": course.id,
                    "start_year": -neg_start,
                    "extra_seats": shortfall,
                    "free_eligible": people,
                    "meets_target": people >= shortfall,
                }
            )
    return rows
