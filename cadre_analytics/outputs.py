"""Writing and reading the frames a run leaves in its output folder (OUT).

Only the report/CLI layer writes: the notebooks call these helpers on the staging folder the
CLI hands them, so a failed run never touches the previous OUT. Person-level frames go to
``OUT/restricted/`` with owner-only permissions; everything else is aggregated.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from cadre_analytics.schema import PERSONAL_COLUMNS

RESTRICTED = "restricted"


def restricted_dir(out_dir: Path | str) -> Path:
    """``OUT/restricted``, created owner-only (0700) so other accounts cannot read it."""
    path = Path(out_dir) / RESTRICTED
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _csv_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV cannot hold lists: join them with ';' (the same separator users type aliases with)."""
    list_columns = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    if not list_columns:
        return frame
    return frame.with_columns(pl.col(c).list.join(";") for c in list_columns)


def write_table(
    frame: pl.DataFrame,
    out_dir: Path | str,
    name: str,
    *,
    parquet: bool = False,
) -> Path:
    """Write an AGGREGATED frame as ``OUT/<name>.csv`` (+ .parquet); no personal columns."""
    leaked = [c for c in PERSONAL_COLUMNS if c in frame.columns]
    if leaked:
        raise ValueError(f"refusing to write personal columns {leaked} outside restricted/")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / f"{name}.csv"
    _csv_ready(frame).write_csv(csv_path)
    if parquet:
        frame.write_parquet(out / f"{name}.parquet")
    return csv_path


def write_restricted(
    frame: pl.DataFrame, out_dir: Path | str, name: str, *, csv: bool = False
) -> Path:
    """Write a person-level frame into ``OUT/restricted/`` (owner-only files)."""
    folder = restricted_dir(out_dir)
    path = folder / f"{name}.parquet"
    frame.write_parquet(path)
    os.chmod(path, 0o600)
    if csv:
        csv_path = folder / f"{name}.csv"
        _csv_ready(frame).write_csv(csv_path)
        os.chmod(csv_path, 0o600)
        return csv_path
    return path


def read_restricted(out_dir: Path | str, name: str) -> pl.DataFrame:
    return pl.read_parquet(Path(out_dir) / RESTRICTED / f"{name}.parquet")


def read_table(out_dir: Path | str, name: str) -> pl.DataFrame:
    """Read an aggregated frame back, preferring the typed Parquet copy when there is one."""
    out = Path(out_dir)
    parquet_path = out / f"{name}.parquet"
    if parquet_path.exists():
        return pl.read_parquet(parquet_path)
    return pl.read_csv(out / f"{name}.csv", infer_schema_length=None)


def write_validation_outputs(result, out_dir: Path | str, *, lang: str = "vi") -> None:
    """Everything the contracts stage leaves for audit and for the next notebooks.

    quarantine.csv and warnings.csv quote raw cell values (a birth date, say) so the Board can
    fix its files: they are for the Board, owner-only, and never part of the report.
    """
    from cadre_analytics.report.data_quality import data_quality_page

    out = Path(out_dir)
    for name in ("quarantine", "warnings"):
        path = write_table(getattr(result, name), out, name)
        os.chmod(path, 0o600)
    write_table(result.reconciliation, out, "reconciliation")
    write_table(result.rule_results, out, "rule_results")
    write_table(result.input_files, out, "input_files")
    (out / "data_quality.html").write_text(data_quality_page(result, lang=lang), encoding="utf-8")
    write_restricted(result.staff, out, "accepted_staff")
    write_restricted(result.training, out, "accepted_training")
    write_restricted(result.units, out, "units")
