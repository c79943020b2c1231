"""Cohorts of interchangeable people and the course paths each cohort may follow.

Two people belong to the same cohort when nothing the plan looks at tells them apart: unit and
unit level, staff group, current level of every attribute a course or a quota uses, the quota
populations they are in, their priority, and, per course, the last year they may complete it
(retirement minus the service the course requires, capped at the target year) and the last year
they may start it (the age limit). Any plan for named people is then a plan of counts per
cohort and back, so the optimiser works with integer counts per cohort instead of one binary
per person: the same optimum, far fewer variables.

A *path* is what one person does over the plan: one course, or several one after another
(the next starts after the previous one completes, each entry requirement held by then). Only
paths in which every course matters are kept: dropping any one of them would either break an
entry requirement of a later one or change which quotas the person ends up counting in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from cadre_analytics.plan.seats import CourseSeats, Seats
from cadre_analytics.targets import gap_persons, target_met

ALL = "ALL"
UNBLANK = -1  # rank of a blank level: below every level, so a blank never counts

CANDIDATE_COLUMNS = ("staff_id", "unit", "unit_level", "staff_type", "retirement_year", "age")
TARGET_COLUMNS = (
    "quota",
    "unit",
    "population",
    "expected_numerator",
    "target",
    "comparator",
    "count_attributes",
    "count_levels",
)


@dataclass(frozen=True)
class Target:
    quota: str
    unit: str
    population: int
    expected: int
    target: object
    comparator: str
    gap: int | None  # completions needed beyond expected; None = cannot be met
    met_without: bool

    @property
    def fixed(self) -> bool:
        """Met or not whatever the plan does: a headcount quota, out of reach, or already met
        (an "==" quota can still be overshot, so it is never fixed while reachable)."""
        return (
            self.comparator == "<="
            or self.gap is None
            or (self.gap == 0 and self.comparator != "==")
        )


def read_targets(targets: pl.DataFrame) -> list[Target]:
    """The targets frame as Targets, with gap and met by ``indicators`` (the one exact rule)."""
    out = []
    for row in targets.iter_rows(named=True):
        n, expected, cmp = int(row["population"]), int(row["expected_numerator"]), row["comparator"]
        share = Fraction(expected, n) if n > 0 else None
        met = bool(target_met(share, row["target"], cmp))
        gap = None if cmp == "<=" else gap_persons(expected, n, row["target"], cmp)
        out.append(Target(row["quota"], row["unit"], n, expected, row["target"], cmp, gap, met))
    return out


@dataclass(frozen=True)
class Cohort:
    unit: str
    unit_level: str
    staff_type: str
    ranks: tuple[int, ...]  # per Problem.attributes
    pops: tuple[bool, ...]  # per Problem.quotas
    priority: int
    deadline: tuple[int, ...]  # per course: last completion year allowed
    last_start: tuple[int, ...]  # per course: last start year the age limit allows


@dataclass(frozen=True)
class Path:
    steps: tuple[tuple[int, int], ...]  # (course index, start year), in time order
    delta: tuple[int, ...]  # per Problem.quotas: +1 when the person starts counting


@dataclass
class Problem:
    year: int  # the report year: ages are on 31 December of it
    target_year: int
    first_year: int
    courses: list[CourseSeats]
    attributes: list[str]
    quotas: list[str]
    conditions: dict[str, list[tuple[int, int]]]  # quota -> (attribute index, minimum rank)
    course_attr: list[int]  # attribute index each course raises
    course_rank: list[int]  # rank reached on completion
    course_requires: list[list[tuple[int, int]]]
    cohorts: list[Cohort]
    members: list[list[int]]  # candidate rows per cohort, latest retirement first
    paths: list[list[Path]]
    max_courses: int
    targets: list[Target]

    def size(self, c: int) -> int:
        return len(self.members[c])


def level_rank(attribute: str, level, ranks: Mapping[str, Mapping[str, int]]) -> int:
    """Rank of a level; a yes/no attribute ranks no = 0, yes = 1."""
    if attribute not in ranks:
        return 1 if level is True or str(level).lower() == "true" else 0
    return ranks[attribute][level]


def _rank_column(candidates: pl.DataFrame, attribute: str, ranks) -> pl.Series:
    col = candidates[attribute]
    if col.dtype == pl.Boolean:
        return col.cast(pl.Int16).fill_null(UNBLANK)
    return col.cast(pl.Utf8).replace_strict(
        dict(ranks[attribute]), default=UNBLANK, return_dtype=pl.Int16
    )


def _attributes(seats: Seats, targets: pl.DataFrame) -> list[str]:
    found: list[str] = []
    for course in seats.courses.values():
        found += [course.attribute, *course.requires_at_least]
    for attrs in targets["count_attributes"].to_list():
        found += list(attrs)
    return list(dict.fromkeys(found))


def _last_at_or_before(values: list[int], years: list[int], floor: int) -> list[int]:
    """Each value replaced by the latest of ``years`` at or before it (``floor`` when none):
    only those years are ever compared with it."""
    out = []
    for v in values:
        below = [y for y in years if y <= v]
        out.append(below[-1] if below else floor)
    return out


def _limits(candidates: pl.DataFrame, course: CourseSeats, year: int, target: int, floor: int):
    """Per person: last completion year (service and target) and last start year (age), each
    as the latest class completion / class start it allows."""
    service = max(1, course.min_service_years_after)  # always complete before retirement
    deadline = (candidates["retirement_year"] - service).clip(floor, target).to_list()
    if course.max_age is None:
        last_start = [target] * candidates.height
    else:
        # under max_age on 31 December of the start year s: age + (s - year) < max_age
        last_start = (course.max_age - 1 - candidates["age"] + year).clip(floor, target).to_list()
    starts = sorted(course.seats)
    completions = sorted({course.completion_year(s) for s in starts})
    return (
        _last_at_or_before(deadline, completions, floor),
        _last_at_or_before(last_start, starts, floor),
    )


def _thresholds(attributes, conditions, courses, ranks) -> list[list[int]]:
    """Per attribute, every rank the plan compares with: counting levels, course levels,
    entry levels."""
    found: list[set[int]] = [set() for _ in attributes]
    for pairs in conditions.values():
        for a, r in pairs:
            found[a].add(r)
    for k in courses:
        found[attributes.index(k.attribute)].add(level_rank(k.attribute, k.level, ranks))
        for a, r in _requires(k, attributes, ranks):
            found[a].add(r)
    return [sorted(t) for t in found]


def _coarse(values: list[int], thresholds: list[int]) -> list[int]:
    """Replace a rank by the highest threshold at or below it (UNBLANK when none): every
    comparison the plan makes (rank >= t, rank < t, raising to t) gives the same answer, and
    people differing only between thresholds fall into one cohort."""
    out = []
    for v in values:
        below = [t for t in thresholds if t <= v]
        out.append(below[-1] if below else UNBLANK)
    return out


def _group(features: list[list], order: list[int]):
    """Cohort key per row -> (distinct keys in first-seen order, member rows per key)."""
    index: dict[tuple, int] = {}
    members: list[list[int]] = []
    for i in order:
        key = tuple(col[i] for col in features)
        c = index.setdefault(key, len(index))
        if c == len(members):
            members.append([])
        members[c].append(i)
    return list(index), members


def build_problem(
    candidates: pl.DataFrame,
    targets: pl.DataFrame,
    seats: Seats,
    ranks: Mapping[str, Mapping[str, int]],
    *,
    year: int,
    target_year: int,
) -> Problem:
    """Group the candidates into cohorts and list each cohort's useful paths; people with no
    useful path (nothing a course could change for a quota) are left out of the cohorts."""
    courses = list(seats.courses.values())
    attributes = _attributes(seats, targets)
    quotas = list(dict.fromkeys(targets["quota"].to_list()))
    conditions = {}
    for row in targets.select("quota", "count_attributes", "count_levels").iter_rows():
        conditions[row[0]] = [
            (attributes.index(a), level_rank(a, lvl, ranks))
            for a, lvl in zip(row[1], row[2], strict=True)
        ]
    floor = year  # "no year": before the plan's first year, year + 1
    thresholds = _thresholds(attributes, conditions, courses, ranks)
    rank_cols = [
        _coarse(_rank_column(candidates, a, ranks).to_list(), t)
        for a, t in zip(attributes, thresholds, strict=True)
    ]
    pop_cols = [candidates[f"pop__{q}"].fill_null(False).to_list() for q in quotas]
    limits = [_limits(candidates, k, year, target_year, floor) for k in courses]
    priority = (
        candidates["priority"].fill_null(0).cast(pl.Int64).to_list()
        if "priority" in candidates.columns
        else [0] * candidates.height
    )
    order = candidates.with_row_index("_row").sort(
        ["retirement_year", "staff_id"], descending=[True, False]
    )["_row"]
    plain = [candidates[c].to_list() for c in ("unit", "unit_level", "staff_type")]
    keys, members = _group(
        [*plain, list(zip(*rank_cols, strict=True)), list(zip(*pop_cols, strict=True)), priority]
        + [list(zip(*(lim[0] for lim in limits), strict=True))]
        + [list(zip(*(lim[1] for lim in limits), strict=True))],
        order.to_list(),
    )
    problem = Problem(
        year=year,
        target_year=target_year,
        first_year=year + 1,
        courses=courses,
        attributes=attributes,
        quotas=quotas,
        conditions=conditions,
        course_attr=[attributes.index(k.attribute) for k in courses],
        course_rank=[level_rank(k.attribute, k.level, ranks) for k in courses],
        course_requires=[_requires(k, attributes, ranks) for k in courses],
        cohorts=[Cohort(*key) for key in keys],
        members=members,
        paths=[],
        max_courses=seats.max_courses_per_person,
        targets=read_targets(targets),
    )
    _with_paths(problem)
    return problem


def _open_quotas(problem: Problem) -> dict[str, set[int]]:
    """Unit (or ALL) -> quotas with a target there that the plan can still change."""
    out: dict[str, set[int]] = {}
    for t in problem.targets:
        if not t.fixed:
            out.setdefault(t.unit, set()).add(problem.quotas.index(t.quota))
    return out


def _with_paths(problem: Problem) -> None:
    """Fill in the paths (computed once per distinct situation) and drop pathless cohorts."""
    open_in = _open_quotas(problem)
    memo: dict[tuple, list[Path]] = {}
    paths = []
    for cohort in problem.cohorts:
        useful_q = open_in.get(ALL, set()) | open_in.get(cohort.unit, set())
        useful = tuple(q in useful_q and p for q, p in enumerate(cohort.pops))
        classes = tuple(
            has_seats(course, start, cohort) for course in problem.courses for start in course.seats
        )
        key = (
            cohort.staff_type,
            cohort.ranks,
            cohort.pops,
            useful,
            cohort.deadline,
            cohort.last_start,
            classes,
        )
        if key not in memo:
            memo[key] = cohort_paths(problem, cohort, useful)
        paths.append(memo[key])
    keep = [c for c, p in enumerate(paths) if p]
    problem.cohorts = [problem.cohorts[c] for c in keep]
    problem.members = [problem.members[c] for c in keep]
    problem.paths = [paths[c] for c in keep]


def _requires(course: CourseSeats, attributes: list[str], ranks) -> list[tuple[int, int]]:
    return [
        (attributes.index(a), level_rank(a, lvl, ranks))
        for a, lvl in course.requires_at_least.items()
    ]


def has_seats(course: CourseSeats, start: int, cohort: Cohort) -> bool:
    """Can anyone of this cohort take a seat in this class at all?"""
    ys = course.seats.get(start)
    if ys is None or ys.total == 0:
        return False
    if ys.by_unit is not None and not ys.by_unit.get(cohort.unit):
        return False
    if ys.by_level is not None and not ys.by_level.get(cohort.unit_level):
        return False
    return True


def can_start(problem: Problem, cohort: Cohort, ranks: Sequence[int], k: int, start: int) -> bool:
    """May someone of this cohort, now at ``ranks``, start course ``k`` in ``start``?"""
    course = problem.courses[k]
    return (
        cohort.staff_type in course.staff_types
        and ranks[problem.course_attr[k]] < problem.course_rank[k]
        and all(ranks[a] >= r for a, r in problem.course_requires[k])
        and start <= cohort.last_start[k]
        and course.completion_year(start) <= cohort.deadline[k]
        and has_seats(course, start, cohort)
    )


def raised(problem: Problem, ranks: Sequence[int], k: int) -> tuple[int, ...]:
    out = list(ranks)
    a = problem.course_attr[k]
    out[a] = max(out[a], problem.course_rank[k])
    return tuple(out)


def counts(problem: Problem, ranks: Sequence[int]) -> tuple[bool, ...]:
    """Per quota: does a person at these ranks meet its counting condition?"""
    return tuple(all(ranks[a] >= r for a, r in problem.conditions[q]) for q in problem.quotas)


def delta(problem: Problem, cohort: Cohort, final: Sequence[int]) -> tuple[int, ...]:
    before, after = counts(problem, cohort.ranks), counts(problem, final)
    return tuple(
        int(after[i]) - int(before[i]) if cohort.pops[i] else 0 for i in range(len(before))
    )


def _follow(problem: Problem, cohort: Cohort, steps) -> tuple[int, ...] | None:
    """Ranks after taking ``steps`` in order, or None if some step is not allowed."""
    ranks = cohort.ranks
    free_from = problem.first_year
    for k, start in steps:
        if start < free_from or not can_start(problem, cohort, ranks, k, start):
            return None
        ranks = raised(problem, ranks, k)
        free_from = problem.courses[k].completion_year(start) + 1
    return ranks


def _masked(d: tuple[int, ...], useful: tuple[bool, ...]) -> tuple[int, ...]:
    return tuple(v if u else 0 for v, u in zip(d, useful, strict=True))


def _every_step_matters(problem: Problem, cohort: Cohort, steps, d, useful) -> bool:
    for i in range(len(steps)):
        rest = steps[:i] + steps[i + 1 :]
        final = _follow(problem, cohort, rest)
        if final is not None and _masked(delta(problem, cohort, final), useful) == d:
            return False
    return True


def cohort_paths(problem: Problem, cohort: Cohort, useful: tuple[bool, ...]) -> list[Path]:
    """Every useful path of a cohort, in a fixed order (earliest first step first).

    Useful: it changes the numerator of some quota (``useful``) with a target in the cohort's
    unit or district that is still open, and every step matters for that. The path keeps its
    full delta, so numerators of targets already settled stay exact.
    """
    found: list[Path] = []

    def extend(steps, ranks, free_from):
        if steps:
            full = delta(problem, cohort, ranks)
            d = _masked(full, useful)
            if any(d) and _every_step_matters(problem, cohort, steps, d, useful):
                found.append(Path(steps=tuple(steps), delta=full))
        if len(steps) == problem.max_courses:
            return
        for k, course in enumerate(problem.courses):
            for start in course.seats:
                if start >= free_from and can_start(problem, cohort, ranks, k, start):
                    step = (k, start)
                    extend(
                        [*steps, step], raised(problem, ranks, k), course.completion_year(start) + 1
                    )

    extend([], cohort.ranks, problem.first_year)
    return found
