"""Whom to nominate for which course, and when, so that as many targets as possible are met.

The model (a mixed-integer programme solved by SciPy's ``milp``, i.e. HiGHS):

Variables
  n[c, p]  integer, people of cohort c who follow path p (see ``plan.model``: a cohort is a
           group of interchangeable people, a path one course or courses taken one after
           another). Per cohort the optimiser chooses counts, not named people, which is the
           same as one yes/no per person and course-year but far smaller. Only paths that
           make someone count for a quota with a target still open in their unit or the
           district exist, so no seat goes to a course that serves no open target.
  y[t]     binary, target t (a quota in one unit, or in the whole district "ALL") is met.
  s[t]     continuous 0..gap[t], the part of target t's shortfall this plan closes.

Constraints
  people   sum_p n[c, p] <= size of cohort c: each person follows at most one path, so one
           course at a time and courses in order are built into the paths themselves, as are
           eligibility (staff group, age limit, entry level held or reached by an earlier
           course of the path, not already at the level) and completion no later than the
           target year and before retirement with the course's minimum service left.
  seats    for each course and start year: people starting it <= seats, in total and, where
           the seat file allocates them, per unit or per unit level.
  targets  expected[t] + sum of n[c, p] whose path makes a person of t's population start
           counting  >=  required[t] * y[t], where required[t] = expected[t] + gap[t] and gap
           comes from ``gap_persons`` (the one exact rule for "met"). A quota "== x%"
           also may not overshoot: numerator <= required + N * (1 - y). A target with no
           reachable numerator (gap is None) has y = 0; a headcount target ("<=") cannot be
           changed by courses and keeps its value without nominations.
  closed   s[t] <= sum of those completions.

Objective, strictly lexicographic, in two solves (the second keeps the first's value):
  1. maximise W * sum y + sum s with W = 1 + sum of all gaps. Since 0 <= sum s <= sum of gaps
     < W, one more target met outweighs any shortfall closed: first the most targets met,
     then, among those plans, the most shortfall closed (counted up to each target's gap).
  2. maximise sum (B * priority[c] - courses in p) * n[c, p], with B = 1 + an upper bound on
     all seats used. Priorities are integers, so one more priority point is worth more than
     any saving in seats: first the Board's priorities (the planning pool), then no seat
     spent that step 1 does not need.
Two weighted levels in one solve rather than one solve each: a solve stopped by its time limit
hands the next one no starting plan, and the fixed level then made it start from nothing.
The second solve keeps the first's sum y and sum s as two rows (tighter than their weighted
sum). The relative gap asked for proves the integer optimum (see ``_exact_gap``).

Time limit (per solve): the simple rule's plan is the starting plan, and a solve never hands
on a plan worse than the one in hand, so the result is never worse than the rule; each solve's
status, relative gap and where the plan came from ("solver" / "start") are reported. When the
first solve stops at its limit the second is skipped (status "skipped"): it would only order
the seats by priority, and on such a model it overran its own limit by minutes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import LinearConstraint, milp
from scipy.sparse import coo_array

from cadre_analytics.errors import UserError
from cadre_analytics.plan.model import ALL, Problem, Target, has_seats, read_targets

STATUS = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded", 4: "other"}


@dataclass(frozen=True)
class Stage:
    name: str
    status: str
    objective: float | None
    mip_gap: float | None
    seconds: float
    plan_from: str  # "solver", or "start" when the plan in hand was better


@dataclass
class Solution:
    counts: dict[tuple[int, int], int]  # (cohort, path index) -> people
    stages: list[Stage] = field(default_factory=list)


class _Builder:
    """Sparse rows of the constraint matrix, added one at a time."""

    def __init__(self, n_vars: int):
        self.n_vars = n_vars
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, entries: dict[int, float], lo: float, hi: float) -> None:
        r = len(self.lo)
        for col, val in entries.items():
            self.rows.append(r)
            self.cols.append(col)
            self.vals.append(val)
        self.lo.append(lo)
        self.hi.append(hi)

    def constraint(self) -> LinearConstraint:
        a = coo_array(
            (self.vals, (self.rows, self.cols)), shape=(max(1, len(self.lo)), self.n_vars)
        ).tocsr()
        lo = self.lo or [-np.inf]
        hi = self.hi or [np.inf]
        return LinearConstraint(a, lo, hi)


def _seat_rows(problem: Problem, columns, b: _Builder) -> None:
    using: dict[tuple[int, int], list[int]] = {}
    for j, (_c, _i, p) in enumerate(columns):
        for step in p.steps:
            using.setdefault(step, []).append(j)
    for k, course in enumerate(problem.courses):
        for start, ys in course.seats.items():
            cls = using.get((k, start), [])
            if ys.total is not None:
                b.add({j: 1.0 for j in cls}, -np.inf, ys.total)
            for allocation, attr in ((ys.by_unit, "unit"), (ys.by_level, "unit_level")):
                for name, limit in (allocation or {}).items():
                    cohorts = problem.cohorts
                    mine = [j for j in cls if getattr(cohorts[columns[j][0]], attr) == name]
                    b.add({j: 1.0 for j in mine}, -np.inf, limit)


def gains_by_unit(problem: Problem, columns) -> dict[tuple[int, str], dict[int, float]]:
    """(quota index, unit) -> {column: +1/-1}: which columns change that quota's numerator."""
    out: dict[tuple[int, str], dict[int, float]] = {}
    for j, (c, _i, p) in enumerate(columns):
        unit = problem.cohorts[c].unit
        for q, d in enumerate(p.delta):
            if d:
                out.setdefault((q, unit), {})[j] = float(d)
                out.setdefault((q, ALL), {})[j] = float(d)
    return out


def _target_rows(problem, columns, targets, b, n_cols) -> None:
    gains = gains_by_unit(problem, columns)
    for i, t in enumerate(targets):
        if t.gap is None or t.comparator == "<=":
            continue
        added = gains.get((problem.quotas.index(t.quota), t.unit), {})
        y, s = n_cols + i, n_cols + len(targets) + i
        b.add({**added, y: -float(t.gap)}, 0.0, np.inf)
        if t.comparator == "==":
            b.add({**added, y: float(t.population)}, -np.inf, t.gap + t.population)
        b.add({**added, s: -1.0}, 0.0, np.inf)


def _bounds(problem, columns, targets) -> tuple[np.ndarray, np.ndarray]:
    lo = np.zeros(len(columns) + 2 * len(targets))
    hi = np.array(
        [problem.size(c) for c, _i, _p in columns]
        + [_y_upper(t) for t in targets]
        + [float(t.gap or 0) for t in targets],
        dtype=float,
    )
    for i, t in enumerate(targets):
        if t.comparator == "<=" or t.gap == 0 and t.comparator != "==":
            lo[len(columns) + i] = hi[len(columns) + i] = float(t.met_without)
    return lo, hi


def _y_upper(t: Target) -> float:
    if t.comparator == "<=":
        return float(t.met_without)
    return 0.0 if t.gap is None else 1.0


def _objectives(problem: Problem, columns, targets: list[Target]):
    """Stage 1: W * sum y + sum s; stage 2: sum (B * priority - courses) * n (module doc)."""
    n_cols, n_t = len(columns), len(targets)
    first = np.zeros(n_cols + 2 * n_t)
    weight = 1.0 + sum(t.gap or 0 for t in targets)  # > the largest possible sum s
    first[n_cols : n_cols + n_t] = weight
    first[n_cols + n_t :] = 1.0
    seats_bound = min(
        sum(problem.size(c) for c in range(len(problem.cohorts))) * problem.max_courses,
        sum(_capacity(ys) for k in problem.courses for ys in k.seats.values()),
    )
    second = np.zeros_like(first)
    for j, (c, _i, p) in enumerate(columns):
        second[j] = (seats_bound + 1) * problem.cohorts[c].priority - len(p.steps)
    return first, second


def _exact_gap(obj: np.ndarray, hi: np.ndarray) -> float:
    """A relative gap small enough to prove the integer optimum: both objectives take integer
    values at the optimum (s can always be raised to min(gap, completions)), so a gap below
    1 / (largest possible value) means an absolute gap below 1, i.e. none."""
    largest = float(np.maximum(obj, 0) @ hi)
    return 0.99 / max(largest, 1.0)


def _parts(obj: np.ndarray, n_cols: int, n_t: int) -> list[np.ndarray]:
    """The weighted objective of stage 1 as its levels (sum y, sum s); stage 2 as itself."""
    if not obj[n_cols:].any():
        return [obj]
    y, s = np.zeros_like(obj), np.zeros_like(obj)
    y[n_cols : n_cols + n_t] = 1.0
    s[n_cols + n_t :] = 1.0
    return [y, s]


def _capacity(ys) -> int:
    """Most people a class can take: its total, else the sum of its allocations."""
    if ys.total is not None:
        return ys.total
    return min(
        sum((ys.by_unit or {}).values()) or 10**9, sum((ys.by_level or {}).values()) or 10**9
    )


def _vector(problem, columns, targets, counts, lo) -> np.ndarray:
    """A plan given as counts per (cohort, path index) as a point of the model: y where its
    numerators meet the target, s the shortfall it closes."""
    n_cols, n_t = len(columns), len(targets)
    x = lo.copy()
    for j, (c, i, _p) in enumerate(columns):
        x[j] = counts.get((c, i), 0)
    gains = gains_by_unit(problem, columns)
    for k, t in enumerate(targets):
        if t.fixed and t.comparator != "==":
            continue
        added = sum(
            v * x[j] for j, v in gains.get((problem.quotas.index(t.quota), t.unit), {}).items()
        )
        if t.gap is None:
            continue
        met = added >= t.gap and (t.comparator != "==" or added <= t.gap)
        x[n_cols + k] = float(met)
        x[n_cols + n_t + k] = float(min(max(added, 0), t.gap))
    return x


def solve(
    problem: Problem,
    targets: list[Target],
    *,
    time_limit: float = 60.0,
    start: dict[tuple[int, int], int] | None = None,
) -> Solution:
    """Two lexicographic solves; see the module docstring. ``time_limit`` is per solve.

    ``start``: a feasible plan (counts per cohort and path index, e.g. the simple rule's). A
    solve never hands on a plan worse than the one in hand, so the result is never worse than
    ``start``, even when a time limit stops HiGHS before it finds a plan of its own."""
    columns = [(c, i, p) for c, paths in enumerate(problem.paths) for i, p in enumerate(paths)]
    n_cols, n_t = len(columns), len(targets)
    b = _Builder(n_cols + 2 * n_t)
    per_cohort: dict[int, dict[int, float]] = {}
    for j, (c, _i, _p) in enumerate(columns):
        per_cohort.setdefault(c, {})[j] = 1.0
    for c, entries in per_cohort.items():
        b.add(entries, -np.inf, problem.size(c))
    _seat_rows(problem, columns, b)
    _target_rows(problem, columns, targets, b, n_cols)
    lo, hi = _bounds(problem, columns, targets)
    integrality = np.array([1] * n_cols + [1] * n_t + [0] * n_t)
    constraints = [b.constraint()]
    # nobody nominated is always feasible (y forced by bounds as given)
    x = _vector(problem, columns, targets, start or {}, lo)
    stages = []
    for name, obj in zip(
        ("targets_and_shortfall", "priority"), _objectives(problem, columns, targets), strict=True
    ):
        if stages and stages[-1].status != "optimal":
            # The first pass ran out of time: a second pass on that model is slower still
            # (HiGHS overran a 30 s limit by minutes at 80,000 staff), and only orders seats
            # by priority, so the time goes to the targets and the pass is reported skipped.
            stages.append(Stage(name, "skipped", None, None, 0.0, "start"))
            continue
        started = time.perf_counter()
        res = milp(
            c=-obj,
            integrality=integrality,
            bounds=(lo, hi),
            constraints=constraints,
            options={"time_limit": time_limit, "mip_rel_gap": _exact_gap(obj, hi)},
        )
        seconds = time.perf_counter() - started
        if res.status in (2, 3):
            raise _solver_error(problem, res.status)
        plan_from = "start"
        if res.x is not None:  # else: stopped before any plan of its own
            found = res.x.copy()
            found[: n_cols + n_t] = np.round(found[: n_cols + n_t])
            if obj @ found >= obj @ x - 1e-6:
                x, plan_from = found, "solver"
        gap = getattr(res, "mip_gap", None)
        status = STATUS.get(res.status, "other")
        stages.append(Stage(name, status, float(obj @ x), gap, seconds, plan_from))
        # Keep what the plan in hand achieves (the optimum when status is optimal): targets met
        # and shortfall closed as two rows, which bound the next solve's relaxation far better
        # than their weighted sum.
        for part in _parts(obj, n_cols, n_t):
            constraints.append(LinearConstraint(part.reshape(1, -1), part @ x - 1e-6, np.inf))
    counts = {(c, i): int(x[j]) for j, (c, i, _p) in enumerate(columns) if x[j] > 0.5}
    return Solution(counts=counts, stages=stages)


def _solver_error(problem: Problem, status: int) -> UserError:
    names = ", ".join(f"courses.{k.id}.seats" for k in problem.courses)
    word_vi = "không có lời giải" if status == 2 else "không bị chặn"
    word_en = "infeasible" if status == 2 else "unbounded"
    return UserError(
        f"Bài toán kế hoạch cử đi học {word_vi}; kiểm tra các mục {names} trong tệp suất học.",
        f"The nomination plan is {word_en}; check the entries {names} in the seat file.",
    )


def seats_used(problem: Problem, counts: dict[tuple[int, int], int]) -> dict:
    """(course id, start year) -> people starting it under this plan."""
    used: dict[tuple[str, int], int] = {}
    for (c, i), n in counts.items():
        for k, start in problem.paths[c][i].steps:
            key = (problem.courses[k].id, start)
            used[key] = used.get(key, 0) + n
    return used


__all__ = ["Solution", "Stage", "Target", "has_seats", "read_targets", "solve", "seats_used"]
