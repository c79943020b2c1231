"""Small hand-built plan inputs and an independent brute-force optimum for them.

Two courses on the political-theory scale (none 0 < elementary 1 < intermediate 2 <
advanced 3): ``pt_intermediate`` (no entry requirement) and ``pt_advanced`` (needs
intermediate), one year each, classes in 2026 and 2027, target year 2027. The brute force
knows nothing of cohorts or paths: it tries every schedule of every person.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import polars as pl

from cadre_analytics.plan.seats import CourseSeats, Seats, YearSeats
from cadre_analytics.targets import gap_persons, target_met

YEAR, TARGET = 2025, 2027
PT = {"none": 0, "elementary": 1, "intermediate": 2, "advanced": 3}
RANKS = {"political_theory": PT}


def course(cid, level, seats, *, min_service=0, max_age=None, requires=None, types=None):
    return CourseSeats(
        id=cid,
        attribute="political_theory",
        level=level,
        duration_years=1,
        staff_types=types or ("cadre", "civil_servant"),
        min_service_years_after=min_service,
        max_age=max_age,
        requires_at_least=requires or {},
        seats={y: YearSeats(total=n) for y, n in seats.items()},
        label_vi=cid,
        label_en=cid,
    )


def two_courses(int_seats, adv_seats, *, min_service=0, max_courses=2) -> Seats:
    return Seats(
        courses={
            "pt_intermediate": course(
                "pt_intermediate", "intermediate", int_seats, min_service=min_service
            ),
            "pt_advanced": course(
                "pt_advanced",
                "advanced",
                adv_seats,
                min_service=min_service,
                requires={"political_theory": "intermediate"},
            ),
        },
        max_courses_per_person=max_courses,
        source_file="seats.yaml",
    )


def candidates(people: list[dict]) -> pl.DataFrame:
    """people: dicts with id, unit, pt, retire, and optional age, type, priority."""
    return pl.DataFrame(
        {
            "staff_id": [p["id"] for p in people],
            "unit": [p.get("unit", "U1") for p in people],
            "unit_level": ["district"] * len(people),
            "staff_type": [p.get("type", "civil_servant") for p in people],
            "retirement_year": [p["retire"] for p in people],
            "age": [p.get("age", 40) for p in people],
            "political_theory": [p["pt"] for p in people],
            "pop__q_int": [True] * len(people),
            "pop__q_adv": [True] * len(people),
            "priority": [p.get("priority", 0) for p in people],
        }
    )


def targets(rows: list[tuple]) -> pl.DataFrame:
    """rows: (quota, unit, N, expected, target share, comparator); q_int counts intermediate+,
    q_adv counts advanced."""
    level = {"q_int": "intermediate", "q_adv": "advanced"}
    return pl.DataFrame(
        {
            "quota": [r[0] for r in rows],
            "unit": [r[1] for r in rows],
            "population": [r[2] for r in rows],
            "expected_numerator": [r[3] for r in rows],
            "target": [r[4] for r in rows],
            "comparator": [r[5] for r in rows],
            "count_attributes": [["political_theory"] for _ in rows],
            "count_levels": [[level[r[0]]] for r in rows],
        }
    )


def _schedules(seats: Seats):
    """Every way one person may be scheduled: nothing, one class, or two classes in time order."""
    classes = [(cid, y) for cid, c in seats.courses.items() for y in c.seats]
    out = [()]
    out += [(a,) for a in classes]
    if seats.max_courses_per_person >= 2:
        out += [(a, b) for a, b in itertools.permutations(classes, 2) if a[1] < b[1]]
    return out


def _allowed(person: dict, schedule, seats: Seats) -> int | None:
    """Final rank after the schedule, or None when some class is not allowed for the person."""
    rank = PT[person["pt"]] if person["pt"] is not None else -1
    for cid, start in schedule:
        c = seats.courses[cid]
        completion = start + c.duration_years - 1
        ok = (
            person.get("type", "civil_servant") in c.staff_types
            and rank < PT[c.level]
            and all(rank >= PT[lvl] for lvl in c.requires_at_least.values())
            and completion <= TARGET
            and person["retire"] - completion >= max(1, c.min_service_years_after)
            and (c.max_age is None or person.get("age", 40) + (start - YEAR) < c.max_age)
        )
        if not ok:
            return None
        rank = PT[c.level]
    return rank


def brute_force(people: list[dict], target_rows: list[tuple], seats: Seats):
    """Best (targets met, shortfall closed, priority people nominated) over every assignment."""
    options = []
    for p in people:
        mine = [(s, _allowed(p, s, seats)) for s in _schedules(seats)]
        options.append([(s, r) for s, r in mine if r is not None])
    best = None
    for choice in itertools.product(*options):
        used: dict = {}
        for schedule, _ in choice:
            for cls in schedule:
                used[cls] = used.get(cls, 0) + 1
        if any(n > seats.courses[cid].seats[y].total for (cid, y), n in used.items()):
            continue
        score = _score(people, choice, target_rows)
        if best is None or score > best:
            best = score
    return best


def _score(people, choice, target_rows):
    wanted = {"q_int": 2, "q_adv": 3}
    met = closed = 0
    for quota, unit, n, expected, share, cmp in target_rows:
        added = 0
        for p, (_s, final) in zip(people, choice, strict=True):
            if unit not in ("ALL", p.get("unit", "U1")):
                continue
            start = PT[p["pt"]] if p["pt"] is not None else -1
            added += int(final >= wanted[quota]) - int(start >= wanted[quota])
        num = expected + added
        met += bool(target_met(Fraction(num, n), share, cmp))
        gap = gap_persons(expected, n, share, cmp)
        closed += min(gap or 0, added)
    # Priority counts people whose courses serve a target still open (gap > 0) in their unit
    # or the district: the plan never spends a seat on anything else.
    priority = 0
    for p, (_s, final) in zip(people, choice, strict=True):
        start = PT[p["pt"]] if p["pt"] is not None else -1
        serves = any(
            unit in ("ALL", p.get("unit", "U1"))
            and (gap_persons(expected, n, share, cmp) or 0) > 0
            and start < wanted[quota] <= final
            for quota, unit, n, expected, share, cmp in target_rows
        )
        priority += p.get("priority", 0) if serves else 0
    return (met, closed, priority)


def plan_score(result, people: list[dict]) -> tuple[int, int, int]:
    """The same score read from a PlanResult."""
    out = result.outcome.with_columns(
        closed=pl.min_horizontal(
            pl.col("numerator_plan") - pl.col("numerator_no_nominations"),
            (pl.col("required_numerator") - pl.col("numerator_no_nominations")).fill_null(0),
        )
    )
    met = int(out["met_plan"].sum())
    closed = int(out["closed"].clip(lower_bound=0).sum())
    priority_of = {p["id"]: p.get("priority", 0) for p in people}
    priority = sum(priority_of[s] for s in result.nominations["staff_id"].unique().to_list())
    return met, closed, priority
