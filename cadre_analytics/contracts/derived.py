"""Columns GX judges that are not in the files: worked out from each row (and its neighbours).

Staff: age at the snapshot, retirement date passed, unit not found, copy of an earlier row,
qualification down since the previous snapshot.  Training: days after today, staff id not
found.  Their names start with ``_``; the suites' expectations read them like any column.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from cadre_analytics.contracts.checks import has_repeats
from cadre_analytics.contracts.result import IDX
from cadre_analytics.ingest import TableData
from cadre_analytics.ingest.epochs import unit_spelled_expr
from cadre_analytics.ingest.normalise import UNPARSED
from cadre_analytics.ingest.spec import ContractSpec
from cadre_analytics.schema import SOURCE_FILE, SOURCE_ROW, STAFF_COLUMNS
from cadre_analytics.units import OFFICIAL_CODE

RANKED = ("education", "political_theory", "state_management", "foreign_language")


def _scatter(height: int, rows: pl.Series, texts: pl.Series) -> pl.Series:
    """A full-height text column, null except at ``rows``."""
    out = pl.Series(texts.name, [], dtype=pl.Utf8).extend_constant(None, height)
    return out.scatter(rows, texts) if rows.len() else out


def derive_staff(
    data: TableData,
    schedule,
    unit_codes: pl.Series,
    spec: ContractSpec,
    units: pl.DataFrame | None = None,
) -> pl.DataFrame:
    from cadre_analytics.retirement import on_year_end_roster, retirement_date_expr

    values, check = data.values, data.check
    names = list(STAFF_COLUMNS)
    year = pl.col("snapshot_year")
    # The schedule on each distinct (birth date, gender) only, looked up per row by one integer
    # (days * 4 + gender), and the date text only for the rows past it: at national scale the
    # per-row schedule expression and its text were most of this function's time.
    retire = retirement_date_expr(pl.col("birth_date"), pl.col("gender"), schedule)
    genders = ["male", "female"]
    code = pl.col("gender").replace_strict(genders, [0, 1], default=2, return_dtype=pl.Int64)
    person = values.select(pl.col("birth_date").cast(pl.Int64) * 4 + code).to_series()
    pairs = (
        person.unique()
        .drop_nulls()
        .to_frame("_person")
        .with_columns(
            pl.from_epoch(pl.col("_person") // 4, time_unit="d").alias("birth_date"),
            pl.col("_person").mod(4).replace_strict([0, 1], genders, default=None).alias("gender"),
        )
        .select("_person", retire.cast(pl.Int32).alias("_retire"))
        .drop_nulls()
    )
    retire_day = pl.lit(person).replace_strict(pairs["_person"], pairs["_retire"], default=None)
    derived = values.select(
        (year - pl.col("birth_date").dt.year()).alias("_age_at_snapshot"),
        # on the 31 December roster although the retirement rule takes them off it
        (~on_year_end_roster(retire_day.cast(pl.Date), year)).alias("_passed"),
    )
    late = derived["_passed"].arg_true()
    retire_text = pl.Series("_retirement_date_passed", [], dtype=pl.Utf8)
    if late.len():
        retire_text = values[late].select(retire.dt.strftime("%Y-%m-%d")).to_series()
    derived = derived.select(
        "_age_at_snapshot",
        _scatter(values.height, late, retire_text.alias("_retirement_date_passed")),
    )
    # References resolved here, not as GX value sets (see the suite's meta.about).
    unit_missing = _unit_missing(check, data.raw, unit_codes, units)
    # An exact copy of an earlier row (same text in every column) is set aside, not a conflict.
    # A copy shares its (staff_id, snapshot_year): whole rows are compared only among those.
    indexed = check.with_row_index(IDX)
    if has_repeats(check, ["staff_id", "snapshot_year"]):
        indexed = indexed.filter(pl.struct("staff_id", "snapshot_year").is_duplicated())
    else:
        indexed = indexed.clear()
    repeated = indexed.filter(pl.struct(names).is_duplicated())
    copies = repeated.select(
        IDX,
        pl.format(
            "{} ({})",
            pl.col(SOURCE_ROW).first().over(names),
            pl.col(SOURCE_FILE).first().over(names),
        ).alias("_copy_of_row"),
        pl.int_range(pl.len()).over(names).alias("_order"),
    ).filter(pl.col("_order") > 0)
    copy_col = _scatter(check.height, copies[IDX], copies["_copy_of_row"])
    down = _qualification_down(values, spec)
    return pl.concat(
        [check, derived, unit_missing, pl.DataFrame([copy_col, *down])], how="horizontal"
    )


def _unit_missing(
    check: pl.DataFrame, raw: pl.DataFrame, unit_codes: pl.Series, units: pl.DataFrame | None
) -> pl.DataFrame:
    """``_unit_not_found`` (no unit is spelled so) and ``_unit_not_valid_on_date`` (a unit is,
    but not on 31/12 of the row's year: only with units that have a life)."""
    missing = ~pl.col("unit").is_in(unit_codes.implode())
    if units is None or OFFICIAL_CODE not in units.columns:
        return check.select(
            pl.when(missing).then("unit").alias("_unit_not_found"),
            pl.lit(None, pl.Utf8).alias("_unit_not_valid_on_date"),
        )
    elsewhen = pl.Series(raw.select(unit_spelled_expr(units, pl.col("unit").cast(pl.Utf8))))
    return check.with_columns(elsewhen.alias("_elsewhen")).select(
        pl.when(missing & ~pl.col("_elsewhen")).then("unit").alias("_unit_not_found"),
        pl.when(missing & pl.col("_elsewhen"))
        .then(pl.col("unit").str.strip_prefix(UNPARSED))
        .alias("_unit_not_valid_on_date"),
    )


def _qualification_down(values: pl.DataFrame, spec: ContractSpec) -> list[pl.Series]:
    """Per ranked field, ``_<field>_down``: where the level is below the person's previous
    snapshot, that earlier level in words and its year ('Cao cấp (2024)'), so the warning
    points at the field that went down (ranks from vocabularies.yaml)."""
    ranks, labels = [], []
    for j, name in enumerate(RANKED):
        vocab = spec.vocabularies[spec.tables["staff"].columns[name].vocabulary]
        rank = pl.col(name).replace_strict(vocab.ranks, default=None, return_dtype=pl.Int32)
        ranks.append(rank.alias(f"_r{j}"))
        labels.append(vocab.labels)
    frame = values.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias(IDX), "staff_id", "snapshot_year", *ranks
    )
    frame = frame.filter(pl.col("staff_id").is_not_null() & pl.col("snapshot_year").is_not_null())
    # sorted by person then year (stable: file order breaks ties), so the previous row is the
    # previous snapshot when it belongs to the same person (cheaper than a window per column
    # on a million rows); only integer ranks travel through the sort, texts only for the hits
    frame = frame.sort("staff_id", "snapshot_year", maintain_order=True)
    same_person = pl.col("staff_id") == pl.col("staff_id").shift(1)
    flags = [
        (same_person & (pl.col(f"_r{j}") < pl.col(f"_r{j}").shift(1))).alias(f"_d{j}")
        for j in range(len(RANKED))
    ]
    hits = frame.select(IDX, pl.col(IDX).shift(1).alias("_prev"), *flags)
    out = []
    for j, name in enumerate(RANKED):
        down = hits.filter(pl.col(f"_d{j}"))
        before = values[down["_prev"]].select(
            pl.format(
                "{} ({})",
                pl.col(name).replace_strict(labels[j], default=pl.col(name)),
                pl.col("snapshot_year"),
            )
        )
        out.append(_scatter(values.height, down[IDX], before.to_series().alias(f"_{name}_down")))
    return out


def derive_training(data: TableData, today: date, staff_ids: pl.Series) -> pl.DataFrame:
    extra = data.values.select(
        (pl.col("date") - pl.lit(today)).dt.total_days().alias("_days_after_today"),
        pl.when(~pl.col("staff_id").is_in(staff_ids.implode()))
        .then("staff_id")
        .alias("_staff_id_not_found"),
    )
    return pl.concat([data.check, extra], how="horizontal")
