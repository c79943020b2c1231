"""``params/report.yaml``: the report's own numbers a user may change."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictInt, StrictStr, field_validator, model_validator

from cadre_analytics.params.paths import DEFAULT_PARAMS_DIR
from cadre_analytics.params.yaml_io import MODEL_CONFIG, fail, load_yaml, validate

REPORT_PARAMS = DEFAULT_PARAMS_DIR / "report.yaml"
# The HTML must stay small enough to e-mail whatever the number of units.
MAX_UNITS_SHOWN = 500


@dataclass(frozen=True)
class Scope:
    """The units the report covers, and what the report calls them.

    ``codes`` None: every unit of the data (the default). Otherwise the units with these codes:
    with ``successors`` the units as they were at the start of the data and every unit that
    took them over since (a former district: its old units); without, the units as they are
    now and every unit they took over (a list of today's communes, with their history).
    """

    label_vi: str | None = None  # None: the catalogue's words ("toàn huyện")
    label_en: str | None = None
    codes: tuple[str, ...] | None = None
    successors: bool = False


@dataclass(frozen=True)
class ReportSettings:
    max_units_shown: int  # communes in the heat-map; the rest are counted in a sentence
    min_cell: int  # breakdown cells of 1..min_cell-1 people are hidden
    heat_low: float  # below this fraction of its target a cell is painted "far off"
    min_change_people: int  # a change since last year is headlined only if this many moved
    scope: Scope = field(default_factory=Scope)
    # where units merged, past years on today's units (predecessors pooled) or as they were
    history: str = "today"


Code = Annotated[StrictStr | StrictInt, Field(union_mode="left_to_right")]
Label = Annotated[StrictStr, Field(min_length=1, max_length=120)]


class _Units(BaseModel):
    """``all`` (read as neither key), ``{codes: [...]}`` or ``{successors_of: [...]}``."""

    model_config = MODEL_CONFIG
    codes: Annotated[list[Code], Field(min_length=1)] | None = None
    successors_of: Annotated[list[Code], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _one_way(self) -> _Units:
        if self.codes is not None and self.successors_of is not None:
            raise fail(
                "chỉ ghi một trong hai: codes hoặc successors_of.",
                "give one of codes and successors_of, not both.",
            )
        return self


class _Scope(BaseModel):
    model_config = MODEL_CONFIG
    label_vi: Label | None = None
    label_en: Label | None = None
    units: _Units = _Units()

    @field_validator("units", mode="before")
    @classmethod
    def _all_units(cls, value: object) -> object:
        return {} if value == "all" else value

    @model_validator(mode="after")
    def _both_labels_or_neither(self) -> _Scope:
        if (self.label_vi is None) != (self.label_en is None):
            raise fail(
                "cần cả label_vi và label_en (hoặc bỏ cả hai).",
                "needs both label_vi and label_en (or neither).",
            )
        return self

    def scope(self) -> Scope:
        codes = self.units.codes if self.units.codes is not None else self.units.successors_of
        if codes is None:
            return Scope(self.label_vi, self.label_en)
        successors = self.units.successors_of is not None
        return Scope(self.label_vi, self.label_en, tuple(str(c) for c in codes), successors)


class _ReportFile(BaseModel):
    model_config = MODEL_CONFIG
    max_units_shown: Annotated[StrictInt, Field(ge=1, le=MAX_UNITS_SHOWN)]
    min_cell: Annotated[StrictInt, Field(ge=1, le=100)]
    heat_low: Annotated[float, Field(strict=True, gt=0, le=1)]
    min_change_people: Annotated[StrictInt, Field(ge=1, le=100_000)]
    scope: _Scope = _Scope()
    history: Literal["today", "as_they_were"] = "today"


def load_report_settings(path: Path | str = REPORT_PARAMS) -> ReportSettings:
    """Read and check ``params/report.yaml``; any missing/unknown key or bad value is clear."""
    path = Path(path)
    doc = validate(_ReportFile, load_yaml(path), path)
    return ReportSettings(
        doc.max_units_shown,
        doc.min_cell,
        float(doc.heat_low),
        doc.min_change_people,
        scope=doc.scope.scope(),
        history=doc.history,
    )
