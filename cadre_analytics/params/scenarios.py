"""``params/scenarios/*.yaml`` (projection scenarios) and ``_courses.yaml`` (the course
catalogue). A file whose name starts with "_" in that folder is not a scenario.

Probabilities (completion rates, exit rates, the mix of new hires) are fractions 0–1 and the
headcount ratio is a ratio to YEAR (0–2), so no value here is read as a percent. Every size a
user may type (draws, people per year, list lengths) has an upper bound: a typo such as
``draws: 1e8`` stops with one line instead of exhausting memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr, field_validator

from cadre_analytics import vocab
from cadre_analytics.params.paths import DEFAULT_PARAMS_DIR
from cadre_analytics.params.staffing import STAFF_GROUPS, check_level, check_mix, load_staffing
from cadre_analytics.params.yaml_io import MODEL_CONFIG, fail, load_yaml, params_error, validate

SCENARIO_EXIT_SOURCES = ("none", "history", "rates")
SCENARIO_RECRUITMENT_MODES = ("none", "replace_leavers", "headcount_path")
# Attributes a course or a new hire's mix may set: ordinal ones (scales) and booleans.
SCENARIO_ORDINAL_ATTRIBUTES = vocab.ORDINAL_ATTRIBUTES
SCENARIO_BOOLEAN_ATTRIBUTES = ("it_use", "education_fits_position", "updated_in_year")
MIN_MONTE_CARLO_DRAWS = 1000
# Draws x people is the Monte Carlo's memory and time; 20,000 draws is already 20 times the
# precision the report shows.
MAX_MONTE_CARLO_DRAWS = 20_000
# Extra course completions per year for one course: more than a district employs.
MAX_PER_YEAR = 100_000
MAX_LIST_ITEMS = 100
MAX_SCENARIO_FILES = 50


@dataclass(frozen=True)
class Course:
    """A course the Board can send people to (back-solve and planned training)."""

    id: str
    attribute: str  # SCENARIO_ORDINAL_ATTRIBUTES or SCENARIO_BOOLEAN_ATTRIBUTES
    level: str | bool  # a level of the attribute's scale, or True for a yes/no field
    requires_at_least: dict[str, str]  # attribute -> minimum current level
    max_age: int | None  # strictly under this age on 31 December of YEAR
    label_vi: str
    label_en: str


@dataclass(frozen=True)
class PlannedCourse:
    course: str
    population: str  # "ALL", a unit code, or "level:district" / "level:commune"
    per_year: int
    from_year: int
    to_year: int
    staff_types: tuple[str, ...] | None


@dataclass(frozen=True)
class EarlyExits:
    """Early retirement and leaving under the streamlining policy, per staff group and band of
    full years left to the statutory retirement date (bands: < s0, [s0, s1), ..., >= s_last)."""

    from_year: int
    to_year: int
    band_starts: tuple[int, ...]
    rates: dict[str, tuple[float, ...]]  # staff group -> annual probability per band
    replaced: bool  # False: the post is cut, nobody is hired in the leaver's place


@dataclass(frozen=True)
class Scenario:
    """One projection scenario; ``baseline`` = the current staff only (retirements and courses
    in progress, nobody hired)."""

    name: str
    label_vi: str
    label_en: str
    source_file: str
    headline: bool = False  # the scenario the summary's verdicts and "what it takes" use
    draws: int = MIN_MONTE_CARLO_DRAWS
    course_completion_rate: float = 1.0
    exits_source: str = "none"  # SCENARIO_EXIT_SOURCES
    age_band_starts: tuple[int, ...] = ()  # bands: < s0, [s0, s1), ..., >= s_last
    exit_rates: tuple[float, ...] = ()  # one per band when exits_source == "rates"
    recruitment: str = "none"  # SCENARIO_RECRUITMENT_MODES
    headcount_ratio: dict[int, float] | str | None = None  # {year: ratio} or "from_quota"
    headcount_staff_types: tuple[str, ...] = ()
    hire_age: int = 30
    hire_mix: dict[str, Any] = field(default_factory=dict)  # the file's own mix, every group
    hire_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)  # staff group -> mix
    refill_posts: bool = False  # leadership posts refilled from the planning pool, then others
    post_standard: dict[str, dict[str, str]] = field(default_factory=dict)  # post -> levels
    early_exits: EarlyExits | None = None
    planned: tuple[PlannedCourse, ...] = ()
    courses: dict[str, Course] = field(default_factory=dict)

    def mix_for(self, group: str) -> dict[str, Any]:
        """The new hires' mix in a staff group: its profile, else the scenario's own mix."""
        return self.hire_profiles.get(group, self.hire_mix)

    @property
    def has_rates(self) -> bool:
        """True when any probability is strictly between 0 and 1 (then Monte Carlo is run)."""
        probs = [self.course_completion_rate, *self.exit_rates]
        for mix in (self.hire_mix, *self.hire_profiles.values()):
            for value in mix.values():
                probs.extend(value.values() if isinstance(value, dict) else [value])
        if self.early_exits is not None:
            probs.extend(r for rates in self.early_exits.rates.values() for r in rates)
        return self.exits_source == "history" or any(0 < p < 1 for p in probs)


# --- the files' shape ---------------------------------------------------------------------

Probability = Annotated[float, Field(strict=True, ge=0, le=1)]
Age = Annotated[StrictInt, Field(ge=15, le=80)]
Year = Annotated[StrictInt, Field(ge=2000, le=2100)]
Text = Annotated[StrictStr, Field(min_length=1, max_length=500)]
StaffType = Literal[vocab.STAFF_TYPE]  # type: ignore[valid-type]
Attribute = Literal[SCENARIO_ORDINAL_ATTRIBUTES + SCENARIO_BOOLEAN_ATTRIBUTES]  # type: ignore[valid-type]


def _increasing(starts: list[int]) -> list[int]:
    if starts != sorted(set(starts)):
        raise fail(
            "phải là danh sách tuổi tăng dần, ví dụ [30, 40, 50].",
            "must be increasing ages, e.g. [30, 40, 50].",
        )
    return starts


class _CourseModel(BaseModel):
    model_config = MODEL_CONFIG
    attribute: Attribute
    level: StrictBool | StrictStr
    requires_at_least: dict[Literal[SCENARIO_ORDINAL_ATTRIBUTES], StrictStr] | None = None  # type: ignore[valid-type]
    max_age: Age | None = None
    label_vi: Text
    label_en: Text


class _CoursesFile(BaseModel):
    model_config = MODEL_CONFIG
    courses: Annotated[dict[StrictStr, _CourseModel], Field(max_length=MAX_LIST_ITEMS)]


class _Exits(BaseModel):
    model_config = MODEL_CONFIG
    source: Literal[SCENARIO_EXIT_SOURCES]  # type: ignore[valid-type]
    age_band_starts: Annotated[list[Age], Field(max_length=20)] = []
    rates: Annotated[list[Probability], Field(max_length=21)] | None = None

    _bands = field_validator("age_band_starts")(_increasing)


class _Recruitment(BaseModel):
    model_config = MODEL_CONFIG
    mode: Literal[SCENARIO_RECRUITMENT_MODES]  # type: ignore[valid-type]
    headcount_ratio: (
        Literal["from_quota"]
        | Annotated[
            dict[Year, Annotated[float, Field(strict=True, ge=0, le=2)]],
            Field(min_length=1, max_length=MAX_LIST_ITEMS),
        ]
    ) = "from_quota"
    staff_types: list[StaffType] | StaffType = ["public_employee"]
    hire_age: Age = 30
    # No mix: each staff group's hire profile from _staffing.yaml.
    mix: (
        dict[
            Literal[SCENARIO_ORDINAL_ATTRIBUTES + SCENARIO_BOOLEAN_ATTRIBUTES],
            Probability | dict[StrictStr, Probability],
        ]
        | None
    ) = None  # type: ignore[valid-type]
    refill_posts: StrictBool = False


class _EarlyExits(BaseModel):
    model_config = MODEL_CONFIG
    from_year: Year
    to_year: Year
    years_to_retirement_starts: Annotated[
        list[Annotated[StrictInt, Field(ge=1, le=40)]], Field(max_length=20)
    ]
    rates: dict[Literal[STAFF_GROUPS], Annotated[list[Probability], Field(max_length=21)]]  # type: ignore[valid-type]
    replaced: StrictBool = False

    _bands = field_validator("years_to_retirement_starts")(_increasing)


class _Planned(BaseModel):
    model_config = MODEL_CONFIG
    course: StrictStr
    population: Text
    per_year: Annotated[StrictInt, Field(ge=0, le=MAX_PER_YEAR)]
    from_year: Year
    to_year: Year
    staff_types: list[StaffType] | None = None


class _ScenarioFile(BaseModel):
    model_config = MODEL_CONFIG
    name: StrictStr
    label_vi: Text
    label_en: Text
    headline: StrictBool = False
    draws: Annotated[StrictInt, Field(ge=MIN_MONTE_CARLO_DRAWS, le=MAX_MONTE_CARLO_DRAWS)] = (
        MIN_MONTE_CARLO_DRAWS
    )
    course_completion_rate: Probability = 1.0
    other_exits: _Exits | None = None
    recruitment: _Recruitment | None = None
    early_exits: _EarlyExits | None = None
    planned_training: Annotated[list[_Planned], Field(max_length=MAX_LIST_ITEMS)] | None = None


# --- checks across keys, and the objects projection uses -----------------------------------


_level = check_level


def _course(cid: str, body: _CourseModel, file: Path) -> Course:
    w = f"courses.{cid}"
    if body.attribute in SCENARIO_BOOLEAN_ATTRIBUTES:
        # A yes/no field (e.g. IT use): the course makes it true.
        if body.level is not True:
            raise params_error(
                file,
                f"{w}.level",
                f"phải là true với trường có/không '{body.attribute}'.",
                f"must be true for the yes/no field '{body.attribute}'.",
            )
        level: str | bool = True
    else:
        level = _level(body.level, body.attribute, file, f"{w}.level")
    requires = {
        a: _level(v, a, file, f"{w}.requires_at_least.{a}")
        for a, v in (body.requires_at_least or {}).items()
    }
    return Course(cid, body.attribute, level, requires, body.max_age, body.label_vi, body.label_en)


def load_course_catalogue(path: Path | None = None) -> dict[str, Course]:
    """Read ``params/scenarios/_courses.yaml``: course id -> Course."""
    file = Path(path) if path is not None else DEFAULT_PARAMS_DIR / "scenarios" / "_courses.yaml"
    doc = validate(_CoursesFile, load_yaml(file), file)
    return {cid: _course(cid, body, file) for cid, body in doc.courses.items()}


def _exit_rates(exits: _Exits, file: Path) -> tuple[float, ...]:
    if exits.source != "rates":
        if exits.rates is not None:
            raise params_error(
                file,
                "other_exits.rates",
                "chỉ dùng khi source: rates.",
                "is only used with source: rates.",
            )
        return ()
    bands = len(exits.age_band_starts) + 1
    if exits.rates is None or len(exits.rates) != bands:
        raise params_error(
            file,
            "other_exits.rates",
            f"phải có {bands} tỷ lệ (một cho mỗi nhóm tuổi).",
            f"must list {bands} rates (one per age band).",
        )
    return tuple(exits.rates)


def _hiring(rec: _Recruitment, file: Path, staffing) -> tuple[dict, dict]:
    """(the file's own mix, staff group -> mix): a scenario that recruits without a mix takes
    each group's profile from _staffing.yaml (``staffing``: a callable that loads it)."""
    if rec.mode == "none":
        return ({} if rec.mix is None else check_mix(rec.mix, file, "recruitment.mix")), {}
    if rec.mix is not None:
        mix = check_mix(rec.mix, file, "recruitment.mix")
        return mix, {g: mix for g in STAFF_GROUPS}
    return {}, dict(staffing().hire_mix)


def _early_exits(raw: _EarlyExits | None, file: Path) -> EarlyExits | None:
    if raw is None:
        return None
    bands = len(raw.years_to_retirement_starts) + 1
    for group, rates in raw.rates.items():
        if len(rates) != bands:
            raise params_error(
                file,
                f"early_exits.rates.{group}",
                f"phải có {bands} tỷ lệ (một cho mỗi nhóm số năm còn lại đến tuổi nghỉ hưu).",
                f"must list {bands} rates (one per band of years left to retirement).",
            )
    if raw.to_year < raw.from_year:
        raise params_error(
            file, "early_exits", "to_year phải ≥ from_year.", "to_year must be >= from_year."
        )
    return EarlyExits(
        raw.from_year,
        raw.to_year,
        tuple(raw.years_to_retirement_starts),
        {g: tuple(r) for g, r in raw.rates.items()},
        raw.replaced,
    )


def _planned(items: list[_Planned], courses: dict[str, Course], file: Path) -> tuple:
    planned = []
    for i, item in enumerate(items):
        w = f"planned_training[{i}]"
        if item.course not in courses:
            raise params_error(
                file,
                f"{w}.course",
                f"không có khóa {item.course!r} (được phép: {', '.join(courses)}).",
                f"there is no course {item.course!r} (allowed: {', '.join(courses)}).",
            )
        if item.to_year < item.from_year:
            raise params_error(
                file, w, "to_year phải ≥ from_year.", "to_year must be >= from_year."
            )
        types = None if item.staff_types is None else tuple(item.staff_types)
        planned.append(
            PlannedCourse(
                item.course, item.population, item.per_year, item.from_year, item.to_year, types
            )
        )
    return tuple(planned)


def _parse_scenario(raw: Any, file: Path, courses: dict[str, Course], staffing) -> Scenario:
    doc = validate(_ScenarioFile, raw, file)
    if doc.name != file.stem:
        raise params_error(
            file,
            "name",
            f"{doc.name!r} phải trùng tên tệp ({file.stem!r}).",
            f"{doc.name!r} must match the file name ({file.stem!r}).",
        )
    exits = doc.other_exits or _Exits(source="none")
    rec = doc.recruitment or _Recruitment(mode="none")
    ratio: dict[int, float] | str | None = None
    staff_types: tuple[str, ...] = ()
    if rec.mode == "headcount_path":
        ratio = (
            rec.headcount_ratio
            if isinstance(rec.headcount_ratio, str)
            else dict(rec.headcount_ratio)
        )
        types = rec.staff_types
        staff_types = tuple(types) if isinstance(types, list) else (types,)
    planned = _planned(doc.planned_training or [], courses, file)
    mix, profiles = _hiring(rec, file, staffing)
    if doc.name == "baseline" and (
        exits.source != "none"
        or rec.mode != "none"
        or planned
        or doc.course_completion_rate != 1
        or doc.early_exits is not None
        or rec.refill_posts
    ):
        raise params_error(
            file,
            "",
            "Kịch bản 'baseline' chỉ gồm nhân sự hiện có: nghỉ hưu và khóa đang học (không nghỉ "
            "việc khác, không tuyển mới, không đào tạo thêm, tỷ lệ hoàn thành 1). Cách sửa: sao "
            "chép thành tệp khác (ví dụ plan_2026.yaml) rồi sửa tệp đó.",
            "The 'baseline' scenario is the current staff only: retirements and courses in "
            "progress (no other exits, no recruitment, no planned training, completion rate 1). "
            "Fix: copy it to another file (e.g. plan_2026.yaml) and edit that one.",
        )
    return Scenario(
        name=doc.name,
        label_vi=doc.label_vi,
        label_en=doc.label_en,
        source_file=str(file),
        headline=doc.headline,
        draws=doc.draws,
        course_completion_rate=float(doc.course_completion_rate),
        exits_source=exits.source,
        age_band_starts=tuple(exits.age_band_starts),
        exit_rates=_exit_rates(exits, file),
        recruitment=rec.mode,
        headcount_ratio=ratio,
        headcount_staff_types=staff_types,
        hire_age=rec.hire_age,
        hire_mix=mix,
        hire_profiles=profiles,
        refill_posts=rec.refill_posts,
        post_standard=dict(staffing().post_standard) if rec.refill_posts else {},
        early_exits=_early_exits(doc.early_exits, file),
        planned=planned,
        courses=courses,
    )


def load_scenarios(dir: Path | None = None) -> list[Scenario]:
    """Read every scenario in ``params/scenarios/`` (baseline first, then by name)."""
    folder = Path(dir) if dir is not None else DEFAULT_PARAMS_DIR / "scenarios"
    courses = load_course_catalogue(folder / "_courses.yaml")
    loaded: list = []

    def staffing():
        if not loaded:  # read only when a scenario needs it
            loaded.append(load_staffing(folder / "_staffing.yaml"))
        return loaded[0]

    files = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))
    if len(files) > MAX_SCENARIO_FILES:
        raise params_error(
            folder,
            "",
            f"Quá nhiều kịch bản ({len(files)}, tối đa {MAX_SCENARIO_FILES}).",
            f"Too many scenarios ({len(files)}, at most {MAX_SCENARIO_FILES}).",
        )
    scenarios = [_parse_scenario(load_yaml(p), p, courses, staffing) for p in files]
    if not any(s.name == "baseline" for s in scenarios):
        raise params_error(
            folder,
            "",
            "Thiếu kịch bản 'baseline.yaml' (luôn được chạy).",
            "The 'baseline.yaml' scenario is missing (it always runs).",
        )
    headlines = [s.name for s in scenarios if s.headline]
    if len(headlines) > 1:
        raise params_error(
            folder,
            "headline",
            "Chỉ một kịch bản được là kịch bản chính (headline: true); đang có: "
            f"{', '.join(headlines)}.",
            "Only one scenario may be the headline one (headline: true); now: "
            f"{', '.join(headlines)}.",
        )
    return sorted(scenarios, key=lambda s: (s.name != "baseline", s.name))


def headline_scenario(scenarios: list[Scenario]) -> Scenario:
    """The scenario the summary's 2030 verdicts and "what it takes" are read on: the one whose
    file says ``headline: true``, else ``baseline``."""
    for scenario in scenarios:
        if scenario.headline:
            return scenario
    return next(s for s in scenarios if s.name == "baseline")
