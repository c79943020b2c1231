"""``params/quotas.yaml`` -> :class:`QuotaRules`: the quotas of the action programme, their
populations, "counts when" conditions, targets and the counting rules.

Targets are written in percent (``value: 70`` is 70 %), as the programme writes them. A value
between 0 and 1 is refused rather than guessed: 0.7 could mean 70 % or 0.7 %, and reading it
either way silently changes whether a quota is met. Levels (``at_least: university``) are the
codes of ``data_contracts/vocabularies.yaml``, and each scale's order must agree with the ranks
given there.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace as _replace
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
)

from cadre_analytics import vocab
from cadre_analytics.params.conditions import (
    BOOLEAN_RULES,
    QUOTA_RULE_NAMES,
    QuotaCondition,
    parse_condition,
)
from cadre_analytics.params.paths import DEFAULT_PARAMS_DIR
from cadre_analytics.params.yaml_io import (
    MODEL_CONFIG,
    fail,
    load_yaml,
    params_error,
    shown,
    validate,
)

QUOTA_COMPARATORS = (">=", ">", "<=", "==")
QUOTA_KINDS = ("share", "headcount_ratio")
# Values written in quotas.yaml for "the programme sets no target for that year".
QUOTA_NO_TARGET = ("—", "–", "-")
QUOTA_ANNUAL_UPDATE_RULES = ("all_topics", "any_topic")
MAX_INDICATORS = 200


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
        if name not in QUOTA_RULE_NAMES:
            raise KeyError(name)
        return getattr(self, name)

    def with_rules(self, **changes: Any) -> QuotaRules:
        """A copy with some rules changed (e.g. ``political_theory_cumulative=False``)."""
        unknown = sorted(set(changes) - set(QUOTA_RULE_NAMES))
        if unknown:
            raise KeyError(unknown[0])
        new = _replace(self, **changes)
        _check_quota_rule_values(new, self.source_file)
        return new

    def used_rules(self) -> dict[str, Any]:
        """The counting choices in force, for the report's method section."""
        return {name: self.rule(name) for name in QUOTA_RULE_NAMES}


# --- the file's shape ---------------------------------------------------------------------


def _percent(value: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(
            f"= {shown(value)} phải là một số phần trăm.", f"= {shown(value)} must be a percent."
        )
    # str() keeps what the user typed (12.5 -> 25/2), so comparisons stay exact.
    exact = Fraction(str(value))
    if exact < 0 or exact > 1000:
        raise fail("phải nằm trong khoảng 0–100 (%).", "must lie between 0 and 100 (%).")
    if 0 < exact <= 1:
        raise fail(
            f"= {value}: chỉ tiêu viết bằng phần trăm, ví dụ 70 cho 70 %.",
            f"= {value}: targets are written in percent: write 70 for 70 %.",
        )
    return exact


Percent = Annotated[Any, PlainValidator(_percent)]
Text = Annotated[StrictStr, Field(min_length=1, max_length=2000, pattern=r"\S")]
Year = Annotated[StrictInt, Field(ge=2000, le=2100)]


class _Source(BaseModel):
    model_config = MODEL_CONFIG
    file: Text
    section: Text
    title_vi: Text | None = None
    title_en: Text | None = None


class _Rules(BaseModel):
    model_config = MODEL_CONFIG
    medical_specialist_counts_as_postgraduate: StrictBool
    political_theory_cumulative: StrictBool
    international_language_level: StrictStr
    annual_update_rule: Literal[QUOTA_ANNUAL_UPDATE_RULES]  # type: ignore[valid-type]
    annual_update_topics: Annotated[list[StrictStr], Field(min_length=1, max_length=20)]


class _Equivalents(BaseModel):
    model_config = MODEL_CONFIG
    rule: Literal["medical_specialist_counts_as_postgraduate"]
    if_true: dict[StrictStr, StrictStr]
    if_false: dict[StrictStr, StrictStr]


class _Scale(BaseModel):
    model_config = MODEL_CONFIG
    # The order comes from data_contracts/vocabularies.yaml; written here it must agree.
    order: Annotated[list[StrictStr], Field(min_length=2, max_length=50)] | None = None
    equivalents: _Equivalents | None = None


class _Breakdowns(BaseModel):
    model_config = MODEL_CONFIG
    majority_ethnicity: Text
    largest_ethnic_groups: Annotated[StrictInt, Field(ge=0, le=20)]
    age_band_starts: Annotated[
        list[Annotated[StrictInt, Field(ge=15, le=80)]], Field(min_length=1, max_length=10)
    ]

    @field_validator("age_band_starts")
    @classmethod
    def _increasing(cls, starts: list[int]) -> list[int]:
        if starts != sorted(set(starts)):
            raise fail(
                "phải là danh sách tuổi tăng dần, ví dụ [30, 40, 50].",
                "must be an increasing list of ages, e.g. [30, 40, 50].",
            )
        return starts


class _Population(BaseModel):
    model_config = MODEL_CONFIG
    unit_level: Literal[vocab.UNIT_LEVEL]  # type: ignore[valid-type]
    staff_types: Annotated[list[StrictStr], Field(min_length=1, max_length=10)]
    label_vi: Text
    label_en: Text


class _Target(BaseModel):
    model_config = MODEL_CONFIG
    comparator: Literal[QUOTA_COMPARATORS]  # type: ignore[valid-type]
    value: Percent
    upper: Percent | None = None
    base_year: Year | None = None
    carried_from: Year | None = None
    source_vi: Text
    source_lines: StrictStr | StrictInt


class _Indicator(BaseModel):
    model_config = MODEL_CONFIG
    id: Annotated[StrictStr, Field(min_length=1, max_length=100, pattern=r"\S")]
    population: StrictStr
    kind: Literal[QUOTA_KINDS] = "share"  # type: ignore[valid-type]
    within: dict | None = None
    counts_when: dict | None = None
    label_vi: Text
    label_en: Text
    targets: dict[int, _Target | None]

    @field_validator("targets", mode="before")
    @classmethod
    def _no_target_marks(cls, raw: Any) -> Any:
        # "—" means the programme sets no target that year; a year typed "2025" is 2025.
        if not isinstance(raw, dict):
            return raw
        return {
            (int(k) if isinstance(k, str) and k.isdigit() else k): (
                None if isinstance(v, str) and v.strip() in QUOTA_NO_TARGET else v
            )
            for k, v in raw.items()
        }


class _QuotasFile(BaseModel):
    model_config = MODEL_CONFIG
    source: _Source
    target_years: Annotated[list[Year], Field(min_length=1, max_length=10)]
    rules: _Rules
    scales: dict[StrictStr, _Scale] = {}
    breakdowns: _Breakdowns
    populations: Annotated[dict[StrictStr, _Population], Field(min_length=1, max_length=50)]
    indicators: Annotated[list[_Indicator], Field(min_length=1, max_length=MAX_INDICATORS)]


# --- checks across keys, and the objects indicators use -----------------------------------


def _check_quota_rule_values(rules: QuotaRules, file: Path | str) -> None:
    for name in BOOLEAN_RULES:
        if not isinstance(getattr(rules, name), bool):
            raise params_error(
                file, f"rules.{name}", "phải là true hoặc false.", "must be true or false."
            )
    checks = (
        ("annual_update_rule", (rules.annual_update_rule,), QUOTA_ANNUAL_UPDATE_RULES),
        (
            "international_language_level",
            (rules.international_language_level,),
            vocab.FOREIGN_LANGUAGE,
        ),
        ("annual_update_topics", rules.annual_update_topics, vocab.TRAINING_TOPIC),
    )
    for name, values, allowed in checks:
        for value in values:
            if value not in allowed:
                raise params_error(
                    file,
                    f"rules.{name}",
                    f"giá trị {shown(value)} không hợp lệ (được phép: {', '.join(allowed)}).",
                    f"value {shown(value)} is not valid (allowed: {', '.join(allowed)}).",
                )


def _scale(name: str, raw: _Scale, file: Path) -> QuotaScale:
    """The levels of a scale, lowest first: the codes of data_contracts/vocabularies.yaml in the
    order of their ranks, except codes that ``equivalents`` maps onto a level by a rule.
    An ``order`` written in quotas.yaml must be exactly that."""
    where = f"scales.{name}"
    if name not in vocab.ORDINAL_ATTRIBUTES:
        raise params_error(
            file,
            where,
            f"không có thang bậc {name!r} (được phép: {', '.join(vocab.ORDINAL_ATTRIBUTES)}).",
            f"there is no ordered scale {name!r} (allowed: {', '.join(vocab.ORDINAL_ATTRIBUTES)}).",
        )
    ranks = vocab.ranks(name)
    eq = raw.equivalents
    mapped = set(eq.if_true) | set(eq.if_false) if eq else set()
    order = tuple(sorted((c for c in ranks if c not in mapped), key=ranks.__getitem__))
    levels = ", ".join(order)
    if len({ranks[c] for c in order}) != len(order) or (raw.order and tuple(raw.order) != order):
        raise params_error(
            file,
            f"{where}.order" if raw.order else where,
            f"thang bậc phải là ({levels}) như data_contracts/vocabularies.yaml; hai bậc cùng "
            "hạng phải được quy đổi trong 'equivalents'.",
            f"the scale must be ({levels}) as in data_contracts/vocabularies.yaml; two levels of "
            "one rank must be mapped in 'equivalents'.",
        )
    if eq is None:
        return QuotaScale(order=order)
    for branch, mapping in (("if_true", eq.if_true), ("if_false", eq.if_false)):
        for code, level in mapping.items():
            if code not in ranks or level not in order:
                raise params_error(
                    file,
                    f"{where}.equivalents.{branch}.{code}",
                    f"mã {shown(code)} hoặc bậc {shown(level)} không có trong thang.",
                    f"code {shown(code)} or level {shown(level)} is not on the scale.",
                )
    return QuotaScale(order, eq.rule, dict(eq.if_true), dict(eq.if_false))


def _population(pid: str, raw: _Population, file: Path) -> QuotaPopulation:
    for t in raw.staff_types:
        if t not in vocab.STAFF_TYPE or t == "contract":
            raise params_error(
                file,
                f"populations.{pid}.staff_types",
                f"loại {shown(t)} không được tính (hợp đồng không bao giờ được tính).",
                f"type {shown(t)} cannot be counted (contract staff are never counted).",
            )
    return QuotaPopulation(pid, raw.unit_level, tuple(raw.staff_types), raw.label_vi, raw.label_en)


def _target(
    raw: _Target | None, file: Path, where: str, year: int, kind: str
) -> QuotaTarget | None:
    if raw is None:
        return None
    if kind == "share" and raw.value > 100:
        raise params_error(file, f"{where}.value", "phải ≤ 100 (%).", "must be <= 100 (%).")
    if raw.upper is not None and not raw.value <= raw.upper <= 100:
        raise params_error(
            file,
            f"{where}.upper",
            "cận trên phải nằm giữa 'value' và 100.",
            "the upper bound must lie between 'value' and 100.",
        )
    if kind == "headcount_ratio" and raw.base_year is None:
        raise params_error(
            file,
            f"{where}.base_year",
            "chỉ tiêu biên chế cần năm gốc 'base_year'.",
            "a headcount quota needs 'base_year'.",
        )
    if kind != "headcount_ratio" and raw.base_year is not None:
        raise params_error(
            file,
            f"{where}.base_year",
            "chỉ dùng cho chỉ tiêu biên chế (kind: headcount_ratio).",
            "only used by headcount quotas (kind: headcount_ratio).",
        )
    return QuotaTarget(
        target_year=year,
        comparator=raw.comparator,
        value=raw.value,
        upper=raw.upper,
        base_year=raw.base_year,
        carried_from=raw.carried_from,
        source_vi=raw.source_vi,
        source_lines=str(raw.source_lines),
    )


def _indicator(
    raw: _Indicator, file: Path, doc: _QuotasFile, scales: dict[str, QuotaScale]
) -> QuotaIndicator:
    where = f"indicators.{raw.id}"
    if raw.population not in doc.populations:
        raise params_error(
            file,
            f"{where}.population",
            f"không có nhóm {shown(raw.population)} trong 'populations'.",
            f"there is no population {shown(raw.population)} in 'populations'.",
        )
    if (raw.kind == "share") != (raw.counts_when is not None):
        vi, en = (
            ("thiếu khóa 'counts_when'.", "missing key 'counts_when'.")
            if raw.kind == "share"
            else ("chỉ tiêu biên chế không có điều kiện.", "a headcount quota has no condition.")
        )
        raise params_error(file, f"{where}.counts_when" if raw.counts_when else where, vi, en)
    counts_when = within = None
    if raw.counts_when is not None:
        counts_when = parse_condition(raw.counts_when, file, f"{where}.counts_when", scales)
    if raw.within is not None:
        within = parse_condition(raw.within, file, f"{where}.within", scales)
    missing = [y for y in doc.target_years if y not in raw.targets]
    extra = [y for y in raw.targets if y not in doc.target_years]
    if missing or extra:
        key = missing[0] if missing else extra[0]
        vi = "Thiếu khóa" if missing else "Khóa không hợp lệ"
        en = "Missing key" if missing else "Unknown key"
        raise params_error(
            file,
            "",
            f"{vi} '{key}' trong '{where}.targets'.",
            f"{en} '{key}' in '{where}.targets'.",
        )
    targets = {
        y: _target(raw.targets[y], file, f"{where}.targets.{y}", y, raw.kind)
        for y in doc.target_years
    }
    return QuotaIndicator(
        id=raw.id,
        population=raw.population,
        level=doc.populations[raw.population].unit_level,
        kind=raw.kind,
        within=within,
        counts_when=counts_when,
        label_vi=raw.label_vi,
        label_en=raw.label_en,
        targets=targets,
    )


def load_quota_rules(path: Path | str = DEFAULT_PARAMS_DIR / "quotas.yaml") -> QuotaRules:
    """Read and check ``params/quotas.yaml``; any problem is a ParamsError naming file and key."""
    file = Path(path)
    doc = validate(_QuotasFile, load_yaml(file), file)
    unknown = sorted(set(doc.scales) - set(vocab.ORDINAL_ATTRIBUTES))
    if unknown:
        _scale(unknown[0], doc.scales[unknown[0]], file)  # says which scales exist
    # Every ranked vocabulary is a scale, whether or not quotas.yaml says more about it.
    scales = {
        name: _scale(name, doc.scales.get(name, _Scale()), file)
        for name in vocab.ORDINAL_ATTRIBUTES
    }
    populations = {pid: _population(pid, raw, file) for pid, raw in doc.populations.items()}
    ids = [raw.id for raw in doc.indicators]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate is not None:
        raise params_error(
            file, f"indicators.{duplicate}.id", "mã chỉ tiêu bị trùng.", "duplicate indicator id."
        )
    indicators = tuple(_indicator(raw, file, doc, scales) for raw in doc.indicators)
    r = doc.rules
    rules = QuotaRules(
        source_file=str(file),
        source={k: v for k, v in doc.source.model_dump().items() if v is not None},
        target_years=tuple(doc.target_years),
        medical_specialist_counts_as_postgraduate=r.medical_specialist_counts_as_postgraduate,
        political_theory_cumulative=r.political_theory_cumulative,
        international_language_level=r.international_language_level,
        annual_update_rule=r.annual_update_rule,
        annual_update_topics=tuple(r.annual_update_topics),
        scales=scales,
        populations=populations,
        indicators=indicators,
        majority_ethnicity=doc.breakdowns.majority_ethnicity,
        largest_ethnic_groups=doc.breakdowns.largest_ethnic_groups,
        age_band_starts=tuple(doc.breakdowns.age_band_starts),
    )
    _check_quota_rule_values(rules, file)
    return rules
