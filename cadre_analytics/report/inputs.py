"""Reads the AGGREGATED frames the earlier notebooks wrote into OUT, for the report.

Tolerant by design: a stage that has not run (for example projection) leaves its frame as None
and the report shows that section with a clear "not available" note instead of failing. Only
aggregate files are read; quarantine/warnings are reduced to COUNTS on read (their
``raw_value`` column may hold a name, so it is never loaded), and ``restricted/`` is never
opened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from cadre_analytics import outputs, schema
from cadre_analytics.errors import UserError

# The dtypes of the aggregate files: the one declaration the writers use too
# (schema.OUTPUT_TABLES). Columns missing from a file are added as nulls so the report can still
# draw what it has; extra columns are kept.
INDICATOR_COLUMNS = schema.OUTPUT_TABLES["indicators"]
BREAKDOWN_COLUMNS = schema.OUTPUT_TABLES["breakdowns"]
PROJECTION_COLUMNS = schema.OUTPUT_TABLES["projection"]
REQUIREMENT_COLUMNS = schema.OUTPUT_TABLES["requirements"]
TREND_COLUMNS = schema.OUTPUT_TABLES["trend"]
RECONCILIATION_COLUMNS = schema.OUTPUT_TABLES["reconciliation"]
RULE_RESULT_COLUMNS = schema.OUTPUT_TABLES["rule_results"]
READING_COLUMNS = schema.OUTPUT_TABLES["readings"]
PLAN_TABLES = ("plan_outcome", "plan_bottlenecks", "plan_solver")
TRUE_WORDS = ("true", "1", "yes", "t")


@dataclass
class ReportInputs:
    """Everything the report shows. Each frame is None when its file is absent."""

    year: int
    indicators: pl.DataFrame | None = None
    breakdowns: pl.DataFrame | None = None
    projection: pl.DataFrame | None = None
    requirements: pl.DataFrame | None = None
    trend: pl.DataFrame | None = None
    reconciliation: pl.DataFrame | None = None
    rule_results: pl.DataFrame | None = None
    readings: pl.DataFrame | None = None  # how the programme is read, with both numbers
    plan_outcome: pl.DataFrame | None = None  # the nomination plan: targets met per scenario
    plan_bottlenecks: pl.DataFrame | None = None  # where more seats would meet a target
    plan_solver: pl.DataFrame | None = None  # how the solve went (or why there is no plan)
    quarantine_counts: pl.DataFrame | None = None  # table, rule, rows
    warning_counts: pl.DataFrame | None = None  # table, rule, rows
    input_files: pl.DataFrame | None = None  # table, path, sha256, rows (if 01 wrote it)
    closures: pl.DataFrame | None = None  # a level that ended: where its staff went (if any)
    manifest: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def assert_aggregated(frame: pl.DataFrame, what: str) -> None:
    """Refuse any frame that still carries a person-identifying column."""
    leaked = [c for c in frame.columns if c in schema.PERSONAL_COLUMNS]
    if leaked:
        raise AssertionError(f"{what}: personal column(s) {leaked} must never reach the report")


def conform(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """Cast known columns to their dtype (non-strict), add missing ones as nulls."""
    exprs = []
    for name, dtype in columns.items():
        if name not in frame.columns:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
        elif dtype == pl.Boolean and frame.schema[name] != pl.Boolean:
            text = pl.col(name).cast(pl.Utf8).str.to_lowercase()
            exprs.append(
                pl.when(text.is_null() | (text == ""))
                .then(None)
                .otherwise(text.is_in(TRUE_WORDS))
                .alias(name)
            )
        elif frame.schema[name] != dtype:
            exprs.append(pl.col(name).cast(dtype, strict=False).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def _read_table(path_stem: Path) -> pl.DataFrame | None:
    """One aggregate table as its writer declared it (None when the stage has not run)."""
    parquet = path_stem.with_suffix(".parquet")
    csv = path_stem.with_suffix(".csv")
    if not parquet.exists() and not csv.exists():
        return None
    try:
        return outputs.read_table(path_stem.parent, path_stem.name)
    except Exception as exc:  # a corrupt OUT file is a clear message, not a traceback
        raise UserError(
            f"Không đọc được tệp kết quả trung gian ({exc.__class__.__name__}).",
            f"Cannot read intermediate output file ({exc.__class__.__name__}).",
            where=str(parquet if parquet.exists() else csv),
            fix_vi="Chạy lại toàn bộ lệnh make report.",
            fix_en="Run make report again from the start.",
        ) from None


def _counts(path: Path) -> pl.DataFrame | None:
    """Counts per table x rule; reads ONLY those two columns (raw values may be personal)."""
    if not path.exists():
        return None
    header = pl.read_csv(path, n_rows=0)
    keys = [c for c in ("table", "rule") if c in header.columns]
    if not keys:
        return None
    frame = pl.read_csv(path, columns=keys, schema_overrides=dict.fromkeys(keys, pl.Utf8))
    return frame.group_by(keys).agg(pl.len().alias("rows")).sort(keys)


def load_report_inputs(out_dir: Path, year: int) -> ReportInputs:
    """Read the aggregate outputs of notebooks 01-03 and 05 from ``out_dir`` (missing -> None)."""
    out_dir = Path(out_dir)
    inputs = ReportInputs(year=int(year))
    specs = {
        "indicators": INDICATOR_COLUMNS,
        "breakdowns": BREAKDOWN_COLUMNS,
        "projection": PROJECTION_COLUMNS,
        "requirements": REQUIREMENT_COLUMNS,
        "trend": TREND_COLUMNS,
        "reconciliation": RECONCILIATION_COLUMNS,
        "rule_results": RULE_RESULT_COLUMNS,
        "readings": READING_COLUMNS,
        **{name: schema.OUTPUT_TABLES[name] for name in PLAN_TABLES},
    }
    for name, columns in specs.items():
        frame = _read_table(out_dir / name)
        if frame is None:
            inputs.missing.append(name)
            continue
        # Drop personal columns defensively before anything else sees the frame.
        frame = frame.drop([c for c in schema.PERSONAL_COLUMNS if c in frame.columns])
        setattr(inputs, name, conform(frame, columns))
    inputs.quarantine_counts = _counts(out_dir / "quarantine.csv")
    inputs.warning_counts = _counts(out_dir / "warnings.csv")
    inputs.input_files = _read_table(out_dir / "input_files")
    inputs.closures = _read_table(out_dir / "closures")
    manifest = out_dir / "manifest.json"
    if manifest.exists():
        try:
            inputs.manifest = json.loads(manifest.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise UserError(
                "Tệp manifest.json hỏng.",
                "manifest.json is corrupt.",
                where=str(manifest),
                fix_vi="Chạy lại toàn bộ lệnh make report.",
                fix_en="Run make report again from the start.",
            ) from None
    return inputs
