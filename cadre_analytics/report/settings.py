"""The report's own numbers a user may change (``params/report.yaml``), checked on load."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cadre_analytics.errors import ParamsError
from cadre_analytics.params import DEFAULT_PARAMS_DIR, check_keys, expect_type, load_yaml

REPORT_PARAMS = DEFAULT_PARAMS_DIR / "report.yaml"


@dataclass(frozen=True)
class ReportSettings:
    max_units_shown: int  # communes in the heat-map; the rest are counted in a sentence
    min_cell: int  # breakdown cells of 1..min_cell-1 people are hidden
    heat_low: float  # below this fraction of its target a cell is painted "far off"
    min_change_people: int  # a change since last year is headlined only if this many moved


def _bad(file: Path, key: str, vi: str, en: str) -> ParamsError:
    return ParamsError(
        f"Giá trị '{key}' không hợp lệ: {vi}",
        f"Invalid value for '{key}': {en}",
        where=f"{file}: {key}",
        fix_vi=f"Sửa '{key}' trong {file}.",
        fix_en=f"Fix '{key}' in {file}.",
    )


def load_report_settings(path: Path | str = REPORT_PARAMS) -> ReportSettings:
    """Read and check ``params/report.yaml``; any missing/unknown key or bad value is clear."""
    path = Path(path)
    doc = check_keys(
        load_yaml(path),
        required={"max_units_shown", "min_cell", "heat_low", "min_change_people"},
        file=path,
        where="report",
    )
    n = expect_type(doc["max_units_shown"], int, file=path, where="max_units_shown")
    if n < 1:
        raise _bad(path, "max_units_shown", f"{n} (phải ≥ 1).", f"{n} (must be ≥ 1).")
    min_cell = expect_type(doc["min_cell"], int, file=path, where="min_cell")
    if min_cell < 1:
        raise _bad(path, "min_cell", f"{min_cell} (phải ≥ 1).", f"{min_cell} (must be ≥ 1).")
    low = float(expect_type(doc["heat_low"], (int, float), file=path, where="heat_low"))
    if not 0 < low <= 1:
        raise _bad(
            path, "heat_low", f"{low} (phải trong khoảng (0, 1]).", f"{low} (must be in (0, 1])."
        )
    moved = expect_type(doc["min_change_people"], int, file=path, where="min_change_people")
    if not 1 <= moved <= 100_000:
        raise _bad(
            path,
            "min_change_people",
            f"{moved} (phải từ 1 đến 100000).",
            f"{moved} (must be 1 to 100000).",
        )
    return ReportSettings(
        max_units_shown=n, min_cell=min_cell, heat_low=low, min_change_people=moved
    )


@cache
def settings() -> ReportSettings:
    """The default settings, read once per process."""
    return load_report_settings()
