"""Whatever the roster and seats, a plan never exceeds seats and never breaks eligibility."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadre_analytics.plan import plan_nominations
from cadre_analytics.plan.seats import CourseSeats, Seats, YearSeats
from tests.plan.helpers import PT, RANKS, TARGET, YEAR, targets

YEARS = (2026, 2027)


@st.composite
def cases(draw):
    n = draw(st.integers(1, 8))
    people = pl.DataFrame(
        {
            "staff_id": [f"P{i}" for i in range(n)],
            # U1 always on the roster: a seat allocated to an absent unit is a parameter error
            "unit": [
                "U1",
                *draw(st.lists(st.sampled_from(["U1", "U2"]), min_size=n - 1, max_size=n - 1)),
            ],
            "unit_level": ["district"] * n,
            "staff_type": draw(
                st.lists(
                    st.sampled_from(["cadre", "civil_servant", "public_employee"]),
                    min_size=n,
                    max_size=n,
                )
            ),
            "retirement_year": draw(st.lists(st.integers(2026, 2035), min_size=n, max_size=n)),
            "age": draw(st.lists(st.integers(25, 60), min_size=n, max_size=n)),
            "political_theory": draw(
                st.lists(st.sampled_from([*PT, None]), min_size=n, max_size=n)
            ),
            "pop__q_int": [True] * n,
            "pop__q_adv": [True] * n,
        },
        schema_overrides={"political_theory": pl.Utf8},  # all blank is still a text column
    )

    def year_seats():
        kind = draw(st.sampled_from(["total", "unit", "level"]))
        if kind == "total":
            return YearSeats(total=draw(st.integers(0, 3)))
        if kind == "unit":
            return YearSeats(by_unit={"U1": draw(st.integers(0, 2))})
        return YearSeats(total=draw(st.integers(0, 3)), by_level={"district": 1})

    def course(cid, level, requires):
        return CourseSeats(
            id=cid,
            attribute="political_theory",
            level=level,
            duration_years=draw(st.integers(1, 2)),
            staff_types=("cadre", "civil_servant"),
            min_service_years_after=draw(st.integers(0, 4)),
            max_age=draw(st.one_of(st.none(), st.integers(30, 55))),
            requires_at_least=requires,
            seats={y: year_seats() for y in YEARS},
            label_vi=cid,
            label_en=cid,
        )

    seats = Seats(
        courses={
            "pt_intermediate": course("pt_intermediate", "intermediate", {}),
            "pt_advanced": course("pt_advanced", "advanced", {"political_theory": "intermediate"}),
        },
        max_courses_per_person=2,
        source_file="seats.yaml",
    )
    pt = people["political_theory"]
    n_int = int(pt.is_in(["intermediate", "advanced"]).sum())
    n_adv = int((pt == "advanced").sum())
    rows = [("q_int", "ALL", n, n_int, 1.0, ">="), ("q_adv", "ALL", n, n_adv, 1.0, ">=")]
    return people, seats, rows


def _check_seats(noms: pl.DataFrame, people: pl.DataFrame, seats: Seats) -> None:
    joined = noms.join(people.select("staff_id", "unit_level"), on="staff_id")
    for (cid, start), group in joined.group_by("course", "start_year"):
        ys = seats.courses[cid].seats[start]
        if ys.total is not None:
            assert group.height <= ys.total
        if ys.by_unit is not None:
            for unit, g in group.group_by("unit"):
                assert g.height <= ys.by_unit.get(unit[0], 0)
        if ys.by_level is not None:
            for level, g in group.group_by("unit_level"):
                assert g.height <= ys.by_level.get(level[0], 0)


def _check_person(person: dict, mine: pl.DataFrame, seats: Seats) -> None:
    rank = PT.get(person["political_theory"], -1)
    free_from = YEAR + 1
    for nom in mine.sort("start_year").iter_rows(named=True):
        c = seats.courses[nom["course"]]
        done = nom["start_year"] + c.duration_years - 1
        assert nom["start_year"] >= free_from  # one course at a time, in order
        assert person["staff_type"] in c.staff_types
        assert rank < PT[c.level]  # not already at that level
        assert all(rank >= PT[v] for v in c.requires_at_least.values())
        assert done == nom["completion_year"] <= TARGET
        assert person["retirement_year"] - done >= max(1, c.min_service_years_after)
        if c.max_age is not None:
            assert person["age"] + nom["start_year"] - YEAR < c.max_age
        rank, free_from = PT[c.level], done + 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_plan_and_rule_respect_seats_and_eligibility(case):
    people, seats, rows = case
    result = plan_nominations(
        people, targets(rows), seats, RANKS, year=YEAR, target_year=TARGET, time_limit=10
    )
    for noms in (result.nominations, result.rule_nominations):
        _check_seats(noms, people, seats)
        for person in people.iter_rows(named=True):
            _check_person(person, noms.filter(pl.col("staff_id") == person["staff_id"]), seats)
    # the plan's numerators are what its nominations give
    advanced = result.nominations.filter(pl.col("course") == "pt_advanced")["staff_id"]
    assert result.outcome["numerator_plan"].to_list()[1] == rows[1][3] + advanced.n_unique()
