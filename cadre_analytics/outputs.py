"""Writing and reading the frames a run leaves in its output folder (OUT).

Only the report/CLI layer writes: the notebooks call these helpers on the staging folder the
CLI hands them, so a failed run never touches the previous OUT. Person-level frames go to
``OUT/restricted/`` with owner-only permissions; everything else is aggregated.

Every table has one declared schema (``schema.OUTPUT_TABLES``): the writer casts to it and the
reader reads with it, so ``year`` is the same dtype whether a frame came from Parquet or CSV.

CSV files are opened in spreadsheets, which run a cell that starts with ``=``, ``+``, ``-``, ``@``,
tab or CR as a formula. Such text cells are written with a leading apostrophe (OWASP's advice
against CSV injection; numbers like ``-5`` stay numbers), and comparators are written as people
read them (``≥``, ``≤``, ``=``) rather than as ``>=``, which a spreadsheet shows as a formula.
Reading a CSV back with :func:`read_table` undoes both, so the machine meaning is unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from cadre_analytics.schema import OUTPUT_TABLES, PERSONAL_COLUMNS

RESTRICTED = "restricted"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_PATTERN = r"^[=+\-@\t\r]"
# Text that a spreadsheet reads as a plain number, not a formula ("-5", "+3.5").
_PLAIN_NUMBER = r"^[+-]?[0-9]+([.,][0-9]+)?$"
# Written for people in CSV; what the code compares with.
COMPARATOR_TEXT = {">=": "≥", "<=": "≤", "==": "="}
COMPARATOR_CODE = {text: code for code, text in COMPARATOR_TEXT.items()}
COMPARATOR_COLUMNS = ("comparator",)


def restricted_dir(out_dir: Path | str) -> Path:
    """``OUT/restricted``, created owner-only (0700) so other accounts cannot read it."""
    path = Path(out_dir) / RESTRICTED
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def conform(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """The frame with the declared dtypes of table ``name``; declared columns it lacks are
    added as nulls, columns beyond the declaration are kept, after the declared ones."""
    declared = OUTPUT_TABLES.get(name)
    if declared is None:
        return frame
    columns = [
        pl.col(c).cast(dtype) if c in frame.columns else pl.lit(None, dtype=dtype).alias(c)
        for c, dtype in declared.items()
    ]
    return frame.select(*columns, *[c for c in frame.columns if c not in declared])


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading apostrophe."""
    text_columns = [c for c, dtype in frame.schema.items() if dtype == pl.Utf8]
    exprs = []
    for c in text_columns:
        risky = pl.col(c).str.contains(_FORMULA_PATTERN) & ~pl.col(c).str.contains(_PLAIN_NUMBER)
        exprs.append(pl.when(risky).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c))
    return frame.with_columns(exprs) if exprs else frame


def _restore_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    text_columns = [c for c, dtype in frame.schema.items() if dtype == pl.Utf8]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(r"^'[=+\-@\t\r]"))
        .then(pl.col(c).str.slice(1))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text_columns
    )


def csv_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """What a CSV cell holds: lists joined with ';' (as users type aliases), comparators in
    words people read, and no text a spreadsheet would run."""
    list_columns = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    frame = frame.with_columns(pl.col(c).list.join(";") for c in list_columns)
    frame = frame.with_columns(
        pl.col(c).replace(COMPARATOR_TEXT)
        for c in COMPARATOR_COLUMNS
        if frame.schema.get(c) == pl.Utf8
    )
    return neutralise_formulas(frame)


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
    frame = conform(frame, name)
    csv_path = out / f"{name}.csv"
    csv_ready(frame).write_csv(csv_path, include_bom=name in ("quarantine", "warnings"))
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
        csv_ready(frame).write_csv(csv_path)
        os.chmod(csv_path, 0o600)
        return csv_path
    return path


def read_restricted(out_dir: Path | str, name: str) -> pl.DataFrame:
    return pl.read_parquet(Path(out_dir) / RESTRICTED / f"{name}.parquet")


def read_csv_table(path: Path | str, name: str, columns: list[str] | None = None) -> pl.DataFrame:
    """A CSV this module wrote, with the declared dtypes, comparators and text as they were."""
    declared = OUTPUT_TABLES.get(name, {})
    header = pl.read_csv(path, n_rows=0).columns
    # Text columns stay text (a unit code "001" must not become 1); booleans are parsed below.
    overrides = {
        c: (pl.Utf8 if dtype == pl.Boolean else dtype)
        for c, dtype in declared.items()
        if c in header
    }
    frame = pl.read_csv(path, columns=columns, schema_overrides=overrides, infer_schema_length=None)
    frame = _restore_formulas(frame).with_columns(
        pl.col(c).replace(COMPARATOR_CODE) for c in COMPARATOR_COLUMNS if c in frame.columns
    )
    booleans = [c for c, dtype in declared.items() if dtype == pl.Boolean and c in frame.columns]
    frame = frame.with_columns(
        pl.col(c).str.to_lowercase().replace_strict({"true": True, "false": False}, default=None)
        for c in booleans
    )
    return frame if columns is not None else conform(frame, name)


def read_table(out_dir: Path | str, name: str) -> pl.DataFrame:
    """Read an aggregated frame back, preferring the typed Parquet copy when there is one."""
    out = Path(out_dir)
    parquet_path = out / f"{name}.parquet"
    if parquet_path.exists():
        return conform(pl.read_parquet(parquet_path), name)
    return read_csv_table(out / f"{name}.csv", name)


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
    write_table(result.spellings, out, "spellings")
    (out / "data_quality.html").write_text(data_quality_page(result, lang=lang), encoding="utf-8")
    write_restricted(result.staff, out, "accepted_staff")
    write_restricted(result.training, out, "accepted_training")
    write_restricted(result.units, out, "units")
    write_restricted(result.quarantined_ids, out, "quarantined_ids")
