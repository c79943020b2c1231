"""Loads and checks the YAML files in ``params/``.

Every number a user may change lives there. Files are read with ``yaml.safe_load``; an unknown
key, a missing key or a value of the wrong type is a :class:`ParamsError` naming the file and the
key, so a Board member who edits a target sees exactly what to fix.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from cadre_analytics.errors import ParamsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PARAMS_DIR = PROJECT_ROOT / "params"
DEFAULT_CONTRACTS_DIR = PROJECT_ROOT / "data_contracts"


# libyaml's safe loader when present: the same documents, about ten times faster to parse
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    """Read one YAML file safely; a missing or malformed file is a ParamsError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError(
            f"Không tìm thấy tệp tham số {path}.",
            f"Parameter file {path} not found.",
            where=str(path),
        ) from None
    try:
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" dòng {mark.line + 1}" if mark else ""
        line_en = f" line {mark.line + 1}" if mark else ""
        raise ParamsError(
            f"Tệp tham số sai cú pháp YAML{line}.",
            f"Parameter file is not valid YAML{line_en}.",
            where=str(path),
        ) from None


def check_keys(
    mapping: Any,
    *,
    required: set[str] | frozenset[str] = frozenset(),
    optional: set[str] | frozenset[str] = frozenset(),
    file: Path | str,
    where: str,
) -> dict:
    """Check that ``mapping`` is a dict with every required key and no unknown key."""
    if not isinstance(mapping, dict):
        raise ParamsError(
            f"'{where}' phải là một bảng khóa: giá trị.",
            f"'{where}' must be a mapping of key: value.",
            where=str(file),
        )
    missing = sorted(set(required) - set(mapping))
    if missing:
        raise ParamsError(
            f"Thiếu khóa '{missing[0]}' trong '{where}'.",
            f"Missing key '{missing[0]}' in '{where}'.",
            where=str(file),
        )
    unknown = sorted(set(mapping) - set(required) - set(optional))
    if unknown:
        allowed = ", ".join(sorted(set(required) | set(optional)))
        raise ParamsError(
            f"Khóa không hợp lệ '{unknown[0]}' trong '{where}' (được phép: {allowed}).",
            f"Unknown key '{unknown[0]}' in '{where}' (allowed: {allowed}).",
            where=str(file),
        )
    return mapping


def expect_type(value: Any, types: type | tuple[type, ...], *, file: Path | str, where: str) -> Any:
    """Check a value's type (bool is not accepted where a number is expected)."""
    wanted = types if isinstance(types, tuple) else (types,)
    is_bool = isinstance(value, bool)
    if not isinstance(value, wanted) or (is_bool and bool not in wanted):
        names = " hoặc ".join(t.__name__ for t in wanted)
        names_en = " or ".join(t.__name__ for t in wanted)
        raise ParamsError(
            f"Giá trị '{where}' = {value!r} phải có kiểu {names}.",
            f"Value '{where}' = {value!r} must be of type {names_en}.",
            where=str(file),
        )
    return value


def params_hash(params_dir: Path = DEFAULT_PARAMS_DIR) -> str:
    """SHA-256 over every YAML file under params/ (names and bytes), for provenance."""
    digest = hashlib.sha256()
    for path in sorted(Path(params_dir).rglob("*.yaml")):
        digest.update(str(path.relative_to(params_dir)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


# --- Stage-specific parameter sets -------------------------------------------------------
# Each stage's typed parameters and loader are added below, one section per stage
# (quotas for indicators; retirement schedule and scenarios for projection; report settings).


# --- projection: retirement schedule and scenarios (owner: projection, issue 5) ----------------

from dataclasses import dataclass, field  # noqa: E402  (kept inside this section)

_GENDERS = ("male", "female")


@dataclass(frozen=True)
class RetirementSchedule:
    """Statutory retirement ages in months (``params/retirement.yaml``).

    ``ages[gender][year]`` is the age in force for people reaching it in ``year``; years before
    the table use ``before_first_year[gender]``, years after it keep the last row.
    """

    ages: dict[str, dict[int, int]]
    before_first_year: dict[str, int]
    source: str = ""


def _age_months(value: Any, *, file: Path, where: str) -> int:
    check_keys(value, required={"years", "months"}, file=file, where=where)
    years = expect_type(value["years"], int, file=file, where=f"{where}.years")
    months = expect_type(value["months"], int, file=file, where=f"{where}.months")
    if not (0 <= months <= 11) or not (40 <= years <= 80):
        raise ParamsError(
            f"Tuổi '{where}' = {years} năm {months} tháng không hợp lệ (tháng 0–11, năm 40–80).",
            f"Age '{where}' = {years}y{months}m is invalid (months 0–11, years 40–80).",
            where=str(file),
        )
    return years * 12 + months


def load_retirement_schedule(path: Path | None = None) -> RetirementSchedule:
    """Read and check ``params/retirement.yaml``.

    Checks: both genders in every row, consecutive years, ages never falling and rising by less
    than 12 months a year (the retirement rule relies on it to find a unique year).
    """
    file = Path(path) if path is not None else DEFAULT_PARAMS_DIR / "retirement.yaml"
    doc = check_keys(
        load_yaml(file),
        required={"before_first_year", "ages"},
        optional={"source"},
        file=file,
        where="retirement",
    )
    before_doc = check_keys(
        doc["before_first_year"], required=set(_GENDERS), file=file, where="before_first_year"
    )
    before = {
        g: _age_months(before_doc[g], file=file, where=f"before_first_year.{g}") for g in _GENDERS
    }
    ages_doc = doc["ages"]
    if not isinstance(ages_doc, dict) or not ages_doc:
        raise ParamsError(
            "'ages' phải là bảng năm: {male: ..., female: ...}.",
            "'ages' must be a mapping year: {male: ..., female: ...}.",
            where=str(file),
        )
    ages: dict[str, dict[int, int]] = {g: {} for g in _GENDERS}
    for year, row in ages_doc.items():
        expect_type(year, int, file=file, where=f"ages.{year}")
        check_keys(row, required=set(_GENDERS), file=file, where=f"ages.{year}")
        for g in _GENDERS:
            ages[g][year] = _age_months(row[g], file=file, where=f"ages.{year}.{g}")
    years = sorted(ages["male"])
    if years != list(range(years[0], years[-1] + 1)):
        raise ParamsError(
            "Các năm trong 'ages' phải liên tiếp, không bỏ sót năm nào.",
            "The years in 'ages' must be consecutive, with no gap.",
            where=str(file),
        )
    for g in _GENDERS:
        previous = before[g]
        for year in years:
            step = ages[g][year] - previous
            if not (0 <= step <= 11):
                raise ParamsError(
                    f"Tuổi nghỉ hưu '{g}' năm {year} phải tăng từ 0 đến 11 tháng so với năm trước.",
                    f"Retirement age '{g}' in {year} must rise by 0 to 11 months over the year "
                    "before.",
                    where=f"{file} ages.{year}.{g}",
                )
            previous = ages[g][year]
    return RetirementSchedule(
        ages=ages, before_first_year=before, source=str(doc.get("source", ""))
    )


# Scenarios (params/scenarios/*.yaml) and the course catalogue (params/scenarios/_courses.yaml).
# A file whose name starts with "_" in that folder is not a scenario.

SCENARIO_EXIT_SOURCES = ("none", "history", "rates")
SCENARIO_RECRUITMENT_MODES = ("none", "replace_leavers", "headcount_path")
# Attributes a course or a new hire's mix may set: ordinal ones (scales) and booleans.
SCENARIO_ORDINAL_ATTRIBUTES = (
    "education",
    "political_theory",
    "state_management",
    "foreign_language",
)
SCENARIO_BOOLEAN_ATTRIBUTES = ("it_use", "education_fits_position", "updated_in_year")
MIN_MONTE_CARLO_DRAWS = 1000


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
class Scenario:
    """One projection scenario; ``baseline`` = retirements and courses in progress only."""

    name: str
    label_vi: str
    label_en: str
    source_file: str
    draws: int = MIN_MONTE_CARLO_DRAWS
    course_completion_rate: float = 1.0
    exits_source: str = "none"  # SCENARIO_EXIT_SOURCES
    age_band_starts: tuple[int, ...] = ()  # bands: < s0, [s0, s1), ..., >= s_last
    exit_rates: tuple[float, ...] = ()  # one per band when exits_source == "rates"
    recruitment: str = "none"  # SCENARIO_RECRUITMENT_MODES
    headcount_ratio: dict[int, float] | str | None = None  # {year: ratio} or "from_quota"
    headcount_staff_types: tuple[str, ...] = ()
    hire_age: int = 30
    hire_mix: dict[str, Any] = field(default_factory=dict)
    planned: tuple[PlannedCourse, ...] = ()
    courses: dict[str, Course] = field(default_factory=dict)

    @property
    def has_rates(self) -> bool:
        """True when any probability is strictly between 0 and 1 (then Monte Carlo is run)."""
        probs = [self.course_completion_rate, *self.exit_rates]
        for value in self.hire_mix.values():
            probs.extend(value.values() if isinstance(value, dict) else [value])
        return self.exits_source == "history" or any(0 < p < 1 for p in probs)


def _probability(value: Any, file: Path, where: str) -> float:
    expect_type(value, (int, float), file=file, where=where)
    if not 0 <= value <= 1:
        raise ParamsError(
            f"'{where}' = {value} phải nằm trong khoảng 0–1 (ví dụ 0.9 = 90%).",
            f"'{where}' = {value} must be between 0 and 1 (e.g. 0.9 = 90%).",
            where=str(file),
        )
    return float(value)


def _vocab(attribute: str) -> tuple[str, ...]:
    from cadre_analytics import schema

    return {
        "education": schema.EDUCATION,
        "political_theory": schema.POLITICAL_THEORY,
        "state_management": schema.STATE_MANAGEMENT,
        "foreign_language": schema.FOREIGN_LANGUAGE,
    }[attribute]


def _one_of(value: Any, allowed: tuple[str, ...], file: Path, where: str) -> str:
    if value not in allowed:
        raise ParamsError(
            f"'{where}' = {value!r} không hợp lệ (được phép: {', '.join(allowed)}).",
            f"'{where}' = {value!r} is not valid (allowed: {', '.join(allowed)}).",
            where=str(file),
        )
    return value


def load_course_catalogue(path: Path | None = None) -> dict[str, Course]:
    """Read ``params/scenarios/_courses.yaml``: course id -> Course."""
    file = Path(path) if path is not None else DEFAULT_PARAMS_DIR / "scenarios" / "_courses.yaml"
    doc = check_keys(load_yaml(file), required={"courses"}, file=file, where="courses file")
    courses_doc = check_keys(
        doc["courses"], optional=set(doc["courses"] or {}), file=file, where="courses"
    )
    courses = {}
    for cid, body in courses_doc.items():
        w = f"courses.{cid}"
        check_keys(
            body,
            required={"attribute", "level", "label_vi", "label_en"},
            optional={"requires_at_least", "max_age"},
            file=file,
            where=w,
        )
        attribute = _one_of(
            body["attribute"],
            SCENARIO_ORDINAL_ATTRIBUTES + SCENARIO_BOOLEAN_ATTRIBUTES,
            file,
            f"{w}.attribute",
        )
        if attribute in SCENARIO_BOOLEAN_ATTRIBUTES:
            # A yes/no field (e.g. IT use): the course makes it true.
            if body["level"] is not True:
                raise ParamsError(
                    f"'{w}.level' phải là true với trường có/không '{attribute}'.",
                    f"'{w}.level' must be true for the yes/no field '{attribute}'.",
                    where=str(file),
                )
            level = True
        else:
            level = _one_of(body["level"], _vocab(attribute), file, f"{w}.level")
        req_doc = body.get("requires_at_least") or {}
        check_keys(
            req_doc,
            optional=set(SCENARIO_ORDINAL_ATTRIBUTES),
            file=file,
            where=f"{w}.requires_at_least",
        )
        requires = {
            a: _one_of(v, _vocab(a), file, f"{w}.requires_at_least.{a}") for a, v in req_doc.items()
        }
        max_age = body.get("max_age")
        if max_age is not None:
            expect_type(max_age, int, file=file, where=f"{w}.max_age")
        courses[str(cid)] = Course(
            id=str(cid),
            attribute=attribute,
            level=level,
            requires_at_least=requires,
            max_age=max_age,
            label_vi=str(body["label_vi"]),
            label_en=str(body["label_en"]),
        )
    return courses


def _parse_scenario(doc: Any, file: Path, courses: dict[str, Course]) -> Scenario:
    from cadre_analytics.schema import STAFF_TYPE

    doc = check_keys(
        doc,
        required={"name", "label_vi", "label_en"},
        optional={
            "draws",
            "course_completion_rate",
            "other_exits",
            "recruitment",
            "planned_training",
        },
        file=file,
        where="scenario",
    )
    name = expect_type(doc["name"], str, file=file, where="name")
    if name != file.stem:
        raise ParamsError(
            f"'name' = {name!r} phải trùng tên tệp ({file.stem!r}).",
            f"'name' = {name!r} must match the file name ({file.stem!r}).",
            where=str(file),
        )
    draws = expect_type(doc.get("draws", MIN_MONTE_CARLO_DRAWS), int, file=file, where="draws")
    if draws < MIN_MONTE_CARLO_DRAWS:
        raise ParamsError(
            f"'draws' = {draws}: cần ít nhất {MIN_MONTE_CARLO_DRAWS} lần mô phỏng.",
            f"'draws' = {draws}: at least {MIN_MONTE_CARLO_DRAWS} Monte Carlo draws are needed.",
            where=str(file),
        )
    completion = _probability(
        doc.get("course_completion_rate", 1.0), file, "course_completion_rate"
    )

    exits = check_keys(
        doc.get("other_exits") or {"source": "none"},
        required={"source"},
        optional={"age_band_starts", "rates"},
        file=file,
        where="other_exits",
    )
    source = _one_of(exits["source"], SCENARIO_EXIT_SOURCES, file, "other_exits.source")
    starts = exits.get("age_band_starts", [])
    if (
        not isinstance(starts, list)
        or any(isinstance(s, bool) or not isinstance(s, int) for s in starts)
        or starts != sorted(set(starts))
    ):
        raise ParamsError(
            "'other_exits.age_band_starts' phải là danh sách tuổi tăng dần, ví dụ [30, 40, 50].",
            "'other_exits.age_band_starts' must be increasing ages, e.g. [30, 40, 50].",
            where=str(file),
        )
    rates: tuple[float, ...] = ()
    if source == "rates":
        raw = exits.get("rates")
        if not isinstance(raw, list) or len(raw) != len(starts) + 1:
            raise ParamsError(
                f"'other_exits.rates' phải có {len(starts) + 1} tỷ lệ (một cho mỗi nhóm tuổi).",
                f"'other_exits.rates' must list {len(starts) + 1} rates (one per age band).",
                where=str(file),
            )
        rates = tuple(_probability(r, file, f"other_exits.rates[{i}]") for i, r in enumerate(raw))
    elif "rates" in exits:
        raise ParamsError(
            "'other_exits.rates' chỉ dùng khi source: rates.",
            "'other_exits.rates' is only used with source: rates.",
            where=str(file),
        )

    rec = check_keys(
        doc.get("recruitment") or {"mode": "none"},
        required={"mode"},
        optional={"headcount_ratio", "staff_types", "hire_age", "mix"},
        file=file,
        where="recruitment",
    )
    mode = _one_of(rec["mode"], SCENARIO_RECRUITMENT_MODES, file, "recruitment.mode")
    ratio: dict[int, float] | str | None = None
    staff_types: tuple[str, ...] = ()
    if mode == "headcount_path":
        raw_ratio = rec.get("headcount_ratio", "from_quota")
        if raw_ratio == "from_quota":
            ratio = "from_quota"
        elif isinstance(raw_ratio, dict) and raw_ratio:
            ratio = {}
            for y, r in raw_ratio.items():
                expect_type(y, int, file=file, where=f"recruitment.headcount_ratio.{y}")
                expect_type(r, (int, float), file=file, where=f"recruitment.headcount_ratio.{y}")
                if not 0 <= r <= 2:
                    raise ParamsError(
                        f"'recruitment.headcount_ratio.{y}' = {r}: tỷ lệ so với năm báo cáo, 0–2.",
                        f"'recruitment.headcount_ratio.{y}' = {r}: ratio to YEAR, between 0 and 2.",
                        where=str(file),
                    )
                ratio[y] = float(r)
        else:
            raise ParamsError(
                "'recruitment.headcount_ratio' phải là from_quota hoặc bảng năm: tỷ lệ.",
                "'recruitment.headcount_ratio' must be from_quota or a mapping year: ratio.",
                where=str(file),
            )
        raw_types = rec.get("staff_types", ["public_employee"])
        if not isinstance(raw_types, list):
            raw_types = [raw_types]
        staff_types = tuple(
            _one_of(t, STAFF_TYPE, file, "recruitment.staff_types") for t in raw_types
        )
    hire_age = expect_type(rec.get("hire_age", 30), int, file=file, where="recruitment.hire_age")
    mix_doc = rec.get("mix") or {}
    check_keys(
        mix_doc,
        optional=set(SCENARIO_ORDINAL_ATTRIBUTES) | set(SCENARIO_BOOLEAN_ATTRIBUTES),
        file=file,
        where="recruitment.mix",
    )
    mix: dict[str, Any] = {}
    for attr, value in mix_doc.items():
        w = f"recruitment.mix.{attr}"
        if attr in SCENARIO_BOOLEAN_ATTRIBUTES:
            mix[attr] = _probability(value, file, w)
            continue
        check_keys(value, optional=set(_vocab(attr)), file=file, where=w)
        probs = {lvl: _probability(p, file, f"{w}.{lvl}") for lvl, p in value.items()}
        if abs(sum(probs.values()) - 1) > 1e-9:
            raise ParamsError(
                f"Tổng tỷ lệ '{w}' = {sum(probs.values()):g}, phải bằng 1.",
                f"The shares in '{w}' add up to {sum(probs.values()):g}; they must add up to 1.",
                where=str(file),
            )
        mix[attr] = probs
    if mode != "none" and "education" not in mix:
        raise ParamsError(
            "Thiếu 'recruitment.mix.education' (trình độ của người mới tuyển).",
            "Missing 'recruitment.mix.education' (the qualification mix of new hires).",
            where=str(file),
        )

    planned = []
    raw_planned = doc.get("planned_training") or []
    if not isinstance(raw_planned, list):
        raise ParamsError(
            "'planned_training' phải là danh sách.",
            "'planned_training' must be a list.",
            where=str(file),
        )
    for i, item in enumerate(raw_planned):
        w = f"planned_training[{i}]"
        check_keys(
            item,
            required={"course", "population", "per_year", "from_year", "to_year"},
            optional={"staff_types"},
            file=file,
            where=w,
        )
        _one_of(item["course"], tuple(courses), file, f"{w}.course")
        per_year = expect_type(item["per_year"], int, file=file, where=f"{w}.per_year")
        y0 = expect_type(item["from_year"], int, file=file, where=f"{w}.from_year")
        y1 = expect_type(item["to_year"], int, file=file, where=f"{w}.to_year")
        if per_year < 0 or y1 < y0:
            raise ParamsError(
                f"'{w}': per_year phải ≥ 0 và to_year ≥ from_year.",
                f"'{w}': per_year must be >= 0 and to_year >= from_year.",
                where=str(file),
            )
        types = item.get("staff_types")
        if types is not None:
            types = tuple(_one_of(t, STAFF_TYPE, file, f"{w}.staff_types") for t in types)
        planned.append(
            PlannedCourse(
                course=item["course"],
                population=str(
                    expect_type(item["population"], str, file=file, where=f"{w}.population")
                ),
                per_year=per_year,
                from_year=y0,
                to_year=y1,
                staff_types=types,
            )
        )

    scenario = Scenario(
        name=name,
        label_vi=str(doc["label_vi"]),
        label_en=str(doc["label_en"]),
        source_file=str(file),
        draws=draws,
        course_completion_rate=completion,
        exits_source=source,
        age_band_starts=tuple(starts),
        exit_rates=rates,
        recruitment=mode,
        headcount_ratio=ratio,
        headcount_staff_types=staff_types,
        hire_age=hire_age,
        hire_mix=mix,
        planned=tuple(planned),
        courses=courses,
    )
    if name == "baseline" and (source != "none" or mode != "none" or planned or completion != 1.0):
        raise ParamsError(
            "Kịch bản 'baseline' chỉ gồm nghỉ hưu và khóa đang học (không nghỉ việc khác, không "
            "tuyển mới, không đào tạo thêm, tỷ lệ hoàn thành 1).",
            "The 'baseline' scenario holds only retirements and courses in progress (no other "
            "exits, no recruitment, no planned training, completion rate 1).",
            where=str(file),
            fix_vi="sao chép thành tệp khác (ví dụ plan_2026.yaml) rồi sửa tệp đó.",
            fix_en="copy it to another file (e.g. plan_2026.yaml) and edit that one.",
        )
    return scenario


def load_scenarios(dir: Path | None = None) -> list[Scenario]:
    """Read every scenario in ``params/scenarios/`` (baseline first, then by name)."""
    folder = Path(dir) if dir is not None else DEFAULT_PARAMS_DIR / "scenarios"
    courses = load_course_catalogue(folder / "_courses.yaml")
    files = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))
    scenarios = [_parse_scenario(load_yaml(p), p, courses) for p in files]
    if not any(s.name == "baseline" for s in scenarios):
        raise ParamsError(
            "Thiếu kịch bản 'baseline.yaml' (luôn được chạy).",
            "The 'baseline.yaml' scenario is missing (it always runs).",
            where=str(folder),
        )
    return sorted(scenarios, key=lambda s: (s.name != "baseline", s.name))


# --- end of projection section ------------------------------------------------------------------


# --- Quotas (indicators stage, issue 4): params/quotas.yaml -> QuotaRules -----------------
# Imports sit here, not at the top, so that each stage's section can be added independently.
from dataclasses import dataclass  # noqa: E402
from dataclasses import replace as _replace  # noqa: E402
from fractions import Fraction  # noqa: E402

from cadre_analytics.schema import (  # noqa: E402
    FOREIGN_LANGUAGE,
    STAFF_COLUMNS,
    STAFF_TYPE,
    TRAINING_TOPIC,
    UNIT_LEVEL,
)

QUOTA_COMPARATORS = (">=", ">", "<=", "==")
QUOTA_KINDS = ("share", "headcount_ratio")
# Values written in quotas.yaml for "the programme sets no target for that year".
QUOTA_NO_TARGET = ("—", "–", "-")
QUOTA_ANNUAL_UPDATE_RULES = ("all_topics", "any_topic")
# Columns a condition may test besides the canonical staff columns.
QUOTA_DERIVED_FIELDS = ("updated_in_year",)
_CONDITION_OPS = ("all", "any", "not", "at_least", "is", "in")


@dataclass(frozen=True)
class QuotaCondition:
    """One node of a declarative "counts when" condition from quotas.yaml.

    ``op`` is ``all`` / ``any`` / ``not`` (with ``children``) or ``at_least`` / ``is`` / ``in``
    on ``field``. ``value`` is the literal (a tuple for ``in``) unless ``value_param`` names a
    rule whose current value is used, so flipping a rule needs no re-parse. ``cumulative_if``
    names a boolean rule: when it is false, ``at_least`` means exactly that level.
    """

    op: str
    field: str | None = None
    value: Any = None
    value_param: str | None = None
    cumulative_if: str | None = None
    children: tuple[QuotaCondition, ...] = ()


@dataclass(frozen=True)
class QuotaTarget:
    """One target of one indicator for one target year; ``value``/``upper`` in exact percent."""

    target_year: int
    comparator: str
    value: Fraction
    upper: Fraction | None
    base_year: int | None
    carried_from: int | None
    source_vi: str
    source_lines: str

    @property
    def share(self) -> float:
        """The target on the scale of ``share`` (0..1)."""
        return float(self.value / 100)

    @property
    def share_upper(self) -> float | None:
        return None if self.upper is None else float(self.upper / 100)


@dataclass(frozen=True)
class QuotaPopulation:
    id: str
    unit_level: str
    staff_types: tuple[str, ...]
    label_vi: str
    label_en: str


@dataclass(frozen=True)
class QuotaIndicator:
    id: str
    population: str
    level: str  # the population's unit level: district | commune
    kind: str  # QUOTA_KINDS
    within: QuotaCondition | None
    counts_when: QuotaCondition | None  # None for headcount_ratio
    label_vi: str
    label_en: str
    targets: dict[int, QuotaTarget | None]  # every target year; None = no target that year


@dataclass(frozen=True)
class QuotaScale:
    order: tuple[str, ...]
    equivalents_rule: str | None = None
    if_true: dict[str, str] | None = None
    if_false: dict[str, str] | None = None


@dataclass(frozen=True)
class QuotaRules:
    """Everything the indicators stage needs from params/quotas.yaml, checked."""

    source_file: str
    source: dict[str, str]
    target_years: tuple[int, ...]
    medical_specialist_counts_as_postgraduate: bool
    political_theory_cumulative: bool
    international_language_level: str
    annual_update_rule: str
    annual_update_topics: tuple[str, ...]
    scales: dict[str, QuotaScale]
    populations: dict[str, QuotaPopulation]
    indicators: tuple[QuotaIndicator, ...]
    majority_ethnicity: str
    largest_ethnic_groups: int
    age_band_starts: tuple[int, ...]

    def indicator(self, indicator_id: str) -> QuotaIndicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def rule(self, name: str) -> Any:
        """The current value of a rule named in quotas.yaml ``rules``."""
        if name not in _QUOTA_RULE_NAMES:
            raise KeyError(name)
        return getattr(self, name)

    def with_rules(self, **changes: Any) -> QuotaRules:
        """A copy with some rules changed (e.g. ``political_theory_cumulative=False``)."""
        unknown = sorted(set(changes) - set(_QUOTA_RULE_NAMES))
        if unknown:
            raise KeyError(unknown[0])
        new = _replace(self, **changes)
        _check_quota_rule_values(new, self.source_file)
        return new

    def used_rules(self) -> dict[str, Any]:
        """The counting choices in force, for the report's method section."""
        return {name: self.rule(name) for name in _QUOTA_RULE_NAMES}


_QUOTA_RULE_NAMES = (
    "medical_specialist_counts_as_postgraduate",
    "political_theory_cumulative",
    "international_language_level",
    "annual_update_rule",
    "annual_update_topics",
)


def _quota_error(file: Path | str, where: str, vi: str, en: str) -> ParamsError:
    return ParamsError(f"'{where}': {vi}", f"'{where}': {en}", where=str(file))


def _check_quota_rule_values(rules: QuotaRules, file: Path | str) -> None:
    for name in ("medical_specialist_counts_as_postgraduate", "political_theory_cumulative"):
        expect_type(getattr(rules, name), bool, file=file, where=f"rules.{name}")
    if rules.annual_update_rule not in QUOTA_ANNUAL_UPDATE_RULES:
        raise _quota_error(
            file,
            "rules.annual_update_rule",
            f"giá trị {rules.annual_update_rule!r} không hợp lệ "
            "(được phép: all_topics, any_topic).",
            f"value {rules.annual_update_rule!r} is not valid (allowed: all_topics, any_topic).",
        )
    if rules.international_language_level not in FOREIGN_LANGUAGE:
        raise _quota_error(
            file,
            "rules.international_language_level",
            f"bậc {rules.international_language_level!r} không có (được phép: "
            f"{', '.join(FOREIGN_LANGUAGE)}).",
            f"level {rules.international_language_level!r} is unknown (allowed: "
            f"{', '.join(FOREIGN_LANGUAGE)}).",
        )
    for topic in rules.annual_update_topics:
        if topic not in TRAINING_TOPIC:
            raise _quota_error(
                file,
                "rules.annual_update_topics",
                f"nội dung {topic!r} không có (được phép: {', '.join(TRAINING_TOPIC)}).",
                f"topic {topic!r} is unknown (allowed: {', '.join(TRAINING_TOPIC)}).",
            )


def _quota_str(value: Any, file: Path | str, where: str) -> str:
    expect_type(value, str, file=file, where=where)
    if not value.strip():
        raise _quota_error(file, where, "không được để trống.", "must not be empty.")
    return value


def _quota_percent(value: Any, file: Path | str, where: str) -> Fraction:
    expect_type(value, (int, float), file=file, where=where)
    # str() keeps what the user typed (12.5 -> 25/2), so comparisons stay exact.
    exact = Fraction(str(value))
    if exact < 0:
        raise _quota_error(file, where, "phải ≥ 0.", "must be >= 0.")
    return exact


def _parse_quota_condition(
    raw: Any, file: Path | str, where: str, scales: dict[str, QuotaScale]
) -> QuotaCondition:
    if not isinstance(raw, dict):
        raise _quota_error(
            file,
            where,
            "điều kiện phải là một bảng khóa: giá trị.",
            "a condition must be a mapping.",
        )
    for op in ("all", "any"):
        if op in raw:
            check_keys(raw, required={op}, file=file, where=where)
            items = raw[op]
            if not isinstance(items, list) or not items:
                raise _quota_error(
                    file, f"{where}.{op}", "phải là danh sách điều kiện.", "must be a list."
                )
            children = tuple(
                _parse_quota_condition(item, file, f"{where}.{op}[{i}]", scales)
                for i, item in enumerate(items)
            )
            return QuotaCondition(op=op, children=children)
    if "not" in raw:
        check_keys(raw, required={"not"}, file=file, where=where)
        child = _parse_quota_condition(raw["not"], file, f"{where}.not", scales)
        return QuotaCondition(op="not", children=(child,))
    ops = [op for op in ("at_least", "is", "in") if op in raw]
    if len(ops) != 1:
        raise _quota_error(
            file,
            where,
            "cần đúng một trong all, any, not, at_least, is, in.",
            "needs exactly one of all, any, not, at_least, is, in.",
        )
    op = ops[0]
    optional = {"cumulative_if"} if op == "at_least" else set()
    check_keys(raw, required={"field", op}, optional=optional, file=file, where=where)
    fld = _quota_str(raw["field"], file, f"{where}.field")
    if fld not in STAFF_COLUMNS and fld not in QUOTA_DERIVED_FIELDS:
        raise _quota_error(
            file,
            f"{where}.field",
            f"cột {fld!r} không có trong danh sách cán bộ.",
            f"column {fld!r} is not a staff column.",
        )
    value: Any = raw[op]
    value_param = None
    if isinstance(value, dict):
        check_keys(value, required={"param"}, file=file, where=f"{where}.{op}")
        value_param = value["param"]
        if value_param not in _QUOTA_RULE_NAMES:
            raise _quota_error(
                file,
                f"{where}.{op}.param",
                f"không có quy tắc {value_param!r} trong 'rules'.",
                f"there is no rule {value_param!r} in 'rules'.",
            )
        value = None
    elif op == "in":
        if not isinstance(value, list) or not value:
            raise _quota_error(file, f"{where}.in", "phải là danh sách giá trị.", "must be a list.")
        value = tuple(value)
    if op == "at_least":
        if fld not in scales:
            raise _quota_error(
                file,
                f"{where}.field",
                f"cột {fld!r} không có thang bậc trong 'scales'.",
                f"column {fld!r} has no ordered scale in 'scales'.",
            )
        if value_param is None and value not in scales[fld].order:
            raise _quota_error(
                file,
                f"{where}.at_least",
                f"bậc {value!r} không có trong thang {fld} ({', '.join(scales[fld].order)}).",
                f"level {value!r} is not on the {fld} scale ({', '.join(scales[fld].order)}).",
            )
    cumulative_if = raw.get("cumulative_if")
    if cumulative_if is not None and cumulative_if not in (
        "political_theory_cumulative",
        "medical_specialist_counts_as_postgraduate",
    ):
        raise _quota_error(
            file,
            f"{where}.cumulative_if",
            f"phải là tên một quy tắc đúng/sai trong 'rules', không phải {cumulative_if!r}.",
            f"must name a true/false rule in 'rules', not {cumulative_if!r}.",
        )
    return QuotaCondition(
        op=op, field=fld, value=value, value_param=value_param, cumulative_if=cumulative_if
    )


def _parse_quota_target(
    raw: Any, file: Path | str, where: str, target_year: int, kind: str
) -> QuotaTarget | None:
    if raw is None or (isinstance(raw, str) and raw.strip() in QUOTA_NO_TARGET):
        return None
    optional = {"upper", "carried_from", "base_year"}
    check_keys(
        raw,
        required={"comparator", "value", "source_vi", "source_lines"},
        optional=optional,
        file=file,
        where=where,
    )
    comparator = raw["comparator"]
    if comparator not in QUOTA_COMPARATORS:
        raise _quota_error(
            file,
            f"{where}.comparator",
            f"phép so sánh {comparator!r} không hợp lệ "
            f"(được phép: {', '.join(QUOTA_COMPARATORS)}).",
            f"comparator {comparator!r} is not valid (allowed: {', '.join(QUOTA_COMPARATORS)}).",
        )
    value = _quota_percent(raw["value"], file, f"{where}.value")
    if kind == "share" and value > 100:
        raise _quota_error(file, f"{where}.value", "phải ≤ 100 (%).", "must be <= 100 (%).")
    upper = None
    if raw.get("upper") is not None:
        upper = _quota_percent(raw["upper"], file, f"{where}.upper")
        if upper < value or upper > 100:
            raise _quota_error(
                file,
                f"{where}.upper",
                "cận trên phải nằm giữa 'value' và 100.",
                "the upper bound must lie between 'value' and 100.",
            )
    base_year = raw.get("base_year")
    if kind == "headcount_ratio":
        if base_year is None:
            raise _quota_error(
                file,
                f"{where}.base_year",
                "chỉ tiêu biên chế cần năm gốc 'base_year'.",
                "a headcount quota needs 'base_year'.",
            )
        expect_type(base_year, int, file=file, where=f"{where}.base_year")
    elif base_year is not None:
        raise _quota_error(
            file,
            f"{where}.base_year",
            "chỉ dùng cho chỉ tiêu biên chế (kind: headcount_ratio).",
            "only used by headcount quotas (kind: headcount_ratio).",
        )
    carried_from = raw.get("carried_from")
    if carried_from is not None:
        expect_type(carried_from, int, file=file, where=f"{where}.carried_from")
    source_lines = raw["source_lines"]
    expect_type(source_lines, (str, int), file=file, where=f"{where}.source_lines")
    return QuotaTarget(
        target_year=target_year,
        comparator=comparator,
        value=value,
        upper=upper,
        base_year=base_year,
        carried_from=carried_from,
        source_vi=_quota_str(raw["source_vi"], file, f"{where}.source_vi"),
        source_lines=str(source_lines),
    )


def load_quota_rules(path: Path | str = DEFAULT_PARAMS_DIR / "quotas.yaml") -> QuotaRules:
    """Read and check ``params/quotas.yaml``; any problem is a ParamsError naming file and key."""
    file = Path(path)
    doc = check_keys(
        load_yaml(file),
        required={
            "source",
            "target_years",
            "rules",
            "scales",
            "breakdowns",
            "populations",
            "indicators",
        },
        file=file,
        where="quotas",
    )
    source = check_keys(
        doc["source"],
        required={"file", "section"},
        optional={"title_vi", "title_en"},
        file=file,
        where="source",
    )
    years = doc["target_years"]
    if not isinstance(years, list) or not years:
        raise _quota_error(
            file, "target_years", "phải là danh sách năm.", "must be a list of years."
        )
    for i, y in enumerate(years):
        expect_type(y, int, file=file, where=f"target_years[{i}]")
    target_years = tuple(years)

    rules_raw = check_keys(doc["rules"], required=set(_QUOTA_RULE_NAMES), file=file, where="rules")
    expect_type(
        rules_raw["international_language_level"],
        str,
        file=file,
        where="rules.international_language_level",
    )
    expect_type(rules_raw["annual_update_rule"], str, file=file, where="rules.annual_update_rule")
    topics = rules_raw["annual_update_topics"]
    if not isinstance(topics, list) or not topics:
        raise _quota_error(
            file, "rules.annual_update_topics", "phải là danh sách nội dung.", "must be a list."
        )

    scales: dict[str, QuotaScale] = {}
    check_keys(doc["scales"], optional=set(doc["scales"] or {}), file=file, where="scales")
    for name, raw in doc["scales"].items():
        where = f"scales.{name}"
        check_keys(raw, required={"order"}, optional={"equivalents"}, file=file, where=where)
        order = raw["order"]
        if not isinstance(order, list) or len(order) < 2 or len(set(order)) != len(order):
            raise _quota_error(
                file,
                f"{where}.order",
                "phải là danh sách bậc không trùng, từ thấp đến cao.",
                "must be a list of distinct levels, lowest first.",
            )
        scale = QuotaScale(order=tuple(order))
        if "equivalents" in raw:
            eq = check_keys(
                raw["equivalents"],
                required={"rule", "if_true", "if_false"},
                file=file,
                where=f"{where}.equivalents",
            )
            if eq["rule"] != "medical_specialist_counts_as_postgraduate":
                raise _quota_error(
                    file,
                    f"{where}.equivalents.rule",
                    "phải là medical_specialist_counts_as_postgraduate.",
                    "must be medical_specialist_counts_as_postgraduate.",
                )
            for branch in ("if_true", "if_false"):
                mapping = eq[branch]
                check_keys(
                    mapping,
                    optional=set(mapping or {}),
                    file=file,
                    where=f"{where}.equivalents.{branch}",
                )
                for code, level in mapping.items():
                    if level not in order:
                        raise _quota_error(
                            file,
                            f"{where}.equivalents.{branch}.{code}",
                            f"bậc {level!r} không có trong thang.",
                            f"level {level!r} is not on the scale.",
                        )
            scale = QuotaScale(
                order=tuple(order),
                equivalents_rule=eq["rule"],
                if_true=dict(eq["if_true"]),
                if_false=dict(eq["if_false"]),
            )
        scales[name] = scale

    brk = check_keys(
        doc["breakdowns"],
        required={"majority_ethnicity", "largest_ethnic_groups", "age_band_starts"},
        file=file,
        where="breakdowns",
    )
    majority = _quota_str(brk["majority_ethnicity"], file, "breakdowns.majority_ethnicity")
    largest = expect_type(
        brk["largest_ethnic_groups"], int, file=file, where="breakdowns.largest_ethnic_groups"
    )
    bands = brk["age_band_starts"]
    if (
        not isinstance(bands, list)
        or not bands
        or any(isinstance(b, bool) or not isinstance(b, int) for b in bands)
        or sorted(set(bands)) != bands
    ):
        raise _quota_error(
            file,
            "breakdowns.age_band_starts",
            "phải là danh sách tuổi tăng dần, ví dụ [30, 40, 50].",
            "must be an increasing list of ages, e.g. [30, 40, 50].",
        )

    populations: dict[str, QuotaPopulation] = {}
    if not isinstance(doc["populations"], dict) or not doc["populations"]:
        raise _quota_error(file, "populations", "không được để trống.", "must not be empty.")
    for pid, raw in doc["populations"].items():
        where = f"populations.{pid}"
        check_keys(
            raw,
            required={"unit_level", "staff_types", "label_vi", "label_en"},
            file=file,
            where=where,
        )
        if raw["unit_level"] not in UNIT_LEVEL:
            raise _quota_error(
                file,
                f"{where}.unit_level",
                f"cấp {raw['unit_level']!r} không hợp lệ (được phép: {', '.join(UNIT_LEVEL)}).",
                f"level {raw['unit_level']!r} is not valid (allowed: {', '.join(UNIT_LEVEL)}).",
            )
        types = raw["staff_types"]
        if not isinstance(types, list) or not types:
            raise _quota_error(
                file, f"{where}.staff_types", "phải là danh sách.", "must be a list."
            )
        for t in types:
            if t not in STAFF_TYPE or t == "contract":
                raise _quota_error(
                    file,
                    f"{where}.staff_types",
                    f"loại {t!r} không được tính (hợp đồng không bao giờ được tính).",
                    f"type {t!r} cannot be counted (contract staff are never counted).",
                )
        populations[str(pid)] = QuotaPopulation(
            id=str(pid),
            unit_level=raw["unit_level"],
            staff_types=tuple(types),
            label_vi=_quota_str(raw["label_vi"], file, f"{where}.label_vi"),
            label_en=_quota_str(raw["label_en"], file, f"{where}.label_en"),
        )

    indicators: list[QuotaIndicator] = []
    if not isinstance(doc["indicators"], list) or not doc["indicators"]:
        raise _quota_error(file, "indicators", "phải là danh sách chỉ tiêu.", "must be a list.")
    seen: set[str] = set()
    for i, raw in enumerate(doc["indicators"]):
        where = f"indicators[{i}]"
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            where = f"indicators.{raw['id']}"
        check_keys(
            raw,
            required={"id", "population", "label_vi", "label_en", "targets"},
            optional={"kind", "within", "counts_when"},
            file=file,
            where=where,
        )
        iid = _quota_str(raw["id"], file, f"{where}.id")
        if iid in seen:
            raise _quota_error(
                file, f"{where}.id", "mã chỉ tiêu bị trùng.", "duplicate indicator id."
            )
        seen.add(iid)
        if raw["population"] not in populations:
            raise _quota_error(
                file,
                f"{where}.population",
                f"không có nhóm {raw['population']!r} trong 'populations'.",
                f"there is no population {raw['population']!r} in 'populations'.",
            )
        kind = raw.get("kind", "share")
        if kind not in QUOTA_KINDS:
            raise _quota_error(
                file,
                f"{where}.kind",
                f"loại {kind!r} không hợp lệ (được phép: {', '.join(QUOTA_KINDS)}).",
                f"kind {kind!r} is not valid (allowed: {', '.join(QUOTA_KINDS)}).",
            )
        counts_when = None
        if kind == "share":
            if "counts_when" not in raw:
                raise _quota_error(
                    file, where, "thiếu khóa 'counts_when'.", "missing key 'counts_when'."
                )
            counts_when = _parse_quota_condition(
                raw["counts_when"], file, f"{where}.counts_when", scales
            )
        elif "counts_when" in raw:
            raise _quota_error(
                file,
                f"{where}.counts_when",
                "chỉ tiêu biên chế không có điều kiện.",
                "a headcount quota has no condition.",
            )
        within = None
        if raw.get("within") is not None:
            within = _parse_quota_condition(raw["within"], file, f"{where}.within", scales)
        targets_raw = raw["targets"]
        if isinstance(targets_raw, dict):
            # A year typed as "2025" (quoted) means the same as 2025.
            targets_raw = {
                int(k) if isinstance(k, str) and k.isdigit() else k: v
                for k, v in targets_raw.items()
            }
        check_keys(targets_raw, required=set(target_years), file=file, where=f"{where}.targets")
        targets = {
            y: _parse_quota_target(targets_raw[y], file, f"{where}.targets.{y}", y, kind)
            for y in target_years
        }
        indicators.append(
            QuotaIndicator(
                id=iid,
                population=raw["population"],
                level=populations[raw["population"]].unit_level,
                kind=kind,
                within=within,
                counts_when=counts_when,
                label_vi=_quota_str(raw["label_vi"], file, f"{where}.label_vi"),
                label_en=_quota_str(raw["label_en"], file, f"{where}.label_en"),
                targets=targets,
            )
        )

    rules = QuotaRules(
        source_file=str(file),
        source={k: str(v) for k, v in source.items()},
        target_years=target_years,
        medical_specialist_counts_as_postgraduate=rules_raw[
            "medical_specialist_counts_as_postgraduate"
        ],
        political_theory_cumulative=rules_raw["political_theory_cumulative"],
        international_language_level=rules_raw["international_language_level"],
        annual_update_rule=rules_raw["annual_update_rule"],
        annual_update_topics=tuple(topics),
        scales=scales,
        populations=populations,
        indicators=tuple(indicators),
        majority_ethnicity=majority,
        largest_ethnic_groups=largest,
        age_band_starts=tuple(bands),
    )
    _check_quota_rule_values(rules, file)
    return rules
