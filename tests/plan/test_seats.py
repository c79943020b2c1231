"""params/seats.yaml: the bundled file loads; a mistake is one bilingual line naming file, key."""

from __future__ import annotations

import textwrap

import pytest

from cadre_analytics.errors import ParamsError
from cadre_analytics.plan.seats import check_against_roster, load_seats

GOOD = """
planning:
  max_courses_per_person: 2
courses:
  pt_intermediate:
    duration_years: 1
    staff_types: [cadre, civil_servant]
    min_service_years_after: 2
    seats:
      2026: 40
      2027: {total: 30, by_level: {district: 20, commune: 10}}
  master:
    duration_years: 2
    staff_types: [civil_servant]
    max_age: 40
    seats:
      2026: {by_unit: {U1: 2}}
"""


def write(tmp_path, text):
    path = tmp_path / "seats.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_bundled_seats_file_loads_against_the_catalogue():
    seats = load_seats()
    pt = seats.courses["pt_advanced"]
    # attribute, level and entry requirement come from params/scenarios/_courses.yaml
    assert (pt.attribute, pt.level) == ("political_theory", "advanced")
    assert pt.requires_at_least == {"political_theory": "intermediate", "education": "university"}
    assert pt.completion_year(2026) == 2027  # two years: 2026 and 2027
    assert "annual_update" not in seats.courses


def test_year_seats_forms_and_overrides(tmp_path):
    seats = load_seats(write(tmp_path, GOOD))
    pt = seats.courses["pt_intermediate"]
    assert pt.seats[2026].total == 40 and pt.seats[2026].by_level is None
    assert pt.seats[2027].by_level == {"district": 20, "commune": 10}
    assert pt.max_age == 55  # catalogue default
    assert seats.courses["master"].max_age == 40  # the seat file's own limit wins
    assert seats.courses["master"].seats[2026].by_unit == {"U1": 2}


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            "    duration_years: 1\n",
            "    duration_years: 1\n    colour: red\n",
            "courses.pt_intermediate.colour",
        ),
        ("      2026: 40", "      2026: -3", "courses.pt_intermediate.seats.2026"),
        ("      2026: 40", "      2026: 10001", "courses.pt_intermediate.seats.2026"),
        ("      2026: 40", "      2045: 40", "courses.pt_intermediate.seats.2045"),
        ("by_level: {district: 20", "by_level: {province: 20", "by_level.province"),
        ("    max_age: 40", "    max_age: 200", "courses.master.max_age"),
        (
            "  max_courses_per_person: 2",
            "  max_courses_per_person: 0",
            "planning.max_courses_per_person",
        ),
        ("    staff_types: [civil_servant]\n", "", "courses.master.staff_types"),
        (
            "  max_courses_per_person: 2",
            "  max_courses_per_person: 2\n  time_limit_seconds: 0.5",
            "planning.time_limit_seconds",
        ),
        (
            "  max_courses_per_person: 2",
            "  max_courses_per_person: 2\n  time_limit_seconds: 3600",
            "planning.time_limit_seconds",
        ),
        ("planning:", "example: yes please\nplanning:", "example"),
    ],
)
def test_errors_name_file_and_key(tmp_path, old, new, key):
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ParamsError) as info:
        load_seats(path)
    line = info.value.one_line()
    assert str(path) in line and key in line
    assert " / " in line and "\n" not in line  # Vietnamese / English, one line


def test_time_limit_and_example_flag():
    shipped = load_seats()
    assert shipped.example is True  # the bundled numbers are examples and say so
    assert shipped.time_limit_seconds == 30.0


def test_a_boards_own_file_is_not_an_example_and_has_the_default_limit(tmp_path):
    own = load_seats(write(tmp_path, GOOD))
    assert own.example is False and own.time_limit_seconds == 30.0
    timed = load_seats(
        write(tmp_path, GOOD.replace("max_courses_per_person: 2", "time_limit_seconds: 5"))
    )
    assert timed.time_limit_seconds == 5.0


def test_unknown_course_is_named(tmp_path):
    path = write(tmp_path, GOOD.replace("  master:", "  phd_abroad:"))
    with pytest.raises(ParamsError, match="courses.phd_abroad") as info:
        load_seats(path)
    assert str(path) in info.value.one_line()


def test_annual_update_is_not_a_seat_allocation(tmp_path):
    path = write(tmp_path, GOOD.replace("  master:", "  annual_update:"))
    with pytest.raises(ParamsError, match="courses.annual_update"):
        load_seats(path)


def test_roster_checks_name_the_seat_entry(tmp_path):
    seats = load_seats(write(tmp_path, GOOD))
    with pytest.raises(ParamsError, match=r"courses\.master\.seats\.2026\.by_unit\.U1"):
        check_against_roster(seats, {"U2"}, 2026)
    with pytest.raises(ParamsError, match=r"courses\.pt_intermediate\.seats\.2026"):
        check_against_roster(seats, {"U1"}, 2027)  # class before the plan's first year
    check_against_roster(seats, {"U1"}, 2026)
