"""``params/readings.yaml``: the readings of the programme that move a number (what the
report's "How the programme is read" section and ``docs/assumptions.md`` are made from)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from cadre_analytics.errors import ParamsError
from cadre_analytics.params.paths import DEFAULT_PARAMS_DIR
from cadre_analytics.params.quotas import QuotaRules
from cadre_analytics.params.yaml_io import MODEL_CONFIG, load_yaml, params_error, validate

DEFAULT_READINGS_FILE = DEFAULT_PARAMS_DIR / "readings.yaml"


class Switch(BaseModel):
    model_config = MODEL_CONFIG
    rule: str
    alternative: bool | str


class Reading(BaseModel):
    model_config = MODEL_CONFIG
    id: str
    indicators: list[str] = Field(min_length=1, max_length=50)
    switch: Switch | None = None
    pooled_with: list[str] | None = None
    reading_vi: str = Field(max_length=2000)
    reading_en: str = Field(max_length=2000)
    alternative_vi: str | None = None
    alternative_en: str | None = None


class NotMeasured(BaseModel):
    model_config = MODEL_CONFIG
    id: str
    source_lines: str
    text_vi: str = Field(max_length=2000)
    text_en: str = Field(max_length=2000)


class Readings(BaseModel):
    model_config = MODEL_CONFIG
    readings: list[Reading] = Field(max_length=100)
    not_measured: list[NotMeasured] = Field(default_factory=list, max_length=100)


def _check_against_quotas(doc: Readings, rules: QuotaRules, file: Path) -> None:
    known = {ind.id for ind in rules.indicators}
    for i, reading in enumerate(doc.readings):
        for name in [*reading.indicators, *(reading.pooled_with or [])]:
            if name not in known:
                raise params_error(
                    file,
                    f"readings[{i}].indicators",
                    f"không có chỉ tiêu '{name}' trong quotas.yaml.",
                    f"there is no quota '{name}' in quotas.yaml.",
                )
        if reading.switch is not None:
            try:
                rules.with_rules(**{reading.switch.rule: reading.switch.alternative})
            except (KeyError, ParamsError):
                raise params_error(
                    file,
                    f"readings[{i}].switch",
                    f"quy tắc '{reading.switch.rule}' hoặc giá trị thay thế không hợp lệ.",
                    f"rule '{reading.switch.rule}' or its alternative value is not valid.",
                ) from None
        if reading.switch is not None and reading.pooled_with:
            raise params_error(
                file,
                f"readings[{i}]",
                "chỉ dùng một trong hai: switch hoặc pooled_with.",
                "use one of switch or pooled_with, not both.",
            )


def load_readings(rules: QuotaRules, path: Path | str = DEFAULT_READINGS_FILE) -> Readings:
    """Read and check ``params/readings.yaml`` against the quotas it names."""
    file = Path(path)
    doc = validate(Readings, load_yaml(file), file)
    _check_against_quotas(doc, rules, file)
    return doc
