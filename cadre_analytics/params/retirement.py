"""``params/retirement.yaml``: the statutory retirement ages (Labour Code 2019 art. 169,
Decree 135/2020), as :class:`RetirementSchedule`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, StrictInt, StrictStr

from cadre_analytics.params.paths import DEFAULT_PARAMS_DIR
from cadre_analytics.params.yaml_io import MODEL_CONFIG, load_yaml, params_error, validate

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


class _Age(BaseModel):
    model_config = MODEL_CONFIG
    years: Annotated[StrictInt, Field(ge=40, le=80)]
    months: Annotated[StrictInt, Field(ge=0, le=11)]

    @property
    def in_months(self) -> int:
        return self.years * 12 + self.months


class _ByGender(BaseModel):
    model_config = MODEL_CONFIG
    male: _Age
    female: _Age


class _RetirementFile(BaseModel):
    model_config = MODEL_CONFIG
    source: StrictStr = ""
    before_first_year: _ByGender
    # a year per row; a century of rows is more than the law will ever phase in
    ages: Annotated[
        dict[Annotated[int, Field(ge=1900, le=2200)], _ByGender],
        Field(min_length=1, max_length=100),
    ]


def load_retirement_schedule(path: Path | None = None) -> RetirementSchedule:
    """Read and check ``params/retirement.yaml``.

    Checks: both genders in every row, consecutive years, ages never falling and rising by less
    than 12 months a year (the retirement rule relies on it to find a unique year).
    """
    file = Path(path) if path is not None else DEFAULT_PARAMS_DIR / "retirement.yaml"
    doc = validate(_RetirementFile, load_yaml(file), file)
    years = sorted(doc.ages)
    if years != list(range(years[0], years[-1] + 1)):
        raise params_error(
            file,
            "ages",
            "các năm phải liên tiếp, không bỏ sót năm nào.",
            "the years must be consecutive, with no gap.",
        )
    before = {g: getattr(doc.before_first_year, g).in_months for g in _GENDERS}
    ages = {g: {y: getattr(doc.ages[y], g).in_months for y in years} for g in _GENDERS}
    for g in _GENDERS:
        previous = before[g]
        for year in years:
            if not 0 <= ages[g][year] - previous <= 11:
                raise params_error(
                    file,
                    f"ages.{year}.{g}",
                    "tuổi nghỉ hưu phải tăng từ 0 đến 11 tháng so với năm trước.",
                    "the retirement age must rise by 0 to 11 months over the year before.",
                )
            previous = ages[g][year]
    return RetirementSchedule(ages=ages, before_first_year=before, source=doc.source)
