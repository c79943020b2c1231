"""``params/report.yaml``: the report's own numbers a user may change."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictInt

from cadre_analytics.params.paths import DEFAULT_PARAMS_DIR
from cadre_analytics.params.yaml_io import MODEL_CONFIG, load_yaml, validate

REPORT_PARAMS = DEFAULT_PARAMS_DIR / "report.yaml"
# The HTML must stay small enough to e-mail whatever the number of units.
MAX_UNITS_SHOWN = 500


@dataclass(frozen=True)
class ReportSettings:
    max_units_shown: int  # communes in the heat-map; the rest are counted in a sentence
    min_cell: int  # breakdown cells of 1..min_cell-1 people are hidden
    heat_low: float  # below this fraction of its target a cell is painted "far off"
    min_change_people: int  # a change since last year is headlined only if this many moved
    # where units merged, past years on today's units (predecessors pooled) or as they were
    history: str = "today"


class _ReportFile(BaseModel):
    model_config = MODEL_CONFIG
    max_units_shown: Annotated[StrictInt, Field(ge=1, le=MAX_UNITS_SHOWN)]
    min_cell: Annotated[StrictInt, Field(ge=1, le=100)]
    heat_low: Annotated[float, Field(strict=True, gt=0, le=1)]
    min_change_people: Annotated[StrictInt, Field(ge=1, le=100_000)]
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
        doc.history,
    )
