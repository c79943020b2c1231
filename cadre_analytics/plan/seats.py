"""The seats the Board has for each course (``params/seats.yaml``), checked by pydantic.

A course entry says in which years a class starts and how many people it takes (in total, or
allocated to units or to unit levels), how long it lasts, and who may attend. What a course
raises (attribute -> level) and its default entry requirement and age limit come from the
course catalogue (``params/scenarios/_courses.yaml``), so the two files never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from cadre_analytics import vocab
from cadre_analytics.errors import ParamsError
from cadre_analytics.params import (
    DEFAULT_PARAMS_DIR,
    SCENARIO_ORDINAL_ATTRIBUTES,
    Course,
    load_course_catalogue,
    load_yaml,
)

DEFAULT_SEATS_FILE = DEFAULT_PARAMS_DIR / "seats.yaml"
STAFF_GROUPS = ("cadre", "civil_servant", "public_employee")

Year = Annotated[int, Field(ge=2020, le=2040)]
SeatCount = Annotated[int, Field(ge=0, le=10_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class YearSeats(_Strict):
    """Seats of one class year: a district total, and/or seats allocated to units or levels.

    When ``by_unit`` (or ``by_level``) is given, only the units (levels) listed may send people.
    """

    total: SeatCount | None = None
    by_unit: dict[str, SeatCount] | None = None
    by_level: dict[Literal["district", "commune"], SeatCount] | None = None


class CourseSeatsDoc(_Strict):
    duration_years: Annotated[int, Field(ge=1, le=6)]
    staff_types: list[Literal["cadre", "civil_servant", "public_employee"]] = Field(min_length=1)
    min_service_years_after: Annotated[int, Field(ge=0, le=40)] = 0
    max_age: Annotated[int, Field(ge=18, le=70)] | None = None
    requires_at_least: dict[str, str] | None = None
    seats: dict[Year, YearSeats] = Field(min_length=1)

    @field_validator("seats", mode="before")
    @classmethod
    def _plain_number_is_a_total(cls, value):
        # "2026: 40" is short for "2026: {total: 40}"; one model keeps error keys plain.
        if isinstance(value, dict):
            return {
                y: {"total": v} if isinstance(v, int) and not isinstance(v, bool) else v
                for y, v in value.items()
            }
        return value

    @field_validator("requires_at_least")
    @classmethod
    def _known_levels(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for attribute, level in (value or {}).items():
            if attribute not in SCENARIO_ORDINAL_ATTRIBUTES:
                raise ValueError(f"unknown attribute {attribute!r}")
            if level not in vocab.codes(attribute):
                raise ValueError(f"unknown level {level!r} of {attribute}")
        return value


class PlanningDoc(_Strict):
    max_courses_per_person: Annotated[int, Field(ge=1, le=4)] = 2
    # Each of the optimiser's two passes stops after this long with the best plan found.
    time_limit_seconds: Annotated[float, Field(ge=1, le=600)] = 30.0


class SeatsDoc(_Strict):
    # The shipped file says so: the report then says the seats are examples.
    example: StrictBool = False
    planning: PlanningDoc = PlanningDoc()
    courses: dict[str, CourseSeatsDoc] = Field(min_length=1)


@dataclass(frozen=True)
class CourseSeats:
    """One course as the optimiser sees it: the catalogue entry joined with its seats."""

    id: str
    attribute: str
    level: str | bool
    duration_years: int
    staff_types: tuple[str, ...]
    min_service_years_after: int
    max_age: int | None
    requires_at_least: dict[str, str]
    seats: dict[int, YearSeats]  # start year -> seats
    label_vi: str
    label_en: str

    def completion_year(self, start: int) -> int:
        """A class starting in ``start`` completes at the end of this year."""
        return start + self.duration_years - 1


@dataclass(frozen=True)
class Seats:
    courses: dict[str, CourseSeats]
    max_courses_per_person: int
    source_file: str
    time_limit_seconds: float = 30.0
    example: bool = False  # the seats are the shipped examples, not the Board's


def _key_path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def _params_error(file: Path, exc: ValidationError) -> ParamsError:
    first = exc.errors()[0]
    key = _key_path(first["loc"])
    if first["type"] == "extra_forbidden":
        vi, en = f"Khóa không hợp lệ '{key}'.", f"Unknown key '{key}'."
    elif first["type"] == "missing":
        vi, en = f"Thiếu khóa '{key}'.", f"Missing key '{key}'."
    else:
        value = first.get("input")
        vi = f"Giá trị '{key}' = {value!r} không hợp lệ ({first['msg']})."
        en = f"Value '{key}' = {value!r} is not valid ({first['msg']})."
    return ParamsError(vi, en, where=str(file))


def _join(cid: str, doc: CourseSeatsDoc, course: Course) -> CourseSeats:
    return CourseSeats(
        id=cid,
        attribute=course.attribute,
        level=course.level,
        duration_years=doc.duration_years,
        staff_types=tuple(doc.staff_types),
        min_service_years_after=doc.min_service_years_after,
        max_age=doc.max_age if doc.max_age is not None else course.max_age,
        requires_at_least=(
            dict(doc.requires_at_least)
            if doc.requires_at_least is not None
            else dict(course.requires_at_least)
        ),
        seats=dict(sorted(doc.seats.items())),
        label_vi=course.label_vi,
        label_en=course.label_en,
    )


def load_seats(path: Path | None = None, catalogue: dict[str, Course] | None = None) -> Seats:
    """Read and check ``params/seats.yaml`` against the course catalogue."""
    file = Path(path) if path is not None else DEFAULT_SEATS_FILE
    catalogue = catalogue if catalogue is not None else load_course_catalogue()
    raw = load_yaml(file)
    try:
        doc = SeatsDoc.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        raise _params_error(file, exc) from None
    courses = {}
    for cid, body in doc.courses.items():
        if cid not in catalogue:
            known = ", ".join(sorted(catalogue))
            raise ParamsError(
                f"Khóa học 'courses.{cid}' không có trong danh mục khóa học (có: {known}).",
                f"Course 'courses.{cid}' is not in the course catalogue (known: {known}).",
                where=str(file),
            )
        if catalogue[cid].attribute == "updated_in_year":
            raise ParamsError(
                f"'courses.{cid}': cập nhật kiến thức hằng năm dành cho mọi người, "
                "không phân suất.",
                f"'courses.{cid}': the annual update is for everyone every year, not a seat "
                "allocation.",
                where=str(file),
            )
        courses[cid] = _join(cid, body, catalogue[cid])
    return Seats(
        courses=courses,
        max_courses_per_person=doc.planning.max_courses_per_person,
        source_file=str(file),
        time_limit_seconds=doc.planning.time_limit_seconds,
        example=doc.example,
    )


def roster_problems(
    seats: Seats, units: set[str], first_year: int
) -> list[tuple[CourseSeats, int, str | None]]:
    """Seat entries this roster cannot use: (course, class year, unit not on the roster), the
    unit None when the class starts before the plan's first year."""
    found: list[tuple[CourseSeats, int, str | None]] = []
    for course in seats.courses.values():
        for year, year_seats in course.seats.items():
            if year < first_year:
                found.append((course, year, None))
            found += [(course, year, u) for u in sorted(year_seats.by_unit or {}) if u not in units]
    return found


def check_against_roster(seats: Seats, units: set[str], first_year: int) -> None:
    """Seat entries that cannot be used on this roster are a parameter error, not a silent 0."""
    for course, year, unit in roster_problems(seats, units, first_year)[:1]:
        key = f"courses.{course.id}.seats.{year}"
        if unit is None:
            raise ParamsError(
                f"'{key}': lớp khai giảng trước năm đầu của kế hoạch ({first_year}).",
                f"'{key}': the class starts before the plan's first year ({first_year}).",
                where=seats.source_file,
            )
        raise ParamsError(
            f"'{key}.by_unit.{unit}': đơn vị không có trong danh sách cán bộ.",
            f"'{key}.by_unit.{unit}': the unit is not on the roster.",
            where=seats.source_file,
        )
