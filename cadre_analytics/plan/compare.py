"""What the plan is compared with, and where more seats would help.

* The simple rule the Board uses today: course by course and year by year, seats go to the
  eligible people with the latest retirement first — eligible as in "what it takes": the
  course alone makes the person count for a quota whose target is not met without
  nominations. Same constraints as the optimiser (seats, groups, age, one course at a time,
  at most the seat file's courses per person, entry level, completion by the target year and
  before retirement).
* Bottlenecks: for each target the plan leaves unmet, and each course, how many extra seats
  in one start year would close the remaining shortfall, counting only people the plan does
  not nominate who could complete that single course in time and would then count. When there
  are at least as many such people as the shortfall, that many extra seats meet the target.
"""

from __future__ import annotations

from dataclasses import dataclass

from cadre_analytics.plan.model import ALL, Problem, can_start, counts, delta, raised
from cadre_analytics.plan.optimise import Target


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
    open_in: dict[str, set[int]] = {}
    for t in targets:
        if not t.met_without and t.gap is not None and t.comparator != "<=":
            open_in.setdefault(t.unit, set()).add(problem.quotas.index(t.quota))
    everywhere = open_in.get(ALL, set())
    return [
        {q for q in everywhere | open_in.get(cohort.unit, set()) if cohort.pops[q]}
        for cohort in problem.cohorts
    ]


def latest_retirement_first(
    problem: Problem, targets: list[Target], order: list[int]
) -> tuple[list[RuleNomination], dict[int, tuple[int, ...]]]:
    """The simple rule; returns its nominations and each nominated row's final ranks."""
    cohort_of = {row: c for c, rows in enumerate(problem.members) for row in rows}
    wanted = _wanted(problem, targets)
    book = _SeatBook(problem)
    state: dict[int, tuple[int, ...]] = {}
    free: dict[int, int] = {}
    taken: dict[int, int] = {}
    chosen: list[RuleNomination] = []
    classes = sorted(
        (start, k) for k, course in enumerate(problem.courses) for start in course.seats
    )
    for start, k in classes:
        for row in order:
            if book.exhausted(k, start):
                break
            c = cohort_of.get(row)
            if c is None or not wanted[c] or free.get(row, problem.first_year) > start:
                continue  # (people with no useful course at all are in no cohort)
            if taken.get(row, 0) >= problem.max_courses:
                continue
            cohort = problem.cohorts[c]
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
                taken[row] = taken.get(row, 0) + 1
    return chosen, state


def as_counts(problem: Problem, noms: list[RuleNomination]) -> dict[tuple[int, int], int]:
    """The rule's nominations as counts per (cohort, path index), a starting plan for the
    optimiser; a person whose courses are not one of the cohort's paths is left out (fewer
    seats used, still feasible)."""
    cohort_of = {row: c for c, rows in enumerate(problem.members) for row in rows}
    steps: dict[int, list[tuple[int, int]]] = {}
    for nom in noms:
        steps.setdefault(nom.row, []).append((nom.course, nom.start))
    index = [{p.steps: i for i, p in enumerate(paths)} for paths in problem.paths]
    counts: dict[tuple[int, int], int] = {}
    for row, mine in steps.items():
        c = cohort_of[row]
        i = index[c].get(tuple(mine))
        if i is not None:
            counts[(c, i)] = counts.get((c, i), 0) + 1
    return counts


def _numerators(problem: Problem, targets: list[Target], gains) -> list[int]:
    """expected + the gains (cohort, people, delta per quota) within each target's scope."""
    added: dict[tuple[int, str], int] = {}
    for c, people, d in gains:
        for q, v in enumerate(d):
            if v:
                for scope in (problem.cohorts[c].unit, ALL):
                    added[(q, scope)] = added.get((q, scope), 0) + people * v
    return [t.expected + added.get((problem.quotas.index(t.quota), t.unit), 0) for t in targets]


def rule_numerators(
    problem: Problem, targets: list[Target], final: dict[int, tuple[int, ...]]
) -> list[int]:
    cohort_of = {row: c for c, rows in enumerate(problem.members) for row in rows}
    gains = [
        (cohort_of[row], 1, delta(problem, problem.cohorts[cohort_of[row]], r))
        for row, r in final.items()
    ]
    return _numerators(problem, targets, gains)


def plan_numerators(
    problem: Problem, targets: list[Target], plan: dict[tuple[int, int], int]
) -> list[int]:
    gains = [(c, n, problem.paths[c][i].delta) for (c, i), n in plan.items()]
    return _numerators(problem, targets, gains)


def _free_single(problem: Problem, plan: dict[tuple[int, int], int]) -> dict:
    """(quota index, unit or ALL) -> {(course, start): people not nominated who would count
    after that one class}."""
    nominated = [0] * len(problem.cohorts)
    for (c, _i), n in plan.items():
        nominated[c] += n
    out: dict[tuple[int, str], dict[tuple[int, int], int]] = {}
    for c, paths in enumerate(problem.paths):
        left = problem.size(c) - nominated[c]
        if left <= 0:
            continue
        for p in paths:
            if len(p.steps) != 1:
                continue
            for q, d in enumerate(p.delta):
                if d > 0:
                    for scope in (problem.cohorts[c].unit, ALL):
                        free = out.setdefault((q, scope), {})
                        free[p.steps[0]] = free.get(p.steps[0], 0) + left
    return out


def bottlenecks(
    problem: Problem,
    targets: list[Target],
    plan: dict[tuple[int, int], int],
    numerators: list[int],
    met: list[bool],
) -> list[dict]:
    """Rows: target, course, start year, extra seats needed, free eligible people, enough."""
    free_single = _free_single(problem, plan)
    rows = []
    for t, num, is_met in zip(targets, numerators, met, strict=True):
        if is_met or t.gap is None or t.comparator == "<=":
            continue
        shortfall = t.expected + t.gap - num
        free = free_single.get((problem.quotas.index(t.quota), t.unit), {})
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
